"""Sending one message through the Bot API, each outcome named by what Telegram may have seen.

PTB folds httpx's errors into TimedOut / NetworkError with the httpx error as `__cause__`;
that cause tells whether the request can have reached Telegram. A request that never left
(no connection, no pooled slot, not fully written) is retried; one whose answer was lost
after it was written is uncertain: Telegram has no idempotency key, so it is never repeated.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.digests.departure import Departure, NotClaimed, Outcome, Rows, SendResult
from bot.telegram.ratelimit import LamplightRateLimiter, retry_after_seconds
from bot.telegram.request import GatewayTimeout

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

# httpx errors raised before any byte of the request could reach Telegram.
NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.WriteError,
    httpx.WriteTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
)


def network_outcome(error: NetworkError) -> Outcome:
    """RETRY when the request cannot have reached Telegram or Telegram answered an error;
    UNCERTAIN when it was written and its answer is lost (read timeout or error, a dropped
    connection, a 504 from Telegram's front end)."""
    if isinstance(error, GatewayTimeout):
        return Outcome.UNCERTAIN
    cause = error.__cause__
    if cause is None:
        return Outcome.RETRY  # an HTTP error status Telegram answered (500, 502, 503)
    if isinstance(cause, NOT_SENT):
        return Outcome.RETRY
    return Outcome.UNCERTAIN


def keyboard(rows: Sequence[Sequence[Sequence[str]]]) -> InlineKeyboardMarkup | None:
    """Stored button rows ([label, data] pairs) as PTB's inline keyboard."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def send_html(
    bot: Bot,
    chat_id: int,
    html: str,
    buttons: Rows = (),
    *,
    departure: Departure | None = None,
) -> SendResult:
    """Send one Telegram-HTML message; never raises for Telegram's own refusals or the
    network. With a `departure`, the message is claimed (marked `sending` in the outbox)
    only once the rate limiter grants its departure, and the request leaves right after;
    the caller calls `departure.settled()` once it has recorded the outcome."""
    limited = isinstance(bot, ExtBot) and isinstance(bot.rate_limiter, LamplightRateLimiter)
    if departure is not None and not limited and not await departure.claim():
        return SendResult(Outcome.NOT_CLAIMED)  # no limiter to wait for: claim at once
    # Only an ExtBot (`limited`) takes rate_limit_args, which Bot's signature lacks: hence Any.
    limit: dict[str, Any] = {"rate_limit_args": departure} if departure and limited else {}
    try:
        sent = await bot.send_message(
            chat_id,
            html,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(buttons),
            link_preview_options=NO_PREVIEW,
            **limit,
        )
    except NotClaimed:
        return SendResult(Outcome.NOT_CLAIMED)
    except Forbidden as exc:
        return SendResult(Outcome.BLOCKED, error=exc.message)
    except RetryAfter as exc:
        seconds = retry_after_seconds(exc)
        return SendResult(
            Outcome.RETRY, error=f"rate limited for {seconds:g} s", retry_after=seconds
        )
    except BadRequest as exc:  # before NetworkError: PTB derives it from NetworkError
        log.error("Telegram refused a message to chat %s: %s", chat_id, exc.message)
        return SendResult(Outcome.REFUSED, error=exc.message)
    except NetworkError as exc:  # TimedOut too
        outcome = network_outcome(exc)
        log.warning("sending to chat %s: %s (%s)", chat_id, _describe(exc), outcome)
        return SendResult(outcome, error=_describe(exc))
    except TelegramError as exc:
        log.warning("sending to chat %s failed: %s", chat_id, exc.message)
        return SendResult(Outcome.RETRY, error=exc.message)
    except (TypeError, KeyError, ValueError) as exc:
        # Telegram said ok, in an answer PTB cannot read: the message went, its id is unknown.
        log.error("sending to chat %s: an answer not in Telegram's shape (%s)", chat_id, exc)
        return SendResult(Outcome.UNCERTAIN, error="an answer not in Telegram's shape")
    return SendResult(Outcome.SENT, message_id=sent.message_id)


def _describe(error: NetworkError) -> str:
    cause = error.__cause__
    return f"{error.message} (httpx.{type(cause).__name__})" if cause is not None else error.message
