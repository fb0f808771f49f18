"""The report's principal findings and open questions, each as conditions on model outcomes.

A :class:`Claim` holds in a world (a run) when all its :class:`Condition` s hold there. A
condition compares one outcome of one strategy at some years after the restart with another
(times a factor); ``years=None`` means "today" (the restart year, shared by every strategy).
Strategy names are the bundled strategies (``scenarios/strategies``) plus the experiment
variants in :data:`VARIANTS`; ``baseline`` is the status quo.

>>> len(CLAIMS) >= 10
True
>>> sorted({c.section.split(".")[0] for c in CLAIMS})
['I', 'II', 'III', 'findings']
"""

from __future__ import annotations

from dataclasses import dataclass

from oclab.study import BASELINE

NARROW: tuple[str, ...] = (
    "all-fronts",
    "strategic-containment",
    "demand-first",
    "follow-the-money",
    "guns-and-borders",
    "institutions-first",
)
ALL_STRATEGIES: tuple[str, ...] = (
    *NARROW,
    "multi-dimensional",
    "sequenced",
    "parallel",
    "military-surge",
    "truce",
)
_BUDGET = 26e9

#: Single-lever experiments the claims need beside the bundled strategies (same budget).
VARIANTS: dict[str, dict[str, object]] = {
    "threshold-only": {
        "section": "I.A.3",
        "title": "Threshold lowered to $1,000, no more analysts",
        "levers": {"aml.threshold": 1000.0},
    },
    "threshold-and-capacity": {
        "section": "I.A.3",
        "title": "Threshold lowered to $1,000 with analysts for 600,000 reports a day",
        "levers": {"aml.threshold": 1000.0, "aml.analyst_capacity": 600_000.0},
    },
    "cash-border": {
        "section": "I.A.3",
        "title": "Full bulk-cash inspection at the border",
        "levers": {"aml.bulk_cash_inspection": 1.0, "aml.bulk_cash_inland_share": 0.0},
    },
    "cash-inland": {
        "section": "I.A.3",
        "title": "Full bulk-cash inspection at inland consolidation points",
        "levers": {"aml.bulk_cash_inspection": 1.0, "aml.bulk_cash_inland_share": 1.0},
    },
    "kingpin-campaign": {
        "section": "I.A.1",
        "title": "Ten leader removals a year",
        "levers": {"suppression.kingpin": 10.0},
    },
    "judicial-reform-only": {
        "section": "I.B.3",
        "title": "Full commitment to the judicial reform alone",
        "levers": {"judicial.reform": 1.0},
    },
}


def variant_documents() -> dict[str, dict[str, object]]:
    """The variants as strategy documents (see :func:`oclab.strategy.strategy_from_dict`)."""
    return {name: {"name": name, "budget": _BUDGET, **spec} for name, spec in VARIANTS.items()}


@dataclass(frozen=True)
class Value:
    """One outcome of one strategy ``years`` after the restart (``None``: today)."""

    strategy: str
    outcome: str
    years: float | None

    def label(self) -> str:
        when = "today" if self.years is None else f"{self.years:g} y"
        return f"{self.outcome}[{self.strategy}, {when}]"


@dataclass(frozen=True)
class Condition:
    """``left < factor * right`` (``op="<"``) or ``left > factor * right`` (``op=">"``)."""

    left: Value
    op: str
    right: Value
    factor: float = 1.0

    def label(self) -> str:
        factor = "" if self.factor == 1.0 else f"{self.factor:g} x "
        return f"{self.left.label()} {self.op} {factor}{self.right.label()}"


@dataclass(frozen=True)
class Claim:
    """A finding of the report and the conditions under which the model agrees with it."""

    id: str
    section: str
    text: str
    conditions: tuple[Condition, ...]

    def strategies(self) -> set[str]:
        return {v.strategy for c in self.conditions for v in (c.left, c.right)}


def _vs(
    strategy: str,
    outcome: str,
    years: float,
    op: str,
    other: str = BASELINE,
    factor: float = 1.0,
) -> Condition:
    """``outcome`` of ``strategy`` compared (``op``) with ``factor`` times that of ``other``."""
    return Condition(Value(strategy, outcome, years), op, Value(other, outcome, years), factor)


CLAIMS: tuple[Claim, ...] = (
    Claim(
        "multi-dimensional-beats-narrow",
        "III",
        "A multi-dimensional strategy - financially, frontally and by shrinking consumption - "
        "weakens organized crime and its violence more than any narrow strategy at equal budget.",
        tuple(_vs("multi-dimensional", "homicides", 10, "<", other) for other in NARROW),
    ),
    Claim(
        "scattershot-raises-violence",
        "I.A.1",
        "Confronting organized crime at every point at once (scattershot) raises violence.",
        (_vs("all-fronts", "homicides", 2, ">"),),
    ),
    Claim(
        "containment-atomizes",
        "I.A.1",
        "Strategic confrontation leads to atomization rather than the consolidation of one "
        "organization (compared with confronting every front).",
        (_vs("strategic-containment", "largest_share", 10, "<", "all-fronts"),),
    ),
    Claim(
        "war-cannot-be-won",
        "I",
        "A 'war' on organized crime cannot be won: no strategy removes most of its members "
        "within ten years; the realistic aim is to raise its cost of doing business.",
        tuple(
            Condition(Value(s, "members", 10), ">", Value(BASELINE, "members", None), 0.5)
            for s in (BASELINE, *ALL_STRATEGIES)
        ),
    ),
    Claim(
        "demand-reduction-shrinks-market",
        "I.A.2",
        "Demand reduction, prevention and treatment shrink the market: fewer users and less "
        "revenue for traffickers.",
        (
            _vs("demand-first", "us_users", 10, "<"),
            _vs("demand-first", "net_revenue", 10, "<"),
        ),
    ),
    Claim(
        "thresholds-useless-without-capacity",
        "I.A.3",
        "Lower reporting thresholds are useless without the capacity to digest the reports: "
        "without more analysts they catch (almost) nothing more.",
        (
            _vs("threshold-only", "laundering_caught", 5, "<", factor=1.1),
            _vs("threshold-and-capacity", "laundering_caught", 5, ">", factor=1.5),
        ),
    ),
    Claim(
        "thresholds-burden-commerce",
        "I.A.3",
        "Reporting on ever-smaller transfers slows legitimate commerce.",
        (_vs("threshold-only", "legitimate_friction", 5, ">", factor=2.0),),
    ),
    Claim(
        "money-raises-cost-not-wipe-out",
        "I.A.3",
        "States cannot wipe out money laundering, but they can raise the cost of doing business.",
        (
            _vs("follow-the-money", "cost_of_business", 10, ">"),
            _vs("follow-the-money", "net_revenue", 10, ">", factor=0.2),
        ),
    ),
    Claim(
        "inland-cash-inspection",
        "I.A.3",
        "Inspecting bulk cash inland at consolidation points costs traffickers more than "
        "inspecting it at the border.",
        (_vs("cash-inland", "net_revenue", 5, "<", "cash-border"),),
    ),
    Claim(
        "guns-fuel-violence",
        "I.A.4",
        "Cutting the flow of US guns (import standards, inspections, trace sharing) reduces "
        "the violence.",
        (_vs("guns-and-borders", "homicides", 5, "<"),),
    ),
    Claim(
        "institutions-long-run",
        "I.B",
        "Institutional reform (corruption, police, justice) lowers violence, but only in the "
        "long run: little within two years, clearly within ten.",
        (
            _vs("institutions-first", "homicides", 2, ">", factor=0.95),
            _vs("institutions-first", "homicides", 10, "<", factor=0.9),
        ),
    ),
    Claim(
        "judicial-reform-incapacitates",
        "I.B.3",
        "The accusatorial reform, once through its transition, raises the share of arrests that "
        "end in a conviction and so the members the state removes.",
        (_vs("judicial-reform-only", "members", 10, "<"),),
    ),
    Claim(
        "sequencing-suppression-first",
        "II.A",
        "Open question: suppression first and institutions later (as some read Palermo) "
        "leaves less violence after ten years than doing both in parallel.",
        (_vs("sequenced", "homicides", 10, "<", "parallel"),),
    ),
    Claim(
        "military-short-term",
        "II.B",
        "Open question: the military removes members now, at the price of more clashes and "
        "less legitimacy.",
        (
            _vs("military-surge", "members", 2, "<"),
            _vs("military-surge", "clash_deaths", 2, ">"),
            _vs("military-surge", "legitimacy", 5, "<"),
        ),
    ),
    Claim(
        "truce-for-a-time",
        "findings",
        "Truces with organized crime bring a dramatic decrease in violence for a time, then "
        "consolidation and corruption.",
        (
            _vs("truce", "homicides", 2, "<", factor=0.8),
            _vs("truce", "largest_share", 10, ">"),
            _vs("truce", "corruption", 10, ">"),
        ),
    ),
    Claim(
        "kingpin-fragments",
        "I.A.1",
        "Removing leaders splits organizations into more groups and raises violence in the "
        "short run.",
        (
            _vs("kingpin-campaign", "active_groups", 2, ">"),
            _vs("kingpin-campaign", "homicides", 2, ">"),
        ),
    ),
)
