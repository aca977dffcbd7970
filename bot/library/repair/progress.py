"""Where a first build of the repair model shows: a command that reports its progress (the
import) runs the build inside a step of its own; elsewhere it runs unannounced.

Kept apart from model.py, which loads NumPy: commands set the step up before they know
whether the model will be needed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar

__all__ = ["BUILD_SECONDS", "Step", "build_shown_as", "build_step"]

BUILD_SECONDS = 35  # a build's wall time on a quiet two-core machine (bench/repair_seeds.py)

Step = Callable[[], AbstractContextManager[object]]

_step: ContextVar[Step | None] = ContextVar("repair_model_build_step", default=None)


@contextmanager
def build_shown_as(step: Step) -> Iterator[None]:
    """Within the block, a build of the model runs inside ``step()``."""
    token = _step.set(step)
    try:
        yield
    finally:
        _step.reset(token)


def build_step() -> AbstractContextManager[object]:
    """The step a build runs inside here: the one ``build_shown_as`` set, else none."""
    step = _step.get()
    return nullcontext() if step is None else step()
