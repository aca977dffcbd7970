"""The `lamplight` command as a user runs it: output, exit codes, one-line errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.library.items import ItemKind
from bot.library.tokens import search_tokens
from bot.store.db import open_store
from bot.store.models import Digest, Item
from tests.store.test_import import FIRST


def lamplight(
    capsys: pytest.CaptureFixture[str], *argv: str, stdin: str | None = None
) -> tuple[int, str, str]:
    """Run the command in-process; returns (exit code, stdout, stderr)."""
    from jobs.main import main

    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        main(list(argv))
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        sys.stdin = sys.__stdin__
    out, err = capsys.readouterr()
    return code, out, err


pytestmark = pytest.mark.usefixtures("store_env")


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    path = tmp_path / "notes.md"
    path.write_text(FIRST, encoding="utf-8")
    return path


def test_import_json_prints_one_summary_object(
    capsys: pytest.CaptureFixture[str], notes: Path
) -> None:
    code, out, _ = lamplight(capsys, "import", "--json", str(notes))
    assert code == 0
    assert json.loads(out) == {
        "added": {"quote": 1, "paper": 2, "article": 1},
        "feeds": 0,
        "marked_read": 1,
        "duplicates": 0,
        "merged": [],
        "updated": 0,
        "gone": [],
        "retired": 0,
    }


def test_import_prints_counts_per_kind(capsys: pytest.CaptureFixture[str], notes: Path) -> None:
    code, out, _ = lamplight(capsys, "import", str(notes))
    assert code == 0
    assert "added 1 quotes, 2 papers, 1 articles" in out


def test_reimporting_with_retire_names_what_the_file_no_longer_holds(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tests.store.test_import import NOTES_AFTER, NOTES_BEFORE

    notes = tmp_path / "notes.txt"
    notes.write_text(NOTES_BEFORE, encoding="utf-8")
    assert lamplight(capsys, "import", str(notes))[0] == 0
    notes.write_text(NOTES_AFTER, encoding="utf-8")
    code, out, _ = lamplight(capsys, "import", "--retire", str(notes))
    assert code == 0
    assert "2 updated" in out
    assert "1 no longer in their file, retired:" in out
    assert "Transformer 详解" in out


def test_a_missing_file_is_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = lamplight(capsys, "import", str(tmp_path / "missing.md"))
    assert code == 1
    assert out == ""
    assert err.strip() == f"error: {tmp_path / 'missing.md'}: no such file or directory"


def test_a_bad_setting_names_the_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, notes: Path
) -> None:
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Mars/Olympus")
    code, _, err = lamplight(capsys, "import", str(notes))
    assert code == 1
    assert err.startswith("error: bad setting: DEFAULT_TIMEZONE")
    assert "Traceback" not in err


def test_an_unreachable_database_is_named_without_its_password(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, notes: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://lamp:hunter2@127.0.0.1:1/lamp")
    code, _, err = lamplight(capsys, "import", str(notes))
    assert code == 1
    assert "error: cannot open the store at postgresql+psycopg://lamp:***@127.0.0.1:1/lamp" in err
    assert "hunter2" not in err


def test_fixtext_passes_clean_text_through_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    clean = "François：“干净的中文”，naïve 👩‍💻\nsecond line\n"
    code, out, _ = lamplight(capsys, "fixtext", stdin=clean)
    assert code == 0
    assert out == clean


def test_fixtext_repairs_mojibake_from_a_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    garbled = tmp_path / "garbled.txt"
    garbled.write_text("深度学习的三个秘密".encode().decode("cp1254"), encoding="utf-8")
    code, out, _ = lamplight(capsys, "fixtext", str(garbled))
    assert code == 0
    assert out == "深度学习的三个秘密"


def test_export_by_kind_is_a_json_array(capsys: pytest.CaptureFixture[str], notes: Path) -> None:
    lamplight(capsys, "import", str(notes))
    code, out, _ = lamplight(capsys, "export", "--kind", "quote")
    assert code == 0
    [quote] = json.loads(out)
    assert quote["author"] == "Grace Hopper"


def test_fixtext_reads_a_file_as_import_does_and_refuses_a_binary_one_in_a_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("读论文：注意力机制\n".encode("gb18030"))
    assert lamplight(capsys, "fixtext", str(gbk))[:2] == (0, "读论文：注意力机制\n")
    binary = tmp_path / "cover.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    code, out, err = lamplight(capsys, "fixtext", str(binary))
    assert (code, out) == (1, "")
    assert err == f"error: {binary}: this is a binary file, not a text notes file\n"


def test_python_dash_m_bot_is_the_same_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "jobs", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("import", "fixtext", "export", "feeds", "db"):
        assert command in done.stdout


def test_the_command_list_shows_each_summary_as_sentences_not_source_lines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # wide enough that nothing is wrapped for width
    code, out, _ = lamplight(capsys, "--help")
    assert code == 0
    rows = {line.split()[1]: line for line in out.splitlines() if line.startswith("│ ")}
    assert (
        "Import notes files (quotes, paper lists, reading notes) into the library. A file "
        "imported again updates the items it holds and reports those it no longer holds."
    ) in rows["import"]
    assert (
        "Write everything in the store" in rows["backup"]
        and "SQLite or PostgreSQL." in rows["backup"]
    )


def test_digest_dry_run_prints_a_digest_and_stores_nothing(
    capsys: pytest.CaptureFixture[str], notes: Path, database_url: str
) -> None:
    lamplight(capsys, "import", str(notes))
    code, out, _ = lamplight(capsys, "digest", "--chat", "7", "--dry-run")
    assert code == 0
    assert out.startswith("Your reading for")
    assert "[✅ Read 1] [⏭ Later 1] [👎 Less 1]" in out
    assert "Grace Hopper" in out
    store = open_store(database_url)
    with store.transaction() as session:
        assert session.scalars(select(Digest)).all() == []
    store.dispose()


def test_digest_dry_run_on_a_theme_prints_only_what_matches_it(
    capsys: pytest.CaptureFixture[str], notes: Path
) -> None:
    lamplight(capsys, "import", str(notes))
    code, out, _ = lamplight(capsys, "digest", "--chat", "7", "--dry-run", "--theme", "transformer")
    assert code == 0
    assert out.startswith("Your reading on “transformer” for")
    assert "The Illustrated Transformer" in out
    assert "Grace Hopper" not in out and "Attention Is All You Need" not in out
    code, out, _ = lamplight(capsys, "digest", "--chat", "7", "--dry-run", "--theme", "zebra")
    assert (code, out) == (0, "Nothing in the library matches “zebra”.\n")


def test_digest_dry_run_searches_an_item_without_a_link_in_the_engines_set(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    """PAPER_SEARCH_URL for a paper's English title, WEB_SEARCH_URL for an article or a
    Chinese title: the 🔎 link under an item with no link of its own."""
    monkeypatch.setenv("PAPER_SEARCH_URL", "https://papers.example.cn/find?title={query}&y=1")
    monkeypatch.setenv("WEB_SEARCH_URL", "https://web.example.cn/s?wd={query}")
    lamplight(capsys, "db", "upgrade")
    store = open_store(database_url)
    with store.transaction() as session:
        for n, (kind, title) in enumerate(
            [(ItemKind.PAPER, "StyleGAN3 alias free"), (ItemKind.ARTICLE, "深度学习助力数据压缩")]
        ):
            tokens = search_tokens(title)
            session.add(Item(kind=kind, title=title, canonical_key=f"k{n}", title_tokens=tokens))
    store.dispose()
    code, out, _ = lamplight(capsys, "digest", "--chat", "7", "--dry-run")
    assert code == 0
    searches = sorted(line.strip() for line in out.splitlines() if line.strip().startswith("🔎"))
    assert searches == [
        "🔎 https://papers.example.cn/find?title=StyleGAN3+alias+free&y=1",
        "🔎 https://web.example.cn/s?wd=%E6%B7%B1%E5%BA%A6%E5%AD%A6%E4%B9%A0%E5%8A%A9%E5%8A%9B"
        "%E6%95%B0%E6%8D%AE%E5%8E%8B%E7%BC%A9",
    ]


def test_digest_without_dry_run_points_to_run(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = lamplight(capsys, "digest", "--chat", "7")
    assert code == 1
    assert "lamplight run" in err
