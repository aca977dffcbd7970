"""What an import merges, and by which key: one DOI however it is linked is one item; one title
is one work unless its years are known and further apart than one."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.store.db import Store
from bot.store.models import Item
from tests.store.test_import import count, run_import, write

DOI = "10.1145/3512345.3567890"

FIRST = f"""\
Sparse Kernels for Graph Streams
https://doi.org/{DOI}
"""

# The same paper reached through the publisher's page and the old DOI resolver, each note
# titled its own way: neither URL nor title is shared with the first note, only the DOI.
SECOND = f"""\
Graph streams with sparse kernels (conference version)
https://dl.acm.org/doi/abs/{DOI}?casa_token=abc123

KDD talk on kernel sparsification
http://dx.doi.org/{DOI.upper()}
"""


def test_notes_reaching_one_doi_through_different_links_are_one_item(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    run_import(store, settings, write(tmp_path, "first.txt", FIRST))
    second = run_import(store, settings, write(tmp_path, "second.txt", SECOND))
    assert count(store) == 1
    assert second["added"] == {"quote": 0, "paper": 0, "article": 0}
    assert second["merged"] == [
        {
            "kept": "Sparse Kernels for Graph Streams",
            "from": "second.txt:1 Graph streams with sparse kernels (conference version)",
            "key": f"doi:{DOI}",
        },
        {
            "kept": "Sparse Kernels for Graph Streams",
            "from": "second.txt:4 KDD talk on kernel sparsification",
            "key": f"doi:{DOI}",
        },
    ]


def titled(title: str, year: int | None, url: str) -> str:
    return f"{title} ({year})\n{url}\n" if year else f"{title}\n{url}\n"


def years(store: Store) -> list[int | None]:
    with store.transaction() as session:
        return list(session.scalars(select(Item.year).order_by(Item.id)))


@pytest.mark.parametrize(
    ("first", "second", "kept"),
    [
        (2014, 2024, [2014, 2024]),  # a namesake ten years on: two works
        (2018, 2020, [2018, 2020]),
        (2018, 2019, [2018]),  # a preprint and its proceedings a year apart: one work
        (2019, 2018, [2019]),
        (2018, None, [2018]),  # one year unknown: the title decides
        (None, 2018, [2018]),
    ],
)
def test_one_title_is_one_work_unless_its_years_are_more_than_one_apart(
    store: Store,
    settings: Settings,
    tmp_path: Path,
    first: int | None,
    second: int | None,
    kept: list[int],
) -> None:
    title = "Generative Adversarial Networks"
    run_import(
        store,
        settings,
        write(tmp_path, "first.txt", titled(title, first, "https://example.org/gan")),
    )
    report = run_import(
        store,
        settings,
        write(tmp_path, "second.txt", titled(title, second, "https://example.com/gan-paper")),
    )
    assert years(store) == kept
    merged = [merge["key"] for merge in report["merged"]]
    assert merged == ([] if len(kept) == 2 else ["title:generative adversarial networks"])
