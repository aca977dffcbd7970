"""Time delivering a broadcast of daily digests against Telegram's exact flood limits.

The real path end to end: a SQLite store (in a temp dir) holding COUNT pending digests of
subscribed chats, a fifth of them in two parts (two digest_messages rows, parts 1 and 2, of one
digest), `bot.digests.deliver.deliver_pending` claiming and recording them, `send_html` on a PTB
ExtBot paced by `LamplightRateLimiter`, and the fake Bot API answering 429 (with retry_after)
to a message less than 1.0 s after the previous one into its chat or the 31st in any sliding
second — exactly, with no slack for jitter. The bot's HTTP request settings are PTB's
defaults, as the application's builder leaves them.

What each chat received on the fake is judged against the store: a stored message missing
from its chat is lost (by the state the store left it in), an extra copy is a duplicate.

Targets: achieved messages/s >= 0.9 of 30, 0 lost, 0 duplicates, 0 429s. The baseline is the
ideal time at exactly 30 messages/s (messages/30 s).

    python bench/send_digests.py [--count 2000] [--two-part 0.2]

A full run takes about 100 s; use --count 300 for a quick one.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from sqlalchemy import select

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # `python bench/send_digests.py` from anywhere

from bot.digests.deliver import SendReport, deliver_pending  # noqa: E402
from bot.digests.departure import (  # noqa: E402
    Departure,
    Rows,
    SendResult,
)
from bot.digests.render import DigestView, render_digest  # noqa: E402
from bot.library.items import ItemKind, LibraryItem  # noqa: E402
from bot.store.chats import ensure_chat  # noqa: E402
from bot.store.db import Store, open_store  # noqa: E402
from bot.store.digests import NewDigest, add_digests, library  # noqa: E402
from bot.store.models import DeliveryState, Digest, DigestKind, DigestMessage, Item  # noqa: E402
from bot.telegram.ratelimit import LamplightRateLimiter  # noqa: E402
from bot.telegram.request import TelegramRequest  # noqa: E402
from bot.telegram.sending import send_html  # noqa: E402
from tests.support.botapi import FakeBotAPI  # noqa: E402

OVERALL_PER_SECOND = 30
PER_CHAT_PER_SECOND = 1
TARGET_RATIO = 0.9
TWO_PART_SHARE = 0.2  # a fifth of the chats get their digest in two messages
FIRST_CHAT = 700_000_001
ITEMS_PER_DIGEST = 5
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


@dataclass(frozen=True)
class Stored:
    """One digest message as the store holds it after the run."""

    chat_id: int
    digest_id: int
    part: int
    body: str
    state: DeliveryState


@dataclass(frozen=True)
class Audit:
    """What the chats on the fake show after the run, judged against the store."""

    messages: int  # stored digest messages
    delivered: int  # stored messages shown in their chat (once or more)
    lost: Counter[str]  # store state -> stored messages never shown in their chat
    duplicates: int  # copies shown beyond the first
    strangers: int  # bot messages in a chat that match none of its stored ones
    out_of_order: int  # digests whose parts their chat shows out of order
    shown_not_sent: int  # shown in the chat, yet not `sent` in the store
    sent_not_shown: int  # `sent` in the store, yet not in the chat

    @property
    def lost_total(self) -> int:
        return sum(self.lost.values())


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="digests (chats), default 2000")
    parser.add_argument(
        "--two-part",
        type=float,
        default=TWO_PART_SHARE,
        metavar="SHARE",
        help=f"share of digests sent as two messages (default {TWO_PART_SHARE})",
    )
    return parser.parse_args()


def two_part(n: int, share: float) -> bool:
    """Whether the n-th chat's digest comes in two parts: ``share`` of them, evenly spread.

    >>> [n for n in range(10) if two_part(n, 0.2)]
    [4, 9]
    """
    return int((n + 1) * share) > int(n * share)


def seed(store: Store, chats: list[int], share: float, now: dt.datetime) -> int:
    """Subscribed chats, each with today's daily digest pending; returns the messages stored."""
    with store.transaction() as session:
        session.add_all(
            Item(
                kind=ItemKind.PAPER,
                title=f"Attention & memory in long-context models, part {n}",
                text="A survey of how transformers keep track of what they read. " * 3,
                author="A. Author, B. Author",
                year=2024,
                url=f"https://arxiv.org/abs/2401.{n:05d}",
                canonical_key=f"bench:{n}",
            )
            for n in range(ITEMS_PER_DIGEST)
        )
        session.flush()
        items = tuple(library(session))
        for chat_id in chats:
            ensure_chat(session, chat_id).subscribed = True
        drafts = [
            NewDigest(
                chat_id,
                DigestKind.DAILY,
                now.date(),
                [item.id for item in items],
                partial(_render, items=items, split=two_part(n, share)),
            )
            for n, chat_id in enumerate(chats)
        ]
        add_digests(session, drafts, now=now)
    with store.transaction() as session:
        return len(session.scalars(select(DigestMessage.id)).all())


def _render(
    digest_id: int, *, items: tuple[LibraryItem, ...], split: bool
) -> list[tuple[str, list[list[list[str]]]]]:
    title = "Your reading for today"
    parts = [items[:2], items[2:]] if split else [items]
    rendered = [m for part in parts for m in render_digest(DigestView(digest_id, title, part, {}))]
    return [(m.html, [[[b.text, b.data] for b in row] for row in m.buttons]) for m in rendered]


async def deliver(api: FakeBotAPI, store: Store, now: dt.datetime) -> tuple[SendReport, float]:
    """deliver_pending through a rate-limited ExtBot; returns its report and the seconds taken."""
    bot = api.bot(rate_limiter=LamplightRateLimiter(), request=TelegramRequest())
    async with bot:

        async def send(
            chat_id: int, body: str, buttons: Rows, *, departure: Departure | None = None
        ) -> SendResult:
            return await send_html(bot, chat_id, body, buttons, departure=departure)

        start = time.perf_counter()
        report = await deliver_pending(store, send, lambda: now)
        return report, time.perf_counter() - start


def stored_messages(store: Store) -> list[Stored]:
    with store.transaction() as session:
        rows = session.execute(
            select(
                Digest.chat_id,
                DigestMessage.digest_id,
                DigestMessage.part,
                DigestMessage.body,
                DigestMessage.state,
            ).join(Digest, DigestMessage.digest_id == Digest.id)
        ).all()
    return [Stored(*row) for row in rows]


def audit(api: FakeBotAPI, store: Store) -> Audit:
    """Each chat's bot messages on the fake (HTML as sent) against its stored messages."""
    by_chat: dict[int, list[Stored]] = {}
    for message in stored_messages(store):
        by_chat.setdefault(message.chat_id, []).append(message)
    lost: Counter[str] = Counter()
    delivered = duplicates = strangers = out_of_order = shown_not_sent = sent_not_shown = 0
    for chat_id, stored in by_chat.items():
        shown = [m.text for m in api.messages(chat_id) if m.from_bot]
        copies = Counter(shown)
        for message in stored:
            sent = message.state is DeliveryState.SENT
            found = copies[message.body]
            if not found:
                lost[str(message.state)] += 1
                sent_not_shown += sent
                continue
            delivered += 1
            duplicates += found - 1
            shown_not_sent += not sent
        known = {message.body for message in stored}
        strangers += sum(n for body, n in copies.items() if body not in known)
        out_of_order += _digests_out_of_order(stored, shown)
    return Audit(
        sum(len(s) for s in by_chat.values()),
        delivered,
        lost,
        duplicates,
        strangers,
        out_of_order,
        shown_not_sent,
        sent_not_shown,
    )


def _digests_out_of_order(stored: list[Stored], shown: list[str | None]) -> int:
    """Digests whose shown parts are not in part order (by first appearance in the chat)."""
    first = {body: n for n, body in reversed(list(enumerate(shown)))}
    parts: dict[int, list[tuple[int, int]]] = {}
    for message in stored:
        if message.body in first:
            parts.setdefault(message.digest_id, []).append((message.part, first[message.body]))
    return sum(
        [at for _, at in sorted(seen)] != sorted(at for _, at in seen) for seen in parts.values()
    )


def report(api: FakeBotAPI, found: Audit, chats: int, took: float, result: SendReport) -> None:
    """Print the run's figures, each against its target."""
    ideal = found.messages / OVERALL_PER_SECOND
    rate = found.delivered / took if took else 0.0
    ratio = rate / OVERALL_PER_SECOND
    causes = api.refusals_by_cause()
    refused = sum(causes.values())
    others = Counter(a.status for a in api.arrivals() if a.status not in (200, 429))
    gap = api.min_chat_gap()
    print(
        f"delivered {found.delivered} of {found.messages} messages ({chats} digests, "
        f"{found.messages - chats} with a second part) in {took:.1f} s"
    )
    print(f"baseline, ideal at exactly {OVERALL_PER_SECOND}/s: {ideal:.1f} s ({took / ideal:.2f}x)")
    print(
        f"achieved {rate:.1f} messages/s = {ratio:.2f} of {OVERALL_PER_SECOND}/s "
        f"(target >= {TARGET_RATIO}): {_verdict(ratio >= TARGET_RATIO)}"
    )
    print(
        f"429s: {refused} (target 0): {_verdict(refused == 0)} — "
        + ", ".join(f"{cause} {n}" for cause, n in causes.items())
    )
    print(
        f"arrivals: at most {api.max_arrivals_per_second()} message calls in a sliding second "
        f"(limit {OVERALL_PER_SECOND}); smallest gap into one chat "
        + (f"{gap:.3f} s" if gap is not None else "none")
        + f" (limit {1 / PER_CHAT_PER_SECOND:.1f} s); other answers: {dict(others) or 'none'}"
    )
    lost = ", ".join(f"{n} {state}" for state, n in sorted(found.lost.items())) or "none"
    print(
        f"lost: {found.lost_total} (target 0): {_verdict(found.lost_total == 0)} — "
        f"by store state: {lost}; marked sent but not in the chat: {found.sent_not_shown}"
    )
    print(
        f"duplicates: {found.duplicates} (target 0): {_verdict(found.duplicates == 0)} — "
        f"unknown messages in chats: {found.strangers}; digests out of part order: "
        f"{found.out_of_order}; in the chat but not marked sent: {found.shown_not_sent}"
    )
    print(f"deliver_pending report: {result}")


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def main() -> None:
    args = parse_args()
    for name in PROXY_VARIABLES:  # the fake is on 127.0.0.1; a proxy must not route it
        os.environ.pop(name, None)
        os.environ.pop(name.lower(), None)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    chats = list(range(FIRST_CHAT, FIRST_CHAT + args.count))
    with tempfile.TemporaryDirectory() as data, FakeBotAPI() as api:
        store = open_store(f"sqlite:///{data}/bench.db")
        try:
            seed(store, chats, args.two_part, now)
            for chat_id in chats:
                api.add_chat(chat_id)
            api.enforce_limits(
                per_chat_per_second=PER_CHAT_PER_SECOND, global_per_second=OVERALL_PER_SECOND
            )
            result, took = asyncio.run(deliver(api, store, now))
            found = audit(api, store)
        finally:
            store.dispose()
        report(api, found, len(chats), took, result)


if __name__ == "__main__":
    main()
