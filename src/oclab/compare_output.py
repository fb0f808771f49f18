"""What ``oclab compare`` and ``oclab claims`` write and print beside the standard results.

Tables as CSV and Markdown, a figure of paired differences against the status quo (matplotlib,
the library the report already uses), and the console table. Pure formatting: the numbers come
from :mod:`oclab.analysis.compare` and :mod:`oclab.claims.engine`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from oclab.analysis.compare import comparison_table
from oclab.core.results import Writer, csv_writer, text_writer
from oclab.models.integrated import PARAMS
from oclab.models.integrated_budget import total_spending
from oclab.strategy import Strategy
from oclab.study import BASELINE, Study

FIGURE_OUTCOMES: tuple[str, ...] = ("homicides", "members", "net_revenue", "legitimacy")


def _spending(strategies: Sequence[Strategy], study: Study) -> dict[str, float]:
    values = PARAMS.defaults() | study.params
    out = {BASELINE: float(total_spending(values))}
    for s in strategies:
        if not s.status_quo:
            out[s.name] = max(s.spending(values))
    return out


def markdown_table(table: pl.DataFrame) -> str:
    """A Markdown table of every column (numbers with 4 significant digits)."""

    def cell(value: object) -> str:
        if isinstance(value, float):
            return f"{value:.4g}"
        return "" if value is None else str(value).replace("|", "/")

    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(map(cell, row)) + " |" for row in table.iter_rows()]
    return "\n".join(lines) + "\n"


def differences_png(table: pl.DataFrame, outcomes: Sequence[str] = FIGURE_OUTCOMES) -> bytes:
    """Paired differences against the status quo (% of its mean, 90% interval), last year."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    last = table["years_after_restart"].max()
    rows = table.filter(pl.col("years_after_restart") == last, pl.col("strategy") != BASELINE)
    height = 0.45 * rows["strategy"].n_unique() + 1.5
    fig, axes = plt.subplots(1, len(outcomes), figsize=(4 * len(outcomes), height), squeeze=False)
    axes = axes[0]
    for ax, outcome in zip(axes, outcomes, strict=True):
        part = rows.filter(pl.col("outcome") == outcome).sort("strategy", descending=True)
        base = part["mean"] - part["vs_baseline_mean"]
        pct = 100 * part["vs_baseline_mean"] / base
        low = 100 * part["vs_baseline_p05"] / base
        high = 100 * part["vs_baseline_p95"] / base
        y = range(part.height)
        ax.barh(list(y), pct.to_list(), color="#4477aa")
        ax.errorbar(
            pct.to_list(),
            list(y),
            xerr=[(pct - low).to_list(), (high - pct).to_list()],
            fmt="none",
            ecolor="black",
            capsize=2,
        )
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_yticks(list(y), part["strategy"].to_list() if ax is axes[0] else [""] * part.height)
        ax.set_title(f"{outcome}, {last:g} years on\nvs status quo (%)", fontsize=9)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return buffer.getvalue()


def compare_outputs(
    strategies: Sequence[Strategy], study: Study, keep: dict[str, Any]
) -> Callable[[pl.DataFrame, pl.DataFrame], Mapping[str, Writer]]:
    """The ``extra_outputs`` hook of :func:`oclab.api.execute` for a comparison."""

    def outputs(results: pl.DataFrame, summary: pl.DataFrame) -> dict[str, Writer]:
        table = comparison_table(summary, strategies, _spending(strategies, study))
        keep["compare"] = table
        png = differences_png(table)
        return {
            "compare.csv": csv_writer(table),
            "compare.md": text_writer(markdown_table(table)),
            "differences.png": lambda path: Path(path).write_bytes(png),
        }

    return outputs


def claims_outputs(
    verdicts: Mapping[str, pl.DataFrame],
) -> Callable[[pl.DataFrame, pl.DataFrame], Mapping[str, Writer]]:
    """The ``extra_outputs`` hook for ``oclab claims`` (the table is computed by ``annotate``)."""

    def outputs(results: pl.DataFrame, summary: pl.DataFrame) -> dict[str, Writer]:
        table = verdicts["table"]
        return {"claims.csv": csv_writer(table), "claims.md": text_writer(markdown_table(table))}

    return outputs


def print_comparison(
    table: pl.DataFrame, outcomes: Sequence[str] = ("homicides", "members")
) -> None:
    """The headline rows at the last year: mean, 90% interval, change vs the status quo."""
    last = table["years_after_restart"].max()
    rows = table.filter(pl.col("years_after_restart") == last, pl.col("outcome").is_in(outcomes))
    print(
        f"{'strategy':<24}{'$bn/yr':>7}  {'outcome':<10}{'mean':>10}{'90% interval':>22}"
        f"{'vs status quo':>15}{'worlds better':>15}"
    )
    for r in rows.sort("outcome", "strategy").iter_rows(named=True):
        better = "" if r["share_better"] is None else f"{r['share_better']:.0%}"
        versus = "" if r["strategy"] == BASELINE else f"{r['vs_baseline_pct']:+.1f}%"
        interval = f"[{r['p05']:,.0f}, {r['p95']:,.0f}]"
        print(
            f"{r['strategy'][:23]:<24}{r['spending_usd'] / 1e9:>7.1f}  {r['outcome']:<10}"
            f"{r['mean']:>10,.0f}{interval:>22}{versus:>15}{better:>15}"
        )
