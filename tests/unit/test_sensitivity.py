"""Sobol and Morris indices through SALib: the Ishigami function's analytic indices, and sweeps."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from oclab.analysis.sensitivity import (
    morris_indices,
    sobol_indices,
    sweep_outcome,
    sweep_sensitivity,
)
from oclab.cli import main
from oclab.errors import InputError
from oclab.study import study_from_dict
from oclab.sweep import plan_sweep, run_sweep
from oclab.sweep_design import morris_design, sobol_design


def ishigami(u: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    x = -math.pi + 2.0 * math.pi * u
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_analytic(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """First-order and total indices (Ishigami & Homma 1990; Sobol' & Levitan 1999)."""
    pi4, pi8 = math.pi**4, math.pi**8
    v1 = 0.5 * (1 + b * pi4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi8 * (1 / 18 - 1 / 50)
    variance = v1 + v2 + v13
    s1 = np.array([v1, v2, 0.0]) / variance
    st = np.array([v1 + v13, v2, v13]) / variance
    return s1, st


def test_ishigami_sobol_indices_match_the_analytic_values() -> None:
    s1, st = ishigami_analytic()
    np.testing.assert_allclose(s1, [0.3139, 0.4424, 0.0], atol=1e-4)  # the published values
    np.testing.assert_allclose(st, [0.5576, 0.4424, 0.2437], atol=1e-4)
    u = sobol_design(3, 2**12, seed=1)
    table = sobol_indices(["x1", "x2", "x3"], ishigami(u), seed=1)
    # Tolerance: 0.03, about the 95% bootstrap half-width SALib reports at N = 4096; the
    # interval must also contain the analytic value.
    for name, analytic in (("S1", s1), ("ST", st)):
        estimate, conf = table[name].to_numpy(), table[f"{name}_conf"].to_numpy()
        np.testing.assert_allclose(estimate, analytic, atol=0.03)
        assert np.all(np.abs(estimate - analytic) <= conf)
        assert np.all(conf > 0) and np.all(conf < 0.05)


def test_morris_effects_of_a_linear_function_are_its_slopes() -> None:
    u = morris_design(3, 20, seed=2)
    y = 2.0 * u[:, 0] - 3.0 * u[:, 1] + 0.0 * u[:, 2]
    table = morris_indices(["a", "b", "c"], u, y, seed=2)
    np.testing.assert_allclose(table["mu"], [2.0, -3.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(table["mu_star"], [2.0, 3.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(table["sigma"], 0.0, atol=1e-12)


def test_morris_ranks_ishigami_factors_with_interactions_spread() -> None:
    u = morris_design(3, 60, seed=3)
    table = morris_indices(["x1", "x2", "x3"], u, ishigami(u), seed=3)
    mu_star, sigma = table["mu_star"].to_numpy(), table["sigma"].to_numpy()
    assert np.all(mu_star > 0)
    assert sigma[2] > 0.5 * mu_star[2]  # x3 acts only through its interaction with x1
    assert np.all(table["mu_star_conf"].to_numpy() > 0)


STUDY = {
    "mode": "deterministic",
    "seed": 4,
    "chunk_runs": 16,
    "restart_year": 2013.0,
    "horizon_years": 1,
    "report_years": [1],
    "priors": {"rho": {"kind": "uniform"}, "eta": {"kind": "uniform"}},
}


@pytest.fixture(scope="module")
def sobol_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sens") / "sobol"
    run_sweep(plan_sweep(study_from_dict(STUDY, "s.toml"), 16, 1, "sobol"), out)
    return out


def test_sweep_sensitivity_finds_recruitment_dominates_members(sobol_sweep: Path) -> None:
    method, table = sweep_sensitivity(sobol_sweep, "members", 1.0)
    assert method == "sobol" and table["factor"].to_list() == ["rho", "eta"]
    st = dict(zip(table["factor"], table["ST"], strict=True))
    assert st["rho"] > 0.5 and st["rho"] > 5 * abs(st["eta"])


def test_sweep_outcome_has_one_value_per_design_row(sobol_sweep: Path) -> None:
    assert sweep_outcome(sobol_sweep, "members", 1.0).shape == (16 * 4,)


def test_lhs_sweep_is_refused_for_indices(tmp_path: Path) -> None:
    run_sweep(plan_sweep(study_from_dict(STUDY, "s.toml"), 4), tmp_path / "lhs")
    with pytest.raises(InputError, match="--method sobol or morris"):
        sweep_sensitivity(tmp_path / "lhs", "members", 1.0)


def test_cli_writes_table_and_figure(sobol_sweep: Path, tmp_path: Path) -> None:
    out = tmp_path / "analysis"
    args = ["sensitivity", str(sobol_sweep), "--year", "1", "--out", str(out)]
    assert main(args) == 0
    assert (out / "sensitivity-sobol-members-y1.csv").read_text().startswith("factor,S1,S1_conf")
    assert (out / "sensitivity-sobol-members-y1.png").stat().st_size > 1000


@pytest.mark.parametrize("extra", [["--year", "3"], ["--outcome", "nope"], ["--scenario", "nope"]])
def test_cli_bad_choice_one_line_exit_2(
    sobol_sweep: Path, capsys: pytest.CaptureFixture[str], extra: list[str]
) -> None:
    assert main(["sensitivity", str(sobol_sweep), "--year", "1", *extra]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_cli_not_a_sweep_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sensitivity", str(tmp_path)]) == 2
    assert "sweep.json" in capsys.readouterr().err


def test_constant_outcome_is_refused_with_a_reason(sobol_sweep: Path) -> None:
    """Variance-based indices of an outcome that never varies are undefined, not zero."""
    with pytest.raises(InputError, match="kingpin_strikes is constant in baseline"):
        sweep_sensitivity(sobol_sweep, "kingpin_strikes", 1.0)
