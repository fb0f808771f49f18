"""Static figures for the study report, each returned as PNG bytes.

Every figure is drawn on its own :class:`matplotlib.figure.Figure` and rendered by the
non-interactive Agg canvas, so nothing here touches pyplot's global state or needs a display.
Ensemble quantiles are computed with vectorised polars aggregations; Python loops only run over
scenarios (one line or bar set each) while plotting.

Colours follow the Okabe–Ito palette, which stays distinguishable for colour-blind readers; past
eight scenarios the colours repeat with a different line style.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Sequence

import polars as pl
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from oclab.report.i18n import N_

OKABE_ITO: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#F0E442",
)
_LINESTYLES: tuple[str, ...] = ("-", "--", "-.", ":")
HISTORY_COLOUR = "#555555"
GROUP_OUTCOME = "group_members"

OUTCOME_LABELS: dict[str, str] = {
    "members": N_("members (people)"),
    "deaths_weekly": N_("deaths per week"),
    "recruits_weekly": N_("recruits per week"),
    "incapacitations_weekly": N_("incapacitations per week"),
    "saturation_weekly": N_("exits from saturation per week"),
    "active_groups": N_("active groups (count)"),
    "largest_share": N_("largest group's share of members"),
    "hhi": N_("Herfindahl–Hirschman index (0–1)"),
}

Gettext = Callable[[str], str]


def _english(message: str) -> str:
    """The identity: English is the source language."""
    return message


def outcome_label(outcome: str, gettext: Gettext = _english) -> str:
    """A readable axis label, with units, for a national outcome (translated by ``gettext``)."""
    label = OUTCOME_LABELS.get(outcome)
    return gettext(label) if label else outcome.replace("_", " ")


def png_data_uri(png: bytes) -> str:
    """A ``data:image/png;base64,...`` URI embedding ``png`` in an HTML document."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def scenario_style(index: int) -> tuple[str, str]:
    """The colour and line style of the scenario drawn ``index``-th."""
    return OKABE_ITO[index % len(OKABE_ITO)], _LINESTYLES[(index // len(OKABE_ITO)) % 4]


def _text(label: str) -> str:
    """``label`` made safe for matplotlib: no mathtext, not hidden from the legend."""
    label = label.replace("$", r"\$")
    return " " + label if label.startswith("_") else label


def _new_figure(width: float, height: float, dpi: int) -> Figure:
    """A figure with its own Agg canvas (no pyplot, no global state)."""
    fig = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _to_png(fig: Figure, dpi: int) -> bytes:
    """Render ``fig`` to PNG bytes (without the software tag, so output is reproducible)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def _order(present: Sequence[str], scenarios: Sequence[str] | None) -> list[str]:
    """Scenarios in ``present``, in the order of ``scenarios`` first, then as they appear."""
    wanted = [s for s in (scenarios or []) if s in present]
    return wanted + [s for s in present if s not in wanted]


def outcome_bands(results: pl.DataFrame, outcome: str) -> pl.DataFrame:
    """5th, 50th and 95th percentiles across runs of a national outcome, per scenario and time.

    Columns ``scenario, week, time, p05, p50, p95``, sorted by scenario and week.
    """
    return (
        results.filter((pl.col("outcome") == outcome) & pl.col("group").is_null())
        .group_by("scenario", "week", "time")
        .agg(
            pl.col("value").quantile(0.05, "linear").alias("p05"),
            pl.col("value").quantile(0.50, "linear").alias("p50"),
            pl.col("value").quantile(0.95, "linear").alias("p95"),
        )
        .sort("scenario", "week")
    )


def _draw_bands(
    ax: Axes,
    bands: pl.DataFrame,
    restart_year: float | None,
    scenarios: Sequence[str] | None,
    baseline: str,
    gettext: Gettext = _english,
) -> None:
    """Median lines with shaded 5–95% bands; the shared history is drawn once, in grey."""
    _ = gettext
    present = bands.get_column("scenario").unique(maintain_order=True).to_list()
    order = _order(present, scenarios)
    if restart_year is not None and order:
        reference = baseline if baseline in order else order[0]
        history = bands.filter(
            (pl.col("scenario") == reference) & (pl.col("time") <= restart_year + 1e-9)
        )
        if history.height:
            t = history.get_column("time").to_numpy()
            ax.fill_between(
                t,
                history["p05"].to_numpy(),
                history["p95"].to_numpy(),
                color=HISTORY_COLOUR,
                alpha=0.15,
                linewidth=0,
            )
            ax.plot(
                t,
                history["p50"].to_numpy(),
                color=HISTORY_COLOUR,
                linewidth=1.6,
                label=_("history (shared)"),
            )
    for index, name in enumerate(order):
        rows = bands.filter(pl.col("scenario") == name)
        if restart_year is not None:
            rows = rows.filter(pl.col("time") >= restart_year - 1e-9)
        if not rows.height:
            continue
        colour, style = scenario_style(index)
        t = rows.get_column("time").to_numpy()
        ax.fill_between(
            t,
            rows["p05"].to_numpy(),
            rows["p95"].to_numpy(),
            color=colour,
            alpha=0.18,
            linewidth=0,
        )
        ax.plot(
            t,
            rows["p50"].to_numpy(),
            color=colour,
            linestyle=style,
            linewidth=1.8,
            label=_text(name),
        )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter("{x:.0f}")
    if restart_year is not None:
        ax.axvline(
            restart_year,
            color="#333333",
            linestyle="--",
            linewidth=1.0,
            label=_("restart ({year})").format(year=f"{restart_year:g}"),
        )


def outcome_over_time_png(
    results: pl.DataFrame,
    outcome: str,
    *,
    restart_year: float | None = None,
    scenarios: Sequence[str] | None = None,
    baseline: str = "baseline",
    title: str | None = None,
    ylabel: str | None = None,
    dpi: int = 100,
    gettext: Gettext = _english,
) -> bytes:
    """A national outcome over time: each scenario's median with a shaded 5–95% band.

    The shared history up to ``restart_year`` is drawn once (grey) and a dashed vertical line
    marks the restart. ``scenarios`` fixes the drawing order (and hence the colours);
    ``gettext`` translates the labels.
    """
    _ = gettext
    fig = _new_figure(8.0, 4.4, dpi)
    ax = fig.add_subplot()
    _draw_bands(ax, outcome_bands(results, outcome), restart_year, scenarios, baseline, gettext)
    label = outcome_label(outcome, gettext)
    ax.set_xlabel(_("year"))
    ax.set_ylabel(ylabel or label)
    ax.set_title(title or _("{outcome}: median and 5–95% band").format(outcome=label.capitalize()))
    ax.grid(True, alpha=0.3)
    ax.ticklabel_format(axis="y", style="plain", useOffset=False)
    ax.yaxis.set_major_formatter("{x:,.6g}")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", fontsize="small", frameon=False)
    return _to_png(fig, dpi)


def _nearest_group_week(groups: pl.DataFrame, year: float) -> int | None:
    """The week with group rows whose calendar time is closest to ``year``."""
    weeks = groups.select("week", "time").unique()
    if not weeks.height:
        return None
    nearest = weeks.sort((pl.col("time") - year).abs(), "week").row(0, named=True)
    return int(nearest["week"])


def group_shares(results: pl.DataFrame, years: Sequence[float]) -> pl.DataFrame:
    """Each group's share of all members (mean over runs) at the group weeks nearest ``years``.

    Columns ``scenario, week, time, group, share``; the share is computed run by run (a group's
    members over the sum over groups in the same run) and then averaged over runs.
    """
    groups = results.filter(pl.col("outcome") == GROUP_OUTCOME)
    weeks = {w for y in years if (w := _nearest_group_week(groups, y)) is not None}
    return (
        groups.filter(pl.col("week").is_in(sorted(weeks)))
        .with_columns(share=pl.col("value") / pl.col("value").sum().over("scenario", "run", "week"))
        .group_by("scenario", "week", "time", "group")
        .agg(pl.col("share").fill_nan(0.0).mean())
        .sort("scenario", "week", "group")
    )


def top_groups_png(
    results: pl.DataFrame,
    *,
    restart_year: float,
    last_year: float,
    scenarios: Sequence[str] | None = None,
    baseline: str = "baseline",
    top: int = 10,
    dpi: int = 100,
    gettext: Gettext = _english,
) -> bytes | None:
    """Grouped horizontal bars: the largest groups' shares of all members.

    One grey bar per group for the restart year (shared by all scenarios), then one bar per
    scenario at ``last_year``. The ``top`` groups are those with the largest share in any bar.
    ``None`` when the results hold no group rows.
    """
    _ = gettext
    shares = group_shares(results, [restart_year, last_year])
    if not shares.height:
        return None
    groups = results.filter(pl.col("outcome") == GROUP_OUTCOME)
    restart_week = _nearest_group_week(groups, restart_year)
    last_week = _nearest_group_week(groups, last_year)
    present = shares.get_column("scenario").unique(maintain_order=True).to_list()
    order = _order(present, scenarios)
    reference = baseline if baseline in order else order[0]
    today = shares.filter((pl.col("scenario") == reference) & (pl.col("week") == restart_week))
    later = shares.filter(pl.col("week") == last_week)
    if last_week == restart_week:
        later = later.head(0)
    start = today["time"].max() if today.height else restart_year
    series: list[tuple[str, str, pl.DataFrame]] = [
        (_("{year} (restart, all scenarios)").format(year=f"{start:g}"), HISTORY_COLOUR, today)
    ]
    for index, name in enumerate(order):
        rows = later.filter(pl.col("scenario") == name)
        if rows.height:
            year = rows["time"].max()
            series.append((f"{_text(name)}, {year:g}", scenario_style(index)[0], rows))
    ranked = (
        pl.concat([rows.select("group", "share") for _, _, rows in series])
        .group_by("group")
        .agg(pl.col("share").max())
        .sort(["share", "group"], descending=[True, False])
        .head(top)
        .get_column("group")
        .to_list()
    )
    n, k = len(ranked), len(series)
    height = max(3.0, 0.16 * n * k + 1.5)
    fig = _new_figure(8.0, min(height, 14.0), dpi)
    ax = fig.add_subplot()
    bar = 0.8 / k
    positions = {g: n - 1 - i for i, g in enumerate(ranked)}
    for j, (label, colour, rows) in enumerate(series):
        lookup = dict(zip(rows["group"].to_list(), rows["share"].to_list(), strict=True))
        ys = [positions[g] + 0.4 - bar * (j + 0.5) for g in ranked]
        ax.barh(
            ys, [lookup.get(g, 0.0) for g in ranked], height=bar * 0.95, color=colour, label=label
        )
    ax.set_yticks([positions[g] for g in ranked], [_text(g) for g in ranked])
    ax.set_xlabel(_("share of all members (mean over runs)"))
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0))
    ax.set_title(_("The {n} largest groups: share of all members").format(n=n))
    ax.grid(True, axis="x", alpha=0.3)
    ax.legend(loc="lower right", fontsize="small", frameon=False)
    return _to_png(fig, dpi)


CONCENTRATION_OUTCOMES: tuple[str, ...] = ("active_groups", "largest_share", "hhi")


def concentration_png(
    results: pl.DataFrame,
    *,
    restart_year: float | None = None,
    scenarios: Sequence[str] | None = None,
    baseline: str = "baseline",
    outcomes: Sequence[str] = CONCENTRATION_OUTCOMES,
    dpi: int = 100,
    gettext: Gettext = _english,
) -> bytes | None:
    """Small multiples of concentration outcomes over time (those present among ``outcomes``).

    ``None`` when none of them is in the results.
    """
    _ = gettext
    available = set(
        results.filter(pl.col("group").is_null()).get_column("outcome").unique().to_list()
    )
    shown = [o for o in outcomes if o in available]
    if not shown:
        return None
    fig = _new_figure(4.0 * len(shown) + 1.0, 4.0, dpi)
    axes = fig.subplots(1, len(shown), squeeze=False)[0]
    for ax, outcome in zip(axes, shown, strict=True):
        _draw_bands(ax, outcome_bands(results, outcome), restart_year, scenarios, baseline, gettext)
        ax.set_xlabel(_("year"))
        ax.set_ylabel(outcome_label(outcome, gettext))
        ax.set_title(outcome_label(outcome, gettext).capitalize(), fontsize="medium")
        ax.grid(True, alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        fig.legend(
            handles,
            labels,
            loc="outside lower center",
            ncols=min(len(labels), 4),
            fontsize="small",
            frameon=False,
        )
    fig.suptitle(_("Concentration: median and 5–95% band"))
    return _to_png(fig, dpi)
