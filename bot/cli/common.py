"""What every command shares: the one-line failure, settings read once, an opened store, the
repair model's first build as a step of a command's progress."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress

from bot.bootstrap import build_store
from bot.config import Settings
from bot.library.repair.progress import BUILD_SECONDS, build_shown_as
from bot.store.db import Store

err = Console(stderr=True)


class Failure(Exception):
    """A failure the user can act on; main() prints it as one line and exits 1."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        # pydantic's "Value error, " prefix says nothing to the user; the input (a URL with
        # its password, a token) is never echoed.
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']).upper()}: "
            + e["msg"].removeprefix("Value error, ")
            for e in exc.errors()
        )
        raise Failure(f"bad setting: {problems}") from exc


@contextmanager
def opened_store(settings: Settings | None = None) -> Iterator[Store]:
    """The store, its schema upgraded, closed however the command ends."""
    store = build_store(settings or load_settings())
    try:
        yield store
    finally:
        store.dispose()


MODEL_STEP = f"building the repair model once, ~{BUILD_SECONDS} s"


@contextmanager
def model_build_shown(progress: Progress) -> Iterator[None]:
    """Within the block, a first build of the repair model shows in ``progress`` as a step of
    its own, the command's other steps hidden until it is done."""

    @contextmanager
    def step() -> Iterator[None]:
        hidden = [task.id for task in progress.tasks if task.visible]
        for task_id in hidden:
            progress.update(task_id, visible=False)
        building = progress.add_task(MODEL_STEP, total=None)
        try:
            yield
        finally:
            progress.remove_task(building)
            for task_id in hidden:
                progress.update(task_id, visible=True)

    with build_shown_as(step):
        yield
