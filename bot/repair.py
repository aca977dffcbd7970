"""Repair of mojibake: UTF-8 text that was decoded as Windows-1254, possibly with bytes lost.

Pure module, no I/O. Two stages per line:

1. a lossless encoding fix (ftfy, encoding steps only) for lines that lost nothing;
2. for lines that lost bytes: the bytes cp1254 cannot decode (and the soft hyphen 0xAD) were
   dropped, so each damaged character keeps its lead byte and some continuation bytes. We
   re-insert the missing bytes in every possible way, keep the plausible characters, and choose
   among them with a word-lattice model built from jieba's dictionary plus bracket-pairing rules.

Text that is not mojibake passes through byte-identical.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ftfy
from ftfy.badness import badness

__all__ = ["LineRepair", "Repaired", "looks_mojibaked", "repair_text"]


@dataclass(frozen=True, slots=True)
class LineRepair:
    line: int  # 0-based line index in the input text
    before: str  # the line as it was
    after: str  # the repaired line
    confidence: float  # 0..1, how sure the repair is (1.0 = lossless ftfy-style fix)


@dataclass(frozen=True, slots=True)
class Repaired:
    text: str  # the whole repaired text; same number of lines as the input ("\n"-split)
    lines: tuple[LineRepair, ...]  # only the lines that changed

    @property
    def changed(self) -> bool:
        return bool(self.lines)


# --- the byte model of the corruption -------------------------------------------------------

_CP1254: dict[str, int] = {}
_UNDEFINED: list[int] = []
for _b in range(256):
    try:
        _CP1254[bytes([_b]).decode("cp1254")] = _b
    except UnicodeDecodeError:
        _UNDEFINED.append(_b)
# Bytes cp1254 cannot decode, plus the soft hyphen (invisible, so it was stripped too). Only
# continuation bytes (0x80-0xBF) are among them, which is why lead bytes survive.
_DROPPED: tuple[int, ...] = tuple(sorted({*_UNDEFINED, 0xAD}))


def _seq_len(b: int) -> int:
    """Length of the UTF-8 sequence a lead byte starts; 0 if ``b`` is no valid lead."""
    if 0xC2 <= b <= 0xDF:
        return 2
    if 0xE0 <= b <= 0xEF:
        return 3
    if 0xF0 <= b <= 0xF4:
        return 4
    return 0


def _is_cont(b: int) -> bool:
    return 0x80 <= b <= 0xBF


# Invisible format characters a repair may legitimately produce: ZWJ (emoji sequences) and the
# soft hyphen. Other Cf characters (bidi marks etc.) are far likelier to be a wrong guess.
_ALLOWED_FORMAT = frozenset({"\u200d", "\u00ad", "\u200b"})


def _plausible(ch: str) -> bool:
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Cs", "Co", "Cn"):
        return False
    if cat == "Cf":
        return ch in _ALLOWED_FORMAT
    cp = ord(ch)
    # Presentation forms and halfwidth forms are almost never what a note contained; they are
    # what a wrong guess for a damaged 0xEF lead decodes to.
    return not (0xFB00 <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFF or 0xFF61 <= cp <= 0xFFEF)


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF


def _is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return 0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF


@functools.cache
def _candidates(lead: int, conts: tuple[int, ...], n: int) -> tuple[str, ...]:
    """Every plausible character whose bytes are ``lead`` + ``conts`` with dropped bytes added."""
    missing = n - 1 - len(conts)
    out: dict[str, None] = {}
    for slots in itertools.combinations(range(n - 1), missing):
        for fill in itertools.product(_DROPPED, repeat=missing):
            seq = [lead]
            it_fill, it_conts = iter(fill), iter(conts)
            for k in range(n - 1):
                seq.append(next(it_fill) if k in slots else next(it_conts))
            try:
                ch = bytes(seq).decode("utf-8")
            except UnicodeDecodeError:
                continue
            if _plausible(ch):
                out[ch] = None
    return tuple(out)


# --- tokenising a line ------------------------------------------------------------------------

# Token kinds: FOREIGN = a char cp1254 cannot encode (so it is already real text), PLAIN = ASCII,
# INTACT = a complete UTF-8 sequence decoded, DAMAGED = a sequence missing bytes,
# STRAY = a high byte that belongs to no sequence (kept as written).
_FOREIGN, _PLAIN, _INTACT, _DAMAGED, _STRAY = range(5)


@dataclass(slots=True)
class _Tok:
    kind: int
    orig: str  # the characters as written in the line
    cands: tuple[str, ...]  # output candidates; exactly one unless DAMAGED


def _tokenize(line: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n_chars = 0, len(line)
    while i < n_chars:
        ch = line[i]
        b = _CP1254.get(ch)
        if b is None:
            toks.append(_Tok(_FOREIGN, ch, (ch,)))
            i += 1
            continue
        if b < 0x80:
            toks.append(_Tok(_PLAIN, ch, (ch,)))
            i += 1
            continue
        n = _seq_len(b)
        if n == 0:
            toks.append(_Tok(_STRAY, ch, (ch,)))
            i += 1
            continue
        conts: list[int] = []
        j = i + 1
        while j < n_chars and len(conts) < n - 1:
            cb = _CP1254.get(line[j])
            if cb is None or not _is_cont(cb):
                break
            conts.append(cb)
            j += 1
        orig = line[i:j]
        if len(conts) == n - 1:
            try:
                dec = bytes([b, *conts]).decode("utf-8")
            except UnicodeDecodeError:
                dec = ""
            if dec and _plausible(dec):
                toks.append(_Tok(_INTACT, orig, (dec,)))
                i = j
                continue
        else:
            cands = _candidates(b, tuple(conts), n)
            if cands:
                toks.append(_Tok(_DAMAGED, orig, cands))
                i = j
                continue
        # Not a sequence after all: keep the lead as written and look at what follows afresh.
        toks.append(_Tok(_STRAY, ch, (ch,)))
        i += 1
    return toks


def _accept_runs(toks: list[_Tok]) -> list[_Tok] | None:
    """Revert runs that do not look like mojibake; None if nothing is left to repair.

    A run is a maximal stretch without FOREIGN characters. It is mojibake if it holds an intact
    multi-byte sequence (and few strays), or if it holds only damaged sequences that sit right
    next to real CJK text (a line partly fixed already).
    """
    any_left = False
    start = 0
    n = len(toks)
    out: list[_Tok] = []
    while start < n:
        if toks[start].kind == _FOREIGN:
            out.append(toks[start])
            start += 1
            continue
        end = start
        while end < n and toks[end].kind != _FOREIGN:
            end += 1
        run = toks[start:end]
        intact = sum(t.kind == _INTACT for t in run)
        damaged = [t for t in run if t.kind == _DAMAGED]
        strays = sum(t.kind == _STRAY for t in run)
        ok = False
        if intact >= 1 and strays <= intact:
            ok = True
        elif damaged and not intact and not strays:
            neighbours = [toks[k].orig for k in (start - 1, end) if 0 <= k < n]
            ok = any(_is_cjk(c) for c in neighbours) and all(
                any(_is_cjk(c) for c in t.cands) for t in damaged
            )
        if ok and (intact or damaged):
            any_left = True
            out.extend(run)
        else:
            # Back to the characters as written, one token each so positions stay 1 char.
            out.extend(_Tok(_STRAY, c, (c,)) for t in run for c in t.orig)
        start = end
    return out if any_left else None


# --- the language model -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Model:
    freq: dict[str, int]  # jieba's FREQ: words and all their prefixes (prefix-only = 0)
    log_total: float
    tags: dict[str, str]  # word -> part-of-speech tag, from jieba's dictionary
    # lift[prev][tag] = log P(tag | prev) - log P(tag): how much more likely a word class is
    # right after another than on its own; turns the unigram word model into a class bigram.
    lift: dict[str, dict[str, float]]


_OTHER_TAG = "x"  # jieba's tag for non-words (punctuation, symbols, foreign text)


def _tag_lift(
    trans: dict[tuple[str, str], dict[tuple[str, str], float]], tag_weight: dict[str, float]
) -> dict[str, dict[str, float]]:
    """Word-class transitions from jieba's POS HMM (states are (B/M/E/S, tag))."""
    cond: dict[str, dict[str, float]] = {}
    for prev in {t for _, t in trans}:
        # A word of class prev ends in state E (multi-char) or S (single char); the next word
        # starts in B or S. Average the two endings, sum the two starts.
        ends = [trans[(pos, prev)] for pos in ("E", "S") if (pos, prev) in trans]
        row: dict[str, float] = {}
        for nexts in ends:
            for (pos, tag), lp in nexts.items():
                if pos in ("B", "S"):
                    row[tag] = row.get(tag, 0.0) + math.exp(lp) / len(ends)
        cond[prev] = row
    # Marginal of each class after a random word, weighted by how common the classes are.
    marginal: dict[str, float] = {}
    for prev, row in cond.items():
        w = tag_weight.get(prev, 0.0)
        for tag, p in row.items():
            marginal[tag] = marginal.get(tag, 0.0) + w * p
    z = sum(marginal.values()) or 1.0
    return {
        prev: {
            tag: math.log(p) - math.log(marginal[tag] / z)
            for tag, p in row.items()
            if p > 0 and marginal.get(tag, 0.0) > 0
        }
        for prev, row in cond.items()
    }


@functools.cache
def _model() -> _Model:
    """jieba's dictionary as a word model with class transitions; loaded once, on first use."""
    import jieba  # imported lazily: building the prefix dict takes most of a second

    jieba.setLogLevel(logging.WARNING)  # it announces "Building prefix dict" on stderr
    jieba.dt.initialize()
    import jieba.posseg as posseg
    from jieba.posseg.prob_trans import P as trans

    tags: dict[str, str] = posseg.dt.word_tag_tab
    freq: dict[str, int] = jieba.dt.FREQ
    weight: dict[str, float] = {}
    for word, tag in tags.items():
        weight[tag] = weight.get(tag, 0.0) + freq.get(word, 0)
    total_w = sum(weight.values()) or 1.0
    weight = {t: w / total_w for t, w in weight.items()}
    weight.setdefault(_OTHER_TAG, 0.0)
    return _Model(
        freq=freq,
        log_total=math.log(jieba.dt.total),
        tags=tags,
        lift=_tag_lift(trans, weight),
    )


# Log-probabilities for characters jieba's word list does not hold (punctuation, Latin letters),
# on the same scale as jieba's words (log of frequency / total). General knowledge of how common
# they are in Chinese/English notes, not fitted to any corpus.
_PRIOR: dict[str, float] = {
    "、": -6.0,
    "”": -6.0,
    "！": -7.0,
    "」": -8.5,
    "『": -9.5,
    "』": -9.5,
    "【": -10.0,
    "～": -10.0,
    "－": -11.0,
    "／": -11.0,
    "．": -11.5,
    "＝": -12.0,
    "＞": -12.0,
    "０": -12.0,
    "í": -11.0,
    "Á": -13.0,
    "Í": -13.0,
    "\u200d": -14.0,  # only likely between emoji, which a rule handles
    "\u00ad": -14.0,
}
_LIFT_WEIGHT = 0.5  # shrunk: the HMM classes are coarse and its corpus is news text
_UNKNOWN_CJK = -19.0  # a common-block CJK char jieba has never seen as a word
_UNKNOWN_OTHER = -22.0  # anything else


def _char_score(m: _Model, ch: str) -> float:
    f = m.freq.get(ch)
    if f:
        return math.log(f) - m.log_total
    p = _PRIOR.get(ch)
    if p is not None:
        return p
    return _UNKNOWN_CJK if 0x4E00 <= ord(ch) <= 0x9FFF else _UNKNOWN_OTHER


# --- punctuation rules ------------------------------------------------------------------------

_PAIRS = {"“": "”", "「": "」", "『": "』", "‘": "’", "《": "》", "（": "）"}


def _apply_rules(toks: Sequence[_Tok]) -> None:
    """Narrow damaged tokens' candidates where bracket pairing settles the choice."""
    # Closers after an unmatched opener: ” (E2 80 9D) and 」 (E3 80 8D) always lose their last
    # byte while their openers survive.
    open_count: dict[str, int] = dict.fromkeys(_PAIRS, 0)
    for t in toks:
        if len(t.cands) == 1:
            c = t.cands[0]
            if c in _PAIRS:
                open_count[c] += 1
            for o, cl in _PAIRS.items():
                if c == cl and open_count[o]:
                    open_count[o] -= 1
            continue
        for o, cl in _PAIRS.items():
            if open_count[o] and cl in t.cands:
                t.cands = (cl,)
                open_count[o] -= 1
                break
    # 【 (E3 80 90) always loses its last byte, 】 never does; 、 (E3 80 81) looks the same once
    # damaged. An unmatched 】 later in the line means the damaged token is 【.
    pending = 0
    for t in reversed(toks):
        if len(t.cands) == 1:
            if t.cands[0] == "】":
                pending += 1
            elif t.cands[0] == "【" and pending:
                pending -= 1
            continue
        if "【" in t.cands:
            if pending:
                t.cands = ("【",)
                pending -= 1
            else:
                t.cands = tuple(c for c in t.cands if c != "【")
    # ZWJ (E2 80 8D) loses its last byte; between two emoji it is what joined them.
    for k, t in enumerate(toks):
        if len(t.cands) > 1 and "\u200d" in t.cands:
            prev = toks[k - 1].cands if k > 0 else ()
            nxt = toks[k + 1].cands if k + 1 < len(toks) else ()
            if len(prev) == 1 and len(nxt) == 1 and _is_emoji(prev[0][-1]) and _is_emoji(nxt[0][0]):
                t.cands = ("\u200d",)


# --- decoding the lattice ---------------------------------------------------------------------


def _decode(toks: Sequence[_Tok]) -> tuple[str, float]:
    """Best output for the tokens and a confidence in 0..1 for the damaged choices."""
    m = _model()
    freq, log_total, tags, lift = m.freq, m.log_total, m.tags, m.lift
    cands = [t.cands for t in toks]
    n = len(cands)
    # edges[i]: (end, text, score, tag) for every word or single char starting at position i.
    Edge = tuple[int, str, float, str]
    edges: list[list[Edge]] = [[] for _ in range(n)]
    for i in range(n):
        out = edges[i]
        for c in cands[i]:
            out.append((i + 1, c, _char_score(m, c), tags.get(c, _OTHER_TAG)))
        frontier = [c for c in cands[i] if c in freq]
        k = i + 1
        while frontier and k < n:
            nxt: list[str] = []
            for prefix in frontier:
                for c in cands[k]:
                    w = prefix + c
                    f = freq.get(w)
                    if f is None:
                        continue
                    nxt.append(w)
                    if f:
                        out.append((k + 1, w, math.log(f) - log_total, tags.get(w, _OTHER_TAG)))
            frontier = nxt
            k += 1

    def trans(prev: str, tag: str) -> float:
        # Non-words (punctuation, Latin, chars jieba lacks) are neutral: the HMM's "x" class is
        # mostly punctuation, and rewarding x->x would favour runs of rare characters.
        if prev == _OTHER_TAG or tag == _OTHER_TAG:
            return 0.0
        return _LIFT_WEIGHT * lift.get(prev, {}).get(tag, -5.0)  # unseen: unlikely

    # Viterbi over (position, class of the last word), left to right, with back pointers.
    fwd: list[dict[str, float]] = [{} for _ in range(n + 1)]
    bp: list[dict[str, tuple[int, str, str]]] = [{} for _ in range(n + 1)]
    fwd[0][_OTHER_TAG] = 0.0  # a line starts as if after punctuation
    for i in range(n):
        here = fwd[i]
        if not here:
            continue
        for end, w, s, tag in edges[i]:
            best_v, best_p = -math.inf, _OTHER_TAG
            for prev, v in here.items():
                v += trans(prev, tag)
                if v > best_v:
                    best_v, best_p = v, prev
            v = best_v + s
            if v > fwd[end].get(tag, -math.inf):
                fwd[end][tag] = v
                bp[end][tag] = (i, w, best_p)
    last = max(fwd[n], key=fwd[n].__getitem__)
    total = fwd[n][last]
    parts: list[str] = []
    j, tag = n, last
    while j > 0:
        i, w, prev = bp[j][tag]
        parts.append(w)
        j, tag = i, prev
    chosen = "".join(reversed(parts))
    damaged = [p for p in range(n) if len(cands[p]) > 1]
    if not damaged:
        return chosen, 1.0
    # Best suffix score from each (position, class of the previous word), for max-marginals.
    bwd: list[dict[str, float]] = [{} for _ in range(n + 1)]
    bwd[n] = dict.fromkeys(fwd[n], 0.0)
    for i in range(n - 1, -1, -1):
        for prev in fwd[i]:
            best_v = -math.inf
            for end, _w, s, tag in edges[i]:
                after = bwd[end].get(tag)
                if after is None:
                    continue
                v = trans(prev, tag) + s + after
                if v > best_v:
                    best_v = v
            bwd[i][prev] = best_v
    # Confidence: for each ambiguous position, the share of probability mass the chosen char
    # gets among the best paths through each candidate (max-marginal soft-max).
    marg: dict[int, dict[str, float]] = {p: {} for p in damaged}
    for i in range(n):
        if not fwd[i]:
            continue
        for end, w, s, tag in edges[i]:
            # Damaged positions this edge covers; most edges cover none and are skipped.
            lo = bisect.bisect_left(damaged, i)
            if lo == len(damaged) or damaged[lo] >= end:
                continue
            after = bwd[end].get(tag)
            if after is None:
                continue
            before = max(v + trans(prev, tag) for prev, v in fwd[i].items())
            v = before + s + after
            for p in damaged[lo : bisect.bisect_left(damaged, end)]:
                c = w[p - i]
                if v > marg[p].get(c, -math.inf):
                    marg[p][c] = v
    probs = []
    for p in damaged:
        z = sum(math.exp(min(0.0, v - total)) for v in marg[p].values())
        probs.append(1.0 / z if z > 0 else 0.0)
    return chosen, sum(probs) / len(probs)


# --- public API -------------------------------------------------------------------------------


def _class(chars: Iterable[str]) -> str:
    return "[" + "".join(re.escape(c) for c in chars) + "]"


_CONT_CLASS = _class(c for c, b in _CP1254.items() if _is_cont(b))
_MULTI_RE = re.compile(
    "|".join(
        _class(c for c, b in _CP1254.items() if _seq_len(b) == n) + _CONT_CLASS + f"{{{n - 1}}}"
        for n in (2, 3, 4)
    )
)


def looks_mojibaked(text: str) -> bool:
    """Cheap check: does ``text`` hold UTF-8 sequences that were decoded as cp1254?"""
    two_byte = False
    for m in _MULTI_RE.finditer(text):
        s = m.group()
        try:
            ch = bytes(_CP1254[c] for c in s).decode("utf-8")
        except UnicodeDecodeError:
            continue
        if not _plausible(ch):
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


def _repair_line(line: str) -> tuple[str, float] | None:
    """The repaired line and its confidence, or None if the line is left alone."""
    if line.isascii():
        return None
    # ftfy only for lines that lost nothing: on lossy lines it guesses (e.g. reads "â€ " as
    # "â€\xa0" and eats the space), and our own decoder knows which bytes can be missing.
    if looks_mojibaked(line) and not _has_damage(line):
        fixed = ftfy.fix_text(line, _FTFY_CONFIG)
        if fixed != line and not looks_mojibaked(fixed):
            return fixed.replace("\u200b", ""), 1.0
    accepted = _accept_runs(_tokenize(line))
    if accepted is None:
        return None
    toks = accepted
    lossy = any(t.kind == _DAMAGED for t in toks)
    _apply_rules(toks)
    if lossy:
        after, conf = _decode(toks)
        conf = min(conf, 0.99)  # a guess is never certain
    else:
        after, conf = "".join(t.cands[0] for t in toks), 1.0
    after = after.replace("\u200b", "")
    if after == line or badness(after) >= badness(line):
        return None
    return after, conf


def _has_damage(line: str) -> bool:
    toks = _accept_runs(_tokenize(line))
    return toks is not None and any(t.kind == _DAMAGED for t in toks)


def repair_text(text: str) -> Repaired:
    """Repair every mojibaked line of ``text``; clean lines come back unchanged."""
    src = text.split("\n")
    out: list[str] = []
    changed: list[LineRepair] = []
    for idx, line in enumerate(src):
        res = _repair_line(line)
        if res is None:
            out.append(line)
            continue
        after, conf = res
        out.append(after)
        changed.append(LineRepair(line=idx, before=line, after=after, confidence=conf))
    return Repaired(text="\n".join(out), lines=tuple(changed))
