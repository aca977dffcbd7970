"""A library indexed once serves every reader of a sweep, with the digests compose_digest gives."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from bot.digests.selection import (
    DigestPrefs,
    SelectionIndex,
    SelectionPolicy,
    compose_digest,
    compose_indexed,
)
from bot.library.items import Answer, ItemHistory, ItemKind, LibraryItem

NOW = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
TOPICS = ("agents", "vision", "", "robotics")
SOURCES = ("notes", "feed a", "feed b")


def library() -> list[LibraryItem]:
    """120 items of every kind, topic and source; some articles are news, some say crypto."""
    kinds = (ItemKind.QUOTE, ItemKind.PAPER, ItemKind.ARTICLE)
    return [
        LibraryItem(
            n,
            kinds[n % 3],
            f"item {n}" + (" crypto" if n % 17 == 0 else ""),
            topic=TOPICS[n % 4],
            source=SOURCES[n % 5 % 3],
            published_at=NOW - (n % 9) * 3 * DAY,
        )
        for n in range(1, 121)
    ]


def history() -> dict[int, ItemHistory]:
    """All but every sixth item has a past: shown (lately or long ago), read, or skipped."""
    entries = []
    for n in (n for n in range(1, 121) if n % 6):
        at = NOW - (n % 40) * DAY
        if n % 4 == 1:
            entries.append(ItemHistory(n, times_shown=1 + n % 3, last_shown_at=at))
        elif n % 8 == 3:
            entries.append(ItemHistory(n, Answer.READ, at, 1 + n % 4, at))
        else:
            entries.append(ItemHistory(n, Answer.SKIPPED, at, 1, at))
    return {entry.item_id: entry for entry in entries}


def random_reader(rng: random.Random, items: list[LibraryItem]) -> dict[int, ItemHistory]:
    past: dict[int, ItemHistory] = {}
    for chosen in rng.sample(items, rng.randrange(len(items))):
        at = NOW - dt.timedelta(hours=rng.randrange(60 * 24))
        answer = rng.choice([None, None, Answer.READ, Answer.SKIPPED])
        past[chosen.id] = ItemHistory(
            chosen.id, answer, at if answer else None, rng.randrange(4), at
        )
    return past


def ids(items: tuple[LibraryItem, ...]) -> list[int]:
    return [chosen.id for chosen in items]


# The digests of these seeds, recorded when content taste came (and "skip" stopped counting
# against an item's topic): the index must keep drawing them, so a digest can be recomposed, or
# explained, after any later change that means to keep the draw.
EARLIER_DIGESTS = {
    DigestPrefs(): [
        [84, 65, 101, 29, 109],
        [30, 29, 65, 101, 61],
        [66, 29, 101, 109, 85],
        [96, 29, 65, 77, 61],
        [66, 29, 65, 113, 13],
        [42, 101, 29, 85, 53],
    ],
    DigestPrefs(size=20, quotes=5, muted_words=("crypto", "robot")): [
        [96, 114, 54, 18, 24, 29, 101, 65, 5, 13, 97, 109, 61, 113, 77, 49, 53, 89, 73, 37],
        [30, 18, 108, 6, 42, 29, 65, 101, 5, 13, 77, 109, 25, 53, 113, 49, 89, 73, 97, 37],
        [42, 60, 54, 30, 48, 65, 101, 29, 97, 5, 53, 49, 73, 109, 61, 37, 77, 25, 113, 89],
        [30, 78, 60, 12, 48, 29, 101, 65, 53, 61, 25, 73, 77, 37, 89, 49, 5, 113, 97, 13],
        [66, 54, 6, 30, 18, 101, 65, 29, 61, 53, 109, 89, 5, 49, 13, 113, 77, 37, 25, 73],
        [30, 114, 6, 84, 108, 29, 65, 101, 73, 97, 61, 89, 25, 53, 13, 49, 109, 5, 113, 37],
    ],
}


@pytest.mark.parametrize("prefs", list(EARLIER_DIGESTS))
def test_the_same_seed_draws_the_same_digest_as_recorded(prefs: DigestPrefs) -> None:
    index = SelectionIndex.build(library(), NOW)

    drawn = [ids(compose_indexed(index, history(), prefs, seed).items) for seed in range(6)]

    assert drawn == EARLIER_DIGESTS[prefs]


def test_one_index_serves_many_readers_as_if_each_had_the_library_to_itself() -> None:
    rng = random.Random(7)
    items = library()
    readers = [random_reader(rng, items) for _ in range(30)]
    prefs = [DigestPrefs(size=rng.randint(1, 20), quotes=rng.randint(0, 4)) for _ in readers]
    index = SelectionIndex.build(items, NOW)

    # Twice over, interleaved: nothing one reader's draw takes may leak into another's.
    for _round in range(2):
        for seed, (past, wanted) in enumerate(zip(readers, prefs, strict=True)):
            alone = compose_digest(items, past, wanted, NOW, seed)
            assert compose_indexed(index, past, wanted, seed) == alone


def test_the_index_keeps_the_policy_and_the_time_it_was_built_for() -> None:
    policy = SelectionPolicy(repeat_gap=2 * DAY, exploration=0.0)
    items = library()
    index = SelectionIndex.build(items, NOW, policy)

    assert index.now == NOW
    for seed in range(5):
        assert compose_indexed(index, history(), DigestPrefs(size=8), seed) == compose_digest(
            items, history(), DigestPrefs(size=8), NOW, seed, policy
        )


def test_history_of_items_outside_the_library_is_ignored() -> None:
    items = library()[:10]
    past = {500: ItemHistory(500, Answer.READ, NOW, 1, NOW)}
    index = SelectionIndex.build(items, NOW)

    assert compose_indexed(index, past, DigestPrefs(), 3) == compose_indexed(
        index, {}, DigestPrefs(), 3
    )


def test_an_index_of_an_empty_library_composes_empty_digests() -> None:
    index = SelectionIndex.build([], NOW)

    assert compose_indexed(index, history(), DigestPrefs(), 1).items == ()
