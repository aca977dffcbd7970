"""Sending one message through the Bot API, with each failure given a named outcome."""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.telegram.ratelimit import retry_after_seconds

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class Outcome(enum.StrEnum):
    SENT = "sent"
    RETRY = "retry"  # timeouts, 5xx, a 429 the rate limiter could not wait out: try later
    BLOCKED = "blocked"  # 403: the user blocked the bot
    REFUSED = "refused"  # 400: Telegram will never take this message as it is


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: Outcome
    message_id: int | None = None
    error: str = ""


def keyboard(rows: Sequence[Sequence[Sequence[str]]]) -> InlineKeyboardMarkup | None:
    """Stored button rows ([label, data] pairs) as PTB's inline keyboard."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def send_html(
    bot: Bot, chat_id: int, html: str, buttons: Sequence[Sequence[Sequence[str]]] = ()
) -> SendResult:
    """Send one Telegram-HTML message; never raises for Telegram's own refusals."""
    try:
        sent = await bot.send_message(
            chat_id,
            html,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(buttons),
            link_preview_options=NO_PREVIEW,
        )
    except Forbidden as exc:
        return SendResult(Outcome.BLOCKED, error=exc.message)
    except RetryAfter as exc:
        return SendResult(Outcome.RETRY, error=f"rate limited for {retry_after_seconds(exc)} s")
    except BadRequest as exc:  # before NetworkError: PTB derives it from NetworkError
        log.error("Telegram refused a message to chat %s: %s", chat_id, exc.message)
        return SendResult(Outcome.REFUSED, error=exc.message)
    except NetworkError as exc:
        return SendResult(Outcome.RETRY, error=exc.message)
    except TelegramError as exc:
        log.warning("sending to chat %s failed: %s", chat_id, exc.message)
        return SendResult(Outcome.RETRY, error=exc.message)
    return SendResult(Outcome.SENT, message_id=sent.message_id)
