"""A whole install moved: the owner's library with readers' answers, chats, mutes, feeds and
digests, backed up from SQLite, restored into PostgreSQL, backed up there, restored into
SQLite again — every backup the same but for its time (SQLite → SQLite → SQLite when
LAMPLIGHT_TEST_POSTGRES_URL is unset)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.middlewares import LatexDecodingMiddleware
from sqlalchemy import func, select

from bot.enrich.plan import EnrichmentStatus
from bot.library.bibtex import to_bibtex
from bot.library.items import Answer, ItemKind
from bot.store.backup import snapshot, write_backup
from bot.store.db import Store, open_store
from bot.store.digests import set_answer
from bot.store.library import citations
from bot.store.models import (
    Chat,
    DeliveryState,
    Digest,
    DigestItem,
    DigestKind,
    DigestMessage,
    Enrichment,
    Item,
    ItemRevision,
    ItemState,
    MutedWord,
    Notice,
    Search,
    Source,
    SourceKind,
)
from bot.store.restore import restore
from bot.store.search import search
from tests.conftest import NOW, POSTGRES_URL, reset_postgres
from tests.support.seeds import seed_library

pytestmark = pytest.mark.seeds

READER, BLOCKED = 101, 102
ANSWERS = (Answer.READ, Answer.SKIPPED, Answer.LESS)


def add_readers_life(store: Store) -> None:
    """What a running install adds to the library: readers, their settings, mutes, answers,
    a feed's state, digests and their delivery, a saved search, a notice, arXiv's words."""
    with store.transaction() as session:
        ids = session.scalars(select(Item.id).order_by(Item.id).limit(5)).all()
        session.add_all(
            [
                Chat(
                    id=READER,
                    subscribed=True,
                    timezone="Asia/Shanghai",
                    digest_time=dt.time(7, 30),
                    digest_size=7,
                    language="zh",
                    joined_at=NOW,
                ),
                Chat(id=BLOCKED, subscribed=True, paused=True, blocked=True),
            ]
        )
        session.flush()
        session.add_all([MutedWord(chat_id=READER, word=w) for w in ("crypto", "区块链")])
        for minutes, (item_id, answer) in enumerate(zip(ids, ANSWERS, strict=False)):
            set_answer(
                session,
                chat_id=READER,
                item_id=item_id,
                answer=answer,
                now=NOW + dt.timedelta(minutes=minutes),
            )
        feed = session.scalars(select(Source).where(Source.kind == SourceKind.FEED)).first()
        assert feed is not None, "the seeds name newsletters"
        feed.etag, feed.last_modified, feed.error_count = '"abc"', "Mon, 23 Nov 2026", 2
        feed.last_error, feed.next_check_at = "HTTP 503", NOW + dt.timedelta(hours=3)
        feed.host_wait_until = NOW + dt.timedelta(hours=1)
        session.add_all(digests(ids))
        session.add(Search(chat_id=READER, text="知识蒸馏 GAN", created_at=NOW))
        session.add(Notice(name="troubles", sent_at=NOW))
        paper = select(Item.id).where(Item.kind == ItemKind.PAPER, Item.author == "")
        session.add(
            Enrichment(
                item_id=session.scalars(paper.order_by(Item.id)).first(),
                source="arxiv",
                status=EnrichmentStatus.FOUND,
                asked="id:1706.03762",
                arxiv_id="1706.03762",
                title="Attention Is All You Need",
                abstract="The dominant sequence transduction models…",
                authors="Ashish Vaswani, Noam Shazeer",
                year=2017,
                fetched_at=NOW,
                retry_at=NOW + dt.timedelta(days=180),
            )
        )
        session.add(ItemRevision(item_id=ids[4], revised_at=NOW, previous={"title": "旧", "y": 1}))


def digests(ids: list[int]) -> list[Digest]:
    sent = DigestMessage(
        part=1,
        body="<b>今天</b> 1",
        buttons=[[["✅ Read 1", f"l1:r:1:{ids[0]}"]]],
        state=DeliveryState.SENT,
        telegram_message_id=555,
        attempts=1,
        sent_at=NOW,
    )
    waiting = DigestMessage(
        part=2, body="2", state=DeliveryState.PENDING, retry_at=NOW, last_error="429"
    )
    lost = DigestMessage(part=1, body="3", state=DeliveryState.UNCERTAIN, claimed_at=NOW)
    return [
        Digest(
            chat_id=READER,
            kind=DigestKind.DAILY,
            local_date=NOW.date(),
            created_at=NOW,
            items=[DigestItem(position=n + 1, item_id=i) for n, i in enumerate(ids[:3])],
            messages=[sent, waiting],
        ),
        Digest(
            chat_id=BLOCKED,
            kind=DigestKind.ON_DEMAND,
            local_date=NOW.date(),
            created_at=NOW,
            gave_up_at=NOW,
            messages=[lost],
        ),
    ]


def back_up(store: Store, path: Path, hours: int) -> Path:
    with snapshot(store.engine) as connection:
        write_backup(connection, path, NOW + dt.timedelta(hours=hours))
    return path


def lines(path: Path) -> list[dict[str, object]]:
    data = path.read_bytes()
    text_lines = (gzip.decompress(data) if path.suffix == ".gz" else data).decode().splitlines()
    return [json.loads(line) for line in text_lines]


@dataclass
class Moved:
    source: Store
    middle: Store  # PostgreSQL when the tests have it
    last: Store
    files: list[Path]


@pytest.fixture(scope="module")
def moved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Moved]:
    folder = tmp_path_factory.mktemp("moved")
    with seed_library("sqlite", tmp_path_factory) as (source, _):
        add_readers_life(source)
        first = back_up(source, folder / "from-sqlite.jsonl.gz", 1)
        if POSTGRES_URL:
            reset_postgres(POSTGRES_URL)
        middle = open_store(POSTGRES_URL or f"sqlite:///{folder / 'middle.sqlite3'}")
        restore(middle.engine, first)
        second = back_up(middle, folder / "from-middle.jsonl", 2)
        last = open_store(f"sqlite:///{folder / 'last.sqlite3'}")
        restore(last.engine, second)
        third = back_up(last, folder / "from-last.jsonl.gz", 3)
        yield Moved(source, middle, last, [first, second, third])
        middle.dispose()
        last.dispose()


def test_every_backup_of_the_moved_install_is_the_same_but_for_its_time(moved: Moved) -> None:
    first, *others = [lines(path) for path in moved.files]
    assert len(first) > 1000, "the seed library and everything added to it"
    made = first[0].pop("created_at")
    for other in others:
        assert other[0].pop("created_at") != made
        assert other == first
    tables = first[0]["tables"]
    assert isinstance(tables, dict)
    rows = first[-1]["rows"]
    assert isinstance(rows, dict)
    for table in ("items", "item_keys", "item_states", "chats", "muted_words", "sources"):
        assert rows[table] > 0, table
    for table in ("digests", "digest_messages", "searches", "notices", "enrichments"):
        assert rows[table] > 0, table


@pytest.mark.parametrize("where", ["middle", "last"])
def test_readers_find_their_settings_answers_and_digests_where_it_moved(
    moved: Moved, where: str
) -> None:
    store: Store = getattr(moved, where)
    with store.transaction() as session:
        reader = session.get(Chat, READER)
        assert reader is not None
        assert (reader.timezone, reader.digest_time, reader.language) == (
            "Asia/Shanghai",
            dt.time(7, 30),
            "zh",
        )
        words = session.scalars(select(MutedWord.word).where(MutedWord.chat_id == READER))
        assert sorted(words) == ["crypto", "区块链"]
        states = session.scalars(
            select(ItemState).where(ItemState.chat_id == READER).order_by(ItemState.answered_at)
        ).all()
        assert [s.status for s in states] == list(ANSWERS)
        answered = [s.answered_at for s in states]
        expected = [NOW + dt.timedelta(minutes=m) for m in range(3)]
        assert [a.replace(tzinfo=a.tzinfo or dt.UTC) for a in answered if a] == expected
        message = session.scalars(select(DigestMessage).where(DigestMessage.part == 1)).first()
        assert message is not None and message.buttons[0][0][0] == "✅ Read 1"
        uncertain = DigestMessage.state == DeliveryState.UNCERTAIN
        assert session.scalar(select(func.count()).where(uncertain)) == 1


@pytest.mark.parametrize("where", ["middle", "last"])
def test_search_finds_the_same_where_it_moved(moved: Moved, where: str) -> None:
    store: Store = getattr(moved, where)
    for query in ("知识蒸馏", "attention", "GAN"):
        with moved.source.transaction() as session:
            before = [item.id for item in search(session, query, limit=20).items]
        with store.transaction() as session:
            after = [item.id for item in search(session, query, limit=20).items]
        assert after == before and before, query


def test_rows_added_after_a_restore_get_ids_of_their_own(moved: Moved) -> None:
    """On PostgreSQL the id sequences moved past the restored ids."""
    with moved.middle.sessions() as session:  # never committed
        largest = session.scalar(select(func.max(Item.id)))
        most_muted = session.scalar(select(func.max(MutedWord.id)))
        item = Item(kind=ItemKind.QUOTE, text="new", canonical_key="test:new after restore")
        mute = MutedWord(chat_id=READER, word="new")
        session.add_all([item, mute])
        session.flush()
        assert largest is not None and item.id > largest
        assert most_muted is not None and mute.id > most_muted
        session.rollback()


def test_the_seed_papers_export_as_bibtex_that_parses_back(moved: Moved) -> None:
    with moved.last.transaction() as session:
        papers = citations(session)
        count = session.scalar(select(func.count()).where(Item.kind == ItemKind.PAPER))
    parsed = bibtexparser.parse_string(to_bibtex(papers))
    assert not parsed.failed_blocks
    assert len(parsed.entries) == count == len(papers) > 50
    keys = [entry.key for entry in parsed.entries]
    assert len(set(keys)) == len(keys)
    decoded = bibtexparser.parse_string(
        to_bibtex(papers), append_middleware=[LatexDecodingMiddleware()]
    )
    [enriched] = [entry for entry in decoded.entries if entry.get("abstract")]
    assert enriched["abstract"].startswith("The dominant sequence transduction")
    assert enriched["author"] == "Ashish Vaswani and Noam Shazeer"  # arXiv's: none of yours
