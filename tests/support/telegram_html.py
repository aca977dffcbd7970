"""What Telegram accepts as an HTML-mode message, checked by the fake Bot API's own checker
(bot/devtools/botapi/html.py: Telegram's rules, and where it is stricter on purpose)."""

from __future__ import annotations

from bot.devtools.botapi.html import MAX_TEXT, html_problems

__all__ = ["assert_telegram_html", "html_problems"]


def assert_telegram_html(source: str, *, max_units: int | None = MAX_TEXT) -> None:
    problems = html_problems(source, max_units=max_units)
    assert not problems, f"{problems} in {source[:300]!r}"
