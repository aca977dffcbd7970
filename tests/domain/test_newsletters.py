"""The default newsletter table: 16 entries, sound feed URLs, and site matching."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from bot.feeds.newsletters import DEFAULT_NEWSLETTERS, Newsletter, newsletter_for_site


def test_sixteen_entries_with_unique_names_and_sites() -> None:
    assert len(DEFAULT_NEWSLETTERS) == 16
    assert len({n.name for n in DEFAULT_NEWSLETTERS}) == 16
    assert len({n.site for n in DEFAULT_NEWSLETTERS}) == 16


@pytest.mark.parametrize(
    "newsletter", [n for n in DEFAULT_NEWSLETTERS if n.feed_url is not None], ids=lambda n: n.name
)
def test_feed_urls_are_absolute_https(newsletter: Newsletter) -> None:
    assert newsletter.feed_url is not None
    parts = urlsplit(newsletter.feed_url)
    assert parts.scheme == "https"
    assert parts.netloc
    assert newsletter.feed_url == newsletter.feed_url.strip()


@pytest.mark.parametrize("newsletter", DEFAULT_NEWSLETTERS, ids=lambda n: n.name)
def test_every_entry_says_where_its_feed_comes_from(newsletter: Newsletter) -> None:
    assert newsletter.name.strip()
    assert urlsplit(newsletter.site).scheme in {"http", "https"}
    assert len(newsletter.source_note.strip()) >= 20


def test_entries_without_a_feed() -> None:
    without = {n.name for n in DEFAULT_NEWSLETTERS if n.feed_url is None}
    # Sign-up forms, a single blog post and a closed service have no feed.
    assert {
        "The Algorithm by MIT Technology Review",
        "Eye on A.I.",
        "The AssemblyAI blog",
        "Paper with Code Newsletter",
    } <= without
    assert len(without) < len(DEFAULT_NEWSLETTERS)


def test_known_feeds() -> None:
    feeds = {n.name: n.feed_url for n in DEFAULT_NEWSLETTERS}
    assert feeds["Import AI"] == "https://jack-clark.net/feed/"
    assert feeds["ChinAI Newsletter"] == "https://chinai.substack.com/feed"
    assert feeds["Last Week in AI"] == "https://lastweekin.ai/feed"


@pytest.mark.parametrize(
    "site",
    [
        "https://jack-clark.net/",
        "jack-clark.net",
        "http://jack-clark.net",
        "https://www.jack-clark.net/",
        "  HTTPS://Jack-Clark.net/  ",
    ],
)
def test_newsletter_for_site_normalises(site: str) -> None:
    found = newsletter_for_site(site)
    assert found is not None
    assert found.name == "Import AI"


def test_newsletter_for_site_matches_every_listed_site() -> None:
    for newsletter in DEFAULT_NEWSLETTERS:
        assert newsletter_for_site(newsletter.site) is newsletter
        assert newsletter_for_site(newsletter.site.rstrip("/") + "/") is newsletter


def test_newsletter_for_site_other_spellings() -> None:
    ruder = newsletter_for_site("https://newsletter.ruder.io")
    assert ruder is not None and ruder.name == "NLP News By Sebastian Ruder"
    batch = newsletter_for_site("deeplearning.ai/the-batch")
    assert batch is not None and batch.name == "The Batch"


@pytest.mark.parametrize("site", ["", "https://example.com/", "https://jack-clark.net/about"])
def test_newsletter_for_site_unknown(site: str) -> None:
    assert newsletter_for_site(site) is None
