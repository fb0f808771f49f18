"""Running studies: reproducible, identical on every executor, paired across scenarios."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from oclab.analysis.summary import summarize
from oclab.core.executors import ProcessExecutor, SerialExecutor, make_executor
from oclab.errors import InputError
from oclab.experiment import run_study
from oclab.study import study_from_dict

STUDY = {
    "runs": 6,
    "chunk_runs": 4,
    "seed": 5,
    "mode": "stochastic",
    "start_year": 2012.0,
    "restart_year": 2013.0,
    "horizon_years": 1,
    "report_years": [1],
    "record_every_weeks": 13,
    "priors": {"rho": {"kind": "uniform"}},
    "scenarios": [{"name": "baseline"}, {"name": "arrests x2", "multiply": {"eta": 2.0}}],
}


@pytest.fixture(scope="module")
def serial() -> pl.DataFrame:
    return run_study(study_from_dict(STUDY, "t.toml"), SerialExecutor())


def test_same_seed_same_results_on_every_executor(serial: pl.DataFrame) -> None:
    study = study_from_dict(STUDY, "t.toml")
    assert_frame_equal(serial, run_study(study, SerialExecutor()))
    with ProcessExecutor(workers=2) as pool:
        assert_frame_equal(serial, run_study(study, pool))


def test_different_seed_differs(serial: pl.DataFrame) -> None:
    other = run_study(study_from_dict(STUDY | {"seed": 6}, "t.toml"))
    assert not serial["value"].equals(other["value"])


def test_tidy_columns_history_under_baseline_and_every_scenario_from_restart(
    serial: pl.DataFrame,
) -> None:
    assert serial.columns[:5] == ["scenario", "run", "time", "outcome", "value"]
    members = serial.filter(pl.col("outcome") == "members")
    weeks = members.group_by("scenario").agg(pl.col("week").unique().sort()).sort("scenario")
    assert weeks.row(0) == ("baseline", list(range(0, 105, 13)))  # weeks 0..104 every 13
    assert weeks.row(1) == ("arrests x2", list(range(52, 105, 13)))  # from the restart on
    assert members["time"].min() == 2012.0 and members["time"].max() == 2014.0
    assert members.group_by("scenario", "week").len()["len"].unique().to_list() == [6]


def test_scenarios_start_from_the_same_state_and_diverge(serial: pl.DataFrame) -> None:
    national = serial.filter(pl.col("outcome") == "members").pivot(
        on="scenario", index=["run", "week"], values="value"
    )
    at_restart = national.filter(pl.col("week") == 52)
    after = national.filter(pl.col("week") > 52)
    assert (at_restart["baseline"] == at_restart["arrests x2"]).all()
    assert (after["arrests x2"] < after["baseline"]).mean() > 0.9


def test_summary_pairs_each_run_with_today_and_baseline(serial: pl.DataFrame) -> None:
    summary = summarize(serial, 2012.0, 2013.0, [1.0])
    row = summary.filter(
        (pl.col("scenario") == "arrests x2") & (pl.col("outcome") == "members")
    ).row(0, named=True)
    wide = serial.filter(pl.col("outcome") == "members").pivot(
        on="scenario", index=["run", "week"], values="value"
    )
    at, today = wide.filter(pl.col("week") == 104), wide.filter(pl.col("week") == 52)
    expected = (at["arrests x2"] - at["baseline"]).mean()
    assert row["vs_baseline_mean"] == pytest.approx(expected)
    assert row["vs_today_mean"] == pytest.approx((at["arrests x2"] - today["arrests x2"]).mean())
    assert row["runs"] == 6
    assert row["p05"] <= row["p50"] <= row["p95"]


def test_unknown_engine() -> None:
    with pytest.raises(InputError, match="engine"):
        make_executor("cloud")


def test_runs_differ_in_parameters_drawn_from_the_prior(serial: pl.DataFrame) -> None:
    recruits = serial.filter((pl.col("outcome") == "members") & (pl.col("week") == 52))[
        "value"
    ].to_numpy()
    assert np.unique(recruits).size > 1


def test_a_later_change_follows_the_baseline_until_it_starts() -> None:
    raw = STUDY | {
        "mode": "deterministic",
        "horizon_years": 2,
        "report_years": [2],
        "scenarios": [
            {"name": "baseline"},
            {"name": "arrests later", "later": [{"year": 2014.0, "multiply": {"eta": 3.0}}]},
        ],
    }
    table = run_study(study_from_dict(raw, "t.toml"))
    wide = table.filter(pl.col("outcome") == "members").pivot(
        on="scenario", index=["run", "week"], values="value"
    )
    before = wide.filter((pl.col("week") >= 52) & (pl.col("week") <= 104))
    after = wide.filter(pl.col("week") > 104)
    assert (before["arrests later"] == before["baseline"]).all()
    assert (after["arrests later"] < after["baseline"]).all()
    weeks = wide.filter(pl.col("run") == 0)["week"].to_list()
    assert weeks == sorted(set(weeks))  # each week recorded once, across the segment boundary
