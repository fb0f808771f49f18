"""The report's policy levers: a name, the report section it comes from, and the parameter it sets.

A lever is a named knob of the integrated model (:mod:`oclab.models.integrated`); its unit,
default (the status quo), plausible range and valid domain are those of its parameter, so there
is one place for each fact. Strategies (:mod:`oclab.strategy`) are written in lever names.

>>> LEVERS["aml.threshold"].parameter.default
10000.0
>>> LEVERS["demand.budget_share"].section
'I.A.2'
"""

from __future__ import annotations

from dataclasses import dataclass

from oclab.core.params import Parameter
from oclab.errors import InputError
from oclab.models.integrated import PARAMS


@dataclass(frozen=True)
class Lever:
    """One policy knob of the report."""

    name: str
    section: str
    parameter: Parameter

    @property
    def meaning(self) -> str:
        return self.parameter.description


_TABLE: tuple[tuple[str, str, str], ...] = (
    ("suppression.intensity", "I.A.1", "suppression_intensity"),
    ("suppression.focus", "I.A.1", "focus"),
    ("suppression.focus_groups", "I.A.1", "focus_groups"),
    ("suppression.containment", "I.A.1", "containment"),
    ("suppression.kingpin", "I.A.1", "kingpin_per_year"),
    ("routes.interdiction", "I.A.1", "interdiction"),
    ("military.deployment", "II.B", "military_troops"),
    ("demand.budget", "I.A.2", "budget_total"),
    ("demand.budget_share", "I.A.2", "budget_share"),
    ("demand.prevention_share", "I.A.2", "prevention_share"),
    ("aml.threshold", "I.A.3", "aml_threshold"),
    ("aml.analyst_capacity", "I.A.3", "aml_analyst_capacity"),
    ("aml.bulk_cash_inspection", "I.A.3", "bulk_cash_inspection"),
    ("aml.bulk_cash_inland_share", "I.A.3", "bulk_cash_inland_share"),
    ("guns.import_standard", "I.A.4", "guns_import_standard"),
    ("guns.dealer_inspection", "I.A.4", "guns_dealer_inspection"),
    ("guns.trace_sharing", "I.A.4", "guns_trace_sharing"),
    ("institutions.anticorruption", "I.B.1", "anticorruption"),
    ("police.professionalization", "I.B.2", "police_professionalization"),
    ("judicial.reform", "I.B.3", "judicial_reform"),
    ("truce", "findings", "truce"),
)

LEVERS: dict[str, Lever] = {
    name: Lever(name, section, PARAMS[param]) for name, section, param in _TABLE
}


def get_lever(name: str, source: str, field: str) -> Lever:
    """The lever called ``name``, or an :class:`InputError` listing the known ones."""
    if name not in LEVERS:
        raise InputError(source, field, f"a lever ({', '.join(LEVERS)})", name)
    return LEVERS[name]


def lever_table() -> list[dict[str, object]]:
    """Every lever with its section, parameter, unit, status quo and range (for docs and CLI)."""
    return [
        {
            "lever": lever.name,
            "section": lever.section,
            "parameter": lever.parameter.name,
            "unit": lever.parameter.unit,
            "status_quo": lever.parameter.default,
            "low": lever.parameter.low,
            "high": lever.parameter.high,
            "meaning": lever.meaning,
        }
        for lever in LEVERS.values()
    ]
