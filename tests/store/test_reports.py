"""What /status and /stats read from the store, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.digests.stats import Answered
from bot.library.items import LOCAL_OWNER_CHAT_ID, Answer, ItemKind
from bot.store import reports
from bot.store.db import Store
from bot.store.models import (
    Chat,
    DeliveryState,
    Digest,
    DigestKind,
    DigestMessage,
    Item,
    ItemState,
    Source,
    SourceKind,
)
from tests.conftest import NOW


def chat(chat_id: int, **values: object) -> Chat:
    defaults: dict[str, object] = {"subscribed": True, "joined_at": NOW - dt.timedelta(days=30)}
    return Chat(id=chat_id, **(defaults | values))


def item(n: int, kind: ItemKind) -> Item:
    return Item(kind=kind, title=f"{kind.value} {n}", canonical_key=f"title:{kind.value} {n}")


def feed(name: str, **values: object) -> Source:
    return Source(
        kind=SourceKind.FEED,
        key=f"feed:{name}",
        name=name,
        feed_url=f"https://{name}/feed",
        **values,
    )


def message(part: int, state: DeliveryState, **values: object) -> DigestMessage:
    return DigestMessage(part=part, body="<b>digest</b>", buttons=[], state=state, **values)


def seed(store: Store) -> None:
    with store.transaction() as session:
        session.add_all(
            [
                chat(LOCAL_OWNER_CHAT_ID, subscribed=False, joined_at=None),  # not a subscriber
                chat(1),
                chat(2),
                chat(3, paused=True),
                chat(4, blocked=True),
                chat(5, subscribed=False),  # sent /stop
                chat(6, subscribed=False, joined_at=None),  # never subscribed
            ]
        )
        session.add_all(
            [item(n, ItemKind.PAPER) for n in range(3)]
            + [item(n, ItemKind.QUOTE) for n in range(2)]
        )
        session.add_all(
            [
                feed("ok.example"),
                feed("flaky.example", error_count=2, last_error="HTTP 503"),
                feed("gone.example", error_count=9, last_error="HTTP 404", paused=True),
                Source(kind=SourceKind.NOTES_FILE, key="file:notes.md", name="notes.md"),
            ]
        )
        session.flush()
        day = NOW.date()
        session.add_all(
            [
                Digest(
                    chat_id=1,
                    kind=DigestKind.DAILY,
                    local_date=day - dt.timedelta(days=2),
                    messages=[message(1, DeliveryState.SENT, sent_at=NOW - dt.timedelta(days=2))],
                ),
                Digest(
                    chat_id=1,
                    kind=DigestKind.DAILY,
                    local_date=day,
                    messages=[
                        message(1, DeliveryState.SENT, sent_at=NOW - dt.timedelta(hours=2)),
                        message(
                            2,
                            DeliveryState.SENT,
                            sent_at=NOW - dt.timedelta(hours=1),
                            attempts=2,
                            last_error="timed out",
                        ),
                    ],
                ),
                Digest(
                    chat_id=2,
                    kind=DigestKind.DAILY,
                    local_date=day,
                    messages=[
                        message(1, DeliveryState.FAILED, attempts=3, last_error="HTTP 502"),
                        message(2, DeliveryState.PENDING),
                    ],
                ),
                Digest(
                    chat_id=2,
                    kind=DigestKind.ON_DEMAND,
                    local_date=day,
                    messages=[
                        message(
                            1,
                            DeliveryState.UNCERTAIN,
                            claimed_at=NOW - dt.timedelta(minutes=5),
                            last_error="Timed out (httpx.ReadTimeout)",
                        )
                    ],
                ),
                Digest(
                    chat_id=3,
                    kind=DigestKind.DAILY,
                    local_date=day - dt.timedelta(days=1),
                    gave_up_at=NOW - dt.timedelta(hours=3),
                    messages=[message(1, DeliveryState.FAILED, attempts=9, last_error="HTTP 500")],
                ),
            ]
        )


def test_status_counts_subscribers_items_feeds_and_deliveries(store: Store) -> None:
    seed(store)
    with store.transaction() as session:
        report = reports.status(session, NOW)
    assert report.subscribers == reports.Subscribers(active=2, paused=1, blocked=1, left=1)
    assert report.items == {ItemKind.QUOTE: 2, ItemKind.PAPER: 3, ItemKind.ARTICLE: 0}
    assert (report.feeds.following, report.feeds.paused) == (2, 1)
    assert report.feeds.failing == (
        reports.FailingFeed("gone.example", 9, "HTTP 404", paused=True),
        reports.FailingFeed("flaky.example", 2, "HTTP 503", paused=False),
    )
    sent = report.deliveries
    assert sent.last_sent_at == NOW - dt.timedelta(hours=1)
    assert sent.digests_sent_last_day == 1  # two messages of one digest; the other was days ago
    assert sent.waiting == 2  # chat 2's; the given-up digest's message waits for nothing
    assert sent.given_up_last_day == 1
    assert sent.uncertain_last_day == 1
    assert [(e.chat_id, e.state, e.attempts, e.error) for e in sent.errors] == [
        (3, DeliveryState.FAILED, 9, "HTTP 500"),
        (2, DeliveryState.UNCERTAIN, 0, "Timed out (httpx.ReadTimeout)"),
        (2, DeliveryState.FAILED, 3, "HTTP 502"),
        (1, DeliveryState.SENT, 2, "timed out"),
    ]


def test_status_counts_only_items_digests_still_draw(store: Store) -> None:
    seed(store)
    with store.transaction() as session:
        quote, paper = (
            session.scalars(select(Item).where(Item.kind == kind).limit(1)).one()
            for kind in (ItemKind.QUOTE, ItemKind.PAPER)
        )
        quote.forgotten_at, paper.retired_at = NOW, NOW

    with store.transaction() as session:
        report = reports.status(session, NOW)
    assert report.items == {ItemKind.QUOTE: 1, ItemKind.PAPER: 2, ItemKind.ARTICLE: 0}


def test_status_of_an_empty_store(store: Store) -> None:
    with store.transaction() as session:
        report = reports.status(session, NOW)
    assert report.subscribers == reports.Subscribers(0, 0, 0, 0)
    assert set(report.items.values()) == {0}
    assert report.feeds == reports.Feeds(0, 0, ())
    assert report.deliveries == reports.Deliveries(None, 0, 0, 0, 0, ())


def test_a_chats_answers_come_with_their_time_and_kind(store: Store) -> None:
    with store.transaction() as session:
        session.add_all([chat(1), chat(2), item(1, ItemKind.PAPER), item(1, ItemKind.QUOTE)])
        session.flush()
        paper, quote = session.scalars(select(Item.id).order_by(Item.id)).all()
        session.add_all(
            [
                ItemState(chat_id=1, item_id=paper, status=Answer.READ, answered_at=NOW),
                ItemState(
                    chat_id=1,
                    item_id=quote,
                    status=Answer.SKIPPED,
                    answered_at=NOW - dt.timedelta(days=9),
                ),
                ItemState(chat_id=2, item_id=paper, status=Answer.READ, answered_at=NOW),
            ]
        )
    with store.transaction() as session:
        answered = reports.answers(session, 1)
        zone = reports.chat_timezone(session, 1), reports.chat_timezone(session, 99)
    assert sorted(answered, key=lambda a: a.at) == [
        Answered(NOW - dt.timedelta(days=9), Answer.SKIPPED, ItemKind.QUOTE),
        Answered(NOW, Answer.READ, ItemKind.PAPER),
    ]
    assert all(a.at.tzinfo is not None for a in answered)
    assert zone == ("UTC", None)


def test_shown_but_unanswered_items_are_not_answers(store: Store) -> None:
    with store.transaction() as session:
        session.add_all([chat(1), item(1, ItemKind.PAPER)])
        session.flush()
        paper = session.scalars(select(Item.id)).one()
        session.add(ItemState(chat_id=1, item_id=paper, times_shown=2, last_shown_at=NOW))
    with store.transaction() as session:
        assert reports.answers(session, 1) == []


def test_ping_answers_on_a_reachable_store(store: Store) -> None:
    with store.engine.connect() as connection:
        reports.ping(connection)
