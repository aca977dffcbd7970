"""`lamplight fixtext --explain / --library` and `lamplight repair --review / --reapply`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.library.repair.vocabulary import corrupt
from tests.cli.test_cli import lamplight

pytestmark = pytest.mark.usefixtures("store_env")

NAMES = "我们读了何恺明和李沐的论文"


def test_explain_shows_each_guess_with_its_runner_up_and_margin(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = lamplight(capsys, "fixtext", "--explain", stdin=corrupt("深度学习需要数据"))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("line 1 (confidence ")
    assert lines[2] == "  + 深度学习需要数据"
    guesses = [ln for ln in lines if ln.startswith("    col ")]
    assert guesses
    for guess in guesses:
        assert "runner-up" in guess and "margin" in guess


def test_explain_says_when_there_is_nothing_to_repair(capsys: pytest.CaptureFixture[str]) -> None:
    assert lamplight(capsys, "fixtext", "--explain", stdin="干净的中文") == (
        0,
        "nothing to repair\n",
        "",
    )


def test_library_brings_back_the_names_the_owners_notes_hold(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("何恺明：残差网络很简单。\n李沐：动手学深度学习。\n", encoding="utf-8")
    assert lamplight(capsys, "import", str(notes))[0] == 0
    _, alone, _ = lamplight(capsys, "fixtext", stdin=corrupt(NAMES))
    code, with_library, _ = lamplight(capsys, "fixtext", "--library", stdin=corrupt(NAMES))
    assert code == 0
    assert alone != NAMES  # the model alone has never met these names
    assert with_library == NAMES


def test_review_lists_the_least_certain_items_with_their_doubts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    notes = tmp_path / "mojibake.txt"
    notes.write_text(
        corrupt(
            "Grace Hopper：深度学习需要很多数据。\nAda Lovelace：我们只能看到前方很短的距离。\n"
        ),
        encoding="utf-8",
    )
    assert lamplight(capsys, "import", str(notes))[0] == 0
    code, out, _ = lamplight(capsys, "repair", "--review", "--limit", "1", "--below", "1")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("item ") and ", confidence 0." in lines[0]
    assert sum(ln.startswith("item ") for ln in lines) == 1
    assert any(ln.startswith("  raw:      ") for ln in lines)
    assert any(ln.startswith("  repaired: ") for ln in lines)


def test_reapply_reports_what_it_checked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    notes = tmp_path / "mojibake.txt"
    notes.write_text(corrupt("Grace Hopper：深度学习需要很多数据。\n"), encoding="utf-8")
    lamplight(capsys, "import", str(notes))
    code, out, _ = lamplight(capsys, "repair", "--reapply")
    assert code == 0
    assert out.startswith("1 repaired items checked, 0 updated, 0 left as they were")


def test_repair_without_an_action_says_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = lamplight(capsys, "repair")
    assert code == 1
    assert "--review, --reapply or --build-model" in err
