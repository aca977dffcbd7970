"""The enrichment from arXiv in a real `lamplight run`: a job of its own, so an arXiv that hangs
never holds up a digest."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.arxiv import FakeArxiv
from tests.support.botapi import FakeBotAPI
from tests.support.crashes import FRIEND, PASSED, Setup, digests_seen, stage

PAPERS = """\
《Attention Is All You Need》
https://arxiv.org/abs/1706.03762v5

Deep Residual Learning for Image Recognition (2015)
"""


@pytest.fixture
def setup(botapi: FakeBotAPI, tmp_path: Path) -> Iterator[Setup]:
    with stage(botapi, tmp_path, examples=False) as ready:
        yield ready


def test_a_digest_goes_out_while_the_arxiv_request_hangs(setup: Setup) -> None:
    setup.import_notes("papers.md", PAPERS)
    friend = setup.subscribe(FRIEND, setup.later_today())
    with FakeArxiv(min_interval=0.1) as arxiv:
        arxiv.set_mode("hang")
        setup.processes.start(
            DIGEST_SWEEP_SECONDS="1",
            ENRICH="on",
            ENRICH_EVERY_HOURS="0.0003",  # the first run a second after start
            ARXIV_API_URL=arxiv.url,
            ARXIV_MIN_INTERVAL_SECONDS="0.1",
        )
        setup.wait(lambda: arxiv.queries, "the enrichment's first request")
        assert arxiv.state.open_connections == 1, "it hangs"
        setup.set_digest_time(FRIEND, PASSED)
        [digest] = setup.wait(lambda: digests_seen(friend), "a digest while arXiv hangs")
        assert arxiv.state.open_connections == 1, "arXiv has still not answered"
        assert arxiv.queries == [{"id_list": "1706.03762", "max_results": "1"}]
    assert "Attention Is All You Need" in digest.visible_text
    assert "Traceback" not in setup.processes.output()
