"""Search tokens: the app segments text itself, so SQLite and PostgreSQL index the same words."""

from __future__ import annotations

import logging
import re
from functools import cache

import jieba

_WORD = re.compile(r"\w", re.UNICODE)


@cache
def tokenizer() -> jieba.Tokenizer:
    """jieba's default dictionary, loaded once, quietly (it logs its progress otherwise)."""
    jieba.setLogLevel(logging.WARNING)
    jieba.dt.initialize()
    return jieba.dt


def fold(token: str) -> str:
    """Lowercase; fold simple English plurals so `networks` finds `network`.

    >>> [fold(t) for t in ["Networks", "class", "analysis", "GANs", "蒸馏"]]
    ['network', 'class', 'analysis', 'gan', '蒸馏']
    """
    token = token.lower()
    if (
        token.isascii()
        and len(token) > 3
        and token.endswith("s")
        and not token.endswith(("ss", "is", "us"))
    ):
        return token[:-1]
    return token


def search_tokens(text: str) -> str:
    """Space-joined tokens of `text` for the search index (jieba's search mode, folded).

    >>> search_tokens("知识蒸馏 for Neural Networks")
    '知识 蒸馏 for neural network'
    """
    tokens = (fold(t) for t in tokenizer().cut_for_search(text) if _WORD.search(t))
    return " ".join(tokens)
