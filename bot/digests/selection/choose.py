"""The public entry of selection: one reader's items drawn from the library, or from an index
of it built once for a sweep."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.digests.selection.index import SelectionIndex
from bot.digests.selection.policy import DEFAULT_POLICY, DigestPrefs, SelectionPolicy
from bot.digests.selection.pools import Pick, Pool, muted_words
from bot.digests.selection.reader import Reader
from bot.digests.selection.reasons import Reason, reason_of
from bot.digests.selection.tiers import MAIN_TIERS, Tier
from bot.library.items import ItemHistory, LibraryItem


@dataclass(frozen=True, slots=True)
class DrawnItems:
    """The items drawn for one reader, in display order (quotes first, then reading), and
    why each was drawn (same order)."""

    items: tuple[LibraryItem, ...]
    reasons: tuple[Reason, ...] = ()


def _fill(
    quotes: Pool,
    reading: Pool,
    wanted: tuple[int, int],
    rng: random.Random,
    policy: SelectionPolicy,
) -> tuple[list[Pick], list[Pick]]:
    """Draw ``wanted`` (quotes, reading); a kind that runs short is made up by the other."""
    want_quotes, want_reading = wanted
    quote_picks = quotes.draw(want_quotes, rng, policy)
    reading_picks = reading.draw(want_reading + want_quotes - len(quote_picks), rng, policy)
    short = want_quotes + want_reading - len(quote_picks) - len(reading_picks)
    if short > 0:
        quote_picks += quotes.draw(short, rng, policy)
    return quote_picks, reading_picks


def _refill(
    picks: tuple[list[Pick], list[Pick]],
    reader: Reader,
    prefs: DigestPrefs,
    rng: random.Random,
) -> None:
    """Make up a short digest from recently shown items, as a last resort (in place)."""
    policy = reader.index.policy
    quote_picks, reading_picks = picks
    short = prefs.size - len(quote_picks) - len(reading_picks)
    if not policy.refill_with_recent or short <= 0:
        return
    recent = (Tier.RECENTLY_SHOWN,)
    more_quotes = max(min(prefs.quotes, prefs.size) - len(quote_picks), 0)
    more = _fill(
        Pool(reader, True, recent),
        Pool(reader, False, recent),
        (more_quotes, short - more_quotes),
        rng,
        policy,
    )
    quote_picks += more[0]
    reading_picks += more[1]


def compose_indexed(
    index: SelectionIndex,
    history: Mapping[int, ItemHistory],
    prefs: DigestPrefs,
    seed: int,
) -> DrawnItems:
    """Choose today's items for one reader from a prepared library.

    The same digest as ``compose_digest(candidates, history, prefs, index.now, seed,
    index.policy)`` for the candidates the index was built from, at the cost of the reader's
    history and a few draws instead of a pass over the library. The index is not changed, so
    one serves every reader of a sweep.
    """
    policy = index.policy
    reader = Reader.of(
        index,
        history,
        muted_words(prefs),
        seed_from_notes=prefs.seed_from_notes,
        levels=prefs.source_levels,
    )
    rng = random.Random(seed)
    want_quotes = min(prefs.quotes, prefs.size)
    want_reading = prefs.size - want_quotes
    quotes = Pool(reader, True, MAIN_TIERS)
    reading = Pool(reader, False, MAIN_TIERS)
    reading.news_left = math.ceil(policy.recent_article_share * want_reading)
    picks = _fill(quotes, reading, (want_quotes, want_reading), rng, policy)
    _refill(picks, reader, prefs, rng)
    chosen = picks[0] + picks[1]
    return DrawnItems(
        items=tuple(pick.item for pick in chosen),
        reasons=tuple(reason_of(pick, reader) for pick in chosen),
    )


def compose_digest(
    candidates: Sequence[LibraryItem],
    history: Mapping[int, ItemHistory],
    prefs: DigestPrefs,
    now: dt.datetime,
    seed: int,
    policy: SelectionPolicy = DEFAULT_POLICY,
) -> DrawnItems:
    """Choose today's items for one reader.

    ``candidates`` is the reader's library, answered items included (their topics and sources
    teach the weights; the rules keep them out where they must stay out). ``history`` maps item
    ids to this reader's past with them; missing means never shown. ``now`` and every datetime
    in the items and history must be alike (all aware, or all naive UTC). ``seed`` makes the
    draw repeatable: pass one that differs per chat and day. Composing for many readers at one
    ``now``: build a :class:`SelectionIndex` once and call :func:`compose_indexed` per reader.
    """
    index = SelectionIndex.build(candidates, now, policy, history_ids=history.keys())
    return compose_indexed(index, history, prefs, seed)
