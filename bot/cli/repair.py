"""`lamplight repair` and the text `lamplight fixtext --explain` prints: how the mojibake repair
chose, what it doubts, and running it again over the library."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Annotated

import typer

from bot.cli.common import Failure, opened_store
from bot.library.repair.text import Choice, LineRepair, Repaired, Vocabulary
from bot.store.db import Store

__all__ = ["explain", "library_vocabulary", "repair"]

DOUBTFUL = 0.99  # a guessed character below this probability is shown with its rivals


def library_vocabulary(store: Store) -> Vocabulary:
    """The clean text of the owner's notes in the store."""
    from bot.store.repairs import clean_texts

    with store.transaction() as session:
        return Vocabulary.from_texts(clean_texts(session))


def _margin(c: Choice) -> str:
    return "no rival" if math.isinf(c.margin) else f"margin {c.margin:.2f}"


def _choice(c: Choice) -> str:
    rival = c.runner_up
    rival_text = f", runner-up {rival} ({dict(c.alternatives)[rival]:.2f})" if rival else ""
    return f"col {c.index + 1}: {c.chosen} ({c.probability:.2f}){rival_text}, {_margin(c)}"


def explain(repaired: Repaired) -> Iterator[str]:
    """Each changed line, and each guessed character with its runner-up and the margin
    (log-odds of the choice over the runner-up)."""
    for r in repaired.lines:
        yield f"line {r.line + 1} (confidence {r.confidence:.2f})"
        yield f"  - {r.before}"
        yield f"  + {r.after}"
        for c in r.choices:
            yield f"    {_choice(c)}"
    if not repaired.lines:
        yield "nothing to repair"


def _doubts(lines: tuple[LineRepair, ...]) -> Iterator[str]:
    for r in sorted(lines, key=lambda r: r.confidence):
        yield f"  raw:      {r.before}"
        yield f"  repaired: {r.after}"
        for c in r.choices:
            if c.probability < DOUBTFUL:
                alts = " / ".join(f"{ch} {p:.2f}" for ch, p in c.alternatives[:4])
                yield f"    col {c.index + 1}: {alts}"


def repair(
    review: Annotated[
        bool, typer.Option("--review", help="List the least certain repairs.")
    ] = False,
    reapply: Annotated[
        bool,
        typer.Option("--reapply", help="Repair every item's raw text again with today's model."),
    ] = False,
    limit: Annotated[int, typer.Option(help="How many items --review lists.", min=1)] = 20,
    below: Annotated[
        float, typer.Option(help="--review lists repairs less sure than this.", min=0, max=1)
    ] = 0.9,
    build_model: Annotated[
        bool, typer.Option("--build-model", help="Build the repair model now (once per machine).")
    ] = False,
) -> None:
    """Review or redo the mojibake repairs of imported notes.

    Example: lamplight repair --review --limit 5
    """
    if not (review or reapply or build_model):
        raise Failure("say what to do: --review, --reapply or --build-model")
    if build_model:
        from bot.library.repair.model import ensure_model

        typer.echo(f"repair model in {ensure_model()}")
    if not (review or reapply):
        return
    with opened_store() as store:
        vocabulary = library_vocabulary(store)
        if reapply:
            _reapply(store, vocabulary, typer.echo)
        if review:
            _review(store, vocabulary, limit=limit, below=below, echo=typer.echo)


def _reapply(store: Store, vocabulary: Vocabulary, echo: Callable[[str], None]) -> None:
    from bot.library.reprepare import reprepare
    from bot.store.repairs import reapply

    with store.transaction() as session:
        report = reapply(session, lambda item: reprepare(item, vocabulary))
    echo(
        f"{report.checked} repaired items checked, {report.updated} updated, "
        f"{report.skipped} left as they were (their raw text no longer reads as one item)"
    )


def _review(
    store: Store, vocabulary: Vocabulary, *, limit: int, below: float, echo: Callable[[str], None]
) -> None:
    from bot.library.repair.text import repair_text
    from bot.store.repairs import least_certain

    with store.transaction() as session:
        rows = [
            (item.id, item.kind.value, item.repair_confidence or 0.0, item.raw_text or "")
            for item in least_certain(session, limit=limit)
            if (item.repair_confidence or 0.0) < below
        ]
    if not rows:
        echo(f"no repair is less sure than {below:.2f}")
        return
    for item_id, kind, confidence, raw in rows:
        echo(f"item {item_id} ({kind}), confidence {confidence:.2f}")
        for line in _doubts(repair_text(raw, vocabulary=vocabulary).lines):
            echo(line)
