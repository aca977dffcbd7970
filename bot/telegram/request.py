"""The HTTP client under the bot's Bot API calls: PTB's httpx request, told apart where the
outcome of a send depends on it."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, TypedDict, Unpack

import httpx
from telegram.error import NetworkError
from telegram.request import BaseRequest, HTTPXRequest, RequestData

# A pooled connection is dropped after this long idle, well before servers close idle
# connections (typically a minute or more): a request never leaves on a connection the server
# is closing, which would lose its answer and make a plain morning send look uncertain.
KEEPALIVE_EXPIRY = 5.0
POOL_SIZE = 256  # PTB's own default for the bot's requests


class Timeouts(TypedDict, total=False):
    """PTB's timeouts that TelegramRequest passes on (seconds; None waits forever)."""

    read_timeout: float | None
    write_timeout: float | None
    connect_timeout: float | None
    pool_timeout: float | None
    media_write_timeout: float | None


class GatewayTimeout(NetworkError):
    """Telegram's front end answered 504: the request reached it, its fate is unknown."""


class TelegramRequest(HTTPXRequest):
    """PTB's HTTPXRequest with an explicit keep-alive expiry, raising GatewayTimeout on 504
    (PTB folds every 5xx into one NetworkError); `answered` sees every status Telegram gave."""

    def __init__(
        self,
        keepalive_expiry: float = KEEPALIVE_EXPIRY,
        pool_size: int = POOL_SIZE,
        **timeouts: Unpack[Timeouts],
    ) -> None:
        """`timeouts`: any of HTTPXRequest's (see Timeouts); the rest keep PTB's defaults."""
        limits = httpx.Limits(
            max_connections=pool_size,
            max_keepalive_connections=pool_size,
            keepalive_expiry=keepalive_expiry,
        )
        super().__init__(
            connection_pool_size=pool_size, httpx_kwargs={"limits": limits}, **timeouts
        )

    def answered(self, code: int) -> None:
        """Telegram answered with HTTP status `code`."""
        if code == HTTPStatus.GATEWAY_TIMEOUT:
            raise GatewayTimeout("Gateway Timeout (504)")

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        code, payload = await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        self.answered(code)
        return code, payload
