"""Repair of mojibake: UTF-8 text that was decoded as Windows-1254, possibly with bytes lost.

Pure module, no I/O (the model is read from the cache folder on first use). Per line:

1. a lossless encoding fix (ftfy, encoding steps only) for lines that lost nothing;
2. for lines that lost bytes: every damaged character keeps its lead byte, so the missing bytes
   are re-inserted in every possible way (damage.py), bracket pairing settles what it can
   (rules.py), and a language model built from corpora that packages ship chooses among the
   rest (search.py). The owner's own clean text, when given as a
   ``Vocabulary``, brings back lines it holds intact and weighs the owner's names and terms.

Text that is not mojibake passes through byte-identical.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ftfy
from ftfy.badness import badness

from bot.library.repair.choice import Choice
from bot.library.repair.damage import (
    CP1254,
    DAMAGED,
    Tok,
    accept_runs,
    is_cont,
    may_hold_mojibake,
    plausible,
    seq_len,
    tokenize,
)
from bot.library.repair.rules import apply_rules
from bot.library.repair.vocabulary import Vocabulary

if TYPE_CHECKING:  # the model's modules (NumPy) load only on the first damaged line
    import numpy as np
    from numpy.typing import NDArray

    from bot.library.repair.search import Scorer

__all__ = ["Choice", "LineRepair", "Repaired", "Vocabulary", "looks_mojibaked", "repair_text"]

LOSSLESS = 1.0  # confidence of a repair that re-inserted nothing
GUESS_CAP = 0.99  # a repair that chose among candidates is never certain


@dataclass(frozen=True, slots=True)
class LineRepair:
    line: int  # 0-based line index in the input text
    before: str  # the line as it was
    after: str  # the repaired line
    confidence: float  # 0..1, how sure the repair is (1.0 = nothing had to be guessed)
    # The guessed characters, by position in ``after``: chosen, runner-up, margin.
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True, slots=True)
class Repaired:
    text: str  # the whole repaired text; same number of lines as the input ("\n"-split)
    lines: tuple[LineRepair, ...]  # only the lines that changed

    @property
    def changed(self) -> bool:
        return bool(self.lines)

    @property
    def confidence(self) -> float | None:
        """The least sure line's confidence; None if nothing changed."""
        return min((r.confidence for r in self.lines), default=None)


def _class(chars: Iterable[str]) -> str:
    return "[" + "".join(re.escape(c) for c in chars) + "]"


_CONT_CLASS = _class(c for c, b in CP1254.items() if is_cont(b))
_MULTI_RE = re.compile(
    "|".join(
        _class(c for c, b in CP1254.items() if seq_len(b) == n) + _CONT_CLASS + f"{{{n - 1}}}"
        for n in (2, 3, 4)
    )
)


def looks_mojibaked(text: str) -> bool:
    """Cheap check: does ``text`` hold UTF-8 sequences that were decoded as cp1254?"""
    two_byte = False
    for m in _MULTI_RE.finditer(text):
        s = m.group()
        try:
            ch = bytes(CP1254[c] for c in s).decode("utf-8")
        except UnicodeDecodeError:
            continue
        if not plausible(ch):
            continue
        if len(s) >= 3:
            return True
        two_byte = True
    # A lone 2-byte match (e.g. "Ã©") could be real Latin text; let ftfy's heuristic judge it.
    return two_byte and ftfy.badness.is_bad(text)


_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=False,
    replace_lossy_sequences=False,
    decode_inconsistent_utf8=True,
    fix_c1_controls=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)


def _repair_line(line: str, vocabulary: Vocabulary | None) -> LineRepair | None:
    """The line's repair (line index 0), or None if the line is left alone."""
    if not may_hold_mojibake(line):
        return None
    toks = accept_runs(tokenize(line))
    if toks is None:
        return None
    lossy = any(t.kind == DAMAGED for t in toks)
    # ftfy only for lines that lost nothing: on lossy lines it guesses (e.g. reads "â€ " as
    # "â€\xa0" and eats the space), and our own decoder knows which bytes can be missing.
    if not lossy and looks_mojibaked(line):
        fixed = ftfy.fix_text(line, _FTFY_CONFIG)
        if fixed != line and not looks_mojibaked(fixed):
            return _line(line, fixed.replace("\u200b", ""), LOSSLESS, ())
    known = vocabulary.known_line(line) if vocabulary is not None and lossy else None
    if known is not None:
        return _line(line, known.replace("\u200b", ""), LOSSLESS, ())
    apply_rules(toks)
    if any(len(t.cands) > 1 for t in toks):
        chosen, choices = _decode(toks, vocabulary)
        conf = min(GUESS_CAP, *(c.probability for c in choices))
    else:
        chosen, choices, conf = [t.cands[0] for t in toks], (), LOSSLESS
    after, choices = _drop_zwsp(chosen, choices)
    # An accepted repair must not read worse than the line did (ftfy's measure).
    if after == line or badness(after) > badness(line):
        return None
    return _line(line, after, conf, choices)


def _line(before: str, after: str, conf: float, choices: tuple[Choice, ...]) -> LineRepair:
    return LineRepair(line=0, before=before, after=after, confidence=conf, choices=choices)


def _decode(toks: list[Tok], vocabulary: Vocabulary | None) -> tuple[list[str], tuple[Choice, ...]]:
    from bot.library.repair.model import default_model  # the model loads on first damaged line
    from bot.library.repair.search import decode

    model = default_model()
    scorer: Scorer | None = None
    if vocabulary is not None and len(vocabulary):
        cache = vocabulary.cache(model.charmap, model.chars.order)

        def mixed(hist: NDArray[np.int64], nxt: NDArray[np.int64]) -> NDArray[np.float32]:
            return cache.mix(hist, nxt, model.chars.logprob(hist, nxt))

        scorer = mixed

    decoded = decode([t.cands for t in toks], model, scorer)
    return list(decoded.text), decoded.choices


def _drop_zwsp(chosen: list[str], choices: tuple[Choice, ...]) -> tuple[str, tuple[Choice, ...]]:
    """Drop U+200B (never U+200D: emoji use it) and point each choice into the result."""
    offsets, at = [], 0
    for c in chosen:
        offsets.append(at)
        at += c != "\u200b"
    moved = tuple(dataclasses.replace(c, index=offsets[c.index]) for c in choices)
    return "".join(chosen).replace("\u200b", ""), moved


def repair_text(text: str, *, vocabulary: Vocabulary | None = None) -> Repaired:
    """Repair every mojibaked line of ``text``; clean lines come back unchanged.

    ``vocabulary``: the owner's clean text, to prefer the names and terms it holds.
    """
    src = text.split("\n")
    out: list[str] = []
    changed: list[LineRepair] = []
    for idx, line in enumerate(src):
        res = _repair_line(line, vocabulary)
        if res is None:
            out.append(line)
            continue
        out.append(res.after)
        changed.append(dataclasses.replace(res, line=idx))
    return Repaired(text="\n".join(out), lines=tuple(changed))
