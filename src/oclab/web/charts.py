"""Vega-Lite specifications of the dashboard's interactive charts, built from stored tables.

The browser renders them with the vega, vega-lite and vega-embed builds shipped in
``static/vendor/`` (nothing is fetched from the network). Data travel inline in the spec.
Colours follow the report's Okabe–Ito palette, so both views read alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from oclab.report.figures import HISTORY_COLOUR, OKABE_ITO

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"  # an identifier, never fetched


def _palette(series: Sequence[str], history: str) -> dict[str, list[str]]:
    others = [s for s in series if s != history]
    domain = ([history] if history in series else []) + others
    colours = ([HISTORY_COLOUR] if history in series else []) + [
        OKABE_ITO[i % len(OKABE_ITO)] for i in range(len(others))
    ]
    return {"domain": domain, "range": colours}


def bands_spec(
    bands: pl.DataFrame,
    *,
    title: str,
    y_title: str,
    x_title: str,
    series_title: str,
    history: str,
    restart_year: float,
    restart_label: str,
) -> dict[str, Any]:
    """Median lines with shaded intervals over time, one colour per series, restart marked."""
    series = bands.get_column("series").unique(maintain_order=True).to_list()
    colour = {
        "field": "series",
        "type": "nominal",
        "title": series_title,
        "scale": _palette(series, history),
    }
    values = bands.select("series", "time", "low", "median", "high", "runs").to_dicts()
    x = {"field": "time", "type": "quantitative", "title": x_title, "axis": {"format": "d"}}
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": "container",
        "height": 340,
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "area", "opacity": 0.2},
                "encoding": {
                    "x": x,
                    "y": {"field": "low", "type": "quantitative", "title": y_title},
                    "y2": {"field": "high"},
                    "color": colour,
                },
            },
            {
                "mark": {"type": "line", "strokeWidth": 2},
                "encoding": {
                    "x": x,
                    "y": {"field": "median", "type": "quantitative"},
                    "color": colour,
                    "tooltip": [
                        {"field": "series", "title": series_title},
                        {"field": "time", "format": ".2f", "title": x_title},
                        {"field": "median", "format": ",.4~g"},
                        {"field": "low", "format": ",.4~g"},
                        {"field": "high", "format": ",.4~g"},
                        {"field": "runs"},
                    ],
                },
            },
            {
                "data": {"values": [{"time": restart_year, "label": restart_label}]},
                "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#333333"},
                "encoding": {"x": {"field": "time", "type": "quantitative"}},
            },
        ],
    }


def comparison_spec(
    rows: pl.DataFrame,
    *,
    title: str,
    x_title: str,
    scenario_title: str,
    gettext: Callable[[str], str],
) -> dict[str, Any]:
    """Paired differences against the baseline: the mean with its 5–95% range, per scenario."""
    _ = gettext
    values = rows.select(
        "scenario", "vs_baseline_mean", "vs_baseline_p05", "vs_baseline_p95", "vs_baseline_pct"
    ).to_dicts()
    y = {"field": "scenario", "type": "nominal", "title": scenario_title, "sort": None}
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": "container",
        "height": {"step": 34},
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "rule", "strokeWidth": 2, "color": "#0072B2"},
                "encoding": {
                    "y": y,
                    "x": {"field": "vs_baseline_p05", "type": "quantitative", "title": x_title},
                    "x2": {"field": "vs_baseline_p95"},
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 90, "color": "#D55E00"},
                "encoding": {
                    "y": y,
                    "x": {"field": "vs_baseline_mean", "type": "quantitative"},
                    "tooltip": [
                        {"field": "scenario", "title": scenario_title},
                        {"field": "vs_baseline_mean", "format": ",.4~g", "title": _("mean")},
                        {"field": "vs_baseline_p05", "format": ",.4~g", "title": "5%"},
                        {"field": "vs_baseline_p95", "format": ",.4~g", "title": "95%"},
                        {"field": "vs_baseline_pct", "format": "+.1f", "title": "%"},
                    ],
                },
            },
            {
                "data": {"values": [{"zero": 0}]},
                "mark": {"type": "rule", "color": "#555555"},
                "encoding": {"x": {"field": "zero", "type": "quantitative"}},
            },
        ],
    }
