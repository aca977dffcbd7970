"""How many of the owner's notes lines the repair gets back from the mojibaked copy.

Seed 001 is seed 000's text (plus more) as UTF-8 read as cp1254 with some bytes lost. Counts how
many of 000's non-empty lines appear exactly among the repaired lines of 001 (as a multiset),
for ftfy alone and for bot.repair. Run: .venv/bin/python bench/repair_seeds.py
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

import ftfy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a plain script from a checkout

from bot.repair import repair_text  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"


def _norm_lines(text: str) -> Counter[str]:
    # Blank lines and zero-width spaces carry nothing to compare.
    lines = (ln.replace("\u200b", "") for ln in text.split("\n"))
    return Counter(ln for ln in lines if ln.strip())


def lines_back(reference: str, candidate: str) -> tuple[int, int]:
    """(reference lines found in candidate, reference lines) — multiset match."""
    ref, got = _norm_lines(reference), _norm_lines(candidate)
    return sum((ref & got).values()), sum(ref.values())


def main() -> None:
    clean = next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8")
    broken = next(SEEDS.glob("001_*.txt")).read_text(encoding="utf-8")

    ftfy_text = "\n".join(ftfy.fix_encoding(ln) for ln in broken.split("\n"))
    n, total = lines_back(clean, ftfy_text)
    print(f"ftfy alone: {n}/{total}")

    t0 = time.perf_counter()
    repaired = repair_text(broken)
    elapsed = time.perf_counter() - t0
    n, total = lines_back(clean, repaired.text)
    print(f"lamplight repair: {n}/{total}")
    print(f"time (model load + repair): {elapsed:.2f} s; {len(repaired.lines)} lines changed")


if __name__ == "__main__":
    main()
