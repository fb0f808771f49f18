"""The fast (Polars rolling-window) features equal a plain per-row reference on small data.

The reference below follows the feature definitions literally — one Python loop over each
transaction and each of its two accounts, accounts identified by (bank, account id) text, no
hashing, no sorting tricks — so it checks the composite keys, the window edges, same-minute ties,
self-transactions and chunking of :mod:`oclab.finint.features`.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from oclab.finint import io
from oclab.finint.features import (
    ACCOUNT_FEATURES,
    NEAR_LOW,
    STRUCTURING_WINDOW_MIN,
    WINDOW_MIN,
    build_features,
)

#: Dollar sums are float64 running sums stored as float32: they may differ from an exact sum by
#: a float32 rounding step (relative 2**-22) or by float64 cancellation left over from large
#: amounts that left the window (absolute, far below a cent). Counts and minutes must be equal.
USD_RTOL = 2.0**-22
USD_ATOL = 1e-3


def _reference(tx: pl.DataFrame, threshold: float = 10_000.0) -> dict[str, np.ndarray]:
    """Account features and ``reverse_seen`` straight from their definitions."""
    rows = tx.with_columns(
        minute=(pl.col("ts") - pl.col("ts").min()).dt.total_minutes(),
        rate=pl.col("payment_currency").cast(pl.String).replace_strict(io.USD_PER_UNIT),
    ).to_dicts()
    n = len(rows)
    src = [(r["from_bank"], r["from_account"]) for r in rows]
    dst = [(r["to_bank"], r["to_account"]) for r in rows]
    usd = [r["amount_paid"] * r["rate"] for r in rows]
    cash = [r["payment_format"] == "Cash" for r in rows]
    near = [c and NEAR_LOW * threshold <= u < threshold for c, u in zip(cash, usd, strict=True)]
    minute = [r["minute"] for r in rows]
    # A pair's first transaction is its earliest (same-minute ties: the earlier row).
    earliest: dict[tuple, int] = {}
    for i in sorted(range(n), key=lambda i: (minute[i], i)):
        earliest.setdefault((src[i], dst[i]), i)
    first_pair = [earliest[(src[i], dst[i])] == i for i in range(n)]
    # Every account's events (minute, is outflow, transaction), in time order.
    events: dict[tuple, list[tuple[int, bool, int]]] = defaultdict(list)
    for i in range(n):
        events[src[i]].append((minute[i], True, i))
        events[dst[i]].append((minute[i], False, i))
    for account in events.values():
        account.sort()
    result = {f"{end}_{name}": np.zeros(n) for end in ("src", "dst") for name in ACCOUNT_FEATURES}
    for i in range(n):
        t = minute[i]
        for end, account in (("src", src[i]), ("dst", dst[i])):
            history = events[account]
            upto = history[: bisect.bisect_right(history, (t, True, n))]
            day = [e for e in upto if e[0] > t - WINDOW_MIN]
            three = [e for e in upto if e[0] > t - STRUCTURING_WINDOW_MIN]
            earlier = [e[0] for e in upto if e[0] < t]
            values = {
                "n_out_24h": sum(e[1] for e in day),
                "n_in_24h": sum(not e[1] for e in day),
                "usd_out_24h": math.fsum(usd[e[2]] for e in day if e[1]),
                "usd_in_24h": math.fsum(usd[e[2]] for e in day if not e[1]),
                "near_cash_72h": sum(near[e[2]] for e in three),
                "cash_in_72h": sum(cash[e[2]] and not e[1] for e in three),
                "events_so_far": len(upto),
                "partners_so_far": sum(first_pair[e[2]] for e in upto),
                "minutes_since_last": t - max(earlier) if earlier else -1,
            }
            for name, value in values.items():
                result[f"{end}_{name}"][i] = value
    first_seen = {pair: minute[i] for pair, i in earliest.items()}
    result["reverse_seen"] = np.array(
        [
            src[i] != dst[i] and first_seen.get((dst[i], src[i]), math.inf) <= minute[i]
            for i in range(n)
        ]
    )
    return result


def _assert_matches(features: pl.DataFrame, reference: dict[str, np.ndarray]) -> None:
    for name, expected in reference.items():
        got = features[name].to_numpy().astype(np.float64)
        if "usd" in name:
            np.testing.assert_allclose(got, expected, rtol=USD_RTOL, atol=USD_ATOL, err_msg=name)
        else:
            np.testing.assert_array_equal(got, expected.astype(np.float64), err_msg=name)


def _edge_cases() -> pl.DataFrame:
    """Same-minute ties, exact window edges, self-transfers, reverse edges, same account id at
    two banks, near-threshold cash, and a currency other than dollars."""
    start = datetime(2022, 9, 1)
    day, three = WINDOW_MIN, STRUCTURING_WINDOW_MIN
    spec = [
        # minute, from bank, from, to bank, to, amount, currency, format
        (0, 1, "A", 1, "B", 100.0, "US Dollar", "ACH"),
        (0, 1, "A", 1, "B", 50.0, "US Dollar", "ACH"),  # tie: same pair, same minute
        (0, 1, "B", 1, "A", 9_000.0, "US Dollar", "Cash"),  # reverse at the same minute
        (5, 2, "A", 1, "A", 7.0, "Euro", "Wire"),  # "A" at bank 2 is another account
        (5, 1, "A", 1, "A", 9_500.0, "US Dollar", "Cash"),  # self-transfer
        (day - 1, 1, "A", 1, "C", 1.0, "Yen", "Cheque"),
        (day, 1, "A", 1, "C", 2.0, "US Dollar", "ACH"),  # minute 0 just left the window
        (day, 1, "C", 1, "A", 9_999.99, "US Dollar", "Cash"),
        (three - 1, 1, "B", 1, "A", 8_000.0, "US Dollar", "Cash"),
        (three, 1, "B", 1, "A", 10_000.0, "US Dollar", "Cash"),  # at the threshold: not near
        (three + 5, 2, "A", 1, "B", 0.0, "Bitcoin", "Bitcoin"),
    ]
    return pl.DataFrame(
        {
            "ts": [start + timedelta(minutes=r[0]) for r in spec],
            "from_bank": [r[1] for r in spec],
            "from_account": [r[2] for r in spec],
            "to_bank": [r[3] for r in spec],
            "to_account": [r[4] for r in spec],
            "amount_received": [r[5] for r in spec],
            "receiving_currency": [r[6] for r in spec],
            "amount_paid": [r[5] for r in spec],
            "payment_currency": [r[6] for r in spec],
            "payment_format": [r[7] for r in spec],
            "is_laundering": [0] * len(spec),
        },
        schema_overrides=io.TRANSACTION_SCHEMA,
    )


def test_edge_cases_match_the_reference():
    tx = _edge_cases()
    features = build_features(tx)
    _assert_matches(features, _reference(tx))
    # Spot checks by hand, so the reference itself is pinned down.
    assert features["src_n_out_24h"].to_list()[:3] == [2, 2, 1]  # ties count each other
    assert features["reverse_seen"].to_list()[:3] == [1, 1, 1]
    assert features["src_n_out_24h"][6] == 3  # minutes 5 (self), day-1, day; minute 0 is out
    # A's near-cash events in (0, 72 h]: both ends of the self-transfer, then 9,999.99 and 8,000;
    # the 9,000 at minute 0 just left, the 10,000 itself is not below the threshold.
    assert features["dst_near_cash_72h"][9] == 4
    assert features["src_minutes_since_last"][4] == 5


@pytest.mark.parametrize("rows", [3000])
def test_synthetic_prefix_matches_the_reference(small, rows):
    tx = small.transactions.head(rows)
    _assert_matches(build_features(tx), _reference(tx))


def test_account_chunks_match_the_reference(small, monkeypatch):
    import oclab.finint.features as features
    import oclab.finint.windows as windows

    tx = small.transactions.head(3000)
    whole = build_features(tx)
    monkeypatch.setattr(windows, "CHUNK_MIN_EVENTS", 500)
    monkeypatch.setattr(features.pl, "thread_pool_size", lambda: 4 * len(ACCOUNT_FEATURES))
    chunked = build_features(tx)
    _assert_matches(chunked, _reference(tx))
    assert_frame_equal(chunked, whole)


def test_rows_out_of_time_order_match_the_reference(small):
    """Real exports are not always time-sorted (AMLworld's HI-Small is sorted by its users):
    features of shuffled rows are the sorted rows' features, shuffled the same way."""
    tx = small.transactions.head(3000)
    order = np.random.default_rng(7).permutation(tx.height)
    shuffled = tx[order]
    features = build_features(shuffled)
    _assert_matches(features, _reference(shuffled))
    assert_frame_equal(features, build_features(tx)[order])
