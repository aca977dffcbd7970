"""How one call goes through the fake Bot API: the fault a test planned for it, the flood
limits, the method itself, and the record of the call and of its arrival (limits.py).

A call ends in an answer (``call`` returns its body or raises ApiError), or in none: Dropped
(the fake hangs up) or Withheld (it took effect; its answer is held back, then never given).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bot.devtools.botapi.errors import DEFAULT_DESCRIPTIONS, ApiError, retry_after_error
from bot.devtools.botapi.limits import INJECTED, Arrival, is_paced
from bot.devtools.botapi.methods import dispatch
from bot.devtools.botapi.records import Fault, as_chat_id
from bot.devtools.botapi.state import State
from bot.devtools.botapi.updates import get_updates
from bot.devtools.botapi.wire import Files


class Dropped(Exception):
    """The fake hangs up without answering."""


class Withheld(Exception):
    """The call took effect; its answer is held back for ``seconds``, then never given."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


@dataclass
class _Judged:
    """What became of a call on its way through the fake, for its arrival record."""

    at: float  # when the flood rule judged it (or when it arrived, if it never got that far)
    chat_id: int | None
    cause: str | None = None
    taken: bool = False


def call(state: State, method: str, params: dict[str, Any], files: Files) -> dict[str, Any]:
    """The body of the answer to one call of ``method``, once it has taken effect."""
    chat_id = as_chat_id(params.get("chat_id"))
    with state.lock:
        fault = next((f for f in state.faults if f.matches(method, chat_id)), None)
        if fault is not None:
            state.faults.remove(fault)
    judged = _Judged(time.monotonic(), chat_id)
    status = 0  # no answer, unless one is given below
    try:
        body = _answer(state, method, params, files, fault, judged)
        status = 200
        return body
    except ApiError as error:
        status = error.status
        raise
    finally:
        if is_paced(method):
            arrival = Arrival(judged.at, method, chat_id, status, judged.cause, judged.taken)
            with state.lock:
                state.flood.record(arrival)


def _answer(
    state: State,
    method: str,
    params: dict[str, Any],
    files: Files,
    fault: Fault | None,
    judged: _Judged,
) -> dict[str, Any]:
    arrived, result = judged.at, None
    injected = fault_error(fault) if fault is not None else None
    try:
        if fault is not None and fault.hang:
            state.closing.wait(fault.hang)
            if not fault.deliver:
                state.record(method, params, arrived, 0, "dropped after hang")
                raise Dropped
        elif injected is not None and fault is not None and not fault.deliver:
            raise injected
        result = _take_effect(state, method, params, files, judged)
        if injected is not None:
            raise injected  # taken, and yet the error answers
    except ApiError as refused:
        # Whatever Telegram made of it, an injected answer is what reaches the client.
        error = refused if injected is None else injected
        if injected is not None:
            judged.cause = INJECTED
        state.record(method, params, arrived, error.status, error.description, result)
        raise error from None
    state.record(method, params, arrived, 200, None, result)
    if fault is not None and fault.withhold:
        raise Withheld(fault.withhold)
    if fault is not None and fault.garble and isinstance(result, dict):
        result = {"message_id": result["message_id"]} if "message_id" in result else {}
    return {"ok": True, "result": result}


def _take_effect(
    state: State, method: str, params: dict[str, Any], files: Files, judged: _Judged
) -> Any:
    if method == "getUpdates":
        return get_updates(state, params)
    paced = is_paced(method)
    with state.lock:
        # Judged under the lock, so arrivals are in time order and counted exactly.
        judged.at = time.monotonic()
        refusal = state.flood.refusal(judged.chat_id, judged.at) if paced else None
        if refusal is not None:
            judged.cause = refusal.cause
            raise retry_after_error(refusal.retry_after)
        result = dispatch(state, method, params, files)
        if paced:
            state.flood.accept(judged.chat_id, judged.at)
            judged.taken = True
        return result


def fault_error(fault: Fault) -> ApiError | None:
    """The error a fault answers with; None for a fault that only delays or withholds."""
    if fault.status is None:
        return None
    if fault.description:
        description = fault.description
    elif fault.status == 429:
        description = f"Too Many Requests: retry after {fault.retry_after}"
    else:
        description = DEFAULT_DESCRIPTIONS.get(fault.status, "Internal Server Error")
    parameters = {"retry_after": fault.retry_after} if fault.retry_after else None
    return ApiError(fault.status, description, parameters)
