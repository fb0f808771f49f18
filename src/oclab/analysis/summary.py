"""Ensemble summaries with intervals, each scenario compared in pairs with today and the baseline.

For every scenario, national outcome and report year (years after the restart), the summary
gives the ensemble mean and the 5th, 50th and 95th percentiles, and two paired differences
computed run by run: against the same run's state at the restart year ("today") and against the
same run under the baseline scenario at the same time ("baseline projection").
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from oclab.study import BASELINE, WEEKS_PER_YEAR

SUMMARY_COLUMNS: tuple[str, ...] = (
    "scenario",
    "outcome",
    "year",
    "years_after_restart",
    "runs",
    "mean",
    "p05",
    "p50",
    "p95",
    "today_mean",
    "vs_today_mean",
    "vs_today_p05",
    "vs_today_p95",
    "vs_today_pct",
    "share_above_today",
    "baseline_mean",
    "vs_baseline_mean",
    "vs_baseline_p05",
    "vs_baseline_p95",
    "vs_baseline_pct",
    "share_above_baseline",
)


def _interval(column: str, prefix: str) -> list[pl.Expr]:
    return [
        pl.col(column).mean().alias(f"{prefix}_mean"),
        pl.col(column).quantile(0.05, "linear").alias(f"{prefix}_p05"),
        pl.col(column).quantile(0.95, "linear").alias(f"{prefix}_p95"),
    ]


def summarize(
    results: pl.DataFrame, start_year: float, restart_year: float, report_years: Iterable[float]
) -> pl.DataFrame:
    """The summary table (columns :data:`SUMMARY_COLUMNS`) of a tidy results table."""
    national = results.filter(pl.col("group").is_null())
    restart_week = round((restart_year - start_year) * WEEKS_PER_YEAR)
    weeks = {restart_week + round(y * WEEKS_PER_YEAR): float(y) for y in report_years}
    keys = ["scenario", "run", "outcome"]
    today = national.filter(pl.col("week") == restart_week).select(*keys, today=pl.col("value"))
    at = national.filter(pl.col("week").is_in(list(weeks)))
    baseline = at.filter(pl.col("scenario") == BASELINE).select(
        "run", "outcome", "week", baseline=pl.col("value")
    )
    paired = (
        at.join(today, on=keys, how="left")
        .join(baseline, on=["run", "outcome", "week"], how="left")
        .with_columns(
            d_today=pl.col("value") - pl.col("today"),
            d_base=pl.col("value") - pl.col("baseline"),
        )
    )
    summary = paired.group_by("scenario", "outcome", "week", "time").agg(
        pl.len().alias("runs"),
        pl.col("value").mean().alias("mean"),
        pl.col("value").quantile(0.05, "linear").alias("p05"),
        pl.col("value").quantile(0.50, "linear").alias("p50"),
        pl.col("value").quantile(0.95, "linear").alias("p95"),
        pl.col("today").mean().alias("today_mean"),
        *_interval("d_today", "vs_today"),
        (pl.col("value") > pl.col("today")).mean().alias("share_above_today"),
        pl.col("baseline").mean().alias("baseline_mean"),
        *_interval("d_base", "vs_baseline"),
        (pl.col("value") > pl.col("baseline")).mean().alias("share_above_baseline"),
    )
    return (
        summary.with_columns(
            year=pl.col("time"),
            years_after_restart=pl.col("week").replace_strict(weeks, return_dtype=pl.Float64),
            vs_today_pct=100.0 * pl.col("vs_today_mean") / pl.col("today_mean"),
            vs_baseline_pct=100.0 * pl.col("vs_baseline_mean") / pl.col("baseline_mean"),
        )
        .select(SUMMARY_COLUMNS)
        .sort("years_after_restart", "outcome", "scenario")
        # Plain strings, so the table is the same in memory and reloaded from summary.csv.
        .with_columns(pl.col("scenario", "outcome").cast(pl.String))
    )
