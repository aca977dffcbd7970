"""`lamplight feeds`: follow, pull, list and drop newsletters from the command line."""

from __future__ import annotations

import pytest

from tests.cli.test_cli import lamplight
from tests.support.feedserver import FeedServer
from tests.support.feedserver import server as server  # the fixture

pytestmark = pytest.mark.usefixtures("store_env")


def test_follow_pull_list_and_drop_a_feed(
    capsys: pytest.CaptureFixture[str], server: FeedServer
) -> None:
    url = server.url("/rss")
    assert lamplight(capsys, "feeds", "add", url, "--name", "Local AI")[1] == f"following {url}\n"
    assert "followed already" in lamplight(capsys, "feeds", "add", url)[1]
    lamplight(capsys, "feeds", "add", server.url("/status/500"), "--name", "Broken")
    code, out, _ = lamplight(capsys, "feeds", "pull")
    assert code == 0
    assert "1 updated" in out and "1 failed" in out
    assert "new posts: 0" not in out
    listing = lamplight(capsys, "feeds", "list")[1]
    assert "Local AI" in listing and "1 failures" in listing
    assert lamplight(capsys, "feeds", "remove", "Local AI")[1] == "stopped following Local AI\n"
    code, _, err = lamplight(capsys, "feeds", "remove", "Local AI")
    assert code == 1 and "no feed named 'Local AI'" in err


def test_a_feed_url_must_be_http(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = lamplight(capsys, "feeds", "add", "ftp://example.org/feed")
    assert code == 1 and "starts with http:// or https://" in err
