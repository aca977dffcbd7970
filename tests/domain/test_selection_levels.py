"""A reader's level per source (more, normal, less, never) and a digest restricted to some
items (a theme): selection's rules, over many seeded draws."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import pytest

from bot.digests.selection import DigestPrefs, DrawnItems, SelectionIndex, compose_indexed
from bot.digests.selection.policy import SelectionPolicy
from bot.digests.selection.reasons import Why
from bot.library.items import Answer, ItemHistory, ItemKind, LibraryItem, SourceLevel

NOW = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
SEEDS = range(200)
# Source ids: two notes files and a feed that shares the first file's name.
NOTES, BLOG, SAME_NAME = 1, 2, 3


def item(
    item_id: int, source_id: int, kind: ItemKind = ItemKind.PAPER, **fields: object
) -> LibraryItem:
    name = {NOTES: "notes.md", BLOG: "The Blog", SAME_NAME: "notes.md"}[source_id]
    return LibraryItem(
        item_id,
        kind,
        f"{kind.value} {item_id}",
        source=name,
        source_id=source_id,
        **fields,  # type: ignore[arg-type]
    )


def library(per_source: int = 30, sources: Iterable[int] = (NOTES, BLOG)) -> list[LibraryItem]:
    """Papers and quotes from each source, alike but for their source."""
    items: list[LibraryItem] = []
    for n, source_id in enumerate(sources):
        base = 1000 * (n + 1)
        items += [item(base + i, source_id) for i in range(per_source)]
        items += [item(base + 500 + i, source_id, ItemKind.QUOTE) for i in range(per_source // 3)]
    return items


def compose(
    items: Sequence[LibraryItem],
    seed: int,
    levels: Mapping[int, SourceLevel] | None = None,
    *,
    history: Mapping[int, ItemHistory] | None = None,
    policy: SelectionPolicy | None = None,
    drawable: Iterable[int] | None = None,
    size: int = 5,
) -> DrawnItems:
    index = SelectionIndex.build(
        items,
        NOW,
        policy or SelectionPolicy(),
        drawable=None if drawable is None else frozenset(drawable),
    )
    prefs = DigestPrefs(size=size, source_levels=dict(levels or {}))
    return compose_indexed(index, history or {}, prefs, seed)


def share_of(source_id: int, levels: Mapping[int, SourceLevel], **options: object) -> float:
    items = library()
    drawn = [i for seed in SEEDS for i in compose(items, seed, levels, **options).items]  # type: ignore[arg-type]
    return sum(i.source_id == source_id for i in drawn) / len(drawn)


def test_more_raises_a_sources_share_and_less_lowers_it() -> None:
    normal = share_of(BLOG, {})
    more = share_of(BLOG, {BLOG: SourceLevel.MORE})
    less = share_of(BLOG, {BLOG: SourceLevel.LESS})
    assert 0.4 < normal < 0.6  # alike sources come alike
    # ×2 against ×1: two thirds of the draws rather than a half (exploration blurs it a little).
    assert more > 0.6, more
    assert less < 0.38, less


def test_a_level_set_to_normal_changes_nothing() -> None:
    items = library()
    for seed in range(20):
        assert compose(items, seed, {BLOG: SourceLevel.NORMAL}) == compose(items, seed)


def test_more_weighs_on_top_of_what_the_reader_taught() -> None:
    # The reader read papers of the notes file: it leads; "more" for the blog brings it back up.
    items = library()
    history = {
        i.id: ItemHistory(i.id, Answer.READ, NOW - DAY, 1, NOW - DAY)
        for i in items[:10]  # notes papers
    }
    taught = share_of(BLOG, {}, history=history)
    more = share_of(BLOG, {BLOG: SourceLevel.MORE}, history=history)
    assert more > taught + 0.1, (taught, more)


@pytest.mark.parametrize("exploration", [0.1, 1.0])
def test_never_keeps_a_source_out_of_every_digest_even_exploring_and_quotes(
    exploration: float,
) -> None:
    items = library()
    policy = SelectionPolicy(exploration=exploration)
    for seed in SEEDS:
        drawn = compose(items, seed, {BLOG: SourceLevel.NEVER}, policy=policy)
        assert len(drawn.items) == 5
        assert {i.source_id for i in drawn.items} == {NOTES}
        assert any(i.kind is ItemKind.QUOTE for i in drawn.items)  # the quote comes from notes


def test_never_keeps_a_source_out_of_a_short_digest_and_of_items_shown_before() -> None:
    items = library(per_source=3)
    # Everything was shown yesterday, some answered long ago: refills and rested items alike.
    history = {
        i.id: ItemHistory(i.id, Answer.SKIPPED if i.id % 2 else None, NOW - 60 * DAY, 1, NOW - DAY)
        for i in items
    }
    for seed in range(50):
        drawn = compose(items, seed, {BLOG: SourceLevel.NEVER}, history=history, size=10)
        assert drawn.items and {i.source_id for i in drawn.items} == {NOTES}


def test_levels_go_by_the_sources_id_not_its_name() -> None:
    items = library(sources=(NOTES, SAME_NAME))
    for seed in range(50):
        drawn = compose(items, seed, {SAME_NAME: SourceLevel.NEVER})
        assert {i.source_id for i in drawn.items} == {NOTES}
        assert {i.source for i in drawn.items} == {"notes.md"}


def test_a_reader_setting_every_source_to_never_gets_nothing() -> None:
    drawn = compose(library(), 1, {NOTES: SourceLevel.NEVER, BLOG: SourceLevel.NEVER})
    assert drawn.items == ()


def test_the_levels_weigh_no_source_at_zero_but_never() -> None:
    with pytest.raises(ValueError):
        SelectionPolicy(source_less=0.0)


# --- a theme: only some items may be drawn


def test_a_theme_draws_only_its_items_and_sends_what_there_is() -> None:
    items = library()
    theme = {1003, 1007, 2005}
    for seed in range(30):
        drawn = compose(items, seed, drawable=theme)
        assert {i.id for i in drawn.items} == theme  # fewer than the size: all of them


def test_a_theme_keeps_the_rules_rests_and_levels() -> None:
    items = library()
    theme = {1003, 1007, 2005, 2006}
    history = {1003: ItemHistory(1003, Answer.READ, NOW - DAY, 1, NOW - DAY)}  # read: done
    drawn = compose(items, 1, {BLOG: SourceLevel.NEVER}, history=history, drawable=theme)
    assert [i.id for i in drawn.items] == [1007]


def test_answers_outside_the_theme_still_teach_taste_within_it() -> None:
    gan = [
        dataclasses.replace(i, title=f"GAN study {i.id}")
        for i in library(per_source=12, sources=(NOTES,))
        if i.kind is ItemKind.PAPER
    ]
    refused = [dataclasses.replace(item(6000 + n, BLOG), title=f"crypto {n}") for n in range(10)]
    others = [item(5000 + n, BLOG) for n in range(40)]
    read, themed = gan[:-2], gan[-2:]
    history = {i.id: ItemHistory(i.id, Answer.READ, NOW - DAY, 1, NOW - DAY) for i in read}
    history |= {i.id: ItemHistory(i.id, Answer.LESS, NOW - DAY, 1, NOW - DAY) for i in refused}
    theme = {*(i.id for i in themed), *(i.id for i in others)}
    drawn = compose([*gan, *refused, *others], 3, history=history, drawable=theme, size=20)
    reasons = dict(zip((i.id for i in drawn.items), drawn.reasons, strict=True))
    assert set(reasons) <= theme
    assert {i.id for i in themed} <= set(reasons)  # liked: both come
    liked = {item_id for item_id, reason in reasons.items() if reason.why is Why.LIKE}
    assert liked and liked <= {i.id for i in themed}, reasons
