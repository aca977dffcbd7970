"""Does feedback help? Simulated readers over the owner's seed library for 60 days.

The five seed files are imported into a temporary SQLite store (not timed) and each reader
gets one daily digest (5 items, 1 quote) composed by the real selection, answering every item
with noise: a liked item is read 85 % of the time and put off ("not now") otherwise; any other
item is read 10 % of the time, refused ("less like this") 60 % and put off 30 %.

Readers:
- **topic**: likes the items hand-labelled "generative AI" (tests/support/taste_labels.py: 48
  items across three files and over twenty sections, ~8 % of the library);
- **source**: likes one notes file (000_…) and nothing else;
- **flip**: likes the topic until day 30, then the source instead.

Each reader lives the 60 days under four selections, on the same seeds:
- **learning**: today's selection, content taste on;
- **frozen**: the same with learning frozen (no answer changes any weight);
- **sections**: the weighting by section and source alone, as before content taste (every
  skip counted against, since that model had one kind);
- **uniform**: every draw uniform at random (the tiers still apply).

Printed per reader: the liked share of the reading items shown on days 11-30 under each, beside
the library's liked share; for the flip reader, the days after the flip until its liked share
over five days is back to 80 % of its share before; and how often a skipped item came back
within its 14-day rest (must be 0). Targets: learning >= 3x the library share and >= 0.15 above
frozen; the section weighting short of 3x; recovery <= 10 days.

    python bench/taste.py [SEEDS_DIR] [--seeds N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.config import Settings  # noqa: E402
from bot.digests.selection import (  # noqa: E402
    DigestPrefs,
    SelectionIndex,
    SelectionPolicy,
    compose_indexed,
)
from bot.library.importer import import_paths  # noqa: E402
from bot.library.items import Answer, ItemHistory, ItemKind, LibraryItem  # noqa: E402
from bot.store.db import open_store  # noqa: E402
from bot.store.digests import library  # noqa: E402
from tests.support.taste_labels import is_generative  # noqa: E402

START = dt.datetime(2026, 1, 1, 7, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
DAYS = 60
FLIP_DAY = 30
MEASURED = range(11, 31)  # days whose picks are measured
REST = dt.timedelta(days=14)
PREFS = DigestPrefs(size=5, quotes=1)
SOURCE_PREFIX = "000_"

Likes = Callable[[LibraryItem], bool]


def likes_topic(item: LibraryItem) -> bool:
    return is_generative(item.title)


def likes_source(item: LibraryItem) -> bool:
    return item.source.startswith(SOURCE_PREFIX)


READERS: dict[str, Callable[[int], Likes]] = {
    "topic": lambda day: likes_topic,
    "source": lambda day: likes_source,
    "flip": lambda day: likes_topic if day < FLIP_DAY else likes_source,
}

# Frozen: weights that no answer moves (an overwhelming prior), and no content taste.
_STILL = 1e12
SELECTIONS: dict[str, tuple[SelectionPolicy, bool]] = {
    "learning": (SelectionPolicy(), False),
    "frozen": (SelectionPolicy(content_taste=False, prior_reads=_STILL, prior_skips=_STILL), False),
    "sections": (SelectionPolicy(content_taste=False), True),
    "uniform": (SelectionPolicy(content_taste=False, exploration=1.0), False),
}


@dataclass
class Life:
    """What one reader was shown: (day, liked under the taste of that day) per reading item."""

    shown: list[tuple[int, bool, bool]] = field(default_factory=list)  # day, topic?, source?
    early_returns: int = 0  # skipped items shown again within their rest
    explored: int = 0

    def share(self, days: range, likes: Callable[[bool, bool], bool]) -> float:
        picks = [likes(t, s) for day, t, s in self.shown if day in days]
        return sum(picks) / len(picks) if picks else 0.0


def answer(liked: bool, rng: random.Random) -> Answer:
    roll = rng.random()
    if liked:
        return Answer.READ if roll < 0.85 else Answer.SKIPPED
    return Answer.READ if roll < 0.10 else Answer.LESS if roll < 0.70 else Answer.SKIPPED


def live(items: list[LibraryItem], reader: str, selection: str, seed: int) -> Life:
    policy, every_skip_against = SELECTIONS[selection]
    rng, life = random.Random(seed), Life()
    history: dict[int, ItemHistory] = {}
    for day in range(1, DAYS + 1):
        now = START + day * DAY
        index = SelectionIndex.build(items, now, policy)
        drawn = compose_indexed(index, history, PREFS, seed + day)
        likes = READERS[reader](day)
        for item, why in zip(drawn.items, drawn.reasons, strict=True):
            past = history.get(item.id, ItemHistory(item.id))
            resting = past.answer in (Answer.SKIPPED, Answer.LESS)
            if resting and past.answered_at and now - past.answered_at < REST:
                life.early_returns += 1
            given = answer(likes(item), rng)
            if every_skip_against and given is Answer.SKIPPED:
                given = Answer.LESS
            history[item.id] = ItemHistory(item.id, given, now, past.times_shown + 1, now)
            if item.kind is not ItemKind.QUOTE:
                life.shown.append((day, likes_topic(item), likes_source(item)))
                life.explored += why.why.value == "exploring"
    return life


def recovery_days(life: Life, before: float) -> int | None:
    """Days after the flip until the source's share over five days is 80 % of ``before``."""
    for day in range(FLIP_DAY, DAYS + 1):
        if life.share(range(day - 4, day + 1), lambda t, s: s) >= 0.8 * before:
            return day - FLIP_DAY
    return None


def seed_library(seeds: Path) -> list[LibraryItem]:
    with tempfile.TemporaryDirectory() as data:
        settings = Settings(lamplight_data_dir=Path(data), database_url=None)
        store = open_store(settings.store_url)
        try:
            import_paths(store, sorted(seeds.glob("*.txt")), settings=settings, now=START)
            with store.transaction() as session:
                return library(session)
        finally:
            store.dispose()


def report(items: list[LibraryItem], runs: int) -> bool:
    reading = [i for i in items if i.kind is not ItemKind.QUOTE]
    base = {
        "topic": sum(map(likes_topic, reading)) / len(reading),
        "source": sum(map(likes_source, reading)) / len(reading),
    }
    base["flip"] = base["topic"]
    met = True
    for reader in READERS:
        lives = {s: [live(items, reader, s, 1000 * n) for n in range(runs)] for s in SELECTIONS}
        likes = (lambda t, s: s) if reader == "source" else (lambda t, s: t)
        shares = {
            s: statistics.mean(x.share(MEASURED, likes) for x in ls) for s, ls in lives.items()
        }
        ratio = shares["learning"] / base[reader]
        print(f"{reader}: library share {base[reader]:.3f}; days 11-30 liked share:")
        for name, value in shares.items():
            print(f"  {name:9} {value:.3f} ({value / base[reader]:.1f}x the library)")
        early = sum(x.early_returns for ls in lives.values() for x in ls)
        explored = statistics.mean(x.explored / len(x.shown) for x in lives["learning"])
        print(f"  exploring picks (learning): {explored:.0%}; early returns: {early}")
        met &= ratio >= 3 and shares["learning"] - shares["frozen"] >= 0.15 and early == 0
        met &= shares["sections"] / base[reader] < 3 or reader == "source"
        if reader == "flip":
            days = [recovery_days(x, x.share(MEASURED, likes)) for x in lives["learning"]]
            worst = max((d if d is not None else DAYS) for d in days)
            print(f"  days to regain 80% after the flip: {days} (worst {worst})")
            met &= worst <= 10
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seeds", nargs="?", type=Path, default=REPO.parent / "shared" / "seeds")
    parser.add_argument("--seeds", dest="runs", type=int, default=8, help="runs per reader")
    args = parser.parse_args()
    items = seed_library(args.seeds)
    print(f"seed library: {len(items)} items; {args.runs} runs of {DAYS} days per reader")
    met = report(items, args.runs)
    print(f"targets: {'met' if met else 'MISSED'}")


if __name__ == "__main__":
    main()
