"""The `lamplight` command assembled: every command of bot/cli, by the name a user types, and
the one place errors become one line. jobs/main.py adds `run` and `demo`."""

from __future__ import annotations

import inspect

import typer

from bot.cli import backup, curate, db, enrich, feeds, library, repair, status
from bot.cli.common import Failure, err
from bot.library.importer import ImportFileError
from bot.store.db import StoreError

app = typer.Typer(
    help="lamplight: a daily AI reading digest from your own notes, over Telegram.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("import")(library.import_)
app.command("fixtext")(library.fixtext)
app.command("repair")(repair.repair)
app.command("enrich")(enrich.enrich)
app.command("export")(library.export)
app.command("backup")(backup.backup)
app.command("restore")(backup.restore)
app.command("search")(library.search_library)
app.command("forget")(curate.forget)
app.command("unforget")(curate.unforget)
app.command("fix")(curate.fix)
app.command("health")(status.health)
app.command("stats")(status.stats)
app.command("digest")(library.digest)

db_app = typer.Typer(help="The store's schema.", no_args_is_help=True)
db_app.command("upgrade")(db.db_upgrade)
app.add_typer(db_app, name="db")

feeds_app = typer.Typer(help="Newsletter feeds.", no_args_is_help=True)
feeds_app.command("list")(feeds.feeds_list)
feeds_app.command("add")(feeds.feeds_add)
feeds_app.command("remove")(feeds.feeds_remove)
feeds_app.command("pull")(feeds.feeds_pull)
feeds_app.command("import-opml")(feeds.feeds_import_opml)
feeds_app.command("export-opml")(feeds.feeds_export_opml)
app.add_typer(feeds_app, name="feeds")


def one_line_summaries(group: typer.Typer) -> None:
    """Give each command of ``group`` (and of its sub-groups) a summary for the command list:
    its docstring's first paragraph on one line. Typer's rich mode keeps the docstring's line
    breaks there, which breaks the list's sentences where the source wraps."""
    for command in group.registered_commands:
        if command.short_help is None and command.callback is not None:
            first = inspect.cleandoc(command.callback.__doc__ or "").split("\n\n")[0]
            command.short_help = " ".join(first.split()) or None
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            one_line_summaries(sub.typer_instance)


def run_command(argv: list[str] | None = None) -> None:
    """Run `lamplight` with ``argv`` (the process's arguments when None). A failure the user
    can act on is one line, ``error: …``, and exit status 1."""
    one_line_summaries(app)
    try:
        app(args=argv)
    except (Failure, ImportFileError, StoreError) as exc:
        err.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(1) from None
