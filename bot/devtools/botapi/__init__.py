"""The fake Bot API: a local HTTP server that answers python-telegram-bot as Telegram does,
strictly (server.py, the methods in calls.py and methods.py, Telegram's HTML in html.py),
with Telegram's flood limits (limits.py) and the network's outcomes on cue (network.py)."""

from bot.devtools.botapi.html import parse_html
from bot.devtools.botapi.records import ChatMessage
from bot.devtools.botapi.server import TOKEN, FakeBotAPI
from bot.devtools.botapi.waiting import wait_for, wait_for_async

__all__ = ["TOKEN", "ChatMessage", "FakeBotAPI", "parse_html", "wait_for", "wait_for_async"]
