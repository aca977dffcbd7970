"""The backup file: JSON Lines, gzip-compressed when its name ends in .gz (docs/backup-format.md).

A header record names the format, its version, the schema revision and every table with its
columns' types; then one record per row, tagged with its table; then a trailer with the rows
of each table, so a file cut short is known. Values are encoded by their column's type, the
same from SQLite and PostgreSQL: times as UTC ISO 8601, bytes as base64, JSON as it is.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import gzip
import json
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from sqlalchemy import types

FORMAT = "lamplight-backup"
VERSION = 1  # raised when a reader of this version could not read the new files right
GZIP_MAGIC = b"\x1f\x8b"


class BackupError(Exception):
    """A backup that cannot be written or read; the message is the one line to show."""


# Column types by what a value becomes in the file; checked in this order (Date is no
# DateTime, but a subclass could be both).
_TAGS: tuple[tuple[str, type[types.TypeEngine[Any]]], ...] = (
    ("boolean", types.Boolean),
    ("datetime", types.DateTime),
    ("date", types.Date),
    ("time", types.Time),
    ("json", types.JSON),
    ("bytes", types._Binary),
    ("float", types.Float),
    ("decimal", types.Numeric),
    ("integer", types.Integer),
    ("text", types.String),
)


def type_tag(column_type: types.TypeEngine[Any]) -> str | None:
    """The file's name for a column type; None for a type no backup can carry."""
    for tag, kind in _TAGS:
        if isinstance(column_type, kind):
            return tag
    return None


def _utc(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; everything lamplight stores is UTC.
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


_ENCODE: dict[str, Callable[[Any], Any]] = {
    "datetime": lambda v: _utc(v).isoformat(),
    "date": lambda v: v.isoformat(),
    "time": lambda v: v.isoformat(),
    "bytes": lambda v: base64.b64encode(bytes(v)).decode("ascii"),
    "decimal": str,
}

_DECODE: dict[str, Callable[[Any], Any]] = {
    "datetime": lambda v: _utc(dt.datetime.fromisoformat(v)),
    "date": dt.date.fromisoformat,
    "time": dt.time.fromisoformat,
    "bytes": lambda v: base64.b64decode(v, validate=True),
    "decimal": decimal.Decimal,
}


def encode_value(tag: str, value: Any) -> Any:
    if value is None:
        return None
    encode = _ENCODE.get(tag)
    return encode(value) if encode else value


def decode_value(tag: str, value: Any) -> Any:
    if value is None:
        return None
    decode = _DECODE.get(tag)
    return decode(value) if decode else value


@dataclass(frozen=True)
class Header:
    """What the first record says: the schema revision the rows fit, and each table's
    columns with their types, in the order the rows come (parents before children)."""

    schema: str
    created_at: dt.datetime
    tables: Mapping[str, Mapping[str, str]]
    version: int = VERSION

    def record(self) -> dict[str, Any]:
        return {
            "record": "header",
            "format": FORMAT,
            "version": self.version,
            "schema": self.schema,
            "created_at": _utc(self.created_at).isoformat(),
            "tables": {name: dict(columns) for name, columns in self.tables.items()},
        }


def row_record(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    return {"table": table, "row": dict(row)}


def trailer_record(counts: Mapping[str, int]) -> dict[str, Any]:
    return {"record": "trailer", "rows": dict(counts)}


def dumps(record: Mapping[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


@contextmanager
def writing(path: Path) -> Iterator[IO[str]]:
    """A text stream to `path`, gzip when its name ends in .gz. The file appears only once
    written whole: it is written beside, then renamed."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        with _open(partial, "w", packed=path.name.endswith(".gz")) as text:
            yield text
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def _open(path: Path, mode: Literal["r", "w"], *, packed: bool) -> IO[str]:
    if packed and mode == "w":
        return gzip.open(path, "wt", compresslevel=6, encoding="utf-8", newline="\n")
    if packed:
        return gzip.open(path, "rt", encoding="utf-8", newline="\n")
    return path.open(mode, encoding="utf-8", newline="\n")


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of each line, gzip or not (told by its first bytes)."""
    try:
        with path.open("rb") as raw:
            packed = raw.read(2) == GZIP_MAGIC
        with _open(path, "r", packed=packed) as text:
            yield from enumerate(text, 1)
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file") from None
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise BackupError(f"{path}: damaged gzip data ({exc}); nothing was restored") from None
    except UnicodeDecodeError:
        raise BackupError(f"{path}: not UTF-8 text, so not a lamplight backup") from None
    except OSError as exc:
        raise BackupError(f"{path}: cannot read it ({exc.strerror or exc})") from None


def _whole_gzip(path: Path) -> None:
    """Read a gzip file to its end first: its checksum comes last, and damage mid-file can
    decompress to text that only looks like some other fault."""
    try:
        with path.open("rb") as raw:
            if raw.read(2) != GZIP_MAGIC:
                return
        with gzip.open(path, "rb") as packed:
            while packed.read(1 << 20):
                pass
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise BackupError(f"{path}: damaged gzip data ({exc}); nothing was restored") from None
    except OSError:
        return  # reading it again says what is wrong


def records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each line's record; a line that is no JSON object means the file is damaged."""
    for number, line in _lines(path):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            record = None
        if number == 1 and not isinstance(record, dict):
            raise BackupError(f"{path}: not a lamplight backup (its first line is no header)")
        if not isinstance(record, dict) or not line.endswith("\n"):
            raise BackupError(
                f"{path}: line {number} is not a whole JSON record: the file is truncated or "
                "damaged; nothing was restored"
            )
        yield number, record


def _header(path: Path, record: dict[str, Any]) -> Header:
    if record.get("record") != "header" or record.get("format") != FORMAT:
        raise BackupError(f"{path}: not a lamplight backup (its first line is no {FORMAT} header)")
    version, schema, tables = record.get("version"), record.get("schema"), record.get("tables")
    if not isinstance(version, int) or version < 1:
        raise BackupError(f"{path}: its header names no format version: the file is damaged")
    if version > VERSION:
        raise BackupError(
            f"{path}: made by a newer lamplight (backup format version {version}; this one "
            f"reads version {VERSION}): upgrade lamplight to restore it"
        )
    damaged = BackupError(f"{path}: its header is damaged")
    if not isinstance(schema, str) or not isinstance(tables, dict):
        raise damaged
    if not all(isinstance(columns, dict) for columns in tables.values()):
        raise damaged
    try:
        created_at = dt.datetime.fromisoformat(str(record.get("created_at")))
    except ValueError:
        raise damaged from None
    return Header(schema=schema, created_at=created_at, tables=tables, version=version)


def _count(path: Path, header: Header, rows: Iterator[tuple[int, dict[str, Any]]]) -> None:
    """Every row names a table and columns of the header, and the trailer counts them."""
    counts = dict.fromkeys(header.tables, 0)
    for number, record in rows:
        if record.get("record") == "trailer":
            if next(rows, None) is not None:
                raise BackupError(f"{path}: records after its trailer: the file is damaged")
            if record.get("rows") != counts:
                raise BackupError(
                    f"{path}: its rows do not add up to what its trailer counts: "
                    "the file is damaged; nothing was restored"
                )
            return
        table, row = str(record.get("table")), record.get("row")
        columns = header.tables.get(table)
        if columns is None or not isinstance(row, dict) or row.keys() != columns.keys():
            raise BackupError(f"{path}: line {number} is no row of a table its header lists")
        counts[table] += 1
    raise BackupError(
        f"{path}: ends before its trailer: the file is truncated; nothing was restored"
    )


def check(path: Path) -> Header:
    """The file's header, once every record has been read and counted; a file that is not a
    lamplight backup, is damaged or cut short, or is of a newer format raises BackupError."""
    _whole_gzip(path)
    rows = records(path)
    first = next(rows, None)
    if first is None:
        raise BackupError(f"{path}: the file is empty, so not a lamplight backup")
    header = _header(path, first[1])
    _count(path, header, rows)
    return header


def rows_of(path: Path, header: Header) -> Iterator[tuple[str, dict[str, Any]]]:
    """(table, row with its values decoded) of each row record of a checked file."""
    for number, record in records(path):
        table = record.get("table")
        if table is None:
            continue  # the header, the trailer
        columns = header.tables[table]
        try:
            row = {name: decode_value(columns[name], v) for name, v in record["row"].items()}
        except (ValueError, TypeError) as exc:
            raise BackupError(f"{path}: line {number} holds a damaged value ({exc})") from None
        yield table, row
