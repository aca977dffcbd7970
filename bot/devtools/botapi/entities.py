"""What Telegram adds to a message a user writes: entities (the /command, each link it finds,
and the formatting the user's app sent, such as a text_link) and, for a forwarded message, its
``forward_origin``. Held to Telegram's shapes: an entity past the text's end, a text_link
without a URL or an origin of an unknown type is a broken test, and fails as such."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import Any

from bot.devtools.botapi.shapes import command_entities
from bot.digests.fitting import utf16_len

__all__ = ["channel_origin", "checked_origin", "message_entities", "user_origin"]

# The entity types Bot API 7+ sends with a message's text.
ENTITY_TYPES = frozenset(
    [
        "mention",
        "hashtag",
        "cashtag",
        "bot_command",
        "url",
        "email",
        "phone_number",
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "blockquote",
        "expandable_blockquote",
        "code",
        "pre",
        "text_link",
        "text_mention",
        "custom_emoji",
    ]
)
# Links as Telegram finds them in plain text: with a scheme, or starting "www.".
_LINK = re.compile(r"(?:https?://|www\.)[^\s<>\"'“”‘’，。、]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""
_ORIGIN_FIELDS = {
    "user": "sender_user",
    "hidden_user": "sender_user_name",
    "chat": "sender_chat",
    "channel": "chat",
}


def message_entities(text: str, given: Sequence[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    """The entities of a message: its /command and links, as Telegram marks them, and those
    ``given`` (formatting the user's app sent), checked, in order of offset.

    >>> [(e["type"], e["offset"], e["length"]) for e in message_entities("see https://a.org/x.")]
    [('url', 4, 15)]
    """
    found = [*command_entities(text), *_links(text)]
    size = utf16_len(text)
    for entity in given:
        found.append(_checked(entity, size))
    return sorted(found, key=lambda e: (e["offset"], -e["length"]))


def _links(text: str) -> list[dict[str, Any]]:
    links = []
    for match in _LINK.finditer(text):
        link = match.group(0).rstrip(_TRAILING)
        offset = utf16_len(text[: match.start()])
        links.append({"type": "url", "offset": offset, "length": utf16_len(link)})
    return links


def _checked(entity: dict[str, Any], size: int) -> dict[str, Any]:
    kind, offset, length = entity.get("type"), entity.get("offset"), entity.get("length")
    if kind not in ENTITY_TYPES:
        raise AssertionError(f"Telegram sends no entity of type {kind!r}")
    if not isinstance(offset, int) or not isinstance(length, int) or offset < 0 or length < 1:
        raise AssertionError(f"an entity needs a whole offset and length: {entity!r}")
    if offset + length > size:
        raise AssertionError(f"entity {entity!r} ends past the text ({size} UTF-16 units)")
    url = entity.get("url")
    if kind == "text_link" and not (isinstance(url, str) and re.match(r"(?:https?|tg)://", url)):
        raise AssertionError(f"a text_link carries its URL: {entity!r}")
    return dict(entity)


def checked_origin(origin: dict[str, Any]) -> dict[str, Any]:
    """A forwarded message's ``forward_origin``, as Telegram shapes it (its date filled in)."""
    kind = origin.get("type")
    if kind not in _ORIGIN_FIELDS:
        raise AssertionError(f"Telegram knows no forward origin of type {kind!r}")
    if _ORIGIN_FIELDS[kind] not in origin:
        raise AssertionError(f"a {kind} origin carries {_ORIGIN_FIELDS[kind]}: {origin!r}")
    if kind == "channel" and not isinstance(origin.get("message_id"), int):
        raise AssertionError(f"a channel origin names the post (message_id): {origin!r}")
    return {"date": int(time.time()), **origin}


def channel_origin(
    chat_id: int, title: str, message_id: int, *, username: str | None = None
) -> dict[str, Any]:
    """The origin of a post forwarded from a channel."""
    chat: dict[str, Any] = {"id": chat_id, "type": "channel", "title": title}
    if username:
        chat["username"] = username
    return {"type": "channel", "chat": chat, "message_id": message_id}


def user_origin(user_id: int, first_name: str, last_name: str | None = None) -> dict[str, Any]:
    """The origin of a message forwarded from a person who allows linking to them."""
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if last_name:
        user["last_name"] = last_name
    return {"type": "user", "sender_user": user}
