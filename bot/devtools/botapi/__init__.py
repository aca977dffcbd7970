"""The fake Bot API: a local HTTP server that answers python-telegram-bot as Telegram does,
strictly (server.py), with Telegram's flood limits (limits.py) and the network's outcomes on
cue (network.py)."""

from bot.devtools.botapi.server import (
    TOKEN,
    FakeBotAPI,
    Message,
    parse_html,
    wait_for,
    wait_for_async,
)

__all__ = ["TOKEN", "FakeBotAPI", "Message", "parse_html", "wait_for", "wait_for_async"]
