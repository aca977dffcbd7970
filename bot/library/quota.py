"""How often one reader may capture or search (pure): at most N in any minute, so a runaway
script or a stuck key cannot flood the library, the web or the search index."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from bot.i18n import N_

__all__ = ["SLOW_DOWN", "WINDOW", "wait_seconds"]

WINDOW = dt.timedelta(minutes=1)
# What a reader is told when over the pace ({limit} a minute).
SLOW_DOWN = N_("Slow down: at most {limit} a minute. Try again in {seconds} s.")


def wait_seconds(recent: Sequence[dt.datetime], now: dt.datetime, per_minute: int) -> int | None:
    """Whole seconds until one more is allowed, or None when it is allowed now; ``recent``
    are the reader's earlier ones, oldest first.

    >>> now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
    >>> earlier = [now - dt.timedelta(seconds=s) for s in (50, 20, 5)]
    >>> wait_seconds(earlier, now, 3), wait_seconds(earlier, now, 4), wait_seconds(earlier, now, 2)
    (10, None, 40)
    """
    inside = [moment for moment in recent if moment > now - WINDOW]
    if len(inside) < per_minute:
        return None
    frees_at = inside[len(inside) - per_minute] + WINDOW
    return max(1, math.ceil((frees_at - now).total_seconds()))
