"""Scenario discovery: PRIM and CART find a planted box; exports EMA workbench accepts."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from oclab.analysis.discovery import cart, goal_failures, prim
from oclab.analysis.export import export_behaviorspace, export_ema, load_ema
from oclab.cli import main
from oclab.errors import InputError
from oclab.study import study_from_dict
from oclab.sweep import outcome_column, plan_sweep, run_sweep
from oclab.sweep_store import scan_sweep

NAMES = ["a", "b", "c", "d"]


@pytest.fixture(scope="module")
def planted() -> tuple[np.ndarray, np.ndarray]:
    x = np.random.default_rng(0).random((3000, 4))
    return x, (x[:, 0] > 0.6) & (x[:, 2] < 0.3)


def test_prim_finds_the_planted_box(planted: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = planted
    result = prim(x, y, NAMES, threshold=0.9)
    t = result.trajectory
    assert t["step"].to_list() == list(range(t.height))
    assert t.row(0, named=True)["mass"] == 1.0 and t.row(0, named=True)["coverage"] == 1.0
    assert np.all(np.diff(t["mass"].to_numpy()) < 0)  # every peel removes points
    chosen = t.row(result.chosen, named=True)
    assert chosen["density"] >= 0.9 and chosen["coverage"] > 0.85
    box = {r["factor"]: r for r in result.box().iter_rows(named=True)}
    assert {f for f, r in box.items() if r["restricted"]} == {"a", "c"}
    assert box["a"]["low"] == pytest.approx(0.6, abs=0.05)
    assert box["c"]["high"] == pytest.approx(0.3, abs=0.05)


def test_prim_statistics_are_those_of_the_box(planted: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = planted
    result = prim(x, y, NAMES)
    for step in (0, result.chosen, result.trajectory.height - 1):
        low, high = result.lows[step], result.highs[step]
        inside = np.all((x >= low) & (x <= high), axis=1)
        row = result.trajectory.row(step, named=True)
        assert row["n_in_box"] == inside.sum()
        assert row["density"] == pytest.approx(y[inside].mean())
        assert row["coverage"] == pytest.approx(y[inside].sum() / y.sum())


def test_prim_respects_the_minimum_mass(planted: tuple[np.ndarray, np.ndarray]) -> None:
    x, _ = planted
    rare = x[:, 0] > 0.99  # about 1% of the points: peeling must stop at 5% of them
    assert prim(x, rare, NAMES, min_mass=0.05).trajectory["mass"].min() >= 0.05


def test_prim_without_cases_is_an_input_error(planted: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = planted
    with pytest.raises(InputError, match="case of interest"):
        prim(x, np.zeros_like(y), NAMES)


def test_cart_leaf_boxes_and_statistics(planted: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = planted
    leaves = cart(x, y, NAMES, max_depth=2)
    best = leaves.row(0, named=True)
    assert best["predicts_case"] and best["density"] > 0.95 and best["coverage"] > 0.95
    assert best["a_low"] == pytest.approx(0.6, abs=0.02)
    assert best["c_high"] == pytest.approx(0.3, abs=0.02)
    inside = np.all(
        (x >= [best[f"{n}_low"] for n in NAMES]) & (x <= [best[f"{n}_high"] for n in NAMES]),
        axis=1,
    )
    assert best["density"] == pytest.approx(y[inside].mean(), abs=0.01)
    assert leaves["mass"].sum() == pytest.approx(1.0)


STUDY = {
    "mode": "deterministic",
    "seed": 9,
    "chunk_runs": 10,
    "restart_year": 2013.0,
    "horizon_years": 2,
    "report_years": [2],
    "priors": {"rho": {"kind": "uniform"}, "omega": {"kind": "uniform"}},
    "scenarios": [{"name": "baseline"}, {"name": "arrests x2", "multiply": {"eta": 2.0}}],
}


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("disc") / "sweep"
    run_sweep(plan_sweep(study_from_dict(STUDY, "d.toml"), 60, 1, "lhs"), out)
    return out


def test_goal_failures_paired_against_another_scenario(sweep_dir: Path) -> None:
    column = outcome_column("members", 2)
    table = scan_sweep(sweep_dir).collect().sort("run")
    base = table.filter(pl.col("scenario") == "baseline")[column].to_numpy()
    doubled = table.filter(pl.col("scenario") == "arrests x2")[column].to_numpy()
    threshold = float(np.median(doubled - base))
    names, x, failed, label = goal_failures(
        sweep_dir, "members", 2.0, "arrests x2", versus="baseline", above=threshold
    )
    assert names == ["rho", "omega"] and x.shape == (60, 2)
    np.testing.assert_array_equal(failed, doubled - base > threshold)
    assert "minus 'baseline'" in label


def test_cli_discover_writes_trajectory_box_and_leaves(
    sweep_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    column = outcome_column("members", 2)
    values = scan_sweep(sweep_dir).filter(pl.col("scenario") == "baseline").collect()[column]
    out = tmp_path / "a"
    args = ["discover", str(sweep_dir), "--year", "2", "--out", str(out)]
    assert main([*args, "--fails-above", str(values.quantile(0.7))]) == 0
    printed = capsys.readouterr().out
    assert "PRIM box" in printed and "<= rho <=" in printed  # recruitment drives membership
    for name in ("prim-trajectory.csv", "prim-box.csv", "cart-leaves.csv", "prim-trajectory.png"):
        assert (out / name).is_file()


def test_cli_discover_goal_never_failed_exit_2(
    sweep_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["discover", str(sweep_dir), "--year", "2", "--fails-above", "1e12"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


@pytest.mark.filterwarnings("ignore:The inplace keyword")  # inside EMA workbench, on pandas 3
def test_ema_export_round_trip_and_ema_workbench_prim_accepts_it(sweep_dir: Path) -> None:
    folder = export_ema(sweep_dir)
    experiments, outcomes = load_ema(folder)
    assert list(experiments.columns) == ["rho", "omega", "scenario", "policy", "model", "replicate"]
    assert len(experiments) == 120
    assert set(experiments["policy"]) == {"baseline", "arrests x2"}
    column = outcome_column("members", 2)
    assert outcomes[column].shape == (120,)
    table = scan_sweep(sweep_dir).collect()
    np.testing.assert_array_equal(outcomes[column], table[column].to_numpy())
    prim_module = pytest.importorskip("ema_workbench.analysis.prim")
    y = outcomes[column] > np.quantile(outcomes[column], 0.7)
    x = experiments[["rho", "omega"]]
    box = prim_module.Prim(x, y, threshold=0.8).find_box()
    assert box.peeling_trajectory["coverage"].iloc[0] == pytest.approx(1.0)


def test_behaviorspace_table(sweep_dir: Path, tmp_path: Path) -> None:
    path = export_behaviorspace(sweep_dir, tmp_path / "bs.csv")
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0].startswith("BehaviorSpace")
    header = rows[6]
    assert header[:2] == ["[run number]", "rho"] and "[step]" in header and "members" in header
    body = rows[7:]
    assert len(body) == 60 * 2 * 2  # runs × scenarios × (today, year 2)
    numbers = [int(r[0]) for r in body]
    assert numbers == sorted(numbers) and set(numbers) == set(range(1, 121))
    step = header.index("[step]")
    assert {int(r[step]) for r in body} == {52, 52 + 104}
