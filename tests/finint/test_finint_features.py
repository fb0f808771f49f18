"""Features are windowed by time, use no future rows and no labels."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from oclab.finint import io
from oclab.finint.features import FEATURE_NAMES, base_columns, build_features, row_columns


def _tx(rows: list[tuple[float, str, str, float, str]]) -> pl.DataFrame:
    """Rows of (hours after start, from, to, USD amount, format), as a transactions table."""
    start = datetime(2022, 9, 1)
    return pl.DataFrame(
        {
            "ts": [start + timedelta(hours=h) for h, *_ in rows],
            "from_bank": [1] * len(rows),
            "from_account": [r[1] for r in rows],
            "to_bank": [1] * len(rows),
            "to_account": [r[2] for r in rows],
            "amount_received": [r[3] for r in rows],
            "receiving_currency": ["US Dollar"] * len(rows),
            "amount_paid": [r[3] for r in rows],
            "payment_currency": ["US Dollar"] * len(rows),
            "payment_format": [r[4] for r in rows],
            "is_laundering": [0] * len(rows),
        },
        schema_overrides=io.TRANSACTION_SCHEMA,
    )


def test_windows_count_the_last_24_hours_only():
    tx = _tx(
        [
            (0, "A", "B", 100, "ACH"),
            (1, "A", "C", 100, "ACH"),
            (2, "A", "B", 100, "ACH"),
            (30, "A", "D", 100, "ACH"),  # the first three are more than 24 h before
            (31, "B", "A", 50, "ACH"),
        ]
    )
    f = build_features(tx)
    assert f["src_n_out_24h"].to_list()[:4] == [1, 2, 3, 1]
    assert f["src_usd_out_24h"].to_list()[:4] == [100, 200, 300, 100]
    assert f["dst_n_in_24h"].to_list()[:3] == [1, 1, 2]  # B twice, C once
    assert f["src_partners_so_far"].to_list()[:4] == [1, 2, 2, 3]
    assert f["src_minutes_since_last"].to_list()[:2] == [-1, 60]
    assert f["reverse_seen"].to_list() == [0, 0, 0, 0, 1]  # B -> A after A -> B


def test_near_threshold_cash_in_72_hours():
    rows = [(24.0 * d, "S", f"R{d}", 9500, "Cash") for d in range(5)]
    f = build_features(_tx(rows))
    assert f["near_threshold"].to_list() == [1] * 5
    assert f["src_near_cash_72h"].to_list() == [1, 2, 3, 3, 3]


def test_no_future_rows_and_no_labels_used(small):
    tx = small.transactions
    full = build_features(tx)
    # A prefix ending at a minute boundary sees exactly the same features.
    cut_ts = tx["ts"][tx.height // 2]
    prefix = tx.filter(pl.col("ts") < cut_ts)
    assert_frame_equal(build_features(prefix), full.head(prefix.height))
    relabelled = tx.with_columns(is_laundering=pl.Series(np.ones(tx.height, dtype=np.int8)))
    assert_frame_equal(build_features(relabelled), full)
    assert full.columns == list(FEATURE_NAMES)
    assert full.null_count().sum_horizontal().item() == 0


def test_thread_chunks_give_the_same_features(small, monkeypatch):
    import oclab.finint.features as features
    import oclab.finint.windows as windows

    one = build_features(small.transactions)
    monkeypatch.setattr(windows, "CHUNK_MIN_EVENTS", 1000)
    monkeypatch.setattr(features.pl, "thread_pool_size", lambda: 7)
    assert_frame_equal(build_features(small.transactions), one)


def test_hour_and_day_are_the_clock_ones_when_the_data_start_mid_day():
    """Minutes count from midnight of the first day, whatever the first row's time."""
    tx = _tx([(9.5, "A", "B", 100, "ACH"), (20, "B", "C", 100, "ACH"), (26, "C", "A", 1, "ACH")])
    base = base_columns(tx, 10_000.0)
    assert base["minute"].to_list() == [570, 1200, 1560]
    assert build_features(tx)["hour"].to_list() == tx["ts"].dt.hour().to_list() == [9, 20, 2]


def test_row_columns_from_the_loader_equal_those_computed_here(small, tmp_path):
    path = tmp_path / "t.csv"
    io.write_transactions(small.transactions, path)
    loaded = io.read_transactions(path, derive=row_columns(3_000.0))
    here = base_columns(loaded.transactions, 3_000.0)
    assert_frame_equal(base_columns(loaded.transactions, 3_000.0, loaded.derived), here)
    assert here["near"].sum() > 0  # the threshold reached the derived columns
    with pytest.raises(ValueError, match="threshold other than 10000"):
        base_columns(loaded.transactions, 10_000.0, loaded.derived)


def test_a_window_with_no_payments_on_one_side_sums_to_exactly_zero():
    """A running sum leaves residues when amounts leave the window; an empty side is exactly 0.

    The amounts are those of an account in the 5 M-row benchmark set whose outflows in 24 h
    read 1.4e-14 instead of 0 before empty sides were set to 0.
    """
    hour = [6 + 5 / 60, 6 + 7 / 60, 24 + 33 / 60, 35 + 34 / 60, 41 + 31 / 60]
    amount = [1058.02 * 0.05, 1756.16 * 0.05, 6561.58 * 0.145, 38.77, 22.93]
    ends = [("A", "X"), ("A", "Y"), ("Z", "A"), ("W", "A"), ("V", "A")]
    f = build_features(_tx([(h, *e, u, "ACH") for h, e, u in zip(hour, ends, amount, strict=True)]))
    assert f["dst_n_out_24h"].to_list()[3:] == [0, 0]
    assert f["dst_usd_out_24h"].to_list()[3:] == [0.0, 0.0]
    assert f["dst_usd_in_24h"].to_list()[3:] == pytest.approx(
        [amount[2] + amount[3], sum(amount[2:])]
    )
