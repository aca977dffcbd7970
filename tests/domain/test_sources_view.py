"""/sources as shown: a page of sources with their levels, and buttons that fit Telegram."""

from __future__ import annotations

from bot.digests.callbacks import MAX_BYTES, SourceLevelChange, SourcesPage, decode
from bot.i18n import translator
from bot.library.items import SourceLevel
from bot.store.levels import ReaderSource
from bot.store.models import SourceKind
from bot.telegram.views.sources import SOURCES_PAGE, page_of, sources_page


def sources(count: int) -> list[ReaderSource]:
    return [
        ReaderSource(
            1000 + n, SourceKind.FEED, f"<Feed> & {'x' * 200} {n}", n + 1, SourceLevel.NORMAL
        )
        for n in range(count)
    ]


def test_many_sources_come_a_page_at_a_time_with_buttons_that_fit() -> None:
    listed = sources(2 * SOURCES_PAGE + 3)
    text, rows = sources_page(listed, 1)
    assert "Page 2 of 3" in text
    assert f"{SOURCES_PAGE + 1}. 📰 &lt;Feed&gt; &amp; xxx" in text  # escaped, numbered on
    assert "<Feed>" not in text and len(text) < 4096
    *levels, turns = rows
    assert len(levels) == SOURCES_PAGE
    assert [label for label, _ in turns] == ["◀ Prev", "Next ▶"]
    assert [decode(data) for _, data in turns] == [SourcesPage(0), SourcesPage(2)]
    for row in levels:
        assert len(row) == 4
        for _, data in row:
            assert len(data.encode()) <= MAX_BYTES
    assert decode(levels[0][3][1]) == SourceLevelChange(1000 + SOURCES_PAGE, SourceLevel.NEVER)


def test_the_level_is_marked_and_named_in_chinese() -> None:
    one = [ReaderSource(5, SourceKind.NOTES_FILE, "笔记.md", 1, SourceLevel.LESS)]
    text, rows = sources_page(one, 0, translator("zh"))
    assert "1. 📄 笔记.md · 1 条 — <b>➖ 少一些</b>" in text
    assert [label for label, _ in rows[0]] == [
        "➕ 多一些 1",
        "= 照常 1",
        "● ➖ 少一些 1",
        "🚫 不要 1",
    ]
    assert len(rows) == 1  # one page: no turns


def test_a_page_past_the_end_shows_the_last_and_a_source_is_found_on_its_page() -> None:
    listed = sources(SOURCES_PAGE + 1)
    assert "Page 2 of 2" in sources_page(listed, 7)[0]
    assert page_of(listed, listed[-1].source_id) == 1
    assert page_of(listed, 1) == 0


def test_no_sources_yet_says_how_to_get_some() -> None:
    assert sources_page([], 0) == (
        "No source has items yet: import notes files, or wait for the newsletters' first posts.",
        [],
    )
