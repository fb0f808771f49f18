"""Account windows: the grouped, compiled pass against a direct count of each window.

The reference below recounts every transaction's windows from the definition (quadratic, so
a few hundred rows); the compiled pass must give exactly the same values however the events
are split into buckets, runs and threads, and in any row order.
"""

from __future__ import annotations

import numpy as np
import pytest

import oclab.finint.buckets as buckets
import oclab.finint.windows as windows
from oclab.finint.windows import CASH_BIT, FIRST_BIT, NEAR_BIT, account_windows

WINDOW, STRUCTURING_WINDOW = 1440, 3 * 1440


def _inputs(rows: int, seed: int) -> tuple[np.ndarray, ...]:
    """``rows`` transactions among a dozen accounts, one of them in most of the rows (a run
    longer than :data:`buckets.INSERTION_MAX` once rows are shuffled), over four days."""
    rng = np.random.default_rng(seed)
    accounts = rng.integers(0, 2**64, 12, dtype=np.uint64)
    busy = rng.random(rows) < 0.6
    src = np.where(busy, accounts[0], accounts[rng.integers(1, 12, rows)])
    dst = accounts[rng.integers(0, 12, rows)]
    minute = np.sort(rng.integers(0, 4 * 1440, rows)).astype(np.int64)
    usd = np.round(rng.lognormal(7, 1.5, rows), 2)
    flags = rng.choice(np.array([0, CASH_BIT, CASH_BIT | NEAR_BIT, FIRST_BIT], np.uint8), rows)
    return src, dst, minute, usd, flags


def _reference(src, dst, minute, usd, flags) -> np.ndarray:
    """Every value from its definition, one transaction end at a time."""
    n = src.size
    accounts = np.concatenate([src, dst])
    minutes = np.concatenate([minute, minute])
    amounts = np.concatenate([usd, usd])
    outflow = np.arange(2 * n) < n
    event_flags = np.concatenate([flags, flags])
    out = np.zeros((18, n), dtype=np.float64)
    for end, account in ((0, src), (9, dst)):
        for i in range(n):
            mine = (accounts == account[i]) & (minutes <= minute[i])
            day = mine & (minutes > minute[i] - WINDOW)
            three_days = mine & (minutes > minute[i] - STRUCTURING_WINDOW)
            earlier = minutes[mine & (minutes < minute[i])]
            out[end : end + 9, i] = (
                (day & outflow).sum(),
                (day & ~outflow).sum(),
                amounts[day & outflow].sum(),
                amounts[day & ~outflow].sum(),
                (three_days & (event_flags & NEAR_BIT > 0)).sum(),
                (three_days & ~outflow & (event_flags & CASH_BIT > 0)).sum(),
                mine.sum(),
                (mine & (event_flags & FIRST_BIT > 0)).sum(),
                minute[i] - earlier.max() if earlier.size else -1,
            )
    return out


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("shuffled", [False, True])
@pytest.mark.parametrize(
    ("bucket_events", "chunk_min_events", "threads"),
    [(4096, 500_000, 1), (8, 100, 3), (1, 50, 8)],
)
def test_windows_equal_their_definition(
    monkeypatch, seed, shuffled, bucket_events, chunk_min_events, threads
):
    monkeypatch.setattr(buckets, "BUCKET_KEYS", bucket_events)
    monkeypatch.setattr(windows, "CHUNK_MIN_EVENTS", chunk_min_events)
    columns = _inputs(300, seed)
    if shuffled:
        order = np.random.default_rng(seed + 10).permutation(300)
        columns = tuple(c[order] for c in columns)
    values = account_windows(*columns, WINDOW, STRUCTURING_WINDOW, threads)
    assert values.dtype == np.float32
    np.testing.assert_allclose(values, _reference(*columns), rtol=1e-6, atol=1e-3)


def test_no_transactions():
    empty = (np.zeros(0, np.uint64),) * 2 + (
        np.zeros(0, np.int64),
        np.zeros(0),
        np.zeros(0, np.uint8),
    )
    assert account_windows(*empty, WINDOW, STRUCTURING_WINDOW).shape == (18, 0)
