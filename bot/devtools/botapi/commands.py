"""The bot's command menus: setMyCommands, getMyCommands, deleteMyCommands, one list per scope
and language."""

from __future__ import annotations

import re
from typing import Any

from bot.devtools.botapi.errors import bad_request
from bot.devtools.botapi.state import State
from bot.devtools.botapi.wire import Files


def commands_key(params: dict[str, Any]) -> str:
    """Where a command list is kept: ``<scope type>:<language code>``, e.g. ``default:zh``."""
    scope = (params.get("scope") or {}).get("type", "default")
    return f"{scope}:{params.get('language_code') or ''}"


def set_my_commands(state: State, params: dict[str, Any], files: Files) -> bool:
    commands = params.get("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("commands must be an array of at most 100 BotCommand")
    for command in commands:
        if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("command description is empty or too long")
    state.commands[commands_key(params)] = commands
    return True


def get_my_commands(state: State, params: dict[str, Any], files: Files) -> list[dict[str, Any]]:
    return state.commands.get(commands_key(params), [])


def delete_my_commands(state: State, params: dict[str, Any], files: Files) -> bool:
    state.commands.pop(commands_key(params), None)
    return True
