"""A two-level counting sort by key (most significant bits first), one bucket at a time.

The first level spreads the keys into buckets by their top bits; its caller writes that
scatter, because each caller makes its keys on the fly from other columns. The second level,
:func:`order_bucket`, spreads one bucket (a few thousand keys that stay in the CPU cache) by
its next bits into runs of a few keys and sorts each run, so the caller can pass over the
bucket in key order while it is still in cache. Both levels are stable, so equal keys keep
the order they had in the input.

Why not a library sort: Polars' multi-threaded sort of the 10 M account-event keys of a 5 M
row data set, with their payload, took 0.9-1.9 s on two cores; this takes 0.3-0.8 s, because
the keys' top bits are a uniform hash (buckets by those bits are even) and because
AMLworld exports are close to time order, so most runs arrive sorted. Buckets are independent,
so callers spread them over threads (the kernels release the GIL).

The helpers here have no signature of their own: each is compiled into the cached kernels of
:mod:`~oclab.finint.windows` and :mod:`~oclab.finint.pairs` that call it. numba's disk cache
checks only the kernel's own file, so after editing this module clear those caches (their
``__pycache__``; the tests use a cache of their own, see ``tests/conftest.py``).

    >>> import numpy as np
    >>> keys = np.array([5, 3, 9, 3, 1], dtype=np.int64)
    >>> local_key, local_index = np.empty(5, np.int64), np.empty(5, np.uint32)
    >>> order_bucket(keys, 0, 5, 2, 2, np.empty(5, np.int64), local_key, local_index)
    >>> local_key.tolist(), local_index.tolist()
    ([1, 3, 3, 5, 9], [4, 1, 3, 0, 2])
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from concurrent.futures import Executor

import numba
import numpy as np

#: Average keys per bucket of the first level: a bucket and what its caller carries with it
#: (about 20 bytes a key) stay in a core's L2 cache.
BUCKET_KEYS = 4096
#: Runs of the second level up to this length are sorted by insertion, longer ones (a busy
#: account's many events, or rows far out of time order) by a merge sort.
INSERTION_MAX = 32


def levels(keys: int, key_bits: int) -> tuple[int, int]:
    """Bits of the two levels for ``keys`` keys of ``key_bits`` bits (buckets of about
    :data:`BUCKET_KEYS` keys, then runs of a few)."""
    bucket_bits = min(24, (keys // BUCKET_KEYS).bit_length())
    run_bits = min(key_bits - bucket_bits, max(1, min(keys, BUCKET_KEYS).bit_length()))
    return bucket_bits, run_bits


def layout(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bucket starts and each part's first write position per bucket.

    ``counts[p, b]`` is how many keys of part ``p`` of the input fall in bucket ``b``. Returns
    ``starts`` (bucket b is ``starts[b]:starts[b + 1]`` of the output) and ``position``
    (part p writes its keys of bucket b from ``position[p, b]`` on, after those of the parts
    before it, which keeps the scatter stable).
    """
    starts = np.zeros(counts.shape[1] + 1, dtype=np.int64)
    np.cumsum(counts.sum(axis=0), out=starts[1:])
    position = starts[:-1] + np.cumsum(counts, axis=0) - counts
    return starts, np.ascontiguousarray(position)


def even_parts(total: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` contiguous ranges splitting ``range(total)`` evenly."""
    return list(itertools.pairwise(total * p // parts for p in range(parts + 1)))


def bucket_parts(starts: np.ndarray, parts: int) -> list[tuple[int, int]]:
    """``parts`` contiguous ranges of buckets holding about as many keys each."""
    total = int(starts[-1])
    cuts = np.searchsorted(starts, [total * p // parts for p in range(parts)] + [total + 1])
    cuts[-1] = starts.size - 1
    return [(int(lo), int(hi)) for lo, hi in itertools.pairwise(cuts)]


def run_each(pool: Executor, task: Callable[..., None], arguments: list[tuple]) -> None:
    """``task(*a)`` for each ``a`` of ``arguments`` on ``pool``, until all are done."""
    list(pool.map(lambda a: task(*a), arguments))


@numba.njit(nogil=True)
def scratch(
    key: np.ndarray, starts: np.ndarray, first: int, last: int, run_bits: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Buffers for :func:`order_bucket` over the buckets ``first:last`` of ``key``: the local
    keys and their offsets (the size of the largest bucket) and the run positions."""
    size = 0
    for b in range(first, last):
        size = max(size, starts[b + 1] - starts[b])
    position = np.empty((1 << run_bits) + 1, np.int64)
    return np.empty_like(key[:size]), np.empty(size, np.uint32), position


@numba.njit(nogil=True)
def order_bucket(
    key: np.ndarray,
    lo: int,
    hi: int,
    shift: int,
    run_bits: int,
    position: np.ndarray,
    local_key: np.ndarray,
    local_index: np.ndarray,
) -> None:
    """Sort ``key[lo:hi]`` into ``local_key[:hi - lo]``, with each key's offset from ``lo`` in
    ``local_index`` (stable).

    The keys of a bucket share their bits above ``shift + run_bits``; they are spread by the
    ``run_bits`` bits below those into runs, then each run is
    sorted. ``position`` is scratch space of at least ``2**run_bits + 1`` integers. Generic
    over integer key types: it is compiled into each kernel that calls it (``shift`` must have
    the keys' type).
    """
    mask = (1 << run_bits) - 1
    runs = mask + 1
    position[: runs + 1] = 0
    for i in range(lo, hi):
        position[((key[i] >> shift) & mask) + 1] += 1
    for run in range(1, runs + 1):
        position[run] += position[run - 1]
    for i in range(lo, hi):
        run = (key[i] >> shift) & mask
        p = position[run]
        position[run] = p + 1
        local_key[p] = key[i]
        local_index[p] = i - lo
    # position[run] is now the end of each run.
    start = 0
    for run in range(runs):
        end = position[run]
        if end - start > 1:
            _sort_run(local_key, local_index, start, end)
        start = end


@numba.njit(nogil=True)
def _sort_run(key: np.ndarray, index: np.ndarray, lo: int, hi: int) -> None:
    """Sort ``key[lo:hi]`` and ``index`` with it, stably (insertion or merge sort)."""
    i = lo + 1
    while i < hi and key[i - 1] <= key[i]:
        i += 1
    if i >= hi:
        return
    if hi - lo > INSERTION_MAX:
        order = np.argsort(key[lo:hi], kind="mergesort")
        key[lo:hi] = key[lo:hi][order]
        index[lo:hi] = index[lo:hi][order]
        return
    for i in range(lo + 1, hi):
        k, e = key[i], index[i]
        j = i - 1
        while j >= lo and key[j] > k:
            key[j + 1], index[j + 1] = key[j], index[j]
            j -= 1
        key[j + 1], index[j + 1] = k, e
