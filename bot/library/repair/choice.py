"""What the repair chose for one damaged character, and how it compared (no NumPy here: the
idle bot imports this)."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Choice"]


@dataclass(frozen=True, slots=True)
class Choice:
    """One damaged character: what was chosen and how it compared."""

    index: int  # position among the line's tokens
    chosen: str
    alternatives: tuple[tuple[str, float], ...]  # (candidate, probability), best first

    @property
    def probability(self) -> float:
        return dict(self.alternatives).get(self.chosen, 0.0)

    @property
    def runner_up(self) -> str | None:
        return next((c for c, _ in self.alternatives if c != self.chosen), None)

    @property
    def margin(self) -> float:
        """How much likelier the choice is than the runner-up, in nats (inf: no rival)."""
        probs = dict(self.alternatives)
        rival = self.runner_up
        if rival is None or probs[rival] <= 0:
            return math.inf
        return math.log(probs[self.chosen] / probs[rival])
