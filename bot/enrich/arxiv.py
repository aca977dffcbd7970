"""The arXiv API over HTTP: one GET, bounded in time and size, read into papers.

Never raises for a network or API problem: every request ends in an :class:`ArxivReply`, a failure
naming what went wrong and the Retry-After arXiv sent, if any. Pacing is the caller's
(``bot.enrich.run`` with ``bot.store.pace``): this client holds one connection, never kept
open after its answer, so requests from every process of the install take turns.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from bot.enrich.atom import MalformedAnswer, parse_answer
from bot.enrich.matching import Paper
from bot.enrich.plan import TITLE_RESULTS, ByIds, Request
from bot.feeds.fetch import FetchLimits
from bot.resources import PRODUCT

__all__ = ["ARXIV_LIMITS", "ArxivReply", "arxiv_client", "ask", "query_of", "user_agent"]

log = logging.getLogger(__name__)

# A hundred abstracts are some 200 KB; arXiv may take a while to gather them.
ARXIV_LIMITS = FetchLimits(max_bytes=5 * 1024 * 1024, read_timeout=30.0, total_timeout=60.0)


@dataclass(frozen=True, slots=True)
class ArxivReply:
    """One request's papers, or why there are none."""

    papers: tuple[Paper, ...] = ()
    error: str = ""  # "" on success; else a short reason for the log and the command
    retry_after: str | None = None  # a 429/503's Retry-After, as sent

    @property
    def ok(self) -> bool:
        return not self.error


def user_agent(contact: str) -> str:
    """lamplight and its release, what it is, and whom to write to (arXiv's terms ask it).

    >>> print(user_agent("").removeprefix(PRODUCT))
     (self-hosted reading bot; looks up its owner's papers)
    >>> print(user_agent("me@example.org").removeprefix(PRODUCT))
     (self-hosted reading bot; looks up its owner's papers; me@example.org)
    """
    extra = f"; {contact.strip()}" if contact.strip() else ""
    return f"{PRODUCT} (self-hosted reading bot; looks up its owner's papers{extra})"


def arxiv_client(contact: str = "") -> httpx.AsyncClient:
    """One connection, closed after each answer (arXiv allows one at a time, across every
    process of the install). trust_env (the default) honours HTTPS_PROXY / ALL_PROXY."""
    return httpx.AsyncClient(
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=0),
        headers={
            "User-Agent": user_agent(contact),
            "Connection": "close",
            "Accept": "application/atom+xml",
            "Accept-Encoding": "identity",  # the size cap then bounds what is held
        },
        follow_redirects=True,
    )


def query_of(request: Request) -> dict[str, str]:
    """The API's query parameters for a request.

    >>> from bot.enrich.plan import ByTitle
    >>> query_of(ByIds((("1706.03762", (1,)), ("hep-th/9901001", (2, 3)))))
    {'id_list': '1706.03762,hep-th/9901001', 'max_results': '2'}
    >>> query_of(ByTitle(4, "Attention Is All You Need", "attention is all you need"))
    {'search_query': 'ti:"attention is all you need"', 'max_results': '5'}
    """
    if isinstance(request, ByIds):
        return {"id_list": ",".join(request.ids), "max_results": str(len(request.ids))}
    return {"search_query": f'ti:"{request.asked}"', "max_results": str(TITLE_RESULTS)}


async def ask(
    client: httpx.AsyncClient, url: str, params: Mapping[str, str], limits: FetchLimits
) -> ArxivReply:
    """GET the API once; the papers of its answer, or the failure."""
    timeout = httpx.Timeout(
        connect=limits.connect_timeout,
        read=limits.read_timeout,
        write=limits.read_timeout,
        pool=limits.total_timeout,
    )
    try:
        async with asyncio.timeout(limits.total_timeout):
            return await _get(client, url, params, timeout, limits.max_bytes)
    except TimeoutError:
        return ArxivReply(error=f"no answer within {limits.total_timeout:g} s")
    except httpx.TimeoutException as exc:
        return ArxivReply(error=f"timed out: {type(exc).__name__}")
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
        return ArxivReply(error=f"{type(exc).__name__}: {exc}".rstrip(": "))
    except Exception as exc:  # a bug must end in a backoff too, not in a turn never given back
        log.exception("asking arXiv failed unexpectedly")
        return ArxivReply(error=f"unexpected {exc!r}")


async def _get(
    client: httpx.AsyncClient,
    url: str,
    params: Mapping[str, str],
    timeout: httpx.Timeout,
    max_bytes: int,
) -> ArxivReply:
    async with client.stream("GET", url, params=params, timeout=timeout) as response:
        if response.status_code != 200:
            retry_after = response.headers.get("retry-after")
            detail = f"HTTP {response.status_code} {response.reason_phrase}".strip()
            if retry_after is not None:
                detail += f" (Retry-After: {retry_after})"
            return ArxivReply(error=detail, retry_after=retry_after)
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > max_bytes:
                return ArxivReply(error=f"the answer is over the {max_bytes}-byte cap")
    try:
        papers = await asyncio.to_thread(parse_answer, bytes(body))
    except MalformedAnswer as exc:
        log.warning("arXiv answered with a malformed Atom document: %s", exc)
        return ArxivReply(error=f"malformed answer: {exc}")
    return ArxivReply(papers=papers)
