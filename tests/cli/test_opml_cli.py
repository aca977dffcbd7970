"""`lamplight feeds import-opml` and `export-opml`: a feed reader's list in and out."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.feeds.opml import read_opml
from tests.cli.test_cli import lamplight

OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>From my reader</title></head>
  <body>
    <outline text="AI">
      <outline type="rss" text="Import AI" xmlUrl="https://jack-clark.net/feed/"
               htmlUrl="https://jack-clark.net/"/>
      <outline text="Deeper">
        <outline type="rss" text="Ahead of AI &amp; more" xmlUrl="https://magazine.sebastianraschka.com/feed"/>
      </outline>
      <outline text="No feed here" htmlUrl="https://example.org/"/>
    </outline>
    <outline type="rss" text="Gopher" xmlUrl="gopher://old.example/feed"/>
  </body>
</opml>
"""


pytestmark = pytest.mark.usefixtures("store_env")


@pytest.fixture
def opml_file(tmp_path: Path) -> Path:
    path = tmp_path / "reader.opml"
    path.write_text(OPML, encoding="utf-8")
    return path


def test_import_follows_nested_feeds_once(
    capsys: pytest.CaptureFixture[str], opml_file: Path
) -> None:
    code, out, err = lamplight(capsys, "feeds", "import-opml", str(opml_file))
    assert (code, err) == (0, "")
    assert out == "added 2 feeds, 0 already followed, 1 skipped (not an http(s) URL)\n"
    code, out, _ = lamplight(capsys, "feeds", "import-opml", str(opml_file))
    assert out.startswith("added 0 feeds, 2 already followed")
    listing = lamplight(capsys, "feeds", "list")[1]
    assert "Import AI" in listing and "Ahead of AI & more" in listing


def test_an_imported_feed_already_followed_by_hand_counts_as_followed(
    capsys: pytest.CaptureFixture[str], opml_file: Path
) -> None:
    lamplight(capsys, "feeds", "add", "https://jack-clark.net/feed/", "--name", "Jack")
    out = lamplight(capsys, "feeds", "import-opml", str(opml_file))[1]
    assert out.startswith("added 1 feeds, 1 already followed")


def test_export_to_stdout_and_round_trip_into_a_fresh_store(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    opml_file: Path,
    tmp_path: Path,
) -> None:
    lamplight(capsys, "feeds", "import-opml", str(opml_file))
    lamplight(capsys, "feeds", "add", "https://x.example/rss?a=1&b=2", "--name", "A <b> & c")
    code, exported, err = lamplight(capsys, "feeds", "export-opml")
    assert (code, err) == (0, "")
    feeds = read_opml(exported.encode())
    assert [(f.name, f.feed_url) for f in feeds] == [
        ("Import AI", "https://jack-clark.net/feed/"),
        ("Ahead of AI & more", "https://magazine.sebastianraschka.com/feed"),
        ("A <b> & c", "https://x.example/rss?a=1&b=2"),
    ]
    out_file = tmp_path / "out" / "lamplight.opml"
    out_file.parent.mkdir()
    code, out, _ = lamplight(capsys, "feeds", "export-opml", "--out", str(out_file))
    assert (code, out) == (0, f"wrote 3 feeds to {out_file}\n")
    assert out_file.read_text(encoding="utf-8") == exported

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    code, out, _ = lamplight(capsys, "feeds", "import-opml", str(out_file))
    assert (code, out) == (0, "added 3 feeds, 0 already followed\n")
    assert lamplight(capsys, "feeds", "export-opml")[1] == exported


def test_export_of_an_empty_store_is_valid_opml(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = lamplight(capsys, "feeds", "export-opml")
    assert code == 0 and read_opml(out.encode()) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "it is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not OPML"),
        (b"\xff\xfe\xfd not utf-8", "not OPML"),
        (b"<rss version='2.0'><channel/></rss>", "not OPML"),
        (b"name,url\nA,https://a.example/feed\n", "not OPML"),
        (b'<opml version="2.0"><body/></opml>', "no feeds in it"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.opml"
    path.write_bytes(content)
    code, out, err = lamplight(capsys, "feeds", "import-opml", str(path))
    assert code == 1 and out == ""
    assert err.startswith(f"error: {path}: ") and message in err
    assert err.count("\n") == 1


def test_a_missing_file_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = lamplight(capsys, "feeds", "import-opml", str(tmp_path / "nope.opml"))
    assert code == 1 and err == f"error: {tmp_path / 'nope.opml'}: no such file\n"
