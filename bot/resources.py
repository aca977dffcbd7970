"""Files that ship with lamplight: migrations and the sample notes."""

from __future__ import annotations

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
