"""Pause points for crash tests.

A crash test starts a real `lamplight run` with LAMPLIGHT_PAUSE_AT naming one of these points
and LAMPLIGHT_PAUSE_MARKER a file path; at that point the process writes the file and freezes,
and the test kills it with SIGKILL, exactly there. Unset (always, outside those tests), a
pause point is one dictionary lookup.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

AFTER_COMPOSE = "after-compose"  # digests stored, nothing claimed for sending yet
BEFORE_RECORD = "before-record"  # the Bot API accepted a message; `sent` not yet recorded


def pause_point(name: str) -> None:
    if os.environ.get("LAMPLIGHT_PAUSE_AT") != name:
        return
    Path(os.environ["LAMPLIGHT_PAUSE_MARKER"]).write_text(name, encoding="utf-8")
    while True:  # frozen on purpose, event loop and all, until the test kills the process
        time.sleep(60)
