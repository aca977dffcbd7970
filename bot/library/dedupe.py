"""Dedupe keys for items: arXiv ids, canonical URLs and normalised titles.

Everything here is pure (no I/O), so the importer and the store can call it freely. The key of
an item says what makes two notes "the same thing": one paper however it was linked, one page
however the link was decorated, one title however it was typed.
"""

from __future__ import annotations

import hashlib
import re
import string
import unicodedata
from typing import Protocol
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from bot.library.tracking import (
    HOST_CONTENT_KEYS,
    HOST_TRACKING_KEYS,
    TRACKING_KEYS,
    TRACKING_PREFIXES,
)

__all__ = [
    "MAX_KEY_LENGTH",
    "arxiv_id",
    "canonical_url",
    "dedupe_key",
    "doi",
    "fit_key",
    "item_keys",
    "normalized_title",
]

# --------------------------------------------------------------------------------------------
# arXiv identifiers
# --------------------------------------------------------------------------------------------

# New style (April 2007 on): YYMM.NNNN (to 2014) or YYMM.NNNNN (2015 on), optional vN.
_NEW_ID = r"(?P<new>\d{2}(?:0[1-9]|1[0-2])\.\d{4,5})(?:v\d+)?(?!\d)"
# Old style (to March 2007): archive[.SUBJECT-CLASS]/YYMMNNN, optional vN. The subject class
# (math.GT, cs.AI) is not part of the identifier, so it is dropped.
_OLD_ID = (
    r"(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.[A-Za-z]{2})?"
    r"/(?P<num>\d{2}(?:0[1-9]|1[0-2])\d{3})(?:v\d+)?(?!\d)"
)
_ID = rf"(?:{_NEW_ID}|{_OLD_ID})"

# Where an id may be read from: a path on a site that serves arXiv papers by id, an
# "arXiv:" prefix in prose, or the whole string being just an id. Bare numbers elsewhere in
# a URL (blog.example.com/2207.08079) are not taken for arXiv ids.
_ARXIV_HOSTS = (
    r"(?:arxiv\.org|arxiv-vanity\.com|ar5iv\.org|alphaxiv\.org|huggingface\.co"
    r"|semanticscholar\.org/arxiv)"
)
_ARXIV_PATHS = r"(?:abs|pdf|html|format|ps|src|papers|overview)"
_ARXIV_PATTERNS = (
    re.compile(rf"(?i:{_ARXIV_HOSTS}/{_ARXIV_PATHS}/){_ID}"),
    re.compile(rf"(?i:\barxiv\s*[:：]?\s*){_ID}"),
    re.compile(rf"^\s*{_ID}\s*$"),
)


def _extract_arxiv_id(url_or_text: str) -> str | None:
    for pattern in _ARXIV_PATTERNS:
        match = pattern.search(url_or_text)
        if match is None:
            continue
        if match.group("new"):
            return match.group("new")
        return f"{match.group('archive').lower()}/{match.group('num')}"
    return None


def arxiv_id(url_or_text: str) -> str | None:
    """The arXiv identifier in a URL or a piece of text, without its version suffix.

    >>> arxiv_id("https://arxiv.org/abs/2207.08079v2")
    '2207.08079'
    >>> arxiv_id("https://arxiv.org/pdf/2207.08079v1.pdf")
    '2207.08079'
    >>> arxiv_id("https://www.arxiv-vanity.com/papers/2103.03206/")
    '2103.03206'
    >>> arxiv_id("http://export.arxiv.org/abs/1706.03762")
    '1706.03762'
    >>> arxiv_id("arxiv.org/abs/hep-th/9901001v3")
    'hep-th/9901001'
    >>> arxiv_id("see arXiv:cs/0112017 for details")
    'cs/0112017'
    >>> arxiv_id("https://arxiv.org/abs/math.GT/0309136")
    'math/0309136'
    >>> arxiv_id("2301.03992")
    '2301.03992'
    >>> arxiv_id("https://blog.otoro.net/2022/10/01/collectiveintelligence/") is None
    True
    >>> arxiv_id("https://example.com/files/2207.08079") is None
    True
    """
    return _extract_arxiv_id(url_or_text)


# --------------------------------------------------------------------------------------------
# Canonical URLs
# --------------------------------------------------------------------------------------------

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_OPAQUE_SCHEME = re.compile(r"^(?:mailto|tel|data|javascript|urn|magnet):", re.IGNORECASE)

_HOST_ALIASES = {"twitter.com": "x.com", "mobile.twitter.com": "x.com"}
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_QUERY_SAFE = "/:@!$'()*,;-._~"


def _host_of(netloc: str) -> tuple[str, str]:
    """Lower-cased host without userinfo, ``www.``/``m.``, and its port (or "")."""
    hostport = netloc.rpartition("@")[2].lower()
    host, _, port = hostport.partition(":") if not hostport.startswith("[") else (hostport, "", "")
    host = host.rstrip(".")
    for prefix in ("www.", "m."):
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
            break
    return _HOST_ALIASES.get(host, host), port


def _keep_param(host: str, key: str, has_video: bool) -> bool:
    lowered = key.lower()
    content = HOST_CONTENT_KEYS.get(host)
    if content is not None:
        return lowered in content
    if lowered in TRACKING_KEYS or lowered.startswith(TRACKING_PREFIXES):
        return False
    if lowered in HOST_TRACKING_KEYS.get(host, frozenset()):
        return False
    # A video in a playlist is still that video.
    return not (host == "youtube.com" and has_video and lowered in {"list", "index"})


def canonical_url(url: str) -> str:
    """A normal form of ``url`` under which links to the same page compare equal.

    http and https are the same (the result says https), ``www.``/``m.`` and default ports go,
    the host is lower-cased, the trailing slash and fragment go, tracking parameters go and the
    rest are sorted. A URL without a scheme is read as https.

    >>> canonical_url("http://www.Example.com/a/b/?utm_source=x&b=2&a=1#top")
    'https://example.com/a/b?a=1&b=2'
    >>> canonical_url("github.com/louisfb01/best_AI_papers_2022")
    'https://github.com/louisfb01/best_AI_papers_2022'
    >>> canonical_url("https://m.youtube.com/watch?v=YoVek79LFe0&feature=share&si=abc")
    'https://youtube.com/watch?v=YoVek79LFe0'
    >>> canonical_url("https://youtu.be/YoVek79LFe0?t=42")
    'https://youtube.com/watch?v=YoVek79LFe0'
    >>> canonical_url("https://weibo.com/123/abc?wm=3333_2001&from=10D&WBAPIAnalysisOriUICodes=1")
    'https://weibo.com/123/abc'
    >>> canonical_url("https://example.com/?p=42")
    'https://example.com?p=42'
    >>> canonical_url("mailto:someone@example.com")
    'mailto:someone@example.com'
    """
    raw = url.strip()
    if not raw or _OPAQUE_SCHEME.match(raw):
        return raw
    if raw.startswith("//"):
        raw = "https:" + raw
    elif not _SCHEME.match(raw):
        raw = "https://" + raw
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    host, port = _host_of(parts.netloc)
    if port and _DEFAULT_PORTS.get(scheme) == port:
        port = ""
    if scheme in _DEFAULT_PORTS:
        scheme = "https"
    path = quote(unquote(parts.path), safe=_PATH_SAFE).rstrip("/")
    pairs = parse_qsl(parts.query, keep_blank_values=True)

    if host == "youtu.be" and path.strip("/"):
        host, pairs, path = "youtube.com", [("v", path.strip("/")), *pairs], "/watch"

    has_video = any(key == "v" for key, _ in pairs)
    kept = sorted((k, v) for k, v in pairs if _keep_param(host, k, has_video))
    query = urlencode(kept, quote_via=quote, safe=_QUERY_SAFE)
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((scheme, netloc, path, query, ""))


_DOI = re.compile(
    r"(?i)(?:doi\.org/|/doi/(?:abs/|full/|pdf/)?|\bdoi:\s*)(10\.\d{4,9}/[^\s?#\"<>]+)"
)


def doi(url_or_text: str) -> str | None:
    """The DOI a doi.org link, a publisher's /doi/ path or a "doi:" note names, lowercased
    (DOIs are case-insensitive).

    >>> doi("https://doi.org/10.1145/3292500.3330701")
    '10.1145/3292500.3330701'
    >>> doi("https://dl.acm.org/doi/abs/10.1145/3292500.3330701?casa_token=x")
    '10.1145/3292500.3330701'
    >>> doi("https://example.org/10.1145/3292500") is None
    True
    """
    match = _DOI.search(unquote(url_or_text))
    return match.group(1).rstrip(".,;)").lower() if match else None


# --------------------------------------------------------------------------------------------
# Titles and keys
# --------------------------------------------------------------------------------------------

_ASCII_PUNCTUATION = frozenset(string.punctuation)
_APOSTROPHES = frozenset("'\u2019\u02bc")
_VARIATION_SELECTORS = frozenset(chr(c) for c in range(0xFE00, 0xFE10))


def normalized_title(title: str) -> str:
    """``title`` folded for comparison: NFKC, casefolded, punctuation and symbols (ASCII and
    CJK: 《》【】“”，。、 …, and emoji) replaced by spaces, apostrophes dropped, whitespace
    collapsed.

    >>> normalized_title("《Collective Intelligence for Deep Learning: A Survey》")
    'collective intelligence for deep learning a survey'
    >>> normalized_title("【深度学习】“集体智慧”，最新进展")
    '深度学习 集体智慧 最新进展'
    >>> normalized_title("ＧＰＴ－４　Technical   Report")
    'gpt 4 technical report'
    >>> normalized_title("✅ Don't  Stop Pretraining!")
    'dont stop pretraining'
    """
    text = unicodedata.normalize("NFKC", title).casefold()
    out: list[str] = []
    for char in text:
        if char in _APOSTROPHES or char in _VARIATION_SELECTORS:
            continue
        category = unicodedata.category(char)
        if category == "Cf":
            continue
        if char in _ASCII_PUNCTUATION or category[0] in "PS":
            out.append(" ")
        else:
            out.append(char)
    return " ".join("".join(out).split())


def _text_key(text: str) -> str:
    normal = normalized_title(text) or text.strip()
    return "text:" + hashlib.sha1(normal.encode("utf-8")).hexdigest()[:16]


def dedupe_key(*, kind: str, title: str, text: str, url: str | None, arxiv_id: str | None) -> str:
    """The key under which an item is stored once.

    In order: ``arxiv:<id>`` when the item names an arXiv paper (given, or found in ``url``);
    ``url:<canonical url>``; ``title:<normalised title>``; ``text:<sha1 of normalised text,
    16 hex digits>``. A quote (``kind == "quote"``) is what it says, so it is keyed on its text
    whenever it has any, even if it also carries a source URL or title (many quotes can come
    from one page).

    >>> dedupe_key(kind="paper", title="T", text="", url="https://arxiv.org/pdf/2211.04533v2",
    ...            arxiv_id=None)
    'arxiv:2211.04533'
    >>> dedupe_key(kind="paper", title="T", text="", url=None, arxiv_id="2211.04533v1")
    'arxiv:2211.04533'
    >>> dedupe_key(kind="article", title="T", text="", url="http://www.jasonwei.net/blog/",
    ...            arxiv_id=None)
    'url:https://jasonwei.net/blog'
    >>> dedupe_key(kind="article", title="《Practicing AI research》", text="", url=None,
    ...            arxiv_id=None)
    'title:practicing ai research'
    >>> a = dedupe_key(kind="quote", title="", text="Simple is better.", url=None, arxiv_id=None)
    >>> a == dedupe_key(kind="quote", title="", text="simple is better", url="https://x.com/a",
    ...                 arxiv_id=None)
    True
    >>> a
    'text:5538d029f94fdf26'
    """
    if str(kind) == "quote" and text.strip():
        return _text_key(text)
    found = None
    if arxiv_id and arxiv_id.strip():
        found = _extract_arxiv_id(arxiv_id) or arxiv_id.strip()
    elif url:
        found = _extract_arxiv_id(url)
    if found:
        return f"arxiv:{found}"
    if url and (canonical := canonical_url(url)):
        return f"url:{canonical}"
    if title and (normal := normalized_title(title)):
        return f"title:{normal}"
    return _text_key(text)


# --------------------------------------------------------------------------------------------
# Every key an item is known by
# --------------------------------------------------------------------------------------------

MAX_KEY_LENGTH = 512
"""Longest key the store takes (``items.canonical_key``/``item_keys.key`` are 512 chars)."""

# A title this short ("Introduction", "知乎") names too many things to merge items on alone.
_MIN_TITLE_KEY_LENGTH = 12
_SINGLE_VIDEO = re.compile(
    r"^https://(?:youtube\.com/(?:watch\?v=|shorts/)|bilibili\.com/video/|vimeo\.com/\d)"
)


def fit_key(key: str) -> str:
    """``key`` cut to MAX_KEY_LENGTH, ending in a hash of the whole so long keys stay distinct."""
    if len(key) <= MAX_KEY_LENGTH:
        return key
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()
    return f"{key[: MAX_KEY_LENGTH - len(digest) - 1]}#{digest}"


class Keyed(Protocol):
    """What an item is known by: a parsed note, a capture, a stored item alike."""

    @property
    def kind(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def url(self) -> str | None: ...
    @property
    def arxiv_id(self) -> str | None: ...
    @property
    def video_url(self) -> str | None: ...


def keys_of(item: Keyed) -> tuple[str, ...]:
    """:func:`item_keys` of an item's own fields."""
    return item_keys(
        kind=item.kind,
        title=item.title,
        text=item.text,
        url=item.url,
        arxiv_id=item.arxiv_id,
        video_url=item.video_url,
    )


def item_keys(
    *,
    kind: str,
    title: str,
    text: str,
    url: str | None,
    arxiv_id: str | None,
    video_url: str | None = None,
) -> tuple[str, ...]:
    """Every key an item is known by, its :func:`dedupe_key` first, none longer than
    MAX_KEY_LENGTH.

    Besides the dedupe key: the arXiv key, the DOI key, the URL key and the title key (titles
    of at least 12 characters once normalised). An item with a single video and no arXiv id is
    not keyed on its other URL, which several talks may share; the video itself is no key
    either: talks on three papers share it (bot.library.sameness). A quote has only its text
    key, so quotes from one page are never merged.

    >>> item_keys(kind="paper", title="Vision Transformers Are Good Mask Auto-Labelers",
    ...           text="", url="https://arxiv.org/abs/2301.03992v1", arxiv_id=None)
    ('arxiv:2301.03992', 'title:vision transformers are good mask auto labelers')
    >>> item_keys(kind="article", title="Practicing AI research", text="",
    ...           url="https://www.jasonwei.net/blog/practicing-ai-research", arxiv_id=None)
    ('url:https://jasonwei.net/blog/practicing-ai-research', 'title:practicing ai research')
    >>> item_keys(kind="quote", title="", text="Less is more.", url="https://x.com/a/status/1",
    ...           arxiv_id=None)
    ('text:09631d8c90309b50',)
    """
    video = canonical_url(video_url) if video_url else ""
    if video and _SINGLE_VIDEO.match(video) and not arxiv_id:
        # A recorded talk may cite a book or page that several talks cite.
        url = None
    keys = [dedupe_key(kind=kind, title=title, text=text, url=url, arxiv_id=arxiv_id)]
    if not (str(kind) == "quote" and text.strip()):
        given = (_extract_arxiv_id(arxiv_id) or arxiv_id.strip()) if arxiv_id else None
        in_url = _extract_arxiv_id(url) if url else None
        if given or in_url:
            keys.append(f"arxiv:{given or in_url}")
        if url and (found := doi(url)):
            keys.append(f"doi:{found}")
        if url and not in_url and (canonical := canonical_url(url)):
            keys.append(f"url:{canonical}")
        normal = normalized_title(title) if title else ""
        if len(normal) >= _MIN_TITLE_KEY_LENGTH:
            keys.append(f"title:{normal}")
    return tuple(dict.fromkeys(fit_key(key) for key in keys))
