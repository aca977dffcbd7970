"""Finding, mending and classifying the links in a notes line (pure)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Notes pasted from chat apps break links with a space after the scheme or after a Medium "@".
_BROKEN_SCHEME = re.compile(r"(?<![A-Za-z])(https?):\s*/\s*/\s*(?=[A-Za-z0-9])", re.IGNORECASE)
_BROKEN_HANDLE = re.compile(r"/@\s+(?=[A-Za-z0-9])")

_URL_END = r"""[^\s<>()\[\]{}（）"'“”‘’，。、；！？【】《》|]"""
_SCHEME_URL = re.compile(rf"https?://{_URL_END}+", re.IGNORECASE)
_TLDS = (
    "com|org|net|io|ai|co|cn|uk|us|xyz|me|tech|site|blog|pub|dev|edu|gov|info|tv|ly|fm|so|app|cc"
)
# A bare domain counts only with "www." or a path: "fast.ai" in prose is a name, not a link.
_BARE_URL = re.compile(
    rf"(?<![A-Za-z0-9@/.:_-])"
    rf"(?:www\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:{_TLDS})(?=/))"
    rf"(?:/{_URL_END}*)?"
)
_TRAILING = ".,;:!?'\")]}>*"
_ARXIV_ID = re.compile(
    r"arxiv(?:-vanity)?\.(?:org|com)/(?:abs|pdf|papers|html)/(\d{4}\.\d{4,5})(?:v\d+)?", re.I
)

PAPER_HOSTS = (
    "arxiv.org",
    "arxiv-vanity.com",
    "openreview.net",
    "aclanthology.org",
    "aclweb.org",
    "proceedings.neurips.cc",
    "papers.nips.cc",
    "proceedings.mlr.press",
    "openaccess.thecvf.com",
    "biorxiv.org",
    "dl.acm.org",
    "ieeexplore.ieee.org",
    "semanticscholar.org",
    "distill.pub",
)
# Hosts where only some paths are papers.
_PAPER_PATHS = (
    ("paperswithcode.com", "/paper/"),
    ("paperweekly.site", "/papers/"),
    ("nature.com", "/articles/"),
)
_VIDEO_HOSTS = ("bilibili.com/video", "youtube.com/watch", "youtu.be/", "b23.tv/")


def mend_urls(line: str) -> str:
    """Join links that a stray space broke.

    >>> mend_urls("code: https: //github.com/a/b")
    'code: https://github.com/a/b'
    """
    return _BROKEN_HANDLE.sub("/@", _BROKEN_SCHEME.sub(lambda m: f"{m[1].lower()}://", line))


def _tidy(url: str) -> str:
    # Markdown escapes underscores inside links ("a\\_b"); the link itself has none.
    url = url.replace("\\_", "_").replace("\\", "").rstrip(_TRAILING)
    return url


def find_urls(line: str) -> list[str]:
    """Every link in a line, in order, with https:// added to bare domains, without repeats.

    >>> find_urls("see github.com/x/y and <https://a.org/p>")
    ['https://github.com/x/y', 'https://a.org/p']
    """
    line = mend_urls(line)
    found: list[tuple[int, str]] = [(m.start(), _tidy(m[0])) for m in _SCHEME_URL.finditer(line)]
    masked = _SCHEME_URL.sub(lambda m: " " * len(m[0]), line)
    found += [(m.start(), "https://" + _tidy(m[0])) for m in _BARE_URL.finditer(masked)]
    urls: list[str] = []
    for _, url in sorted(found):
        if url not in urls and "." in urlsplit(url).netloc:
            urls.append(url)
    return urls


def remove_urls(line: str) -> str:
    """The line without its links (scheme or bare), stripped."""
    line = mend_urls(line)
    line = _SCHEME_URL.sub("", line)
    line = _BARE_URL.sub("", line)
    return line.strip()


def arxiv_id(url: str | None) -> str | None:
    """The arXiv id a link points at, without its version.

    >>> arxiv_id("https://arxiv.org/pdf/2207.08079v2.pdf")
    '2207.08079'
    """
    match = _ARXIV_ID.search(url or "")
    return match[1] if match else None


def arxiv_year(identifier: str | None) -> int | None:
    """The year an arXiv id was issued: ids start with YYMM."""
    return 2000 + int(identifier[:2]) if identifier else None


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower().removeprefix("www.")


def is_paper_url(url: str | None) -> bool:
    """Whether a link points at a paper: a paper host or a proceedings-style PDF."""
    if not url:
        return False
    host, path = _host(url), urlsplit(url).path.lower()
    if any(host == h or host.endswith("." + h) for h in PAPER_HOSTS):
        return True
    if any(host.endswith(h) and p in path for h, p in _PAPER_PATHS):
        return True
    return path.endswith(".pdf") and (
        "paper" in path or host.startswith(("proceedings.", "papers."))
    )


def is_video_url(url: str | None) -> bool:
    return url is not None and any(h in url.lower() for h in _VIDEO_HOSTS)
