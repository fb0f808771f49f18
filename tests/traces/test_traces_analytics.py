"""Analytics on a small hand-built table whose answers are known."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from matplotlib.figure import Figure

from oclab.traces import analytics
from oclab.traces.policy import OPEN, RESTRICTED, Principal


def _frame() -> pl.DataFrame:
    rows = [
        # dealer_state, recovery_state, ttc days, purchaser, multiple, obliterated, dealer
        ("TX", "CHH", 200, "P1", False, False, "1-1"),
        ("TX", "CHH", 400, "P1", True, False, "1-1"),
        ("TX", "TAM", 3000, "P2", False, False, "1-2"),
        ("AZ", "SON", 5000, "P3", False, False, "2-1"),
        ("", "SIN", None, "", False, True, ""),
    ]
    return pl.DataFrame(
        {
            "dealer_state": [r[0] for r in rows],
            "recovery_state": [r[1] for r in rows],
            "time_to_crime_days": [r[2] for r in rows],
            "purchaser_key": [r[3] for r in rows],
            "multiple_sale": [r[4] for r in rows],
            "serial_obliterated": [r[5] for r in rows],
            "dealer_license": [r[6] for r in rows],
            "status": ["completed"] * 4 + ["not_completed"],
            "failure_reason": [""] * 4 + ["obliterated_serial"],
            "recovery_date": [dt.date(2014, 1, 1)] * 5,
        },
        schema_overrides={"time_to_crime_days": pl.Int64},
    )


def test_time_to_crime_summary_and_histogram() -> None:
    summary = analytics.ttc_summary(_frame())
    years = [200 / 365.25, 400 / 365.25, 3000 / 365.25, 5000 / 365.25]
    assert summary["n"] == 4
    assert summary["mean"] == pytest.approx(sum(years) / 4)
    assert summary["median"] == pytest.approx((years[1] + years[2]) / 2)
    assert summary["lt1"] == 0.25 and summary["lt3"] == 0.5
    hist = analytics.ttc_histogram(_frame())
    assert hist["traces"].sum() == 4
    assert dict(hist.rows())["0-1"] == 1 and dict(hist.rows())["1-2"] == 1


def test_sources_corridors_indicators_and_dealers() -> None:
    frame = _frame()
    sources = analytics.source_states(frame)
    assert sources.rows() == [("TX", 3, 0.75), ("AZ", 1, 0.25)]
    corridors = analytics.corridors(frame)
    assert corridors.select("source_state", "recovery_state", "traces").rows() == [
        ("TX", "CHH", 2),
        ("AZ", "SON", 1),
        ("TX", "TAM", 1),
    ]
    flags = analytics.indicators(frame)
    assert flags["short_ttc"].to_list() == [True, True, False, False, False]
    assert flags["repeat_purchaser"].to_list() == [True, True, False, False, False]
    assert flags["n_indicators"].to_list() == [2, 3, 0, 0, 1]
    dealers = analytics.dealers(frame)
    assert dealers.row(0) == ("1-1", "TX", 2, 2, 2)


def test_suppression_hides_small_cells_and_what_derives_from_them() -> None:
    table = analytics.source_states(_frame())
    out = analytics.suppress(table, min_cell=2)
    assert out["traces"].to_list() == [3, None]
    assert out["share"].to_list() == [0.75, None]
    assert out["suppressed"].to_list() == [False, True]


def test_dashboard_suppresses_for_the_public_only() -> None:
    public = Principal("(anonymous)", "public")
    board = analytics.dashboard(_frame(), RESTRICTED, public)
    assert board["suppressed"] and "dealer_license" not in board["tables"]["dealers"].columns
    assert board["ttc"]["n"] is None  # 4 traces < min_cell 10
    national = Principal("ntc", "national", None, 1)
    full = analytics.dashboard(_frame(), OPEN, national)
    assert not full["suppressed"] and full["ttc"]["n"] == 4


def test_corridor_map_draws_one_arrow_per_corridor_between_real_coordinates() -> None:
    fig = analytics.corridor_map(analytics.corridors(_frame()))
    assert isinstance(fig, Figure)
    arrows = [a for a in fig.axes[0].texts if getattr(a, "arrow_patch", None) is not None]
    assert len(arrows) == 3
    tx_to_chh = arrows[0]
    assert tx_to_chh.xy == (-106.07, 28.63)  # Chihuahua city
    assert tx_to_chh.xyann == (-97.74, 30.27)  # Austin
    png = analytics.figure_png(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
