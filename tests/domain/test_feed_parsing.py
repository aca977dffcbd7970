"""parse_feed: feed bytes + response headers → plain-text entries. No network."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.feeds.parse import (
    SUMMARY_MAX_CHARS,
    TTL_MAX_MINUTES,
    TTL_MIN_MINUTES,
    NotAFeedError,
    clean_text,
    parse_feed,
)
from tests.support.feedserver import (
    ATOM,
    BOZO,
    CP1252,
    GB18030,
    GB18030_TITLES,
    HTML_PAGE,
    MOJIBAKE,
    MOJIBAKE_TITLES,
    RDF,
    RSS,
    mojibake,
)

URL = "http://news.example.invalid/feed"
RSS_HEADERS = {"Content-Type": "application/rss+xml"}


def _rss(items: str, channel_extra: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>t</title><link>http://example.invalid/</link><description>d</description>"
        f"{channel_extra}{items}</channel></rss>"
    ).encode()


def test_rss2_entries_carry_guid_link_author_and_a_utc_date() -> None:
    first, second = parse_feed(RSS, RSS_HEADERS, URL).entries

    assert first.guid == "ltw-0001"
    assert first.title == "Reading list: attention, three ways"
    assert first.link == "http://example.invalid/posts/attention-three-ways"
    assert first.author == "Ada Reader"
    assert first.published == dt.datetime(2026, 11, 2, 1, 30, tzinfo=dt.UTC)  # from +0800
    assert second.author == ""
    assert second.published == dt.datetime(2026, 11, 1, 18, 0, tzinfo=dt.UTC)


def test_a_relative_link_is_resolved_against_the_feed_url() -> None:
    second = parse_feed(RSS, RSS_HEADERS, URL).entries[1]

    assert second.link == "http://news.example.invalid/posts/small-models"


def test_summary_is_plain_text_without_markup_scripts_or_extra_spaces() -> None:
    first = parse_feed(RSS, RSS_HEADERS, URL).entries[0]

    assert first.summary == "We reread the attention paper & two follow-ups. Notes inside."


def test_atom_uses_content_when_there_is_no_summary_and_prefers_published() -> None:
    first, second = parse_feed(ATOM, {"Content-Type": "application/atom+xml"}, URL).entries

    assert first.title == "Retrieval & memory: a reading map"
    assert first.summary == "Start here RAG basics Long context"
    assert first.author == "Ben Notetaker"
    assert first.guid == "urn:lamplight:test:atom:1"
    assert first.published == dt.datetime(2026, 11, 3, 13, 15, tzinfo=dt.UTC)
    # Without a published date the updated one stands in.
    assert second.published == dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.UTC)
    assert second.summary == "Plain summary text."


def test_rss1_rdf_items_are_read_with_dublin_core_date_and_creator() -> None:
    (entry,) = parse_feed(RDF, {"Content-Type": "application/rdf+xml"}, URL).entries

    assert entry.title == "A survey of evaluation for language models"
    assert entry.author == "Cy Reviewer"
    assert entry.published == dt.datetime(2026, 11, 4, 7, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "content_type",
    ["application/rss+xml; charset=GB18030", "application/xml", "application/rss+xml"],
    ids=["charset-in-header", "prolog-only", "prolog-with-rss-type"],
)
def test_gb18030_feeds_decode_by_header_or_prolog(content_type: str) -> None:
    parsed = parse_feed(GB18030, {"Content-Type": content_type}, URL)

    assert tuple(e.title for e in parsed.entries) == GB18030_TITLES
    assert parsed.entries[0].summary == "本周精读三篇论文。"


def test_the_gb18030_sample_is_not_plain_gbk() -> None:
    # The emoji needs GB18030's four-byte form, so a GBK reading could not pass the test above.
    with pytest.raises(UnicodeDecodeError):
        GB18030.decode("gbk")


def test_windows_1252_declared_in_the_prolog_is_honoured() -> None:
    (entry,) = parse_feed(CP1252, RSS_HEADERS, URL).entries

    assert entry.title == "“Naïve” baselines — worth €0?"
    assert entry.summary == "Résumé of the week’s reading."


def test_mojibaked_titles_and_summaries_are_repaired() -> None:
    entries = parse_feed(MOJIBAKE, RSS_HEADERS, URL).entries

    assert tuple(e.title for e in entries) == MOJIBAKE_TITLES
    assert entries[1].summary == "摘要：" + MOJIBAKE_TITLES[1]


def test_clean_text_is_left_alone() -> None:
    title = "Naïve café notes — “quoted” 中文标题"
    (entry,) = parse_feed(_rss(f"<item><title>{title}</title></item>"), RSS_HEADERS, URL).entries

    assert entry.title == title
    assert mojibake(title) != title  # the sample mojibake really differs


def test_a_not_well_formed_feed_still_yields_its_entries_flagged_bozo() -> None:
    parsed = parse_feed(BOZO, RSS_HEADERS, URL)

    assert parsed.bozo
    assert parsed.entries[0].title == "Tools & tricks for reading papers fast"
    assert parsed.entries[0].link == "http://example.invalid/bozo/1"


def test_a_well_formed_feed_served_with_a_loose_content_type_is_not_bozo() -> None:
    parsed = parse_feed(RSS, {"Content-Type": "text/html; charset=utf-8"}, URL)

    assert not parsed.bozo
    assert len(parsed.entries) == 2


@pytest.mark.parametrize(
    ("ttl", "minutes"),
    [
        ("60", 60),
        ("1", TTL_MIN_MINUTES),
        ("100000", TTL_MAX_MINUTES),
        ("0", None),
        ("hourly", None),
        (None, None),
    ],
)
def test_ttl_is_honoured_within_bounds(ttl: str | None, minutes: int | None) -> None:
    extra = f"<ttl>{ttl}</ttl>" if ttl is not None else ""
    parsed = parse_feed(_rss("<item><title>x</title></item>", extra), RSS_HEADERS, URL)

    assert parsed.ttl_minutes == minutes


def test_a_feed_with_no_items_is_a_feed_with_no_entries() -> None:
    parsed = parse_feed(_rss(""), RSS_HEADERS, URL)

    assert parsed.entries == ()
    assert not parsed.bozo


@pytest.mark.parametrize(
    "body",
    [HTML_PAGE, b"", bytes(range(256)) * 4, b"just some text, no feed at all"],
    ids=["html", "empty", "binary", "text"],
)
def test_anything_but_a_feed_is_refused(body: bytes) -> None:
    with pytest.raises(NotAFeedError, match="no RSS, Atom or RDF feed"):
        parse_feed(body, {"Content-Type": "text/html"}, URL)


def test_long_summaries_are_capped_on_a_word() -> None:
    words = " ".join(["reading"] * 400)
    (entry,) = parse_feed(
        _rss(f"<item><title>x</title><description>{words}</description></item>"),
        RSS_HEADERS,
        URL,
    ).entries

    assert len(entry.summary) <= SUMMARY_MAX_CHARS
    assert entry.summary.endswith("reading…")


def test_a_missing_or_broken_date_is_none() -> None:
    items = (
        "<item><title>a</title></item>"
        "<item><title>b</title><pubDate>the day after tomorrow</pubDate></item>"
    )
    entries = parse_feed(_rss(items), RSS_HEADERS, URL).entries

    assert [e.published for e in entries] == [None, None]


def test_plain_text_titles_keep_angle_brackets() -> None:
    assert clean_text("When a < b and c > d", is_html=False, limit=100) == "When a < b and c > d"
    assert clean_text("Line<br>break&nbsp;here", is_html=True, limit=100) == "Line break here"
