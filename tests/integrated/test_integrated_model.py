"""The integrated model: the status quo is the cartel model, and every lever moves the outcomes
its mechanism says it should, in the right direction (docs/odd/integrated.md §4)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from oclab.analysis.summary import summarize
from oclab.experiment import run_study
from oclab.models import cartels, integrated
from oclab.models.integrated_routes import INTENSITIES, load_response, solve_response
from oclab.study import study_from_dict


def _params(model, n: int) -> dict[str, np.ndarray]:
    return {k: np.full(n, v) for k, v in model.PARAMS.defaults().items()}


def test_status_quo_is_the_cartel_model() -> None:
    """With every lever at its status quo the couplings are exactly 1: same members and flows
    as Prieto-Curiel et al. (2023) over 2012-2022 (tolerance: floating-point rounding)."""
    n = 3
    data = integrated.load_data(None)
    p_int, p_car = _params(integrated, n), _params(cartels, n)
    rng = np.random.default_rng(0)
    state = integrated.init(data, p_int, n, rng, allocation="expected")
    reference = cartels.init(data.network, p_car, n, rng, allocation="expected")
    for _ in range(40):  # ten years in quarters
        state = integrated.step(state, p_int, 13, rng)
        reference = cartels.step(reference, p_car, 13, rng)
    np.testing.assert_allclose(state.cartel.members, reference.members, rtol=1e-12)
    mine, theirs = integrated.observe(state, p_int), cartels.observe(reference, p_car)
    np.testing.assert_allclose(mine["conflict_deaths"], theirs["deaths_weekly"] * 52, rtol=1e-12)
    np.testing.assert_allclose(mine["recruits"], theirs["recruits_weekly"] * 52, rtol=1e-12)
    assert np.all(mine["members"] > 160_000)  # the published 2022 range starts at 160,000


LEVER_SCENARIOS: dict[str, dict[str, float]] = {
    "suppression": {"suppression_intensity": 2.0},
    "demand": {"budget_share": 0.6},
    "demand_budget": {"budget_total": 18e9, "budget_share": 0.6},
    "threshold": {"aml_threshold": 1000.0},
    "capacity": {"aml_threshold": 1000.0, "aml_analyst_capacity": 600_000.0},
    "inland": {"bulk_cash_inspection": 1.0, "bulk_cash_inland_share": 1.0},
    "border": {"bulk_cash_inspection": 1.0, "bulk_cash_inland_share": 0.0},
    "guns": {"guns_dealer_inspection": 0.4, "guns_import_standard": 1.0},
    "anticorruption": {"anticorruption": 1.0},
    "police": {"police_professionalization": 1.0},
    "judicial": {"judicial_reform": 1.0},
    "military": {"military_troops": 90.0},
    "truce": {"truce": 1.0},
    "interdiction": {"interdiction": 4.0},
    "kingpin": {"kingpin_per_year": 10.0},
}


@pytest.fixture(scope="module")
def lever_summary() -> pl.DataFrame:
    raw = {
        "model": "integrated",
        "runs": 2,
        "seed": 3,
        "allocation": "expected",
        "start_year": 2012,
        "restart_year": 2012,  # levers from the start: no shared history needed here
        "horizon_years": 10,
        "report_years": [1, 10],
        "scenarios": [{"name": k, "set": v} for k, v in LEVER_SCENARIOS.items()],
    }
    study = study_from_dict(raw)
    return summarize(run_study(study), study.start_year, study.restart_year, study.report_years)


def _mean(summary: pl.DataFrame, scenario: str, outcome: str, years: float) -> float:
    row = summary.filter(
        pl.col("scenario") == scenario,
        pl.col("outcome") == outcome,
        pl.col("years_after_restart") == years,
    )
    return float(row["mean"].item())


@pytest.mark.parametrize(
    ("scenario", "outcome", "years", "direction"),
    [
        ("suppression", "members", 10, "down"),
        ("suppression", "public_spending", 10, "up"),
        ("demand_budget", "us_users", 10, "down"),
        ("demand", "net_revenue", 10, "down"),
        ("threshold", "legitimate_friction", 1, "up"),
        ("threshold", "reports_digested", 1, "down"),
        ("capacity", "laundering_caught", 1, "up"),
        ("capacity", "net_revenue", 10, "down"),
        ("inland", "net_revenue", 10, "down"),
        ("guns", "gun_supply", 1, "down"),
        ("guns", "conflict_deaths", 10, "down"),
        ("anticorruption", "corruption", 10, "down"),
        ("anticorruption", "legitimacy", 10, "up"),
        ("police", "professionalization", 10, "up"),
        ("police", "members", 10, "down"),
        ("judicial", "conviction_probability", 10, "up"),
        ("judicial", "incapacitations", 10, "up"),
        ("military", "clash_deaths", 1, "up"),
        ("military", "legitimacy", 10, "down"),
        ("military", "incapacitations", 1, "up"),
        ("truce", "conflict_deaths", 1, "down"),
        ("truce", "largest_share", 10, "up"),
        ("truce", "corruption", 10, "up"),
        ("interdiction", "mexico_route_share", 1, "down"),
        ("interdiction", "net_revenue", 10, "down"),
        ("kingpin", "active_groups", 1, "up"),
    ],
)
def test_lever_moves_outcome(
    lever_summary: pl.DataFrame, scenario: str, outcome: str, years: float, direction: str
) -> None:
    changed = _mean(lever_summary, scenario, outcome, years)
    status_quo = _mean(lever_summary, "baseline", outcome, years)
    assert (changed < status_quo) if direction == "down" else (changed > status_quo), (
        f"{scenario}: {outcome} {changed} vs status quo {status_quo}"
    )


def test_inland_inspection_beats_border(lever_summary: pl.DataFrame) -> None:
    inland = _mean(lever_summary, "inland", "laundering_cost", 1)
    border = _mean(lever_summary, "border", "laundering_cost", 1)
    assert inland > border


def test_threshold_without_capacity_catches_nothing_more(lever_summary: pl.DataFrame) -> None:
    """The report's I.A.3 mechanism: reports nobody reads catch nothing; once every illicit flow
    is reported, more legitimate reports only dilute the analysts' attention."""
    caught = _mean(lever_summary, "threshold", "laundering_caught", 1)
    assert caught <= _mean(lever_summary, "baseline", "laundering_caught", 1)


def test_shipped_routes_response_matches_the_routes_model() -> None:
    """The table in data/integrated is what the routes model gives (solver tolerance 1e-4)."""
    shipped = load_response()
    assert tuple(shipped.intensity) == INTENSITIES
    fresh = solve_response((0.0, 4.0))
    for column in ("mexico_tonnes", "us_tonnes", "cost_musd"):
        np.testing.assert_allclose(
            getattr(fresh, column), getattr(shipped, column)[[0, 3]], rtol=2e-3
        )
    assert np.all(np.diff(shipped.mexico_tonnes) < 0)  # interdiction diverts volume


def test_stochastic_mode_is_seeded_and_counts_whole_members() -> None:
    raw = {
        "model": "integrated",
        "mode": "stochastic",
        "runs": 3,
        "seed": 11,
        "start_year": 2012,
        "restart_year": 2012,
        "horizon_years": 1,
        "report_years": [1],
        "scenarios": [{"name": "truce", "set": {"truce": 1.0}}],
    }
    first, again = (run_study(study_from_dict(raw)) for _ in range(2))
    assert first.equals(again)
    groups = first.filter(pl.col("outcome") == "group_members")["value"].to_numpy()
    assert np.all(groups == np.round(groups))
    other = run_study(study_from_dict(raw | {"seed": 12}))
    assert not first.equals(other)
