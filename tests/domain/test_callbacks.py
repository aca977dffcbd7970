"""Callback data: short, versioned, and only what encode makes decodes."""

from __future__ import annotations

import random

import pytest

from bot.digests.callbacks import (
    MAX_BYTES,
    MAX_ID,
    SETTING_CHANGES,
    CallbackError,
    CaptureUndo,
    FeedFollow,
    ForgetChoice,
    ItemAnswer,
    ItemRestore,
    PageTurn,
    SettingChange,
    SourceLevelChange,
    SourcesPage,
    decode,
    encode,
)
from bot.library.items import Answer, SourceLevel

EDGE_IDS = [0, 1, 35, 36, 2**31, 2**32, 2**53 + 1, MAX_ID - 1, MAX_ID]


def _actions() -> list[ItemAnswer | PageTurn]:
    # hypothesis is not a dependency: a seeded sample plus the edges covers the same ground.
    rng = random.Random(2026)
    ids = EDGE_IDS + [rng.randint(0, MAX_ID) for _ in range(200)]
    pairs = [(rng.choice(ids), rng.choice(ids)) for _ in range(300)] + [(MAX_ID, MAX_ID)]
    actions: list[ItemAnswer | PageTurn] = [PageTurn(a, b) for a, b in pairs]
    for answer in Answer:
        actions += [ItemAnswer(a, b, answer) for a, b in pairs]
    return actions


def test_every_action_survives_a_round_trip_within_64_bytes() -> None:
    for action in _actions():
        data = encode(action)
        assert len(data.encode("utf-8")) <= MAX_BYTES
        assert decode(data) == action


def test_the_largest_ids_still_leave_room() -> None:
    data = encode(ItemAnswer(MAX_ID, MAX_ID, Answer.SKIPPED))
    assert data == "l1:s:1y2p0ij32e8e7:1y2p0ij32e8e7"
    assert len(data.encode("utf-8")) == 32


def test_the_format_is_versioned_and_readable() -> None:
    assert encode(ItemAnswer(1, 2, Answer.READ)) == "l1:r:1:2"
    assert encode(ItemAnswer(36, 37, Answer.SKIPPED)) == "l1:s:10:11"
    assert encode(ItemAnswer(36, 37, Answer.LESS)) == "l1:l:10:11"
    assert encode(PageTurn(query_id=5, page=0)) == "l1:p:5:0"


def test_each_answer_has_a_button_code_of_its_own() -> None:
    codes = {encode(ItemAnswer(1, 2, answer)).split(":")[1] for answer in Answer}
    assert len(codes) == len(Answer)


def test_skip_buttons_sent_before_less_existed_still_mean_not_now() -> None:
    # Digests sent with two buttons ("✅ Read", "⏭ Skip") carry "s": still the plain skip.
    assert decode("l1:s:16:rs") == ItemAnswer(42, 1000, Answer.SKIPPED)
    assert decode("l1:r:16:rs") == ItemAnswer(42, 1000, Answer.READ)


@pytest.mark.parametrize("bad", [-1, MAX_ID + 1, True, 1.0])
def test_encode_refuses_ids_the_store_cannot_have(bad: object) -> None:
    with pytest.raises(ValueError):
        encode(ItemAnswer(bad, 1, Answer.READ))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        encode(PageTurn(1, bad))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "data",
    [
        "",
        "l1",
        "l1:r",
        "l1:r:1",
        "l1:r:1:2:3",
        "l1:x:1:2",
        "l1:R:1:2",
        "l1:L:1:2",
        "l1:less:1:2",
        "L1:r:1:2",
        "l1:r:-1:2",
        "l1:r:1:-2",
        "l1:r::2",
        "l1:r:1:",
        "l1:r:01:2",  # leading zero: not how encode spells 1
        "l1:r:A:2",  # upper case: likewise
        "l1:r:1.5:2",
        "l1:r: 1:2",
        "l1:r:1:2\n",
        "l1:r:1y2p0ij32e8e8:1",  # 2**63: beyond any store id
        "l1:r:zzzzzzzzzzzzzz:1",
        "l1:r:١:2",  # a non-ASCII digit
        "l1:p:1:2:" + "0" * 60,
        "l1:r:1:" + "1" * 80,  # over 64 bytes
        "xx:r:1:2",
        "hello",
        "read 1",
        "<script>alert(1)</script>",
        "l1:r:1:2;DROP TABLE digests",
    ],
)
def test_forged_or_garbled_data_raises_callback_error(data: str) -> None:
    with pytest.raises(CallbackError):
        decode(data)


def test_another_versions_buttons_read_as_stale() -> None:
    with pytest.raises(CallbackError, match="another version"):
        decode("l2:r:1:2")


def test_the_error_never_echoes_the_data() -> None:
    with pytest.raises(CallbackError) as caught:
        decode("l1:r:<b>:2")
    assert "<b>" not in str(caught.value)


def test_callback_error_is_a_value_error() -> None:
    assert issubclass(CallbackError, ValueError)


@pytest.mark.parametrize("change", SETTING_CHANGES)
def test_settings_buttons_round_trip(change: str) -> None:
    data = encode(SettingChange(change))
    assert len(data.encode()) <= 64
    assert decode(data) == SettingChange(change)


@pytest.mark.parametrize("data", ["l1:c:", "l1:c:explode", "l1:c:pause:1", "l1:c:PAUSE"])
def test_unknown_settings_buttons_are_refused(data: str) -> None:
    with pytest.raises(CallbackError):
        decode(data)


@pytest.mark.parametrize("item_id", EDGE_IDS)
def test_undo_forget_buttons_round_trip(item_id: int) -> None:
    data = encode(ItemRestore(item_id))
    assert data.startswith("l1:h:") and len(data.encode()) <= MAX_BYTES
    assert decode(data) == ItemRestore(item_id)


@pytest.mark.parametrize("data", ["l1:h:", "l1:h:01", "l1:h:A", "l1:h:1:2", "l1:h:-1"])
def test_garbled_undo_buttons_are_refused(data: str) -> None:
    with pytest.raises(CallbackError):
        decode(data)


@pytest.mark.parametrize("source_id", EDGE_IDS)
@pytest.mark.parametrize("level", list(SourceLevel))
def test_source_level_buttons_round_trip_within_64_bytes_by_id(
    source_id: int, level: SourceLevel
) -> None:
    # A source goes by its id, so a feed named at any length still fits.
    data = encode(SourceLevelChange(source_id, level))
    assert len(data.encode()) <= MAX_BYTES
    assert decode(data) == SourceLevelChange(source_id, level)


@pytest.mark.parametrize("page", [0, 1, 35, MAX_ID])
def test_sources_page_buttons_round_trip(page: int) -> None:
    data = encode(SourcesPage(page))
    assert len(data.encode()) <= MAX_BYTES
    assert decode(data) == SourcesPage(page)


def test_source_buttons_read_as_they_are_spelled() -> None:
    assert encode(SourceLevelChange(40, SourceLevel.MORE)) == "l1:v:14:more"
    assert encode(SourcesPage(1)) == "l1:v:1"


@pytest.mark.parametrize(
    "data",
    [
        "l1:v",
        "l1:v:",
        "l1:v:14:",
        "l1:v:14:sometimes",
        "l1:v:14:MORE",
        "l1:v:014:more",
        "l1:v:-1:more",
        "l1:v:14:more:1",
        "l1:v:The Batch:more",
        "l1:v:1y2p0ij32e8e8",  # past any id
    ],
)
def test_garbled_source_buttons_are_refused(data: str) -> None:
    with pytest.raises(CallbackError):
        decode(data)


@pytest.mark.parametrize("chat_id", [1, 200, 2**31, 2**53 + 1, MAX_ID])
@pytest.mark.parametrize("confirm", [True, False])
@pytest.mark.parametrize("asked", [None, 0, 29_400_000, MAX_ID])
def test_forget_buttons_round_trip(chat_id: int, confirm: bool, asked: int | None) -> None:
    data = encode(ForgetChoice(chat_id, confirm, asked))
    assert data.startswith("l1:x:") and len(data.encode("utf-8")) <= MAX_BYTES
    assert decode(data) == ForgetChoice(chat_id, confirm, asked)


@pytest.mark.parametrize(
    "data",
    ["l1:x:5k:Y", "l1:x:5k:yes", "l1:x:05k:y", "l1:x::y", "l1:x:5k", "l1:x:5k:y:", "l1:x:5k:y:A"],
)
def test_unknown_forget_buttons_are_refused(data: str) -> None:
    with pytest.raises(CallbackError):
        decode(data)


@pytest.mark.parametrize("capture_id", EDGE_IDS)
def test_capture_buttons_round_trip_within_64_bytes(capture_id: int) -> None:
    for action in (CaptureUndo(capture_id), FeedFollow(capture_id)):
        data = encode(action)
        assert len(data.encode()) <= MAX_BYTES
        assert decode(data) == action
    assert encode(CaptureUndo(36)) == "l1:u:10"
    assert encode(FeedFollow(36)) == "l1:w:10"


@pytest.mark.parametrize(
    "data", ["l1:u:", "l1:u:01", "l1:u:1:2", "l1:w:A", "l1:w:-1", "l1:w:1y2p0ij32e8e8", "l1:U:1"]
)
def test_garbled_capture_buttons_are_refused(data: str) -> None:
    with pytest.raises(CallbackError):
        decode(data)
