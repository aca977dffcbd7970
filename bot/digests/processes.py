"""A large sweep composed in several processes at once.

Composing is pure Python work per chat, so one process uses one CPU whatever the machine has.
The sweep reads and indexes the library once, then forks: each worker inherits it (pages are
shared until written) and takes batch after batch with its own connections, as this process
does too. A worker touches nothing of its parent's: not its pooled connections, not its signal
handlers, not its exit handlers (multiprocessing ends a forked child with ``os._exit``). A
worker that fails, is killed, or is stopped for making no progress, loses only the batch it
was on (the others go on taking the rest): the sweep reports it, and the next sweep composes
what is still due.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from ctypes import c_double
from multiprocessing.connection import Connection
from multiprocessing.sharedctypes import Synchronized
from typing import Generic, TypeVar

from bot.store.db import Store

log = logging.getLogger(__name__)

Batch = TypeVar("Batch")
# Composes one batch through the given store; the digests it stored.
ComposeBatch = Callable[[Store, Batch], int]

# Processes beyond this add little: the batches' writes take turns on one database.
MAX_PROCESSES = 4
# A worker that finishes no batch for this long is stuck (a batch takes about a second; a
# lock a thread held at the fork, say) and is stopped, so one stuck worker cannot hold up
# every later sweep; the next sweep composes its batches again.
STALL_SECONDS = 600.0


class ComposeWorkerError(RuntimeError):
    """A worker process of the sweep failed or was killed; its other batches stay due."""


def process_count(setting: int, batches: int) -> int:
    """Processes for a sweep of ``batches``: ``setting``, or with 0 one per CPU this process
    may use (at most MAX_PROCESSES); one per batch at most, and one where fork is missing.

    >>> process_count(0, 1), process_count(3, 2), process_count(1, 40)
    (1, 2, 1)
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    wanted = setting or min(len(os.sched_getaffinity(0)), MAX_PROCESSES)
    return max(1, min(wanted, batches))


def compose_in_processes(
    store: Store, batches: Sequence[Batch], compose: ComposeBatch[Batch], processes: int
) -> int:
    """Compose every batch, in ``processes`` processes (this one included); the digests
    stored. Each process takes the next batch not yet taken, so none waits on another that
    got the slower ones; a store only this process can reach (in memory) keeps to it.
    Raises ComposeWorkerError, once all have finished, if a worker failed."""
    if processes <= 1 or not store.reopenable:
        return sum(compose(store, batch) for batch in batches)
    context = multiprocessing.get_context("fork")
    taken = context.Value("l", 0)  # the batches handed out so far, shared with the workers
    workers: list[_Worker] = []
    for n in range(1, processes):
        receive, send = context.Pipe(duplex=False)
        beat = context.Value("d", time.monotonic(), lock=False)  # its last sign of progress
        worker = context.Process(
            target=_work,
            args=(send, store, _Batches(batches, taken), compose, beat),
            name=f"lamplight-compose-{n}",
            daemon=True,
        )
        worker.start()
        send.close()  # the worker holds the sending end: its exit shows as end-of-file
        workers.append(_Worker(worker, receive, beat))
    try:
        composed = sum(compose(store, batch) for batch in _Batches(batches, taken))
    finally:
        results = [worker.result() for worker in workers]
    failed = [result for result in results if isinstance(result, str)]
    if failed:
        raise ComposeWorkerError("; ".join(failed))
    return composed + sum(result for result in results if isinstance(result, int))


class _Batches(Generic[Batch]):
    """The batches one process composes: each the next not yet taken by any process."""

    def __init__(self, batches: Sequence[Batch], taken: Synchronized[int]) -> None:
        self.batches, self.taken = batches, taken

    def __iter__(self) -> Iterator[Batch]:
        while True:
            with self.taken.get_lock():
                n = self.taken.value
                self.taken.value = n + 1
            if n >= len(self.batches):
                return
            yield self.batches[n]


def _work(
    send: Connection,
    store: Store,
    batches: Iterable[Batch],
    compose: ComposeBatch[Batch],
    beat: c_double,
) -> None:
    """A worker: compose batches through its own connections, then report how many."""
    # A signal ends the worker as such; the parent's handlers would wake its event loop.
    signal.set_wakeup_fd(-1)
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, signal.SIG_DFL)
    parent = os.getppid()
    composed = 0
    try:
        own = store.reopened()
        try:
            for batch in batches:
                composed += compose(own, batch)
                beat.value = time.monotonic()  # CLOCK_MONOTONIC: one clock for every process
                if os.getppid() != parent:
                    break  # the sweep's process is gone: nobody would deliver the rest
        finally:
            own.dispose()
        send.send(composed)
    except Exception as exc:
        log.exception("a compose worker failed")
        send.send(f"a compose worker failed after {composed} digest(s): {exc.__class__.__name__}")
    finally:
        send.close()


class _Worker:
    """A worker process as the sweep waits for it: its process, its report's pipe and when it
    last finished a batch."""

    def __init__(
        self,
        process: multiprocessing.process.BaseProcess,
        receive: Connection,
        beat: c_double,
    ) -> None:
        self.process, self.receive, self.beat = process, receive, beat

    def result(self) -> int | str:
        """What the worker reported: its digests, or why it failed or was stopped."""
        try:
            while not self.receive.poll(1.0):
                if time.monotonic() - self.beat.value > STALL_SECONDS:
                    self.process.kill()
                    return f"a compose worker made no progress for {STALL_SECONDS:.0f} s"
            result: int | str = self.receive.recv()
        except EOFError:
            result = ""
        finally:
            self.receive.close()
            self.process.join()
        if result == "":
            return f"a compose worker ended without a word (exit code {self.process.exitcode})"
        return result
