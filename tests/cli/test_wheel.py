"""The wheel alone is enough: installed into a fresh virtualenv and run from an empty
directory, it upgrades a new store and imports the sample notes it carries."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support.wheel import installed_wheel


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return installed_wheel(tmp_path_factory)  # shared with tests/ship's image replay


def test_installed_wheel_imports_its_bundled_examples_from_an_empty_directory(
    installed: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "LAMPLIGHT_DATA_DIR": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [str(installed / "lamplight"), "import", "--examples", "--json"],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert sum(summary["added"].values()) > 0
    assert (tmp_path / "data" / "lamplight.sqlite3").is_file()
    assert not list(empty.iterdir()), "nothing is written to the working directory"
