"""Logging set up once, at the edge; the bot token never reaches a log line."""

from __future__ import annotations

import logging
import re

# The Bot API URL carries the token (…/bot<token>/method): httpx logs request URLs at INFO.
_TOKEN_IN_URL = re.compile(r"(/bot|/file/bot)\d+:[A-Za-z0-9_-]+")
_NOISY = ("httpx", "httpcore", "apscheduler.executors.default", "telegram.ext.Application")


class RedactSecrets(logging.Filter):
    """Replaces the configured secrets, and anything shaped like a token in a Bot API URL."""

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _TOKEN_IN_URL.sub(r"\1<token>", message)
        for secret in self._secrets:
            cleaned = cleaned.replace(secret, "<secret>")
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def configure_logging(level: str, *secrets: str) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RedactSecrets(*secrets))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in _NOISY:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
