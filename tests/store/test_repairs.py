"""Repaired items in the store: the least certain listed first, and a better repair applied
again over the raw text without losing read marks."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.config import Settings
from bot.library.importer import import_paths
from bot.library.items import LOCAL_OWNER_CHAT_ID, Answer
from bot.library.repair.text import Vocabulary
from bot.library.repair.vocabulary import corrupt
from bot.library.reprepare import reprepare
from bot.store.db import Store
from bot.store.models import Item, ItemState
from bot.store.repairs import clean_texts, least_certain, reapply
from bot.store.search import search
from tests.conftest import NOW

QUOTES = """\
Grace Hopper：深度学习需要很多数据，也需要耐心。
Ada Lovelace：机器学习的目标是从数据中学习规律。
Alan Turing：我们只能看到前方很短的距离。
"""
CLEAN = "Claude Shannon：信息论是通信的数学理论。\n"


def import_notes(store: Store, settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "mojibake.txt").write_text(corrupt(QUOTES), encoding="utf-8")
    (tmp_path / "clean.txt").write_text(CLEAN, encoding="utf-8")
    import_paths(
        store, [tmp_path / "mojibake.txt", tmp_path / "clean.txt"], settings=settings, now=NOW
    )


def quote_by(store: Store, author: str) -> tuple[int, str, str | None, float | None]:
    with store.transaction() as session:
        item = session.scalars(select(Item).where(Item.author == author)).one()
        return item.id, item.text, item.raw_text, item.repair_confidence


def test_repaired_items_keep_raw_text_and_a_confidence(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    import_notes(store, settings, tmp_path)
    _, text, raw, confidence = quote_by(store, "Grace Hopper")
    assert text == "深度学习需要很多数据，也需要耐心。"
    assert raw == corrupt("Grace Hopper：深度学习需要很多数据，也需要耐心。")
    assert confidence is not None and 0 < confidence < 1
    _, _, raw, confidence = quote_by(store, "Claude Shannon")
    assert raw is None and confidence is None


def test_the_clean_notes_are_the_vocabulary(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    import_notes(store, settings, tmp_path)
    with store.transaction() as session:
        texts = clean_texts(session)
    # Only the item that needed no repair: guesses are no evidence.
    [text] = texts
    assert "信息论是通信的数学理论。" in text and "Claude Shannon" in text


def test_review_lists_the_least_certain_repairs_first(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    import_notes(store, settings, tmp_path)
    with store.transaction() as session:
        for author, confidence in (("Grace Hopper", 0.9), ("Ada Lovelace", 0.3)):
            session.scalars(
                select(Item).where(Item.author == author)
            ).one().repair_confidence = confidence
    with store.transaction() as session:
        listed = [item.author for item in least_certain(session, limit=2)]
        everything = least_certain(session, limit=10)
    assert listed[0] == "Ada Lovelace"
    assert len(everything) == 3  # repaired items only
    confidences = [item.repair_confidence for item in everything]
    assert confidences == sorted(confidences)


def test_reapply_fixes_old_repairs_and_keeps_raw_text_and_read_marks(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    import_notes(store, settings, tmp_path)
    item_id, good, raw, _ = quote_by(store, "Ada Lovelace")
    with store.transaction() as session:
        # What an older, worse model made of it; the owner has read it since.
        item = session.get(Item, item_id)
        assert item is not None
        item.text = good.replace("学习", "孝习")
        item.body_tokens = "孝习"
        item.repair_confidence = 0.2
        session.add(ItemState(chat_id=LOCAL_OWNER_CHAT_ID, item_id=item_id, status=Answer.READ))
    with store.transaction() as session:
        vocabulary = Vocabulary.from_texts(clean_texts(session))
        report = reapply(session, lambda item: reprepare(item, vocabulary))
    assert (report.checked, report.updated, report.skipped) == (3, 1, 0)
    _, text, raw_after, confidence = quote_by(store, "Ada Lovelace")
    assert text == good
    assert raw_after == raw
    assert confidence is not None and confidence > 0.2
    with store.transaction() as session:
        state = session.get(ItemState, (LOCAL_OWNER_CHAT_ID, item_id))
        assert state is not None and state.status is Answer.READ
        hits = search(session, "规律", limit=5).items
        assert [hit.id for hit in hits] == [item_id]
