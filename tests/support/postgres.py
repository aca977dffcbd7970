"""The PostgreSQL leg of the store tests: the database this test process uses, and resetting it.

Under pytest-xdist each worker (gw0, gw1, …) tests on a database of its own beside the one
LAMPLIGHT_TEST_POSTGRES_URL names (`<db>_gw0`, …): created on the server as the worker starts,
dropped when its session ends. Without workers the URL's own database is used, and only
its public schema is ever reset.
"""

from __future__ import annotations

import os

from sqlalchemy import create_engine, make_url, text

# pytest-xdist names its workers gw0, gw1…; None in a run without workers.
WORKER = os.environ.get("PYTEST_XDIST_WORKER")
CONFIGURED_URL = os.environ.get("LAMPLIGHT_TEST_POSTGRES_URL") or None  # set but empty: unset


def beside(url: str, suffix: str) -> str:
    """The URL of the database `<db>_<suffix>` on the same server."""
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{suffix}").render_as_string(hide_password=False)


POSTGRES_URL = beside(CONFIGURED_URL, WORKER) if CONFIGURED_URL and WORKER else CONFIGURED_URL
_own: set[str] = set()  # the databases this worker made for itself, dropped at its end


def _name(url: str) -> str:
    name = make_url(url).database
    assert name is not None, url
    return name


def _on_server(url: str, *statements: str) -> None:
    """Run statements on the server's `postgres` database, outside any transaction."""
    engine = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def drop_database(url: str) -> None:
    _on_server(url, f'DROP DATABASE IF EXISTS "{_name(url)}" WITH (FORCE)')


def create_database(url: str, template: str | None = None) -> None:
    """A new database at `url`, in place of any there: empty, or a copy of the database at
    `template` (to which nothing may be connected)."""
    drop_database(url)
    copy = f' TEMPLATE "{_name(template)}"' if template else ""
    _on_server(url, f'CREATE DATABASE "{_name(url)}"{copy}')


def create_worker_database() -> None:
    """At a worker's start: its own database, new and empty."""
    if WORKER is not None and POSTGRES_URL is not None:
        create_database(POSTGRES_URL)
        _own.add(POSTGRES_URL)


def copy_into_worker_database(template: str) -> None:
    """The worker's own database made anew as a copy of `template`."""
    assert WORKER is not None and POSTGRES_URL is not None, "only a worker's own is made anew"
    create_database(POSTGRES_URL, template)


def reset_postgres(url: str) -> None:
    """An empty public schema."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def drop_worker_databases() -> None:
    while _own:
        drop_database(_own.pop())
