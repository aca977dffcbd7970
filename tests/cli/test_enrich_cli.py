"""`lamplight enrich` as a user runs it: what it filled, in counts and titles."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rich.progress import Progress

import bot.cli.enrich
from bot.cli.common import err
from bot.library.items import ItemKind
from bot.store.db import open_store
from bot.store.models import Item
from tests.cli.test_cli import lamplight
from tests.support.arxiv import CATALOGUE, FakeArxiv

pytestmark = pytest.mark.usefixtures("store_env")


@pytest.fixture
def arxiv(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[FakeArxiv]:
    store = open_store(database_url)
    with store.transaction() as session:
        for n, (title, arxiv_id) in enumerate(
            [
                ("", "1706.03762"),
                ("", "hep-th/9901001"),
                ("Deep residual learning for image recognition", None),
                ("A Paper Nobody Has Written Yet", None),
                ("知识蒸馏综述", None),
            ]
        ):
            session.add(
                Item(kind=ItemKind.PAPER, title=title, arxiv_id=arxiv_id, canonical_key=f"k{n}")
            )
    store.dispose()
    with FakeArxiv(CATALOGUE, min_interval=0.1) as fake:
        monkeypatch.setenv("ARXIV_API_URL", fake.url)
        monkeypatch.setenv("ARXIV_MIN_INTERVAL_SECONDS", "0.1")
        yield fake


def test_enrich_prints_what_it_filled(capsys: pytest.CaptureFixture[str], arxiv: FakeArxiv) -> None:
    code, out, _ = lamplight(capsys, "enrich")
    assert code == 0
    assert out.splitlines() == [
        "asked arXiv 3 time(s): filled 3 item(s) (2 by arXiv id, 1 by title), 1 not found",
        "  Attention Is All You Need",
        "  A Very Old Paper on Strings",
        "  Deep Residual Learning for Image Recognition",
        "1 paper(s) with a Chinese title: never sent",
    ]
    code, out, _ = lamplight(capsys, "enrich")
    assert out.splitlines()[0] == "nothing to ask arXiv: every paper is filled or was asked lately"
    assert len(arxiv.queries) == 3


def test_enrich_shows_a_progress_bar_that_reaches_every_planned_item(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, arxiv: FakeArxiv
) -> None:
    """The bar (on stderr, so it never mixes with the summary) moves after each request, up to
    the items planned: two asked by id in one request, two by title; the Chinese one is not."""
    shown: list[tuple[float, float | None]] = []

    class Watched(Progress):
        def update(self, *args: Any, **kwargs: Any) -> None:
            super().update(*args, **kwargs)
            assert self.console is err
            shown.extend((task.completed, task.total) for task in self.tasks)

    monkeypatch.setattr(bot.cli.enrich, "Progress", Watched)
    code, _, _ = lamplight(capsys, "enrich")
    assert code == 0 and len(arxiv.queries) == 3
    assert shown == [(2, 4), (3, 4), (4, 4)]


def test_enrich_with_a_limit_asks_for_that_many_items(
    capsys: pytest.CaptureFixture[str], arxiv: FakeArxiv
) -> None:
    code, out, _ = lamplight(capsys, "enrich", "--limit", "1")
    assert code == 0 and out.startswith("asked arXiv 1 time(s): filled 1 item(s) (1 by arXiv id")
    assert arxiv.queries == [{"id_list": "1706.03762", "max_results": "1"}]


def test_enrich_says_when_arxiv_backs_off(
    capsys: pytest.CaptureFixture[str], arxiv: FakeArxiv
) -> None:
    arxiv.set_mode("retry_after", retry_after="600")
    code, out, _ = lamplight(capsys, "enrich")
    assert code == 0
    assert out.splitlines()[-1] == (
        "stopped: HTTP 503 Service Unavailable (Retry-After: 600); backing off"
    )
    code, out, _ = lamplight(capsys, "enrich")
    assert "arXiv is not asked before" in out.splitlines()[-1]
    assert "after: HTTP 503 Service Unavailable (Retry-After: 600); try again then" in out


def test_enrich_off_says_so_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, arxiv: FakeArxiv
) -> None:
    monkeypatch.setenv("ENRICH", "off")
    code, out, _ = lamplight(capsys, "enrich")
    assert (code, out) == (0, "enrichment is off (ENRICH=off): nothing was asked\n")
    assert arxiv.queries == []
