"""Small text helpers the notes parsers share (pure)."""

from __future__ import annotations

import re

# Weibo pastes end lines with zero-width spaces; str.strip() keeps them.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_TEMPLATE = re.compile(r"\{%.*?%\}|\{\{.*?\}\}")
_IMAGE = re.compile(r"^\s*!\[[^\]]*\]\([^)]*\)\s*$")
_HTML_ONLY = re.compile(r"^\s*(?:<(?!https?:)[^>]+>\s*)+$")
_INLINE_LINK = re.compile(r"\[(?P<label>[^\]]+)\]\([^)]*\)")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_BULLET = re.compile(r"^\s*(?:[-*•+]|\d+[.、)])\s+")
_SENTENCE_END = re.compile(r"[。！？!?；;]")
_VENUE = re.compile(
    r"\b(?:CVPR|ICCV|ECCV|ICLR|ICML|NeurIPS|NIPS|ACL|EMNLP|NAACL|AAAI|IJCAI|KDD|SIGIR|WWW|COLING)"
    r"\s*'?(\d{4}|\d{2})\b",
    re.IGNORECASE,
)
# Titles cut from a passage: Chinese packs more into a character than English.
TITLE_LIMIT_CJK = 40
TITLE_LIMIT_LATIN = 100


def clean(text: str) -> str:
    """Strip whitespace and the invisible characters chat apps leave at line ends."""
    return text.strip().strip(_INVISIBLE).strip()


def plain_links(text: str) -> str:
    """Markdown links inside a line read as their labels.

    >>> plain_links("读完 [这篇论文](#) 再写 [笔记](https://example.org)")
    '读完 这篇论文 再写 笔记'
    """
    return _INLINE_LINK.sub(lambda m: m["label"], text)


def without_templates(line: str) -> str:
    """The line without Liquid/Jekyll markup such as ``{% include x.html %}``."""
    return _TEMPLATE.sub("", line)


def is_markup_line(line: str) -> bool:
    """Image lines, template-only lines and HTML-only lines carry nothing to read."""
    if _IMAGE.match(line) or _HTML_ONLY.match(line):
        return True
    return bool(_TEMPLATE.search(line)) and not clean(without_templates(line))


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def is_latin_title(text: str) -> bool:
    """A title in Latin script of two words or more, as English paper titles are.

    >>> is_latin_title("Deep Leakage from Gradients"), is_latin_title("图神经网络 GNN")
    (True, False)
    """
    return not has_cjk(text) and len(re.findall(r"[A-Za-z][A-Za-z0-9'-]*", text)) >= 2


def excerpt(text: str) -> str:
    """A short title for a passage: its first sentence, cut at TITLE_LIMIT characters.

    >>> excerpt("先读摘要。再读方法。")
    '先读摘要'
    """
    first = clean(_BULLET.sub("", text.split("\n")[0]))
    first = clean(_SENTENCE_END.split(first)[0]) or first
    limit = TITLE_LIMIT_CJK if has_cjk(first) else TITLE_LIMIT_LATIN
    if len(first) > limit:
        return first[:limit].rstrip() + "…"
    return first


def venue_year(text: str) -> int | None:
    """The year in a venue tag such as "(ICLR 2021)"."""
    match = _VENUE.search(text)
    if not match:
        return None
    year = int(match[1])
    return year if year > 100 else 2000 + year


def has_venue(text: str) -> bool:
    return bool(_VENUE.search(text))


def loose_key(text: str) -> str:
    """A key that ignores case, spaces and punctuation, for matching names across tables.

    >>> loose_key("DALL·E 2") == loose_key("DALL.E 2")
    True
    """
    return "".join(ch for ch in text.lower() if ch.isalnum())


def join_lines(lines: list[str]) -> str:
    """Lines as one string: each right-stripped, blank runs kept to one, ends stripped."""
    out: list[str] = []
    for line in lines:
        line = line.rstrip().rstrip(_INVISIBLE).rstrip()
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    return "\n".join(out).strip()
