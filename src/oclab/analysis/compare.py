"""Strategy comparisons: paired ensembles over plausible worlds, at equal budget.

:func:`comparison_study` turns strategies (:mod:`oclab.strategy`) into one study of the
integrated model: the status quo is the baseline, every other strategy a scenario branching at
the restart year from the same history, with the same parameter draws (the same worlds) and the
same noise, so differences are paired run by run. The uncertain couplings (every parameter in
:data:`~oclab.models.integrated_params.COUPLING_PARAMS`) are drawn from their plausible ranges
unless ``uncertain=False``. :func:`comparison_table` reads the paired summary into one row per
strategy, outcome and year, with intervals and the share of worlds in which the strategy does
better than the status quo.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path

import polars as pl

from oclab.errors import InputError
from oclab.models import integrated
from oclab.models.integrated_params import COUPLING_PARAMS
from oclab.strategy import Strategy, load_strategy
from oclab.study import BASELINE, Scenario, Study

UNCERTAIN: tuple[str, ...] = tuple(p.name for p in COUPLING_PARAMS)
RESTART_YEAR = 2022.0
#: Outcomes where less is better (for "share of worlds better than the status quo").
LOWER_IS_BETTER: frozenset[str] = frozenset(
    {
        "homicides",
        "conflict_deaths",
        "clash_deaths",
        "members",
        "recruits",
        "hhi",
        "largest_share",
        "gross_revenue",
        "net_revenue",
        "us_users",
        "us_consumption_tonnes",
        "legitimate_friction",
        "public_spending",
        "gun_supply",
        "corruption",
    }
)
TABLE_OUTCOMES: tuple[str, ...] = (
    "homicides",
    "members",
    "active_groups",
    "largest_share",
    "net_revenue",
    "cost_of_business",
    "us_users",
    "legitimate_friction",
    "legitimacy",
    "corruption",
    "public_spending",
)


def bundled_strategies() -> dict[str, Path]:
    """The strategies shipped with oclab, by name."""
    folder = resources.files("oclab.scenarios").joinpath("strategies")
    return {Path(str(f)).stem: Path(str(f)) for f in folder.iterdir() if f.name.endswith(".toml")}


def resolve_strategies(specs: Sequence[str]) -> list[Strategy]:
    """Strategies from file paths or bundled names (``all``: every bundled strategy)."""
    bundled = bundled_strategies()
    paths: list[Path] = []
    for spec in specs:
        if spec == "all":
            paths += [bundled[name] for name in sorted(bundled)]
        elif spec in bundled and not Path(spec).exists():
            paths.append(bundled[spec])
        else:
            paths.append(Path(spec))
    strategies = [load_strategy(p) for p in paths]
    seen: set[str] = set()
    for s in strategies:
        if s.name in seen:
            raise InputError(s.source, "name", "a strategy name not already compared", s.name)
        seen.add(s.name)
    return strategies


def report_years(years: float) -> tuple[float, ...]:
    """Years after the restart that the summary reports: 2, 5, 10 within the horizon, and it."""
    return tuple(sorted({y for y in (2.0, 5.0, 10.0) if y < years} | {float(years)}))


def comparison_study(
    strategies: Sequence[Strategy],
    *,
    years: float = 10.0,
    runs: int = 200,
    seed: int = 2009,
    uncertain: bool = True,
    params: Mapping[str, float] | None = None,
    chunk_runs: int = 100,
    allow_unequal_budgets: bool = False,
    name: str = "compare",
) -> Study:
    """One study of the integrated model comparing ``strategies`` against the status quo."""
    fixed = integrated.PARAMS.validate(dict(params or {}), "parameters")
    values = integrated.PARAMS.defaults() | fixed
    budgets = {s.budget for s in strategies}
    if len(budgets) > 1 and not allow_unequal_budgets:
        first, other = (
            strategies[0],
            next(s for s in strategies if s.budget != strategies[0].budget),
        )
        raise InputError(
            other.source,
            "budget",
            f"the same budget as {first.name} ({first.budget:,.0f} USD a year) for a comparison "
            "at equal budget (or --allow-unequal-budgets)",
            f"{other.budget:,.0f}",
        )
    for strategy in strategies:
        strategy.check_budget(values)
    status_quo = [s for s in strategies if s.status_quo]
    baseline = Scenario(
        BASELINE,
        description=(status_quo[0].description if status_quo else "every lever at its status quo"),
    )
    scenarios = (baseline, *(s.scenario(RESTART_YEAR) for s in strategies if not s.status_quo))
    priors = {
        p: integrated.PARAMS[p].default_prior for p in UNCERTAIN if uncertain and p not in fixed
    }
    return Study(
        name=name,
        description="Strategies compared at equal budget: " + ", ".join(s.name for s in strategies),
        model=integrated.NAME,
        options={option: allowed[0] for option, allowed in integrated.OPTIONS.items()},
        runs=runs,
        seed=seed,
        scenarios=scenarios,
        chunk_runs=chunk_runs,
        start_year=integrated.START_YEAR,
        restart_year=RESTART_YEAR,
        horizon_years=float(years),
        record_every_weeks=13,
        report_years=report_years(years),
        params=fixed,
        priors=priors,
        source="<compare>",
    )


def comparison_table(
    summary: pl.DataFrame,
    strategies: Iterable[Strategy],
    spending: Mapping[str, float],
    outcomes: Sequence[str] = TABLE_OUTCOMES,
) -> pl.DataFrame:
    """One row per strategy, outcome and report year: mean with 90% interval, paired differences
    against the status quo and today, and the share of worlds where it beats the status quo."""
    titles = {BASELINE: "Status quo 2009"}
    sections = {BASELINE: "I"}
    for s in strategies:
        key = BASELINE if s.status_quo else s.name
        titles[key], sections[key] = s.title, s.section
    rows = summary.filter(pl.col("outcome").is_in(list(outcomes)))
    better = (
        pl.when(pl.col("outcome").is_in(list(LOWER_IS_BETTER)))
        .then(1.0 - pl.col("share_above_baseline"))
        .otherwise(pl.col("share_above_baseline"))
    )
    return rows.select(
        pl.col("scenario").alias("strategy"),
        pl.col("scenario").replace_strict(titles, default=None).alias("title"),
        pl.col("scenario").replace_strict(sections, default=None).alias("section"),
        pl.col("scenario").replace_strict(spending, default=None).alias("spending_usd"),
        "outcome",
        "year",
        "years_after_restart",
        "mean",
        "p05",
        "p95",
        "vs_baseline_mean",
        "vs_baseline_p05",
        "vs_baseline_p95",
        "vs_baseline_pct",
        "vs_today_pct",
        pl.when(pl.col("scenario") == BASELINE).then(None).otherwise(better).alias("share_better"),
    ).sort("years_after_restart", "outcome", "strategy")
