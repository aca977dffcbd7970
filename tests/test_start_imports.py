"""What a process pays to start: `lamplight` on SQLite loads no PostgreSQL driver, no Chinese
segmenter and no OPML reader until something needs them (a health check runs every half
minute; the suite starts a hundred bots)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

# The imports of `lamplight run` up to its first update, then its SQLite sender lease.
START = """
import json, sys
import jobs.main, jobs.process
from bot.store.sender_lease import open_sender_lease
open_sender_lease(sys.argv[1]).close()
print(json.dumps(sorted(sys.modules)))
"""
LATER = ("psycopg", "rjieba", "listparser")


def loaded(url: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", START, url],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(done.stdout))


def test_a_sqlite_start_leaves_the_postgres_driver_segmenter_and_opml_reader_unloaded(
    tmp_path: Path,
) -> None:
    modules = loaded(f"sqlite:///{tmp_path}/store.sqlite3")
    assert "telegram" in modules and "sqlalchemy" in modules  # the start itself did load
    assert not modules & set(LATER), modules & set(LATER)
