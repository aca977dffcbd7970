"""`with` for what has a close(): both sender leases (sender_lease, postgres_lease) use it."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Closing:
    """`with` closes it on the way out, whatever happened inside."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.close()
