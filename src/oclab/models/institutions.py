"""Institutions: corruption, police professionalization, judicial reform, legitimacy (I.B, II.B).

Slow state variables of the integrated model, one value per run, each relaxing towards a target
with its own time constant (exact exponential relaxation over a step, so the step size does not
matter for a constant target)::

    corruption*      = corruption_0 * (revenue/revenue_0)^e_rev * (1 - effect * anticorruption)
                       * (1 + truce_corruption * truce)                              (in [0, 0.95])
    professionalization -> police_professionalization, time constant T_p * drag
    reform           -> judicial_reform at 1/reform_years a year (the eight-year transition)
    legitimacy*      = legitimacy_0 + 0.5 (prof - prof_0) + 0.5 (corr_0 - corr)
                       - military_legitimacy_cost * (troops/troops_0 - 1)             (in [0, 1])
    drag             = 1 + capture_drag * max(0, members/members_0 - 1)

``drag`` is the sequencing mechanism (report II.A): building institutions is slower while the
cartels are larger than in 2012, so weakening them first can pay off later. Every coupling and
its evidence is in ``docs/odd/integrated.md``; most are assumptions with wide ranges.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from oclab.models.integrated_params import LEVER_PARAMS

TROOPS_STATUS_QUO = next(p.default for p in LEVER_PARAMS if p.name == "military_troops")
MAX_CORRUPTION = 0.95


def _arr(params: Mapping[str, object], name: str) -> np.ndarray:
    return np.asarray(params[name], dtype=float)


@dataclass(frozen=True)
class Institutions:
    """Slow variables per run, each of shape (runs,)."""

    corruption: np.ndarray
    professionalization: np.ndarray
    reform: np.ndarray  # progress of the judicial reform, 0..1
    legitimacy: np.ndarray
    truce_years: np.ndarray  # how long the current truce has lasted

    @classmethod
    def initial(cls, params: Mapping[str, object], n: int) -> Institutions:
        def start(name: str) -> np.ndarray:
            return np.broadcast_to(_arr(params, name), (n,)).astype(float)

        return cls(
            corruption=start("corruption_initial"),
            professionalization=start("professionalization_initial"),
            reform=np.zeros(n),
            legitimacy=start("legitimacy_initial"),
            truce_years=np.zeros(n),
        )


def _relax(value: np.ndarray, target: np.ndarray, years: float, tau: np.ndarray) -> np.ndarray:
    return target + (value - target) * np.exp(-years / tau)


def troop_ratio(params: Mapping[str, object]) -> np.ndarray:
    """Troops in policing roles relative to the 2009 deployment."""
    return _arr(params, "military_troops") / TROOPS_STATUS_QUO


def conviction_probability(params: Mapping[str, object], inst: Institutions) -> np.ndarray:
    """Probability that an arrest ends in a conviction, given the reform's progress."""
    now = _arr(params, "conviction_now")
    return now + inst.reform * (_arr(params, "conviction_reformed") - now)


def truce_violence_factor(params: Mapping[str, object], inst: Institutions) -> np.ndarray:
    """Multiplier of conflict lethality from a truce; the effect fades with its age."""
    fade = np.exp(-inst.truce_years / _arr(params, "truce_years"))
    return 1.0 - _arr(params, "truce") * _arr(params, "truce_violence_cut") * fade


def advance(
    inst: Institutions,
    params: Mapping[str, object],
    years: float,
    revenue_ratio: np.ndarray,
    members_ratio: np.ndarray,
) -> Institutions:
    """The institutions ``years`` later, under the levers in ``params``."""
    drag = 1.0 + _arr(params, "capture_drag") * np.maximum(0.0, members_ratio - 1.0)
    corruption_target = np.clip(
        _arr(params, "corruption_initial")
        * np.maximum(revenue_ratio, 0.0) ** _arr(params, "corruption_revenue_elasticity")
        * (1.0 - _arr(params, "anticorruption_effect") * _arr(params, "anticorruption"))
        * (1.0 + _arr(params, "truce_corruption") * _arr(params, "truce")),
        0.0,
        MAX_CORRUPTION,
    )
    corruption = _relax(
        inst.corruption, corruption_target, years, _arr(params, "corruption_years") * drag
    )
    professionalization = _relax(
        inst.professionalization,
        _arr(params, "police_professionalization"),
        years,
        _arr(params, "professionalization_years") * drag,
    )
    goal = _arr(params, "judicial_reform")
    pace = years / (_arr(params, "reform_years") * drag)
    reform = np.where(
        inst.reform < goal,
        np.minimum(goal, inst.reform + pace),
        np.maximum(goal, inst.reform - pace),
    )
    legitimacy_target = np.clip(
        _arr(params, "legitimacy_initial")
        + 0.5 * (professionalization - _arr(params, "professionalization_initial"))
        + 0.5 * (_arr(params, "corruption_initial") - corruption)
        - _arr(params, "military_legitimacy_cost") * (troop_ratio(params) - 1.0),
        0.0,
        1.0,
    )
    legitimacy = _relax(inst.legitimacy, legitimacy_target, years, _arr(params, "legitimacy_years"))
    truce_on = _arr(params, "truce") > 0
    truce_years = np.where(truce_on, inst.truce_years + years, 0.0)
    return Institutions(corruption, professionalization, reform, legitimacy, truce_years)
