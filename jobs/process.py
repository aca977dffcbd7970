"""The running bot with its scheduled jobs: put together for `lamplight run` and the demo."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from telegram.ext import Application

from bot.bootstrap import build_store, settle_heap, utc_now
from bot.config import Settings
from bot.digests.departure import Send
from bot.health import Heartbeat
from bot.store.db import Store
from bot.store.sender_lease import SenderLease, open_sender_lease
from bot.telegram.application import build_application
from bot.telegram.handlers.common import Services
from jobs.scheduler import Scheduler, build_scheduler

log = logging.getLogger(__name__)


def build_bot(
    settings: Settings,
    store: Store,
    *,
    heartbeat: Heartbeat | None = None,
    lease: SenderLease | None = None,
) -> Application:
    """The Telegram application with its handlers and the scheduled jobs (run only while
    `lease` is held, when there is one)."""

    def jobs(send: Send) -> Scheduler:
        return build_scheduler(
            store=store, send=send, clock=utc_now, settings=settings, lease=lease
        )

    services = Services(settings, store, utc_now)
    return build_application(services, jobs=jobs, heartbeat=heartbeat)


def run_bot(settings: Settings) -> None:
    """`lamplight run`: long polling, or a webhook when WEBHOOK_URL is set. Waits for Telegram
    to answer first; blocks until SIGINT/SIGTERM, then PTB stops the updater and the
    application cleanly. Raises TelegramRefused when the token is refused."""
    from bot.telegram.startup import connect

    store = build_store(settings)
    try:
        # One sender per install: on SQLite taken now or refused (StoreInUse, one line); on
        # PostgreSQL asked before each scheduled run, so replicas take over from each other.
        lease = open_sender_lease(settings.store_url)
    except BaseException:
        store.dispose()
        raise
    # `lamplight health` (the container's HEALTHCHECK) reads this heartbeat in the data dir.
    app = build_bot(settings, store, heartbeat=Heartbeat(settings.data_dir), lease=lease)
    settle_heap()
    try:
        if connect(app):
            _serve(settings, app)
    finally:
        lease.close()
        store.dispose()


def _serve(settings: Settings, app: Application) -> None:
    # Telegram answered once; later start-up calls (deleteWebhook, setWebhook) retry for ever.
    if settings.webhook_url:
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        log.info("lamplight is listening for webhook updates on port %s", settings.webhook_port)
        app.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            # The listener answers at the public URL's path; a proxy forwards it unchanged.
            url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
            webhook_url=settings.webhook_url,
            secret_token=secret,
            bootstrap_retries=-1,
        )
    else:
        log.info("lamplight is polling for updates")
        app.run_polling(bootstrap_retries=-1)
