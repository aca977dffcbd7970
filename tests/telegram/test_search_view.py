"""The /search results header: how many were found, exact up to the store's cap, then "N+"."""

from __future__ import annotations

import pytest

from bot.library.items import ItemKind
from bot.store.db import Store
from bot.store.models import Item
from bot.telegram.handlers.search import search_page


def test_the_header_counts_the_matches_and_says_when_there_are_more(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    with store.transaction() as session:
        session.add_all(
            Item(
                kind=ItemKind.ARTICLE,
                title=f"Hummingbird note {n}",
                canonical_key=f"title:hummingbird {n}",
                title_tokens=f"hummingbird note {n}",
            )
            for n in range(7)
        )
    with store.transaction() as session:
        html, _ = search_page(session, 42, 1, "hummingbird", 0)
    assert "7 found, page 1 of 2" in html
    monkeypatch.setattr("bot.store.search.TOTAL_CAP", 5)
    with store.transaction() as session:
        html, _ = search_page(session, 42, 1, "hummingbird", 0)
    assert "5+ found, page 1 of 1+" in html
