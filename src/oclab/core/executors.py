"""Executors: run a function over chunks of work, serially, in a pool of processes or on Dask.

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
from typing import Any, Protocol, TypeVar

from oclab.errors import InputError

T = TypeVar("T")
R = TypeVar("R")
ENGINES: tuple[str, ...] = ("serial", "processes", "dask")
#: How long to wait for an existing Dask scheduler before calling it unreachable.
CONNECT_TIMEOUT_S = 10.0
#: Dask settings for local worker processes (see :meth:`DaskExecutor.__enter__`).
MALLOC_THRESHOLDS: dict[str, int] = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": 2**30,
    "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": 2**25,  # glibc's maximum
}


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
    of Polars and BLAS in whatever state they are, which can deadlock the child. Entering an
    executor that is already entered reuses its workers (the outer ``with`` shuts them down).
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None
        self._depth = 0

    def map(self, fn: Callable[[T], R], chunks: Iterable[T]) -> Iterator[R]:
        if self._pool is None:
            raise RuntimeError("ProcessExecutor must be used as a context manager")
        return self._pool.map(fn, chunks)

    def __enter__(self) -> ProcessExecutor:
        self._depth += 1
        if self._pool is None:  # re-entering a started executor reuses its workers
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("forkserver")
            )
        return self

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth == 0 and self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


class DaskExecutor:
    """Runs chunks on a Dask distributed cluster: a local one, or an existing scheduler.

    Without ``address`` a :class:`~distributed.LocalCluster` of ``workers`` single-threaded
    worker processes is started (threads instead with ``processes=False``, which tests use);
    with ``address`` (``tcp://HOST:PORT``, e.g. a scheduler started by dask-jobqueue) the
    client connects to it and starts nothing. Results are gathered in submission order, and
    each chunk carries its own seed, so results equal those of the other executors. An
    address that does not answer within ``connect_timeout_s`` (default
    :data:`CONNECT_TIMEOUT_S`) is an :class:`~oclab.errors.InputError`.
    """

    def __init__(
        self,
        workers: int | None = None,
        address: str | None = None,
        *,
        processes: bool = True,
        connect_timeout_s: float | None = None,
    ) -> None:
        if address is not None and not _looks_like_address(address):
            raise InputError("--address", "address", "a scheduler address tcp://HOST:PORT", address)
        self.workers = workers or os.cpu_count() or 1
        self.address = address
        self.processes = processes
        self.connect_timeout_s = connect_timeout_s
        self._client: Any = None
        self._cluster: Any = None
        self._depth = 0

    def map(self, fn: Callable[[T], R], chunks: Iterable[T]) -> Iterator[R]:
        if self._client is None:
            raise RuntimeError("DaskExecutor must be used as a context manager")
        futures = self._client.map(fn, list(chunks), pure=False)
        return self._gather_in_order(futures)

    @staticmethod
    def _gather_in_order(futures: list[Any]) -> Iterator[Any]:
        for k in range(len(futures)):
            # Drop each future once read, so the cluster can free the chunk's result.
            future, futures[k] = futures[k], None
            yield future.result()

    def __enter__(self) -> DaskExecutor:
        # distributed is imported here: it is heavy, and only this engine needs it.
        from distributed import Client, LocalCluster

        self._depth += 1
        if self._client is not None:  # re-entering a started executor reuses its cluster
            return self
        if self.address is None:
            import dask

            # Dask's nanny sets MALLOC_TRIM_THRESHOLD_=64 KiB in its workers, which turns off
            # glibc's adaptive thresholds: every batch-sized array is then mmap'd and unmapped
            # again, and the model ran 3-5x slower than in a process pool (measured). Larger
            # fixed thresholds keep such arrays on the reused heap.
            with dask.config.set(MALLOC_THRESHOLDS):
                self._cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=self.processes,
                    dashboard_address=":0",  # any free port: never clash with another cluster
                )
            self._client = Client(self._cluster)
            return self
        try:
            timeout = self.connect_timeout_s or CONNECT_TIMEOUT_S
            self._client = Client(self.address, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            self._depth -= 1
            raise InputError(
                "--address", "address", "a reachable Dask scheduler", f"{self.address} ({exc})"
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth > 0:
            return
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def _looks_like_address(address: str) -> bool:
    scheme, sep, rest = address.partition("://")
    host, colon, port = rest.rpartition(":")
    return bool(sep and scheme and host and colon and port.isdigit())


def make_executor(engine: str, workers: int | None = None, address: str | None = None) -> Executor:
    """The executor called ``engine`` (``serial``, ``processes`` or ``dask``).

    ``address`` (only with ``dask``) is an existing scheduler to use instead of a local cluster.
    """
    if address is not None and engine != "dask":
        raise InputError("--address", "address", "--engine dask (an address needs Dask)", engine)
    if engine == "serial":
        return SerialExecutor()
    if engine == "processes":
        return ProcessExecutor(workers)
    if engine == "dask":
        return DaskExecutor(workers, address)
    raise InputError("--engine", "engine", f"one of {', '.join(ENGINES)}", engine)
