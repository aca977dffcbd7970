"""The owner curates by reply: `forget 2` hides an item from every digest and search (Undo
brings it back), `fix 2 New title` corrects a title; Chinese verbs; others are refused. Real PTB
stack, strict fake Bot API, the sample notes as the library."""

from __future__ import annotations

from bot.store import chats, digests
from bot.store.models import DeliveryState, Item
from bot.telegram.background import Running
from bot.telegram.handlers.common import Services
from tests.support.bot import FRIEND, OWNER
from tests.support.botapi import ChatMessage, FakeBotAPI
from tests.support.chat import Chat


def joined(botapi: FakeBotAPI, user_id: int, language: str = "en") -> Chat:
    chat = Chat(botapi, user_id, language_code=language)
    chat.send("/start")
    chat.reply()
    return chat


def say(chat: Chat, text: str, reply_to: ChatMessage | None = None) -> ChatMessage:
    """The bot's next new message after ``text`` (edits of older ones are not it)."""
    sent = chat.send(text, reply_to=reply_to.message_id if reply_to else None)
    return chat.wait_for(
        lambda: next((m for m in chat.bot_messages() if m.message_id > sent), None),
        what=f"the reply to {text!r}",
    )


def digest_now(chat: Chat, services: Services) -> tuple[list[ChatMessage], list[int]]:
    """/digest: its messages once every part is sent, and its items' ids in order."""
    with services.store.transaction() as session:
        before = digests.digest_for_answer(session, chat_id=chat.user_id)
    chat.send("/digest")

    def sent() -> tuple[list[int], list[int]] | None:
        with services.store.transaction() as session:
            digest = digests.digest_for_answer(session, chat_id=chat.user_id)
            if digest is None or (before is not None and digest.id == before.id):
                return None
            if any(m.state is not DeliveryState.SENT for m in digest.messages):
                return None
            return [m.telegram_message_id or 0 for m in digest.messages], [
                i.item_id for i in digest.items
            ]

    message_ids, item_ids = chat.wait_for(sent, what="the digest sent")
    return [chat.botapi.message(chat.user_id, i) for i in message_ids], item_ids


def results(chat: Chat, query: str) -> str:
    """What /search lists, below its header (which repeats the query)."""
    shown = say(chat, f"/search {query}").visible_text or ""
    return shown.partition("\n")[2]


def title_of(services: Services, item_id: int) -> str:
    with services.store.transaction() as session:
        return session.get_one(Item, item_id).title


def test_forget_hides_an_item_from_every_digest_and_search_and_undo_brings_it_back(
    botapi: FakeBotAPI, friend: Chat, services: Services
) -> None:
    owner = joined(botapi, OWNER)
    with services.store.transaction() as session:
        for reader in (OWNER, FRIEND):  # the whole library in each digest
            chats.update_chat(session, reader, digest_size=20)
    parts, ids = digest_now(owner, services)
    forgotten, title = ids[1], title_of(services, ids[1])

    confirmed = say(owner, "forget 2", reply_to=parts[0])
    assert confirmed.visible_text == (
        f"Forgotten: no one will be shown it or find it again.\n2. {title}"
    )
    assert [label for label, _ in confirmed.buttons()] == ["↩️ Undo 2"]
    # Every reader's next digests, and search, go without it (the two chats take turns).
    _, first = digest_now(friend, services)
    assert title not in results(owner, title)
    _, second = digest_now(friend, services)
    assert forgotten not in first + second and ids[0] in first and ids[0] in second

    assert owner.tap("↩️ Undo 2")["text"] == f"↩️ Back: {title}"
    assert title in results(friend, title)
    owner.wait_for(lambda: not confirmed_buttons(owner, confirmed), what="Undo gone")
    assert (botapi.message(OWNER, confirmed.message_id).visible_text or "").endswith(
        f"\n↩️ Back: {title}"
    )


def confirmed_buttons(chat: Chat, message: ChatMessage) -> list[str]:
    return [label for label, _ in chat.botapi.message(chat.user_id, message.message_id).buttons()]


def test_forget_from_search_results_in_chinese_and_only_by_admins(
    botapi: FakeBotAPI, running: Running
) -> None:
    refused = say(Chat(botapi, FRIEND), "forget 1")
    assert refused.visible_text == "Sorry, only the bot's admins can forget or fix items."

    owner = Chat(botapi, OWNER, language_code="zh-hans")
    found = say(owner, "/search 扩散模型")
    titles = ["扩散模型入门：从加噪到去噪的直觉", "一份关于扩散模型的入门讲义"]
    assert all(t in (found.visible_text or "") for t in titles)
    confirmed = say(owner, "删除 1 2", reply_to=found)
    assert (confirmed.visible_text or "").startswith("已忘记：")
    assert [label for label, _ in confirmed.buttons()] == ["↩️ 撤销 1", "↩️ 撤销 2"]
    again = results(owner, "扩散模型")
    assert not any(t in again for t in titles)


def test_fix_corrects_a_title_searchably_and_keeps_the_old_one(
    botapi: FakeBotAPI, friend: Chat, services: Services
) -> None:
    owner = joined(botapi, OWNER)
    parts, ids = digest_now(owner, services)
    old = title_of(services, ids[1])

    fixed = say(owner, "fix 2 Lamplight curation handbook", reply_to=parts[0])
    assert (fixed.visible_text or "").startswith(f"✏️ Title fixed (it was: {old})\n\n1. ")
    assert "Lamplight curation handbook" in (fixed.visible_text or "")
    first = results(friend, "curation handbook").splitlines()[1]
    assert first.startswith("1. ") and "Lamplight curation handbook" in first
    with services.store.transaction() as session:
        item = session.get_one(Item, ids[1])
        assert (item.title, item.title_before_fix) == ("Lamplight curation handbook", old)

    assert say(owner, "fix 2", reply_to=parts[0]).visible_text == (
        "Which title? Reply like “fix 2 New title”."
    )
    assert say(owner, "forget 99", reply_to=parts[0]).visible_text == (
        f"There is no item 99 there (1–{len(ids)})."
    )
