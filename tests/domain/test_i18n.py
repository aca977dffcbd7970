"""Every bot text exists in English and Chinese: what the code marks (found with Babel's own
extraction, as `pybabel extract` finds it) has a real Chinese entry, the compiled catalog the
bot reads says the same as the .po, and a translation keeps its placeholders and markup."""

from __future__ import annotations

import ast
import datetime as dt
import io
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, format_day, language_for, translator
from tests.conftest import REPO
from tests.support.telegram_html import html_problems

LOCALE = REPO / "bot" / "locale"
PO = LOCALE / "zh" / "LC_MESSAGES" / "lamplight.po"
MO = LOCALE / "zh" / "LC_MESSAGES" / "lamplight.mo"
POT = LOCALE / "lamplight.pot"
COMMENT_TAG = "i18n:"  # `pybabel extract -c "i18n:"`, as README's "Translating" says
# Texts that are rightly the same in both languages. Keep it tiny: anything a reader reads
# should be translated.
SAME_IN_BOTH: frozenset[str] = frozenset()
UPDATE_HINT = "run the extract/update commands in README's 'Translating', then translate"


@dataclass(frozen=True)
class Found:
    msgid: str | tuple[str, str]
    comments: tuple[str, ...]
    where: str


@cache
def extracted() -> dict[str | tuple[str, str], Found]:
    """Every msgid in bot/ and jobs/, by babel.cfg's mapping and Babel's default keywords."""
    with (REPO / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[str | tuple[str, str], Found] = {}
    for name, line, message, comments, _ in extract_from_dir(
        REPO,
        method_map,
        options_map,
        keywords=DEFAULT_KEYWORDS,
        comment_tags=(COMMENT_TAG,),
        directory_filter=lambda path: Path(path).name not in {"tests", "bench", "migrations"},
    ):
        msgid = message if isinstance(message, str) else (message[0], message[1])
        before = found.get(msgid)
        notes = tuple(comments) + (before.comments if before else ())
        found[msgid] = Found(msgid, notes, f"{name}:{line}")
    return found


@cache
def catalog() -> Catalog:
    with PO.open("rb") as fp:
        return read_po(fp, locale="zh")


def entries() -> Iterator[Message]:
    return (m for m in catalog() if m.id)


def ids(messages: Iterator[Message]) -> list[str]:
    return [str(m.id)[:40] for m in messages]


def test_extraction_finds_the_bot_texts() -> None:
    """Guards the tests below: a broken mapping would find nothing and pass them all."""
    texts = extracted()
    assert "Send /start to subscribe." in texts
    assert "Your reading for {date}" in texts
    assert len(texts) > 80


def test_every_text_in_the_code_has_a_real_chinese_translation() -> None:
    problems = []
    for msgid, found in sorted(extracted().items(), key=lambda kv: str(kv[0])):
        entry = catalog().get(msgid)
        strings = () if entry is None else entry.string
        strings = (strings,) if isinstance(strings, str) else tuple(strings)
        english = {msgid} if isinstance(msgid, str) else set(msgid)
        if entry is None:
            problems.append(f"missing: {msgid!r} ({found.where})")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif not all(s.strip() for s in strings):
            problems.append(f"untranslated: {msgid!r}")
        elif english & set(strings) and msgid not in SAME_IN_BOTH:
            problems.append(f"same as the English: {msgid!r}")
    assert not problems, f"{UPDATE_HINT}:\n" + "\n".join(problems)


def test_the_committed_template_is_what_extraction_gives() -> None:
    with POT.open("rb") as fp:
        template = {m.id for m in read_po(fp) if m.id}
    assert template == set(extracted()), UPDATE_HINT


def test_every_translation_call_in_the_code_is_visible_to_extraction() -> None:
    """Babel reads no calls inside f-strings (before Python 3.12): a literal there would never
    reach the catalog, and no other test here would notice."""
    invisible = []
    for path in [*(REPO / "bot").rglob("*.py"), *(REPO / "jobs").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            literal = _translated_literal(node)
            if literal is not None and literal not in extracted():
                where = f"{path.relative_to(REPO)}:{getattr(node, 'lineno', '?')}"
                invisible.append(f"{literal!r} at {where}")
    assert not invisible, "move these calls out of the f-string:\n" + "\n".join(invisible)


def _translated_literal(node: ast.AST) -> str | None:
    if not isinstance(node, ast.Call) or not node.args:
        return None
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    first = node.args[0]
    if name in {"_", "N_", "gettext"} and isinstance(first, ast.Constant):
        return first.value if isinstance(first.value, str) else None
    return None


def test_the_compiled_catalog_says_what_the_po_says() -> None:
    """The bot reads the .mo; it must be compiled from the current .po (`pybabel compile`)."""
    compiled = io.BytesIO()
    write_mo(compiled, catalog())
    compiled.seek(0)
    with MO.open("rb") as fp:
        committed = read_mo(fp)
    assert _messages(read_mo(compiled)) == _messages(committed)


def _messages(compiled: Catalog) -> dict[object, object]:
    # Plural entries come back as lists.
    def value(v: object) -> object:
        return tuple(v) if isinstance(v, list) else v

    return {value(m.id): value(m.string) for m in compiled if m.id}


FIELD = re.compile(r"\{[^{}]*\}")
PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")
TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?>")


def _fields(text: str) -> set[str | None]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def _pairs() -> Iterator[tuple[str, str]]:
    for entry in entries():
        sources = [entry.id] if isinstance(entry.id, str) else list(entry.id)
        strings = [entry.string] if isinstance(entry.string, str) else list(entry.string)
        for target in strings:
            yield sources[-1], target


@pytest.mark.parametrize(("msgid", "msgstr"), list(_pairs()), ids=lambda v: str(v)[:30])
def test_a_translation_keeps_the_placeholders_and_markup(msgid: str, msgstr: str) -> None:
    assert _fields(msgstr) == _fields(msgid), "the same {names}: the code fills them in"
    assert sorted(PRINTF.findall(msgstr)) == sorted(PRINTF.findall(msgid))
    assert sorted(TAG.findall(msgstr)) == sorted(TAG.findall(msgid)), "the same HTML tags"
    bare_id, bare_str = TAG.sub("", msgid), TAG.sub("", msgstr)
    for raw in "<>&":
        assert bare_str.count(raw) == bare_id.count(raw), f"no new raw {raw!r}: HTML would break"


def test_html_texts_are_marked_and_valid_telegram_html_in_both_languages() -> None:
    problems = []
    for msgid, found in extracted().items():
        if not isinstance(msgid, str) or not TAG.search(msgid):
            continue
        if not any("HTML" in note for note in found.comments):
            problems.append(f"{msgid[:40]!r} has tags but no '# i18n: ... HTML' note")
        for text in (msgid, translator("zh").gettext(msgid)):
            problems += [f"{text[:40]!r}: {p}" for p in html_problems(FIELD.sub("1", text))]
    assert not problems, "\n".join(problems)


def test_chinese_comes_from_the_compiled_catalog_and_anything_else_is_english() -> None:
    assert translator("zh").gettext("Send /start to subscribe.") == "发送 /start 订阅。"
    assert translator("en").gettext("Send /start to subscribe.") == "Send /start to subscribe."
    assert translator("de").gettext("Saved.") == "Saved."
    assert translator(None).gettext("Saved.") == "Saved."
    assert {language_for(code) for code in ("zh-hant", "zh-HK", "en-US", "pt-br")} == set(LANGUAGES)


def test_a_digest_date_reads_naturally_in_each_language() -> None:
    day = dt.date(2026, 3, 5)
    assert format_day(day) == "Thu 05 Mar"
    assert format_day(day, translator("zh")) == "3月5日 周四"
