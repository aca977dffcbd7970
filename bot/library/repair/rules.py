"""Punctuation the byte model settles by itself: pairs of brackets and quotes, joined emoji."""

from __future__ import annotations

from collections.abc import Sequence

from bot.library.repair.damage import Tok, is_emoji

__all__ = ["apply_rules"]

_PAIRS = {"“": "”", "「": "」", "『": "』", "‘": "’", "《": "》", "（": "）"}


def apply_rules(toks: Sequence[Tok]) -> None:
    """Narrow damaged tokens' candidates where bracket pairing settles the choice."""
    _close_pairs(toks)
    _open_lenticular(toks)
    _join_emoji(toks)


def _close_pairs(toks: Sequence[Tok]) -> None:
    # ” (E2 80 9D) and 」 (E3 80 8D) always lose their last byte while their openers survive:
    # a damaged token after an unmatched opener that can be its closer is that closer.
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


def _open_lenticular(toks: Sequence[Tok]) -> None:
    # 【 (E3 80 90) always loses its last byte, 】 never does; 、 (E3 80 81) looks the same once
    # damaged. An unmatched 】 later in the line means the nearest damaged token before it is
    # its 【 (titles are short); elsewhere there is no 【.
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


def _join_emoji(toks: Sequence[Tok]) -> None:
    # ZWJ (E2 80 8D) loses its last byte; between two emoji it is what joined them.
    for k, t in enumerate(toks):
        if len(t.cands) > 1 and "\u200d" in t.cands:
            prev = toks[k - 1].cands if k > 0 else ()
            nxt = toks[k + 1].cands if k + 1 < len(toks) else ()
            if len(prev) == 1 and len(nxt) == 1 and is_emoji(prev[0][-1]) and is_emoji(nxt[0][0]):
                t.cands = ("\u200d",)
