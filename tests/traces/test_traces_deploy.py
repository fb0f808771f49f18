"""The HiGHS inspector plan is optimal: it equals brute-force enumeration on small instances,
and it respects the inspector, capacity and budget constraints."""

from __future__ import annotations

import itertools
import math

import numpy as np
import polars as pl
import pytest

from oclab.traces import deploy


def _values(rng: np.random.Generator, n: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "dealer_license": [f"d{i}" for i in range(n)],
            "region": rng.choice(["TX", "AZ", "CA"], n).tolist(),
            "flagged_per_year": rng.uniform(1, 20, n),
            "value": rng.uniform(1, 10, n),
            "days": rng.uniform(40, 160, n),
        }
    )


def _brute_force(values: pl.DataFrame, inspectors: int, cost: dict, budget, days: float) -> float:  # type: ignore[no-untyped-def]
    best = 0.0
    rows = values.rows(named=True)
    for chosen in itertools.product((0, 1), repeat=len(rows)):
        load: dict[str, float] = {}
        for pick, row in zip(chosen, rows, strict=True):
            if pick:
                load[row["region"]] = load.get(row["region"], 0.0) + row["days"]
        need = {r: math.ceil(x / days - 1e-9) for r, x in load.items()}
        if sum(need.values()) > inspectors:
            continue
        if budget is not None and sum(cost[r] * k for r, k in need.items()) > budget:
            continue
        value = sum(row["value"] for pick, row in zip(chosen, rows, strict=True) if pick)
        best = max(best, value)
    return best


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_plan_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = _values(rng, 10)
    cost = {"TX": 1.0, "AZ": 1.5, "CA": 2.0}
    for inspectors, budget in ((1, None), (2, None), (3, 3.5)):
        plan = deploy.plan(values, inspectors, cost, budget)
        expected = _brute_force(values, inspectors, cost, budget, 200.0)
        assert plan.intercepted == pytest.approx(expected, rel=1e-6)
        assert plan.regions["inspectors"].sum() <= inspectors
        assert (plan.regions["days_used"] <= plan.regions["days_available"] + 1e-6).all()
        if budget is not None:
            spent = sum(cost[r] * k for r, k in plan.regions.select("region", "inspectors").rows())
            assert spent <= budget + 1e-9


def test_no_inspectors_no_plan_and_share_is_reported() -> None:
    values = _values(np.random.default_rng(5), 6)
    assert deploy.plan(values, 0).dealers.height == 0
    full = deploy.plan(values, 50)
    assert full.dealers.height == 6  # enough inspectors to visit every dealer
    assert full.intercept_share == pytest.approx(
        values["value"].sum() / values["flagged_per_year"].sum()
    )


def test_dealer_values_count_flagged_traces_per_year() -> None:
    import datetime as dt

    frame = pl.DataFrame(
        {
            "dealer_license": ["a", "a", "b"],
            "dealer_state": ["TX", "TX", "AZ"],
            "time_to_crime_days": [100, 5000, 5000],
            "purchaser_key": ["p", "q", "r"],
            "multiple_sale": [False, False, False],
            "serial_obliterated": [False, False, False],
            "recovery_date": [dt.date(2010, 1, 1), dt.date(2012, 1, 1), dt.date(2012, 1, 1)],
        }
    )
    values = deploy.dealer_values(frame, {"effectiveness": 0.5})
    years = (dt.date(2012, 1, 1) - dt.date(2010, 1, 1)).days / 365.25
    assert values.filter(pl.col("dealer_license") == "a")["value"].item() == pytest.approx(
        0.5 / years
    )
    assert values.filter(pl.col("dealer_license") == "b")["value"].item() == 0.0
