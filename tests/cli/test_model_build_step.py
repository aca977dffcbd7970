"""The repair model's one-time build is a step of its own in `lamplight import`'s progress,
not a bar pulsing under the name of the file being read."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.progress import Progress, TaskID

from bot.cli.common import MODEL_STEP, model_build_shown
from bot.library.repair import model as repair_model
from bot.library.repair.vocabulary import corrupt
from tests.cli.test_cli import lamplight


def _shown(progress: Progress) -> list[str]:
    return [task.description for task in progress.tasks if task.visible]


def test_the_build_shows_as_its_own_step_and_the_others_come_back(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    progress = Progress(console=Console(file=io.StringIO()), transient=True)
    progress.add_task("notes.md", total=None)
    during: list[list[str]] = []

    def fake_build(folder: Path) -> None:  # a real build takes half a minute
        during.append(_shown(progress))
        (folder / "meta.json").write_text(json.dumps({}), encoding="utf-8")

    monkeypatch.setattr(repair_model, "build_model", fake_build)
    with progress, model_build_shown(progress):
        repair_model.ensure_model(tmp_path)
        assert _shown(progress) == ["notes.md"]
        repair_model.ensure_model(tmp_path)  # built: no step
    assert during == [[MODEL_STEP]]
    assert MODEL_STEP.startswith("building the repair model once, ~")


class _NoModelInTests(Exception):
    pass


@pytest.mark.usefixtures("store_env")
def test_import_shows_the_build_when_a_line_needs_the_model(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LAMPLIGHT_CACHE_DIR", str(tmp_path / "cache"))  # no model there
    repair_model.default_model.cache_clear()  # loaded once per process: not from this cache
    progresses: list[Progress] = []
    add_task = Progress.add_task

    def recording(self: Progress, *args: Any, **kwargs: Any) -> TaskID:
        progresses.append(self)
        return add_task(self, *args, **kwargs)

    during: list[list[str]] = []

    def fake_build(folder: Path) -> None:
        during.append(_shown(progresses[0]))
        raise _NoModelInTests

    monkeypatch.setattr(Progress, "add_task", recording)
    monkeypatch.setattr(repair_model, "build_model", fake_build)
    notes = tmp_path / "notes.md"
    # 与 loses its last byte: only the model can tell it from 不, 中 or 丝.
    notes.write_text(corrupt("Grace Hopper：学习与思考是一回事") + "\n", encoding="utf-8")
    with pytest.raises(_NoModelInTests):
        lamplight(capsys, "import", str(notes))
    assert during == [[MODEL_STEP]]
