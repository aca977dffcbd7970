"""The bot token never appears in a log line, whoever logs it."""

from __future__ import annotations

import io
import json
import logging
from typing import Literal

import pytest

from bot.logs import RedactSecrets, formatter

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.mark.parametrize(
    "message",
    [
        f"HTTP Request: POST https://api.telegram.org/bot{TOKEN}/getUpdates",
        f"file at https://api.telegram.org/file/bot{TOKEN}/documents/a.md",
        f"token is {TOKEN}",
    ],
)
def test_tokens_are_masked(message: str, caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("lamplight.test")
    record = logger.makeRecord(logger.name, logging.INFO, __file__, 1, message, None, None)
    RedactSecrets(TOKEN).filter(record)
    assert TOKEN not in record.getMessage()
    assert "<token>" in record.getMessage() or "<secret>" in record.getMessage()


def emit(fmt: Literal["text", "json"], message: str, *, failing: bool = False) -> str:
    """What one log call writes through lamplight's filter and formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets(TOKEN))
    handler.setFormatter(formatter(fmt, TOKEN))
    logger = logging.getLogger(f"lamplight.test.{fmt}")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        if failing:
            try:
                raise ConnectionError(f"cannot reach https://api.telegram.org/bot{TOKEN}/getMe")
            except ConnectionError:
                logger.exception(message)
        else:
            logger.warning(message)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_json_logs_are_one_object_a_line_with_the_token_masked() -> None:
    line = emit("json", f"HTTP Request: POST https://api.telegram.org/bot{TOKEN}/getUpdates 200")
    assert line.count("\n") == 1
    record = json.loads(line)
    assert set(record) == {"time", "level", "logger", "message"}
    assert (record["level"], record["logger"]) == ("WARNING", "lamplight.test.json")
    assert (
        record["message"] == "HTTP Request: POST https://api.telegram.org/bot<token>/getUpdates 200"
    )
    assert record["time"].startswith("20")  # ISO 8601


def test_a_logged_exception_carries_no_token_in_either_format() -> None:
    record = json.loads(emit("json", "poll failed", failing=True))
    assert "ConnectionError" in record["exception"]
    assert TOKEN not in record["exception"] and "bot<token>/getMe" in record["exception"]
    text = emit("text", "poll failed", failing=True)
    assert "ConnectionError" in text and TOKEN not in text
    assert TOKEN.split(":")[1] not in text
