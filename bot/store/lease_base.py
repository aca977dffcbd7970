"""What every sender lease (sender_lease, postgres_lease) has in common: what its last
`holds()` found, and `with` to close it on the way out."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class LeaseBase:
    """Subclasses set `_held` and `_just_acquired` in each `holds()` and implement `close()`."""

    _held: bool
    _just_acquired: bool

    @property
    def just_acquired(self) -> bool:
        return self._just_acquired

    @property
    def held(self) -> bool:
        return self._held

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
