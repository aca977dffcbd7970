"""The owner's curation replies, read without Telegram: what is a curation, which positions,
which title, and clear messages for what cannot be done."""

from __future__ import annotations

import pytest

from bot.digests.answers import ReplyError, parse_answers
from bot.digests.curation import FixTitle, Forget, parse_curation


@pytest.mark.parametrize(
    ("text", "positions"),
    [
        ("forget 2", (2,)),
        ("forget 2 3", (2, 3)),
        ("FORGET 3, 1", (1, 3)),
        ("forget2", (2,)),
        ("forget 1-3 and 5.", (1, 2, 3, 5)),
        ("忘记 2", (2,)),
        ("忘掉2、4", (2, 4)),
        ("删除 1 和 3", (1, 3)),
        ("删掉 ２", (2,)),
    ],
)
def test_forget_in_english_and_chinese(text: str, positions: tuple[int, ...]) -> None:
    assert parse_curation(text, 5) == Forget(positions)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("fix 2 New title", "New title"),
        ("Fix 2: New   title\n", "New title"),
        ("fix 2 “Quoted title”", "Quoted title"),
        ("修正 2 注意力就是一切", "注意力就是一切"),
        ("更正 2：新标题", "新标题"),
        ("改标题 2 新标题 v2", "新标题 v2"),
    ],
)
def test_fix_takes_the_rest_as_the_title(text: str, title: str) -> None:
    assert parse_curation(text, 5) == FixTitle(2, title)


@pytest.mark.parametrize(
    "text", ["forget it", "fix this later", "fixed 2 bugs", "forgetting 2", "read 2", "hello"]
)
def test_ordinary_chat_and_answers_are_no_curation(text: str) -> None:
    assert parse_curation(text, 5) is None


def test_answers_do_not_take_curations_for_theirs() -> None:
    assert parse_answers("forget 2", 5) == [] and parse_answers("fix 2 Title", 5) == []


@pytest.mark.parametrize(
    ("text", "size", "message"),
    [
        ("forget 99", 5, "There is no item 99 there (1–5)."),
        ("forget 2", 1, "There is no item 2 there (1)."),
        ("forget 0", 5, "There is no item 0 there (1–5)."),
        ("forget 12345678", 5, "There is no item 123456… there."),
        ("forget 3-1", 5, "The range 3–1 runs backwards; try “1-3”."),
        (
            "forget 2 please",
            5,
            "I didn't understand “please”. Reply like “forget 2 3” or “fix 2 New title”.",
        ),
        ("fix 2", 5, "Which title? Reply like “fix 2 New title”."),
        ("fix 2   ", 5, "Which title? Reply like “fix 2 New title”."),
        ("fix 9 A title", 5, "There is no item 9 there (1–5)."),
        ("fix 2 " + "x" * 301, 5, "That title is too long: at most 300 characters."),
    ],
)
def test_what_cannot_be_done_is_said_clearly(text: str, size: int, message: str) -> None:
    with pytest.raises(ReplyError) as raised:
        parse_curation(text, size)
    assert str(raised.value) == message
