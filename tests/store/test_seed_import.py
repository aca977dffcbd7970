"""Importing all five of the owner's notes files: the library a user would expect, and
thirty mornings of digests from it in which every reading item opens and says what it is
(run with -s to see the shares that only search for their title or only name a section)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.digests.opening import context_of, opening_of
from bot.digests.render import DigestView, render_digest
from bot.digests.selection import DigestPrefs, compose_digest
from bot.library.dedupe import canonical_url, doi
from bot.library.importer import import_paths, prepare_paths
from bot.library.items import LOCAL_OWNER_CHAT_ID, Answer, ItemKind, LibraryItem
from bot.store import digests
from bot.store.adding import ImportReport
from bot.store.db import Store
from bot.store.library import count_items, list_feeds
from bot.store.models import Item, ItemState
from tests.conftest import NOW, SEEDS
from tests.support.seeds import seed_library, seed_text

pytestmark = pytest.mark.seeds

# Characters UTF-8 leaves behind when read as Windows-1254/1252: a lead byte's letter followed
# by a continuation byte's symbol.
MOJIBAKE = re.compile(r"[ÂÃâãäåæçèéêëìíîïğð][\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def library(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, ImportReport]]:
    with seed_library(request.param, tmp_path_factory) as imported:
        yield imported


@pytest.fixture
def session(library: tuple[Store, ImportReport]) -> Iterator[Session]:
    with library[0].transaction() as opened:
        yield opened


def find(session: Session, **where: object) -> Item:
    query = select(Item)
    for name, value in where.items():
        query = query.where(getattr(Item, name) == value)
    return session.scalars(query).one()


def is_read(session: Session, item: Item) -> bool:
    state = session.get(ItemState, (LOCAL_OWNER_CHAT_ID, item.id))
    return state is not None and state.status is Answer.READ


# 003's "### 所有论文" tables (lines 657-814), counted by hand: 89 rows of
# "| ✅ or blank | year | [name](link) or [name] | summary |" under twelve "####" topics.
PAPER_ROW = re.compile(
    r"^\|\s*(?:✅)?\s*\|\s*(\d{4})\s*\|\s*\[([^\]]+)\](?:\([^)]*\))?\s*\|\s*(.*?)\s*\|$"
)


def paper_rows() -> list[tuple[int, str, int, str]]:
    """(line, name, year, summary) of each row of 003's paper tables, read with a regular
    expression of this test, not the importer's parser."""
    lines = seed_text("003").splitlines()
    start = lines.index("### 所有论文")
    return [
        (number, m.group(2), int(m.group(1)), m.group(3))
        for number, line in enumerate(lines[start:], start + 1)
        if (m := PAPER_ROW.match(line))
    ]


def test_the_paper_tables_hold_the_89_rows_counted_by_hand() -> None:
    rows = paper_rows()
    assert len(rows) == 89
    assert (rows[0][0], rows[-1][0]) == (669, 814)  # AlexNet .. AlphaCode


def test_every_row_of_the_paper_tables_is_a_paper_with_its_year_and_summary(
    session: Session,
) -> None:
    for line, name, year, summary in paper_rows():
        [paper] = session.scalars(
            select(Item).where(Item.title == name, Item.kind == ItemKind.PAPER)
        ).all()
        assert paper.year == year, f"003:{line} {name}"
        assert summary in paper.text, f"003:{line} {name}"


def test_gpt_gpt2_and_gpt3_are_three_papers_though_one_talk_covers_them(
    session: Session,
) -> None:
    # 003:630 one talk row links GPT and GPT-2 and names GPT-3, with one video; 003:776-779
    # list them as papers of 2018, 2019 and 2020.
    papers = {
        title: find(session, title=title, kind=ItemKind.PAPER)
        for title in ("GPT", "GPT-2", "GPT-3")
    }
    assert {t: p.year for t, p in papers.items()} == {"GPT": 2018, "GPT-2": 2019, "GPT-3": 2020}
    assert papers["GPT-2"].text == "更大的 GPT 模型，朝着 zero-shot learning 迈了一大步"
    assert papers["GPT-3"].text == "100 倍更大的 GPT-2，few-shot learning 效果显著"
    assert {p.video_url for p in papers.values()} == {
        "https://www.bilibili.com/video/BV1AF411b7xQ/"
    }


def test_the_talk_on_reading_papers_keeps_its_own_title_beside_the_series(
    session: Session,
) -> None:
    # 003:19-20 the series "AI 论文精读" links the video that 003:652 lists as the talk
    # "如何读论文"; 003:26-33 is the talk's section with its six steps.
    talk = find(session, title="如何读论文")
    series = find(session, title="AI 论文精读")
    assert talk.id != series.id
    assert talk.video_url == series.video_url == "https://www.bilibili.com/video/BV1H44y1t75x/"
    assert talk.notes.startswith("1. title\n2. abs")


def test_one_section_of_the_collection_is_exactly_its_items(session: Session) -> None:
    titles = session.scalars(select(Item.title).where(Item.topic == "彩票假设")).all()
    assert len(titles) == 6
    assert any(t.startswith("The lottery ticket hypothesis") for t in titles)


def test_alexnet_has_its_year_video_notes_and_is_read(session: Session) -> None:
    alexnet = find(session, title="AlexNet", kind=ItemKind.PAPER)
    assert alexnet.year == 2012
    assert alexnet.video_url is not None and "bilibili.com/video/" in alexnet.video_url
    assert "ReLU" in alexnet.notes
    assert is_read(session, alexnet)


def test_a_recorded_paper_without_notes_is_unread(session: Session) -> None:
    detr = find(session, title="DETR")
    assert detr.kind is ItemKind.PAPER
    assert detr.video_url is not None
    assert detr.notes == ""
    assert not is_read(session, detr)


def test_an_arxiv_pick_keeps_authors_affiliation_year_and_the_owners_tick(
    session: Session,
) -> None:
    ticked = find(session, arxiv_id="2207.08079")
    assert ticked.kind is ItemKind.PAPER
    assert ticked.title.startswith("Performance degradation of ImageNet trained models")
    assert ticked.author == "H Maheshwari"
    assert ticked.affiliation == "Georgia Institute of Technology"
    assert ticked.year == 2022
    assert is_read(session, ticked)
    plain = find(session, arxiv_id="2206.07758")
    assert plain.author == "N Haim, G Vardi, G Yehudai, O Shamir, M Irani"
    assert plain.affiliation == "Weizmann Institute of Science"
    assert not is_read(session, plain)


@pytest.mark.parametrize(
    # Written before the text, after it (`- 王国维《…》`), and as `via:` below it.
    "speaker",
    ["Tommy Collison", "王国维", "Andriy Burkov", "Nikhil Thorat", "Sam Altman"],
)
def test_quotes_keep_their_speakers(session: Session, speaker: str) -> None:
    clean = seed_text("000")
    quotes = session.scalars(
        select(Item).where(Item.kind == ItemKind.QUOTE, Item.author == speaker)
    ).all()
    assert quotes
    for quote in quotes:
        # The quote's text stands in the owner's clean file, its speaker right beside it.
        at = clean.find(quote.text[:12])
        assert at >= 0, quote.text[:40]
        assert speaker in clean[max(0, at - 40) : at + len(quote.text) + 80]
        assert not quote.text.startswith(speaker)


def test_the_sixteen_newsletters_become_feed_sources(session: Session) -> None:
    feeds = {feed.name: feed for feed in list_feeds(session)}
    assert len(feeds) == 16
    assert feeds["Import AI"].feed_url == "https://jack-clark.net/feed/"
    assert feeds["ChinAI Newsletter"].site == "https://chinai.substack.com/"
    assert feeds["The Algorithm by MIT Technology Review"].feed_url is None
    assert sum(feed.feed_url is not None for feed in feeds.values()) >= 8


def test_no_item_is_a_contents_entry_an_image_or_template_markup(session: Session) -> None:
    for title, text in session.execute(select(Item.title, Item.text)):
        assert title.strip(), f"an item without a title: {text[:60]!r}"
        assert not title.startswith(("![", "{%", "<", "|")), title
        assert not re.match(r"\d+(\.\d+)+\s", title), f"a contents entry: {title}"
        assert "<b>" not in title and "](" not in title, title


def test_no_mojibake_is_left_in_any_item(session: Session) -> None:
    for item in session.scalars(select(Item)):
        for text in (item.title, item.text, item.notes, item.author):
            assert not MOJIBAKE.search(text), f"{item.id}: {text[:80]!r}"


def test_repaired_items_keep_their_raw_text_and_confidence(session: Session) -> None:
    repaired = session.scalars(select(Item).where(Item.raw_text.is_not(None))).all()
    assert len(repaired) >= 30  # 001's own; what 000 also holds merged into 000's items
    for item in repaired:
        assert item.source is not None and item.source.name.startswith("001_")
        assert item.repair_confidence is not None and 0 < item.repair_confidence <= 1
        assert MOJIBAKE.search(item.raw_text or "")


def test_links_shared_by_the_clean_and_mojibaked_files_are_one_item_each(
    session: Session,
) -> None:
    clean = prepare_paths([next(SEEDS.glob("000_*.txt"))], max_bytes=10**8)[0]
    urls = {canonical_url(i.parsed.url) for i in clean.items if i.parsed.url}
    stored = Counter(
        canonical_url(url) for url in session.scalars(select(Item.url).where(Item.url.is_not(None)))
    )
    assert all(stored[url] == 1 for url in urls)
    from_001 = session.scalars(
        select(Item.url).where(Item.url.is_not(None), Item.raw_text.is_not(None))
    ).all()
    assert not {canonical_url(u) for u in from_001} & urls, "001 duplicated a link of 000"


def test_importing_the_seeds_again_adds_nothing_and_keeps_read_marks(
    library: tuple[Store, ImportReport], session: Session, tmp_path: Path
) -> None:
    store, first = library
    before = count_items(session)
    settings = Settings(database_url=str(store.engine.url.render_as_string(False)))
    again = import_paths(store, [SEEDS], settings=settings, now=NOW)
    assert sum(again.added.values()) == 0
    assert again.marked_read == 0
    assert (again.updated, again.gone) == (0, []), "nothing was edited"
    with store.transaction() as fresh:
        assert count_items(fresh) == before
        reads = fresh.scalars(
            select(ItemState).where(
                ItemState.chat_id == LOCAL_OWNER_CHAT_ID, ItemState.status == Answer.READ
            )
        ).all()
    assert len(reads) == first.marked_read


# --- thirty mornings: every reading item opens and says what it is ----------------------

MORNINGS = 30
FIRST = dt.datetime(2026, 12, 7, 8, tzinfo=dt.UTC)
LINK = re.compile(r'^<b>\d+\.</b> \S+ <b><a href="(?P<url>https?://[^"]+)">')


def shown(items: list[LibraryItem]) -> Iterator[tuple[LibraryItem, str]]:
    """Each reading item of thirty digests, with the HTML block it was shown in."""
    for day in range(MORNINGS):
        now = FIRST + dt.timedelta(days=day)
        chosen = compose_digest(items, {}, DigestPrefs(size=5), now, seed=day).items
        parts = render_digest(DigestView(day + 1, "Your reading", chosen, {}))
        blocks = [
            b for part in parts for b in part.html.split("\n\n")[1 if part is parts[0] else 0 :]
        ]
        for item, block in zip(chosen, blocks, strict=True):
            if item.kind is not ItemKind.QUOTE:
                yield item, block


def known_link(item: LibraryItem) -> str | None:
    if item.url:
        return item.url
    if item.arxiv_id:
        return f"https://arxiv.org/abs/{item.arxiv_id}"
    if found := doi(item.text):
        return f"https://doi.org/{found}"
    return item.video_url


def test_every_reading_item_of_thirty_digests_opens_and_says_what_it_is(
    library: tuple[Store, ImportReport],
) -> None:
    with library[0].transaction() as session:
        items = digests.library(session)
    counts: Counter[str] = Counter()
    for item, block in shown(items):
        counts["shown"] += 1
        first, *rest = block.split("\n")
        link = LINK.match(first)
        assert link, f"no link on {item.title!r}: {first}"
        expected = known_link(item)
        if expected is not None:
            assert link["url"] == expected.replace("&", "&amp;"), item.title
        else:
            counts["search only"] += 1
        context = context_of(item)
        assert context is not None and context.text.strip(), item.title
        assert any(context.text[:20] in line for line in rest) or context.origin == "source"
        counts[f"context: {context.origin}"] += 1
        opening = opening_of(item)
        assert opening is not None and opening.searched is (expected is None)
    total = counts["shown"]
    assert total >= MORNINGS * 2
    print(
        f"\n{total} reading items in {MORNINGS} digests: "
        f"{counts['search only'] / total:.0%} open only a search for their title; "
        f"context from section only {counts['context: section'] / total:.0%}, "
        f"site only {counts['context: site'] / total:.0%}, "
        f"source only {counts['context: source'] / total:.0%}"
    )
