"""Scenario discovery: the conditions under which a strategy fails a goal, as boxes.

**PRIM** (Patient Rule Induction Method; Friedman & Fisher 1999, "Bump hunting in
high-dimensional data", *Statistics and Computing* 9:123–143) starts from the box holding every
experiment and repeatedly *peels* a slice holding a fraction ``alpha`` of the points still in
the box off one side of one factor, choosing at each step the slice whose removal leaves the
highest share of cases of interest. The sequence of boxes is the *peeling trajectory*. Bryant &
Lempert (2010, "Thinking inside the box", *Technological Forecasting and Social Change*
77:34–49) read it as a trade-off between **coverage** (share of all cases of interest that fall
in the box), **density** (share of the box's points that are cases of interest) and
interpretability (number of restricted factors); the analyst picks a box on it. Here the chosen
box is the one with the highest coverage among those with density at least ``threshold`` (or
the densest one if none reaches it). The pasting phase of Friedman & Fisher is not applied.

PRIM is written here with numpy (each step evaluates every candidate peel as a vectorised
quantile cut); **CART** (Breiman et al. 1984) comes from scikit-learn's decision tree, and its
leaves are reported as boxes with the same coverage and density.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from oclab.errors import InputError


@dataclass(frozen=True)
class PrimResult:
    """A peeling trajectory, the boxes along it and the chosen one."""

    names: tuple[str, ...]
    trajectory: pl.DataFrame  # step, coverage, density, mass, restricted, n_in_box
    lows: np.ndarray  # (steps, factors): each box's lower limits
    highs: np.ndarray  # (steps, factors)
    chosen: int

    def box(self, step: int | None = None) -> pl.DataFrame:
        """The limits of box ``step`` (the chosen one by default); restricted factors first."""
        k = self.chosen if step is None else step
        first_low, first_high = self.lows[0], self.highs[0]
        low, high = self.lows[k], self.highs[k]
        restricted = (low > first_low) | (high < first_high)
        table = pl.DataFrame(
            {
                "factor": list(self.names),
                "low": low,
                "high": high,
                "full_low": first_low,
                "full_high": first_high,
                "restricted": restricted,
            }
        )
        return table.sort("restricted", descending=True, maintain_order=True)


def _checked(x: np.ndarray, y: np.ndarray, names: list[str] | tuple[str, ...]) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    y = np.asarray(y)
    if x.ndim != 2 or x.shape[0] != y.shape[0] or x.shape[1] != len(names):
        raise ValueError("x must be (experiments, factors) with one name per factor and y per row")
    if y.dtype != bool:
        raise ValueError("y must be boolean: True marks a case of interest")
    if not y.any():
        raise InputError("discover", "cases", "at least one case of interest (goal never failed)")
    return x


def prim(
    x: np.ndarray,
    y: np.ndarray,
    names: list[str] | tuple[str, ...],
    *,
    alpha: float = 0.05,
    min_mass: float = 0.05,
    threshold: float = 0.8,
) -> PrimResult:
    """Peel boxes around the cases of interest ``y`` (boolean per row of ``x``).

    ``alpha`` is the share of the box's points removed per peel; peeling stops before the box
    would hold fewer than ``min_mass`` of all points, or once it holds only cases of interest.
    """
    x = _checked(x, y, names)
    n, k = x.shape
    yf = y.astype(float)
    total_cases = yf.sum()
    low, high = x.min(axis=0), x.max(axis=0)
    inside = np.ones(n, dtype=bool)
    lows, highs, rows = [low.copy()], [high.copy()], []

    def record(step: int) -> None:
        in_box = inside.sum()
        cases = yf[inside].sum()
        restricted = int(((low > lows[0]) | (high < highs[0])).sum())
        rows.append((step, cases / total_cases, cases / in_box, in_box / n, restricted, in_box))

    record(0)
    while True:
        xb, yb = x[inside], yf[inside]
        if yb.mean() >= 1.0:
            break
        # every candidate peel at once: for each factor, cut the alpha and 1-alpha quantiles
        cut_low = np.quantile(xb, alpha, axis=0, method="higher")
        cut_high = np.quantile(xb, 1.0 - alpha, axis=0, method="lower")
        keep_low = xb >= cut_low  # (points, factors): points kept by raising that lower limit
        keep_high = xb <= cut_high
        keeps = np.concatenate([keep_low, keep_high], axis=1)  # (points, 2k)
        kept = keeps.sum(axis=0)
        removes_some = kept < len(yb)
        big_enough = kept >= min_mass * n
        candidates = removes_some & big_enough
        if not candidates.any():
            break
        density = np.where(candidates, (keeps * yb[:, None]).sum(axis=0) / np.maximum(kept, 1), -1)
        # highest density; among ties the peel removing the fewest points (Friedman & Fisher)
        best = np.lexsort((-kept, -density))[0]
        j = best % k
        if best < k:
            low = low.copy()
            low[j] = cut_low[j]
        else:
            high = high.copy()
            high[j] = cut_high[j]
        inside &= (x[:, j] >= low[j]) & (x[:, j] <= high[j])
        lows.append(low)
        highs.append(high)
        record(len(rows))
    trajectory = pl.DataFrame(
        rows,
        schema=["step", "coverage", "density", "mass", "restricted", "n_in_box"],
        orient="row",
    )
    return PrimResult(
        tuple(names), trajectory, np.array(lows), np.array(highs), _choose(trajectory, threshold)
    )


def _choose(trajectory: pl.DataFrame, threshold: float) -> int:
    dense = trajectory.filter(pl.col("density") >= threshold)
    if dense.height:
        return int(dense.sort(["coverage", "step"], descending=[True, False])["step"][0])
    return int(trajectory.sort(["density", "step"], descending=[True, False])["step"][0])


def cart(
    x: np.ndarray,
    y: np.ndarray,
    names: list[str] | tuple[str, ...],
    *,
    max_depth: int = 3,
    min_leaf: float = 0.05,
    seed: int = 0,
) -> pl.DataFrame:
    """A classification tree for ``y``; one row per leaf with its box, coverage and density.

    ``min_leaf`` is the smallest leaf as a share of all experiments. Leaves predicting the case
    of interest come first, by density.
    """
    from sklearn.tree import DecisionTreeClassifier  # imported lazily: heavy

    x = _checked(x, y, names)
    tree = DecisionTreeClassifier(
        max_depth=max_depth, min_samples_leaf=max(1, int(min_leaf * len(y))), random_state=seed
    ).fit(x, y)
    structure = tree.tree_
    k = x.shape[1]
    bounds = {0: (x.min(axis=0), x.max(axis=0))}
    leaves = []
    for node in range(structure.node_count):  # parents come before children in sklearn's trees
        low, high = bounds[node]
        left, right = structure.children_left[node], structure.children_right[node]
        if left == -1:
            leaves.append(node)
            continue
        j, cut = structure.feature[node], structure.threshold[node]
        left_high, right_low = high.copy(), low.copy()
        left_high[j], right_low[j] = min(high[j], cut), max(low[j], cut)
        bounds[left], bounds[right] = (low, left_high), (right_low, high)
    leaf_of = tree.apply(x)
    total_cases = y.sum()
    rows = []
    for leaf in leaves:
        member = leaf_of == leaf
        cases = y[member].sum()
        low, high = bounds[leaf]
        row = {
            "leaf": int(leaf),
            "predicts_case": bool(cases * 2 > member.sum()),
            "coverage": cases / total_cases,
            "density": cases / member.sum(),
            "mass": member.mean(),
        }
        row |= {f"{names[j]}_low": float(low[j]) for j in range(k)}
        row |= {f"{names[j]}_high": float(high[j]) for j in range(k)}
        rows.append(row)
    return pl.DataFrame(rows).sort(["predicts_case", "density"], descending=True)


def plot_trajectory(result: PrimResult, title: str, path: str | Path) -> None:
    """Coverage against density along the peeling trajectory, the chosen box marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = result.trajectory
    fig, ax = plt.subplots(figsize=(5.2, 4.2))
    points = ax.scatter(t["coverage"], t["density"], c=t["restricted"], cmap="viridis", s=18)
    chosen = t.row(result.chosen, named=True)
    ax.scatter(
        [chosen["coverage"]], [chosen["density"]], s=120, facecolors="none", edgecolors="red"
    )
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.set_title(title, fontsize=10)
    fig.colorbar(points, ax=ax, label="restricted factors")
    fig.tight_layout()
    fig.savefig(path, dpi=120, format="png")
    plt.close(fig)


def goal_failures(
    folder: str | Path,
    outcome: str,
    years: float,
    scenario: str | None = None,
    *,
    versus: str | None = None,
    above: float | None = None,
    below: float | None = None,
) -> tuple[list[str], np.ndarray, np.ndarray, str]:
    """The factors, their values per run and where the goal fails, from a sweep folder.

    The judged value is ``outcome`` at ``years`` after the restart in ``scenario`` or, with
    ``versus``, its difference to the same run in scenario ``versus`` (paired: same world, same
    noise). The goal fails where that value is ``above`` (or ``below``) the given number.
    Returns ``(factor names, x, failed, label)``.
    """
    from oclab.analysis.sensitivity import check_choice
    from oclab.sweep import outcome_column
    from oclab.sweep_store import load_spec, scan_sweep

    if (above is None) == (below is None):
        raise InputError("discover", "goal", "exactly one of --fails-above or --fails-below")
    spec = load_spec(folder)
    scenario = scenario or spec["scenarios"][0]
    check_choice(folder, spec, outcome, years, scenario)
    if versus is not None:
        check_choice(folder, spec, outcome, years, versus)
    names = list(spec["factors"])
    column = outcome_column(outcome, years)
    lazy = scan_sweep(folder).select("scenario", "run", *names, column)
    table = lazy.filter(pl.col("scenario") == scenario).sort("run").collect()
    value = table[column].to_numpy()
    label = f"{outcome} {years:g} years after restart in {scenario!r}"
    if versus is not None:
        other = lazy.filter(pl.col("scenario") == versus).sort("run").collect()
        value = value - other[column].to_numpy()
        label += f" minus {versus!r}"
    failed = value > above if above is not None else value < below
    label += f" {'>' if above is not None else '<'} {above if above is not None else below:g}"
    return names, table.select(names).to_numpy(), failed, label
