"""The owner's curation in the store: a forgotten item is hidden from digests and search but
kept, and comes back; a fixed title is searched, the old one kept, and imports and repairs
leave the fix alone. On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from bot.config import Settings
from bot.library.items import LOCAL_OWNER_CHAT_ID, ParsedItem, PreparedItem
from bot.library.tokens import search_tokens
from bot.store import digests
from bot.store.curation import fix_title, forget, unforget
from bot.store.db import Store
from bot.store.library import export_items
from bot.store.models import Item, ItemRevision
from bot.store.repairs import reapply
from bot.store.search import search
from tests.conftest import NOW
from tests.store.test_import import FIRST, run_import, write

ATTENTION = "Attention Is All You Need"


def item_id(store: Store, title: str) -> int:
    with store.transaction() as session:
        return session.scalars(select(Item.id).where(Item.title == title)).one()


def found(store: Store, query: str) -> list[str]:
    with store.transaction() as session:
        return [item.title for item in search(session, query).items]


def drawn(store: Store) -> set[str]:
    with store.transaction() as session:
        return {item.title for item in digests.library(session)}


def test_a_forgotten_item_is_neither_drawn_nor_found_and_undo_brings_it_back(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    run_import(store, settings, write(tmp_path, "first.txt", FIRST))
    attention = item_id(store, ATTENTION)
    assert found(store, "attention") == [ATTENTION]

    with store.transaction() as session:
        done = forget(session, attention, NOW)
    assert done is not None and done.changed and done.title == ATTENTION
    assert ATTENTION not in drawn(store)
    assert found(store, "attention") == []
    with store.transaction() as session:
        assert search(session, "attention need").total == 0  # several words: the other path
        assert session.get_one(Item, attention).forgotten_at is not None, "kept, not deleted"
        again = forget(session, attention, NOW)
    assert again is not None and not again.changed

    with store.transaction() as session:
        back = unforget(session, attention)
    assert back is not None and back.changed
    assert ATTENTION in drawn(store)
    assert found(store, "attention") == [ATTENTION]


def test_unknown_ids_are_none(store: Store) -> None:
    with store.transaction() as session:
        assert forget(session, 999, NOW) is None
        assert unforget(session, 999) is None
        assert fix_title(session, 999, "A title", NOW) is None


def test_a_reimport_never_brings_a_forgotten_item_back(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = write(tmp_path, "first.txt", FIRST)
    run_import(store, settings, path)
    attention = item_id(store, ATTENTION)
    with store.transaction() as session:
        forget(session, attention, NOW)
    # The file again, with the paper edited (its notes changed): the item follows, still hidden.
    path.write_text(FIRST.replace("【注意力机制】", "【注意力机制 Transformer】"), encoding="utf-8")
    again = run_import(store, settings, path)
    assert again["added"] == {"quote": 0, "paper": 0, "article": 0}
    assert ATTENTION not in drawn(store)
    assert found(store, "attention") == []
    with store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Item)) == 4


def test_a_fixed_title_is_searched_and_the_old_one_kept(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    run_import(store, settings, write(tmp_path, "first.txt", FIRST))
    attention = item_id(store, ATTENTION)
    with store.transaction() as session:
        fixed = fix_title(session, attention, "Transformer: attention only", NOW)
    assert fixed is not None and fixed.changed and fixed.before == ATTENTION
    assert found(store, "transformer only")[0] == "Transformer: attention only"
    assert found(store, "need") == [], "the old title's words no longer find it"
    with store.transaction() as session:
        fix_title(session, attention, "Transformers: attention is all", NOW)
        item = session.get_one(Item, attention)
        assert item.title == "Transformers: attention is all"
        assert item.title_before_fix == ATTENTION, "the title before the first fix"
        revisions = session.scalars(
            select(ItemRevision.previous)
            .where(ItemRevision.item_id == attention)
            .order_by(ItemRevision.id)
        ).all()
        assert revisions == [{"title": ATTENTION}, {"title": "Transformer: attention only"}]
        same = fix_title(session, attention, "Transformers: attention is all", NOW)
        assert same is not None and not same.changed
    assert "Transformers: attention is all" in drawn(store)


def test_a_reimport_keeps_the_owners_fix_and_finds_the_item_by_its_old_title(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    """A link note keyed on its URL and its title: the fix changes the title far from the
    file's, and the re-import still finds it, and updates the rest but not the title."""
    notes = "The Illustrated Transformer\nhttps://jalammar.github.io/illustrated-transformer/\n"
    path = write(tmp_path, "links.txt", notes)
    run_import(store, settings, path)
    link = item_id(store, "The Illustrated Transformer")
    with store.transaction() as session:
        fix_title(session, link, "Jay Alammar 图解 Transformer", NOW)
    # Retitled and relinked in the file (the same page): the link follows, the title stays.
    edited = "The Illustrated Transformer!\nhttp://www.jalammar.github.io/illustrated-transformer?utm_source=x\n"
    path.write_text(edited, encoding="utf-8")
    again = run_import(store, settings, path)
    assert again["added"] == {"quote": 0, "paper": 0, "article": 0}
    assert again["updated"] == 1
    with store.transaction() as session:
        item = session.get_one(Item, link)
        assert item.title == "Jay Alammar 图解 Transformer"
        assert item.url is not None and item.url.startswith("http://www.")
    assert found(store, "图解") == ["Jay Alammar 图解 Transformer"]


def test_a_repair_run_again_keeps_the_owners_title(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    run_import(store, settings, write(tmp_path, "first.txt", FIRST))
    attention = item_id(store, ATTENTION)
    with store.transaction() as session:
        item = session.get_one(Item, attention)
        item.raw_text = "garbled"  # as if repaired at import
        fix_title(session, attention, "Attention, fixed by hand", NOW)

    def repaired(item: Item) -> PreparedItem:
        # What a newer repair reads in the raw text: another title and another text.
        parsed = ParsedItem(kind=item.kind, title="Atention", text="repaired text")
        tokens = search_tokens("Atention"), search_tokens("repaired text")
        return PreparedItem(parsed, (), item.raw_text, 0.9, *tokens)

    with store.transaction() as session:
        assert reapply(session, repaired).updated == 1
        item = session.get_one(Item, attention)
        assert (item.title, item.text) == ("Attention, fixed by hand", "repaired text")
    assert found(store, "hand") == ["Attention, fixed by hand"]


def test_export_keeps_forgotten_items_marked_and_the_title_a_fix_replaced(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    run_import(store, settings, write(tmp_path, "first.txt", FIRST))
    attention = item_id(store, ATTENTION)
    with store.transaction() as session:
        forget(session, attention, NOW)
        fix_title(session, attention, "Attention (fixed)", NOW)
        exported = export_items(session, owner_chat_id=LOCAL_OWNER_CHAT_ID)
    [mine] = [e for e in exported if e["title"] == "Attention (fixed)"]
    assert mine["forgotten"] is True and mine["title_before_fix"] == ATTENTION
    others = [e for e in exported if e is not mine]
    assert len(others) == 3 and not any("forgotten" in e for e in others)
