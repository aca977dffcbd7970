"""What to ask arXiv, in which requests, and when to ask again: pure.

Items with an arXiv id (their own, or in their link) are asked by id, up to 100 ids a request;
papers with only an English title are asked by title, one request each. An answer is cached:
an item is asked again only when what would be asked changed (the owner added an id) or its
retry time came (a long while for a paper found or not found, a backoff after a failure).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.enrich.matching import Paper, best_match, has_cjk, lookup_title
from bot.library.dedupe import arxiv_id
from bot.library.items import ItemKind

ID_BATCH = 100  # arXiv's id_list takes many; a hundred keeps an answer well under a megabyte
TITLE_RESULTS = 5  # results asked per title: the paper is among the first few when it is there
RETRY_FOUND = dt.timedelta(days=180)  # a new version may bring a new abstract
RETRY_NOT_FOUND = dt.timedelta(days=30)
RETRY_FAILED_FIRST = dt.timedelta(hours=1)  # an item whose request failed: 1, 2, 4 … hours
RETRY_FAILED_MAX = dt.timedelta(days=30)
BACKOFF_FIRST = dt.timedelta(minutes=1)  # every request, after a failure: 1, 2, 4 … minutes
BACKOFF_MAX = dt.timedelta(days=1)  # and never more than a day, whatever Retry-After says


class EnrichmentStatus(enum.StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"  # asked, and nothing matched
    FAILED = "failed"  # the request failed


@dataclass(frozen=True, slots=True)
class LookupItem:
    """A paper (or an article linking to arXiv) and what was asked of it before, if anything."""

    item_id: int
    kind: ItemKind
    title: str
    year: int | None = None
    arxiv_id: str | None = None
    url: str | None = None
    status: EnrichmentStatus | None = None
    asked: str | None = None
    retry_at: dt.datetime | None = None
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class ByIds:
    """One request for up to ID_BATCH papers by id; an id may stand for several items."""

    items: tuple[tuple[str, tuple[int, ...]], ...]  # (arXiv id, the items naming it)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(found for found, _ in self.items)

    @property
    def item_ids(self) -> tuple[int, ...]:
        return tuple(item for _, items in self.items for item in items)


@dataclass(frozen=True, slots=True)
class ByTitle:
    """One request for a paper by its owner's (English) title."""

    item_id: int
    title: str  # as the owner wrote it
    asked: str  # normalised: what is sent
    year: int | None = None

    @property
    def item_ids(self) -> tuple[int, ...]:
        return (self.item_id,)


Request = ByIds | ByTitle


@dataclass(frozen=True, slots=True)
class Plan:
    requests: tuple[Request, ...]
    items: int  # items the requests ask for
    skipped_chinese: int  # papers with a Chinese title and no id: never sent
    skipped_short: int  # papers whose title is too short to find one paper by


@dataclass(frozen=True, slots=True)
class Finding:
    """What one request found for one item."""

    item_id: int
    asked: str  # "id:<arXiv id>" or "title:<normalised title>"
    status: EnrichmentStatus
    paper: Paper | None = None


def ask_key(item: LookupItem) -> str | None:
    """What would be asked of the item: its id, else (papers only) its English title.

    >>> ask_key(LookupItem(1, ItemKind.ARTICLE, "x", url="https://arxiv.org/abs/2207.08079v2"))
    'id:2207.08079'
    >>> ask_key(LookupItem(2, ItemKind.PAPER, "Attention Is All You Need"))
    'title:attention is all you need'
    >>> ask_key(LookupItem(3, ItemKind.PAPER, "注意力就是你所需要的")) is None
    True
    """
    own = item.arxiv_id or (arxiv_id(item.url) if item.url else None)
    if own:
        return f"id:{own}"
    if item.kind is not ItemKind.PAPER:
        return None
    title = lookup_title(item.title)
    return f"title:{title}" if title else None


def is_due(item: LookupItem, key: str, now: dt.datetime) -> bool:
    """Never asked, asked something else before, or its retry time has come."""
    if item.status is None or item.asked != key:
        return True
    return item.retry_at is not None and item.retry_at <= now


def plan_requests(items: Iterable[LookupItem], now: dt.datetime, limit: int | None = None) -> Plan:
    """The requests for the items that are due, ids first (a hundred items a request),
    at most `limit` items in all."""
    by_id: dict[str, list[int]] = {}
    titles: list[ByTitle] = []
    chinese = short = taken = 0
    for item in items:
        key = ask_key(item)
        if key is None:
            if item.kind is ItemKind.PAPER:
                chinese += has_cjk(item.title)
                short += not has_cjk(item.title)
            continue
        if not is_due(item, key, now) or (limit is not None and taken >= limit):
            continue
        taken += 1
        kind, _, asked = key.partition(":")
        if kind == "id":
            by_id.setdefault(asked, []).append(item.item_id)
        else:
            titles.append(ByTitle(item.item_id, item.title, asked, item.year))
    ids = [(found, tuple(item_ids)) for found, item_ids in by_id.items()]
    batches = [ByIds(tuple(ids[n : n + ID_BATCH])) for n in range(0, len(ids), ID_BATCH)]
    return Plan((*batches, *titles), taken, chinese, short)


def findings(request: Request, papers: Sequence[Paper] | None) -> list[Finding]:
    """What the request found for each item it asked about; `papers` None: the request failed."""
    if isinstance(request, ByTitle):
        asked = f"title:{request.asked}"
        if papers is None:
            return [Finding(request.item_id, asked, EnrichmentStatus.FAILED)]
        match = best_match(request.title, request.year, papers)
        status = EnrichmentStatus.NOT_FOUND if match is None else EnrichmentStatus.FOUND
        return [Finding(request.item_id, asked, status, match)]
    found = {paper.arxiv_id: paper for paper in papers or ()}
    done: list[Finding] = []
    for asked_id, items in request.items:
        paper = found.get(asked_id)
        if papers is None:
            status = EnrichmentStatus.FAILED
        else:
            status = EnrichmentStatus.NOT_FOUND if paper is None else EnrichmentStatus.FOUND
        done.extend(Finding(item, f"id:{asked_id}", status, paper) for item in items)
    return done


def retry_at(now: dt.datetime, status: EnrichmentStatus, attempts: int) -> dt.datetime:
    """When an item is asked again; `attempts` counts its failed requests in a row.

    >>> now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    >>> [str(retry_at(now, EnrichmentStatus.FAILED, n) - now) for n in (1, 3, 20)]
    ['1:00:00', '4:00:00', '30 days, 0:00:00']
    >>> str(retry_at(now, EnrichmentStatus.NOT_FOUND, 0) - now)
    '30 days, 0:00:00'
    """
    if status is EnrichmentStatus.FOUND:
        return now + RETRY_FOUND
    if status is EnrichmentStatus.NOT_FOUND:
        return now + RETRY_NOT_FOUND
    backoff = RETRY_FAILED_FIRST * 2 ** min(max(attempts - 1, 0), 16)
    return now + min(backoff, RETRY_FAILED_MAX)


def backoff_until(
    now: dt.datetime,
    failures: int,
    retry_after: dt.timedelta | None,
    interval: dt.timedelta,
) -> dt.datetime:
    """When the next request may go after `failures` failed ones in a row: 1, 2, 4 … minutes,
    or longer when the API's Retry-After asks so, never past a day.

    >>> now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    >>> second = dt.timedelta(seconds=3)
    >>> [str(backoff_until(now, n, None, second) - now) for n in (1, 2, 20)]
    ['0:01:00', '0:02:00', '1 day, 0:00:00']
    >>> hours = [dt.timedelta(hours=h) for h in (2, 24 * 7)]
    >>> [str(backoff_until(now, 1, h, second) - now) for h in hours]
    ['2:00:00', '1 day, 0:00:00']
    """
    backoff = min(BACKOFF_FIRST * 2 ** min(max(failures - 1, 0), 16), BACKOFF_MAX)
    asked = min(retry_after, BACKOFF_MAX) if retry_after is not None else dt.timedelta(0)
    return now + max(backoff, asked, interval)
