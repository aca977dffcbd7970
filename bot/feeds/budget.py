"""The memory a pull may spend on feed bodies in flight, shared by every fetch of the pull.

Each body reserves its bytes as they arrive and gives them back once parsed. When the budget
is spent a reader waits, which stops it reading its socket, so the host waits too (TCP flow
control). The oldest reader may always go on, into a reserve the size of one body: it can
finish and free its share, so readers waiting on one another never wait for ever.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

__all__ = ["BodyBudget", "BodyReader"]


class BodyReader:
    """One body being read: what it holds of the budget."""

    __slots__ = ("held", "order")

    def __init__(self, order: int) -> None:
        self.order = order
        self.held = 0


class BodyBudget:
    """`total` bytes for every body in flight; `largest` of them kept for the oldest reader
    (a body never exceeds it). `peak` is the most ever held at once."""

    def __init__(self, total: int, largest: int) -> None:
        if largest > total:
            raise ValueError(f"a budget of {total} bytes cannot hold a body of {largest}")
        self.total = total
        self.shared = total - largest  # what any reader may take; the rest is the reserve
        self.held = 0
        self.peak = 0
        self._readers: dict[int, BodyReader] = {}
        self._numbers = itertools.count()
        self._changed = asyncio.Condition()

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[BodyReader]:
        """A body's share, given back however its reading ends."""
        reader = BodyReader(next(self._numbers))
        self._readers[reader.order] = reader
        try:
            yield reader
        finally:
            del self._readers[reader.order]
            async with self._changed:
                self.held -= reader.held
                reader.held = 0
                self._changed.notify_all()

    async def take(self, reader: BodyReader, size: int) -> None:
        """Reserve `size` more bytes for `reader`, waiting while the budget is spent."""
        async with self._changed:
            await self._changed.wait_for(lambda: self._fits(reader, size))
            self.held += size
            reader.held += size
            self.peak = max(self.peak, self.held)

    def _fits(self, reader: BodyReader, size: int) -> bool:
        if self.held + size <= self.shared:
            return True
        oldest = min(self._readers)
        return reader.order == oldest and self.held + size <= self.total
