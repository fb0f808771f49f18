"""Pair flags of each transaction: first from its sender to its receiver, reverse edge seen.

One stable sort of a key that packs the unordered pair's hash, the direction and the minute
(low bits) puts each direction of a pair in a run of its own, in time order, the two
directions side by side: a run's first row is the pair's first transaction, in any row order,
and the reverse direction's first minute is that of the neighbouring run when the two runs
differ only in the direction bit. Building the key, the sort (the two-level counting sort of
:mod:`oclab.finint.buckets`, stable) and the walk over the runs are compiled passes (numba):
both directions of a pair share their top key bits, so each bucket is walked as soon as it is
sorted, while it is in cache. On 5 M rows ``pair_flags`` takes 0.26-0.50 s on one thread
(it runs beside other work), against 0.37-0.53 s with Polars' stable sort on two.

The pair hash keeps ``63 - minute bits`` bits: about P**2 / 2**(64 - minute bits) colliding
pairs expected for P pairs (0.02 for 5 M pairs over ten days, 1.4 over a year; a collision
merges two pairs' runs, so one of them loses its "first" flag and its reverse may be misread).
"""

from __future__ import annotations

import numba
import numpy as np

from oclab.finint import buckets
from oclab.finint.buckets import order_bucket, scratch

#: Odd 64-bit multipliers (golden ratio; xxHash's PRIME64_2) that mix account keys.
MIX_1 = 0x9E3779B97F4A7C15
MIX_2 = 0xC2B2AE3D27D4EB4F

_MIX = (np.uint64(MIX_1), np.uint64(MIX_2))
_ONE = np.uint64(1)
_U64 = numba.types.Array(numba.uint64, 1, "C", readonly=True)
_I64 = numba.types.Array(numba.int64, 1, "C", readonly=True)


@numba.njit(numba.uint64[::1](_U64, _U64, _I64, numba.int64), cache=True, nogil=True)
def _pair_keys(
    src: np.ndarray, dst: np.ndarray, minute: np.ndarray, minute_bits: int
) -> np.ndarray:
    """Each row's sort key: pair hash, then the direction bit, then the minute."""
    # Every operand is uint64: numba would take uint64 mixed with int64 to float64.
    low, direction_bit = np.uint64(minute_bits + 1), np.uint64(1 << minute_bits)
    key = np.empty(src.size, dtype=np.uint64)
    for i in range(src.size):
        a, b = src[i], dst[i]
        pair = min(a, b) * _MIX[0] + max(a, b) * _MIX[1]  # wraps modulo 2**64
        key[i] = pair >> low << low | np.uint64(minute[i])
        if a > b:
            key[i] |= direction_bit
    return key


@numba.njit(nogil=True)
def _walk_runs(
    key: np.ndarray,
    order: np.ndarray,
    n: int,
    minute_bits: int,
    first: np.ndarray,
    seen: np.ndarray,
) -> None:
    """Set ``first`` and ``seen`` (by row) from the ``n`` sorted keys and their rows ``order``
    (both directions of every pair among them)."""
    shift = np.uint64(minute_bits)
    minute_mask = np.uint64((1 << minute_bits) - 1)
    never = ~np.uint64(0)
    previous_run = never
    previous_first_minute = never
    i = 0
    while i < n:
        run = key[i] >> shift
        j = i + 1
        while j < n and key[j] >> shift == run:
            j += 1
        first[order[i]] = True
        first_minute = key[i] & minute_mask
        # The reverse direction is the neighbouring run that differs in the direction bit only.
        reverse_first = never
        if run & _ONE == 0:
            if j < n and key[j] >> shift == run + _ONE:
                reverse_first = key[j] & minute_mask
        elif previous_run == run - _ONE:
            reverse_first = previous_first_minute
        for q in range(i, j):
            seen[order[q]] = reverse_first <= key[q] & minute_mask
        previous_run, previous_first_minute = run, first_minute
        i = j


@numba.njit(numba.void(_U64, numba.uint64, numba.int64[::1]), cache=True, nogil=True)
def _count_buckets(key: np.ndarray, shift: int, counts: np.ndarray) -> None:
    """Add each key to ``counts`` by bucket (its top bits: ``key >> 1 >> shift``)."""
    for k in key:
        counts[k >> _ONE >> shift] += 1


@numba.njit(
    numba.void(_U64, numba.uint64, numba.int64[::1], numba.uint64[::1], numba.uint32[::1]),
    cache=True,
    nogil=True,
)
def _scatter_keys(
    key: np.ndarray, shift: int, position: np.ndarray, bucketed: np.ndarray, row: np.ndarray
) -> None:
    """Write each key and its row at its bucket's next ``position`` (stable)."""
    for i in range(key.size):
        b = key[i] >> _ONE >> shift
        p = position[b]
        position[b] = p + 1
        bucketed[p], row[p] = key[i], i


@numba.njit(
    numba.void(
        numba.int64[::1],
        numba.uint64,
        numba.uint64,
        numba.uint64[::1],
        numba.uint32[::1],
        numba.int64,
        numba.bool_[::1],
        numba.bool_[::1],
    ),
    cache=True,
    nogil=True,
)
def _bucket_flags(
    starts: np.ndarray,
    shift: int,
    run_bits: int,
    key: np.ndarray,
    row: np.ndarray,
    minute_bits: int,
    first: np.ndarray,
    seen: np.ndarray,
) -> None:
    """Sort each bucket of the scattered keys and walk its runs (see :func:`_walk_runs`)."""
    local_key, local_index, position = scratch(key, starts, 0, starts.size - 1, run_bits)
    local_row = np.empty(local_key.size, np.uint32)
    for b in range(starts.size - 1):
        lo, hi = starts[b], starts[b + 1]
        order_bucket(key, lo, hi, shift, run_bits, position, local_key, local_index)
        for q in range(hi - lo):
            local_row[q] = row[lo + local_index[q]]
        _walk_runs(local_key, local_row, hi - lo, minute_bits, first, seen)


def pair_flags(
    src: np.ndarray, dst: np.ndarray, minute: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(first transaction from sender to receiver, reverse edge seen at or before it).

    ``src`` and ``dst`` are 64-bit account keys and ``minute`` the minute of each row
    (non-negative). "First" is in time: the earliest minute, same-minute ties by row order. A
    self-transfer never counts as its own reverse.
    """
    n = src.size
    first, seen = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    if n == 0:
        return first, seen
    minute_bits = max(int(minute.max()), 1).bit_length()
    key = _pair_keys(src, dst, minute, minute_bits)
    bucket_bits, run_bits = buckets.levels(n, 64)
    # Bucket b is key >> (64 - bucket_bits), written as two shifts: one by 64 is undefined.
    shift = np.uint64(63 - bucket_bits)
    counts = np.zeros((1, 1 << bucket_bits), dtype=np.int64)
    _count_buckets(key, shift, counts[0])
    starts, position = buckets.layout(counts)
    bucketed, row = np.empty(n, np.uint64), np.empty(n, np.uint32)
    _scatter_keys(key, shift, position[0], bucketed, row)
    del key
    run_shift = np.uint64(64 - bucket_bits - run_bits)
    _bucket_flags(starts, run_shift, np.uint64(run_bits), bucketed, row, minute_bits, first, seen)
    seen &= src != dst
    return first, seen
