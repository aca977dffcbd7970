"""OPML lists: reading feeds out of nested outlines, writing the followed ones back."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from bot.feeds.opml import OpmlError, OpmlFeed, read_opml, write_opml

NESTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="AI">
      <outline text="Research">
        <outline type="rss" text="Import AI" title="Import AI"
                 xmlUrl="https://jack-clark.net/feed/" htmlUrl="https://jack-clark.net/"/>
      </outline>
      <outline type="rss" title="The Batch" xmlUrl="https://www.deeplearning.ai/the-batch/feed/"/>
      <outline text="A site without a feed" htmlUrl="https://example.org/"/>
    </outline>
    <outline type="rss" text="Top &amp; level &lt;1&gt;" xmlUrl="https://top.example/rss?a=1&amp;b=2"/>
    <outline type="rss" text="Twice" xmlUrl="https://jack-clark.net/feed/"/>
  </body>
</opml>"""


def test_nested_outlines_are_read_and_outlines_without_a_feed_skipped() -> None:
    assert read_opml(NESTED) == [
        OpmlFeed("Import AI", "https://jack-clark.net/feed/", "https://jack-clark.net/"),
        OpmlFeed("The Batch", "https://www.deeplearning.ai/the-batch/feed/", None),
        OpmlFeed("Top & level <1>", "https://top.example/rss?a=1&b=2", None),
    ]


def test_opml_2_with_a_namespace_and_no_name() -> None:
    data = (
        b'<opml version="2.0" xmlns="http://opml.org/spec2"><body>'
        b'<outline type="rss" xmlUrl="https://a.example/feed" htmlUrl="https://a.example/"/>'
        b"</body></opml>"
    )
    assert read_opml(data) == [OpmlFeed(None, "https://a.example/feed", "https://a.example/")]


def test_a_list_without_feeds_is_empty() -> None:
    assert read_opml(b'<opml version="2.0"><head/><body/></opml>') == []


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"  \n",
        b"\x00\x01\x02\xff\xfe binary",
        b"\xff\xfe<\x00o\x00",
        b"just some words",
        b"<html><body><p>hi</p></body></html>",
        b'{"feeds": []}',
    ],
)
def test_what_is_not_opml_is_refused(data: bytes) -> None:
    with pytest.raises(OpmlError):
        read_opml(data)


def test_export_escapes_and_round_trips() -> None:
    feeds = [
        OpmlFeed('A & B <"quoted">', "https://a.example/rss?x=1&y=2", "https://a.example/"),
        OpmlFeed("中文 newsletter", "https://b.example/feed", None),
    ]
    document = write_opml(feeds)
    assert "&amp; B &lt;&quot;quoted&quot;&gt;" in document
    assert "x=1&amp;y=2" in document
    root = ET.fromstring(document.encode())
    assert root.get("version") == "2.0"
    assert root.findtext("head/title") == "lamplight feeds"
    first = root.find("body/outline")
    assert first is not None
    assert first.attrib == {
        "type": "rss",
        "text": 'A & B <"quoted">',
        "title": 'A & B <"quoted">',
        "xmlUrl": "https://a.example/rss?x=1&y=2",
        "htmlUrl": "https://a.example/",
    }
    assert read_opml(document.encode()) == feeds


def test_export_leaves_out_feeds_without_a_url() -> None:
    document = write_opml([OpmlFeed("No feed", "", "https://c.example/")])
    assert "outline" not in document
