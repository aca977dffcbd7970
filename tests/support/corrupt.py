"""The corruption the owner's notes went through, to make test inputs for bot.library.repair.text."""

from __future__ import annotations

# Bytes Windows-1254 cannot decode; a cp1254 decode that skips errors loses them.
_UNDEFINED = frozenset(b for b in range(256) if not bytes([b]).decode("cp1254", "ignore"))
# The soft hyphen 0xAD decodes but is invisible, and it was stripped along with them.
DROPPED = _UNDEFINED | {0xAD}


def corrupt(text: str) -> str:
    """UTF-8 bytes read as cp1254 with undefined bytes and 0xAD dropped (lossy mojibake)."""
    kept = bytes(b for b in text.encode("utf-8") if b not in DROPPED)
    return kept.decode("cp1254")
