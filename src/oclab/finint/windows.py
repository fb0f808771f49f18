"""Per-account window features: events grouped by (account, minute), then one compiled pass.

Each transaction is two events, its sender's outflow and its receiver's inflow, keyed by the
account's hash bits above the minute (:func:`_event_key`). The events are put in key order by
a two-level counting sort (most significant bits first): one pass scatters them into buckets
by the top bits of the key, then each bucket, a few thousand events that stay in the CPU
cache, is spread by the next bits into runs of a few events that are sorted in place, and
the window pass runs over it at once. Accounts never cross buckets (a bucket is a range of
account hashes), so buckets are independent and spread over threads.

The window pass is one forward pass with two trailing pointers that keeps every window's
running counts and sums: the 24 h window (counts and dollars each way), the 72 h window
(near-threshold cash, cash inflows) and the account's history so far (events, new partners,
minutes since its previous minute). Each event's nine values are written straight to its
transaction's row, so there is no gather back to transaction order.

Why compiled loops (numba) and not Polars: the same features as three Polars rolling
contexts, the flag and position arrays they need and eighteen gathers back to transaction
order took about 3 s for the 10 M events of a 5 M-row data set on two cores; this pass takes
about 1 s and gives the same values. A two-pointer window is a loop that array expressions
can only state by materialising its bounds, sums and gathers as arrays of their own. The
grouping is a counting sort rather than Polars' general sort of the 10 M keys with their
payload (0.9-1.9 s on two cores, about 0.3-0.8 s here) because the key's top bits are a
uniform hash, so buckets by those bits are even, and because AMLworld exports are close to
time order, so a bucket's runs are mostly sorted already. The kernels are compiled once,
cached on disk (``cache=True``) and loaded at import; they release the GIL.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np

from oclab.finint import buckets
from oclab.finint.buckets import order_bucket, scratch

#: Values per end of a transaction, in the order of ``features.ACCOUNT_FEATURES``.
VALUES_PER_END = 9
#: Bits of an event's ``flags``: outflow, cash, near-threshold cash, first of its pair.
OUT_BIT, CASH_BIT, NEAR_BIT, FIRST_BIT = 1, 2, 4, 8
#: Fewest events per thread: smaller inputs run on one thread (on 10 M events the whole
#: grouping and pass take about a second, so a part below this is a few tens of milliseconds).
CHUNK_MIN_EVENTS = 500_000

_U64 = numba.types.Array(numba.uint64, 1, "C", readonly=True)
_I64 = numba.types.Array(numba.int64, 1, "C", readonly=True)
_F64 = numba.types.Array(numba.float64, 1, "C", readonly=True)
_U8 = numba.types.Array(numba.uint8, 1, "C", readonly=True)
_EVENTS = (numba.int64[::1], numba.uint8[::1], numba.float64[::1], numba.uint32[::1])


@numba.njit(numba.int64(numba.uint64, numba.int64, numba.int64), cache=True, nogil=True)
def _event_key(account: int, minute: int, bits: int) -> int:
    """The account's top ``63 - bits`` hash bits above the minute's ``bits`` (non-negative).

    Two accounts share a key prefix only on a hash collision of those bits: about
    A**2 / 2**(64 - bits) colliding pairs expected for A accounts (0.004 for 2 M accounts over
    ten days, 0.2 over a year; a collision merges the two accounts' windows).
    """
    return np.int64(account >> np.uint64(bits + 1) << np.uint64(bits)) | minute


@numba.njit(
    numba.void(
        _U64, _U64, _I64, numba.int64, numba.int64, numba.int64, numba.int64, numba.int64[::1]
    ),
    cache=True,
    nogil=True,
)
def _count_buckets(
    src: np.ndarray,
    dst: np.ndarray,
    minute: np.ndarray,
    bits: int,
    shift: int,
    lo: int,
    hi: int,
    counts: np.ndarray,
) -> None:
    """Add the events of transactions ``lo:hi`` to ``counts`` by bucket (key >> ``shift``)."""
    for i in range(lo, hi):
        counts[_event_key(src[i], minute[i], bits) >> shift] += 1
        counts[_event_key(dst[i], minute[i], bits) >> shift] += 1


@numba.njit(
    numba.void(
        _U64,
        _U64,
        _I64,
        _F64,
        _U8,
        numba.int64,
        numba.int64,
        numba.int64,
        numba.int64,
        numba.int64[::1],
        *_EVENTS,
    ),
    cache=True,
    nogil=True,
)
def _scatter_events(
    src: np.ndarray,
    dst: np.ndarray,
    minute: np.ndarray,
    usd: np.ndarray,
    flags: np.ndarray,
    bits: int,
    shift: int,
    lo: int,
    hi: int,
    position: np.ndarray,
    key: np.ndarray,
    event_flags: np.ndarray,
    event_usd: np.ndarray,
    event: np.ndarray,
) -> None:
    """Write the events of transactions ``lo:hi`` at their buckets' next ``position``.

    A transaction's outflow is event i, its inflow event n + i. Within a bucket the events
    keep row order, so rows in time order give runs in time order.
    """
    n = src.size
    for i in range(lo, hi):
        k = _event_key(src[i], minute[i], bits)
        p = position[k >> shift]
        position[k >> shift] = p + 1
        key[p], event_flags[p], event_usd[p], event[p] = k, flags[i] | OUT_BIT, usd[i], i
        k = _event_key(dst[i], minute[i], bits)
        p = position[k >> shift]
        position[k >> shift] = p + 1
        key[p], event_flags[p], event_usd[p], event[p] = k, flags[i], usd[i], n + i


@numba.njit(nogil=True)  # compiled into _bucket_windows, its only caller
def _span_windows(
    key: np.ndarray,
    flags: np.ndarray,
    usd: np.ndarray,
    event: np.ndarray,
    size: int,
    bits: int,
    window: int,
    structuring_window: int,
    out: np.ndarray,
) -> None:
    """Fill ``out`` (18 x transactions) for the first ``size`` events, sorted by key (whole
    accounts: a bucket)."""
    n = out.shape[1]
    minute_mask = (np.int64(1) << bits) - 1
    start_24h = start_72h = 0
    n_24h = out_24h = 0
    usd_24h = usd_out_24h = 0.0
    near_72h = cash_in_72h = 0
    so_far = partners = 0
    account = previous_minute = -1
    since_last = -1
    i = 0
    while i < size:
        k = key[i]
        minute = k & minute_mask
        if k >> bits != account:
            account = k >> bits
            start_24h = start_72h = i
            n_24h = out_24h = near_72h = cash_in_72h = so_far = partners = 0
            usd_24h = usd_out_24h = 0.0
            since_last = -1
        else:
            since_last = minute - previous_minute
        previous_minute = minute
        # Events of the same minute are simultaneous: add them all, then write them all.
        j = i
        while j < size and key[j] == k:
            f = flags[j]
            is_out = f & OUT_BIT
            n_24h += 1
            out_24h += is_out
            usd_24h += usd[j]
            if is_out:
                usd_out_24h += usd[j]
            if f & NEAR_BIT:
                near_72h += 1
            if f & CASH_BIT and not is_out:
                cash_in_72h += 1
            so_far += 1
            partners += (f & FIRST_BIT) != 0
            j += 1
        # Windows are closed on the right: (minute - width, minute].
        while key[start_24h] <= k - window:
            f = flags[start_24h]
            n_24h -= 1
            out_24h -= f & OUT_BIT
            usd_24h -= usd[start_24h]
            if f & OUT_BIT:
                usd_out_24h -= usd[start_24h]
            start_24h += 1
        while key[start_72h] <= k - structuring_window:
            f = flags[start_72h]
            if f & NEAR_BIT:
                near_72h -= 1
            if f & CASH_BIT and not f & OUT_BIT:
                cash_in_72h -= 1
            start_72h += 1
        in_24h = n_24h - out_24h
        # An empty side is exactly 0 (a running sum leaves residues of about 1e-13).
        usd_out = usd_out_24h if out_24h > 0 else 0.0
        usd_in = usd_24h - usd_out_24h if in_24h > 0 else 0.0
        for q in range(i, j):
            e = event[q]
            row, column = (e - n, VALUES_PER_END) if e >= n else (e, 0)
            out[column, row] = out_24h
            out[column + 1, row] = in_24h
            out[column + 2, row] = usd_out
            out[column + 3, row] = usd_in
            out[column + 4, row] = near_72h
            out[column + 5, row] = cash_in_72h
            out[column + 6, row] = so_far
            out[column + 7, row] = partners
            out[column + 8, row] = since_last
        i = j


@numba.njit(
    numba.void(
        numba.int64[::1],
        numba.int64,
        numba.int64,
        numba.int64,
        numba.int64,
        *_EVENTS,
        numba.int64,
        numba.int64,
        numba.int64,
        numba.float32[:, ::1],
    ),
    cache=True,
    nogil=True,
)
def _bucket_windows(
    starts: np.ndarray,
    first: int,
    last: int,
    shift: int,
    run_bits: int,
    key: np.ndarray,
    flags: np.ndarray,
    usd: np.ndarray,
    event: np.ndarray,
    bits: int,
    window: int,
    structuring_window: int,
    out: np.ndarray,
) -> None:
    """Sort each bucket ``first:last`` of the scattered events, then run the window pass on it.

    Bucket b holds events ``starts[b]:starts[b + 1]``; :func:`~oclab.finint.buckets.order_bucket`
    sorts it by key (its ``run_bits`` bits above ``shift``, then whole keys) into buffers the
    size of the largest bucket, and the events' flags, dollars and numbers follow.
    """
    local_key, local_index, position = scratch(key, starts, first, last, run_bits)
    local_flags = np.empty(local_key.size, np.uint8)
    local_usd = np.empty(local_key.size, np.float64)
    local_event = np.empty(local_key.size, np.uint32)
    for b in range(first, last):
        lo, hi = starts[b], starts[b + 1]
        if lo == hi:
            continue
        order_bucket(key, lo, hi, shift, run_bits, position, local_key, local_index)
        for q in range(hi - lo):
            i = lo + local_index[q]
            local_flags[q], local_usd[q], local_event[q] = flags[i], usd[i], event[i]
        _span_windows(
            local_key,
            local_flags,
            local_usd,
            local_event,
            hi - lo,
            bits,
            window,
            structuring_window,
            out,
        )


def account_windows(
    src: np.ndarray,
    dst: np.ndarray,
    minute: np.ndarray,
    usd: np.ndarray,
    flags: np.ndarray,
    window: int,
    structuring_window: int,
    threads: int = 1,
) -> np.ndarray:
    """Window features of both ends of each transaction, as a float32 array (18, n).

    Per transaction: ``src`` and ``dst`` 64-bit account keys, ``minute`` (non-negative int64),
    ``usd`` (float64) and ``flags`` (uint8: :data:`CASH_BIT`, :data:`NEAR_BIT`, and
    :data:`FIRST_BIT` for the first transaction from its sender to its receiver). Rows 0-8 of
    the result are the sender's values, rows 9-17 the receiver's, each in the order of
    ``features.ACCOUNT_FEATURES``; a transaction's values count the events of its account up to
    and including its minute.
    """
    n = src.size
    out = np.empty((2 * VALUES_PER_END, n), dtype=np.float32)
    if n == 0:
        return out
    bits = max(int(minute.max()), 1).bit_length()
    bucket_bits, run_bits = buckets.levels(2 * n, 63)
    shift = 63 - bucket_bits
    parts = max(1, min(threads, 2 * n // CHUNK_MIN_EVENTS))
    rows = [(p, *r) for p, r in enumerate(buckets.even_parts(n, parts))]
    counts = np.zeros((parts, 1 << bucket_bits), dtype=np.int64)
    events = (
        np.empty(2 * n, np.int64),
        np.empty(2 * n, np.uint8),
        np.empty(2 * n, np.float64),
        np.empty(2 * n, np.uint32),
    )
    with ThreadPoolExecutor(max_workers=parts) as pool:
        buckets.run_each(
            pool,
            lambda p, lo, hi: _count_buckets(src, dst, minute, bits, shift, lo, hi, counts[p]),
            rows,
        )
        starts, position = buckets.layout(counts)
        buckets.run_each(
            pool,
            lambda p, lo, hi: _scatter_events(
                src, dst, minute, usd, flags, bits, shift, lo, hi, position[p], *events
            ),
            rows,
        )
        buckets.run_each(
            pool,
            lambda first, last: _bucket_windows(
                starts,
                first,
                last,
                shift - run_bits,
                run_bits,
                *events,
                bits,
                window,
                structuring_window,
                out,
            ),
            buckets.bucket_parts(starts, parts),
        )
    return out
