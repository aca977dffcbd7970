"""Access: who may use the bot besides the admins, since when, and who was denied. The
Telegram gate asks `may_use` before every update; the sweep and the sender skip `denied`."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, SQLColumnExpression, exists, select
from sqlalchemy.orm import Session

from bot.store.models import Access, Chat
from bot.store.raw_rows import aware
from bot.store.upserts import upsert


class Allowed(enum.Enum):
    """What an /allow did."""

    NEW = "new"
    AGAIN = "again"  # they had been denied
    ALREADY = "already"


def denied(chat_id: SQLColumnExpression[int]) -> ColumnElement[bool]:
    """True where the chat's user was denied: no digest is composed or sent to them."""
    return exists().where(Access.user_id == chat_id, Access.denied_at.is_not(None))


def seed_allowed(session: Session, user_ids: Iterable[int], now: dt.datetime) -> int:
    """Allow the ids of ALLOWED_USER_IDS never seen before; a known id keeps its state, so a
    /deny outlives a restart with the id still in the setting. Returns how many were added."""
    wanted = set(user_ids)
    if not wanted:
        return 0
    known = set(session.scalars(select(Access.user_id).where(Access.user_id.in_(wanted))))
    _add_new(session, [{"user_id": user_id, "since": now} for user_id in sorted(wanted - known)])
    return len(wanted - known)


def keep_joined(session: Session, admins: Collection[int]) -> int:
    """Put on the list, allowed since they joined, the users who joined the bot and are on
    no list: an admin since taken out of ADMIN_USER_IDS, a subscriber from before the list.
    Their digests went on; now they may also answer them or /stop, and admins see them in
    /users (and may /deny them). Returns how many were added."""
    unlisted = session.execute(
        select(Chat.id, Chat.joined_at).where(
            Chat.joined_at.is_not(None),
            Chat.id.not_in(admins),
            ~exists().where(Access.user_id == Chat.id),
        )
    ).all()
    _add_new(session, [{"user_id": user_id, "since": joined} for user_id, joined in unlisted])
    return len(unlisted)


def _add_new(session: Session, rows: list[dict[str, object]]) -> None:
    """Add entries for ids on no list; one another replica added meanwhile stays as it is
    (replicas starting together seed the same ids)."""
    if rows:
        session.execute(upsert(session, Access).on_conflict_do_nothing(), rows)


def may_use(session: Session, user_id: int) -> bool:
    """Whether a (non-admin) user was allowed and not denied since."""
    row = session.get(Access, user_id)
    return row is not None and row.denied_at is None


def allow(
    session: Session, user_id: int, *, name: str | None, by: int, now: dt.datetime
) -> Allowed:
    """Allow `user_id` (again); a name given replaces the one stored."""
    row = session.get(Access, user_id)
    if row is None:
        session.add(Access(user_id=user_id, name=name, allowed_by=by, since=now))
        return Allowed.NEW
    if name:
        row.name = name
    if row.denied_at is None:
        return Allowed.ALREADY
    row.denied_at, row.allowed_by, row.since = None, by, now
    return Allowed.AGAIN


def deny(session: Session, user_id: int, *, now: dt.datetime) -> bool:
    """Deny `user_id` from now on, known or not (so ALLOWED_USER_IDS cannot add them later);
    False if they were denied already. Their chat and history stay."""
    row = session.get(Access, user_id)
    if row is None:
        session.add(Access(user_id=user_id, since=now, denied_at=now))
        return True
    if row.denied_at is not None:
        return False
    row.denied_at = now
    return True


@dataclass(frozen=True, slots=True)
class User:
    """One person the bot knows: on the access list, an admin, or both; with their chat."""

    user_id: int
    name: str | None
    admin: bool
    allowed_by: int | None
    since: dt.datetime | None
    denied_at: dt.datetime | None
    joined_at: dt.datetime | None
    subscribed: bool
    paused: bool
    paused_until: dt.datetime | None
    blocked: bool


def users(session: Session, admins: Collection[int]) -> list[User]:
    """Everyone on the access list and every admin, admins first, then by id."""
    listed = session.execute(select(Access, Chat).outerjoin(Chat, Chat.id == Access.user_id))
    found = {access.user_id: _user(access.user_id, access, chat, admins) for access, chat in listed}
    for admin in admins:
        if admin not in found:
            found[admin] = _user(admin, None, session.get(Chat, admin), admins)
    return sorted(found.values(), key=lambda u: (not u.admin, u.user_id))


def _user(user_id: int, access: Access | None, chat: Chat | None, admins: Collection[int]) -> User:
    return User(
        user_id=user_id,
        name=access.name if access else None,
        admin=user_id in admins,
        allowed_by=access.allowed_by if access else None,
        since=aware(access.since) if access else None,
        denied_at=aware(access.denied_at) if access else None,
        joined_at=aware(chat.joined_at) if chat else None,
        subscribed=bool(chat and chat.subscribed),
        paused=bool(chat and chat.paused),
        paused_until=aware(chat.paused_until) if chat else None,
        blocked=bool(chat and chat.blocked),
    )
