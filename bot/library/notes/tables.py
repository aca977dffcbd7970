"""Markdown tables as the owner writes them: rows split on ``|``, the delimiter row ignored
whatever its cell count (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

_DELIMITER_CELL = re.compile(r"^:?-{2,}:?$")
_HEADING = re.compile(r"^#{1,6}\s+(?P<title>\S.*?)\s*$")


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    cells: dict[str, str]
    topic: str


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[Row, ...]

    def has(self, *names: str) -> bool:
        return all(name in self.header for name in names)


def split_row(line: str) -> list[str]:
    """The cells of one table line.

    >>> split_row("| ✅ | 2012 | [AlexNet](u) |")
    ['✅', '2012', '[AlexNet](u)']
    """
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _is_delimiter(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return bool(filled) and all(_DELIMITER_CELL.match(c) for c in filled)


def _header_name(cell: str) -> str:
    # "视频（播放数）" names the 视频 column; keep the word before any bracket.
    return re.split(r"[（(]", cell, maxsplit=1)[0].strip()


def find_tables(lines: Sequence[str]) -> Iterator[Table]:
    """Every table in the lines, each row tagged with the nearest heading above it."""
    topic, block = "", []
    for index, line in enumerate([*lines, ""]):
        if line.strip().startswith("|"):
            block.append((index, line))
            continue
        if block:
            yield _table(block, topic)
            block = []
        heading = _HEADING.match(line.strip())
        if heading:
            topic = heading["title"]


def _table(block: list[tuple[int, str]], topic: str) -> Table:
    header = tuple(_header_name(c) for c in split_row(block[0][1]))
    rows = []
    for index, line in block[1:]:
        cells = split_row(line)
        if _is_delimiter(cells):
            continue
        rows.append(Row(index, dict(zip(header, cells, strict=False)), topic))
    return Table(header, tuple(rows))
