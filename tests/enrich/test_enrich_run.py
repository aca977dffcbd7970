"""Enriching the library from a fake arXiv as strict as the real one's terms, on SQLite and on
PostgreSQL: what is asked and in how many requests, what is taken, that the owner's words stay
theirs, and how failures back off."""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.metadata
import logging
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.enrich.matching import has_cjk
from bot.enrich.plan import EnrichmentStatus
from bot.enrich.run import EnrichReport, Turns, enrich_library, utc_now
from bot.feeds.fetch import FetchLimits
from bot.library.items import ItemKind
from bot.library.tokens import search_tokens
from bot.store import digests, pace
from bot.store.db import Store, open_store
from bot.store.library import export_items
from bot.store.models import Enrichment, Item
from bot.store.raw_rows import aware
from bot.store.search import search
from tests.support.arxiv import CATALOGUE, FakeArxiv, numbered
from tests.support.processes import REPO

INTERVAL = 0.1  # seconds; the fake refuses anything quicker, as arXiv does at 3 s
LIMITS = FetchLimits(connect_timeout=1.0, read_timeout=1.0, total_timeout=1.5)
PAPER = ItemKind.PAPER


@pytest.fixture
def arxiv() -> Iterator[FakeArxiv]:
    with FakeArxiv(CATALOGUE, min_interval=INTERVAL) as fake:
        yield fake


@pytest.fixture
def enriching(make_settings: Callable[..., Settings], database_url: str) -> Callable[..., Settings]:
    """Settings pointing at a fake arXiv, at the test's pace."""

    def make(fake: FakeArxiv, **overrides: Any) -> Settings:
        values = {"arxiv_api_url": fake.url, "arxiv_min_interval_seconds": INTERVAL}
        return make_settings(database_url=database_url, **{**values, **overrides})

    return make


def add(store: Store, *rows: dict[str, Any]) -> list[int]:
    with store.transaction() as session:
        items = [
            Item(
                kind=row.pop("kind", PAPER),
                canonical_key=f"test:{uuid.uuid4()}",
                title_tokens=search_tokens(row.get("title", "")),
                body_tokens=search_tokens(row.get("text", "")),
                **row,
            )
            for row in rows
        ]
        session.add_all(items)
        session.flush()
        return [item.id for item in items]


def run(store: Store, settings: Settings, **options: Any) -> EnrichReport:
    return asyncio.run(enrich_library(store, settings, limits=LIMITS, **options))


def enrichment(store: Store, item_id: int) -> Enrichment | None:
    with store.transaction() as session:
        return session.get(Enrichment, item_id)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.mark.parametrize(("count", "requests"), [(100, 1), (101, 2)])
def test_papers_with_ids_are_asked_a_hundred_to_a_request(
    store: Store, enriching: Callable[..., Settings], count: int, requests: int
) -> None:
    listed = numbered(count)
    add(store, *({"title": "", "arxiv_id": p.arxiv_id} for p in listed))
    with FakeArxiv(listed, min_interval=INTERVAL) as fake:
        report = run(store, enriching(fake))
    assert len(fake.queries) == report.requests == requests
    assert sorted(len(q["id_list"].split(",")) for q in fake.queries) == sorted(
        [100, count - 100] if count > 100 else [count]
    )
    assert report.count("id") == count and fake.refusals == []


def test_every_request_names_lamplight_its_version_and_the_owners_contact(
    store: Store, arxiv: FakeArxiv, enriching: Callable[..., Settings]
) -> None:
    """arXiv's terms ask for a descriptive User-Agent: who is asking, and how to reach them."""
    add(
        store,
        {"title": "", "arxiv_id": "1706.03762"},
        {"title": "Deep Residual Learning for Image Recognition"},
    )
    run(store, enriching(arxiv, arxiv_contact="reader@example.org"))
    version = importlib.metadata.version("lamplight")
    assert len(arxiv.state.user_agents) == len(arxiv.queries) == 2
    for agent in arxiv.state.user_agents:
        product, _, comment = agent.partition(" ")
        name, _, number = product.partition("/")
        assert name == "lamplight" and number in {version, version.rsplit(".", 1)[0]}
        assert comment.startswith("(") and "reader@example.org" in comment


def test_the_default_pace_is_one_request_every_three_seconds(
    store: Store, make_settings: Callable[..., Settings], database_url: str
) -> None:
    assert Settings().arxiv_min_interval_seconds == 3.0
    assert FakeArxiv().state.min_interval == 3.0
    add(store, {"title": "", "arxiv_id": "1706.03762"})
    with FakeArxiv() as fake:
        settings = make_settings(database_url=database_url, arxiv_api_url=fake.url)
        asked = now()
        run(store, settings)
        answered = now()
    with store.transaction() as session:
        next_request = pace.pace_of(session, pace.ARXIV).until
    # The next turn is 3 s after the answer, which came between `asked` and `answered`: no
    # bound on how busy the machine is.
    assert next_request - asked >= dt.timedelta(seconds=3)
    assert next_request - answered <= dt.timedelta(seconds=3)


def test_a_title_match_is_taken_and_a_near_miss_or_a_year_two_off_is_not(
    store: Store, arxiv: FakeArxiv, enriching: Callable[..., Settings]
) -> None:
    match, near, two_off, one_off = add(
        store,
        {"title": "Attention is all you need", "year": 2018},
        {"title": "Attention Is Not All You Need"},
        {"title": "Deep Residual Learning for Image Recognition", "year": 2017},
        {"title": "Language models are few-shot learners.", "year": 2021},
    )
    report = run(store, enriching(arxiv))
    found = {
        i: e.status if (e := enrichment(store, i)) else None
        for i in (match, near, two_off, one_off)
    }
    assert found == {
        match: EnrichmentStatus.FOUND,
        near: EnrichmentStatus.NOT_FOUND,
        two_off: EnrichmentStatus.NOT_FOUND,
        one_off: EnrichmentStatus.FOUND,
    }
    assert report.count("title") == 2 and report.not_found == 2
    assert {q["search_query"] for q in arxiv.queries} == {
        'ti:"attention is all you need"',
        'ti:"attention is not all you need"',
        'ti:"deep residual learning for image recognition"',
        'ti:"language models are few shot learners"',
    }


def test_a_chinese_title_is_never_sent(
    store: Store, arxiv: FakeArxiv, enriching: Callable[..., Settings]
) -> None:
    add(
        store,
        {"title": "注意力机制综述"},
        {"title": "深度残差学习 Deep Residual Learning for Image Recognition"},
        {"title": "Attention Is All You Need"},
    )
    report = run(store, enriching(arxiv))
    assert report.skipped_chinese == 2
    assert [q["search_query"] for q in arxiv.queries] == ['ti:"attention is all you need"']
    assert not any(has_cjk(value) for query in arxiv.queries for value in query.values())


def test_the_owners_words_stay_theirs_and_what_arxiv_says_is_shown_searched_and_exported(
    store: Store, arxiv: FakeArxiv, enriching: Callable[..., Settings]
) -> None:
    [item_id] = add(
        store,
        {"title": "Attention is all you need", "text": "Reread §3.", "author": "Vaswani"},
    )
    run(store, enriching(arxiv), limit=5)
    with store.transaction() as session:
        item = session.get(Item, item_id)
        assert item is not None
        assert (item.title, item.text, item.author, item.year) == (
            "Attention is all you need", "Reread §3.", "Vaswani", None,
        )  # fmt: skip
        [shown] = digests.library(session, [item_id])
        assert search(session, "transduction").items[0].id == item_id
        [exported] = export_items(session, owner_chat_id=0)
    assert shown.title == "Attention is all you need" and shown.year is None
    assert shown.abstract.startswith("The dominant sequence transduction models")
    assert shown.enriched_title == "Attention Is All You Need"
    assert shown.enriched_authors == "Ashish Vaswani, Noam Shazeer, Niki Parmar"
    assert (shown.enriched_year, shown.arxiv_id) == (2017, "1706.03762")
    assert exported["title"] == "Attention is all you need"
    assert exported["enriched"]["source"] == "arxiv"
    assert exported["enriched"]["abstract"].endswith("based solely on attention mechanisms.")


def test_a_post_from_a_feed_linking_to_arxiv_is_enriched_like_a_paper(
    store: Store, arxiv: FakeArxiv, enriching: Callable[..., Settings]
) -> None:
    [post, other] = add(
        store,
        {
            "kind": ItemKind.ARTICLE,
            "title": "This week",
            "url": "https://arxiv.org/abs/2005.14165v4",
        },
        {"kind": ItemKind.ARTICLE, "title": "Attention Is All You Need, explained"},
    )
    run(store, enriching(arxiv))
    assert arxiv.queries == [{"id_list": "2005.14165", "max_results": "1"}]
    found = enrichment(store, post)
    assert found is not None and found.title == "Language Models are Few-Shot Learners"
    assert enrichment(store, other) is None


def test_an_edit_that_rewrites_the_search_tokens_gets_the_abstracts_back(
    store: Store, arxiv: FakeArxiv, enriching: Callable[..., Settings]
) -> None:
    [item_id] = add(store, {"title": "", "arxiv_id": "1512.03385"})
    run(store, enriching(arxiv))
    with store.transaction() as session:
        item = session.get(Item, item_id)
        assert item is not None
        item.body_tokens = "edited"  # as a re-import or a repair writes them anew
    run(store, enriching(arxiv))
    with store.transaction() as session:
        assert [i.id for i in search(session, "residual framework").items] == [item_id]
        assert search(session, "edited").total == 1
    assert len(arxiv.queries) == 1, "nothing was asked again"


def test_what_was_answered_is_not_asked_again(
    store: Store, arxiv: FakeArxiv, enriching: Callable[..., Settings]
) -> None:
    add(store, {"title": "Attention Is All You Need"}, {"title": "A Paper Nobody Has Written"})
    first = run(store, enriching(arxiv))
    second = run(store, enriching(arxiv))
    assert (first.requests, second.requests, second.planned) == (2, 0, 0)
    assert len(arxiv.queries) == 2


def test_a_refresh_that_fails_keeps_what_was_found(
    store: Store, arxiv: FakeArxiv, enriching: Callable[..., Settings]
) -> None:
    [item_id] = add(store, {"title": "", "arxiv_id": "1706.03762"})
    run(store, enriching(arxiv))
    with store.transaction() as session:
        found = session.get(Enrichment, item_id)
        assert found is not None
        found.retry_at = now() - dt.timedelta(days=1)  # half a year on: asked again
    arxiv.set_mode("fail")
    time.sleep(INTERVAL)
    report = run(store, enriching(arxiv))
    assert report.requests == 1 and report.failed == 1
    kept = enrichment(store, item_id)
    assert kept is not None and kept.status is EnrichmentStatus.FOUND and kept.attempts == 1
    retry = aware(kept.retry_at)
    assert retry is not None and retry > now() + dt.timedelta(minutes=59)
    with store.transaction() as session:
        [shown] = digests.library(session, [item_id])
    assert shown.enriched_title == "Attention Is All You Need"


@pytest.mark.parametrize("mode", ["fail", "hang", "retry_after", "malformed"])
def test_a_failing_api_backs_off_stored_and_is_not_asked_meanwhile(
    store: Store,
    arxiv: FakeArxiv,
    enriching: Callable[..., Settings],
    caplog: pytest.LogCaptureFixture,
    mode: str,
) -> None:
    first, second = add(
        store, {"title": "Attention Is All You Need"}, {"title": "", "arxiv_id": "1512.03385"}
    )
    arxiv.set_mode(mode, retry_after="7200")
    with caplog.at_level(logging.INFO, logger="bot.enrich"):
        report = run(store, enriching(arxiv))
    failed_at = now()
    assert report.requests == 1 and report.error and report.failed == 1
    with store.transaction() as session:
        stored = pace.pace_of(session, pace.ARXIV)
    assert stored.failures == 1 and stored.last_error == report.error
    # A minute after a first failure; the two hours a Retry-After asked for.
    least = dt.timedelta(hours=2) if mode == "retry_after" else dt.timedelta(minutes=1)
    assert failed_at + least - dt.timedelta(seconds=5) <= stored.until <= failed_at + least
    asked = enrichment(store, second)  # the id batch went first
    assert asked is not None and asked.status is EnrichmentStatus.FAILED and asked.attempts == 1
    retry = aware(asked.retry_at)
    assert retry is not None and failed_at < retry <= failed_at + dt.timedelta(hours=1)
    assert enrichment(store, first) is None, "the run stopped at the failure"
    if mode == "malformed":
        assert "malformed Atom document" in caplog.text
    arxiv.set_mode("ok")
    again = run(store, enriching(arxiv))
    assert again.requests == 0 and again.waiting_until == stored.until
    assert len(arxiv.queries) == 1 and arxiv.refusals == []


def test_two_processes_enriching_at_once_keep_the_pace_together(
    database_url: str, store: Store, enriching: Callable[..., Settings]
) -> None:
    titled = [p for p in CATALOGUE if p.arxiv_id != "hep-th/9901001"]
    extra = numbered(3)
    add(
        store,
        *({"title": p.title} for p in (*titled, *extra)),
        {"title": "", "arxiv_id": "hep-th/9901001"},
    )
    reports: list[EnrichReport] = []
    with FakeArxiv((*CATALOGUE, *extra), min_interval=INTERVAL) as fake:
        settings = enriching(fake)

        def process() -> None:
            own = open_store(settings.store_url)  # a store engine of its own, like a process
            try:
                reports.append(run(own, settings))
            finally:
                own.dispose()

        threads = [threading.Thread(target=process) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert fake.refusals == [] and fake.state.max_connections == 1
    assert len(reports) == 2 and sum(r.requests for r in reports) == len(fake.queries) >= 7
    with store.transaction() as session:
        statuses = session.scalars(select(Enrichment.status)).all()
    assert statuses == [EnrichmentStatus.FOUND] * 7


def test_lamplight_enrich_beside_an_enriching_bot_keeps_the_pace_together(
    database_url: str, store: Store, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    """A real second process (`lamplight enrich`, as the owner runs it beside the bot) and this
    one's scheduled-job run share the pace through the store: the fake, which refuses a request
    sooner than the interval after the last answer or on a second connection, refuses none."""
    interval = 0.15
    extra = numbered(4)
    titled = [p for p in CATALOGUE if p.arxiv_id != "hep-th/9901001"]
    add(
        store,
        *({"title": p.title} for p in (*titled, *extra)),
        {"title": "", "arxiv_id": "hep-th/9901001"},
    )
    with FakeArxiv((*CATALOGUE, *extra), min_interval=interval) as fake:
        environment = {
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "LAMPLIGHT_DATA_DIR": str(tmp_path / "data"),
            "DATABASE_URL": database_url,
            "ARXIV_API_URL": fake.url,
            "ARXIV_MIN_INTERVAL_SECONDS": str(interval),
        }
        command = subprocess.Popen(
            [sys.executable, "-m", "jobs", "enrich"],
            env=environment,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 20
            while not fake.queries and command.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)  # the command has started asking: now the bot's run joins in
            settings = make_settings(
                database_url=database_url,
                arxiv_api_url=fake.url,
                arxiv_min_interval_seconds=interval,
            )
            started = time.monotonic()
            report = asyncio.run(enrich_library(store, settings))
            took = time.monotonic() - started
            output, _ = command.communicate(timeout=30)
        finally:
            command.kill()
    assert command.returncode == 0, output
    asked = re.search(r"asked arXiv (\d+) time", output)
    assert asked, output
    assert fake.refusals == [] and fake.state.max_connections == 1
    # A turn the other holds is looked at again soon, not slept through (the hold is a minute).
    assert took < 20
    assert int(asked.group(1)) >= 1 and report.requests >= 1, (output, report)
    assert int(asked.group(1)) + report.requests == len(fake.queries) >= 8
    with store.transaction() as session:
        statuses = session.scalars(select(Enrichment.status)).all()
    assert statuses == [EnrichmentStatus.FOUND] * 8


def test_a_client_quicker_than_the_fake_allows_is_refused_and_backs_off(
    store: Store, enriching: Callable[..., Settings]
) -> None:
    """The fake is strict: a pace quicker than its own shows as a refusal (so the tests above,
    which record none, kept it), and the refusal's Retry-After is a failure like any other."""
    add(store, {"title": "Attention Is All You Need"}, {"title": "", "arxiv_id": "1512.03385"})
    with FakeArxiv(CATALOGUE, min_interval=1.0) as fake:
        report = run(store, enriching(fake, arxiv_min_interval_seconds=0.01))
    assert len(fake.refusals) == 1 and report.requests == 2
    assert report.error == "HTTP 503 Service Unavailable (Retry-After: 1)"


def test_enrich_off_asks_nothing(
    store: Store, arxiv: FakeArxiv, enriching: Callable[..., Settings]
) -> None:
    add(store, {"title": "Attention Is All You Need"})
    report = run(store, enriching(arxiv, enrich=False))
    assert report.off and arxiv.queries == []


def test_a_turn_another_process_took_while_this_one_looked_is_waited_for(
    store: Store, make_settings: Callable[..., Settings], database_url: str
) -> None:
    """Between reading the time and asking the store, a busy process may see another take the
    turn: that turn is held for at most `hold` from the other's own time, so it is waited for,
    not mistaken for a backoff that ends the run."""
    settings = make_settings(database_url=database_url, arxiv_min_interval_seconds=0.05)
    turns = Turns(
        store, settings, FetchLimits(connect_timeout=0.1, read_timeout=0.1, total_timeout=0.2)
    )
    look = turns._take
    taken: list[pace.Turn | pace.Waiting] = []

    def slow_look(now: dt.datetime) -> pace.Turn | pace.Waiting:
        if not taken:
            time.sleep(0.05)  # meanwhile another process takes the turn and never gives it back
            with store.transaction() as session:
                taken.append(pace.take_turn(session, pace.ARXIV, utc_now(), turns.hold))
        return look(now)

    turns._take = slow_look
    got = asyncio.run(turns.take())
    assert isinstance(taken[0], pace.Turn)
    assert isinstance(got, pace.Turn), got  # its hold ran out, and this process took over
