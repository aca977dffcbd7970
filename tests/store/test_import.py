"""Importing notes: every item once, read marks kept, and a bad file changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.library.importer import ImportFileError, import_paths
from bot.library.items import LOCAL_OWNER_CHAT_ID, Answer, ItemKind
from bot.store import digests
from bot.store.chats import merge_local_owner
from bot.store.db import Store, open_store
from bot.store.library import export_items
from bot.store.models import Item, ItemRevision, ItemState
from bot.store.search import search
from tests.conftest import NOW

FIRST = """\
Grace Hopper：The most dangerous phrase in the language is "we have always done it this way".

【注意力机制】《Attention Is All You Need》
https://arxiv.org/abs/1706.03762v5

✅ [CL]《BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding》J Devlin, M Chang, K Lee, K Toutanova [Google AI Language] (2018)
https://arxiv.org/abs/1810.04805

The Illustrated Transformer
https://jalammar.github.io/illustrated-transformer/
"""

# The same two links written another way: another arXiv form, another URL form.
SECOND = """\
Attention Is All You Need
https://arxiv.org/pdf/1706.03762.pdf

The Illustrated Transformer
http://www.jalammar.github.io/illustrated-transformer?utm_source=newsletter
"""


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def run_import(store: Store, settings: Settings, *paths: Path) -> dict[str, object]:
    return import_paths(store, paths, settings=settings, now=NOW).as_json()


def count(store: Store) -> int:
    with store.transaction() as session:
        return session.scalar(select(func.count()).select_from(Item)) or 0


def owner_reads(store: Store, chat_id: int) -> set[str]:
    with store.transaction() as session:
        rows = session.scalars(
            select(Item.title)
            .join(ItemState, ItemState.item_id == Item.id)
            .where(ItemState.chat_id == chat_id, ItemState.status == Answer.READ)
        )
        return set(rows)


def test_a_stream_file_becomes_items_of_each_kind(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    summary = run_import(store, settings, write(tmp_path, "first.txt", FIRST))
    assert summary == {
        "added": {"quote": 1, "paper": 2, "article": 1},
        "feeds": 0,
        "marked_read": 1,
        "duplicates": 0,
        "merged": [],
        "updated": 0,
        "gone": [],
        "retired": 0,
    }
    with store.transaction() as session:
        bert = session.scalars(select(Item).where(Item.arxiv_id == "1810.04805")).one()
        assert bert.kind is ItemKind.PAPER
        assert bert.year == 2018
        assert bert.affiliation == "Google AI Language"
        assert bert.author.startswith("J Devlin")
        quote = session.scalars(select(Item).where(Item.kind == ItemKind.QUOTE)).one()
        assert quote.author == "Grace Hopper"
        assert quote.source is not None and quote.source.name == "first.txt"


def test_importing_a_file_twice_adds_nothing_and_keeps_read_marks(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = write(tmp_path, "first.txt", FIRST)
    run_import(store, settings, path)
    again = run_import(store, settings, path)
    assert again["added"] == {"quote": 0, "paper": 0, "article": 0}
    assert again["duplicates"] == 4
    assert again["marked_read"] == 0
    assert count(store) == 4
    assert len(owner_reads(store, LOCAL_OWNER_CHAT_ID)) == 1


def test_the_same_paper_or_link_written_differently_is_one_item(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    run_import(store, settings, write(tmp_path, "first.txt", FIRST))
    second = run_import(store, settings, write(tmp_path, "second.txt", SECOND))
    assert second["duplicates"] == 2
    assert count(store) == 4


def test_a_bad_file_in_a_batch_leaves_the_store_as_it_was(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    good = write(tmp_path, "first.txt", FIRST)
    empty = write(tmp_path, "empty.md", "  \n\n")
    with pytest.raises(ImportFileError, match=r"empty\.md: the file is empty"):
        run_import(store, settings, good, empty)
    assert count(store) == 0


def test_a_gb18030_file_is_decoded_and_imported(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = write(tmp_path, "gbk.txt", FIRST, encoding="gb18030")
    run_import(store, settings, path)
    with store.transaction() as session:
        title = session.scalar(select(Item.title).where(Item.arxiv_id == "1706.03762"))
        assert title is not None and "Attention Is All You Need" in title


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_utf16_file_with_its_byte_order_mark_is_decoded_and_imported(
    store: Store, settings: Settings, tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "unicode.txt"  # as Notepad saves "Unicode": a mark, then UTF-16
    path.write_bytes("\ufeff".encode(encoding) + FIRST.replace("\n", "\r\n").encode(encoding))
    run_import(store, settings, path)
    with store.transaction() as session:
        title = session.scalar(select(Item.title).where(Item.arxiv_id == "1706.03762"))
        assert title is not None and "Attention Is All You Need" in title
    assert count(store) == 4  # all that FIRST holds, as from UTF-8


def test_a_directory_imports_its_notes_files_only(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    (folder / "deeper").mkdir(parents=True)
    write(folder, "first.md", FIRST)
    write(folder / "deeper", "second.txt", SECOND)
    (folder / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    summary = run_import(store, settings, folder)
    assert summary["duplicates"] == 2
    assert count(store) == 4


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"---\ntitle: only front matter\n---\n", "found no quotes, papers or links"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        (b"", "the file is empty"),
        (b"\xff\xfe\xfa" * 10, "not UTF-8 or GB18030"),
        (b"x" * (2 * 1024 * 1024), "over the import limit of 1 MB"),
    ],
)
def test_bad_files_get_a_one_line_reason(
    make_settings: Callable[..., Settings],
    database_url: str,
    tmp_path: Path,
    content: bytes,
    message: str,
) -> None:
    settings = make_settings(database_url=database_url, lamplight_import_max_mb=1)
    path = tmp_path / "notes {draft}.txt"  # braces in a name are text, not a template
    path.write_bytes(content)
    store = open_store(settings.store_url)
    with pytest.raises(ImportFileError) as caught:
        import_paths(store, [path], settings=settings, now=NOW)
    store.dispose()
    assert message in str(caught.value)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_missing_path_is_named(store: Store, settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="no such file or directory"):
        run_import(store, settings, tmp_path / "nope.md")


def test_the_local_owner_hands_read_marks_to_the_first_admin(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    run_import(store, settings, write(tmp_path, "first.txt", FIRST))
    with store.transaction() as session:
        assert merge_local_owner(session, 7) == 1
    assert owner_reads(store, LOCAL_OWNER_CHAT_ID) == set()
    assert len(owner_reads(store, 7)) == 1


def test_export_lists_items_with_the_owners_read_mark(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    run_import(store, settings, write(tmp_path, "first.txt", FIRST))
    with store.transaction() as session:
        papers = export_items(session, owner_chat_id=LOCAL_OWNER_CHAT_ID, kind=ItemKind.PAPER)
    assert {p["read"] for p in papers} == {True, False}
    assert all(p["kind"] == "paper" and p["source"] == "first.txt" for p in papers)
    assert set(papers[0]) == {
        "kind", "title", "text", "notes", "author", "affiliation", "year", "url", "topic",
        "source", "read",
    }  # fmt: skip


def test_what_a_later_file_fills_in_is_searchable(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    """A quote first met without its speaker, then with: the speaker finds it."""
    quote = "Simplicity is prerequisite for reliability, and elegance is not optional."
    run_import(store, settings, write(tmp_path, "first.txt", f"{quote}\n"))
    with store.transaction() as session:
        assert search(session, "Dijkstra").total == 0
    second = run_import(
        store, settings, write(tmp_path, "second.txt", f"Edsger Dijkstra：{quote}\n")
    )
    assert second["duplicates"] == 1
    with store.transaction() as session:
        [found] = search(session, "dijkstra").items
        assert found.author == "Edsger Dijkstra" and found.text.startswith("Simplicity")


# Written like the owner's post of paper talks: one talk covers two papers (one video, links
# to both), and the paper table lists them apart, each with its year and summary.
TALKS = """\
---
layout: post
title: "Paper talks"
---

## 录制完成的论文

| 日期 | 标题 | 时长 | 视频 |
| --: | -- | -- | --: |
| 3/3/22 | [Orca](https://example.org/orca.pdf), [Orca-2](https://example.org/orca2.pdf) 精读 | 1:29:58 | [video](https://www.bilibili.com/video/BV1Orca00000/) |

## 所有论文

| 已录制 | 年份 | 名字 | 简介 |
| ---- | ---- | ---- | ---- |
| ✅ | 2018 | [Orca](https://example.org/orca.pdf) | the first one |
| ✅ | 2019 | [Orca-2](https://example.org/orca2.pdf) | the second, larger |
| | 2020 | [Whale](https://example.org/zoo/) | a page of several models |
| | 2021 | [Dolphin](https://example.org/zoo/) | another on the same page |
"""


def test_papers_sharing_a_video_or_a_page_stay_apart_with_their_own_fields(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    run_import(store, settings, write(tmp_path, "talks.md", TALKS))
    with store.transaction() as session:
        papers = {
            p.title: p for p in session.scalars(select(Item).where(Item.kind == ItemKind.PAPER))
        }
        assert {t: (p.year, p.text) for t, p in papers.items()} == {
            "Orca": (2018, "the first one"),
            "Orca-2": (2019, "the second, larger"),
            "Whale": (2020, "a page of several models"),
            "Dolphin": (2021, "another on the same page"),
        }
        assert papers["Orca"].video_url == papers["Orca-2"].video_url


def test_an_import_lists_what_it_merged_and_by_which_key(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    run_import(store, settings, write(tmp_path, "first.txt", FIRST))
    second = run_import(store, settings, write(tmp_path, "second.txt", SECOND))
    assert second["merged"] == [
        {
            "kept": "Attention Is All You Need",
            "from": "second.txt:1 Attention Is All You Need",
            "key": "arxiv:1706.03762",
        },
        {
            "kept": "The Illustrated Transformer",
            "from": "second.txt:4 The Illustrated Transformer",
            "key": "url:https://jalammar.github.io/illustrated-transformer",
        },
    ]


NOTES_BEFORE = """\
Grace Hopper：The most dangerous phrase in the language is "we have always done it this way".

Alan Kay：The best way to predict the future is to invent it.

The Illustrated Transformer
https://jalammar.github.io/illustrated-transformer/

Transformer 详解
https://example.org/zh/transformer-explained
"""
# The owner fixed Alan Kay's quote (no key of it is left), retitled a link, dropped the
# Chinese article and added a paper.
NOTES_AFTER = """\
Grace Hopper：The most dangerous phrase in the language is "we have always done it this way".

Alan Kay：The best way to predict the future is to invent it yourself.

The Illustrated Transformer, by Jay Alammar
https://jalammar.github.io/illustrated-transformer/

【注意力机制】《Attention Is All You Need》
https://arxiv.org/abs/1706.03762
"""


def titles(store: Store, *, live: bool = False) -> set[str]:
    with store.transaction() as session:
        query = select(Item.title)
        if live:
            query = query.where(Item.retired_at.is_(None))
        return set(session.scalars(query))


def test_importing_an_edited_file_updates_adds_and_reports_what_is_gone(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = write(tmp_path, "notes.txt", NOTES_BEFORE)
    run_import(store, settings, path)
    with store.transaction() as session:
        ids = {item.title: item.id for item in session.scalars(select(Item))}
        kay = session.scalars(select(Item).where(Item.author == "Alan Kay")).one()
        session.add(ItemState(chat_id=LOCAL_OWNER_CHAT_ID, item_id=kay.id, status=Answer.READ))
    path.write_text(NOTES_AFTER, encoding="utf-8")

    again = run_import(store, settings, path)

    assert again["added"] == {"quote": 0, "paper": 1, "article": 0}
    assert again["updated"] == 2
    assert again["gone"] == [{"id": ids["Transformer 详解"], "title": "Transformer 详解"}]
    assert again["retired"] == 0
    with store.transaction() as session:
        kay = session.get_one(Item, kay.id)
        assert kay.text == "The best way to predict the future is to invent it yourself."
        [revision] = session.scalars(select(ItemRevision).where(ItemRevision.item_id == kay.id))
        assert revision.previous["text"] == "The best way to predict the future is to invent it."
        state = session.get_one(ItemState, (LOCAL_OWNER_CHAT_ID, kay.id))
        assert state.status is Answer.READ, "read state stays"
        link = session.get_one(Item, ids["The Illustrated Transformer"])
        assert link.title == "The Illustrated Transformer, by Jay Alammar"
    assert "Transformer 详解" in titles(store, live=True), "reported, not retired or deleted"


def test_retire_keeps_what_a_file_dropped_out_of_digests_and_a_return_brings_it_back(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = write(tmp_path, "notes.txt", NOTES_BEFORE)
    run_import(store, settings, path)
    path.write_text(NOTES_AFTER, encoding="utf-8")
    report = import_paths(store, [path], settings=settings, now=NOW, retire=True)
    assert report.retired == 1
    assert "Transformer 详解" not in titles(store, live=True)
    assert "Transformer 详解" in titles(store), "kept"
    with store.transaction() as session:
        drawn = {item.title for item in digests.library(session)}
    assert "Transformer 详解" not in drawn
    assert "Attention Is All You Need" in drawn

    path.write_text(NOTES_BEFORE, encoding="utf-8")
    run_import(store, settings, path)
    assert "Transformer 详解" in titles(store, live=True), "back in the file, back in digests"
