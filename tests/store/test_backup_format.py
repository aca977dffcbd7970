"""The backup format holds every table and column of the models, or says why not; its
encodings bring each value back."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
import re

import pytest

from bot.store.backup import EXCLUDED_COLUMNS, EXCLUDED_TABLES, dump, snapshot, table_excluded
from bot.store.backup_format import decode_value, encode_value
from bot.store.db import Store
from bot.store.models import Base
from tests.conftest import NOW, REPO

DOC = (REPO / "docs" / "backup-format.md").read_text(encoding="utf-8")


def test_every_table_and_column_of_the_models_is_backed_up_or_excluded_for_a_reason(
    store: Store,
) -> None:
    out = io.StringIO()
    with snapshot(store.engine) as connection:
        dump(connection, out, NOW)
    header = json.loads(out.getvalue().splitlines()[0])
    missing = []
    for table in Base.metadata.sorted_tables:
        if table_excluded(table.name):
            continue
        written = header["tables"].get(table.name, {})
        missing += [
            f"{table.name}.{column.name}"
            for column in table.columns
            if column.name not in written and f"{table.name}.{column.name}" not in EXCLUDED_COLUMNS
        ]
    assert not missing, f"neither backed up nor in EXCLUDED_TABLES/EXCLUDED_COLUMNS: {missing}"
    order = list(header["tables"])
    for table in Base.metadata.sorted_tables:
        for key in table.foreign_keys:
            parent = key.column.table.name
            if not (table_excluded(table.name) or table_excluded(parent)) and parent != table.name:
                assert order.index(parent) < order.index(table.name), "parents come first"


def test_the_format_page_lists_exactly_the_exclusions_the_code_makes() -> None:
    section = DOC.split("## What is not in a backup", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([^`]+)` \|", section, re.M))
    assert listed == set(EXCLUDED_TABLES) | set(EXCLUDED_COLUMNS)


@pytest.mark.parametrize(
    ("tag", "value", "written"),
    [
        (
            "datetime",
            dt.datetime(2026, 11, 23, 16, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
            "2026-11-23T08:00:00+00:00",
        ),
        ("datetime", dt.datetime(2026, 11, 23, 8, 0, 0, 5), "2026-11-23T08:00:00.000005+00:00"),
        ("date", dt.date(2026, 11, 23), "2026-11-23"),
        ("time", dt.time(7, 30), "07:30:00"),
        ("bytes", b"\x00\xff lamp", "AP8gbGFtcA=="),
        ("decimal", decimal.Decimal("1.10"), "1.10"),
        ("json", [["✅ Read 1", "l1:r:1:2"]], [["✅ Read 1", "l1:r:1:2"]]),
        ("text", None, None),
    ],
)
def test_values_are_written_by_their_type_and_read_back_as_they_were(
    tag: str, value: object, written: object
) -> None:
    assert encode_value(tag, value) == written
    back = decode_value(tag, json.loads(json.dumps(written)))
    if isinstance(value, dt.datetime):
        assert back.tzinfo == dt.UTC  # every time comes back as UTC
        assert back == (value if value.tzinfo else value.replace(tzinfo=dt.UTC))
    else:
        assert back == value
