"""Bodies in flight share one memory budget, whatever the number of feeds in a pull."""

from __future__ import annotations

import asyncio
import tracemalloc

import httpx
import pytest

from bot.feeds.budget import BodyBudget
from bot.feeds.fetch import FetchLimits, fetch_many
from tests.support.feedserver import FeedServer
from tests.support.feedserver import server as server  # the fixture

FEEDS = 16
BODY_KIB = 512


def test_readers_never_hold_more_than_the_budget_and_all_finish() -> None:
    budget = BodyBudget(total=6, largest=3)
    done: list[int] = []

    async def read(n: int) -> None:
        async with budget.reader() as reader:
            for _ in range(3):  # each needs 3 units, a unit at a time
                await budget.take(reader, 1)
                await asyncio.sleep(0)
            done.append(n)

    async def main() -> None:
        await asyncio.wait_for(asyncio.gather(*(read(n) for n in range(8))), 5)

    asyncio.run(main())
    assert sorted(done) == list(range(8)), "readers holding parts of it never wait for ever"
    assert budget.peak <= 6
    assert budget.held == 0


def test_a_budget_smaller_than_one_body_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot hold a body"):
        BodyBudget(total=2, largest=3)


def pull_peak(server: FeedServer, body_budget: int) -> tuple[int, int]:
    """(feeds read, peak bytes Python held) for a pull of FEEDS padded feeds at once."""
    limits = FetchLimits(
        max_bytes=BODY_KIB * 1024 + 1024, per_host=FEEDS, total_timeout=30, body_budget=body_budget
    )
    urls = [(server.url(f"/padded/{BODY_KIB}/{n}"), None, None) for n in range(FEEDS)]

    async def pull() -> int:
        async with httpx.AsyncClient() as client:
            results = await fetch_many(client, urls, limits)
        return sum(result.ok for result in results)

    tracemalloc.start()
    try:
        read = asyncio.run(pull())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return read, peak


def test_a_pull_keeps_its_bodies_within_the_budget(server: FeedServer) -> None:
    budget = 2 * BODY_KIB * 1024  # two bodies' worth for sixteen feeds
    unbounded_read, unbounded_peak = pull_peak(server, body_budget=1 << 40)
    bounded_read, bounded_peak = pull_peak(server, body_budget=budget)
    assert unbounded_read == bounded_read == FEEDS, "every feed is still read"
    # Unbounded, most bodies are held at once; bounded, the budget plus each body's parse.
    assert unbounded_peak > FEEDS // 2 * BODY_KIB * 1024
    assert bounded_peak < unbounded_peak / 2
