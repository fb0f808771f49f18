"""Executors: run a function over chunks of work, serially or in a pool of processes.

One protocol, so the experiment layer does not care where chunks run. Results come back in
submission order, so the same chunks give the same combined result on every executor; each
chunk carries its own seed (see :mod:`oclab.core.rng`), never the worker's identity.

>>> with SerialExecutor() as ex:
...     list(ex.map(abs, [-1, -2]))
[1, 2]
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Protocol, TypeVar

from oclab.errors import InputError

T = TypeVar("T")
R = TypeVar("R")
ENGINES: tuple[str, ...] = ("serial", "processes")


class Executor(Protocol):
    """Maps a function over chunks, yielding results in order."""

    def map(self, fn: Callable[[T], R], chunks: Iterable[T]) -> Iterator[R]: ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...


class SerialExecutor:
    """Runs chunks one after another in this process."""

    def map(self, fn: Callable[[T], R], chunks: Iterable[T]) -> Iterator[R]:
        return map(fn, chunks)

    def __enter__(self) -> SerialExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class ProcessExecutor:
    """Runs chunks in a pool of worker processes (one per core by default).

    Workers come from a ``forkserver``: forking the caller directly would copy the thread pools
    of Polars and BLAS in whatever state they are, which can deadlock the child.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def map(self, fn: Callable[[T], R], chunks: Iterable[T]) -> Iterator[R]:
        if self._pool is None:
            raise RuntimeError("ProcessExecutor must be used as a context manager")
        return self._pool.map(fn, chunks)

    def __enter__(self) -> ProcessExecutor:
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers, mp_context=multiprocessing.get_context("forkserver")
        )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def make_executor(engine: str, workers: int | None = None) -> Executor:
    """The executor called ``engine`` (``serial`` or ``processes``)."""
    if engine == "serial":
        return SerialExecutor()
    if engine == "processes":
        return ProcessExecutor(workers)
    raise InputError("--engine", "engine", f"one of {', '.join(ENGINES)}", engine)
