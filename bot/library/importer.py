"""Notes files in, library rows out: read and check every file first, then write them in one
transaction, so a bad file leaves the store as it was."""

from __future__ import annotations

import codecs
import datetime as dt
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from bot.config import Settings
from bot.feeds.results import FeedEntry
from bot.i18n import N_, LocalizedError
from bot.library.dedupe import arxiv_id, fit_key, item_keys, keys_of
from bot.library.items import ItemKind, ParsedItem, PreparedFile, PreparedItem
from bot.library.notes import parse_notes
from bot.library.repair.text import Repaired, Vocabulary, repair_text
from bot.library.tokens import search_tokens
from bot.store.adding import ImportReport
from bot.store.db import Store
from bot.store.library import import_prepared
from bot.store.repairs import clean_texts

NOTES_SUFFIXES = (".md", ".markdown", ".txt")
# Notepad's "Unicode" is UTF-16 behind a byte-order mark; without the mark it is not guessed.
_UTF16_MARKS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_NOT_TEXT = frozenset({"Cc", "Cs", "Co", "Cn"})  # controls, surrogates, private, unassigned


class ImportFileError(LocalizedError):
    """A file that cannot be imported; the message is one line for the user, English in the
    terminal and in the admin's language in the bot."""


def collect_paths(paths: Iterable[Path]) -> list[Path]:
    """Files to import: each file given, and the notes files under each directory given."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in NOTES_SUFFIXES
            )
            if not inside:
                raise ImportFileError(
                    N_("{name}: no .md or .txt notes files in this directory"), name=path
                )
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        else:
            raise ImportFileError(N_("{name}: no such file or directory"), name=path)
    return found


def read_text(path: Path, *, max_bytes: int) -> str:
    """The file's text (:func:`decode_notes`), if it is not over ``max_bytes``."""
    size = path.stat().st_size
    if size > max_bytes:
        raise too_big(str(path), size, max_bytes)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(
            N_("{name}: cannot read it ({reason})"), name=path, reason=exc.strerror
        ) from exc
    return decode_notes(data, name=str(path))


def decode_notes(data: bytes, *, name: str) -> str:
    """The text of a notes file: UTF-16 if it starts with its byte-order mark and reads as
    text, else UTF-8 if it is, else GB18030 (which covers GBK and GB2312)."""
    text = _utf16(data) if data.startswith(_UTF16_MARKS) else None
    if text is None:
        text = _utf8_or_gb18030(data, name=name)
    if not text.strip():
        raise ImportFileError(N_("{name}: the file is empty"), name=name)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _utf16(data: bytes) -> str | None:
    try:
        text = data.decode("utf-16")
    except UnicodeDecodeError:
        return None
    odd = (c for c in text if c not in "\t\n\r\f")
    return None if any(unicodedata.category(c) in _NOT_TEXT for c in odd) else text


def _utf8_or_gb18030(data: bytes, *, name: str) -> str:
    if b"\x00" in data:
        raise ImportFileError(N_("{name}: this is a binary file, not a text notes file"), name=name)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(
            N_("{name}: not UTF-8 or GB18030 text; save it as UTF-8 and retry"), name=name
        )
    return text


def prepare_text(
    name: str, text: str, vocabulary: Vocabulary | None = None, *, where: str | None = None
) -> PreparedFile:
    """Repair, parse and key one file's text (pure); ``vocabulary``: the owner's clean text.
    ``name`` becomes the items' source; an error names ``where`` the file is, if given."""
    repaired = repair_text(text, vocabulary=vocabulary)
    notes = parse_notes(repaired.text)
    if not notes.items and not notes.feeds:
        raise ImportFileError(
            N_("{name}: found no quotes, papers or links in this file"), name=where or name
        )
    original = text.split("\n")
    items = tuple(_prepare_item(item, original, repaired) for item in notes.items)
    return PreparedFile(name=name, items=items, feeds=notes.feeds)


def _prepare_item(item: ParsedItem, original: Sequence[str], repaired: Repaired) -> PreparedItem:
    span = range(item.first_line, item.last_line + 1)
    changes = [c for c in repaired.lines if c.line in span]
    raw = "\n".join(original[item.first_line : item.last_line + 1]) if changes else None
    body = " ".join(p for p in (item.text, item.notes, item.author, item.topic) if p)
    return PreparedItem(
        parsed=item,
        keys=keys_of(item),
        raw_text=raw,
        repair_confidence=min(c.confidence for c in changes) if changes else None,
        title_tokens=search_tokens(item.title),
        body_tokens=search_tokens(body),
    )


def prepare_entry(feed_key: str, entry: FeedEntry) -> PreparedItem:
    """A newsletter post as an item: a paper when it links to arXiv, else an article; known
    also by its guid within its feed, so a feed that edits a post does not duplicate it."""
    found = arxiv_id(entry.link) if entry.link else None
    item = ParsedItem(
        kind=ItemKind.PAPER if found else ItemKind.ARTICLE,
        title=entry.title or (entry.link or ""),
        text=entry.summary,
        author=entry.author,
        url=entry.link,
        arxiv_id=found,
        published_at=entry.published,
    )
    keys = item_keys(kind=item.kind, title=item.title, text=item.text, url=item.url, arxiv_id=found)
    if entry.guid:
        keys = (*keys, fit_key(f"guid:{feed_key}:{entry.guid}"))
    return PreparedItem(
        parsed=item,
        keys=keys,
        raw_text=None,
        repair_confidence=None,
        title_tokens=search_tokens(item.title),
        body_tokens=search_tokens(" ".join(p for p in (item.text, item.author) if p)),
    )


def prepare_paths(
    paths: Iterable[Path],
    *,
    max_bytes: int,
    progress: Callable[[Path], None] | None = None,
    library: Sequence[str] = (),
) -> list[PreparedFile]:
    """Read and prepare every file; raises ImportFileError before anything is written.

    The repair learns the owner's names and terms from the clean text of the library and of
    every file of this import."""
    texts = [(path, read_text(path, max_bytes=max_bytes)) for path in collect_paths(paths)]
    vocabulary = Vocabulary.from_texts([*library, *(text for _, text in texts)])
    prepared = []
    for path, text in texts:
        prepared.append(prepare_text(path.name, text, vocabulary, where=str(path)))
        if progress:
            progress(path)
    return prepared


def import_bytes(
    store: Store, name: str, data: bytes, *, settings: Settings, now: dt.datetime
) -> ImportReport:
    """Import one file that arrived as bytes (a document sent to the bot)."""
    if len(data) > settings.import_max_bytes:
        raise too_big(name, len(data), settings.import_max_bytes)
    text = decode_notes(data, name=name)
    with store.transaction() as session:
        library = clean_texts(session)
    prepared = prepare_text(name, text, Vocabulary.from_texts([*library, text]))
    with store.transaction() as session:
        return import_prepared(session, [prepared], owner_chat_id=settings.owner_chat_id, now=now)


def too_big(name: str, size: int, max_bytes: int) -> ImportFileError:
    return ImportFileError(
        N_(
            "{name}: {size} MB is over the import limit of {limit} MB "
            "(set LAMPLIGHT_IMPORT_MAX_MB to raise it)"
        ),
        name=name,
        size=f"{size / 1024 / 1024:.1f}",
        limit=f"{max_bytes / 1024 / 1024:g}",
    )


def import_paths(
    store: Store,
    paths: Iterable[Path],
    *,
    settings: Settings,
    now: dt.datetime,
    progress: Callable[[Path], None] | None = None,
    retire: bool = False,
) -> ImportReport:
    """Check and prepare every file, then add them all in one transaction. A file imported
    before updates the items it holds; those it no longer holds are reported (and, with
    `retire`, kept out of digests)."""
    with store.transaction() as session:
        library = clean_texts(session)
    prepared = prepare_paths(
        paths, max_bytes=settings.import_max_bytes, progress=progress, library=library
    )
    with store.transaction() as session:
        return import_prepared(
            session, prepared, owner_chat_id=settings.owner_chat_id, now=now, retire=retire
        )
