"""Where the running bot beats its heartbeat (bot/health.py): each getUpdates poll that
returns; in webhook mode each update, and each minute."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler
from telegram.request import HTTPXRequest

from bot.health import BeatSource, Heartbeat
from bot.telegram.request import TelegramRequest


class HeartbeatRequest(TelegramRequest):
    """The request for getUpdates (ApplicationBuilder.get_updates_request), beating after
    each poll Telegram answers; one connection, as PTB's own default for it."""

    def __init__(self, heartbeat: Heartbeat) -> None:
        super().__init__(pool_size=1)
        self._heartbeat = heartbeat

    def answered(self, code: int) -> None:
        super().answered(code)
        if code == HTTPStatus.OK:
            self._heartbeat.beat(BeatSource.POLL)


def polling_request(heartbeat: Heartbeat | None) -> HTTPXRequest:
    """The getUpdates request: PTB's default, beating when there is a heartbeat to keep."""
    return (
        HTTPXRequest(connection_pool_size=1) if heartbeat is None else HeartbeatRequest(heartbeat)
    )


def keep_heartbeat(app: Application, heartbeat: Heartbeat, *, webhook: bool) -> None:
    """A polling bot beats in its getUpdates request (see polling_request). A webhook bot has no
    polls: it beats on every update, and every minute beside the digest sweep, so a quiet bot
    that is alive stays healthy."""
    if not webhook:
        return

    async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        heartbeat.beat(BeatSource.UPDATE)

    app.add_handler(TypeHandler(Update, on_update), group=-2)  # before the access gate
    scheduler = app.bot_data.get("scheduler")
    if scheduler is not None:
        scheduler.add_job(
            heartbeat.beat,
            "interval",
            minutes=1,
            args=[BeatSource.SWEEP],
            id="heartbeat",
            next_run_time=dt.datetime.now(dt.UTC),  # healthy from start, before any update
            misfire_grace_time=None,  # run however late the scheduler starts (a busy machine)
        )
