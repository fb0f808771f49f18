"""The synthetic generator: seeded, every typology present, ground truth consistent."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from oclab.core.results import write_outputs
from oclab.finint import io
from oclab.finint.generate import TYPOLOGIES, Synthetic, generate


def test_same_seed_same_data_other_seed_other_data(small):
    again = generate(1500, 10, np.random.default_rng(20230616))
    assert_frame_equal(again.transactions, small.transactions)
    other = generate(1500, 10, np.random.default_rng(1))
    assert other.transactions.height != small.transactions.height or not other.transactions.equals(
        small.transactions
    )


def test_every_typology_and_labels_match_patterns(small):
    assert set(small.patterns["typology"]) == set(TYPOLOGIES)
    assert small.patterns.height == small.transactions["is_laundering"].sum()
    assert small.patterns["attempt"].n_unique() >= 3 * len(TYPOLOGIES)


def test_time_window_and_activity_volume(small):
    tx = small.transactions
    assert tx["ts"].is_sorted()
    span = (tx["ts"].max() - tx["ts"].min()).total_seconds() / 86400
    assert 9 < span <= 10
    per_account_day = tx.height / 1500 / 10
    assert 0.5 < per_account_day < 3  # HI-Small has about 1 (5.08M tx, 515K accounts, 10 days)
    formats = set(tx["payment_format"].cast(pl.String))
    assert {"ACH", "Cash", "Credit Card", "Wire", "Cheque", "Reinvestment"} <= formats


def test_structuring_is_cash_just_under_the_threshold(small):
    rows = small.patterns.filter(pl.col("typology") == "STRUCTURING")
    assert (rows["payment_format"].cast(pl.String) == "Cash").all()
    usd_ok = rows["payment_currency"].cast(pl.String) == "US Dollar"
    amounts = rows.filter(usd_ok)["amount_paid"]
    assert amounts.len() > 0
    assert amounts.min() >= 8000 and amounts.max() < 10_000


def test_consolidation_hubs_sit_at_border_branches_and_wire_to_mexico(small):
    rows = small.patterns.filter(pl.col("typology") == "CASH-CONSOLIDATION")
    regions = small.branches.select(pl.col("Bank ID"), "Region", "Country")
    deposits = rows.filter(pl.col("payment_format").cast(pl.String) == "Cash").join(
        regions, left_on="to_bank", right_on="Bank ID"
    )
    assert (deposits["Region"] == "border").all() and (deposits["Country"] == "US").all()
    wires = rows.filter(pl.col("payment_format").cast(pl.String) == "Wire").join(
        regions, left_on="to_bank", right_on="Bank ID"
    )
    assert (wires["Country"] == "MX").all()
    assert (wires["receiving_currency"].cast(pl.String) == "Mexican Peso").all()


def test_peso_exchange_has_a_peso_leg(small):
    rows = small.patterns.filter(pl.col("typology") == "PESO-EXCHANGE")
    assert (rows["payment_currency"].cast(pl.String) == "Mexican Peso").any()
    assert (rows["payment_format"].cast(pl.String) == "Cash").any()


def test_too_small_is_refused():
    with pytest.raises(ValueError):
        generate(10, 10, np.random.default_rng(0))


def test_streamed_files_do_not_depend_on_batching(small, tmp_path):
    """Same seed and settings: byte-identical CSV and Parquet whatever the batch size."""
    io.write_transactions(small.transactions, tmp_path / "whole.csv")
    for batch in (1000, 7777):
        for suffix in ("csv", "parquet"):
            streamed = Synthetic(1500, 10, np.random.default_rng(20230616)).batches(batch)
            n = io.write_transaction_batches(streamed, tmp_path / f"b{batch}.{suffix}")
            assert n == small.transactions.height
    whole = (tmp_path / "whole.csv").read_bytes()
    assert (tmp_path / "b1000.csv").read_bytes() == whole == (tmp_path / "b7777.csv").read_bytes()
    assert (tmp_path / "b1000.parquet").read_bytes() == (tmp_path / "b7777.parquet").read_bytes()
    assert_frame_equal(pl.read_parquet(tmp_path / "b1000.parquet"), small.transactions)


def test_every_pattern_row_is_a_labelled_transaction(small):
    keys = ["ts", "from_account", "to_account", "amount_paid", "payment_format"]
    found = small.patterns.join(small.transactions, on=keys, how="left", suffix="_tx")
    assert found["is_laundering_tx"].null_count() == 0
    assert (found["is_laundering_tx"] == 1).all()


@pytest.mark.parametrize("name", ["t.csv", "t.parquet"])
def test_a_failed_stream_leaves_nothing(tmp_path, name):
    def failing():
        yield from Synthetic(200, 3, np.random.default_rng(0)).batches(100)
        raise RuntimeError("disk full")

    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="disk full"):
        write_outputs(out, {name: lambda p: io.write_transaction_batches(failing(), p)})
    assert list(tmp_path.iterdir()) == []
