"""Papers as BibTeX (`lamplight export --format bibtex`), written by bibtexparser: one @misc
entry per paper, its key stable (from the first author's surname, the year and the title's
first word; a repeat gets b, c… in id order) and unique; title, authors, year, arXiv id, DOI,
link and abstract where known. Text is LaTeX-escaped by pylatexenc; characters LaTeX has no
macro for (Chinese) stay as they are, in UTF-8."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import count
from string import ascii_lowercase
from typing import TYPE_CHECKING, Any

from bot.library.dedupe import doi

if TYPE_CHECKING:
    from bibtexparser.model import Field

# Between authors: commas (ASCII and Chinese), semicolons, "and", the Chinese list mark.
_AUTHOR_SPLIT = re.compile(r"\s*(?:[,;，；、]|\band\b)\s*")
_ET_AL = re.compile(r"\s*(?:\bet al\.?|等人?)\s*$")
_SKIPPED_WORDS = frozenset({"a", "an", "the", "on", "of", "in", "for", "to", "and", "with"})


@dataclass(frozen=True)
class Citation:
    """What one paper's entry says: the owner's words where given, else arXiv's."""

    id: int
    title: str
    authors: str = ""
    year: int | None = None
    url: str | None = None
    arxiv_id: str | None = None
    abstract: str = ""


def _ascii(text: str) -> str:
    """A name or word as a key may hold it: ASCII letters and digits, lowercase.

    >>> _ascii("Schölkopf-Smith")
    'scholkopfsmith'
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def authors_of(text: str) -> list[str]:
    """The names in an author list; "et al." becomes BibTeX's "others".

    >>> authors_of("Ashish Vaswani, Noam Shazeer et al.")
    ['Ashish Vaswani', 'Noam Shazeer', 'others']
    """
    more = bool(_ET_AL.search(text))
    names = [name for name in _AUTHOR_SPLIT.split(_ET_AL.sub("", text)) if name]
    return [*names, "others"] if more and names else names


def base_key(citation: Citation) -> str:
    """Surname, year and first title word; `paper<id>` when neither name nor word is ASCII.

    >>> base_key(Citation(1, "Attention Is All You Need", "Ashish Vaswani", 2017))
    'vaswani2017attention'
    >>> base_key(Citation(7, "注意力机制"))
    'paper7'
    """
    names = authors_of(citation.authors)
    surname = _ascii(names[0].split()[-1]) if names and names[0].split() else ""
    words = (_ascii(word) for word in citation.title.split())
    word = next((w for w in words if w and w not in _SKIPPED_WORDS), "")
    if not surname and not word:
        return f"paper{citation.id}"
    return f"{surname}{citation.year or ''}{word}"


def _spellings(base: str) -> Iterator[str]:
    """The key, then with b, c… after it.

    >>> from itertools import islice
    >>> list(islice(_spellings("smith2020"), 3))
    ['smith2020', 'smith2020b', 'smith2020c']
    """
    yield base
    yield from (base + letter for letter in ascii_lowercase[1:])
    yield from (f"{base}z{n}" for n in count(2))


def unique_keys(citations: Sequence[Citation]) -> list[str]:
    """Each citation's key; a key already taken by a paper of a smaller id gets b, c…"""
    taken: set[str] = set()
    keys: dict[int, str] = {}
    for citation in sorted(citations, key=lambda c: c.id):
        key = next(key for key in _spellings(base_key(citation)) if key not in taken)
        taken.add(key)
        keys[citation.id] = key
    return [keys[citation.id] for citation in citations]


@cache
def _latex() -> Any:
    """pylatexenc's encoder, made at the first export (bibtexparser and it load only then)."""
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    return UnicodeToLatexEncoder(
        unknown_char_policy="keep",
        unknown_char_warning=False,
        replacement_latex_protection="braces-almost-all",
    )


def _fields(citation: Citation) -> Iterable[Field]:
    from bibtexparser.model import Field

    latex = _latex().unicode_to_latex
    yield Field("title", latex(citation.title))
    authors = [latex(name) for name in authors_of(citation.authors)]
    if authors:
        yield Field("author", authors)
    if citation.year:
        yield Field("year", str(citation.year))
    if citation.arxiv_id:
        yield Field("eprint", citation.arxiv_id)
        yield Field("archiveprefix", "arXiv")
    found = doi(citation.url) if citation.url else None
    if found:
        yield Field("doi", found)
    if citation.url:
        yield Field("url", citation.url)
    if citation.abstract:
        yield Field("abstract", latex(citation.abstract))


def to_bibtex(citations: Sequence[Citation]) -> str:
    """The citations as a BibTeX file's text, in the order given."""
    import bibtexparser
    from bibtexparser.middlewares import MergeCoAuthors
    from bibtexparser.model import Entry

    library = bibtexparser.Library()
    for citation, key in zip(citations, unique_keys(citations), strict=True):
        library.add(Entry("misc", key, list(_fields(citation))))
    return bibtexparser.write_string(library, prepend_middleware=[MergeCoAuthors()])
