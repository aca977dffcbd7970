"""How the bot gets its updates: getUpdates (a long poll, one at a time) or a webhook
(setWebhook, deleteWebhook, getWebhookInfo)."""

from __future__ import annotations

import time
from typing import Any

from bot.devtools.botapi.errors import DEFAULT_DESCRIPTIONS, ApiError, bad_request
from bot.devtools.botapi.state import State
from bot.devtools.botapi.wire import Files

MAX_LONG_POLL = 50.0


def get_updates(state: State, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The updates after ``offset``, waiting up to ``timeout`` for one; a newer poll ends this
    one with a 409, as Telegram ends the older of two."""
    offset = int(params.get("offset") or 0)
    limit = int(params.get("limit") or 100)
    timeout = min(float(params.get("timeout") or 0), MAX_LONG_POLL)
    with state.lock:
        if state.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        if params.get("allowed_updates") is not None:
            state.allowed_updates = list(params["allowed_updates"])
        if offset > 0:  # confirms everything before it
            state.updates = [u for u in state.updates if u["update_id"] >= offset]
        state.poll_generation += 1
        _wait_for_updates(state, state.poll_generation, time.monotonic() + timeout)
        allowed = state.allowed_updates
        return [
            u for u in state.updates[:limit] if not allowed or any(kind in u for kind in allowed)
        ]


def _wait_for_updates(state: State, generation: int, deadline: float) -> None:
    state.lock.notify_all()  # an older long poll is now superseded
    while not state.updates and not state.closing.is_set():
        if state.poll_generation != generation:
            raise ApiError(409, DEFAULT_DESCRIPTIONS[409])
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        state.lock.wait(remaining)


def delete_webhook(state: State, params: dict[str, Any], files: Files) -> bool:
    state.webhook = None
    if params.get("drop_pending_updates"):
        state.updates.clear()
    return True


def set_webhook(state: State, params: dict[str, Any], files: Files) -> bool:
    url = params.get("url") or ""
    if not url:
        return delete_webhook(state, params, files)
    if not url.startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    state.webhook = dict(params)
    return True


def webhook_info(state: State, params: dict[str, Any], files: Files) -> dict[str, Any]:
    return {
        "url": (state.webhook or {}).get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates),
    }
