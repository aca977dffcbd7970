"""Running an Application with long polling on its own event loop in a thread: the demo's
terminal and the tests stay plain synchronous code beside it."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

from telegram.ext import Application

T = TypeVar("T")
START_TIMEOUT = 10.0


class Running:
    """A running application and a way to run coroutines (e.g. a sweep) on its loop."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self.application = application
        self.loop = loop

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = START_TIMEOUT) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)


@contextlib.contextmanager
def polling_in_thread(
    application: Application[Any, Any, Any, Any, Any, Any], *, timeout: float = START_TIMEOUT
) -> Iterator[Running]:
    """Run ``application`` with long polling for the block; errors raised while starting or
    stopping surface in the caller."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    stop: asyncio.Event | None = None
    failure: list[BaseException] = []

    async def run() -> None:
        nonlocal stop
        stop = asyncio.Event()
        async with application:
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0, timeout=1)
            started.set()
            await stop.wait()
            await application.updater.stop()
            await application.stop()

    def main() -> None:
        try:
            loop.run_until_complete(run())
        except BaseException as error:  # handed to the caller's thread below
            failure.append(error)
        finally:
            started.set()
            loop.close()

    thread = threading.Thread(target=main, name="lamplight-bot", daemon=True)
    thread.start()
    started.wait(timeout)
    if failure:
        raise failure[0]
    try:
        yield Running(application, loop)
    finally:
        if stop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stop.set)
        thread.join(timeout)
        if thread.is_alive():
            raise RuntimeError("the bot did not stop in time")
        if failure:
            raise failure[0]
