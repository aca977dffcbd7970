"""What the processes of one test session share: under pytest-xdist every worker has a temp
dir of its own inside the session's, where things costly to make are built once, by the first
worker that needs them, while the others wait for them (a file lock)."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest


def session_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's temp dir: under pytest-xdist the one every worker's own dir is in."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]
) -> Path:
    """The folder `name` in the session's temp dir, filled by `build` at the first call."""
    folder = session_temp(tmp_path_factory) / name
    with (folder.parent / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (folder / ".built").is_file():
            shutil.rmtree(folder, ignore_errors=True)  # a build that failed half-way
            folder.mkdir()
            build(folder)
            (folder / ".built").touch()
    return folder
