"""A remote API's pace, shared through the store by every process of the install.

A process takes the API's turn before each request and holds it while the request is out:
``next_request_at`` becomes the end of the longest the request may take, so no other process
(a `lamplight enrich` beside the bot, a replica) sends meanwhile. When the answer is in, the
turn is given back with the next request's earliest time: the API's interval later, or a
backoff after a failure (stored, so every process and the next start keep it).

Taking the turn is one conditional UPDATE (``… WHERE next_request_at <= now``): it takes the
row's write lock (PostgreSQL re-reads the row after a concurrent writer commits; SQLite
serialises writers), so of two processes taking it at once exactly one gets it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.store.models import Pace
from bot.store.raw_rows import aware

ARXIV = "arxiv"


@dataclass(frozen=True, slots=True)
class Turn:
    """The API's turn, held until `held_until` at the latest."""

    name: str
    held_until: dt.datetime
    failures: int  # failed requests in a row before this one


@dataclass(frozen=True, slots=True)
class Waiting:
    """Another process holds the turn, or the API backs off, until `until`."""

    until: dt.datetime
    failures: int
    last_error: str | None = None


def take_turn(session: Session, name: str, now: dt.datetime, hold: dt.timedelta) -> Turn | Waiting:
    """The turn, held for at most `hold`, if the API may be asked now; else how long to wait."""
    held_until = now + hold
    taken = session.connection().execute(
        update(Pace)
        .where(Pace.name == name, Pace.next_request_at <= now)
        .values(next_request_at=held_until)
    )
    state = pace_of(session, name)
    return Turn(name, held_until, state.failures) if taken.rowcount == 1 else state


def give_back(session: Session, turn: Turn, next_request_at: dt.datetime, error: str = "") -> bool:
    """End the turn: the next request not before `next_request_at`; a failure (`error`) counts
    one more in a row, a success resets the count. False if the turn was no longer held (it
    outlasted its hold and another process took it): that process's hold is left alone."""
    failures = turn.failures + 1 if error else 0
    given = session.connection().execute(
        update(Pace)
        .where(Pace.name == turn.name, Pace.next_request_at == turn.held_until)
        .values(next_request_at=next_request_at, failures=failures, last_error=error or None)
    )
    return given.rowcount == 1


def pace_of(session: Session, name: str) -> Waiting:
    """The API's stored pace: the earliest next request and the failures in a row."""
    row = session.execute(
        select(Pace.next_request_at, Pace.failures, Pace.last_error).where(Pace.name == name)
    ).one()
    until = aware(row.next_request_at)
    assert until is not None
    return Waiting(until, row.failures, row.last_error)
