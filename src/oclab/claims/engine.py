"""Compute the verdict of every claim from a paired ensemble of the integrated model.

For each claim: the share of worlds (runs) in which all its conditions hold; the verdict
``supported`` (share >= :data:`SUPPORTED`), ``not supported`` (share <= :data:`REJECTED`) or
``depends``; and, for ``depends``, what it depends on: a depth-two classification tree
(scikit-learn) of "holds" on the uncertain parameters, reported as the first split with the
share of worlds that agree on each side. Thresholds are conventions, stated in the output.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from oclab.analysis.compare import comparison_study, resolve_strategies
from oclab.claims.catalogue import CLAIMS, Claim, Condition, Value, variant_documents
from oclab.errors import InputError
from oclab.strategy import Strategy, strategy_from_dict
from oclab.study import BASELINE, WEEKS_PER_YEAR, Study

SUPPORTED = 0.8
REJECTED = 0.2
VERDICT_COLUMNS: tuple[str, ...] = (
    "claim",
    "section",
    "finding",
    "verdict",
    "share_holds",
    "worlds",
    "depends_on",
    "test",
)


def needed_strategies(claims: Sequence[Claim] = CLAIMS) -> list[Strategy]:
    """The status quo and every strategy or variant the claims compare."""
    names = sorted({s for c in claims for s in c.strategies()} - {BASELINE})
    variants = variant_documents()
    bundled = [n for n in names if n not in variants]
    strategies = resolve_strategies(["status-quo-2009", *bundled])
    extra = [strategy_from_dict(variants[n], f"<variant {n}>") for n in names if n in variants]
    return strategies + extra


def claims_study(
    *,
    runs: int = 200,
    seed: int = 2009,
    params: Mapping[str, float] | None = None,
    uncertain: bool = True,
    claims: Sequence[Claim] = CLAIMS,
) -> Study:
    """The one study every claim is computed from (ten years, the strategies they need)."""
    years = max(
        v.years or 0.0 for c in claims for cond in c.conditions for v in (cond.left, cond.right)
    )
    return comparison_study(
        needed_strategies(claims),
        years=max(10.0, years),
        runs=runs,
        seed=seed,
        params=params,
        uncertain=uncertain,
        name="claims",
    )


@dataclass(frozen=True)
class RunValues:
    """Outcomes per run at the report years: ``get(value)`` is an array ordered by run."""

    table: dict[tuple[str, str, float | None], np.ndarray]

    @classmethod
    def from_results(cls, results: pl.DataFrame, study: Study) -> RunValues:
        restart = study.restart_week
        weeks = {restart: None} | {
            restart + round(y * WEEKS_PER_YEAR): float(y) for y in study.report_years
        }
        rows = (
            results.filter(pl.col("group").is_null(), pl.col("week").is_in(list(weeks)))
            .select(
                pl.col("scenario").cast(pl.String),
                pl.col("outcome").cast(pl.String),
                "week",
                "run",
                "value",
            )
            .sort("scenario", "outcome", "week", "run")
        )
        table: dict[tuple[str, str, float | None], np.ndarray] = {}
        for (scenario, outcome, week), part in rows.group_by(
            ["scenario", "outcome", "week"], maintain_order=True
        ):
            table[(str(scenario), str(outcome), weeks[int(week)])] = part["value"].to_numpy()
        return cls(table)

    def get(self, value: Value) -> np.ndarray:
        strategy = BASELINE if value.years is None else value.strategy
        key = (strategy, value.outcome, value.years)
        if key not in self.table:
            raise InputError("claims", value.label(), "an outcome recorded by the study")
        return self.table[key]


def holds(condition: Condition, values: RunValues) -> np.ndarray:
    """Per run: does the condition hold?"""
    left, right = values.get(condition.left), condition.factor * values.get(condition.right)
    return left < right if condition.op == "<" else left > right


def _depends_on(ok: np.ndarray, params: pl.DataFrame) -> str:
    """The first split of a depth-two tree of ``ok`` on the uncertain parameters, in words."""
    from sklearn.tree import DecisionTreeClassifier  # heavy: imported when needed

    names = [c for c in params.columns if c != "run" and params[c].n_unique() > 1]
    if not names or ok.all() or not ok.any():
        return ""
    x = params.select(names).to_numpy()
    tree = DecisionTreeClassifier(max_depth=2, min_samples_leaf=max(1, len(ok) // 20))
    tree.fit(x, ok)
    feature, cut = int(tree.tree_.feature[0]), float(tree.tree_.threshold[0])
    if feature < 0:
        return ""
    below = x[:, feature] <= cut
    importance = sorted(zip(tree.feature_importances_, names, strict=True), reverse=True)
    others = [n for w, n in importance[1:3] if w > 0.05]
    text = (
        f"{names[feature]}: holds in {ok[below].mean():.0%} of worlds with "
        f"{names[feature]} <= {cut:.3g}, {ok[~below].mean():.0%} above"
    )
    return text + (f"; then {', '.join(others)}" if others else "")


def verdict(share: float) -> str:
    """Supported, not supported or depends, by the share of worlds in which a claim holds."""
    if share >= SUPPORTED:
        return "supported"
    if share <= REJECTED:
        return "not supported"
    return "depends"


def evaluate(
    results: pl.DataFrame, study: Study, params: pl.DataFrame, claims: Sequence[Claim] = CLAIMS
) -> pl.DataFrame:
    """The verdict table (columns :data:`VERDICT_COLUMNS`), one row per claim."""
    values = RunValues.from_results(results, study)
    params = params.sort("run").select("run", *(p for p in study.priors))
    rows = []
    for claim in claims:
        ok = np.logical_and.reduce([holds(c, values) for c in claim.conditions])
        share = float(ok.mean())
        label = verdict(share)
        rows.append(
            {
                "claim": claim.id,
                "section": claim.section,
                "finding": claim.text,
                "verdict": label,
                "share_holds": share,
                "worlds": int(ok.size),
                "depends_on": _depends_on(ok, params) if label == "depends" else "",
                "test": " and ".join(c.label() for c in claim.conditions),
            }
        )
    return pl.DataFrame(rows).select(VERDICT_COLUMNS)
