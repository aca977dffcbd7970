"""Fitting text to Telegram: its length as Telegram counts it (UTF-16 code units), and text
shortened at a sentence or word boundary."""

from __future__ import annotations

import re

__all__ = ["shorten", "utf16_len"]

# A Latin sentence end needs the following space; CJK punctuation ends a sentence by itself.
_SENTENCE_END = re.compile(r"[.!?](?=\s)|[。！？；]")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2).

    >>> utf16_len("read"), utf16_len("已读"), utf16_len("📄"), utf16_len("&amp;")
    (4, 2, 2, 5)
    """
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def shorten(text: str, limit: int) -> str:
    """``text`` with whitespace collapsed, cut to ≤ ``limit`` characters at a sentence or word
    boundary (or anywhere, for text without spaces such as Chinese), ending in "…".

    >>> shorten("One idea. Another idea follows here.", 20)
    'One idea. …'
    >>> shorten("attention is all you need", 16)
    'attention is…'
    >>> shorten("先读摘要。再读方法，最后看实验。", 12)
    '先读摘要。…'
    >>> shorten("short\\n text", 50)
    'short text'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    if limit < 2:
        return ""
    room = limit - 1  # one character for the ellipsis
    cut = _sentence_cut(text, room) or _word_cut(text, room) or text[:room]
    # A zero-width joiner left at the end would glue the ellipsis to half an emoji.
    cut = cut.rstrip().rstrip("\u200d")
    gap = " " if cut[-1:] in ".!?" and len(cut) + 2 <= limit else ""
    return f"{cut}{gap}…"


def _sentence_cut(text: str, room: int) -> str:
    """``text`` up to the last sentence end within ``room``, unless that keeps under half."""
    # One character past the room, so a Latin full stop can see the space after it.
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, room + 1) if m.end() <= room]
    return text[: ends[-1]] if ends and ends[-1] >= room // 2 else ""


def _word_cut(text: str, room: int) -> str:
    """``text`` up to the last space within ``room``, unless that keeps under half."""
    if text[room : room + 1] == " ":
        return text[:room]
    space = text.rfind(" ", 0, room)
    return text[:space] if space >= room // 2 else ""
