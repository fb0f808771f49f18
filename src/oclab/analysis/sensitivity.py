"""Global sensitivity: Sobol and Morris indices with confidence intervals, through SALib.

SALib is the field's reference implementation; this module only lines its estimators up with
oclab's designs and sweeps. Sobol indices (Saltelli 2002; Saltelli et al. 2010) need a sweep
made with ``--method sobol``; Morris elementary effects (Morris 1991; Campolongo et al. 2007)
need ``--method morris``. Indices are computed on the unit scale of each factor (its prior's
quantile), so Morris effects are "change in the outcome over a factor's whole prior range".
Replicates of a sample are averaged first: the indices describe the expected outcome.

The ``*_conf`` columns are half-widths of bootstrap confidence intervals at ``conf_level``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from oclab.errors import InputError
from oclab.sweep import outcome_column
from oclab.sweep_design import MORRIS_LEVELS, unit_problem
from oclab.sweep_store import load_design, load_spec, scan_sweep

SENSITIVITY_METHODS: tuple[str, ...] = ("sobol", "morris")


def sobol_indices(
    names: list[str],
    y: np.ndarray,
    *,
    conf_level: float = 0.95,
    resamples: int = 1000,
    seed: int = 0,
) -> pl.DataFrame:
    """First-order (``S1``) and total (``ST``) Sobol indices of ``y`` over a Saltelli design.

    ``y`` holds the outputs of :func:`oclab.sweep_design.sobol_design` rows, in order.
    """
    from SALib.analyze import sobol  # imported lazily: SALib is slow to import

    found = sobol.analyze(
        unit_problem(names),
        np.asarray(y, dtype=float),
        calc_second_order=False,
        num_resamples=resamples,
        conf_level=conf_level,
        seed=seed,
    )
    return pl.DataFrame(
        {
            "factor": names,
            "S1": found["S1"],
            "S1_conf": found["S1_conf"],
            "ST": found["ST"],
            "ST_conf": found["ST_conf"],
        }
    )


def morris_indices(
    names: list[str],
    x: np.ndarray,
    y: np.ndarray,
    *,
    conf_level: float = 0.95,
    resamples: int = 1000,
    seed: int = 0,
    levels: int = MORRIS_LEVELS,
) -> pl.DataFrame:
    """Morris ``mu``, ``mu_star`` (with its interval) and ``sigma`` over a Morris design ``x``."""
    from SALib.analyze import morris

    found = morris.analyze(
        unit_problem(names),
        np.asarray(x, dtype=float),
        np.asarray(y, dtype=float),
        num_resamples=resamples,
        conf_level=conf_level,
        num_levels=levels,
        seed=seed,
    )
    return pl.DataFrame(
        {
            "factor": names,
            "mu": np.asarray(found["mu"], dtype=float),
            "mu_star": np.asarray(found["mu_star"], dtype=float),
            "mu_star_conf": np.asarray(found["mu_star_conf"], dtype=float),
            "sigma": np.asarray(found["sigma"], dtype=float),
        }
    )


def check_choice(
    folder: str | Path, spec: dict[str, Any], outcome: str, years: float, scenario: str
) -> None:
    """An :class:`InputError` unless the sweep recorded ``outcome`` at ``years`` in ``scenario``."""
    if scenario not in spec["scenarios"]:
        raise InputError(folder, "--scenario", f"one of {', '.join(spec['scenarios'])}", scenario)
    if outcome not in spec["outcomes"]:
        raise InputError(folder, "--outcome", f"one of {', '.join(spec['outcomes'])}", outcome)
    if years not in spec["report_years"]:
        allowed = ", ".join(f"{y:g}" for y in spec["report_years"])
        raise InputError(folder, "--year", f"one of {allowed} (years after the restart)", years)


def sweep_outcome(
    folder: str | Path, outcome: str, years: float, scenario: str | None = None
) -> np.ndarray:
    """Mean over replicates of ``outcome`` at ``years`` after the restart, per design sample."""
    spec = load_spec(folder)
    scenario = scenario or spec["scenarios"][0]
    check_choice(folder, spec, outcome, years, scenario)
    column = outcome_column(outcome, years)
    per_sample = (
        scan_sweep(folder)
        .filter(pl.col("scenario") == scenario)
        .group_by("sample")
        .agg(pl.col(column).mean())
        .sort("sample")
        .collect()
    )
    if per_sample.height != spec["design_rows"]:
        raise InputError(folder, "chunks", f"{spec['design_rows']} samples", per_sample.height)
    return per_sample[column].to_numpy()


def sweep_sensitivity(
    folder: str | Path,
    outcome: str,
    years: float,
    scenario: str | None = None,
    *,
    conf_level: float = 0.95,
    seed: int = 0,
) -> tuple[str, pl.DataFrame]:
    """The sweep's method (``sobol`` or ``morris``) and its indices for one outcome and year."""
    spec = load_spec(folder)
    method = spec["method"]
    if method not in SENSITIVITY_METHODS:
        raise InputError(folder, "method", "a sweep made with --method sobol or morris", method)
    y = sweep_outcome(folder, outcome, years, scenario)
    if np.ptp(y) <= 1e-9 * max(1.0, float(np.abs(y).max())):
        # Variance-based indices divide by the variance: a constant outcome has none to explain.
        raise InputError(
            folder,
            "--outcome",
            "an outcome that varies across the sweep's samples (indices are undefined: "
            f"{outcome} is constant in {scenario or spec['scenarios'][0]}; try --scenario)",
            outcome,
        )
    names = list(spec["factors"])
    if method == "sobol":
        return method, sobol_indices(names, y, conf_level=conf_level, seed=seed)
    design = load_design(folder)
    x = design.select([f"u_{f}" for f in names]).to_numpy()
    return method, morris_indices(names, x, y, conf_level=conf_level, seed=seed)


def plot_indices(table: pl.DataFrame, method: str, title: str, path: str | Path) -> None:
    """A bar chart of the indices with their confidence intervals, saved to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = table["factor"].to_list()
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(1.2 * len(names) + 3, 3.6))
    if method == "sobol":
        for offset, index in ((-0.2, "S1"), (0.2, "ST")):
            ax.bar(
                x + offset,
                table[index].to_numpy(),
                0.4,
                yerr=table[f"{index}_conf"].to_numpy(),
                capsize=3,
                label="first order" if index == "S1" else "total",
            )
        ax.set_ylabel("Sobol index")
        ax.legend(frameon=False)
    else:
        ax.bar(
            x, table["mu_star"].to_numpy(), 0.6, yerr=table["mu_star_conf"].to_numpy(), capsize=3
        )
        ax.set_ylabel("Morris μ* (outcome change over the prior range)")
    ax.set_xticks(x, names)
    ax.set_title(title, fontsize=10)
    ax.axhline(0.0, color="grey", linewidth=0.5)
    fig.tight_layout()
    fig.savefig(path, dpi=120, format="png")
    plt.close(fig)
