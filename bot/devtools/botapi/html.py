"""Telegram's HTML parse mode, checked in one place: the fake Bot API refuses what this refuses
(a 400 "can't parse entities"), and the tests hold lamplight's texts to it
(tests/support/telegram_html.py).

Telegram's rules (https://core.telegram.org/bots/api#html-style), as its own parser (tdlib's
``parse_html``) applies them, with its error messages:

- tags: b/strong, i/em, u/ins, s/strike/del, tg-spoiler and span class="tg-spoiler", a href,
  tg-emoji emoji-id, code (class="language-…"), pre, blockquote (expandable); any other tag,
  an unclosed one or an end tag that does not close the innermost open one is refused;
- entities: &lt; &gt; &amp; &quot; and numeric ones (&#38; &#x26;).

Stricter than Telegram on purpose, each case being a bug in what lamplight would send:

- a ``&`` that starts none of those entities (or lacks its semicolon) and a raw ``>`` between
  tags are refused, as the Bot API's documentation asks; Telegram shows them literally;
- an attribute Telegram ignores is refused, and so is an ``a`` without an http(s) href
  (Telegram drops such a link silently);
- the nesting the Bot API documents as not allowed (MessageEntity) is refused where Telegram
  drops the inner entity: a tag inside code or pre (but a code right inside pre), blockquote
  in blockquote, a/code/pre/tg-emoji inside one another;
- an end tag names the tag it closes (Telegram takes ``</>``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.digests.render import utf16_len  # one measure of length, Telegram's

__all__ = ["ALLOWED_TAGS", "MAX_TEXT", "HtmlError", "html_problems", "parse_html"]

MAX_TEXT = 4096  # UTF-16 code units of a message's source, HTML included
ALLOWED_TAGS = frozenset(
    {
        *("b", "strong", "i", "em", "u", "ins", "s", "strike", "del"),
        *("tg-spoiler", "span", "a", "tg-emoji", "code", "pre", "blockquote"),
    }
)
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# The attributes a tag may carry; Telegram ignores others, the fake refuses them.
ATTRIBUTES = {
    "a": {"href"},
    "span": {"class"},
    "tg-emoji": {"emoji-id"},
    "code": {"class"},
    "blockquote": {"expandable"},
}
# Entities that "can't contain each other" (the Bot API's MessageEntity).
_EXCLUSIVE = frozenset({"a", "code", "pre", "tg-emoji"})
# Telegram decodes a hexadecimal reference only with a lower-case x.
_ENTITY = re.compile(r"&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
_NAME_TOKEN = re.compile(r"[A-Za-z0-9.-]*")
_EMOJI_ID = re.compile(r"[1-9][0-9]{0,18}")
_SPACE = " \t\r\n\v\f"


class HtmlError(ValueError):
    """What Telegram says of HTML it can't parse (after "Bad Request: can't parse entities: ")."""


def parse_html(source: str) -> str:
    """Check ``source`` as Telegram's HTML parse mode would and return the visible text.

    >>> parse_html('<b>Read</b> &amp; <a href="https://x.org/?a=1&amp;b=2">skip</a>')
    'Read & skip'
    >>> try:
    ...     parse_html("1 < 2")
    ... except HtmlError as error:
    ...     print(error)
    Unsupported start tag "" at byte offset 2
    """
    return _Parser(source).run()


def html_problems(source: str, *, max_units: int | None = MAX_TEXT) -> list[str]:
    """Everything Telegram would refuse in ``source`` as an HTML-mode message: HTML it can't
    parse, no visible text, a source over ``max_units`` UTF-16 code units. Empty when valid.

    >>> html_problems("<b>hi</b>"), html_problems("<b> </b>"), html_problems("a & b")
    ([], ['no visible text'], ['Unsupported HTML entity at byte offset 2'])
    """
    problems: list[str] = []
    try:
        if not parse_html(source).strip():
            problems.append("no visible text")
    except HtmlError as error:
        problems.append(str(error))
    units = utf16_len(source)
    if max_units is not None and units > max_units:
        problems.append(f"{units} UTF-16 units, over {max_units}")
    return problems


@dataclass(frozen=True, slots=True)
class _Tag:
    name: str
    attributes: dict[str, str]
    at: int  # index of its "<" in the source


class _Parser:
    """One pass over the source: the visible text, the open tags, the first refusal."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.i = 0
        self.out: list[str] = []
        self.open: list[str] = []

    def run(self) -> str:
        source = self.source
        while self.i < len(source):
            char = source[self.i]
            if char == "&":
                self.out.append(self._entity())
            elif char == "<" and source.startswith("</", self.i):
                self._end_tag()
            elif char == "<":
                self._start_tag()
            elif char == ">":
                raise HtmlError(f'Unescaped ">" at byte offset {self._offset(self.i)}')
            else:
                self.out.append(char)
                self.i += 1
        if self.open:
            raise HtmlError(f'Can\'t find end tag corresponding to start tag "{self.open[-1]}"')
        return "".join(self.out)

    def _offset(self, i: int) -> int:
        # Telegram reports UTF-8 byte offsets.
        return len(self.source[:i].encode("utf-8"))

    def _entity(self) -> str:
        """The character of the entity at ``i``, which moves past it."""
        match = _ENTITY.match(self.source, self.i)
        char = _entity_char(match) if match is not None else None
        if match is None or char is None:
            raise HtmlError(f"Unsupported HTML entity at byte offset {self._offset(self.i)}")
        self.i = match.end()
        return char

    def _end_tag(self) -> None:
        begin = self.i
        if not self.open:
            name = self._scan_name(begin + 2)
            raise HtmlError(f'Unexpected end tag "{name}" at byte offset {self._offset(begin)}')
        name = self._scan_name(begin + 2).lower()
        self._skip_spaces()
        if self._char() != ">":
            raise HtmlError(f"Unclosed end tag at byte offset {self._offset(begin)}")
        if name != self.open[-1]:
            raise HtmlError(
                f"Unmatched end tag at byte offset {self._offset(begin)}, "
                f'expected "</{self.open[-1]}>", found "</{name}>"'
            )
        self.open.pop()
        self.i += 1

    def _start_tag(self) -> None:
        begin = self.i
        name = self._scan_name(begin + 1).lower()
        if self._char() == "":
            raise HtmlError(f"Unclosed start tag at byte offset {self._offset(begin)}")
        if name not in ALLOWED_TAGS:
            raise HtmlError(f'Unsupported start tag "{name}" at byte offset {self._offset(begin)}')
        attributes: dict[str, str] = {}
        while True:
            self._skip_spaces()
            if self._char() == ">":
                break
            key, value = self._attribute(name, begin)
            attributes[key] = value
        self.i += 1
        tag = _Tag(name, attributes, begin)
        problem = _attribute_problem(tag) or _nesting_problem(name, self.open)
        if problem is not None:
            raise HtmlError(f"{problem} at byte offset {self._offset(begin)}")
        self.open.append(name)

    def _attribute(self, tag: str, begin: int) -> tuple[str, str]:
        """One ``name=value`` (or a bare ``expandable``) of the tag opened at ``begin``."""
        if self._char() == "":
            raise HtmlError(f"Unclosed start tag at byte offset {self._offset(begin)}")
        start = self.i
        while self._char() not in ("", "=", ">") and self._char() not in _SPACE:
            self.i += 1
        key = self.source[start : self.i]
        if not key:
            raise HtmlError(
                f'Empty attribute name in the tag "{tag}" at byte offset {self._offset(begin)}'
            )
        self._skip_spaces()
        if self._char() != "=":
            if tag == "blockquote" and key == "expandable":
                return key, ""
            raise HtmlError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {self._offset(begin)}'
            )
        self.i += 1
        self._skip_spaces()
        if self._char() == "":
            raise HtmlError(f'Unclosed start tag "{tag}" at byte offset {self._offset(begin)}')
        return key, self._value(begin)

    def _value(self, begin: int) -> str:
        """An attribute's value: a quoted string, entities decoded, or a bare name token."""
        quote = self._char()
        if quote not in ("'", '"'):
            token = _NAME_TOKEN.match(self.source, self.i)
            assert token is not None  # it matches the empty string too
            self.i = token.end()
            if self._char() not in (">", "") and self._char() not in _SPACE:
                raise HtmlError(f"Unexpected end of name token at byte offset {token.start()}")
            return token[0].lower()
        end = self.source.find(quote, self.i + 1)
        if end < 0:
            raise HtmlError(f"Unclosed start tag at byte offset {self._offset(begin)}")
        self.i += 1
        chars: list[str] = []
        # Checked as text is: entities decoded, no raw "<" or ">".
        while self.i < end:
            char = self.source[self.i]
            if char in "<>":
                raise HtmlError(f'Unescaped "{char}" at byte offset {self._offset(self.i)}')
            if char == "&":
                chars.append(self._entity())
            else:
                chars.append(char)
                self.i += 1
        self.i = end + 1
        return "".join(chars)

    def _scan_name(self, start: int) -> str:
        self.i = start
        while self._char() not in ("", ">") and self._char() not in _SPACE:
            self.i += 1
        return self.source[start : self.i]

    def _skip_spaces(self) -> None:
        while self._char() != "" and self._char() in _SPACE:
            self.i += 1

    def _char(self) -> str:
        return self.source[self.i : self.i + 1]


def _entity_char(match: re.Match[str]) -> str | None:
    """The character an entity stands for; None for one Telegram does not decode."""
    if match[3] is not None:
        return NAMED_ENTITIES.get(match[3])
    code = int(match[1]) if match[1] is not None else int(match[2], 16)
    # Telegram's bounds; a lone surrogate would make the text invalid UTF-8.
    if not 0 < code < 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _attribute_problem(tag: _Tag) -> str | None:
    """What is wrong with a tag's attributes, as Telegram words it where it refuses them."""
    unknown = sorted(set(tag.attributes) - ATTRIBUTES.get(tag.name, set()))
    if unknown:
        return f'Unsupported attribute "{unknown[0]}" in the tag "{tag.name}"'
    value = tag.attributes.get
    if tag.name == "span" and value("class") != "tg-spoiler":
        return 'Tag "span" must have class "tg-spoiler"'
    if tag.name == "a":
        href = urlsplit(value("href") or "")
        if href.scheme not in ("http", "https") or not href.netloc:
            return 'Tag "a" must have an http(s) href'
    if tag.name == "code" and not value("class", "language-").startswith("language-"):
        return 'Tag "code" may only have class "language-…"'
    if tag.name == "tg-emoji" and not _EMOJI_ID.fullmatch(value("emoji-id") or ""):
        return "Invalid custom emoji identifier specified"
    return None


def _nesting_problem(name: str, open_tags: list[str]) -> str | None:
    """Why ``name`` may not open inside ``open_tags`` (innermost last), per the Bot API:
    pre and code contain no other entity (but pre holds its code), blockquotes don't nest,
    and a, code, pre and tg-emoji can't contain one another."""
    pre_code = name == "code" and open_tags[-1:] == ["pre"]
    for outer in reversed(open_tags):
        if pre_code and outer == "pre":
            continue
        if outer in ("code", "pre"):
            return f'Tag "{name}" can\'t be inside "{outer}"'
        if outer == name == "blockquote":
            return 'Tag "blockquote" can\'t be nested'
        if name in _EXCLUSIVE and outer in _EXCLUSIVE:
            return f'Tag "{name}" can\'t be inside "{outer}"'
    return None
