"""Telegram's flood limits as the fake Bot API (calls.py) enforces them, the methods they count,
and the record of arrivals a test or benchmark reads back.

Every message-producing call that reaches the fake is an *arrival*, whatever it was answered,
stamped with ``time.monotonic()`` when the fake judged it. The limits are exact, with no slack
for jitter: Telegram counts what reaches it, not what the client meant to send.

- per chat: a message into a chat less than ``window`` (1.0 s) after the previous one it
  accepted into that chat is refused;
- overall: a message is refused when ``overall`` (30) accepted ones arrived within the last
  ``window`` — the 31st in any sliding second.

A refusal is a 429 whose cause is kept (``per-chat``, ``overall``), beside ``injected`` for a
429 a test asked for, so a benchmark can tell which limit its client ran into.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

PER_CHAT = "per-chat"
OVERALL = "overall"
INJECTED = "injected"
WINDOW = 1.0  # seconds: "per second" in Telegram's limits, as a sliding window
# Methods that put or change a message in a chat: the ones Telegram's flood limits count.
PACED_PREFIXES = ("send", "edit", "copyMessage", "forwardMessage")


def is_paced(method: str) -> bool:
    """Whether the flood limits count calls of ``method``.

    >>> is_paced("sendMessage"), is_paced("editMessageText"), is_paced("sendChatAction")
    (True, True, False)
    """
    return method.startswith(PACED_PREFIXES) and method != "sendChatAction"


@dataclass(frozen=True, slots=True)
class Arrival:
    """One message-producing call as it reached the fake."""

    at: float  # time.monotonic() when the fake judged it
    method: str
    chat_id: int | None
    status: int  # what the client was answered; 0 for no answer (dropped, withheld)
    cause: str | None = None  # why a 429 or an injected fault: per-chat, overall, injected
    taken: bool = False  # the message took effect (shows in the chat), whatever the answer

    @property
    def refused(self) -> bool:
        return self.status == 429


@dataclass(frozen=True, slots=True)
class FloodRule:
    """Accepted messages allowed per ``window`` seconds, into one chat and overall."""

    per_chat: float = 1
    overall: float = 30
    window: float = WINDOW


@dataclass(frozen=True, slots=True)
class Refusal:
    cause: str
    retry_after: int  # whole seconds, at least 1, as Telegram gives them


@dataclass
class FloodControl:
    """The rule in force (None: nothing refused), the accepted messages it counts and every
    arrival. Not thread-safe: the fake calls it under its own lock."""

    rule: FloodRule | None = None
    arrivals: list[Arrival] = field(default_factory=list)
    # Accepted messages, kept for the longest window a rule may ask for.
    _accepted: deque[float] = field(default_factory=deque)
    _accepted_in_chat: dict[int, deque[float]] = field(default_factory=dict)

    def refusal(self, chat_id: int | None, now: float) -> Refusal | None:
        """Why a message arriving ``now`` into ``chat_id`` is refused, or None if it may go.

        >>> flood = FloodControl(FloodRule(per_chat=1, overall=30))
        >>> flood.accept(7, 10.0)
        >>> flood.refusal(7, 10.999)
        Refusal(cause='per-chat', retry_after=1)
        >>> flood.refusal(7, 11.0) is None
        True
        """
        rule = self.rule
        if rule is None:
            return None
        horizon = now - rule.window
        waits: list[tuple[float, str]] = []
        if chat_id is not None:
            in_chat = _recent(self._accepted_in_chat.get(chat_id, ()), horizon)
            if len(in_chat) >= rule.per_chat:
                waits.append((in_chat[-int(rule.per_chat)] - horizon, PER_CHAT))
        recent = _recent(self._accepted, horizon)
        if len(recent) >= rule.overall:
            waits.append((recent[-int(rule.overall)] - horizon, OVERALL))
        if not waits:
            return None
        # The chat's own pace is named first: it is the limit a sender most often gets wrong.
        cause = PER_CHAT if any(c == PER_CHAT for _, c in waits) else OVERALL
        return Refusal(cause, max(1, math.ceil(max(w for w, _ in waits))))

    def accept(self, chat_id: int | None, now: float) -> None:
        """Count a message that took effect at ``now``."""
        self._accepted.append(now)
        _forget_before(self._accepted, now - 2 * WINDOW)
        if chat_id is not None:
            in_chat = self._accepted_in_chat.setdefault(chat_id, deque())
            in_chat.append(now)
            _forget_before(in_chat, now - 2 * WINDOW)

    def record(self, arrival: Arrival) -> None:
        self.arrivals.append(arrival)


def _recent(times: Iterable[float], horizon: float) -> list[float]:
    # Strictly after the horizon: two messages exactly one window apart are in different ones.
    return [t for t in times if t > horizon]


def _forget_before(times: deque[float], horizon: float) -> None:
    while times and times[0] <= horizon:
        times.popleft()


def max_per_window(times: Iterable[float], window: float = WINDOW) -> int:
    """The most arrivals in any sliding ``window``: within less than ``window`` of each other.

    >>> max_per_window([0.0, 0.5, 0.99, 1.0, 1.5])
    3
    >>> max_per_window([])
    0
    """
    ordered = sorted(times)
    best = first = 0
    for last, at in enumerate(ordered):
        while at - ordered[first] >= window:
            first += 1
        best = max(best, last - first + 1)
    return best


def min_gap_per_chat(arrivals: Sequence[Arrival]) -> float | None:
    """The smallest gap between two arrivals into one chat; None if no chat had two.

    >>> a = [Arrival(0.0, "sendMessage", 1, 200), Arrival(0.3, "sendMessage", 2, 200),
    ...      Arrival(0.9, "sendMessage", 1, 429), Arrival(1.0, "sendMessage", 2, 200)]
    >>> round(min_gap_per_chat(a), 3)
    0.7
    """
    last: dict[int, float] = {}
    smallest: float | None = None
    for arrival in sorted(arrivals, key=lambda a: a.at):
        if arrival.chat_id is None:
            continue
        before = last.get(arrival.chat_id)
        if before is not None and (smallest is None or arrival.at - before < smallest):
            smallest = arrival.at - before
        last[arrival.chat_id] = arrival.at
    return smallest


def refusals_by_cause(arrivals: Iterable[Arrival]) -> dict[str, int]:
    """429s answered, per cause; every cause is present, zero included.

    >>> refusals_by_cause([Arrival(0.0, "sendMessage", 1, 429, PER_CHAT)])
    {'per-chat': 1, 'overall': 0, 'injected': 0}
    """
    counts = Counter(a.cause for a in arrivals if a.refused)
    return {cause: counts[cause] for cause in (PER_CHAT, OVERALL, INJECTED)}
