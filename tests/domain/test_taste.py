"""Content taste: what answers teach, how it fades, and why each item was picked."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np

from bot.digests.selection import DigestPrefs, SelectionIndex, SelectionPolicy
from bot.digests.selection.features import FeatureNumbers, features
from bot.digests.selection.reader import Reader
from bot.digests.selection.reasons import Why
from bot.digests.selection.taste import Evidence, Taste, learn
from bot.digests.why import why_line
from bot.i18n import translator
from bot.library.items import Answer, ItemKind, LibraryItem
from bot.library.tokens import search_tokens
from tests.domain.test_selection import (
    DAY,
    NOW,
    answered,
    articles,
    compose,
    papers,
    quotes,
)

POLICY = SelectionPolicy()


def titled(first: int, count: int, words: str, **fields: object) -> list[LibraryItem]:
    return [
        LibraryItem(n, ItemKind.PAPER, f"{words} study {n}", **fields)  # type: ignore[arg-type]
        for n in range(first, first + count)
    ]


def reader_of(library: list[LibraryItem], history: dict, **prefs: object) -> Reader:
    index = SelectionIndex.build(library, NOW)
    return Reader.of(index, history, (), **prefs)  # type: ignore[arg-type]


def mixed_library() -> list[LibraryItem]:
    """Papers about diffusion models and about compilers, in one section and one source."""
    return titled(0, 40, "Diffusion models") + titled(100, 40, "Compiler passes")


def test_reads_lift_the_words_of_what_was_read_and_less_like_this_lowers_them() -> None:
    history = {n: answered(n, Answer.READ, NOW - DAY) for n in range(5)}
    history |= {n: answered(n, Answer.LESS, NOW - DAY) for n in range(100, 105)}

    reader = reader_of(mixed_library(), history)
    weight = weighing(reader.taste, reader.index.numbering)

    assert weight("diffusion") > 0.3
    assert weight("compiler") < -0.3
    assert weight("study") == 0.0  # in everything answered: says nothing


def weighing(taste: Taste, numbering: FeatureNumbers) -> Callable[[str], float]:
    """The taste's weight of a feature by name."""
    return lambda name: taste.weight(numbering.number(name))


def evidence(numbering: FeatureNumbers, words: tuple[str, ...], age: float, read: bool) -> Evidence:
    return Evidence(np.array([numbering.number(word) for word in words]), age, read)


def test_not_now_teaches_nothing() -> None:
    history = {n: answered(n, Answer.SKIPPED, NOW - DAY) for n in range(100, 110)}

    assert not reader_of(mixed_library(), history).taste


def test_an_item_without_stored_tokens_is_known_by_its_own_words() -> None:
    title = "Diffusion models"
    stored = LibraryItem(1, ItemKind.PAPER, title, terms=search_tokens(title))
    blank = LibraryItem(2, ItemKind.PAPER, title, terms="  ")  # blanks as the store joins them

    assert features(blank) == features(stored) == ("diffusion", "model")


def test_an_answer_fades_back_toward_neutral() -> None:
    def weight(age_days: float) -> float:
        words = FeatureNumbers()
        read = evidence(words, ("diffusion", "study"), age_days, True)
        less = evidence(words, ("compiler", "study"), age_days, False)
        return weighing(learn([read, less], POLICY, words), words)("diffusion")

    assert weight(0) > 2 * weight(16) > 0
    assert weight(200) == 0.0


def test_no_word_weighs_more_than_the_cap_however_often_it_was_read() -> None:
    words = FeatureNumbers()
    answers = [evidence(words, ("diffusion",), 0, True)] * 200
    answers += [evidence(words, ("other",), 0, False)] * 200

    taste = learn(answers, POLICY, words)

    weights = [taste.weight(words.number(word)) for word in ("diffusion", "other")]
    assert weights[0] > 0 > weights[1]
    assert max(abs(w) for w in weights) <= POLICY.taste_cap


def test_a_reader_of_one_subject_gets_it_across_sections_and_sources() -> None:
    library = titled(0, 30, "Diffusion models", topic="a", source="x")
    library += titled(30, 30, "Diffusion models", topic="b", source="y")
    library += titled(100, 60, "Compiler passes", topic="a", source="x")
    library += titled(200, 60, "Compiler passes", topic="b", source="y")
    history = {n: answered(n, Answer.READ, NOW - DAY) for n in (0, 1, 30)}
    history |= {n: answered(n, Answer.LESS, NOW - DAY) for n in (100, 101, 200)}
    prefs = DigestPrefs(size=5, quotes=0)

    drawn = Counter(
        "diffusion" in c.title.lower()
        for s in range(40)
        for c in compose(library, history, prefs, seed=s).items
    )

    # A third of the fresh items are about diffusion; the reader gets far more than that.
    assert drawn[True] > 2 * drawn[False] > 0


def test_each_pick_says_why_with_the_items_own_words() -> None:
    history = {n: answered(n, Answer.READ, NOW - DAY) for n in range(5)}
    history |= {n: answered(n, Answer.LESS, NOW - DAY) for n in range(100, 105)}
    prefs = DigestPrefs(size=5, quotes=0)

    reasons = [
        (item, why)
        for s in range(20)
        for item, why in zip(*_drawn(mixed_library(), history, prefs, s), strict=True)
    ]

    liked = [why for item, why in reasons if why.why is Why.LIKE]
    assert liked and all("Diffusion" in why.words for why in liked)
    assert all(why.count == 5 for why in liked)  # five read items hold "diffusion"
    assert any(why.why is Why.EXPLORING for _, why in reasons)


def _drawn(library: list[LibraryItem], history: dict, prefs: DigestPrefs, seed: int) -> tuple:
    digest = compose(library, history, prefs, seed=seed)
    return digest.items, digest.reasons


def test_news_quotes_due_again_and_rested_items_say_so() -> None:
    news = articles([1], NOW - DAY, source="The Batch")
    quote = quotes([2])
    rested = papers([3])
    history = {
        2: answered(2, Answer.READ, NOW - 28 * DAY),
        3: answered(3, Answer.SKIPPED, NOW - 20 * DAY),
    }

    digest = compose(news + quote + rested, history, DigestPrefs(size=3, quotes=1), seed=1)
    lines = {item.id: why_line(why) for item, why in zip(digest.items, digest.reasons, strict=True)}

    assert lines[1] in {"new from The Batch", "exploring"}
    assert lines[2] in {"read 28 days ago — due again", "exploring"}
    assert lines[3] in {"put off 20 days ago — back after its rest", "exploring"}


def test_the_owners_notes_seed_the_owners_taste_only() -> None:
    library = titled(0, 20, "Diffusion models", notes="my notes on it") + titled(
        100, 20, "Compiler passes"
    )

    owner = reader_of(library, {}, seed_from_notes=True)
    assert weighing(owner.taste, owner.index.numbering)("diffusion") > 0
    assert not reader_of(library, {}).taste


def test_why_lines_speak_the_readers_language() -> None:
    zh = translator("zh")
    why = compose(mixed_library(), {}, DigestPrefs(size=1, quotes=0), seed=3).reasons[0]

    assert why_line(why, zh) != why_line(why)
    assert why_line(why, zh).startswith(("没给你看过", "随机探索"))
