"""The owner's notes, read from ../shared/seeds; tests skip where that folder is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


def seed_path(prefix: str) -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"the owner's notes are not at {SEEDS} (CI has them)")
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def seed_text(prefix: str) -> str:
    return seed_path(prefix).read_text(encoding="utf-8")
