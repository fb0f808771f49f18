"""Trace analytics: time-to-crime, source states and dealers, trafficking indicators,
corridors from source state to recovery state (table and map), and small-cell suppression.

Functions take the table of :meth:`oclab.traces.store.Registry.frame` (one row per trace) and
are polars group-bys and filters (no loop per trace). :func:`dashboard` computes all of them
for one principal and suppresses small cells where the sharing policy says so.

Trafficking indicators (ATF/DOJ usage, research notes B3): a time-to-crime under 3 years (DOJ
calls 2-3 years "a significant trafficking indicator"), a purchase reported on a multiple-sale
form, an obliterated serial, and a purchaser whose guns were traced more than once.
"""

from __future__ import annotations

import io
import itertools
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import polars as pl
from matplotlib.figure import Figure

from oclab.traces.geo import BORDER, MX_STATES, US_STATES, coordinates
from oclab.traces.policy import Policy, Principal

DAYS_PER_YEAR = 365.25
SHORT_TTC_YEARS = 3.0
TTC_EDGES_YEARS: tuple[float, ...] = (0, 1, 2, 3, 5, 10, 15, 20, 30, 60)


def _ttc_years(frame: pl.DataFrame) -> pl.Series:
    return (frame["time_to_crime_days"].drop_nulls() / DAYS_PER_YEAR).alias("ttc_years")


def ttc_summary(frame: pl.DataFrame) -> dict[str, float | int]:
    """Count, mean, median and the shares under 1 and 3 years of time-to-crime (years)."""
    years = _ttc_years(frame)
    if years.len() == 0:
        return {"n": 0, "mean": float("nan"), "median": float("nan"), "lt1": 0.0, "lt3": 0.0}
    return {
        "n": years.len(),
        "mean": float(years.mean()),
        "median": float(years.median()),
        "lt1": float((years < 1).mean()),
        "lt3": float((years < SHORT_TTC_YEARS).mean()),
    }


def ttc_histogram(frame: pl.DataFrame, edges: tuple[float, ...] = TTC_EDGES_YEARS) -> pl.DataFrame:
    """Traces per time-to-crime bin ``[lo, hi)`` in years."""
    years = _ttc_years(frame)
    pairs = list(itertools.pairwise(edges))
    labels = [f"{lo:g}-{hi:g}" for lo, hi in pairs]
    counts = [int(((years >= lo) & (years < hi)).sum()) for lo, hi in pairs]
    return pl.DataFrame({"years": labels, "traces": counts})


def source_states(frame: pl.DataFrame) -> pl.DataFrame:
    """Completed traces per dealer state, with the share of all completed traces."""
    done = frame.filter(pl.col("dealer_state").fill_null("") != "")
    return (
        done.group_by("dealer_state")
        .agg(pl.len().alias("traces"))
        .with_columns((pl.col("traces") / max(done.height, 1)).alias("share"))
        .sort(["traces", "dealer_state"], descending=[True, False])
    )


def indicators(frame: pl.DataFrame) -> pl.DataFrame:
    """Per trace: the four trafficking indicators and how many apply."""
    repeat = (
        frame.filter(pl.col("purchaser_key").fill_null("") != "")
        .group_by("purchaser_key")
        .agg(pl.len().alias("purchaser_guns"))
    )
    out = frame.join(repeat, on="purchaser_key", how="left").with_columns(
        (pl.col("time_to_crime_days") < SHORT_TTC_YEARS * DAYS_PER_YEAR)
        .fill_null(False)
        .alias("short_ttc"),
        pl.col("multiple_sale").fill_null(False).alias("multiple_sale"),
        pl.col("serial_obliterated").fill_null(False).alias("obliterated"),
        (pl.col("purchaser_guns").fill_null(0) > 1).alias("repeat_purchaser"),
    )
    flags = ["short_ttc", "multiple_sale", "obliterated", "repeat_purchaser"]
    return out.with_columns(pl.sum_horizontal(flags).alias("n_indicators"))


def indicator_counts(frame: pl.DataFrame) -> pl.DataFrame:
    """How many traces show each indicator."""
    flagged = indicators(frame)
    return pl.DataFrame(
        {
            "indicator": ["short_ttc", "multiple_sale", "obliterated", "repeat_purchaser"],
            "traces": [
                int(flagged[c].sum())
                for c in ("short_ttc", "multiple_sale", "obliterated", "repeat_purchaser")
            ],
        }
    )


def dealers(frame: pl.DataFrame, top: int = 20) -> pl.DataFrame:
    """The dealers with the most traced guns, with their short-TTC and flagged counts."""
    flagged = indicators(frame).filter(pl.col("dealer_license").fill_null("") != "")
    return (
        flagged.group_by("dealer_license", "dealer_state")
        .agg(
            pl.len().alias("traces"),
            pl.col("short_ttc").sum().alias("short_ttc"),
            (pl.col("n_indicators") > 0).sum().alias("flagged"),
        )
        .sort(["traces", "dealer_license"], descending=[True, False])
        .head(top)
    )


def corridors(frame: pl.DataFrame) -> pl.DataFrame:
    """Completed traces per (source state, recovery state), with the median TTC in years."""
    return (
        frame.filter(pl.col("dealer_state").fill_null("") != "")
        .group_by(pl.col("dealer_state").alias("source_state"), "recovery_state")
        .agg(
            pl.len().alias("traces"),
            (pl.col("time_to_crime_days").median() / DAYS_PER_YEAR).alias("median_ttc_years"),
        )
        .sort(["traces", "source_state", "recovery_state"], descending=[True, False, False])
    )


def completion(frame: pl.DataFrame) -> pl.DataFrame:
    """Traces by status and failure reason (data-quality diagnostics)."""
    return (
        frame.with_columns(
            pl.col("status").fill_null("pending"), pl.col("failure_reason").fill_null("")
        )
        .group_by("status", "failure_reason")
        .agg(pl.len().alias("traces"))
        .sort(["traces", "status", "failure_reason"], descending=[True, False, False])
    )


def suppress(table: pl.DataFrame, min_cell: int, count: str = "traces") -> pl.DataFrame:
    """Primary small-cell suppression: counts in 1..min_cell-1 (and what derives from them,
    such as shares and medians) become null; a ``suppressed`` column says where."""
    small = (pl.col(count) > 0) & (pl.col(count) < min_cell)
    derived = [c for c in table.columns if c not in (count,) and table[c].dtype.is_numeric()]
    return table.with_columns(
        *(pl.when(small).then(None).otherwise(pl.col(c)).alias(c) for c in [count, *derived]),
        small.alias("suppressed"),
    )


def corridor_map(table: pl.DataFrame, top: int = 25) -> Figure:
    """The ``top`` corridors drawn between state capitals (line width ~ traces)."""
    fig, ax = plt.subplots(figsize=(9, 6.5), layout="constrained")
    lat, lon = zip(*BORDER, strict=True)
    ax.plot(lon, lat, color="0.5", lw=1.2, ls="--", label="US-Mexico border")
    for codes, colour in ((US_STATES, "tab:blue"), (MX_STATES, "tab:red")):
        xs = [v[2] for v in codes.values()]
        ys = [v[1] for v in codes.values()]
        ax.scatter(xs, ys, s=8, color=colour, zorder=3)
    rows = table.drop_nulls("traces").head(top)
    peak = max(rows["traces"].max() or 1, 1) if rows.height else 1
    for row in rows.iter_rows(named=True):
        start, end = coordinates(row["source_state"]), coordinates(row["recovery_state"])
        if start is None or end is None:
            continue
        ax.annotate(
            "",
            xy=(end[1], end[0]),
            xytext=(start[1], start[0]),
            arrowprops={
                "arrowstyle": "-|>",
                "lw": 0.5 + 6.0 * row["traces"] / peak,
                "color": "tab:purple",
                "alpha": 0.55,
                "connectionstyle": "arc3,rad=0.15",
            },
        )
    for code in set(rows["source_state"].to_list()) | set(rows["recovery_state"].to_list()):
        point = coordinates(code)
        if point:
            ax.annotate(
                code, (point[1], point[0]), fontsize=7, xytext=(2, 2), textcoords="offset points"
            )
    ax.set_xlim(-125, -85)
    ax.set_ylim(14, 42)
    ax.set_xlabel("longitude (°)")
    ax.set_ylabel("latitude (°)")
    ax.set_aspect(1.15)
    ax.legend(loc="lower left", fontsize=8)
    return fig


def figure_png(fig: Figure) -> bytes:
    """A figure as PNG bytes (and closes it)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()


def dashboard(frame: pl.DataFrame, policy: Policy, who: Principal) -> dict[str, Any]:
    """Every aggregate for ``who``: TTC summary and histogram, source states, dealers,
    indicators, corridors and completion; small cells suppressed where the policy says."""
    tables = {
        "ttc_histogram": ttc_histogram(frame),
        "source_states": source_states(frame),
        "dealers": dealers(frame),
        "indicators": indicator_counts(frame),
        "corridors": corridors(frame),
        "completion": completion(frame),
    }
    summary = ttc_summary(frame)
    suppressed = policy.suppressed(who)
    if suppressed:
        tables = {name: suppress(t, policy.min_cell) for name, t in tables.items()}
        tables["dealers"] = tables["dealers"].drop("dealer_license")  # no dealer-level data
        if summary["n"] < policy.min_cell:
            summary = {k: None for k in summary}
    return {"ttc": summary, "tables": tables, "suppressed": suppressed, "rows": frame.height}
