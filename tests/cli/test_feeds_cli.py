"""`lamplight feeds`: follow, pull, list and drop newsletters from the command line."""

from __future__ import annotations

import pytest

from tests.cli.test_cli import lamplight
from tests.support.feedserver import ETAG, LAST_MODIFIED, FeedServer
from tests.support.feedserver import server as server  # the fixture

pytestmark = pytest.mark.usefixtures("store_env")

PROXY_VARIABLES = ("ALL_PROXY", "HTTPS_PROXY", "HTTP_PROXY")


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command honours proxies: a developer's must not see the test traffic."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


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


@pytest.mark.usefixtures("no_proxy_env")
def test_a_pull_by_hand_asks_every_feed_again_and_finds_what_changed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Run right after another pull (as after a scheduled one), `feeds pull` still asks every
    feed, conditionally: the unchanged answer 304, the changed one its new post."""
    with FeedServer() as newsletters:
        unchanged = [newsletters.url("/etag"), newsletters.url("/etag?copy=2")]
        for n, url in enumerate(unchanged):
            lamplight(capsys, "feeds", "add", url, "--name", f"Steady {n}")
        newsletters.publish("First post")
        lamplight(capsys, "feeds", "add", newsletters.url("/live"), "--name", "Live")
        assert "3 updated" in lamplight(capsys, "feeds", "pull")[1]
        seen = len(newsletters.recorder.requests)
        newsletters.publish("Second post", "First post")

        code, out, _ = lamplight(capsys, "feeds", "pull")

        assert code == 0
        assert "2 not modified" in out and "1 updated" in out and "new posts: 1" in out
        again = newsletters.recorder.requests[seen:]
        assert sorted(path for path, _ in again) == ["/etag", "/etag", "/live"]
        for _, headers in again:
            assert headers.get("if-none-match") and headers.get("if-modified-since")
        assert [h["if-none-match"] for p, h in again if p == "/etag"] == [ETAG, ETAG]
        assert [h["if-modified-since"] for p, h in again if p == "/etag"] == [LAST_MODIFIED] * 2
        answers = sorted(newsletters.recorder.statuses[seen:])
        assert answers == [("/etag", 304), ("/etag", 304), ("/live", 200)]
        assert "Second post" in lamplight(capsys, "search", "Second post")[1]

        code, out, _ = lamplight(capsys, "feeds", "pull", "--due")

        assert code == 0 and "none due" in out
        assert len(newsletters.recorder.requests) == seen + 3  # asked none


def test_a_pull_behind_a_dead_socks_proxy_names_the_failure(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, server: FeedServer
) -> None:
    for name in (*PROXY_VARIABLES, "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("ALL_PROXY", "socks5://127.0.0.1:1")  # nothing listens on port 1
    lamplight(capsys, "feeds", "add", server.url("/rss"), "--name", "Behind proxy")

    code, out, err = lamplight(capsys, "feeds", "pull")

    assert code == 0 and "1 failed" in out and "Traceback" not in err
    listing = lamplight(capsys, "feeds", "list")[1]
    assert "Behind proxy" in listing and "1 failures" in listing
