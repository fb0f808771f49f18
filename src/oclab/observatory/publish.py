"""The observatory's aggregate tables, and the same tables as the public may see them.

:func:`aggregates` computes the indicators (nation, states, courts), the two anomaly tables and
the transition table from an imported data set; :func:`suppressed` applies every rule of
:mod:`oclab.observatory.privacy` in order. The CLI's ``--public`` output and the web
application's public views both come from here, so they cannot drift apart.
"""

from __future__ import annotations

import polars as pl

from oclab.observatory.indicators import court_anomalies, indicators
from oclab.observatory.io import Dataset
from oclab.observatory.privacy import (
    COURT_GROUPS,
    GROUPS,
    suppress,
    suppress_anomalies,
    suppress_hierarchy,
    suppress_pooled,
)

TRANSITION_COLUMNS = ("state", "year", "n_reported", "n_accusatorial", "accusatorial_share")


def aggregates(data: Dataset) -> dict[str, pl.DataFrame]:
    """The unsuppressed aggregate tables of ``data`` (no training table)."""
    if data.cases.height == 0:
        return {}
    national = Dataset(
        courts=data.courts,
        cases=data.cases.with_columns(state=pl.lit("ALL")),
        charges=data.charges,
        defendants=data.defendants,
    )
    state = indicators(data, "state")
    return {
        "indicators_national": indicators(national, "state").drop("state"),
        "indicators_state": state,
        "indicators_court": indicators(data, "court"),
        "anomalies_dismissal": court_anomalies(data, "dismissal"),
        "anomalies_conviction": court_anomalies(data, "conviction"),
        "transition": state.select(TRANSITION_COLUMNS),
    }


def suppressed(tables: dict[str, pl.DataFrame], threshold: int) -> dict[str, pl.DataFrame]:
    """Every aggregate table with small cells hidden (:mod:`oclab.observatory.privacy`), then
    the counts of states and of the nation that their courts or states would give away, then
    the anomaly rows whose totals over the years would give away a hidden year."""
    if not tables:
        return {}
    out = {}
    for name, table in tables.items():
        if name.startswith("anomalies"):
            out[name] = suppress_anomalies(table, threshold) if table.height else table
        elif name != "transition":
            out[name] = suppress(table, threshold)
    out["indicators_state"] = suppress_hierarchy(
        out["indicators_court"], out["indicators_state"], ["state"], COURT_GROUPS
    )
    out["indicators_national"] = suppress_hierarchy(
        out["indicators_state"], out["indicators_national"], [], GROUPS
    )
    out |= suppress_pooled(tables, out, threshold)
    out["transition"] = out["indicators_state"].select(TRANSITION_COLUMNS)
    return out
