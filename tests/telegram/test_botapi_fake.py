"""The fake Bot API answers the real PTB stack as Telegram would, refusals included."""

from __future__ import annotations

import asyncio
import io
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.telegram.ratelimit import retry_after_seconds
from tests.support.botapi import TOKEN, FakeBotAPI, FloodControl, FloodRule, wait_for_async
from tests.support.chat import Chat, polling

ALICE = 4201
BOB = 4202
# A real 2x1 PNG: the fake decodes the header of an uploaded photo, as Telegram does.
PNG_2X1 = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"{@\xe8\xdd\x00\x00\x00\x0fIDATx\x9cc\xfc\xff\xff?\x03\x03\x03\x00\x0e\xff\x02\xff\xb8"
    b"\xc5\x9e\x99\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def botapi() -> Iterator[FakeBotAPI]:
    """The fake as these tests drive it: by a bare PTB client with no pace, so Telegram's
    flood limits (on in a new fake) are off unless a test turns them on, as the limits'
    own tests below do."""
    with FakeBotAPI() as api:
        api.stop_enforcing()
        yield api


def run_with_bot(botapi: FakeBotAPI, use: Callable[[ExtBot[Any]], Awaitable[Any]]) -> Any:
    """Run ``use(bot)`` with a PTB bot on the fake, initialised and shut down properly."""

    async def main() -> Any:
        async with botapi.bot() as bot:
            return await use(bot)

    return asyncio.run(main())


def refusal(botapi: FakeBotAPI, use: Callable[[ExtBot[Any]], Awaitable[Any]]) -> str:
    """The lower-cased message of the BadRequest that ``use`` runs into."""
    with pytest.raises(BadRequest) as caught:
        run_with_bot(botapi, use)
    return caught.value.message.lower()


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in buttons])


# --- accepted calls ---------------------------------------------------------------------


def test_a_sent_message_is_recorded_and_shown_as_the_user_reads_it(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)

    sent = run_with_bot(
        botapi,
        lambda bot: bot.send_message(
            ALICE, "<b>Today</b> &amp; <i>tomorrow</i>", parse_mode=ParseMode.HTML
        ),
    )

    assert sent.message_id == 1
    assert sent.text == "Today & tomorrow"
    [call] = botapi.calls("sendMessage")
    assert call.ok and call.chat_id == ALICE and call.params["parse_mode"] == "HTML"
    [shown] = botapi.messages(ALICE)
    assert shown.text == "<b>Today</b> &amp; <i>tomorrow</i>"
    assert shown.visible_text == "Today & tomorrow"


def test_message_ids_increase_per_chat_across_user_and_bot_messages(botapi: FakeBotAPI) -> None:
    botapi.user_sends(ALICE, "hi")
    botapi.add_chat(BOB)

    async def use(bot: ExtBot[Any]) -> list[int]:
        first = await bot.send_message(ALICE, "one")
        second = await bot.send_message(ALICE, "two")
        other = await bot.send_message(BOB, "one")
        return [first.message_id, second.message_id, other.message_id]

    assert run_with_bot(botapi, use) == [2, 3, 1]


def test_a_message_of_exactly_4096_utf16_units_is_accepted(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)
    run_with_bot(botapi, lambda bot: bot.send_message(ALICE, "😀" * 2048))
    assert botapi.calls("sendMessage", ok=True)


def test_edits_change_what_the_user_sees(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)

    async def use(bot: ExtBot[Any]) -> None:
        sent = await bot.send_message(ALICE, "Pick", reply_markup=keyboard(("Read", "r:1")))
        await bot.edit_message_text("Picked", chat_id=ALICE, message_id=sent.message_id)
        await bot.edit_message_reply_markup(
            ALICE, sent.message_id, reply_markup=keyboard(("Undo", "u:1"))
        )

    run_with_bot(botapi, use)

    [shown] = botapi.messages(ALICE)
    assert shown.visible_text == "Picked"
    assert shown.buttons() == [("Undo", "u:1")]
    assert shown.edits == 2


def test_set_my_commands_and_webhook_calls_are_recorded(botapi: FakeBotAPI) -> None:
    async def use(bot: ExtBot[Any]) -> None:
        await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("digest", "Now")])
        await bot.set_webhook("https://example.invalid/hook", secret_token="s3cret")
        await bot.delete_webhook()
        await bot.get_me()

    run_with_bot(botapi, use)

    assert [c["command"] for c in botapi.commands["default:"]] == ["start", "digest"]
    assert botapi.calls("setWebhook")[0].params["secret_token"] == "s3cret"
    assert botapi.webhook is None


def test_a_photo_upload_is_recorded(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)
    run_with_bot(
        botapi,
        lambda bot: bot.send_photo(
            ALICE, io.BytesIO(PNG_2X1), caption="<b>Stats</b>", parse_mode="HTML"
        ),
    )
    [shown] = botapi.messages(ALICE)
    assert shown.photo is not None and shown.photo.startswith("upload:")
    assert shown.visible_text == "Stats"


# --- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x" * 4097, "message is too long"),
        # 2049 characters, but 4098 UTF-16 code units: Telegram counts the latter.
        ("😀" * 2049, "message is too long"),
        ("", "message text is empty"),
        ("<b> </b>", "message text is empty"),
        ("line<br>break", 'unsupported start tag "br"'),
        ("<h1>Title</h1>", 'unsupported start tag "h1"'),
        ("<b>bold", 'can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", "unmatched end tag"),
        ("x</b>", "unexpected end tag"),
        ("1 < 2", "unsupported start tag"),
        ("Q&A", "unsupported html entity"),
        ("&nbsp;", "unsupported html entity"),
        ('<span class="x">s</span>', 'tag "span" must have class "tg-spoiler"'),
        ("<b", "unclosed start tag"),
        # Telegram shows a raw ">" as it is, but its documentation asks for &gt;.
        ("5 > 3", 'unescaped ">"'),
        ("&#X26;", "unsupported html entity"),  # Telegram decodes only a lower-case x
        ('<b class="x">x</b>', 'unsupported attribute "class"'),
        ("<b foo>x</b>", "expected equal sign"),
        ('<a href="javascript:alert(1)">x</a>', "http(s) href"),
        ("<code><b>x</b></code>", 'tag "b" can\'t be inside "code"'),
        ('<a href="https://a.org"><a href="https://b.org">x</a></a>', "can't be inside"),
        ('<tg-emoji emoji-id="x">y</tg-emoji>', "invalid custom emoji identifier"),
    ],
)
def test_texts_telegram_refuses_raise_bad_request(
    botapi: FakeBotAPI, text: str, expected: str
) -> None:
    botapi.add_chat(ALICE)
    message = refusal(botapi, lambda bot: bot.send_message(ALICE, text, parse_mode="HTML"))
    assert expected in message
    assert botapi.messages(ALICE) == []
    assert botapi.calls("sendMessage")[0].status == 400


@pytest.mark.parametrize(
    "text",
    [
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>i</ins><s>s</s>"
        "<strike>s</strike><del>d</del><code>c</code><pre>p</pre><blockquote>q</blockquote>"
        '<tg-spoiler>t</tg-spoiler><span class="tg-spoiler">s</span>',
        '<a href="https://arxiv.org/abs/1706.03762?a=1&amp;b=2">Attention</a>',
        '<pre><code class="language-python">x = 1 &lt; 2</code></pre>',
        '<blockquote expandable>q</blockquote><tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        "5 &gt; 3 &#38; &#x26; &quot;q&quot;",
    ],
)
def test_the_html_telegram_accepts_is_accepted(botapi: FakeBotAPI, text: str) -> None:
    botapi.add_chat(ALICE)
    run_with_bot(botapi, lambda bot: bot.send_message(ALICE, text, parse_mode="HTML"))
    assert botapi.calls("sendMessage", ok=True)


def test_callback_data_over_64_bytes_is_refused(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)
    # 33 characters but 66 bytes: the limit is in bytes.
    markup = keyboard(("Read", "é" * 33))
    message = refusal(botapi, lambda bot: bot.send_message(ALICE, "x", reply_markup=markup))
    assert message == "button_data_invalid"


def test_a_chat_that_never_met_the_bot_is_not_found(botapi: FakeBotAPI) -> None:
    assert refusal(botapi, lambda bot: bot.send_message(999, "hi")) == "chat not found"


def test_editing_a_message_that_does_not_exist_is_refused(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)
    message = refusal(
        botapi, lambda bot: bot.edit_message_text("new", chat_id=ALICE, message_id=77)
    )
    assert message == "message to edit not found"


def test_editing_a_users_message_is_refused(botapi: FakeBotAPI) -> None:
    update = botapi.user_sends(ALICE, "mine")
    message_id = update["message"]["message_id"]
    message = refusal(
        botapi, lambda bot: bot.edit_message_text("new", chat_id=ALICE, message_id=message_id)
    )
    assert message == "message can't be edited"


def test_an_edit_that_changes_nothing_is_refused_as_not_modified(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)
    markup = keyboard(("Read", "r:1"))

    async def use(bot: ExtBot[Any]) -> None:
        sent = await bot.send_message(ALICE, "<b>Same</b>", parse_mode="HTML", reply_markup=markup)
        await bot.edit_message_text(
            "<b>Same</b>",
            chat_id=ALICE,
            message_id=sent.message_id,
            parse_mode="HTML",
            reply_markup=markup,
        )

    assert refusal(botapi, use).startswith("message is not modified")


def test_a_markup_edit_that_changes_nothing_is_refused_as_not_modified(
    botapi: FakeBotAPI,
) -> None:
    botapi.add_chat(ALICE)
    markup = keyboard(("Read", "r:1"))

    async def use(bot: ExtBot[Any]) -> None:
        sent = await bot.send_message(ALICE, "Pick", reply_markup=markup)
        await bot.edit_message_reply_markup(ALICE, sent.message_id, reply_markup=markup)

    assert refusal(botapi, use).startswith("message is not modified")


def test_callback_queries_can_be_answered_once(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)
    sent = run_with_bot(
        botapi, lambda bot: bot.send_message(ALICE, "Pick", reply_markup=keyboard(("R", "r:1")))
    )
    query_id = botapi.user_taps(ALICE, sent.message_id, "r:1")

    run_with_bot(botapi, lambda bot: bot.answer_callback_query(query_id, text="Noted"))
    again = refusal(botapi, lambda bot: bot.answer_callback_query(query_id))
    unknown = refusal(botapi, lambda bot: bot.answer_callback_query("123"))

    assert botapi.answer(query_id) == {"callback_query_id": query_id, "text": "Noted"}
    expected = "query is too old and response timeout expired or query id is invalid"
    assert again == unknown == expected


def test_a_user_can_only_tap_buttons_that_are_shown(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)
    sent = run_with_bot(
        botapi, lambda bot: bot.send_message(ALICE, "Pick", reply_markup=keyboard(("R", "r:1")))
    )
    with pytest.raises(AssertionError, match="no button"):
        botapi.user_taps(ALICE, sent.message_id, "r:2")
    assert botapi.user_taps(ALICE, sent.message_id, "r:2", forge=True)


# --- failures on cue ----------------------------------------------------------------------


def test_a_blocked_user_answers_forbidden(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)
    botapi.fail_next(
        "sendMessage", status=403, description="Forbidden: bot was blocked by the user"
    )
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        run_with_bot(botapi, lambda bot: bot.send_message(ALICE, "hi"))
    # Only the next call failed.
    run_with_bot(botapi, lambda bot: bot.send_message(ALICE, "hi"))


def test_blocking_lasts_until_the_user_writes_again(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)
    botapi.user_blocks(ALICE)
    for _ in range(2):
        with pytest.raises(Forbidden):
            run_with_bot(botapi, lambda bot: bot.send_message(ALICE, "hi"))
    assert botapi.pending_updates() == 1  # the my_chat_member update telling the bot

    botapi.user_sends(ALICE, "/start")
    run_with_bot(botapi, lambda bot: bot.send_message(ALICE, "welcome back"))


def test_flood_control_raises_retry_after_with_its_seconds(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)
    botapi.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        run_with_bot(botapi, lambda bot: bot.send_message(ALICE, "hi"))
    assert retry_after_seconds(caught.value) == 3
    assert botapi.calls("sendMessage")[0].status == 429


@pytest.mark.parametrize(
    ("status", "description"), [(500, "Internal Server Error"), (502, "Bad Gateway")]
)
def test_a_server_error_raises_network_error_and_delivers_nothing(
    botapi: FakeBotAPI, status: int, description: str
) -> None:
    botapi.add_chat(ALICE)
    botapi.fail_next("sendMessage", status=status)
    with pytest.raises(NetworkError, match=description) as caught:
        run_with_bot(botapi, lambda bot: bot.send_message(ALICE, "hi"))
    assert caught.value.__cause__ is None  # an answer from the server, not a transport fault
    assert botapi.messages(ALICE) == []


def test_faults_can_target_one_chat(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)
    botapi.add_chat(BOB)
    botapi.fail_next("sendMessage", status=500, chat_id=BOB)
    run_with_bot(botapi, lambda bot: bot.send_message(ALICE, "hi"))
    with pytest.raises(NetworkError):
        run_with_bot(botapi, lambda bot: bot.send_message(BOB, "hi"))


def test_a_hung_call_times_out_and_nothing_is_delivered(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)
    botapi.hang_next("sendMessage", 1.0)
    with pytest.raises(TimedOut):
        run_with_bot(botapi, lambda bot: bot.send_message(ALICE, "hi", read_timeout=0.2))
    botapi.wait_for(lambda: botapi.calls("sendMessage"), what="the hung call to end")
    assert botapi.messages(ALICE) == []


def test_a_hung_call_can_still_be_delivered_though_the_client_timed_out(
    botapi: FakeBotAPI,
) -> None:
    botapi.add_chat(ALICE)
    botapi.hang_next("sendMessage", 0.5, deliver=True)
    with pytest.raises(TimedOut):
        run_with_bot(botapi, lambda bot: bot.send_message(ALICE, "hi", read_timeout=0.1))
    shown = botapi.wait_for(lambda: botapi.messages(ALICE), what="the late delivery")
    assert shown[0].visible_text == "hi"


# --- flood limits ---------------------------------------------------------------------------


def test_a_second_message_into_a_chat_within_a_second_is_refused_per_chat(
    botapi: FakeBotAPI,
) -> None:
    botapi.add_chat(ALICE)
    botapi.enforce_limits()

    async def use(bot: ExtBot[Any]) -> None:
        await bot.send_message(ALICE, "one")
        await bot.send_message(ALICE, "two")

    with pytest.raises(RetryAfter) as caught:
        run_with_bot(botapi, use)
    assert retry_after_seconds(caught.value) == 1
    assert botapi.calls("sendMessage")[1].description == "Too Many Requests: retry after 1"
    assert [(a.status, a.cause, a.taken) for a in botapi.arrivals(ALICE)] == [
        (200, None, True),
        (429, "per-chat", False),
    ]
    assert botapi.refusals_by_cause() == {"per-chat": 1, "overall": 0, "injected": 0}
    gap = botapi.min_chat_gap()
    assert gap is not None and gap < 1.0
    assert botapi.sent_texts(ALICE) == ["one"]


def test_a_new_fake_enforces_telegrams_limits() -> None:
    with FakeBotAPI() as api:
        api.add_chat(ALICE)

        async def use(bot: ExtBot[Any]) -> None:
            await bot.send_message(ALICE, "one")
            await bot.send_message(ALICE, "two")

        with pytest.raises(RetryAfter):
            run_with_bot(api, use)
        assert api.refusals_by_cause() == {"per-chat": 1, "overall": 0, "injected": 0}


def test_the_31st_message_in_a_second_is_refused_overall(botapi: FakeBotAPI) -> None:
    crowd = range(7001, 7032)  # 31 chats, one message each
    for chat in crowd:
        botapi.add_chat(chat)
    botapi.enforce_limits()

    async def use(bot: ExtBot[Any]) -> list[Any]:
        sends = [bot.send_message(chat, "digest") for chat in crowd]
        return await asyncio.gather(*sends, return_exceptions=True)

    results = run_with_bot(botapi, use)

    [refused] = [r for r in results if isinstance(r, RetryAfter)]
    assert retry_after_seconds(refused) == 1
    assert len(botapi.calls("sendMessage", ok=True)) == 30
    assert botapi.refusals_by_cause() == {"per-chat": 0, "overall": 1, "injected": 0}
    assert botapi.max_arrivals_per_second() == 31  # the refused one arrived too
    assert botapi.min_chat_gap() is None  # no chat got two


@pytest.mark.parametrize(
    ("accepted", "then", "refused_as"),
    [
        ([0.0], 0.999, "per-chat"),
        ([0.0], 1.0, None),  # exactly one second later is the next second
        ([n / 30 for n in range(30)], 0.999, "overall"),
        ([n / 30 for n in range(30)], 1.0, None),  # the first has left the window
    ],
)
def test_the_limits_count_a_sliding_second_exactly(
    accepted: list[float], then: float, refused_as: str | None
) -> None:
    flood = FloodControl(FloodRule(per_chat=1, overall=30))
    for n, at in enumerate(accepted):
        flood.accept(ALICE if n == 0 else 8000 + n, at)

    refusal = flood.refusal(ALICE if len(accepted) == 1 else BOB, then)

    assert (refusal.cause if refusal else None) == refused_as


def test_an_injected_429_is_counted_as_injected(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)
    botapi.enforce_limits()
    botapi.fail_next("sendMessage", status=429, retry_after=2)

    with pytest.raises(RetryAfter):
        run_with_bot(botapi, lambda bot: bot.send_message(ALICE, "hi"))

    assert botapi.refusals_by_cause() == {"per-chat": 0, "overall": 0, "injected": 1}
    [arrival] = botapi.arrivals()
    assert arrival.cause == "injected" and not arrival.taken


def test_arrivals_are_recorded_without_enforcing_and_other_calls_are_not(
    botapi: FakeBotAPI,
) -> None:
    botapi.add_chat(ALICE)

    async def use(bot: ExtBot[Any]) -> None:
        await bot.send_chat_action(ALICE, "typing")  # not a message: Telegram does not count it
        for text in ("one", "two", "three"):
            await bot.send_message(ALICE, text)

    run_with_bot(botapi, use)

    assert [a.status for a in botapi.arrivals(ALICE)] == [200, 200, 200]
    assert botapi.max_arrivals_per_second() == 3
    assert botapi.refusals_by_cause() == {"per-chat": 0, "overall": 0, "injected": 0}


# --- network outcomes -------------------------------------------------------------------------


def network_error(botapi: FakeBotAPI, use: Callable[[ExtBot[Any]], Awaitable[Any]]) -> Any:
    """The NetworkError (TimedOut included) PTB raises for ``use``."""
    with pytest.raises(NetworkError) as caught:
        run_with_bot(botapi, use)
    return caught.value


def keepalive_request(expiry: float) -> HTTPXRequest:
    """PTB's request with the client's own keep-alive expiry (httpx's default is 5 s)."""
    return HTTPXRequest(httpx_kwargs={"limits": httpx.Limits(keepalive_expiry=expiry)})


def test_while_down_a_connect_is_refused_and_it_comes_back_on_the_same_port(
    botapi: FakeBotAPI,
) -> None:
    botapi.add_chat(ALICE)
    port = botapi.port

    async def use(bot: ExtBot[Any]) -> tuple[NetworkError, Any]:
        botapi.go_down()  # the keep-alive connection getMe opened is hung up on too
        with pytest.raises(NetworkError) as caught:
            await bot.send_message(ALICE, "lost")
        botapi.come_back()
        return caught.value, await bot.send_message(ALICE, "back")

    refused, sent = run_with_bot(botapi, use)

    assert not isinstance(refused, TimedOut)
    assert isinstance(refused.__cause__, httpx.ConnectError)
    assert botapi.port == port and botapi.is_up
    assert sent.text == "back"
    assert botapi.sent_texts(ALICE) == ["back"]


def test_the_fake_listens_on_a_chosen_port() -> None:
    port = free_port()
    with FakeBotAPI(port=port) as api:
        api.add_chat(ALICE)
        run_with_bot(api, lambda bot: bot.send_message(ALICE, "hi"))
        assert api.port == port and f":{port}/" in api.base_url
        assert api.sent_texts(ALICE) == ["hi"]


def test_going_down_hangs_up_on_a_request_in_flight(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)
    botapi.hold_answer_next("sendMessage", seconds=30)

    async def use(bot: ExtBot[Any]) -> None:
        sending = asyncio.create_task(bot.send_message(ALICE, "hi", read_timeout=30))
        await wait_for_async(lambda: botapi.held_requests() == 1, what="the held answer")
        botapi.go_down()
        await sending

    error = network_error(botapi, use)

    assert isinstance(error.__cause__, httpx.RemoteProtocolError)
    botapi.wait_for(lambda: botapi.held_requests() == 0, what="the hold to end")
    assert [m.visible_text for m in botapi.messages(ALICE)] == ["hi"]  # it went all the same


def test_a_request_on_a_connection_idle_past_keepalive_is_dropped_unread(
    botapi: FakeBotAPI,
) -> None:
    botapi.add_chat(ALICE)
    botapi.keepalive_idle = 0.2

    async def main() -> None:
        async with botapi.bot(request=keepalive_request(60)) as bot:  # getMe opens one
            await wait_for_async(lambda: botapi.expired_connections() == 1, what="expiry")
            await bot.send_message(ALICE, "crossed by the close")

    with pytest.raises(NetworkError) as caught:
        asyncio.run(main())

    assert isinstance(caught.value.__cause__, httpx.RemoteProtocolError)
    assert botapi.messages(ALICE) == []
    [dropped] = botapi.calls("sendMessage")
    assert dropped.status == 0 and "keep-alive" in (dropped.description or "")
    assert botapi.arrivals() == []  # it never reached the Bot API


def test_a_client_whose_keepalive_expires_first_never_hits_the_close(
    botapi: FakeBotAPI,
) -> None:
    botapi.add_chat(ALICE)
    botapi.keepalive_idle = 0.2

    async def main() -> None:
        async with botapi.bot(request=keepalive_request(0.05)) as bot:
            await wait_for_async(lambda: botapi.expired_connections() == 1, what="expiry")
            await bot.send_message(ALICE, "on a fresh connection")

    asyncio.run(main())

    assert botapi.sent_texts(ALICE) == ["on a fresh connection"]
    assert botapi.connections_opened() == 2  # the client let its idle one go and reconnected


def test_a_held_answer_times_out_the_client_though_the_message_shows_at_once(
    botapi: FakeBotAPI,
) -> None:
    botapi.add_chat(ALICE)
    botapi.hold_answer_next("sendMessage", chat_id=ALICE, seconds=30)

    async def use(bot: ExtBot[Any]) -> None:
        sending = asyncio.create_task(bot.send_message(ALICE, "hi", read_timeout=0.3))
        await wait_for_async(lambda: botapi.held_requests() == 1, what="the held answer")
        assert [m.visible_text for m in botapi.messages(ALICE)] == ["hi"]  # while held
        await sending

    error = network_error(botapi, use)

    assert isinstance(error, TimedOut)
    assert isinstance(error.__cause__, httpx.ReadTimeout)
    # The client hung up when it timed out, and that ends the hold (not the 30 s).
    botapi.wait_for(lambda: botapi.held_requests() == 0, what="the hold to end")
    [arrival] = botapi.arrivals()
    assert arrival.taken and arrival.status == 0  # taken, never answered


def test_a_504_can_come_after_the_message_was_taken(botapi: FakeBotAPI) -> None:
    botapi.add_chat(ALICE)
    botapi.fail_next("sendMessage", 504, deliver=True)

    error = network_error(botapi, lambda bot: bot.send_message(ALICE, "hi"))

    assert not isinstance(error, TimedOut) and error.__cause__ is None  # an answer, not a fault
    assert error.message == "Gateway Timeout"
    assert [m.visible_text for m in botapi.messages(ALICE)] == ["hi"]
    [arrival] = botapi.arrivals()
    assert (arrival.status, arrival.cause, arrival.taken) == (504, "injected", True)


# --- updates ------------------------------------------------------------------------------


def test_get_updates_serves_queued_updates_and_respects_the_offset(botapi: FakeBotAPI) -> None:
    botapi.user_sends(ALICE, "/start")
    botapi.user_sends(BOB, "hello")

    async def use(bot: ExtBot[Any]) -> tuple[list[Update], list[Update], list[Update]]:
        first = await bot.get_updates(timeout=0)
        again = await bot.get_updates(timeout=0)
        confirmed = await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)
        return first, again, confirmed

    first, again, confirmed = run_with_bot(botapi, use)

    assert [u.effective_chat.id for u in first if u.effective_chat] == [ALICE, BOB]
    assert first[0].message is not None and first[0].message.text == "/start"
    assert len(again) == 2  # not confirmed yet, so served again
    assert confirmed == ()
    assert botapi.pending_updates() == 0


def test_a_long_poll_returns_as_soon_as_an_update_arrives(botapi: FakeBotAPI) -> None:
    timer = threading.Timer(0.2, lambda: botapi.user_sends(ALICE, "late"))
    timer.start()
    try:
        updates = run_with_bot(botapi, lambda bot: bot.get_updates(timeout=30, read_timeout=40))
    finally:
        timer.cancel()
    assert [u.message.text for u in updates if u.message] == ["late"]


def test_polling_while_a_webhook_is_set_is_a_conflict(botapi: FakeBotAPI) -> None:
    async def use(bot: ExtBot[Any]) -> None:
        await bot.set_webhook("https://example.invalid/hook")
        await bot.get_updates(timeout=0)

    with pytest.raises(Conflict, match="webhook is active"):
        run_with_bot(botapi, use)


async def _hello(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_user is not None
    await update.effective_message.reply_html(f"Hello <b>{update.effective_user.first_name}</b>")


def test_an_application_answers_start_through_get_updates(botapi: FakeBotAPI) -> None:
    app = botapi.application_builder().build()
    app.add_handler(CommandHandler("start", _hello))

    async def main() -> None:
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=1)
            botapi.user_sends(ALICE, "/start", first_name="Grace")
            await wait_for_async(
                lambda: botapi.calls("sendMessage", ok=True), what="the reply to /start"
            )
            await app.updater.stop()
            await app.stop()

    asyncio.run(main())

    [reply] = botapi.calls("sendMessage", ok=True)
    assert reply.chat_id == ALICE
    assert reply.params["text"] == "Hello <b>Grace</b>"
    assert botapi.calls("getMe") and botapi.calls("deleteWebhook")


# --- the chat driver ----------------------------------------------------------------------


async def _offer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        "Paper 1", reply_markup=keyboard(("✅ Read 1", "v1:r:1"), ("Skip 1", "v1:s:1"))
    )


async def _mark(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer("Marked")
    await query.edit_message_text(f"Paper 1 — {query.data.split(':')[1]}")


async def _read_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    notes = await (await message.document.get_file()).download_as_bytearray()
    await message.reply_text(f"Got {len(notes.decode().splitlines())} lines")


def test_a_chat_reads_like_the_user(botapi: FakeBotAPI) -> None:
    app = botapi.application_builder().build()
    app.add_handler(CommandHandler("start", _hello))
    app.add_handler(CommandHandler("digest", _offer))
    app.add_handler(CallbackQueryHandler(_mark))
    app.add_handler(MessageHandler(filters.Document.ALL, _read_document))
    chat = Chat(botapi, user_id=ALICE, first_name="Ada")

    with polling(app):
        chat.send("/start")
        assert chat.reply().visible_text == "Hello Ada"

        chat.send("/digest")
        chat.reply()
        assert chat.buttons() == ["✅ Read 1", "Skip 1"]

        answer = chat.tap("✅ Read 1")
        assert answer["text"] == "Marked"
        chat.wait_for(lambda: chat.last_text() == "Paper 1 — r", what="the edit")

        chat.send_document("notes.txt", b"a\nb\nc\n")
        assert chat.reply().visible_text == "Got 3 lines"

    assert [m.from_bot for m in chat.messages()] == [False, True, False, True, False, True]
    assert chat.last_html() == "Got 3 lines"
    assert botapi.calls("download")
    assert TOKEN not in repr(botapi.calls("download")[0])


def test_updates_reach_a_webhook_listener_with_the_secret_token(botapi: FakeBotAPI) -> None:
    port = free_port()
    app = botapi.application_builder().build()
    app.add_handler(CommandHandler("start", _hello))
    update = botapi.user_sends(ALICE, "/start", queue=False)

    async def main() -> list[int]:
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_webhook(
                listen="127.0.0.1",
                port=port,
                url_path="hook",
                webhook_url="https://example.invalid/hook",
                secret_token="s3cret",
            )
            statuses = [
                await asyncio.to_thread(botapi.post_update, f"http://127.0.0.1:{port}/hook", update)
            ]
            await wait_for_async(lambda: botapi.calls("sendMessage", ok=True), what="a reply")
            botapi.webhook = {"secret_token": "wrong"}
            statuses.append(
                await asyncio.to_thread(
                    botapi.post_update, f"http://127.0.0.1:{port}/hook", {"update_id": 1}
                )
            )
            await app.updater.stop()
            await app.stop()
            return statuses

    assert asyncio.run(main()) == [200, 403]
    assert botapi.calls("setWebhook")[0].params["url"] == "https://example.invalid/hook"
    assert botapi.sent_texts(ALICE) == ["Hello <b>Ada</b>"]
    assert botapi.pending_updates() == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
