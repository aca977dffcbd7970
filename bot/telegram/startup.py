"""Start-up: wait until Telegram answers before polling, one warning line per failed try.

After a reboot the network (or a proxy, or DNS) may come up after the bot. PTB's own bootstrap
loop retries only quietly and ends in tracebacks, so the first getMe is tried here, on the
event loop that run_polling/run_webhook then take over (both use asyncio.get_event_loop()).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Coroutine, Iterable, Iterator
from typing import Any

from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.telegram.ratelimit import retry_after_seconds

log = logging.getLogger(__name__)

FIRST_PAUSE = 1.0  # seconds
GROWTH = 1.5
LONGEST_PAUSE = 30.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class TelegramRefused(Exception):
    """Telegram refused the bot's token, or the server at TELEGRAM_API_BASE_URL answers as
    Telegram never does: no retry can help; the message says what to do."""


def pauses(
    first: float = FIRST_PAUSE, growth: float = GROWTH, longest: float = LONGEST_PAUSE
) -> Iterator[float]:
    """The waits between tries: growing by `growth`, never longer than `longest`."""
    pause = first
    while True:
        yield pause
        pause = min(longest, pause * growth)


def connect(app: Application) -> bool:
    """Initialise `app` (its getMe) on a new current event loop, trying until Telegram answers.
    True: the loop stays current and open for run_polling/run_webhook. False: a stop signal
    came first; the loop is closed. TelegramRefused: the token is wrong."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    reached = False
    try:
        reached = loop.run_until_complete(_reach_until_signalled(app))
    finally:
        if not reached:
            loop.run_until_complete(app.bot.shutdown())  # the HTTP clients a try opened
            loop.close()
    return reached


async def _reach_until_signalled(app: Application) -> bool:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # run_polling/run_webhook put their own handlers in place of these once they start.
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    reached = await reach_telegram(app, stop)
    if not reached:
        log.info("stopped while waiting for Telegram")
    return reached and not stop.is_set()


async def reach_telegram(
    app: Application,
    stop: asyncio.Event,
    waits: Iterable[float] | None = None,
) -> bool:
    """Try `app.initialize()` until it succeeds (True) or `stop` is set (False), logging one
    warning line per failed try and no traceback."""
    for pause in waits if waits is not None else pauses():
        try:
            return await _unless_stopped(app.initialize(), stop)
        except InvalidToken as exc:
            # Bot.initialize's own message holds the token; the server's answer is its cause.
            answer = exc.__cause__.message if isinstance(exc.__cause__, InvalidToken) else "401"
            raise TelegramRefused(
                f"Telegram refused TELEGRAM_BOT_TOKEN ({answer}); check the token from @BotFather"
            ) from None
        except RetryAfter as exc:
            pause = max(pause, retry_after_seconds(exc))
            reason = exc.message
        except NetworkError as exc:  # refused, unreachable, DNS, proxy, timed out, 5xx
            reason = exc.message
        except TelegramError as exc:  # an answer, but a refusal no retry changes
            raise TelegramRefused(
                f"the Bot API at TELEGRAM_API_BASE_URL refused getMe ({exc.message})"
            ) from None
        except (TypeError, KeyError, ValueError) as exc:  # PTB could not read the answer
            raise TelegramRefused(
                "the Bot API at TELEGRAM_API_BASE_URL answered getMe in a shape Telegram never "
                f"sends ({exc}); check that it is a Telegram Bot API server"
            ) from None
        shown = f"{round(pause, 1):g}"
        log.warning("Telegram is not reachable yet (%s); trying again in %s s", reason, shown)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), pause)
        if stop.is_set():
            return False
    return False


async def _unless_stopped(action: Coroutine[Any, Any, None], stop: asyncio.Event) -> bool:
    """Run `action`: True once it is done, False (and `action` cancelled) if `stop` is set
    first. Its exception, if any, is raised."""
    task = asyncio.ensure_future(action)
    stopped = asyncio.ensure_future(stop.wait())
    await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return False
    task.result()
    return True
