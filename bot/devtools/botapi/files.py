"""Files users sent the bot: getFile, and the download of its bytes from the file URL."""

from __future__ import annotations

import time
from typing import Any

from bot.devtools.botapi.errors import ApiError, bad_request
from bot.devtools.botapi.records import Call
from bot.devtools.botapi.state import State
from bot.devtools.botapi.wire import Files

MAX_DOWNLOAD = 20 * 1024 * 1024


def get_file(state: State, params: dict[str, Any], files: Files) -> dict[str, Any]:
    file_id = str(params.get("file_id") or "")
    if file_id not in state.files:
        raise bad_request("invalid file_id")
    path, data = state.files[file_id]
    if len(data) > MAX_DOWNLOAD:
        raise bad_request("file is too big")
    return {
        "file_id": file_id,
        "file_unique_id": f"U{file_id}",
        "file_size": len(data),
        "file_path": path,
    }


def download(state: State, path: str) -> bytes:
    """The bytes at ``path`` (a getFile ``file_path``); the download is recorded as a call."""
    with state.lock:
        state.calls.append(Call("download", {"file_path": path}, time.monotonic()))
        for stored_path, data in state.files.values():
            if stored_path == path:
                return data
    raise ApiError(404, "Not Found")
