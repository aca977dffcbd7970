"""What content taste sees of an item: its features (words, section, source), and one
numbering of every feature a sweep meets, so a reader's taste is a few array operations."""

from __future__ import annotations

from itertools import islice

import numpy as np
import numpy.typing as npt

from bot.library.items import LibraryItem
from bot.library.tokens import search_tokens

# Features that are not words, an item's section and its source, marked so no word collides.
TOPIC_MARK = "§"
SOURCE_MARK = "@"
# Words past this many say little more about an item and cost every reader who answers it.
MAX_WORDS = 40
# Function words of both languages: in nearly every item, so they would only add noise.
_STOP_WORDS = (
    "the a an of and or to in on for with from by at as is are be was were this that it its"
    " we our you your via using use based towards toward how what why when new not no can"
    " 的 了 是 在 和 与 及 对 中 一个 我们 你们 这个 一种 基于 如何 什么 以及 通过 进行 可以"
    " 没有 就是 自己 他们 因为 所以 如果 但是 还是 这些 那些"
)
_STOP = frozenset(_STOP_WORDS.split(" "))

FeatureIds = npt.NDArray[np.int64]


def features(item: LibraryItem) -> tuple[str, ...]:
    """The item's distinct words (title first, at most MAX_WORDS), its section and its source.

    >>> from bot.library.items import ItemKind
    >>> item = LibraryItem(1, ItemKind.PAPER, "StyleGAN: a style-based GAN", topic="生成模型")
    >>> features(item)
    ('stylegan', 'style', 'gan', '§生成模型')
    """
    numbering = FeatureNumbers()
    return tuple(numbering.names[n] for n in numbering.of_item(item).tolist())


def _is_word(token: str) -> bool:
    """Whether a token names something a reader may like: one letter or one character, a
    number, or a function word does not."""
    return len(token) > 1 and not token.isdigit() and token not in _STOP


_NOT_A_WORD = -1


class _Numbers(dict[str, int]):
    """Feature numbers by name, a new name numbered as it is first looked up (a token that
    is no word, ``_NOT_A_WORD``): an item's tokens are looked up in C, not one by one."""

    def __init__(self, numbering: FeatureNumbers, mark: str = "") -> None:
        super().__init__()
        self.numbering, self.mark = numbering, mark

    def __missing__(self, name: str) -> int:
        marked = f"{self.mark}{name}"
        number = self.numbering.number(marked) if self.mark or _is_word(name) else _NOT_A_WORD
        self[name] = number
        return number


class FeatureNumbers:
    """Every feature met so far, numbered in the order met, and each item's features as those
    numbers (worked out on an item's first use, then kept). One serves a sweep's readers."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._numbers: dict[str, int] = {}
        self._words = _Numbers(self)
        self._topics = _Numbers(self, TOPIC_MARK)
        self._sources = _Numbers(self, SOURCE_MARK)
        self._items: dict[int, FeatureIds] = {}
        self._is_source = np.zeros(64, dtype=bool)

    def __len__(self) -> int:
        return len(self.names)

    def number(self, name: str) -> int:
        """The feature's number, given it now if it had none."""
        found = self._numbers.get(name)
        if found is None:
            found = self._numbers[name] = len(self.names)
            self.names.append(name)
            if found >= len(self._is_source):
                grown = np.zeros(2 * len(self._is_source), dtype=bool)
                grown[: len(self._is_source)] = self._is_source
                self._is_source = grown
            self._is_source[found] = name.startswith(SOURCE_MARK)
        return found

    def of_item(self, item: LibraryItem) -> FeatureIds:
        """The item's features (``features``) as numbers: its distinct words in order, the
        first MAX_WORDS, then its section and its source."""
        found = self._items.get(item.id)
        if found is None:
            terms = item.terms
            if not terms.strip():  # no tokens stored (the library joins blanks with spaces)
                terms = search_tokens(" ".join((item.title, item.text, item.abstract)))
            words = filter(
                _NOT_A_WORD.__ne__, map(self._words.__getitem__, dict.fromkeys(terms.split()))
            )
            numbers = list(islice(words, MAX_WORDS))
            if item.topic:
                numbers.append(self._topics[item.topic])
            if item.source:
                numbers.append(self._sources[item.source])
            found = self._items[item.id] = np.array(numbers, dtype=np.int64)
        return found

    def sources(self, numbers: FeatureIds) -> npt.NDArray[np.bool_]:
        """Which of these features name a source."""
        return self._is_source[numbers]
