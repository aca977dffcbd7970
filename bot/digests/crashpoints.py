"""Pause points for crash tests.

A crash test starts a real `lamplight run` with LAMPLIGHT_PAUSE_AT naming one of these points
and LAMPLIGHT_PAUSE_MARKER a file path; at that point the process writes the file and freezes,
and the test kills it with SIGKILL, exactly there. A test may instead send SIGTERM and then
delete the file: the process goes on from that point, with the signal waiting for it. Unset
(always, outside those tests), a pause point is one dictionary lookup.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

AFTER_COMPOSE = "after-compose"  # digests stored, nothing claimed for sending yet
BEFORE_RECORD = "before-record"  # the Bot API accepted a message; `sent` not yet recorded
# A message was sent and recorded while at least LAMPLIGHT_PAUSE_COUNT (default 1) others of
# the run wait for their rate-limiter slot.
SLOTS_QUEUED = "slots-queued"
RATE_HOLD = "rate-hold"  # a 429 came back: its message is pending again, its chat held


def pause_point(name: str, count: int = 1) -> None:
    if os.environ.get("LAMPLIGHT_PAUSE_AT") != name:
        return
    if count < int(os.environ.get("LAMPLIGHT_PAUSE_COUNT", "1")):
        return
    marker = Path(os.environ["LAMPLIGHT_PAUSE_MARKER"])
    marker.write_text(name, encoding="utf-8")
    # Frozen on purpose, event loop and all, until the test kills the process or lets it go.
    while marker.exists():
        time.sleep(0.05)
