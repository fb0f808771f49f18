"""The reporting-threshold trade-off: reports filed, analyst time, laundering caught, burden.

Cash reports follow the US currency-transaction-report logic: the cash an account moves in a
day is aggregated (31 CFR 1010.313) and a report is filed when the day's total reaches the
threshold. For each threshold and analyst capacity the sweep gives reports per day, analyst
hours needed, review coverage, backlog and time to clear it, the share of laundered cash caught
when a share of launderers adapts by splitting deposits below the threshold, the deposits a
launderer then needs per $100,000, and the burden on legitimate customers. Report section I.A.3
(Wilson Center 2009): reports are useless without the capacity to digest them, and lower
thresholds slow legitimate commerce.

The output table is the laundering lever of the integrated model: ``caught_share`` per
(threshold, analysts) with the burden it costs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import polars as pl

from oclab.core.params import Parameter, ParamSet
from oclab.finint.features import base_columns

#: Thresholds of the US debate: the $10,000 CTR, $3,000 (recordkeeping for monetary
#: instruments), $1,000 and the $200 of the 2025 south-west border geographic targeting order.
DEFAULT_THRESHOLDS: tuple[float, ...] = (200.0, 1_000.0, 3_000.0, 10_000.0)
DEFAULT_ANALYSTS: tuple[int, ...] = (5, 20, 100)

PARAMS = ParamSet(
    [
        Parameter(
            "minutes_per_report",
            "min",
            20.0,
            10.0,
            60.0,
            source="assumption (no published per-report review time; wide range)",
            description="analyst minutes to review one report",
            minimum=0.1,
        ),
        Parameter(
            "hours_per_analyst",
            "h/day",
            6.0,
            4.0,
            7.5,
            source="assumption (productive hours in an 8-hour day)",
            description="review hours per analyst per day",
            minimum=0.1,
        ),
        Parameter(
            "detect_given_review",
            "share",
            0.5,
            0.2,
            0.8,
            source="assumption (share of reviewed laundering reports an analyst recognises)",
            description="chance a reviewed laundering report leads to a case",
            maximum=1.0,
        ),
        Parameter(
            "adapt_share",
            "share",
            0.8,
            0.5,
            1.0,
            source="assumption; FinCEN FY2023: 1.31M of 4.6M SARs flagged structuring "
            "(TARGETS.md §6), i.e. adaptation below the threshold is common",
            description="share of launderers who split deposits to stay below the threshold",
            maximum=1.0,
        ),
        Parameter(
            "structuring_caught",
            "share",
            0.2,
            0.05,
            0.5,
            source="assumption (structuring rules catch a minority of split deposits)",
            description="chance an adapted (split) flow is still reported as structuring",
            maximum=1.0,
        ),
        Parameter(
            "customer_minutes_per_report",
            "min",
            10.0,
            5.0,
            30.0,
            source="assumption (identification and form at the counter)",
            description="minutes a legitimate customer loses per report",
        ),
    ]
)


#: The threshold the base columns are made for here (any would do: only amounts, accounts,
#: days and the cash flag are used, not the near-threshold flag).
BASE_THRESHOLD = 10_000.0


def daily_cash(tx: pl.DataFrame, derived: pl.DataFrame | None = None) -> pl.DataFrame:
    """Cash per (account, day): total USD and whether any of it is laundering.

    ``derived`` is ``row_columns(BASE_THRESHOLD)`` already evaluated on ``tx`` by the loader
    (see :func:`oclab.finint.features.base_columns`); without it they are computed here.
    """
    base = base_columns(tx, BASE_THRESHOLD, derived)
    return (
        pl.DataFrame(
            {
                "acct": base["src"],
                "day": base["minute"] // 1440,
                "usd": base["usd"],
                "laundering": tx["is_laundering"].cast(pl.Boolean),
            }
        )
        .filter(base["cash"])
        .group_by("acct", "day")
        .agg(pl.col("usd").sum(), pl.col("laundering").any(), n=pl.len())
    )


def sweep(
    tx: pl.DataFrame,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    analysts: Sequence[int] = DEFAULT_ANALYSTS,
    params: dict[str, float] | None = None,
    derived: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per (threshold, analysts): volumes, capacity, laundering caught and burden.

    ``derived``: the loader's row columns for ``tx``, as in :func:`daily_cash`.
    """
    p = PARAMS.defaults() | (params or {})
    days = max(1.0, (tx["ts"].max() - tx["ts"].min()).total_seconds() / 86400)
    cash = daily_cash(tx, derived)
    usd = cash["usd"].to_numpy()
    dirty = cash["laundering"].to_numpy()
    acct = cash["acct"].to_numpy()
    dirty_total = usd[dirty].sum()
    legit_accounts = np.unique(acct[~dirty]).size
    legit_cash_days = int((~dirty).sum())
    rows = []
    for threshold in thresholds:
        filed = usd >= threshold
        reports_per_day = filed.sum() / days
        legit_reports = filed & ~dirty
        stays = dirty & filed  # laundering days that would be reported without adaptation
        value_reported = (1 - p["adapt_share"]) * usd[stays].sum()
        value_split = p["adapt_share"] * usd[stays].sum()
        for n_analysts in analysts:
            per_day = n_analysts * p["hours_per_analyst"] * 60 / p["minutes_per_report"]
            coverage = 1.0 if reports_per_day == 0 else min(1.0, per_day / reports_per_day)
            caught = (
                coverage
                * p["detect_given_review"]
                * (value_reported + p["structuring_caught"] * value_split)
            )
            backlog = max(0.0, (reports_per_day - per_day) * days)
            rows.append(
                {
                    "threshold_usd": float(threshold),
                    "analysts": int(n_analysts),
                    "reports_per_day": reports_per_day,
                    "analyst_hours_needed_per_day": reports_per_day * p["minutes_per_report"] / 60,
                    "reviews_per_day": min(per_day, reports_per_day),
                    "review_coverage": coverage,
                    "backlog_reports": backlog,
                    "days_to_clear_backlog": backlog / per_day if per_day else math.inf,
                    "caught_share": caught / dirty_total if dirty_total else float("nan"),
                    "deposits_per_100k_usd": math.ceil(100_000 / (0.95 * threshold)),
                    "legit_cash_accounts_reported_share": (
                        np.unique(acct[legit_reports]).size / legit_accounts
                        if legit_accounts
                        else 0.0
                    ),
                    "legit_cash_days_reported_share": (
                        legit_reports.sum() / legit_cash_days if legit_cash_days else 0.0
                    ),
                    "customer_hours_per_day": legit_reports.sum()
                    / days
                    * p["customer_minutes_per_report"]
                    / 60,
                }
            )
    return pl.DataFrame(rows)


def plot(table: pl.DataFrame, path: str) -> None:
    """Share of laundered cash caught against reports per day, one curve per capacity."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for (n_analysts,), part in table.sort("threshold_usd").group_by(
        "analysts", maintain_order=True
    ):
        ax.plot(
            part["reports_per_day"], 100 * part["caught_share"], marker="o", label=f"{n_analysts}"
        )
        for x, y, t in zip(
            part["reports_per_day"], part["caught_share"], part["threshold_usd"], strict=True
        ):
            ax.annotate(
                f"${t:,.0f}", (x, 100 * y), fontsize=7, xytext=(3, 3), textcoords="offset points"
            )
    ax.set_xscale("symlog")
    ax.set_xlabel("reports filed per day")
    ax.set_ylabel("laundered cash caught (%)")
    ax.legend(title="analysts")
    ax.set_title("Reporting threshold vs. capacity to digest reports")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def lever(table: pl.DataFrame, params: dict[str, float] | None = None) -> dict[str, object]:
    """The document an integrated model reads: caught share and burden per setting."""
    return {
        "kind": "oclab.finint.thresholds",
        "outcome": "caught_share: share of laundered cash leading to a case",
        "params": PARAMS.defaults() | (params or {}),
        "rows": table.select(
            "threshold_usd",
            "analysts",
            "caught_share",
            "reports_per_day",
            "legit_cash_accounts_reported_share",
            "customer_hours_per_day",
        ).to_dicts(),
    }
