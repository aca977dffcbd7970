"""`lamplight demo`: the real bot, no Telegram account needed.

The sample notes are imported into a fresh embedded store, the same Application as
`lamplight run` talks to the local Bot API stand-in (bot/devtools/botapi), and the terminal is the
chat: what you type is sent as your message; typing a button's label presses it.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from pydantic import SecretStr
from telegram.ext import Application

from bot.bootstrap import utc_now
from bot.config import Settings
from bot.devtools.botapi import ChatMessage, FakeBotAPI
from bot.library.importer import import_paths
from bot.resources import bundled_path
from bot.store.db import Store, open_store
from bot.telegram.background import polling_in_thread

DEMO_USER = 4242
QUIET = 1.3  # answered once quiet this long (Telegram paces a chat at one message a second)
PATIENCE = 10.0

INTRO = """\
lamplight demo — the real bot on a local stand-in for Telegram, with the sample notes.
Type as you would in Telegram: /start, /digest, read 1, /settings, /help.
Buttons show as [labels]; type a label (e.g. ✅ Read 1) to press it. Ctrl-D or /quit ends."""


def buttons_line(message: ChatMessage) -> str:
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return "\n".join(" ".join(f"[{b['text']}]" for b in row) for row in rows)


def show(message: ChatMessage) -> str:
    text = message.visible_text or message.caption or ""
    keys = buttons_line(message)
    return f"{text}\n{keys}".rstrip() if keys else text


class DemoChat:
    """The terminal user's side of the chat."""

    def __init__(self, api: FakeBotAPI, user_id: int = DEMO_USER) -> None:
        self.api, self.user_id = api, user_id
        self._shown: dict[int, tuple[int, str]] = {}  # message id → (edits, text) shown

    def say(self, line: str) -> list[str]:
        """Send a line (or press the button it names); returns what the bot showed."""
        label = line.strip().strip("[]").strip()
        target = self._message_with_button(label)
        if target is not None:
            data = dict(target.buttons())[label]
            query = self.api.user_taps(self.user_id, target.message_id, data or "")
            return [*self._wait(), *self._toast(query)]
        self.api.user_sends(self.user_id, line, first_name="Demo", language_code="en")
        return self._wait()

    def _message_with_button(self, label: str) -> ChatMessage | None:
        for message in reversed(self.api.messages(self.user_id)):
            if message.from_bot and label in dict(message.buttons()):
                return message
        return None

    def _toast(self, query: str) -> list[str]:
        answer = self.api.answer(query) or {}
        return [f"({answer['text']})"] if answer.get("text") else []

    def _wait(self) -> list[str]:
        deadline, last_change, seen = time.monotonic() + PATIENCE, time.monotonic(), self._state()
        while time.monotonic() < deadline:
            time.sleep(0.05)
            now = self._state()
            if now != seen:
                seen, last_change = now, time.monotonic()
            elif time.monotonic() - last_change > QUIET and now != self._shown_state():
                break
        return self._new_output()

    def _state(self) -> dict[int, int]:
        return {m.message_id: m.edits for m in self.api.messages(self.user_id) if m.from_bot}

    def _shown_state(self) -> dict[int, int]:
        return {message_id: edits for message_id, (edits, _) in self._shown.items()}

    def _new_output(self) -> list[str]:
        out = []
        for message in self.api.messages(self.user_id):
            if not message.from_bot:
                continue
            text = message.visible_text or message.caption or ""
            before = self._shown.get(message.message_id)
            if before is None:
                out.append(show(message))
            elif before[0] != message.edits:
                # An edit that only redraws the buttons shows just the buttons.
                out.append(
                    f"(buttons) {buttons_line(message)}" if before[1] == text else show(message)
                )
            self._shown[message.message_id] = (message.edits, text)
        return out


def run_demo(
    lines: Iterable[str],
    out: Callable[[str], None],
    *,
    build_bot: Callable[[Settings, Store], Application],
    data_dir: Path | None = None,
) -> None:
    """Run the demo over `lines` (the terminal's, or a script's), printing with `out`;
    `build_bot` puts the bot together with its scheduled jobs (jobs/process.py)."""
    with tempfile.TemporaryDirectory(prefix="lamplight-demo-") as scratch, FakeBotAPI() as api:
        home = data_dir or Path(scratch)
        settings = Settings(
            telegram_bot_token=SecretStr(api.token),
            telegram_api_base_url=api.base_url,
            telegram_api_file_url=api.base_file_url,
            database_url=f"sqlite:///{home / 'demo.sqlite3'}",
            lamplight_data_dir=home,
            allowed_user_ids=(DEMO_USER,),
            admin_user_ids=(DEMO_USER,),
            enrich=False,  # a few minutes of trying the bot ask arXiv nothing
        )
        store = open_store(settings.store_url)
        import_paths(store, [bundled_path("examples")], settings=settings, now=utc_now())
        chat = DemoChat(api)
        try:
            with polling_in_thread(build_bot(settings, store)):
                out(INTRO)
                for line in lines:
                    if line.strip() in ("/quit", "/exit"):
                        break
                    if line.strip():
                        out(f"> {line.strip()}")
                        for shown in chat.say(line.strip()):
                            out(shown)
        finally:
            store.dispose()
