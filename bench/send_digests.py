"""Time delivering a broadcast of daily digests against Telegram's flood limits.

The real path end to end: a SQLite store (in a temp dir) holding COUNT pending digests of
subscribed chats, `jobs.digests.deliver_pending` claiming and recording them, `send_html` on a
PTB ExtBot paced by `LamplightRateLimiter`, and the fake Bot API answering 429 (with
retry_after) whenever more than 30 messages/s overall or 1/s into one chat arrive. The bot's
HTTP request settings are PTB's defaults, as the application's builder leaves them.

Targets: achieved messages/s ≥ 0.9 of 30, and nothing lost — every message `sent` in the
store and visible, once, in its chat on the fake. The baseline is the ideal time at exactly
30 messages/s (messages/30 s).

    python bench/send_digests.py [--count 2000] [--two-part 0.1]

A full run takes about 67 s; use --count 300 for a quick one.
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
from pathlib import Path

from sqlalchemy import select
from telegram.request import HTTPXRequest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # `python bench/send_digests.py` from anywhere

from bot.items import ItemKind, LibraryItem  # noqa: E402
from bot.render import DigestView, render_digest  # noqa: E402
from bot.store.chats import ensure_chat  # noqa: E402
from bot.store.db import Store, open_store  # noqa: E402
from bot.store.digests import library, save_digest  # noqa: E402
from bot.store.models import DeliveryState, Digest, DigestKind, DigestMessage, Item  # noqa: E402
from bot.telegram.ratelimit import LamplightRateLimiter  # noqa: E402
from bot.telegram.sending import SendResult, send_html  # noqa: E402
from jobs.digests import SendReport, deliver_pending  # noqa: E402
from tests.support.botapi import FakeBotAPI  # noqa: E402

OVERALL_PER_SECOND = 30
PER_CHAT_PER_SECOND = 1
TARGET_RATIO = 0.9
FIRST_CHAT = 700_000_001
ITEMS_PER_DIGEST = 5
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


@dataclass(frozen=True)
class Audit:
    """What the store and the fake's chats show after the run."""

    messages: int
    sent: int
    not_sent: Counter[str]  # state -> messages the store has not marked sent
    missing: int  # marked sent, but not in the chat on the fake
    duplicates: int  # more of a chat's messages on the fake than the store sent

    @property
    def lost(self) -> int:
        return sum(self.not_sent.values()) + self.missing


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="digests (chats), default 2000")
    parser.add_argument(
        "--two-part",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="share of digests sent as two messages, e.g. 0.1 (default 0)",
    )
    return parser.parse_args()


def seed(store: Store, chats: list[int], two_part: float, now: dt.datetime) -> int:
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
        every = round(1 / two_part) if two_part > 0 else 0
        for n, chat_id in enumerate(chats):
            ensure_chat(session, chat_id).subscribed = True
            save_digest(
                session,
                chat_id=chat_id,
                kind=DigestKind.DAILY,
                local_date=now.date(),
                item_ids=[item.id for item in items],
                render=lambda digest_id, split=bool(every and n % every == 0): _render(
                    digest_id, items, split=split
                ),
                now=now,
            )
    with store.transaction() as session:
        return len(session.scalars(select(DigestMessage.id)).all())


def _render(
    digest_id: int, items: tuple[LibraryItem, ...], *, split: bool
) -> list[tuple[str, list[list[list[str]]]]]:
    title = "Your reading for today"
    parts = [items[:2], items[2:]] if split else [items]
    rendered = [m for part in parts for m in render_digest(DigestView(digest_id, title, part, {}))]
    return [(m.html, [[[b.text, b.data] for b in row] for row in m.buttons]) for m in rendered]


async def deliver(api: FakeBotAPI, store: Store, now: dt.datetime) -> tuple[SendReport, float]:
    """deliver_pending through a rate-limited ExtBot; returns its report and the seconds taken."""
    bot = api.bot(rate_limiter=LamplightRateLimiter(), request=HTTPXRequest())
    async with bot:

        async def send(chat_id: int, body: str, buttons: object) -> SendResult:
            return await send_html(bot, chat_id, body, buttons)  # type: ignore[arg-type]

        start = time.perf_counter()
        report = await deliver_pending(store, send, now)
        return report, time.perf_counter() - start


def audit(api: FakeBotAPI, store: Store) -> Audit:
    with store.transaction() as session:
        rows = session.execute(
            select(Digest.chat_id, DigestMessage.state, DigestMessage.telegram_message_id).join(
                Digest, DigestMessage.digest_id == Digest.id
            )
        ).all()
    not_sent: Counter[str] = Counter()
    sent_by_chat: dict[int, set[int]] = {}
    for chat_id, state, telegram_id in rows:
        if state is DeliveryState.SENT and telegram_id is not None:
            sent_by_chat.setdefault(chat_id, set()).add(telegram_id)
        else:
            not_sent[str(state)] += 1
    missing = duplicates = 0
    for chat_id, ids in sent_by_chat.items():
        shown = {m.message_id for m in api.messages(chat_id) if m.from_bot}
        missing += len(ids - shown)
        duplicates += len(shown - ids)
    sent = sum(len(ids) for ids in sent_by_chat.values())
    return Audit(len(rows), sent, not_sent, missing, duplicates)


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
            messages = seed(store, chats, args.two_part, now)
            for chat_id in chats:
                api.add_chat(chat_id)
            api.enforce_limits(
                per_chat_per_second=PER_CHAT_PER_SECOND, global_per_second=OVERALL_PER_SECOND
            )
            report, took = asyncio.run(deliver(api, store, now))
            found = audit(api, store)
        finally:
            store.dispose()
        refused = [c for c in api.calls("sendMessage", ok=False) if c.status == 429]
        other_errors = len(api.calls("sendMessage", ok=False)) - len(refused)

    ideal = messages / OVERALL_PER_SECOND
    rate = found.sent / took if took else 0.0
    ratio = rate / OVERALL_PER_SECOND
    verdict = "met" if ratio >= TARGET_RATIO else "MISSED"
    print(
        f"delivered {found.sent} of {messages} messages ({len(chats)} digests, "
        f"{messages - len(chats)} with a second part) in {took:.1f} s"
    )
    print(f"baseline, ideal at exactly {OVERALL_PER_SECOND}/s: {ideal:.1f} s ({took / ideal:.2f}x)")
    print(
        f"achieved {rate:.1f} messages/s = {ratio:.2f} of {OVERALL_PER_SECOND}/s "
        f"(target >= {TARGET_RATIO}): {verdict}"
    )
    print(f"429s the fake answered: {len(refused)}; other refusals: {other_errors}")
    lost = ", ".join(f"{n} {state}" for state, n in sorted(found.not_sent.items())) or "none"
    print(
        f"lost: {found.lost} (target 0) — left unsent in the store: {lost}; "
        f"marked sent but not in the chat: {found.missing}; duplicates in chats: {found.duplicates}"
    )
    print(f"deliver_pending report: {report}")


if __name__ == "__main__":
    main()
