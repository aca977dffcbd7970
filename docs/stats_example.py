"""Draws docs/stats.png, README's example of /stats, from a made-up reader's last eight weeks.

It seeds a throwaway SQLite store and runs `lamplight stats` on it, so the picture is exactly
what the command and the bot send. Regenerate with:

    .venv/bin/python docs/stats_example.py
"""

from __future__ import annotations

import datetime as dt
import os
import random
import tempfile
from pathlib import Path

from bot.library.items import Answer, ItemKind
from bot.store.db import open_store
from bot.store.models import Chat, Item, ItemState

OUT = Path(__file__).with_name("stats.png")
READER = 1
KIND_WEIGHTS = {ItemKind.PAPER: 5, ItemKind.ARTICLE: 3, ItemKind.QUOTE: 2}


def seed(url: str, now: dt.datetime) -> None:
    """Answers on most days, more as the weeks go on, and an unbroken run of the last 12 days."""
    rng = random.Random(2026)
    store = open_store(url)
    with store.transaction() as session:
        session.add(Chat(id=READER, subscribed=True, timezone="Asia/Shanghai"))
        for days_back in range(56):
            answers = rng.randint(0, 2) + (56 - days_back) // 14
            if days_back < 12:
                answers = max(answers, 1)
            elif rng.random() < 0.2:
                continue  # a day off
            for n in range(answers):
                kind = rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()))[0]
                item = Item(
                    kind=kind, title=f"{kind} {days_back}-{n}", canonical_key=f"{days_back}-{n}"
                )
                session.add(item)
                session.flush()
                read = (n == 0 and days_back < 12) or rng.random() < 0.7
                at = now - dt.timedelta(days=days_back, hours=rng.uniform(0, 6))
                session.add(
                    ItemState(
                        chat_id=READER,
                        item_id=item.id,
                        status=Answer.READ if read else Answer.SKIPPED,
                        answered_at=at,
                    )
                )
    store.dispose()


def main() -> None:
    from jobs.main import main as lamplight

    with tempfile.TemporaryDirectory() as data:
        url = f"sqlite:///{Path(data) / 'example.sqlite3'}"
        seed(url, dt.datetime.now(dt.UTC))
        os.environ |= {"DATABASE_URL": url, "LAMPLIGHT_DATA_DIR": data}
        lamplight(["stats", "--chat", str(READER), "--out", str(OUT)])


if __name__ == "__main__":
    main()
