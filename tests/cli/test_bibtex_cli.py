"""`lamplight export --format bibtex`: the papers as BibTeX that a reference manager reads
back, each under a stable, unique key, with what is known of it."""

from __future__ import annotations

import bibtexparser
import pytest
from bibtexparser.middlewares import LatexDecodingMiddleware

from bot.enrich.plan import EnrichmentStatus
from bot.library.items import ItemKind
from bot.store.db import open_store
from bot.store.models import Enrichment, Item
from tests.cli.test_cli import lamplight
from tests.conftest import NOW

pytestmark = pytest.mark.usefixtures("store_env")


def papers() -> list[Item]:
    return [
        Item(
            kind=ItemKind.PAPER,
            title="Attention Is All You Need",
            author="Ashish Vaswani, Noam Shazeer et al.",
            year=2017,
            arxiv_id="1706.03762",
            url="https://arxiv.org/abs/1706.03762",
            canonical_key="arxiv:1706.03762",
        ),
        Item(
            kind=ItemKind.PAPER,
            title="Attention & {Memory}: 100% of it",
            author="A. Vaswani",
            year=2017,
            canonical_key="t:memory",
        ),
        Item(
            kind=ItemKind.PAPER,
            title="深度残差学习",
            author="何恺明",
            year=2016,
            url="https://doi.org/10.1109/CVPR.2016.90",
            canonical_key="t:resnet",
        ),
        Item(kind=ItemKind.PAPER, title="Denoising Diffusion", canonical_key="t:ddpm"),
        Item(kind=ItemKind.QUOTE, text="Stay hungry.", author="Jobs", canonical_key="q:1"),
    ]


@pytest.fixture
def library(database_url: str) -> None:
    store = open_store(database_url)
    with store.transaction() as session:
        items = papers()
        session.add_all(items)
        session.flush()
        session.add(
            Enrichment(
                item_id=items[3].id,
                source="arxiv",
                status=EnrichmentStatus.FOUND,
                asked="title:denoising diffusion",
                arxiv_id="2006.11239",
                title="Denoising Diffusion Probabilistic Models",
                abstract="We present high quality image synthesis…",
                authors="Jonathan Ho, Ajay Jain, Pieter Abbeel",
                year=2020,
                fetched_at=NOW,
            )
        )
    store.dispose()


@pytest.mark.usefixtures("library")
def test_the_papers_export_as_bibtex_that_parses_back(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = lamplight(capsys, "export", "--format", "bibtex")
    assert code == 0
    raw = bibtexparser.parse_string(out)
    assert not raw.failed_blocks
    decoded = bibtexparser.parse_string(out, append_middleware=[LatexDecodingMiddleware()])
    entries = {entry.key: entry for entry in decoded.entries}
    assert list(entries) == [
        "vaswani2017attention",
        "vaswani2017attentionb",  # the same surname, year and first word: a key of its own
        "paper3",  # no ASCII name nor word to make a key of
        "ho2020denoising",
    ]
    first = entries["vaswani2017attention"]
    assert first["title"] == "Attention Is All You Need"
    assert first["author"] == "Ashish Vaswani and Noam Shazeer and others"
    assert (first["year"], first["eprint"], first["archiveprefix"]) == (
        "2017",
        "1706.03762",
        "arXiv",
    )
    assert entries["vaswani2017attentionb"]["title"] == "Attention & {Memory}: 100% of it"
    resnet = {entry.key: entry for entry in raw.entries}["paper3"]
    assert (resnet["title"], resnet["author"]) == ("深度残差学习", "何恺明")
    assert resnet["doi"] == "10.1109/cvpr.2016.90"
    assert resnet["url"] == "https://doi.org/10.1109/CVPR.2016.90"
    ddpm = entries["ho2020denoising"]  # nothing but a title of your own: arXiv's authors, year
    assert ddpm["title"] == "Denoising Diffusion"
    assert ddpm["author"] == "Jonathan Ho and Ajay Jain and Pieter Abbeel"
    assert (ddpm["year"], ddpm["eprint"]) == ("2020", "2006.11239")
    assert ddpm["abstract"] == "We present high quality image synthesis…"
    assert "Stay hungry" not in out


def test_bibtex_holds_papers_only(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = lamplight(capsys, "export", "--format", "bibtex", "--kind", "quote")
    assert code == 1
    assert err == "error: BibTeX holds papers only: leave out --kind, or use --kind paper\n"
