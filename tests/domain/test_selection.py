"""Digest selection: the rules of compose_digest, on small libraries and over simulated weeks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import random
from collections import Counter
from collections.abc import Iterable, Sequence

import pytest

from bot.digests.selection import DigestPrefs, DrawnItems, SelectionPolicy, compose_digest
from bot.library.items import Answer, ItemHistory, ItemKind, LibraryItem

NOW = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
LONG_AGO = NOW - 400 * DAY
# Answers this recent still count nearly in full (an answer's weight halves every eight days).
LATELY = NOW - 2 * DAY
SEEDS = range(40)


def item(
    item_id: int,
    kind: ItemKind = ItemKind.PAPER,
    *,
    topic: str = "",
    source: str = "notes",
    title: str = "",
    **fields: object,
) -> LibraryItem:
    title = title or f"{kind.value} {item_id}"
    return LibraryItem(item_id, kind, title, topic=topic, source=source, **fields)  # type: ignore[arg-type]


def quotes(ids: Iterable[int], **fields: object) -> list[LibraryItem]:
    return [item(i, ItemKind.QUOTE, **fields) for i in ids]


def papers(ids: Iterable[int], **fields: object) -> list[LibraryItem]:
    return [item(i, ItemKind.PAPER, **fields) for i in ids]


def articles(ids: Iterable[int], published: dt.datetime, **fields: object) -> list[LibraryItem]:
    return [item(i, ItemKind.ARTICLE, published_at=published, **fields) for i in ids]


def answered(item_id: int, answer: Answer, at: dt.datetime, times_shown: int = 1) -> ItemHistory:
    return ItemHistory(item_id, answer, answered_at=at, times_shown=times_shown, last_shown_at=at)


def shown(item_id: int, at: dt.datetime, times_shown: int = 1) -> ItemHistory:
    return ItemHistory(item_id, times_shown=times_shown, last_shown_at=at)


def history_of(*entries: ItemHistory) -> dict[int, ItemHistory]:
    return {entry.item_id: entry for entry in entries}


def compose(
    library: Sequence[LibraryItem],
    history: dict[int, ItemHistory] | None = None,
    prefs: DigestPrefs | None = None,
    *,
    now: dt.datetime = NOW,
    seed: int = 0,
    policy: SelectionPolicy | None = None,
) -> DrawnItems:
    extra = {} if policy is None else {"policy": policy}
    return compose_digest(library, history or {}, prefs or DigestPrefs(), now, seed, **extra)


def ids(digest: DrawnItems) -> list[int]:
    return [chosen.id for chosen in digest.items]


def kinds(digest: DrawnItems) -> Counter[ItemKind]:
    return Counter(chosen.kind for chosen in digest.items)


# --- size and kinds ---------------------------------------------------------------------------


MIXED = quotes(range(1, 6)) + papers(range(10, 20)) + articles(range(20, 30), LONG_AGO)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_default_digest_is_one_quote_then_four_papers_or_articles(seed: int) -> None:
    digest = compose(MIXED, seed=seed)

    assert len(digest.items) == 5
    assert digest.items[0].kind is ItemKind.QUOTE
    assert kinds(digest)[ItemKind.QUOTE] == 1


def test_size_and_quote_count_come_from_the_prefs() -> None:
    digest = compose(MIXED, prefs=DigestPrefs(size=3, quotes=2))

    assert kinds(digest)[ItemKind.QUOTE] == 2
    assert len(digest.items) == 3


def test_more_quotes_than_the_size_makes_an_all_quote_digest() -> None:
    assert kinds(compose(MIXED, prefs=DigestPrefs(size=4, quotes=9))) == {ItemKind.QUOTE: 4}


def test_a_library_without_quotes_still_fills_the_digest() -> None:
    digest = compose(papers(range(10)))

    assert kinds(digest) == {ItemKind.PAPER: 5}


def test_too_few_papers_and_articles_are_made_up_with_quotes() -> None:
    digest = compose(quotes(range(10)) + papers([50, 51]))

    assert kinds(digest) == {ItemKind.QUOTE: 3, ItemKind.PAPER: 2}


def test_a_library_smaller_than_the_digest_gives_each_item_once() -> None:
    library = quotes([1]) + papers([2, 3])

    assert sorted(ids(compose(library))) == [1, 2, 3]


def test_an_item_listed_twice_among_the_candidates_is_chosen_once() -> None:
    library = papers([1, 2]) + papers([1, 2])

    assert sorted(ids(compose(library))) == [1, 2]


@pytest.mark.parametrize(("size", "quotes_"), [(0, 0), (21, 1), (5, -1)])
def test_prefs_refuse_sizes_outside_one_to_twenty(size: int, quotes_: int) -> None:
    with pytest.raises(ValueError, match=r"digest|quotes"):
        DigestPrefs(size=size, quotes=quotes_)


# --- fresh first, then shown-but-unanswered ---------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_never_shown_items_come_before_items_shown_but_never_answered(seed: int) -> None:
    fresh = papers(range(1, 5))
    ignored = papers(range(100, 110))
    history = history_of(*(shown(p.id, NOW - 3 * DAY) for p in ignored))

    digest = compose(fresh + ignored, history, DigestPrefs(size=5, quotes=0), seed=seed)

    assert set(ids(digest)[:4]) == {1, 2, 3, 4}
    assert ids(digest)[4] >= 100


def test_a_history_entry_that_was_never_shown_counts_as_fresh() -> None:
    library = papers([1, 2])
    history = history_of(ItemHistory(1), shown(2, NOW - 5 * DAY))

    assert ids(compose(library, history, DigestPrefs(size=1, quotes=0))) == [1]


# --- skipped items rest -----------------------------------------------------------------------


SKIPS = [Answer.SKIPPED, Answer.LESS]  # "not now" and "less like this" rest alike


@pytest.mark.parametrize("skip", SKIPS)
def test_a_skipped_item_stays_away_for_fourteen_days_even_from_a_short_digest(
    skip: Answer,
) -> None:
    library = papers([1, 2])
    history = history_of(answered(1, skip, NOW - 13 * DAY))

    assert ids(compose(library, history)) == [2]


@pytest.mark.parametrize("skip", SKIPS)
def test_a_skipped_item_may_return_once_it_has_rested(skip: Answer) -> None:
    library = papers([1, 2])
    history = history_of(answered(1, skip, NOW - 15 * DAY))

    assert sorted(ids(compose(library, history))) == [1, 2]


@pytest.mark.parametrize("skip", SKIPS)
def test_a_skipped_quote_rests_like_any_item(skip: Answer) -> None:
    library = quotes([1, 2])
    history = history_of(answered(1, skip, NOW - 13 * DAY))

    assert ids(compose(library, history, DigestPrefs(size=2, quotes=2))) == [2]


@pytest.mark.parametrize(("seed", "skip"), list(itertools.product(SEEDS, SKIPS)))
def test_rested_skipped_items_come_after_fresh_and_unanswered_ones(seed: int, skip: Answer) -> None:
    rested = papers(range(100, 120))
    library = [*papers([1, 2]), *papers([3]), *rested]
    history = history_of(shown(3, NOW - 5 * DAY), *(answered(p.id, skip, LONG_AGO) for p in rested))

    digest = compose(library, history, DigestPrefs(size=4, quotes=0), seed=seed)

    assert ids(digest)[:3] in ([1, 2, 3], [2, 1, 3])
    assert ids(digest)[3] >= 100


def test_the_skip_rest_is_a_policy_setting() -> None:
    library = papers([1])
    history = history_of(answered(1, Answer.SKIPPED, NOW - 3 * DAY))
    policy = SelectionPolicy(skip_rest=2 * DAY)

    assert ids(compose(library, history, policy=policy)) == [1]


# --- read items -------------------------------------------------------------------------------


def test_read_papers_and_articles_never_return() -> None:
    library = papers([1]) + articles([2], LONG_AGO)
    history = history_of(
        answered(1, Answer.READ, LONG_AGO), answered(2, Answer.READ, LONG_AGO - 900 * DAY)
    )

    assert ids(compose(library, history)) == []


@pytest.mark.parametrize(
    ("times_shown", "days_ago", "returns"),
    [
        (1, 6, False),
        (1, 8, True),
        (2, 8, False),
        (2, 15, True),
        (3, 27, False),
        (3, 29, True),
        (20, 364, False),
        (20, 366, True),
    ],
)
def test_a_read_quote_returns_on_an_interval_that_grows_with_each_showing(
    times_shown: int, days_ago: int, returns: bool
) -> None:
    history = history_of(answered(1, Answer.READ, NOW - days_ago * DAY, times_shown))

    assert ids(compose(quotes([1]), history)) == ([1] if returns else [])


def test_a_read_quote_counts_its_interval_from_its_last_showing() -> None:
    # Read 30 days ago and resurfaced 10 days ago without a new answer: 14 days from then.
    history = history_of(
        ItemHistory(1, Answer.READ, NOW - 30 * DAY, times_shown=2, last_shown_at=NOW - 10 * DAY)
    )

    assert ids(compose(quotes([1]), history)) == []


@pytest.mark.parametrize("seed", SEEDS)
def test_due_read_quotes_come_after_fresh_quotes_and_before_rested_skipped_ones(seed: int) -> None:
    library = quotes(range(1, 4))
    history = history_of(
        answered(2, Answer.READ, NOW - 30 * DAY), answered(3, Answer.SKIPPED, NOW - 30 * DAY)
    )

    digest = compose(library, history, DigestPrefs(size=3, quotes=3), seed=seed)

    assert ids(digest) == [1, 2, 3]


# --- not two days running ---------------------------------------------------------------------


def test_items_shown_within_thirty_six_hours_wait_while_others_are_left() -> None:
    library = papers([1, 2])
    history = history_of(shown(1, NOW - 30 * dt.timedelta(hours=1)))

    assert ids(compose(library, history, DigestPrefs(size=1, quotes=0))) == [2]


def test_recently_shown_items_fill_a_digest_only_when_nothing_else_is_left() -> None:
    library = papers([1, 2, 3])
    history = history_of(shown(1, NOW - DAY), shown(2, NOW - DAY))

    digest = compose(library, history, DigestPrefs(size=2, quotes=0))

    assert ids(digest)[0] == 3
    assert ids(digest)[1] in (1, 2)


def test_without_refill_a_digest_stays_short_rather_than_repeat_yesterday() -> None:
    library = papers([1, 2])
    history = history_of(shown(1, NOW - DAY))

    digest = compose(library, history, policy=SelectionPolicy(refill_with_recent=False))

    assert ids(digest) == [2]


def test_the_refill_never_brings_back_what_the_rules_keep_out() -> None:
    library = papers([1, 2]) + quotes([3])
    history = history_of(
        answered(1, Answer.READ, NOW - DAY),
        answered(2, Answer.SKIPPED, NOW - DAY),
        answered(3, Answer.READ, NOW - DAY),
    )

    assert ids(compose(library, history)) == []


# --- news first -------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_recent_articles_come_before_older_ones(seed: int) -> None:
    old = articles(range(1, 11), NOW - 100 * DAY)
    added_lately = item(50, ItemKind.ARTICLE, added_at=NOW - 3 * DAY)
    published_lately = articles([60], NOW - 13 * DAY, added_at=LONG_AGO)

    digest = compose(
        [*old, added_lately, *published_lately], prefs=DigestPrefs(size=4, quotes=0), seed=seed
    )

    assert sorted(ids(digest)[:2]) == [50, 60]


def test_an_article_published_long_ago_is_not_news_however_lately_it_was_added() -> None:
    library = articles([1], NOW - 100 * DAY, added_at=NOW - DAY) + articles([2], NOW - DAY)
    prefs = DigestPrefs(size=1, quotes=0)

    assert {ids(compose(library, prefs=prefs, seed=s))[0] for s in SEEDS} == {2}


def test_news_takes_at_most_half_the_reading_slots_so_papers_still_appear() -> None:
    library = articles(range(1, 41), NOW - DAY) + papers(range(100, 140))
    digests = [compose(library, prefs=DigestPrefs(size=5, quotes=0), seed=s) for s in SEEDS]

    assert all(kinds(d)[ItemKind.ARTICLE] >= 3 for d in digests)
    assert sum(kinds(d)[ItemKind.PAPER] > 0 for d in digests) > len(SEEDS) / 2


# --- taste ------------------------------------------------------------------------------------


def taste_library() -> tuple[list[LibraryItem], dict[int, ItemHistory]]:
    """60 fresh papers per topic, and a history that read 20 "rl" papers and answered "less like
    this" to 20 "nlp" ones."""
    library: list[LibraryItem] = []
    history: dict[int, ItemHistory] = {}
    for offset, topic in enumerate(("rl", "nlp", "vision")):
        library += papers(range(offset * 1000, offset * 1000 + 80), topic=topic)
    library = [p for p in library if p.topic != "vision" or p.id % 1000 >= 20]
    for i in range(20):
        history[i] = answered(i, Answer.READ, LATELY)
        history[1000 + i] = answered(1000 + i, Answer.LESS, LATELY)
    return library, history


def topic_counts(library: list[LibraryItem], history: dict[int, ItemHistory]) -> Counter[str]:
    prefs = DigestPrefs(size=5, quotes=0)
    return Counter(
        chosen.topic
        for s in range(200)
        for chosen in compose(library, history, prefs, seed=s).items
    )


def test_reading_a_topic_draws_more_of_it_and_skipping_one_draws_less() -> None:
    counts = topic_counts(*taste_library())

    assert counts["rl"] > 3 * max(counts["vision"], counts["nlp"])
    # Exploring draws (a tenth of them, uniform) keep an unknown and a refused topic in view.
    assert counts["vision"] > 20 and counts["nlp"] > 20


def test_without_history_topics_are_drawn_alike() -> None:
    library, _ = taste_library()
    counts = topic_counts([p for p in library if p.id % 1000 >= 20], {})

    assert max(counts.values()) < 1.3 * min(counts.values())


def test_a_topic_skipped_again_and_again_still_appears_now_and_then() -> None:
    library, history = taste_library()
    for i in range(20, 40):
        history[1000 + i] = answered(1000 + i, Answer.LESS, LATELY)

    assert topic_counts(library, history)["nlp"] >= 20


def test_without_exploration_a_much_skipped_topic_fades_further() -> None:
    library, history = taste_library()
    policy = SelectionPolicy(exploration=0.0)
    prefs = DigestPrefs(size=5, quotes=0)
    greedy = Counter(
        c.topic
        for s in range(200)
        for c in compose(library, history, prefs, seed=s, policy=policy).items
    )

    assert greedy["nlp"] < topic_counts(library, history)["nlp"]


def test_reading_a_source_draws_more_of_it() -> None:
    library = papers(range(0, 40), source="kept") + papers(range(100, 140), source="dropped")
    library += papers(range(200, 220), source="kept") + papers(range(300, 320), source="dropped")
    history = {i: answered(i, Answer.READ, LATELY) for i in range(200, 220)}
    history |= {i: answered(i, Answer.LESS, LATELY) for i in range(300, 320)}
    prefs = DigestPrefs(size=4, quotes=0)

    counts = Counter(
        c.source for s in range(200) for c in compose(library, history, prefs, seed=s).items
    )

    assert counts["kept"] > 3 * counts["dropped"] > 0


def test_items_without_a_topic_do_not_share_one_taste() -> None:
    # Skipping some untopical papers says nothing about other untopical ones.
    library = papers(range(40)) + papers(range(100, 120), topic="graphs")
    history = {i: answered(i, Answer.LESS, LATELY) for i in range(20)}
    prefs = DigestPrefs(size=4, quotes=0)

    counts = Counter(
        c.topic for s in range(200) for c in compose(library, history, prefs, seed=s).items
    )

    assert counts[""] > 0.75 * counts["graphs"]


# --- muted words ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "muted",
    [
        item(1, title="Why CRYPTO will eat AI"),
        item(1, text="a long note on crypto tokens"),
        item(1, ItemKind.QUOTE, author="Crypto Bro"),
        item(1, topic="区块链与crypto"),
    ],
)
def test_muted_words_keep_items_out_even_from_a_short_digest(muted: LibraryItem) -> None:
    library = [muted, *papers([2])]
    prefs = DigestPrefs(muted_words=("Crypto",))

    assert ids(compose(library, prefs=prefs)) == [2]


def test_muted_chinese_words_match_inside_chinese_text() -> None:
    library = [item(1, title="区块链的未来"), item(2, title="强化学习")]

    assert ids(compose(library, prefs=DigestPrefs(muted_words=("区块链",)))) == [2]


def test_a_blank_muted_word_mutes_nothing() -> None:
    assert len(compose(papers(range(5)), prefs=DigestPrefs(muted_words=("", " "))).items) == 5


# --- determinism ------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_digest_whatever_the_candidates_order() -> None:
    library, history = taste_library()
    library += MIXED
    shuffled = library[:]
    random.Random(7).shuffle(shuffled)

    for seed in range(10):
        assert compose(library, history, seed=seed) == compose(shuffled, history, seed=seed)


def test_other_seeds_give_other_digests_when_there_is_choice() -> None:
    digests = {tuple(ids(compose(MIXED, seed=s))) for s in range(20)}

    assert len(digests) >= 18


def test_without_choice_every_seed_gives_the_same_items() -> None:
    library = quotes([1]) + papers(range(2, 6))

    assert {frozenset(ids(compose(library, seed=s))) for s in range(10)} == {frozenset(range(1, 6))}


# --- simulated weeks --------------------------------------------------------------------------


@dataclasses.dataclass
class Reader:
    """A reader answering every item of a digest, and what they saw on which day."""

    library: list[LibraryItem]
    prefs: DigestPrefs
    loves: str = "A"
    seed: int = 0
    history: dict[int, ItemHistory] = dataclasses.field(default_factory=dict)
    days: list[DrawnItems] = dataclasses.field(default_factory=list)

    def live(self, days: int) -> Reader:
        for day in range(1, days + 1):
            now = NOW + day * DAY
            digest = compose(self.library, self.history, self.prefs, now=now, seed=self.seed + day)
            self.days.append(digest)
            for chosen in digest.items:
                self.answer(chosen, now)
        return self

    def answer(self, chosen: LibraryItem, now: dt.datetime) -> None:
        past = self.history.get(chosen.id, ItemHistory(chosen.id))
        answer = Answer.READ if chosen.topic == self.loves else Answer.LESS
        self.history[chosen.id] = ItemHistory(
            chosen.id, answer, now, past.times_shown + 1, last_shown_at=now
        )

    def showings(self) -> dict[int, list[int]]:
        """The days (1-based) each item was shown on."""
        days: dict[int, list[int]] = {}
        for day, digest in enumerate(self.days, start=1):
            for chosen in digest.items:
                days.setdefault(chosen.id, []).append(day)
        return days


TOPICS = ("A", "B", "C", "D")


def big_library() -> list[LibraryItem]:
    """400 papers, 20 articles and 15 quotes per topic, and a few muted items."""
    library: list[LibraryItem] = []
    for n, topic in enumerate(TOPICS):
        base = n * 1000
        library += papers(range(base, base + 400), topic=topic, source=f"notes-{n % 2}")
        library += articles(range(base + 400, base + 420), LONG_AGO, topic=topic, source="feed")
        library += quotes(range(base + 500, base + 515), topic=topic)
    library += papers(range(9000, 9010), topic="A", title="Blockchain meets RL")
    return library


@pytest.fixture(scope="module", params=["A", "C"])
def sixty_days(request: pytest.FixtureRequest) -> Reader:
    """A reader who reads everything of one topic and skips the rest, for sixty days."""
    prefs = DigestPrefs(size=5, quotes=1, muted_words=("blockchain",))
    return Reader(big_library(), prefs, loves=request.param).live(60)


def test_sixty_days_never_repeat_an_item_within_a_digest_or_on_the_next_day(
    sixty_days: Reader,
) -> None:
    for today, tomorrow in itertools.pairwise(sixty_days.days):
        assert len(set(ids(today))) == len(today.items) == 5
        assert not set(ids(today)) & set(ids(tomorrow))


def test_sixty_days_never_show_a_muted_item(sixty_days: Reader) -> None:
    assert not any(i >= 9000 for digest in sixty_days.days for i in ids(digest))


def test_sixty_days_never_bring_back_a_read_paper_or_article(sixty_days: Reader) -> None:
    reading = {i.id for i in sixty_days.library if i.kind is not ItemKind.QUOTE}
    repeated = {i for i, days in sixty_days.showings().items() if len(days) > 1}

    assert not repeated & reading


def test_sixty_days_shift_towards_the_read_topic_without_starving_the_others(
    sixty_days: Reader,
) -> None:
    loved = sixty_days.loves

    def share(days: Sequence[DrawnItems]) -> float:
        topics = [c.topic for d in days for c in d.items]
        return topics.count(loved) / len(topics)

    library_share = sum(i.topic == loved for i in sixty_days.library) / len(sixty_days.library)
    first_days, later = sixty_days.days[:3], sixty_days.days[7:]

    assert share(later) > 2 * library_share
    assert share(later) > share(first_days)
    # Exploring draws keep every refused topic in view: none goes three weeks unseen.
    for start in range(7, 40, 7):
        weeks = sixty_days.days[start : start + 21]
        assert {c.topic for d in weeks for c in d.items} == set(TOPICS)


def test_sixty_days_are_the_same_for_the_same_seed_and_differ_for_another() -> None:
    prefs = DigestPrefs()
    library = big_library()[:300] + big_library()[1000:1300]

    first = Reader(library, prefs, seed=1).live(15).days
    again = Reader(library, prefs, seed=1).live(15).days
    other = Reader(library, prefs, seed=2).live(15).days

    assert first == again
    assert sum(a != b for a, b in zip(first, other, strict=True)) >= 12


@pytest.fixture(scope="module")
def small_library_days() -> Reader:
    """3 quotes and 12 papers: the reader reads quotes (topic A), skips every paper."""
    library = quotes(range(1, 4), topic="A") + papers(range(10, 22), topic="B")
    return Reader(library, DigestPrefs(size=3, quotes=1)).live(60)


def test_skipped_items_rest_fourteen_days_then_come_back(small_library_days: Reader) -> None:
    paper_days = {i: days for i, days in small_library_days.showings().items() if i >= 10}
    gaps = [
        later - earlier
        for days in paper_days.values()
        for earlier, later in itertools.pairwise(days)
    ]

    assert gaps, "skipped papers never came back"
    assert min(gaps) >= 14


def test_a_read_quote_comes_back_with_growing_gaps(small_library_days: Reader) -> None:
    policy = SelectionPolicy()
    for quote_id in (1, 2, 3):
        days = small_library_days.showings()[quote_id]
        gaps = [later - earlier for earlier, later in itertools.pairwise(days)]

        assert len(gaps) >= 3, f"quote {quote_id} came back only {len(gaps)} times"
        assert gaps == sorted(set(gaps)), f"quote {quote_id} gaps {gaps} do not grow"
        for shown_times, gap in enumerate(gaps, start=1):
            assert gap * DAY >= policy.quote_interval(shown_times)
