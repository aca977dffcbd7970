"""The running bot's heartbeat, and what `lamplight health` makes of it.

`lamplight run` writes a small JSON file in the data dir after each getUpdates poll returns,
each webhook update, and (webhook mode only) each minute's sweep, so a quiet webhook bot stays
healthy while a polling bot that cannot reach Telegram does not. `lamplight health` reads its age
and asks the store for `SELECT 1`. No token or other secret is ever written there.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings

log = logging.getLogger(__name__)

HEARTBEAT_FILE = "heartbeat.json"
# Long polls return within PTB's 10 s poll timeout, and PTB backs off at most 30 s between
# failed polls; a webhook bot beats at each minute's sweep. Three minutes lets a slow Telegram
# or a long sweep pass, yet a container is marked unhealthy within a few health checks.
DEFAULT_MAX_AGE = dt.timedelta(minutes=3)
# A health check must answer even when PostgreSQL's host is unreachable.
STORE_TIMEOUT_SECONDS = 5


class BeatSource(enum.StrEnum):
    POLL = "poll"
    UPDATE = "update"
    SWEEP = "sweep"


_DOING = {BeatSource.POLL: "polled", BeatSource.UPDATE: "got an update", BeatSource.SWEEP: "swept"}


@dataclass(frozen=True, slots=True)
class Beat:
    at: dt.datetime
    source: BeatSource


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Heartbeat:
    """The heartbeat file in a data dir: the bot writes it, `lamplight health` reads it."""

    def __init__(self, data_dir: Path, clock: Callable[[], dt.datetime] = _utc_now) -> None:
        self.path = data_dir / HEARTBEAT_FILE
        self._clock = clock
        self._failing = False

    def beat(self, source: BeatSource) -> None:
        """Record that the bot is alive; a full or read-only disk is logged, never raised, so a
        poll is not lost over its heartbeat."""
        body = json.dumps({"at": self._clock().isoformat(), "source": source.value})
        # Written beside the file and renamed over it: a reader never sees half a file.
        partial = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(body, encoding="utf-8")
            partial.replace(self.path)
        except OSError as exc:
            if not self._failing:
                log.warning("cannot write the heartbeat %s: %s", self.path, exc.strerror or exc)
            self._failing = True
            return
        self._failing = False

    def read(self) -> Beat | None:
        """The last beat, or None when there is none (or it is unreadable)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            at = dt.datetime.fromisoformat(data["at"])
            return Beat(at if at.tzinfo else at.replace(tzinfo=dt.UTC), BeatSource(data["source"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None


def judge(
    beat: Beat | None, now: dt.datetime, max_age: dt.timedelta, store_problem: str | None
) -> tuple[bool, str]:
    """Healthy or not, and the one line that says so.

    >>> now = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    >>> judge(Beat(now - dt.timedelta(seconds=12), BeatSource.POLL), now,
    ...       DEFAULT_MAX_AGE, None)
    (True, 'ok: polled 12 s ago, store reachable')
    >>> judge(None, now, DEFAULT_MAX_AGE, None)[1]
    'no heartbeat yet: is `lamplight run` running with this data dir?'
    """
    if beat is None:
        return False, "no heartbeat yet: is `lamplight run` running with this data dir?"
    age = max(0, round((now - beat.at).total_seconds()))
    doing = _DOING[beat.source]
    if age > max_age.total_seconds():
        limit = round(max_age.total_seconds())
        return False, f"stale: the bot last {doing} {age} s ago (limit {limit} s)"
    if store_problem is not None:
        return False, f"store unreachable: {store_problem}"
    return True, f"ok: {doing} {age} s ago, store reachable"


def store_problem(url: str) -> str | None:
    """Why the store does not answer `SELECT 1`, or None when it does; never migrates."""
    from bot.store.db import make_engine
    from bot.store.reports import ping

    try:
        parsed = make_url(url)
        backend = parsed.get_backend_name()
        if backend == "sqlite":
            database = parsed.database
            # Connecting would create an empty database; a missing file is the answer here.
            if database and database != ":memory:" and not Path(database).expanduser().is_file():
                return f"no database file at {database}"
        elif backend == "postgresql" and "connect_timeout" not in parsed.query:
            parsed = parsed.update_query_dict({"connect_timeout": str(STORE_TIMEOUT_SECONDS)})
        engine = make_engine(parsed.render_as_string(hide_password=False))
        try:
            with engine.connect() as connection:
                ping(connection)
        finally:
            engine.dispose()
    except SQLAlchemyError as exc:  # a bad URL, a missing driver, a database that is down
        return f"{exc.__class__.__name__}; check DATABASE_URL and that the database is up"
    return None


def check_health(
    settings: Settings, now: dt.datetime, max_age: dt.timedelta = DEFAULT_MAX_AGE
) -> tuple[bool, str]:
    """`lamplight health`: the heartbeat's age, then the store."""
    beat = Heartbeat(settings.data_dir).read()
    fresh = beat is not None and now - beat.at <= max_age
    return judge(beat, now, max_age, store_problem(settings.store_url) if fresh else None)
