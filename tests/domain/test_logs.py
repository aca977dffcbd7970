"""The bot token never appears in a log line, whoever logs it."""

from __future__ import annotations

import logging

import pytest

from bot.logs import RedactSecrets

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
