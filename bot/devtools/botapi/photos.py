"""Photos as the fake Bot API takes them: the size of an uploaded PNG or JPEG, read from its
header, and Telegram's limits on it."""

from __future__ import annotations

import struct

from bot.devtools.botapi.errors import ApiError, bad_request

# Telegram's limits for a photo: 10 MB, width + height ≤ 10000, sides at most 1:20.
MAX_PHOTO = 10 * 1024 * 1024
MAX_PHOTO_SIDES = 10000
MAX_PHOTO_RATIO = 20


def photo_size(data: bytes) -> tuple[int, int]:
    """Width and height of an uploaded PNG or JPEG; refused as Telegram refuses a file it cannot
    decode as a photo, or one over its size limits. (Telegram takes WebP too; lamplight sends
    none, so here only the two are known.)"""
    if len(data) > MAX_PHOTO:
        raise ApiError(413, "Request Entity Too Large")
    size = _png_size(data) or _jpeg_size(data)
    if size is None:
        raise bad_request("IMAGE_PROCESS_FAILED")
    width, height = size
    if (
        not width
        or not height
        or width + height > MAX_PHOTO_SIDES
        or max(width, height) > MAX_PHOTO_RATIO * min(width, height)
    ):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    return size


def _png_size(data: bytes) -> tuple[int, int] | None:
    # The signature, then the IHDR chunk: length, type, width, height.
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or data[12:16] != b"IHDR" or len(data) < 33:
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    # Walk the segments to the first start-of-frame marker, which holds height then width.
    if not data.startswith(b"\xff\xd8"):
        return None
    at = 2
    while at + 9 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        at += 2 + length
    return None
