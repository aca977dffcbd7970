"""Digest selection: which library items one reader gets today, and in what order.

``compose_digest`` is pure: the library, the reader's history, their preferences, ``now`` and a
seed go in, the :class:`DrawnItems` come out. Same arguments, same digest (the order of
``candidates`` does not matter either), so a digest can be recomposed or explained after the
fact.

How a digest is filled, in one pass over the candidates plus a few draws:

1. Every candidate is sorted into a *tier* by its history, or left out:

   - ``FRESH``: never shown, never answered;
   - ``UNANSWERED``: shown before, never answered;
   - ``DUE_QUOTE``: a quote the reader read, due again (its interval grows with each showing);
   - ``RESTED``: skipped ("not now" or "less like this"), and its rest is over;
   - left out: muted, read papers and articles (never again), skipped ones still resting, read
     quotes not yet due;
   - ``RECENTLY_SHOWN``: shown within ``repeat_gap`` (so yesterday's): only used when the digest
     would otherwise come out short, and never for items the rules above leave out.

2. Quotes and reading (papers and articles) are drawn separately: ``prefs.quotes`` quotes and the
   rest reading; a kind that runs out is made up by the other, so the digest keeps its size while
   the library allows.

3. Within a kind, tiers are drawn in order (all of a better tier before any of a worse one). Recent
   articles (published, else added, within ``recent_article_window``) are drawn before the rest of
   their tier for up to ``recent_article_share`` of the reading slots; a newsletter flood then
   cannot crowd out the owner's papers.

4. Each draw is weighted by how the reader answered the item's topic and source (read pulls
   toward, skip pushes away, smoothed by a prior), except that an ``exploration`` share of draws
   ignores the weights, so no topic or source starves. The reader's level for the item's
   source (``prefs.source_levels``, by source id) multiplies that weight; a source set to
   "never" is left out of every draw, exploring ones included.

A themed digest indexes the library with only some items ``drawable``: the rules above pick
among those, while every answer still teaches the reader's taste.

Display order: quotes first, then reading, each in the order drawn (best tier first).

Cost: what depends only on the library and ``now`` (each item's kind, news-ness, and its bucket
by topic, source and news as if never shown) is a :class:`SelectionIndex`, built in one pass over
``candidates``. A sweep builds it once and calls :func:`compose_indexed` per reader, which walks
that reader's history only (moving its items off the never-shown buckets, without copying them)
plus about ``size`` draws over the buckets, never over the items; ``compose_digest`` builds an
index for its one call. Muted words are matched against drawn items only. Both give the same
digest for the same arguments.

Modules: ``policy`` (what is asked: preferences and the tunable numbers), ``tiers`` (step 1),
``index`` (the library prepared once), ``reader`` (one reader's history and step 4's weights),
``draw`` (weighted draws without replacement, exploring ones included), ``pools`` (step 3 for
one kind, and muted words), ``choose`` (step 2, and the entry points). The names exported here
are the package's interface.
"""

from bot.digests.selection.choose import DrawnItems, compose_digest, compose_indexed
from bot.digests.selection.index import SelectionIndex
from bot.digests.selection.policy import (
    DEFAULT_POLICY,
    MAX_DIGEST_SIZE,
    MIN_DIGEST_SIZE,
    DigestPrefs,
    SelectionPolicy,
)

__all__ = [
    "DEFAULT_POLICY",
    "MAX_DIGEST_SIZE",
    "MIN_DIGEST_SIZE",
    "DigestPrefs",
    "DrawnItems",
    "SelectionIndex",
    "SelectionPolicy",
    "compose_digest",
    "compose_indexed",
]
