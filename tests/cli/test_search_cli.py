"""`lamplight search` as a user runs it: ranked lines, a JSON array, a hint when nothing matches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import lamplight
from tests.store.test_import import FIRST


@pytest.fixture(autouse=True)
def _library(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("LAMPLIGHT_DATA_DIR", str(tmp_path / "data"))
    notes = tmp_path / "notes.md"
    notes.write_text(FIRST, encoding="utf-8")
    code, _, err = lamplight(capsys, "import", "--json", str(notes))
    assert code == 0, err


def test_json_is_an_array_of_ranked_items(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = lamplight(capsys, "search", "--json", "Transformers")
    assert code == 0
    found = json.loads(out)
    assert [item["title"] for item in found] == [
        "The Illustrated Transformer",
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
    ]
    bert = found[1]
    assert bert["kind"] == "paper" and bert["year"] == 2018
    assert bert["author"].startswith("J Devlin") and bert["url"].startswith("https://arxiv.org/")
    assert set(bert) == {"id", "kind", "title", "author", "year", "url"}


def test_limit_caps_the_results(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = lamplight(capsys, "search", "--json", "--limit", "1", "transformer")
    assert code == 0 and len(json.loads(out)) == 1


def test_plain_output_lists_kind_title_author_year_id_and_url(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = lamplight(capsys, "search", "注意力机制 attention")
    assert code == 0
    first, url = out.splitlines()[:2]
    assert first.startswith("1. [paper] Attention Is All You Need")
    assert url.strip().startswith("https://arxiv.org/abs/1706.03762")
    _, out, _ = lamplight(capsys, "search", "bert")
    assert out.startswith("1. [paper] BERT: Pre-training")
    assert (
        f"K Toutanova, 2018  #{json.loads(lamplight(capsys, 'search', '--json', 'bert')[1])[0]['id']}\n"
        in out
    )


@pytest.mark.parametrize("query", ["quantum gardening", '"; DROP TABLE items; --', "🙂"])
def test_nothing_found_says_so_and_suggests_a_shorter_query(
    capsys: pytest.CaptureFixture[str], query: str
) -> None:
    code, out, _ = lamplight(capsys, "search", query)
    assert code == 0
    assert "nothing found" in out and "shorter query" in out
    code, out, err = lamplight(capsys, "search", "--json", query)
    assert code == 0
    assert json.loads(out) == []
    assert "shorter query" in err


def test_plain_output_says_how_many_there_are_past_the_page(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = lamplight(capsys, "search", "--limit", "1", "transformer")
    assert code == 0 and out.rstrip().endswith("showing 1 of 2; --limit shows more")
    monkeypatch.setattr("bot.store.search.TOTAL_CAP", 1)  # past it, a total is "1+"
    code, out, _ = lamplight(capsys, "search", "--limit", "1", "transformer")
    assert code == 0 and out.rstrip().endswith("showing 1 of 1+; --limit shows more")
