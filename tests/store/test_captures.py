"""Captures in the store (SQLite and PostgreSQL): added as an import adds a note, undone only
when the capture made the item, kept at a pace; migration 0013 on a store holding data."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import func, select, text

from bot.capture.rules import Incoming, Origin, as_item, for_add, prepare, recognise
from bot.library.items import Answer, PreparedItem
from bot.store import captures
from bot.store.db import Store, alembic_config
from bot.store.digests import set_answer
from bot.store.models import Capture, Item, ItemKey, ItemState, Source, SourceKind
from bot.store.search import search
from tests.conftest import NOW

OWNER = 100
CHANNEL = Origin("Reading Room", "chat:-1001")


def entry(text: str, links: tuple[str, ...] = (), origin: Origin | None = None) -> PreparedItem:
    target = recognise(Incoming(text, links, origin)) or for_add(Incoming(text, links, origin))
    assert target is not None
    return prepare(as_item(target, title="A Post On Reading Slowly"))


def file(
    store: Store,
    item: PreparedItem,
    *,
    chat_id: int = OWNER,
    source: tuple[str, str] = captures.OWN,
    now: dt.datetime = NOW,
) -> captures.Filed:
    with store.transaction() as session:
        return captures.file_item(
            session,
            item,
            chat_id=chat_id,
            source=source,
            asked="asked",
            owner_chat_id=OWNER,
            now=now,
        )


def count(store: Store, table: type) -> int:
    with store.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_a_capture_files_once_and_the_second_finds_it_with_its_answer(store: Store) -> None:
    link = entry("https://example.org/slow", ("https://example.org/slow",))
    first = file(store, link)
    assert first.created and first.answer is None
    with store.transaction() as session:
        set_answer(session, chat_id=OWNER, item_id=first.item_id, answer=Answer.READ, now=NOW)
    later = NOW + dt.timedelta(hours=1)
    again = file(
        store,
        entry(
            "https://www.example.org/slow/?utm_source=x",
            ("https://www.example.org/slow/?utm_source=x",),
        ),
        now=later,
    )
    assert (again.item_id, again.created, again.answer) == (first.item_id, False, Answer.READ)
    assert again.answered_at == NOW
    assert count(store, Item) == 1 and count(store, Capture) == 2
    with store.transaction() as session:
        source = session.scalar(select(Source).join(Item).where(Item.id == first.item_id))
        assert source is not None
        assert (source.kind, source.name) == (SourceKind.CAPTURE, "Telegram")


def test_a_forwarded_capture_is_filed_under_its_origin(store: Store) -> None:
    filed = file(
        store,
        entry("Read slowly.", (), CHANNEL),
        source=(CHANNEL.key, CHANNEL.name),
    )
    with store.transaction() as session:
        item = session.get(Item, filed.item_id)
        assert item is not None and item.author == "Reading Room"
        assert item.source is not None and item.source.name == "Reading Room"


def test_undo_removes_only_what_the_capture_made(store: Store) -> None:
    made = file(store, entry("Slow reading beats fast skimming. — Ada Reader"))
    same = file(store, entry("Slow reading beats fast skimming. — Ada Reader"))
    assert not same.created
    with store.transaction() as session:
        set_answer(session, chat_id=OWNER, item_id=made.item_id, answer=Answer.LESS, now=NOW)
    with store.transaction() as session:
        assert captures.undo(session, made.capture_id, 999, NOW)[0] is captures.Undone.UNKNOWN
        assert captures.undo(session, same.capture_id, OWNER, NOW)[0] is captures.Undone.WAS_THERE
    with store.transaction() as session:
        outcome, title = captures.undo(session, made.capture_id, OWNER, NOW)
    assert outcome is captures.Undone.REMOVED and title.startswith("Slow reading")
    for table in (Item, ItemKey, ItemState):
        assert count(store, table) == 0
    with store.transaction() as session:
        assert search(session, "skimming").total == 0  # the search index let it go too
        assert captures.undo(session, made.capture_id, OWNER, NOW)[0] is captures.Undone.ALREADY
        kept = session.scalars(select(Capture.item_id).order_by(Capture.id)).all()
    assert kept == [None, None]


def test_a_feed_offered_is_kept_for_the_chat_that_captured_it(store: Store) -> None:
    with store.transaction() as session:
        capture_id = captures.offer_feed(
            session, chat_id=OWNER, url="https://e.org/feed", name="E", asked="x", now=NOW
        )
    with store.transaction() as session:
        assert captures.offered_feed(session, capture_id, OWNER) == ("https://e.org/feed", "E")
        assert captures.offered_feed(session, capture_id, 200) is None


def test_recent_captures_are_those_of_the_chat_in_the_window(store: Store) -> None:
    for seconds in (90, 50, 10):
        file(store, entry(f"Words number {seconds}."), now=NOW - dt.timedelta(seconds=seconds))
    file(store, entry("Someone else's words."), chat_id=200)
    with store.transaction() as session:
        recent = captures.recent_captures(session, OWNER, NOW - dt.timedelta(minutes=1))
    assert recent == [NOW - dt.timedelta(seconds=s) for s in (50, 10)]


def test_migration_0013_keeps_captured_items_when_undone_and_redone(store: Store) -> None:
    filed = file(store, entry("Keep me through the downgrade."))
    with store.engine.connect() as connection:
        source = connection.execute(text("SELECT source_id FROM items")).scalar_one()
    assert source is not None
    with store.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0010")
    with store.engine.connect() as connection:
        kinds = connection.execute(text("SELECT kind FROM sources")).scalars().all()
        items = connection.execute(text("SELECT id FROM items")).scalars().all()
    assert kinds == ["notes_file"] and items == [filed.item_id]
    with store.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    with store.engine.connect() as connection:
        # SQLite rebuilds `sources` both ways: its items stay linked, foreign keys back on.
        assert connection.execute(text("SELECT source_id FROM items")).scalar_one() == source
        if connection.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    again = file(store, entry("A second one, after."))
    assert again.created and count(store, Capture) == 1
