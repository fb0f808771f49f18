"""The threshold sweep: volumes fall as thresholds rise; capacity limits what is caught."""

from __future__ import annotations

import json

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from oclab.finint import io
from oclab.finint.features import row_columns
from oclab.finint.thresholds import BASE_THRESHOLD, PARAMS, lever, sweep


def test_sweep_trade_off(small):
    table = sweep(small.transactions, [200, 1000, 3000, 10000], [1, 5, 1000])
    assert table.height == 12
    by_threshold = table.filter(pl.col("analysts") == 1000).sort("threshold_usd")
    reports = by_threshold["reports_per_day"].to_list()
    assert reports == sorted(reports, reverse=True) and reports[0] > reports[-1] > 0
    burden = by_threshold["legit_cash_accounts_reported_share"].to_list()
    assert burden == sorted(burden, reverse=True)
    assert (by_threshold["review_coverage"] == 1).all()
    assert (by_threshold["backlog_reports"] == 0).all()
    low = table.filter(pl.col("threshold_usd") == 200).sort("analysts")
    caught = low["caught_share"].to_list()
    assert caught[0] < caught[-1]  # one analyst cannot digest $200 reports
    assert low["backlog_reports"][0] > 0 and low["days_to_clear_backlog"][0] > 0
    assert (table["caught_share"] <= 1).all() and (table["caught_share"] >= 0).all()


def test_adaptation_lowers_what_is_caught(small):
    full = sweep(small.transactions, [10000], [1000], {"adapt_share": 0.0})
    adapted = sweep(small.transactions, [10000], [1000], {"adapt_share": 1.0})
    assert adapted["caught_share"][0] < full["caught_share"][0]


def test_lever_document_is_json(small):
    table = sweep(small.transactions, [1000], [5])
    doc = json.loads(json.dumps(lever(table)))
    assert doc["rows"][0]["threshold_usd"] == 1000
    assert set(doc["params"]) == set(PARAMS.names)


def test_the_loaders_row_columns_give_the_same_sweep(small, tmp_path):
    """``thresholds DATA`` reuses the row columns the loader derived while reading."""
    path = tmp_path / "t.csv"
    io.write_transactions(small.transactions, path)
    loaded = io.read_transactions(path, derive=row_columns(BASE_THRESHOLD))
    here = sweep(loaded.transactions, [1000, 10000], [5])
    assert_frame_equal(sweep(loaded.transactions, [1000, 10000], [5], derived=loaded.derived), here)
    other = io.read_transactions(path, derive=row_columns(3_000.0)).derived
    with pytest.raises(ValueError, match="threshold"):  # the derived columns are the ones used
        sweep(loaded.transactions, [1000], [5], derived=other)
