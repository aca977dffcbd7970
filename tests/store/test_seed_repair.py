"""Importing all five of the owner's files together: the clean copy (000) is the vocabulary the
mojibaked copy (001) is repaired with, so what both hold becomes one item with 000's text."""

from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.library.importer import prepare_text
from bot.store.models import Item, ItemKey
from tests.support.seeds import seed_text

pytestmark = pytest.mark.seeds


def _slightly_different(a: str, b: str) -> bool:
    """Same length, a few non-ASCII characters apart: one copy repaired slightly wrong."""
    if a == b or len(a) != len(b):
        return False
    apart = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return len(apart) <= 3 and all(not x.isascii() and not y.isascii() for x, y in apart)


def test_no_quote_or_title_is_in_the_library_twice_slightly_differently(
    session: Session,
) -> None:
    items = session.scalars(select(Item)).all()
    for field in ("text", "title"):
        by_length: defaultdict[int, set[str]] = defaultdict(set)
        for item in items:
            by_length[len(getattr(item, field))].add(getattr(item, field))
        near = [
            (repaired, other)
            for item in items
            if item.raw_text is not None and len(repaired := getattr(item, field)) >= 6
            for other in by_length[len(repaired)]
            if _slightly_different(repaired, other)
        ]
        assert near == [], field


def test_what_000_holds_ends_with_000s_text(session: Session) -> None:
    clean = prepare_text("000", seed_text("000"))
    assert len(clean.items) > 60
    for entry in clean.items:
        item = session.scalars(select(Item).join(ItemKey).where(ItemKey.key == entry.keys[0])).one()
        assert item.title == entry.parsed.title
        if entry.parsed.text:
            assert item.text == entry.parsed.text
        if entry.parsed.author:
            assert item.author == entry.parsed.author


def test_001s_repairs_keep_their_raw_text(session: Session) -> None:
    repaired = session.scalars(select(Item).where(Item.raw_text.is_not(None))).all()
    assert len(repaired) >= 20  # 001's own items; what 000 holds merged into 000's
    assert all(item.repair_confidence is not None for item in repaired)
