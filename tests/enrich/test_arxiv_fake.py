"""The fake arXiv is as strict as arXiv's terms: a test against it that passes keeps them."""

from __future__ import annotations

import socket
import time

import httpx

from tests.support.arxiv import FakeArxiv


def test_a_request_too_soon_after_the_last_answer_is_refused_with_retry_after() -> None:
    with FakeArxiv(min_interval=0.3) as fake, httpx.Client() as client:
        first = client.get(fake.url, params={"id_list": "1706.03762"})
        second = client.get(fake.url, params={"id_list": "1706.03762"})
        time.sleep(0.35)
        third = client.get(fake.url, params={"id_list": "1706.03762"})
    assert (first.status_code, second.status_code, third.status_code) == (200, 503, 200)
    assert second.headers["retry-after"] == "1"
    assert len(fake.refusals) == 1 and len(fake.queries) == 2


def test_a_request_while_another_connection_is_open_is_refused() -> None:
    with FakeArxiv(min_interval=0.01) as fake:
        idle = socket.create_connection(("127.0.0.1", fake.port))
        try:
            time.sleep(0.05)
            refused = httpx.get(fake.url, params={"id_list": "1706.03762"})
        finally:
            idle.close()
        time.sleep(0.05)
        answered = httpx.get(fake.url, params={"id_list": "1706.03762"})
    assert (refused.status_code, answered.status_code) == (503, 200)
    assert fake.refusals == ["2 connections at once"]
