"""lamplight's wheel, built once per test session and installed into a fresh virtualenv, as
the Docker image installs it: the tests that run it share one build."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `bin` folder of a virtualenv holding only the wheel and its dependencies."""
    # The session's base temp dir is the cache: a second caller finds the first one's venv.
    root = tmp_path_factory.getbasetemp() / "lamplight-wheel"
    bin_dir = root / "venv" / "bin"
    if (bin_dir / "lamplight").is_file():
        return bin_dir
    shutil.rmtree(root, ignore_errors=True)
    dist = root / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO)],
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("lamplight-*.whl"))
    venv.create(root / "venv", with_pip=True)
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
    )
    return bin_dir
