"""`lamplight forget` / `unforget` / `fix` as a user runs them: by id, what each did, exit codes, and
an unknown id that changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import lamplight
from tests.store.test_import import FIRST

pytestmark = pytest.mark.usefixtures("store_env")


def ids(capsys: pytest.CaptureFixture[str], query: str) -> dict[str, int]:
    code, out, _ = lamplight(capsys, "search", "--json", query)
    assert code == 0
    return {item["title"]: item["id"] for item in json.loads(out)}


def imported(capsys: pytest.CaptureFixture[str], folder: Path) -> tuple[Path, int]:
    """Sample notes written to ``folder`` and imported: the file, and its Attention paper's id."""
    notes = folder / "notes.md"
    notes.write_text(FIRST, encoding="utf-8")
    assert lamplight(capsys, "import", str(notes))[0] == 0
    return notes, ids(capsys, "attention")["Attention Is All You Need"]


def test_forget_hides_an_item_from_search_and_unforget_brings_it_back(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, attention = imported(capsys, tmp_path)

    assert lamplight(capsys, "forget", str(attention)) == (
        0, f"forgot #{attention} Attention Is All You Need\n", ""
    )  # fmt: skip
    assert ids(capsys, "attention") == {}
    assert lamplight(capsys, "forget", str(attention))[1].startswith("already forgotten: #")
    code, out, _ = lamplight(capsys, "export", "--kind", "paper")
    assert code == 0
    assert [p.get("forgotten") for p in json.loads(out)] == [True, None]

    code, out, err = lamplight(capsys, "unforget", str(attention), "9999")
    assert (code, out) == (1, "")
    assert err.strip() == (
        "error: no item with id 9999; nothing changed (`lamplight search WORDS` shows ids)"
    )
    assert ids(capsys, "attention") == {}, "still forgotten: nothing changed"

    assert lamplight(capsys, "unforget", str(attention)) == (
        0, f"brought back #{attention} Attention Is All You Need\n", ""
    )  # fmt: skip
    assert ids(capsys, "attention") == {"Attention Is All You Need": attention}
    assert lamplight(capsys, "unforget", str(attention))[1].startswith("not forgotten: #")


def test_forget_needs_an_id_and_refuses_an_unknown_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = lamplight(capsys, "forget", "42")
    assert code == 1 and err.startswith("error: no item with id 42; nothing changed")
    code, _, err = lamplight(capsys, "forget")
    assert code == 2 and "Missing argument" in err
    code, _, err = lamplight(capsys, "unforget", "forty-two")
    assert code == 2 and "valid integer" in " ".join(err.split())


def test_fix_gives_an_item_the_owners_title_and_a_reimport_keeps_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    notes, attention = imported(capsys, tmp_path)

    assert lamplight(capsys, "fix", str(attention), "  Transformers:   attention only ") == (
        0, f"fixed #{attention}: Attention Is All You Need → Transformers: attention only\n", ""
    )  # fmt: skip
    assert ids(capsys, "attention") == {"Transformers: attention only": attention}
    assert lamplight(capsys, "import", str(notes))[0] == 0
    assert ids(capsys, "attention") == {"Transformers: attention only": attention}
    assert lamplight(capsys, "fix", str(attention), "Transformers: attention only")[1] == (
        f"already so: #{attention} Transformers: attention only\n"
    )

    for args, said in [
        ([str(attention), "   "], "error: the title is empty; nothing changed"),
        ([str(attention), "x" * 301], "error: the title is over 300 characters; nothing changed"),
        (["9999", "A title"], "error: no item with id 9999; nothing changed"),
    ]:
        code, out, err = lamplight(capsys, "fix", *args)
        assert (code, out) == (1, "") and err.startswith(said)
    assert ids(capsys, "attention") == {"Transformers: attention only": attention}
