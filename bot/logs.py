"""Logging set up once, at the edge; the bot token never reaches a log line."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Literal

# The Bot API URL carries the token (…/bot<token>/method): httpx logs request URLs at INFO.
_TOKEN_IN_URL = re.compile(r"(/bot|/file/bot)\d+:[A-Za-z0-9_-]+")
_NOISY = (
    "httpx",
    "httpcore",
    "alembic.runtime.plugins",  # seven "setup plugin" lines before each schema upgrade
    "apscheduler.scheduler",  # "Adding job tentatively" and the like, at every start
    "apscheduler.executors.default",
    "telegram.ext.Application",
)


class RedactSecrets(logging.Filter):
    """Replaces the configured secrets, and anything shaped like a token in a Bot API URL."""

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message, self._secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def redact(text: str, secrets: Sequence[str]) -> str:
    cleaned = _TOKEN_IN_URL.sub(r"\1<token>", text)
    for secret in secrets:
        cleaned = cleaned.replace(secret, "<secret>")
    return cleaned


class RedactingFormatter(logging.Formatter):
    """Masks secrets in the whole formatted line, tracebacks and extra fields included, which
    the filter (it sees only the message) cannot reach."""

    def __init__(self, inner: logging.Formatter, *secrets: str) -> None:
        super().__init__()
        self._inner = inner
        self._secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        return redact(self._inner.format(record), self._secrets)


def formatter(fmt: Literal["text", "json"], *secrets: str) -> logging.Formatter:
    """LOG_FORMAT's formatter: a plain line, or one JSON object a line (time, level, logger,
    message, and exception when there is one) for a log collector."""
    if fmt == "json":
        from pythonjsonlogger.json import JsonFormatter

        inner: logging.Formatter = JsonFormatter(
            "{levelname}{name}{message}",
            style="{",
            timestamp="time",
            rename_fields={"levelname": "level", "name": "logger", "exc_info": "exception"},
            json_ensure_ascii=False,
        )
    else:
        inner = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    return RedactingFormatter(inner, *secrets)


def configure_logging(level: str, *secrets: str, fmt: Literal["text", "json"] = "text") -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RedactSecrets(*secrets))
    handler.setFormatter(formatter(fmt, *secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in _NOISY:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
