"""The 16 AI newsletters the owner's notes list, with the feed each one publishes (if any).

``site`` is the address exactly as the notes give it, so the importer can match what it parses
to this table with :func:`newsletter_for_site`. ``feed_url`` is set only where the feed is
known: seen working in public feed lists, or certain from the publishing platform (Substack
and Substack custom domains serve ``/feed``, WordPress serves ``/feed/``, Buttondown serves
``/<user>/rss``). ``source_note`` says which, or why there is no feed. Nothing here was fetched
live; re-check a feed before trusting it if it stays empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.library.dedupe import canonical_url

__all__ = ["DEFAULT_NEWSLETTERS", "Newsletter", "newsletter_for_site"]


@dataclass(frozen=True, slots=True)
class Newsletter:
    """A newsletter: its name and site as the owner listed them, and its feed if it has one."""

    name: str
    site: str
    feed_url: str | None
    source_note: str  # where feed_url came from, or why there is none


DEFAULT_NEWSLETTERS: tuple[Newsletter, ...] = (
    Newsletter(
        name="The Batch",
        site="https://www.deeplearning.ai/the-batch/",
        feed_url=None,
        source_note=(
            "No native feed known. /the-batch/feed/ is copied into many third-party feed lists, "
            "but independent source audits from 2026 record it as 404 and The Batch as "
            "email-only; RSSHub added a scraping route for it (DIYgod/RSSHub#4795, 2020) "
            "because the site had no feed."
        ),
    ),
    Newsletter(
        name="Paper with Code Newsletter",
        site="https://paperswithcode.com/newsletter",
        feed_url=None,
        source_note=(
            "Closed service: Papers with Code shut down in July 2025 and paperswithcode.com "
            "now redirects to huggingface.co/papers/trending (ml-feeds/pwc-feeds#7, "
            "arXiv/arxiv-browse#941)."
        ),
    ),
    Newsletter(
        name="Ahead of AI By Sebastian Raschka",
        site="https://newsletter.sebastianraschka.com/",
        feed_url="https://magazine.sebastianraschka.com/feed",
        source_note=(
            "The listed site is the newsletter's old Revue address (Revue closed in January "
            "2023). Ahead of AI now publishes on Substack at magazine.sebastianraschka.com; "
            "Substack custom domains serve /feed, and this URL is in many public feed lists."
        ),
    ),
    Newsletter(
        name="Import AI",
        site="https://jack-clark.net/",
        feed_url="https://jack-clark.net/feed/",
        source_note=(
            "WordPress serves /feed/; widely used in public feed lists and recorded as working "
            "in a 2026 source audit. Also mirrored on Substack at importai.substack.com/feed."
        ),
    ),
    Newsletter(
        name="AI Weekly",
        site="https://aiweekly.co/",
        feed_url="https://aiweekly.co/issues.rss",
        source_note=(
            "/issues.rss is the feed path of the Curated newsletter platform AI Weekly runs on "
            "(same as iosdevweekly.com/issues.rss); this URL is in many public feed lists. "
            "Not seen live here."
        ),
    ),
    Newsletter(
        name="Deep Learning Weekly",
        site="https://www.deeplearningweekly.com/",
        feed_url="https://www.deeplearningweekly.com/feed",
        source_note=(
            "Substack custom domain (issues live at /p/deep-learning-weekly-issue-N); Substack "
            "serves /feed, and this URL is in many public feed lists."
        ),
    ),
    Newsletter(
        name="The Algorithm by MIT Technology Review",
        site="https://forms.technologyreview.com/newsletters/ai-demystified-the-algorithm/",
        feed_url=None,
        source_note=(
            "The listed site is a sign-up form for an email-only newsletter. MIT Technology "
            "Review's AI topic feed (technologyreview.com/topic/artificial-intelligence/feed) "
            "carries its articles, not this newsletter."
        ),
    ),
    Newsletter(
        name="Inside AI",
        site="https://inside.com/ai",
        feed_url=None,
        source_note=(
            "No feed known to work: inside.com/ai/rss appears in third-party feed lists, but "
            "other projects record it as broken and inside.com/ai/feed/ as not valid XML."
        ),
    ),
    Newsletter(
        name="Last Week in AI",
        site="https://lastweekin.ai/",
        feed_url="https://lastweekin.ai/feed",
        source_note=(
            "Substack custom domain (posts live at /p/...); Substack serves /feed, recorded as "
            "working in a 2026 source audit."
        ),
    ),
    Newsletter(
        name="Eye on A.I.",
        site="https://fortune.com/newsletter/eye-on-ai",
        feed_url=None,
        source_note="The listed site is the sign-up page of Fortune's email-only newsletter.",
    ),
    Newsletter(
        name="The European AI Newsletter",
        site="https://www.europeanartificialintelligence.com/",
        feed_url=None,
        source_note=(
            "No feed found in any source. The newsletter (by Charlotte Stix) has its archive "
            "at charlottestix.com/europeanaiarchive."
        ),
    ),
    Newsletter(
        name="ChinAI Newsletter",
        site="https://chinai.substack.com/",
        feed_url="https://chinai.substack.com/feed",
        source_note=(
            "Substack publications serve /feed; recorded as working in a 2026 source audit."
        ),
    ),
    Newsletter(
        name="TLDR",
        site="https://tldr.tech/",
        feed_url="https://tldr.tech/api/rss/tech",
        source_note=(
            "TLDR serves one feed per newsletter at /api/rss/<name>; 'tech' is the flagship "
            "TLDR listed here. TLDR AI is /api/rss/ai (recorded as working in a 2026 source "
            "audit)."
        ),
    ),
    Newsletter(
        name="NLP News By Sebastian Ruder",
        site="http://newsletter.ruder.io/",
        feed_url="https://newsletter.ruder.io/feed",
        source_note=(
            "Substack custom domain (posts live at /p/...); Substack serves /feed, and this URL "
            "is in many public feed lists."
        ),
    ),
    Newsletter(
        name="The AssemblyAI blog",
        site="https://www.assemblyai.com/blog/an-introduction-to-poisson-flow-generative-models/",
        feed_url=None,
        source_note=(
            "The listed site is a single blog post, not a feed. The blog's own feed path is "
            "unconfirmed: public lists disagree (/blog/rss/, /blog/rss.xml, /blog/rss)."
        ),
    ),
    Newsletter(
        name="5 Minutes of Data Science",
        site="https://pedromadruga.com/newsletter/",
        feed_url="https://buttondown.com/pmadruga/rss",
        source_note=(
            "The listed page is a Buttondown sign-up form (account 'pmadruga', per the site's "
            "source); Buttondown serves each newsletter's archive feed at /<user>/rss. Not "
            "seen live here; the newsletter may be dormant."
        ),
    ),
)

_BY_SITE: dict[str, Newsletter] = {canonical_url(n.site): n for n in DEFAULT_NEWSLETTERS}


def newsletter_for_site(site: str) -> Newsletter | None:
    """The listed newsletter at ``site``, whatever its scheme, ``www.`` or trailing slash.

    >>> newsletter_for_site("jack-clark.net").name
    'Import AI'
    >>> newsletter_for_site("https://newsletter.ruder.io").feed_url
    'https://newsletter.ruder.io/feed'
    >>> newsletter_for_site("https://example.com/") is None
    True
    """
    return _BY_SITE.get(canonical_url(site))
