"""The fake Bot API's HTTP wire: the parameters of a request as PTB encodes them (query string,
form, multipart with uploads, JSON), and the bytes of an answer."""

from __future__ import annotations

import contextlib
import json
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

Files = dict[str, tuple[str, bytes]]  # form field -> (filename, bytes) of an upload

# Values PTB sends as plain strings; everything else it JSON-encodes (RequestParameter).
STRING_PARAMS = frozenset(
    [
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "secret_token",
        "file_id",
        "inline_message_id",
        "description",
        "short_description",
        "language_code",
        "ip_address",
        "photo",
        "document",
        "action",
        "emoji",
        "name",
        "title",
        "business_connection_id",
        "message_effect_id",
    ]
)


def read_params(request: BaseHTTPRequestHandler) -> tuple[dict[str, Any], Files]:
    """The parameters and uploaded files of ``request``."""
    length = int(request.headers.get("Content-Length") or 0)
    body = request.rfile.read(length) if length else b""
    ctype = request.headers.get("Content-Type", "")
    pairs = parse_qsl(urlsplit(request.path).query, keep_blank_values=True)
    files: Files = {}
    if ctype.startswith("application/json") and body:
        data = json.loads(body)
        return {**_decode_params(pairs), **data}, files
    if ctype.startswith("application/x-www-form-urlencoded"):
        pairs += parse_qsl(body.decode(), keep_blank_values=True)
    elif ctype.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body
        )
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            # PTB's form fields: a plain name parameter, each part a leaf holding bytes
            assert isinstance(name, str) and isinstance(payload, bytes)
            filename = part.get_filename()
            if filename is not None:
                files[name] = (filename, payload)
            else:
                pairs.append((name, payload.decode()))
    return _decode_params(pairs), files


def reply_bytes(request: BaseHTTPRequestHandler, status: int, payload: bytes) -> None:
    """Answer ``request`` with a JSON ``payload``."""
    try:
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        request.wfile.write(payload)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up (timed out); Telegram would not notice either


def _decode_params(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, raw in pairs:
        value: Any = raw
        if key not in STRING_PARAMS:
            with contextlib.suppress(ValueError):
                value = json.loads(raw)
        params[key] = value
    return params
