"""`lamplight backup` and `lamplight restore` as a user runs them: a backup restores into an
empty store; a store with data, a damaged, truncated or newer file is refused in one line,
and nothing is written."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select

from bot.library.items import Answer, ItemKind
from bot.store.backup import holds_data, snapshot, write_backup
from bot.store.db import at_head, open_store
from bot.store.digests import set_answer
from bot.store.models import Chat, Item, MutedWord
from tests.cli.test_cli import lamplight
from tests.conftest import NOW
from tests.support.old_store import old_store

pytestmark = pytest.mark.usefixtures("store_env")


def counts(url: str) -> dict[str, int]:
    """The rows of each table that has any (none when the store has no tables yet)."""
    store = open_store(url, migrate=False)
    try:
        with store.engine.connect() as connection:
            return holds_data(connection)
    finally:
        store.dispose()


def small_store(url: str) -> None:
    """Two papers, a reader, an answer and a mute."""
    store = open_store(url)
    with store.transaction() as session:
        session.add_all(
            [Item(kind=ItemKind.PAPER, title=f"Paper {n}", canonical_key=f"t:{n}") for n in (1, 2)]
        )
        session.add(Chat(id=42, subscribed=True, timezone="Asia/Shanghai"))
        session.flush()
        set_answer(session, chat_id=42, item_id=2, answer=Answer.READ, now=NOW)
        session.add(MutedWord(chat_id=42, word="区块链"))
    store.dispose()


@pytest.fixture
def backup_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Path:
    """A backup `lamplight backup` made of a small SQLite store."""
    source = f"sqlite:///{tmp_path / 'source.sqlite3'}"
    small_store(source)
    path = tmp_path / "lamplight.jsonl.gz"
    with monkeypatch.context() as env:
        env.setenv("DATABASE_URL", source)
        code, out, _ = lamplight(capsys, "backup", str(path))
    assert code == 0 and out.startswith("wrote 5 rows of ") and "schema" in out
    assert path.read_bytes()[:2] == b"\x1f\x8b"  # gzip, as the name says
    return path


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same backup, made once for the tests that damage it."""
    folder = tmp_path_factory.mktemp("sample")
    small_store(f"sqlite:///{folder / 'source.sqlite3'}")
    store = open_store(f"sqlite:///{folder / 'source.sqlite3'}")
    with snapshot(store.engine) as connection:
        write_backup(connection, folder / "lamplight.jsonl.gz", NOW)
    store.dispose()
    return folder / "lamplight.jsonl.gz"


@pytest.mark.new_store  # a restore onto a new machine: the store was never opened
def test_a_backup_restores_into_an_empty_store_and_never_over_data(
    capsys: pytest.CaptureFixture[str], backup_file: Path, database_url: str
) -> None:
    code, out, _ = lamplight(capsys, "restore", str(backup_file))
    assert code == 0 and re.match(
        rf"restored 5 rows of \d+ tables from {re.escape(str(backup_file))}", out
    )
    restored = counts(database_url)
    assert restored["items"] == 2 and restored["item_states"] == 1
    store = open_store(database_url)
    with store.transaction() as session:
        chat = session.get(Chat, 42)
        assert chat is not None and chat.timezone == "Asia/Shanghai"
        assert session.scalar(select(func.count()).select_from(MutedWord)) == 1
    store.dispose()

    code, out, err = lamplight(capsys, "restore", str(backup_file))
    assert code == 1 and not out
    held = "chats (1), item_states (1), items (2), muted_words (1)"
    assert err.startswith(f"error: the store already holds data — {held}")
    assert "restore only into an empty store" in err and err.count("\n") == 1
    assert counts(database_url) == restored


def lines_of(path: Path) -> list[str]:
    return gzip.decompress(path.read_bytes()).decode().splitlines(keepends=True)


def rewritten(change: Callable[[list[str]], list[str]]) -> Callable[[Path], bytes]:
    return lambda path: gzip.compress("".join(change(lines_of(path))).encode())


def header_with(**values: object) -> Callable[[Path], bytes]:
    def change(lines: list[str]) -> list[str]:
        header = {**json.loads(lines[0]), **values}
        return [json.dumps(header) + "\n", *lines[1:]]

    return rewritten(change)


def half_gzip(path: Path) -> bytes:
    data = path.read_bytes()
    return data[: len(data) // 2]


def scrambled_gzip(path: Path) -> bytes:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8] = bytes(255 - b for b in data[middle : middle + 8])
    return bytes(data)


def orphaned(lines: list[str]) -> list[str]:
    """The items left out, the trailer counting what is left: the answer has no item."""
    kept = [line for line in lines if not line.startswith('{"table":"items"')]
    trailer = json.loads(kept[-1])
    trailer["rows"]["items"] = 0
    return [*kept[:-1], json.dumps(trailer) + "\n"]


def made_at_an_old_schema(folder: Path) -> Path:
    """A backup of a store at an older revision, written as that version would have."""
    folder.mkdir(exist_ok=True)
    path = folder / "old.jsonl.gz"
    if not path.exists():
        old_store(f"sqlite:///{folder / 'old.sqlite3'}")
        engine = create_engine(f"sqlite:///{folder / 'old.sqlite3'}")
        with snapshot(engine) as connection:
            write_backup(connection, path, NOW)
        engine.dispose()
    return path


DAMAGES = {
    "no trailer": (
        rewritten(lambda lines: lines[:-1]),
        "ends before its trailer: the file is truncated",
    ),
    "cut in a line": (
        rewritten(lambda lines: [*lines[:-1], lines[-1][:20]]),
        "is not a whole JSON record",
    ),
    "a row lost": (
        rewritten(lambda lines: [lines[0], *lines[2:]]),
        "do not add up to what its trailer counts",
    ),
    "rows without their parent": (rewritten(orphaned), "the store refuses its rows"),
    "the same, made at an older schema": (
        lambda path: rewritten(orphaned)(made_at_an_old_schema(path.parent / "old")),
        "the store refuses its rows",
    ),
    "gzip cut short": (half_gzip, "damaged gzip data"),
    "gzip scrambled": (scrambled_gzip, "damaged gzip data"),
    "newer format": (header_with(version=2), "made by a newer lamplight (backup format version 2"),
    "newer schema": (header_with(schema="9999"), "made at schema revision 9999, newer than this"),
    "not a backup": (lambda path: b'[{"kind": "paper"}]\n', "not a lamplight backup"),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_truncated_or_newer_backup_is_refused_in_one_line_and_nothing_written(
    capsys: pytest.CaptureFixture[str],
    sample: Path,
    database_url: str,
    tmp_path: Path,
    damage: str,
) -> None:
    make, message = DAMAGES[damage]
    bad = tmp_path / "bad.jsonl.gz"
    bad.write_bytes(make(sample))
    code, out, err = lamplight(capsys, "restore", str(bad))
    assert code == 1 and not out
    assert err.startswith(f"error: {bad}: ") and message in err, err
    assert err.count("\n") == 1
    assert counts(database_url) == {}  # the store is still empty
    store = open_store(database_url, migrate=False)
    schema = inspect(store.engine).get_table_names()
    assert not schema or at_head(store.engine), "its schema as it was"
    store.dispose()


def test_a_backup_that_cannot_be_written_says_so_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "no such folder" / "lamplight.jsonl"
    code, out, err = lamplight(capsys, "backup", str(path))
    assert (code, out) == (1, "")
    assert err == f"error: cannot write {path}: No such file or directory\n"
    assert not path.parent.exists()
