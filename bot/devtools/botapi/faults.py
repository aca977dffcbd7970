"""Faults a test plans, as a part of FakeBotAPI (server.py): errors, hangs and withheld answers
for the next calls of a method, and Telegram's flood limits (limits.py). Going down and coming
back are the server's own (server.py)."""

from __future__ import annotations

from bot.devtools.botapi.limits import FloodRule
from bot.devtools.botapi.records import Fault
from bot.devtools.botapi.state import State


class Faults:
    """FakeBotAPI's fault injection, on its ``state``."""

    state: State

    def fail_next(
        self,
        method: str,
        status: int = 429,
        *,
        retry_after: int | None = None,
        description: str | None = None,
        chat_id: int | None = None,
        times: int = 1,
        deliver: bool = False,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (to ``chat_id``, if given) with an error.

        429 defaults to ``retry_after=3``; descriptions default to Telegram's. With ``deliver``
        the call first takes effect as it would have (the message shows in the chat), as when
        a gateway answers 504 Gateway Timeout for a request Telegram went on to carry out.
        """
        if status == 429 and retry_after is None:
            retry_after = 3
        with self.state.lock:
            for _ in range(times):
                self.state.faults.append(
                    Fault(method, chat_id, status, description, retry_after, deliver=deliver)
                )

    def hang_next(
        self, method: str, seconds: float, *, chat_id: int | None = None, deliver: bool = False
    ) -> None:
        """Hold the next call of ``method`` for ``seconds`` (the client times out meanwhile).

        With ``deliver`` the call then takes effect, as when Telegram got it but the answer was
        lost; without, the connection is dropped and nothing happens.
        """
        with self.state.lock:
            self.state.faults.append(Fault(method, chat_id, hang=seconds, deliver=deliver))

    def hold_answer_next(
        self, method: str, *, chat_id: int | None = None, seconds: float = 60.0
    ) -> None:
        """The next call of ``method`` takes effect at once (the message shows in the chat) but
        its answer is held back: for ``seconds``, until the client hangs up, or until the fake
        goes down or closes; then the connection is closed unanswered. The client times out
        (``httpx.ReadTimeout``) not knowing the message went. :meth:`held_requests` counts
        the requests held now, so a test can act exactly while one is out. A call the fake
        refuses (a 429, a bad request) takes no effect and is answered as usual.
        """
        with self.state.lock:
            self.state.faults.append(Fault(method, chat_id, withhold=seconds))

    def garble_next(self, method: str, *, chat_id: int | None = None) -> None:
        """The next call of ``method`` takes effect, and its answer says ``ok`` with a result
        missing what Telegram always sends (a message without its chat and date), as a
        stand-in server or a proxy that rewrites answers might: the client cannot read it."""
        with self.state.lock:
            self.state.faults.append(Fault(method, chat_id, garble=True))

    def enforce_limits(
        self,
        per_chat_per_second: float | None = 1,
        global_per_second: float | None = 30,
        *,
        slack: float = 0.0,
        second: float = 1.0,
    ) -> None:
        """Answer 429 (``Too Many Requests: retry after N``) to a message call that comes
        faster than the limits, counting the messages accepted in a sliding window of
        ``1 - slack`` seconds (exactly 1 s by default; limits.py). Every arrival
        is recorded either way: :meth:`arrivals`, :meth:`refusals_by_cause`.

        ``second`` is how long Telegram's second lasts here: a test that is not about pacing
        shortens it, and paces its bot to match, to run in a fraction of the time with the
        limits still enforced. A 429's retry_after stays in whole real seconds.
        """
        if not 0 <= slack < 1:
            raise ValueError("slack must be at least 0 and less than 1 second")
        if second <= 0:
            raise ValueError("a second must last some time")
        with self.state.lock:
            self.state.flood.rule = FloodRule(
                per_chat=per_chat_per_second or float("inf"),
                overall=global_per_second or float("inf"),
                window=second * (1.0 - slack),
            )

    def stop_enforcing(self) -> None:
        with self.state.lock:
            self.state.flood.rule = None

    def held_requests(self) -> int:
        """Requests taken whose answer is being held back now (see :meth:`hold_answer_next`)."""
        with self.state.lock:
            return self.state.withheld
