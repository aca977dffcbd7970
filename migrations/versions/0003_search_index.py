"""search index over the items' token columns: FTS5 on SQLite, GIN on PostgreSQL

The app writes `title_tokens` and `body_tokens` itself (jieba, lowercase, plural folding), so the
index only has to split on whitespace and keep each token as it is. On SQLite an external-content
FTS5 table follows `items` through triggers; on PostgreSQL two GIN indexes cover the
`to_tsvector('simple', ...)` expressions bot.store.search queries.

A later migration that rebuilds `items` in SQLite batch mode drops these triggers: recreate them
there (and run the FTS5 'rebuild' command).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The ascii tokenizer treats every non-ASCII character as part of a token and, with these
# token characters (the ASCII punctuation jieba keeps inside a word, like `gpt-3` or `c++`),
# splits on whitespace only.
SQLITE_UP = [
    """
    CREATE VIRTUAL TABLE items_fts USING fts5(
        title_tokens, body_tokens,
        content='items', content_rowid='id',
        tokenize="ascii tokenchars '+#&._%-'"
    )
    """,
    """
    CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
        INSERT INTO items_fts(rowid, title_tokens, body_tokens)
        VALUES (new.id, new.title_tokens, new.body_tokens);
    END
    """,
    """
    CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
        INSERT INTO items_fts(items_fts, rowid, title_tokens, body_tokens)
        VALUES ('delete', old.id, old.title_tokens, old.body_tokens);
    END
    """,
    """
    CREATE TRIGGER items_fts_update AFTER UPDATE ON items BEGIN
        INSERT INTO items_fts(items_fts, rowid, title_tokens, body_tokens)
        VALUES ('delete', old.id, old.title_tokens, old.body_tokens);
        INSERT INTO items_fts(rowid, title_tokens, body_tokens)
        VALUES (new.id, new.title_tokens, new.body_tokens);
    END
    """,
    "INSERT INTO items_fts(items_fts) VALUES ('rebuild')",
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS items_fts_update",
    "DROP TRIGGER IF EXISTS items_fts_delete",
    "DROP TRIGGER IF EXISTS items_fts_insert",
    "DROP TABLE IF EXISTS items_fts",
]

POSTGRES_UP = [
    f"CREATE INDEX items_fts_{name} ON items USING gin "
    f"(to_tsvector('simple'::regconfig, {name}_tokens))"
    for name in ("title", "body")
]

POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS items_fts_body",
    "DROP INDEX IF EXISTS items_fts_title",
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UP)
    elif dialect == "postgresql":
        _run(POSTGRES_UP)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWN)
    elif dialect == "postgresql":
        _run(POSTGRES_DOWN)
