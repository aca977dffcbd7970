"""search index: one row per item and term, in the order ranking reads, on both stores

Replaces migration 0003's FTS5 table and GIN indexes, which answer "which items hold this word"
in id order (FTS5) or none (GIN), with a plain table `items_fts_terms` kept by triggers: for
every distinct token of an item's `title_tokens` or `body_tokens` (split on spaces, as
bot.library.query.Candidate reads them), the term, its tier (0: in the title and the body,
1: the title only, 2: the body only), the title's length in tokens and the item's id. Its
primary key is that order, which is bot.library.query.rank's for one term, so a search reads
its best candidates first from an index on SQLite and PostgreSQL alike, however common the word.

Tokens longer than 64 characters are not indexed (a B-tree entry has a size limit, and no word
is that long); bot.library.query.query_terms drops them too.

A later migration that rebuilds `items` in SQLite batch mode drops these triggers: recreate them
there (and refill the table).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MAX_TOKEN_CHARS = 64


def _title_length(row: str) -> str:
    """Tokens in the title: spaces + 1, as bot.store.search computes it."""
    title = f"{row}.title_tokens"
    return (
        f"CASE WHEN {title} = '' THEN 0"
        f" ELSE length({title}) - length(replace({title}, ' ', '')) + 1 END"
    )


# --- SQLite: json_each splits a column (json_quote escapes it; a space never occurs in an
# escape), since a trigger may not use a recursive CTE.


def _sqlite_terms(row: str, source: str = "") -> str:
    """(term, tier, title_length, item_id) of each distinct indexed token of the row; `source`
    names the table the row comes from, if any (not in a trigger)."""
    tokens = " UNION ALL ".join(
        f"SELECT {row}.id AS item_id, {_title_length(row)} AS title_length, value AS term,"
        f" {bit} AS bit FROM {source}"
        f" json_each('[' || replace(json_quote({row}.{column}), ' ', '\",\"') || ']')"
        for column, bit in (("title_tokens", 2), ("body_tokens", 1))
    )
    return (
        f"SELECT term, 3 - sum(DISTINCT bit) AS tier, title_length, item_id FROM ({tokens})"
        f" WHERE term <> '' AND length(term) <= {MAX_TOKEN_CHARS}"
        " GROUP BY item_id, title_length, term"
    )


def _sqlite_insert(row: str) -> str:
    return f"INSERT INTO items_fts_terms (term, tier, title_length, item_id) {_sqlite_terms(row)};"


def _sqlite_delete(row: str) -> str:
    # Every key column bound, so each row is found through the primary key.
    return (
        "DELETE FROM items_fts_terms WHERE item_id = old.id"
        f" AND title_length = {_title_length(row)} AND tier IN (0, 1, 2)"
        f" AND term IN (SELECT term FROM ({_sqlite_terms(row)}));"
    )


CHANGED = "old.title_tokens IS NOT new.title_tokens OR old.body_tokens IS NOT new.body_tokens"

SQLITE_UP = [
    """
    CREATE TABLE items_fts_terms (
        term TEXT NOT NULL,
        tier INTEGER NOT NULL,
        title_length INTEGER NOT NULL,
        item_id INTEGER NOT NULL,
        PRIMARY KEY (term, tier, title_length, item_id)
    ) WITHOUT ROWID
    """,
    "CREATE TRIGGER items_fts_terms_insert AFTER INSERT ON items"
    f" BEGIN {_sqlite_insert('new')} END",
    "CREATE TRIGGER items_fts_terms_delete AFTER DELETE ON items"
    f" BEGIN {_sqlite_delete('old')} END",
    "CREATE TRIGGER items_fts_terms_update AFTER UPDATE OF title_tokens, body_tokens ON items"
    f" WHEN {CHANGED} BEGIN {_sqlite_delete('old')} {_sqlite_insert('new')} END",
    "INSERT INTO items_fts_terms (term, tier, title_length, item_id)"
    f" {_sqlite_terms('items', 'items,')}",
    "DROP TRIGGER IF EXISTS items_fts_update",
    "DROP TRIGGER IF EXISTS items_fts_delete",
    "DROP TRIGGER IF EXISTS items_fts_insert",
    "DROP TABLE IF EXISTS items_fts",
]

# Migration 0003's index, as it was.
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS items_fts_terms_update",
    "DROP TRIGGER IF EXISTS items_fts_terms_delete",
    "DROP TRIGGER IF EXISTS items_fts_terms_insert",
    "DROP TABLE IF EXISTS items_fts_terms",
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

# --- PostgreSQL: one trigger function; the "C" collation compares terms byte by byte.


def _postgres_terms(row: str) -> str:
    tokens = " UNION ALL ".join(
        f"SELECT unnest(string_to_array({row}.{column}, ' ')) AS term, {bit} AS bit"
        for column, bit in (("title_tokens", 2), ("body_tokens", 1))
    )
    return (
        f"SELECT term, 3 - sum(DISTINCT bit) AS tier FROM ({tokens}) AS tokens"
        f" WHERE term <> '' AND length(term) <= {MAX_TOKEN_CHARS} GROUP BY term"
    )


POSTGRES_FUNCTION = f"""
    CREATE FUNCTION items_fts_terms_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            DELETE FROM items_fts_terms WHERE item_id = OLD.id
                AND title_length = {_title_length("OLD")} AND tier IN (0, 1, 2)
                AND term IN (SELECT term FROM ({_postgres_terms("OLD")}) AS old_terms);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO items_fts_terms (term, tier, title_length, item_id)
            SELECT term, tier, {_title_length("NEW")}, NEW.id
            FROM ({_postgres_terms("NEW")}) AS new_terms;
        END IF;
        RETURN NULL;
    END
    $$
"""

POSTGRES_UP = [
    """
    CREATE TABLE items_fts_terms (
        term TEXT COLLATE "C" NOT NULL,
        tier SMALLINT NOT NULL,
        title_length INTEGER NOT NULL,
        item_id INTEGER NOT NULL,
        CONSTRAINT items_fts_terms_pkey PRIMARY KEY (term, tier, title_length, item_id)
    )
    """,
    POSTGRES_FUNCTION,
    "CREATE TRIGGER items_fts_terms_insert AFTER INSERT OR DELETE ON items"
    " FOR EACH ROW EXECUTE FUNCTION items_fts_terms_follow()",
    "CREATE TRIGGER items_fts_terms_update AFTER UPDATE OF title_tokens, body_tokens ON items"
    " FOR EACH ROW WHEN (OLD.title_tokens IS DISTINCT FROM NEW.title_tokens"
    " OR OLD.body_tokens IS DISTINCT FROM NEW.body_tokens)"
    " EXECUTE FUNCTION items_fts_terms_follow()",
    f"INSERT INTO items_fts_terms (term, tier, title_length, item_id)"
    f" SELECT t.term, t.tier, {_title_length('items')}, items.id"
    f" FROM items, LATERAL ({_postgres_terms('items')}) AS t",
    "DROP INDEX IF EXISTS items_fts_body",
    "DROP INDEX IF EXISTS items_fts_title",
]

POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS items_fts_terms_update ON items",
    "DROP TRIGGER IF EXISTS items_fts_terms_insert ON items",
    "DROP FUNCTION IF EXISTS items_fts_terms_follow()",
    "DROP TABLE IF EXISTS items_fts_terms",
    *(
        f"CREATE INDEX items_fts_{name} ON items USING gin "
        f"(to_tsvector('simple'::regconfig, {name}_tokens))"
        for name in ("title", "body")
    ),
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
