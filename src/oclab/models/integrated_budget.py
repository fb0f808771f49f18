"""Public spending of a strategy, line by line, from its lever values and the unit costs.

Every lever that costs money has a line; the US drug-control budget (demand reduction and supply
control, :func:`oclab.models.demand.spending`) is one more, so shifting its split is budget
neutral while raising it is not. Values in USD a year, per run.

>>> from oclab.models.integrated import PARAMS
>>> lines = spending(PARAMS.defaults())
>>> round(float(sum(lines.values())) / 1e9, 2)  # the status quo's yearly spending, $ billion
20.98
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from oclab.models import demand
from oclab.models.integrated_params import LEVER_PARAMS

_STATUS_QUO = {p.name: p.default for p in LEVER_PARAMS}


def _arr(params: Mapping[str, object], name: str) -> np.ndarray:
    return np.asarray(params[name], dtype=float)


def _beyond(params: Mapping[str, object], name: str) -> np.ndarray:
    return np.maximum(0.0, _arr(params, name) - _STATUS_QUO[name])


def spending(params: Mapping[str, object]) -> dict[str, np.ndarray]:
    """Yearly public spending by line (USD/yr)."""
    us = demand.spending(params)
    return {
        "suppression": _arr(params, "suppression_intensity") * _arr(params, "cost_suppression"),
        "military": _arr(params, "military_troops") * _arr(params, "cost_troops"),
        "interdiction": _arr(params, "interdiction") * _arr(params, "cost_interdiction"),
        "kingpin": _arr(params, "kingpin_per_year") * _arr(params, "cost_kingpin"),
        "aml_analysts": _arr(params, "aml_analyst_capacity") * _arr(params, "cost_analyst"),
        "bulk_cash": _arr(params, "bulk_cash_inspection") * _arr(params, "cost_bulk_cash"),
        "guns": _arr(params, "guns_dealer_inspection") * _arr(params, "cost_dealer_inspection")
        + (_arr(params, "guns_import_standard") + _arr(params, "guns_trace_sharing"))
        * _arr(params, "cost_gun_policy"),
        "anticorruption": _arr(params, "anticorruption") * _arr(params, "cost_anticorruption"),
        "professionalization": _beyond(params, "police_professionalization")
        * _arr(params, "cost_professionalization"),
        "judicial": _arr(params, "judicial_reform") * _arr(params, "cost_judicial"),
        "us_drug_control": sum(us.values()),
    }


def total_spending(params: Mapping[str, object]) -> np.ndarray:
    """Yearly public spending of all lines (USD/yr)."""
    return np.asarray(sum(spending(params).values()), dtype=float)
