"""curation: items the owner forgot (hidden, kept) and titles the owner fixed

Two columns on `items`: `forgotten_at` (set: the item is never drawn or found again, until
unforgotten) and `title_before_fix` (the title before the owner's first `fix`; set: imports and
repairs keep the owner's title). The search index of migration 0008 now holds only items not
forgotten: its triggers skip a forgotten item and follow `forgotten_at` (forgetting takes the
item's rows out, unforgetting puts them back), so a search never meets one, on SQLite and
PostgreSQL alike.

Columns are added and dropped in place (ALTER TABLE, SQLite 3.35 or newer), never by batch
mode's copy of `items`: that would drop the index's triggers, and dropping `items` with foreign
keys on empties the tables that refer to it.

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-12
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FORGOTTEN = "forgotten by the owner (forget): kept, never drawn or found"
BEFORE_FIX = "the title before the owner's first fix; set: imports keep the owner's title"


def _index() -> ModuleType:
    """Migration 0008, whose SQL for the index's rows of an item these triggers reuse."""
    path = Path(__file__).with_name("0008_search_terms.py")
    spec = importlib.util.spec_from_file_location("lamplight_migration_0008", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sqlite_up(index: ModuleType) -> list[str]:
    insert_live = (
        "INSERT INTO items_fts_terms (term, tier, title_length, item_id)"
        f" SELECT * FROM ({index._sqlite_terms('new')}) WHERE new.forgotten_at IS NULL;"
    )
    followed = f"({index.CHANGED} OR old.forgotten_at IS NOT new.forgotten_at)"
    return [
        "DROP TRIGGER items_fts_terms_insert",
        "DROP TRIGGER items_fts_terms_update",
        "CREATE TRIGGER items_fts_terms_insert AFTER INSERT ON items"
        f" WHEN new.forgotten_at IS NULL BEGIN {index._sqlite_insert('new')} END",
        "CREATE TRIGGER items_fts_terms_update"
        " AFTER UPDATE OF title_tokens, body_tokens, forgotten_at ON items"
        f" WHEN {followed} BEGIN {index._sqlite_delete('old')} {insert_live} END",
    ]


def _sqlite_down(index: ModuleType) -> list[str]:
    # 0008's statements: the table, then its three triggers, then the fill.
    return [
        "DROP TRIGGER items_fts_terms_insert",
        "DROP TRIGGER items_fts_terms_update",
        index.SQLITE_UP[1],
        index.SQLITE_UP[3],
    ]


def _postgres_function(index: ModuleType) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION items_fts_terms_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            DELETE FROM items_fts_terms WHERE item_id = OLD.id
                AND title_length = {index._title_length("OLD")} AND tier IN (0, 1, 2)
                AND term IN (SELECT term FROM ({index._postgres_terms("OLD")}) AS old_terms);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            IF NEW.forgotten_at IS NULL THEN
                INSERT INTO items_fts_terms (term, tier, title_length, item_id)
                SELECT term, tier, {index._title_length("NEW")}, NEW.id
                FROM ({index._postgres_terms("NEW")}) AS new_terms;
            END IF;
        END IF;
        RETURN NULL;
    END
    $$
    """


def _postgres_up(index: ModuleType) -> list[str]:
    return [
        _postgres_function(index),
        "DROP TRIGGER items_fts_terms_update ON items",
        "CREATE TRIGGER items_fts_terms_update"
        " AFTER UPDATE OF title_tokens, body_tokens, forgotten_at ON items"
        " FOR EACH ROW WHEN (OLD.title_tokens IS DISTINCT FROM NEW.title_tokens"
        " OR OLD.body_tokens IS DISTINCT FROM NEW.body_tokens"
        " OR OLD.forgotten_at IS DISTINCT FROM NEW.forgotten_at)"
        " EXECUTE FUNCTION items_fts_terms_follow()",
    ]


def _postgres_down(index: ModuleType) -> list[str]:
    return [
        "DROP TRIGGER items_fts_terms_update ON items",
        index.POSTGRES_FUNCTION.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"),
        index.POSTGRES_UP[3],
    ]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    op.add_column(
        "items",
        sa.Column("forgotten_at", sa.DateTime(timezone=True), nullable=True, comment=FORGOTTEN),
    )
    op.add_column("items", sa.Column("title_before_fix", sa.Text(), nullable=True, comment=BEFORE_FIX))
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(_sqlite_up(_index()))
    elif dialect == "postgresql":
        _run(_postgres_up(_index()))


def downgrade() -> None:
    # Forgotten items come back (the triggers index them again) before the column goes.
    op.execute("UPDATE items SET forgotten_at = NULL WHERE forgotten_at IS NOT NULL")
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(_sqlite_down(_index()))
    elif dialect == "postgresql":
        _run(_postgres_down(_index()))
    op.drop_column("items", "title_before_fix")
    op.drop_column("items", "forgotten_at")
