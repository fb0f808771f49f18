"""Pair flags: a pair's first transaction in time, and whether the reverse edge came first."""

from __future__ import annotations

import numpy as np
import pytest

import oclab.finint.buckets as buckets
from oclab.finint.pairs import pair_flags

A, B, C = (np.uint64(k) for k in (0xA1, 0xB2 << 40, 0xC << 60))
#: (sender, receiver, minute): B->A precedes A->B; row 2 ties row 0; row 3 is a self-transfer.
ROWS = [(A, B, 5), (B, A, 3), (A, B, 5), (A, A, 1), (C, B, 7)]
FIRST = [True, True, False, True, True]
SEEN = [True, False, True, False, False]


def _flags(rows):
    src, dst, minute = (np.array(column) for column in zip(*rows, strict=True))
    return pair_flags(src.astype(np.uint64), dst.astype(np.uint64), minute.astype(np.int64))


def test_first_is_the_earliest_and_ties_go_to_the_earlier_row():
    first, seen = _flags(ROWS)
    assert first.tolist() == FIRST
    assert seen.tolist() == SEEN


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_row_order_only_breaks_same_minute_ties(seed):
    order = np.random.default_rng(seed).permutation(len(ROWS))
    first, seen = _flags([ROWS[i] for i in order])
    assert seen.tolist() == [SEEN[i] for i in order]
    # Rows 0 and 2 are the same pair in the same minute: whichever comes first in the file.
    tied = [i for i in order if i in (0, 2)]
    expected = [FIRST[i] if i not in (0, 2) else i == tied[0] for i in order]
    assert first.tolist() == expected


def test_no_rows():
    first, seen = pair_flags(*(np.zeros(0, np.uint64),) * 2, np.zeros(0, np.int64))
    assert first.size == seen.size == 0


def _reference(src, dst, minute):
    """Both flags from their definitions, row by row (quadratic)."""
    rows = np.arange(src.size)
    first = np.zeros(src.size, dtype=bool)
    seen = np.zeros(src.size, dtype=bool)
    for i in rows:
        same = (src == src[i]) & (dst == dst[i])
        earlier = (minute < minute[i]) | ((minute == minute[i]) & (rows < i))
        first[i] = not (same & earlier).any()
        reverse = (src == dst[i]) & (dst == src[i]) & (minute <= minute[i])
        seen[i] = src[i] != dst[i] and reverse.any()
    return first, seen


@pytest.mark.parametrize("bucket_keys", [4096, 16, 1])
@pytest.mark.parametrize("seed", [0, 1])
def test_flags_equal_their_definition_in_any_bucketing(monkeypatch, bucket_keys, seed):
    """Many repeated pairs (runs longer than the insertion sort's) in random row order."""
    monkeypatch.setattr(buckets, "BUCKET_KEYS", bucket_keys)
    rng = np.random.default_rng(seed)
    accounts = rng.integers(0, 2**64, 3, dtype=np.uint64)  # about 44 rows a direction
    src, dst = accounts[rng.integers(0, 3, (2, 400))]
    minute = rng.integers(0, 50, 400).astype(np.int64)
    first, seen = pair_flags(src, dst, minute)
    expected_first, expected_seen = _reference(src, dst, minute)
    assert first.tolist() == expected_first.tolist()
    assert seen.tolist() == expected_seen.tolist()
