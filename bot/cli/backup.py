"""`lamplight backup / restore`: the whole store as one file, and back, on SQLite or PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import Failure, load_settings, opened_store
from bot.store.backup import snapshot, write_backup
from bot.store.backup_format import BackupError
from bot.store.restore import checked
from bot.store.restore import restore as restore_store


def backup(
    file: Annotated[Path, typer.Argument(help="The file to write; gzip when it ends in .gz.")],
) -> None:
    """Write everything in the store — library, chats, answers, feeds, digests — to FILE
    (JSON Lines, see docs/backup-format.md), which `lamplight restore` loads into an empty
    store, SQLite or PostgreSQL.

    Example: lamplight backup lamplight.jsonl.gz
    """
    settings = load_settings()
    try:
        with opened_store(settings) as store, snapshot(store.engine) as connection:
            report = write_backup(connection, file, dt.datetime.now(dt.UTC))
    except BackupError as exc:
        raise Failure(str(exc)) from None
    typer.echo(
        f"wrote {report.total} rows of {len(report.rows)} tables (schema {report.schema}) to {file}"
    )


def restore(
    file: Annotated[Path, typer.Argument(help="A file `lamplight backup` wrote.")],
) -> None:
    """Load a backup into the store, which must be empty (a new SQLite file, an empty
    PostgreSQL database): all of it in one transaction, or nothing. A backup made by an
    older lamplight is brought up to this one's schema.

    Example: DATABASE_URL=postgresql://lamplight@db/lamplight lamplight restore lamplight.jsonl.gz
    """
    settings = load_settings()
    try:
        header = checked(file)  # a bad file is refused before the store is even opened
        with opened_store(settings) as store:
            report = restore_store(store.engine, file, header)
    except BackupError as exc:
        raise Failure(str(exc)) from None
    typer.echo(
        f"restored {report.total} rows of {len(report.rows)} tables from {file} "
        f"(made {report.created_at:%Y-%m-%d %H:%M} UTC at schema {report.schema})"
    )
