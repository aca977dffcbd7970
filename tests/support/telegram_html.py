"""What Telegram accepts as an HTML-mode message, checked the way the fake Bot API checks it.

Rules (https://core.telegram.org/bots/api#html-style, narrowed to what lamplight may send):
only b, i, u, s, a, code, pre, blockquote, tg-spoiler; tags balanced and properly nested; an
``a`` needs an http(s) href and may not nest; every ``<``, ``>``, ``&`` outside a tag is an
entity (&lt; &gt; &amp; &quot; or numeric, with its semicolon); the visible text is not empty;
the source is at most 4096 UTF-16 code units.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

__all__ = ["ALLOWED_TAGS", "MAX_UNITS", "assert_telegram_html", "html_problems"]

ALLOWED_TAGS = frozenset({"b", "i", "u", "s", "a", "code", "pre", "blockquote", "tg-spoiler"})
MAX_UNITS = 4096
_ALLOWED_ATTRS = {"a": {"href"}, "blockquote": {"expandable"}, "code": {"class"}}
# Tags that Telegram refuses to nest inside themselves.
_NO_SELF_NESTING = {"a", "blockquote", "pre", "code"}
# Anything that looks like a tag, and the entities Telegram knows; other <, >, & are raw.
_MARKUP = re.compile(
    r"<(?:/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?)>"
    r"|&(?:lt|gt|amp|quot|#[0-9]+|#[xX][0-9a-fA-F]+);"
)


def html_problems(source: str, *, max_units: int | None = MAX_UNITS) -> list[str]:
    """Everything Telegram would reject in ``source``; empty when it is a valid message."""
    problems = _raw_problems(source)
    checker = _Checker()
    checker.feed(source)
    checker.close()
    problems += checker.problems
    problems += [f"unclosed <{tag}>" for tag in checker.open_tags]
    if not "".join(checker.text).strip():
        problems.append("no visible text")
    units = len(source.encode("utf-16-le", "surrogatepass")) // 2
    if max_units is not None and units > max_units:
        problems.append(f"{units} UTF-16 units, over {max_units}")
    return problems


def assert_telegram_html(source: str, *, max_units: int | None = MAX_UNITS) -> None:
    problems = html_problems(source, max_units=max_units)
    assert not problems, f"{problems} in {source[:300]!r}"


def _raw_problems(source: str) -> list[str]:
    """Stray ``<``, ``>`` or ``&`` between tags and known entities."""
    between = _MARKUP.sub("", source)
    return [f"raw {ch!r} in text" for ch in "<>&" if ch in between]


class _Checker(HTMLParser):
    """Tag structure, attributes and entity names; collects the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.problems: list[str] = []
        self.open_tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}> is not allowed")
        if tag in _NO_SELF_NESTING and tag in self.open_tags:
            self.problems.append(f"<{tag}> nested in <{tag}>")
        self._check_attrs(tag, attrs)
        self.open_tags.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problems.append(f"self-closing <{tag}/> is not allowed")

    def handle_endtag(self, tag: str) -> None:
        if not self.open_tags or self.open_tags[-1] != tag:
            self.problems.append(f"</{tag}> does not close the open {self.open_tags[-1:]}")
            return
        self.open_tags.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in {"lt", "gt", "amp", "quot"}:
            self.problems.append(f"unknown entity &{name};")
        self.text.append("x")

    def handle_charref(self, name: str) -> None:
        self.text.append("x")

    def handle_comment(self, data: str) -> None:
        self.problems.append("comments are not allowed")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration <!{decl}> is not allowed")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction <?{data}> is not allowed")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"declaration <![{data}]> is not allowed")

    def _check_attrs(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        allowed = _ALLOWED_ATTRS.get(tag, set())
        self.problems += [
            f"<{tag}> may not carry {name}=" for name, _ in attrs if name not in allowed
        ]
        if tag == "a":
            href = dict(attrs).get("href") or ""
            parts = urlsplit(href)
            if parts.scheme not in {"http", "https"} or not parts.netloc:
                self.problems.append(f"<a> needs an http(s) href, not {href[:80]!r}")
