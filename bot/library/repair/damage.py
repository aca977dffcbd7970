"""The byte model of the corruption: UTF-8 decoded as Windows-1254, undefined bytes dropped.

The bytes cp1254 cannot decode (and the soft hyphen 0xAD, invisible, stripped with them) are all
continuation bytes, so every damaged character keeps its lead byte: the boundaries are certain.
A line becomes a list of tokens, each with the characters it may stand for.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "CP1254",
    "DAMAGED",
    "FOREIGN",
    "INTACT",
    "PLAIN",
    "STRAY",
    "Tok",
    "accept_runs",
    "is_cjk",
    "is_cont",
    "is_emoji",
    "may_hold_mojibake",
    "plausible",
    "seq_len",
    "tokenize",
]

CP1254: dict[str, int] = {}
_UNDEFINED: list[int] = []
for _b in range(256):
    try:
        CP1254[bytes([_b]).decode("cp1254")] = _b
    except UnicodeDecodeError:
        _UNDEFINED.append(_b)
DROPPED: tuple[int, ...] = tuple(sorted({*_UNDEFINED, 0xAD}))


# The characters a UTF-8 lead byte becomes in cp1254. A lead byte is never lost, so a line
# without any of them holds no mojibake: one C-speed search spares clean lines (clean Chinese,
# nearly every feed post) the per-character tokenising.
_LEADS = re.compile(
    "[" + "".join(re.escape(c) for c, b in CP1254.items() if 0xC2 <= b <= 0xF4) + "]"
)


def may_hold_mojibake(line: str) -> bool:
    """Whether ``line`` could hold mojibake at all (a cheap, exact pre-check).

    >>> may_hold_mojibake("知识蒸馏 for neural networks"), may_hold_mojibake("çŸ¥è¯†")
    (False, True)
    """
    return not line.isascii() and _LEADS.search(line) is not None


def seq_len(b: int) -> int:
    """Length of the UTF-8 sequence a lead byte starts; 0 if ``b`` is no valid lead."""
    if 0xC2 <= b <= 0xDF:
        return 2
    if 0xE0 <= b <= 0xEF:
        return 3
    if 0xF0 <= b <= 0xF4:
        return 4
    return 0


def is_cont(b: int) -> bool:
    return 0x80 <= b <= 0xBF


# Invisible format characters a repair may legitimately produce: ZWJ (emoji sequences), the soft
# hyphen and the zero-width space. Other Cf characters (bidi marks etc.) are wrong guesses.
_ALLOWED_FORMAT = frozenset({"\u200d", "\u00ad", "\u200b"})


def plausible(ch: str) -> bool:
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Cs", "Co", "Cn"):
        return False
    if cat == "Cf":
        return ch in _ALLOWED_FORMAT
    cp = ord(ch)
    # Presentation and halfwidth forms are almost never what a note held; they are what a
    # wrong guess for a damaged 0xEF lead decodes to.
    return not (0xFB00 <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFF or 0xFF61 <= cp <= 0xFFEF)


def is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF


def is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return 0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF


@functools.cache
def _candidates(lead: int, conts: tuple[int, ...], n: int) -> tuple[str, ...]:
    """Every plausible character whose bytes are ``lead`` + ``conts`` with dropped bytes added."""
    missing = n - 1 - len(conts)
    out: dict[str, None] = {}
    for slots in itertools.combinations(range(n - 1), missing):
        for fill in itertools.product(DROPPED, repeat=missing):
            seq = [lead]
            it_fill, it_conts = iter(fill), iter(conts)
            for k in range(n - 1):
                seq.append(next(it_fill) if k in slots else next(it_conts))
            try:
                ch = bytes(seq).decode("utf-8")
            except UnicodeDecodeError:
                continue
            if plausible(ch):
                out[ch] = None
    return tuple(out)


# Token kinds: FOREIGN = a char cp1254 cannot encode (so it is already real text), PLAIN = ASCII,
# INTACT = a complete UTF-8 sequence decoded, DAMAGED = a sequence missing bytes,
# STRAY = a high byte that belongs to no sequence (kept as written).
FOREIGN, PLAIN, INTACT, DAMAGED, STRAY = range(5)


@dataclass(slots=True)
class Tok:
    kind: int
    orig: str  # the characters as written in the line
    cands: tuple[str, ...]  # output candidates; exactly one unless DAMAGED


def tokenize(line: str) -> list[Tok]:
    toks: list[Tok] = []
    i, n_chars = 0, len(line)
    while i < n_chars:
        ch = line[i]
        b = CP1254.get(ch)
        if b is None:
            toks.append(Tok(FOREIGN, ch, (ch,)))
            i += 1
            continue
        if b < 0x80:
            toks.append(Tok(PLAIN, ch, (ch,)))
            i += 1
            continue
        n = seq_len(b)
        if n == 0:
            toks.append(Tok(STRAY, ch, (ch,)))
            i += 1
            continue
        conts: list[int] = []
        j = i + 1
        while j < n_chars and len(conts) < n - 1:
            cb = CP1254.get(line[j])
            if cb is None or not is_cont(cb):
                break
            conts.append(cb)
            j += 1
        orig = line[i:j]
        if len(conts) == n - 1:
            try:
                dec = bytes([b, *conts]).decode("utf-8")
            except UnicodeDecodeError:
                dec = ""
            if dec and plausible(dec):
                toks.append(Tok(INTACT, orig, (dec,)))
                i = j
                continue
        else:
            cands = _candidates(b, tuple(conts), n)
            if cands:
                toks.append(Tok(DAMAGED, orig, cands))
                i = j
                continue
        # Not a sequence after all: keep the lead as written and look at what follows afresh.
        toks.append(Tok(STRAY, ch, (ch,)))
        i += 1
    return toks


# What may follow an accented Latin letter in real text ("café»", "não…"): a damaged CJK
# character written alone among Latin text is only believed when followed by something else.
_AFTER_LETTER = frozenset("…’”“»«›‹–—•·™®©°")


def _lost_one(t: Tok) -> bool:
    """A CJK character, or general punctuation (â€ + a lost byte), that lost one byte."""
    lead, conts = t.orig[0], t.orig[1:]
    if len(conts) != 1:
        return False
    if CP1254[lead] == 0xE2:
        return conts[0] == "€"
    return CP1254[lead] >= 0xE3 and any(is_cjk(c) for c in t.cands)


def _looks_broken(run: list[Tok], damaged: list[Tok]) -> bool:
    """Damaged CJK characters alone among Latin text: each lost one byte, and two stand side
    by side or none reads as an accented letter before punctuation."""
    if not all(_lost_one(t) for t in damaged):
        return False
    side_by_side = any(a.kind == b.kind == DAMAGED for a, b in itertools.pairwise(run))
    return side_by_side or all(t.orig[1] not in _AFTER_LETTER for t in damaged)


def accept_runs(toks: list[Tok]) -> list[Tok] | None:
    """Revert runs that do not look like mojibake; None if nothing is left to repair.

    A run is a maximal stretch without FOREIGN characters. It is mojibake if it holds an intact
    multi-byte sequence (and few strays), or if it holds only damaged sequences that sit right
    next to real CJK text (a line partly fixed already).
    """
    any_left = False
    start = 0
    n = len(toks)
    out: list[Tok] = []
    while start < n:
        if toks[start].kind == FOREIGN:
            out.append(toks[start])
            start += 1
            continue
        end = start
        while end < n and toks[end].kind != FOREIGN:
            end += 1
        run = toks[start:end]
        intact = sum(t.kind == INTACT for t in run)
        damaged = [t for t in run if t.kind == DAMAGED]
        strays = sum(t.kind == STRAY for t in run)
        ok = False
        if intact >= 1 and strays <= intact:
            ok = True
        elif damaged and not intact and not strays:
            neighbours = [toks[k].orig for k in (start - 1, end) if 0 <= k < n]
            ok = any(is_cjk(c) for c in neighbours) and all(
                any(is_cjk(c) for c in t.cands) for t in damaged
            )
            ok = ok or _looks_broken(run, damaged)
        if ok and (intact or damaged):
            any_left = True
            out.extend(run)
        else:
            # Back to the characters as written, one token each so positions stay 1 char.
            out.extend(Tok(STRAY, c, (c,)) for t in run for c in t.orig)
        start = end
    return out if any_left else None


def needs_repair(line: str) -> bool:
    """Does the line hold anything the repair would touch (intact or damaged mojibake)?"""
    return may_hold_mojibake(line) and accept_runs(tokenize(line)) is not None
