"""What ships with lamplight: its version, its migrations and the sample notes."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from importlib.resources import as_file, files
from pathlib import Path


def bundled_path(name: str) -> Path:
    """The folder `name` (migrations, examples) inside the wheel, or beside the source tree.

    The wheel carries them as package data under bot/_bundled; a source checkout (editable
    install, tests) has them at the top level, where the repository keeps them.
    """
    packaged = files("bot") / "_bundled" / name
    if packaged.is_dir():
        with as_file(packaged) as path:
            return Path(path)
    return Path(__file__).resolve().parent.parent / name


def _release() -> str:
    """The installed release, major.minor (what a User-Agent names); a bare checkout has none."""
    try:
        return ".".join(version("lamplight").split(".")[:2])
    except PackageNotFoundError:
        return "0"


# How lamplight names itself to the servers it asks (feeds, pages, arXiv).
PRODUCT = f"lamplight/{_release()}"
