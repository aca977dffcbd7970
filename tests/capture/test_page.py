"""Reading a captured link against a local web (tests/support/pageserver.py): the page's own
title and description, the feed it is or offers, and a named reason when it cannot be read."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from bot.capture.page import Page, Unread, page_limits, read_page
from tests.support.pageserver import ARTICLE, HUGE_SIZE, PageServer

LIMITS = page_limits(2.0, max_bytes=1024 * 1024)


@pytest.fixture(scope="module")
def web() -> Iterator[PageServer]:
    with PageServer() as server:
        yield server


def read(url: str, timeout: float = 2.0) -> Page:
    async def main() -> Page:
        # trust_env=False: a developer's proxy must not see the test traffic.
        async with httpx.AsyncClient(trust_env=False) as client:
            return await read_page(client, url, page_limits(timeout, max_bytes=1024 * 1024))

    return asyncio.run(main())


def test_open_graph_wins_and_the_offered_feed_is_found(web: PageServer) -> None:
    page = read(web.url("/moved"))  # a redirect first
    assert page.unread is None
    assert page.url == web.url("/article")
    assert (page.meta.title, page.meta.description) == (ARTICLE["title"], ARTICLE["description"])
    assert page.meta.site_name == ARTICLE["site"]
    assert page.meta.feed_url == web.url("/feed.xml")
    assert not page.meta.paper


def test_without_open_graph_the_title_tag_and_description_in_the_pages_charset(
    web: PageServer,
) -> None:
    page = read(web.url("/plain"))
    assert (page.meta.title, page.meta.description) == (
        "读论文的三遍法",
        "先读摘要，再看图，最后精读。",
    )
    assert page.meta.feed_url is None


def test_scholarly_metadata_marks_a_paper_and_its_doi(web: PageServer) -> None:
    page = read(web.url("/doi/10.1145/3292500.3330701"))
    assert page.meta.paper
    assert page.meta.doi == "10.1145/3292500.3330701"


def test_a_feed_is_recognised_as_one(web: PageServer) -> None:
    page = read(web.url("/feed.xml"))
    assert page.feed is not None
    assert page.feed.title == "Lamplight Test Weekly"
    assert len(page.feed.entries) == 2


@pytest.mark.parametrize(
    ("path", "unread"),
    [("/nowhere", Unread.HTTP_ERROR), ("/paper.pdf", Unread.NOT_HTML)],
)
def test_a_page_that_is_no_page_says_why(web: PageServer, path: str, unread: Unread) -> None:
    page = read(web.url(path))
    assert page.unread is unread
    assert page.meta.title == ""


def test_a_huge_page_is_not_read_whole(web: PageServer) -> None:
    page = read(web.url("/huge"))
    assert page.unread is Unread.TOO_LARGE
    assert web.bytes_sent("/huge") < HUGE_SIZE / 2  # the cap, and what sockets buffer


def test_a_page_that_never_answers_times_out(web: PageServer) -> None:
    page = read(web.url("/hang"), timeout=0.3)
    assert page.unread is Unread.TIMEOUT


def test_an_unreachable_site_is_named_so() -> None:
    page = read("http://127.0.0.1:9/")  # the discard port: nobody listens
    assert page.unread is Unread.CONNECT
