"""The API's turn in the store: one process at a time holds it, and giving it back sets the
next request's earliest time; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

from bot.store.db import Store, open_store
from bot.store.pace import ARXIV, Turn, Waiting, give_back, pace_of, take_turn

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
HOLD = dt.timedelta(seconds=63)


def take(store: Store, now: dt.datetime) -> Turn | Waiting:
    with store.transaction() as session:
        return take_turn(session, ARXIV, now, HOLD)


def test_the_turn_is_held_until_given_back_and_the_next_request_waits_its_interval(
    store: Store,
) -> None:
    turn = take(store, NOW)
    assert turn == Turn(ARXIV, NOW + HOLD, 0)
    assert take(store, NOW + dt.timedelta(seconds=10)) == Waiting(NOW + HOLD, 0)
    with store.transaction() as session:
        assert give_back(session, turn, NOW + dt.timedelta(seconds=13))
    assert isinstance(take(store, NOW + dt.timedelta(seconds=12)), Waiting)
    assert isinstance(take(store, NOW + dt.timedelta(seconds=13)), Turn)


def test_a_failure_counts_and_is_stored_and_a_success_resets_the_count(store: Store) -> None:
    turn = take(store, NOW)
    later = NOW + dt.timedelta(minutes=1)
    with store.transaction() as session:
        give_back(session, turn, later, "HTTP 500")
        assert pace_of(session, ARXIV) == Waiting(later, 1, "HTTP 500")
    again = take(store, later)
    assert isinstance(again, Turn) and again.failures == 1
    with store.transaction() as session:
        give_back(session, again, later + dt.timedelta(seconds=3))
        assert pace_of(session, ARXIV).failures == 0


def test_a_turn_that_outlasted_its_hold_leaves_the_next_holders_alone(store: Store) -> None:
    first = take(store, NOW)
    second = take(store, NOW + HOLD)  # the first never gave it back in time
    assert isinstance(first, Turn) and isinstance(second, Turn)
    with store.transaction() as session:
        assert not give_back(session, first, NOW + HOLD)
        assert pace_of(session, ARXIV).until == second.held_until


def test_of_many_processes_taking_the_turn_at_once_one_gets_it(store: Store) -> None:
    url = store.engine.url.render_as_string(hide_password=False)
    got: list[Turn | Waiting] = []
    start = threading.Barrier(4)

    def process() -> None:
        own = open_store(url)
        try:
            start.wait()
            got.append(take(own, NOW))
        finally:
            own.dispose()

    threads = [threading.Thread(target=process) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(type(g).__name__ for g in got) == ["Turn", "Waiting", "Waiting", "Waiting"]
