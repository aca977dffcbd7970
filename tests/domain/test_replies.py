"""Text replies: which positions a reader marked read, later ("not now") or less like this, and
when to say it's wrong."""

from __future__ import annotations

import pytest

from bot.digests.answers import ReplyError, parse_answers
from bot.library.items import Answer

R, S, L = Answer.READ, Answer.SKIPPED, Answer.LESS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("read 1 3", [(1, R), (3, R)]),
        ("skip 2", [(2, S)]),
        ("r1 s2", [(1, R), (2, S)]),
        ("R 1,3", [(1, R), (3, R)]),
        ("READ 1, 3", [(1, R), (3, R)]),
        ("已读 1", [(1, R)]),
        ("跳过 2", [(2, S)]),
        ("已读1、3 跳过2", [(1, R), (2, S), (3, R)]),
        ("读了 4", [(4, R)]),
        ("read 1-3", [(1, R), (2, R), (3, R)]),
        ("read 1 - 3", [(1, R), (2, R), (3, R)]),
        ("read 2–4", [(2, R), (3, R), (4, R)]),
        ("已读 1到2", [(1, R), (2, R)]),
        ("read 1 and 3", [(1, R), (3, R)]),
        ("read 1; skip 2", [(1, R), (2, S)]),
        ("skipped 5", [(5, S)]),
        ("  read 1.  ", [(1, R)]),
        ("ＲＥＡＤ　１，２", [(1, R), (2, R)]),  # full-width forms from a Chinese keyboard
        ("已读１。", [(1, R)]),
        ("read 3 1", [(1, R), (3, R)]),  # sorted by position
        ("read 1 1", [(1, R)]),
    ],
)
def test_answers_are_read_from_the_common_forms(text: str, expected: list) -> None:
    assert parse_answers(text, 5) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "not now": the item rests, nothing is said about it
        ("skip 2", [(2, S)]),
        ("s2", [(2, S)]),
        ("later 2", [(2, S)]),
        ("Later 2, 4", [(2, S), (4, S)]),
        ("not now 2", [(2, S)]),
        ("Not  Now 2-3", [(2, S), (3, S)]),
        ("跳过 2", [(2, S)]),
        ("跳过2", [(2, S)]),
        ("略过 2", [(2, S)]),
        ("稍后 2", [(2, S)]),
        ("稍后2、3", [(2, S), (3, S)]),
        # "less like this": fewer items like it
        ("less 2", [(2, L)]),
        ("LESS 2 4", [(2, L), (4, L)]),
        ("l2", [(2, L)]),
        ("l 2", [(2, L)]),
        ("少推 2", [(2, L)]),
        ("少推2", [(2, L)]),
        ("不感兴趣 2", [(2, L)]),
        ("不喜欢 2", [(2, L)]),
        ("不喜欢２", [(2, L)]),
    ],
)
def test_both_kinds_of_skip_are_told_apart_in_english_and_chinese(
    text: str, expected: list
) -> None:
    assert parse_answers(text, 5) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("r1 l2 s3", [(1, R), (2, L), (3, S)]),
        ("read 1, less 2; later 3", [(1, R), (2, L), (3, S)]),
        ("已读1 少推2 稍后3", [(1, R), (2, L), (3, S)]),
        ("已读 1 不感兴趣 2 跳过 3", [(1, R), (2, L), (3, S)]),
        ("l1-3 s2", [(1, L), (2, S), (3, L)]),
    ],
)
def test_one_reply_mixes_all_three_answers(text: str, expected: list) -> None:
    assert parse_answers(text, 5) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("read 1 skip 1", [(1, S)]),
        ("skip 1-3 read 2", [(1, S), (2, R), (3, S)]),
        ("r1 s1 r1", [(1, R)]),
    ],
)
def test_later_answers_for_the_same_position_win(text: str, expected: list) -> None:
    assert parse_answers(text, 5) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "hello",
        "thanks!",
        "read this later",
        "skip it",
        "ready 1",
        "reading 2 papers",
        "so 1 more",
        "1 3",
        "/start",
        "/digest",
        "谢谢",
        "读书 1",
        "rr 1",
        "lol 2",
        "lesson 2",
        "lately 3 papers",
        "less is more",
        "not 2",
        "now 2",
        "lunch at 1",
        "不喜欢这个",
        "少推一点",
    ],
)
def test_text_that_is_not_an_answer_gives_nothing(text: str) -> None:
    assert parse_answers(text, 5) == []


def test_a_position_past_the_digest_names_the_range() -> None:
    with pytest.raises(ReplyError) as caught:
        parse_answers("read 9", 5)
    assert str(caught.value) == "There is no item 9 in that digest (1–5)."


@pytest.mark.parametrize(
    ("text", "size", "message"),
    [
        ("read 0", 5, "There is no item 0 in that digest (1–5)."),
        ("skip 2", 1, "There is no item 2 in that digest (1)."),
        ("read 4-9", 5, "There is no item 9 in that digest (1–5)."),
        ("read 1-999999", 5, "There is no item 999999 in that digest (1–5)."),
        ("read 1", 0, "That digest has no items to answer."),
        ("read 3-1", 5, "The range 3–1 runs backwards; try “1-3”."),
        (
            "read 1 3 skip",
            5,
            "Which items should be skipped? Reply like “skip 2”.",
        ),
        ("read", 5, "Which items should be marked read? Reply like “read 1 3”."),
        ("read 1 less", 5, "Which items would you like less of? Reply like “less 4”."),
        ("less 6", 5, "There is no item 6 in that digest (1–5)."),
        ("not now 1 later", 5, "Which items should be skipped? Reply like “skip 2”."),
        ("not now", 5, "Which items should be skipped? Reply like “skip 2”."),
        ("l", 5, "Which items would you like less of? Reply like “less 4”."),
        (
            "read 1 and the rest",
            5,
            "I didn't understand “the rest”. Reply like “read 1 3”, “skip 2” or “less 4”.",
        ),
    ],
)
def test_answer_like_text_that_is_wrong_says_why(text: str, size: int, message: str) -> None:
    with pytest.raises(ReplyError) as caught:
        parse_answers(text, size)
    assert str(caught.value) == message


def test_enormous_numbers_are_refused_without_building_them() -> None:
    with pytest.raises(ReplyError, match=r"There is no item 123456… in that digest\."):
        parse_answers("read " + "1234567890" * 1000, 5)


def test_a_long_unknown_tail_is_quoted_short() -> None:
    with pytest.raises(ReplyError) as caught:
        parse_answers("read 1 " + "x" * 500, 5)
    assert len(str(caught.value)) < 100


def test_reply_error_is_a_value_error() -> None:
    assert issubclass(ReplyError, ValueError)
