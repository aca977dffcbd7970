"""What delivery and the Telegram adapter agree on: a message's departure (claimed as its
rate-limiter slot is granted), what a send can come to, and the shape of a sender. Delivery
(deliver.py) depends on these, never on python-telegram-bot."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

Claim = Callable[[], Awaitable[bool]]
# Inline keyboard rows of (label, callback data) button specs.
Rows = Sequence[Sequence[Sequence[str]]]


class Departure:
    """``rate_limit_args`` for a call whose message must be claimed as its slot is granted.

    ``claim`` returns False when the message may not go after all (another sender took it, it
    was given up); the slot is then left to the next caller and :class:`NotClaimed` is raised.
    Once claimed, no other claimed call leaves until its sender calls :meth:`settled`, having
    recorded the outcome: at any moment at most one message is `sending`.
    """

    __slots__ = ("_release", "claim")

    def __init__(self, claim: Claim) -> None:
        self.claim = claim
        self._release: Callable[[], None] | None = None

    def hold(self, release: Callable[[], None]) -> None:
        """Claimed: `release` lets the next claimed call go once this one is settled."""
        self._release = release

    def settled(self) -> None:
        """The outcome is recorded (or the call never left): the next claimed call may go."""
        release, self._release = self._release, None
        if release is not None:
            release()


class NotClaimed(Exception):
    """The call's slot came but its claim refused it: nothing was sent."""


class Outcome(enum.StrEnum):
    SENT = "sent"
    RETRY = "retry"  # never reached Telegram, or it answered 429/5xx: try again later
    UNCERTAIN = "uncertain"  # written, answer lost: may have arrived; never repeated
    BLOCKED = "blocked"  # 403: the user blocked the bot
    REFUSED = "refused"  # 400: Telegram will never take this message as it is
    NOT_CLAIMED = "not claimed"  # its slot came but the outbox no longer let it go


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: Outcome
    message_id: int | None = None
    error: str = ""
    retry_after: float = 0.0  # seconds a 429 asked to wait


class Send(Protocol):
    """Sends one message; with a `departure`, claims it the moment its slot is granted."""

    def __call__(
        self,
        chat_id: int,
        body: str,
        buttons: Rows,
        *,
        departure: Departure | None = None,
    ) -> Awaitable[SendResult]: ...
