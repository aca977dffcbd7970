"""Each reader's level per source (migration 0011), and themed digests: what the store lists,
keeps and hands to selection, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from bot.config import Settings
from bot.digests.compose import compose_for_chat, themed_index
from bot.library.importer import import_paths
from bot.library.items import SourceLevel
from bot.resources import bundled_path
from bot.store import digests
from bot.store.chats import ensure_chat
from bot.store.db import Store, alembic_config, open_store
from bot.store.digests import ActiveChat
from bot.store.levels import levels_of, reader_sources, set_level
from bot.store.models import DigestKind, Item, Source, SourceKind
from bot.store.search import best_matches
from tests.conftest import NOW

READER, OTHER = 7, 8
MORE, LESS, NEVER, NORMAL = (
    SourceLevel.MORE,
    SourceLevel.LESS,
    SourceLevel.NEVER,
    SourceLevel.NORMAL,
)


@pytest.fixture
def sample(store: Store, settings: Settings) -> Store:
    """The sample notes (three notes files, three feeds without posts) and two readers."""
    import_paths(store, [bundled_path("examples")], settings=settings, now=NOW)
    with store.transaction() as session:
        for chat_id in (READER, OTHER):
            ensure_chat(session, chat_id).subscribed = True
    return store


def source_id(store: Store, name: str) -> int:
    with store.transaction() as session:
        return session.scalars(select(Source.id).where(Source.name == name)).one()


def test_a_reader_sees_the_sources_with_items_each_at_normal(sample: Store) -> None:
    with sample.transaction() as session:
        listed = reader_sources(session, READER)
    assert [(s.kind, s.name, s.items, s.level) for s in listed] == [
        (SourceKind.NOTES_FILE, "collection.md", 4, NORMAL),
        (SourceKind.NOTES_FILE, "post.md", 5, NORMAL),
        (SourceKind.NOTES_FILE, "stream.txt", 7, NORMAL),
    ]  # the feeds have no posts yet: nothing to set


def test_levels_are_kept_per_reader_and_normal_leaves_no_row(sample: Store) -> None:
    stream, post = source_id(sample, "stream.txt"), source_id(sample, "post.md")
    with sample.transaction() as session:
        assert set_level(session, READER, stream, NEVER)
        assert set_level(session, READER, post, MORE)
        assert set_level(session, OTHER, post, LESS)
        assert not set_level(session, READER, 10_000, MORE)  # no such source
    with sample.transaction() as session:
        assert set_level(session, READER, post, LESS)  # changed
        assert set_level(session, READER, stream, NORMAL)  # and back
    with sample.transaction() as session:
        assert levels_of(session, [READER, OTHER, 99]) == {
            READER: {post: LESS},
            OTHER: {post: LESS},
        }
        levels = {s.name: s.level for s in reader_sources(session, READER)}
        rows = session.execute(text("SELECT count(*) FROM source_levels")).scalar_one()
    assert levels == {"collection.md": NORMAL, "post.md": LESS, "stream.txt": NORMAL}
    assert rows == 2


def test_a_source_removed_takes_its_levels_with_it(sample: Store) -> None:
    post = source_id(sample, "post.md")
    with sample.transaction() as session:
        set_level(session, READER, post, NEVER)
    with sample.transaction() as session:
        session.delete(session.get(Source, post))
    with sample.transaction() as session:
        assert levels_of(session, [READER]) == {}


def compose_now(store: Store, when: dt.datetime, theme: str = "") -> list[int]:
    """The reader's on-demand digest at `when` (of `theme` if given), stored: its item ids."""
    with store.transaction() as session:
        chat = ActiveChat(READER, "UTC", dt.time(8, 0), 5, None)
        items = digests.library(session)
        library = themed_index(session, items, theme, when) if theme else items
        assert library is not None
        made = compose_for_chat(
            session, chat, library, kind=DigestKind.ON_DEMAND, day=when.date(), now=when
        )
        return [] if made is None else [entry.item_id for entry in made.items]


def test_a_source_set_to_never_stops_coming_in_every_later_digest(sample: Store) -> None:
    stream = source_id(sample, "stream.txt")
    with sample.transaction() as session:
        from_stream = set(session.scalars(select(Item.id).where(Item.source_id == stream)))
        set_level(session, READER, stream, NEVER)
    shown: list[int] = []
    for day in range(12):  # shown items run out and come back as refills: never still holds
        shown += compose_now(sample, NOW + dt.timedelta(days=day, hours=day))
    assert len(shown) >= 40
    assert not set(shown) & from_stream


def test_a_theme_matches_as_search_ranks_first_or_by_section_name(sample: Store) -> None:
    with sample.transaction() as session:
        titles = {i.id: i.title for i in digests.library(session)}
        topics = {i.id: i.topic for i in digests.library(session)}
        diffusion = best_matches(session, "diffusion")
        both = best_matches(session, "residual learning")
        none = best_matches(session, "zebra")
    assert [titles[i] for i in diffusion] == ["Denoising Diffusion Probabilistic Models"]
    # Items holding both words rank first in /search, and make the theme.
    assert [titles[i] for i in both] == ["Deep Residual Learning for Image Recognition"]
    assert none == set()
    themed = set(compose_now(sample, NOW, "扩散模型"))  # a section's name
    assert themed >= {i for i, topic in topics.items() if topic == "扩散模型"}
    assert all(topics[i] == "扩散模型" or "扩散" in titles[i] for i in themed)


def test_a_theme_with_fewer_items_than_the_digest_sends_what_there_is(sample: Store) -> None:
    assert len(compose_now(sample, NOW, "diffusion")) == 1
    with sample.transaction() as session:
        assert themed_index(session, digests.library(session), "zebra", NOW) is None


# --- migration 0011


def migrate(store: Store, step: object, revision: str) -> None:
    with store.engine.begin() as connection:
        step(alembic_config(connection), revision)  # type: ignore[operator]


def test_the_migration_adds_levels_to_a_store_holding_data_and_takes_them_away(
    sample: Store, database_url: str
) -> None:
    post = source_id(sample, "post.md")
    migrate(sample, command.downgrade, "0010")
    assert "source_levels" not in inspect(sample.engine).get_table_names()
    sample.dispose()
    upgraded = open_store(database_url)  # opening upgrades, as a restart would
    with upgraded.transaction() as session:
        assert len(reader_sources(session, READER)) == 3  # the data is all there
        set_level(session, READER, post, NEVER)
    with pytest.raises(IntegrityError), upgraded.engine.begin() as connection:
        connection.execute(
            text("UPDATE source_levels SET level = 'sometimes' WHERE chat_id = :c"),
            {"c": READER},
        )
    migrate(upgraded, command.downgrade, "0010")
    migrate(upgraded, command.upgrade, "head")
    with upgraded.transaction() as session:
        assert levels_of(session, [READER]) == {}
        assert len(reader_sources(session, READER)) == 3
    upgraded.dispose()
