"""The bot's answer to a button press: answerCallbackQuery, once per query, while it is open."""

from __future__ import annotations

from typing import Any

from bot.devtools.botapi.errors import bad_request
from bot.devtools.botapi.state import State
from bot.devtools.botapi.wire import Files

MAX_CALLBACK_ANSWER = 200


def answer_callback_query(state: State, params: dict[str, Any], files: Files) -> bool:
    query_id = str(params.get("callback_query_id") or "")
    if query_id not in state.open_queries:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    if len(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")
    del state.open_queries[query_id]
    state.answers[query_id] = dict(params)
    return True
