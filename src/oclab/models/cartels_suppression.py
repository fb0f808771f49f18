"""Weekly dynamics of the cartel model with targeting, kingpin strikes and consolidation.

Used by :mod:`oclab.models.cartels` whenever one of the suppression parameters is active (or a
run has already been struck); with all of them at their defaults the model keeps its original
code path. Each week: strikes that are due happen first (a run's ``clock`` advances by
``kingpin_per_year/52`` a week and strikes at 1), then the state picks its targets and the
absorbers for the week (:mod:`~oclab.models.cartels_targeting`,
:mod:`~oclab.models.cartels_kingpin`), then the week runs as an ODE (deterministic) or as
integer flows (stochastic), as in the base model. Arrays are (slots, runs).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from oclab.core.integrate import integrate
from oclab.models import cartels_kingpin as kp
from oclab.models import cartels_targeting as tg

WEEKS_PER_YEAR = 52.0

#: Parameters (name -> default) that switch the suppression dynamics on when not at default.
SWITCHES: dict[str, float] = {
    "focus": 0.0,
    "containment": 0.0,
    "kingpin_per_year": 0.0,
    "absorption_rate": 0.0,
}


@dataclass(frozen=True)
class Structure:
    """What the suppression dynamics need from the network, shared by every run."""

    expansion: np.ndarray  # (groups,) share of relations outside the home state
    edges: kp.RivalEdges


def active(params: dict[str, Any], lineage: kp.Lineage | None) -> bool:
    """Whether the suppression dynamics are needed for this step."""
    if lineage is not None:
        return True
    return any(
        name in params and np.any(np.asarray(params[name]) != default)
        for name, default in SWITCHES.items()
    )


def _get(params: dict[str, Any], name: str, runs: int, default: float) -> np.ndarray:
    return np.broadcast_to(np.asarray(params.get(name, default), dtype=float), (runs,))


@dataclass(frozen=True)
class Week:
    """Everything held fixed over one week of one batch."""

    rho: np.ndarray
    eta: np.ndarray
    theta: np.ndarray
    omega: np.ndarray
    focus: np.ndarray
    containment: np.ndarray
    sibling: np.ndarray
    absorb_rate: np.ndarray
    root: np.ndarray
    surge: np.ndarray  # (slots, runs) conflict factor f
    targeted: np.ndarray
    expansion: np.ndarray  # (slots, runs)
    absorber: np.ndarray  # (groups, runs)

    def death_hazard(self, ops: Any, members: np.ndarray, surge: bool = True) -> np.ndarray:
        f = self.surge if surge else 1.0
        kc = kp.conflict(members * f, self.root, ops.rivals, ops.inv_allies, self.sibling)
        return self.theta[None, :] * f * kc

    def arrest_hazard(self, members: np.ndarray) -> np.ndarray:
        return tg.arrest_hazard(
            members, self.eta, self.focus, self.containment, self.targeted, self.expansion
        )

    def absorbed(self, members: np.ndarray) -> np.ndarray:
        groups = self.absorber.shape[0]
        return np.where(self.absorber >= 0, self.absorb_rate[None, :], 0.0) * members[:groups]


def criterion(
    name: str, members: np.ndarray, death_hazard: np.ndarray, expansion: np.ndarray, p: Week
) -> np.ndarray:
    """The ranking that picks targets (slots, runs): see :data:`cartels_targeting.CRITERIA`."""
    if name == "violent":
        return death_hazard * members
    if name == "growing":  # net growth before the state's action, members/week
        return (p.rho[None, :] - death_hazard - p.omega[None, :] * members) * members
    if name == "expanding":
        return members * expansion
    return members


def _week_params(
    state: Any, params: dict[str, Any], structure: Structure, lineage: kp.Lineage
) -> Week:
    runs = state.members.shape[1]
    surge = _get(params, "surge", runs, 0.0)
    return Week(
        rho=_get(params, "rho", runs, 0.0),
        eta=_get(params, "eta", runs, 0.0),
        theta=_get(params, "theta", runs, 0.0),
        omega=_get(params, "omega", runs, 0.0),
        focus=_get(params, "focus", runs, 0.0),
        containment=_get(params, "containment", runs, 0.0),
        sibling=_get(params, "sibling_rivalry", runs, 1.0),
        absorb_rate=_get(params, "absorption_rate", runs, 0.0),
        root=lineage.root,
        surge=np.where(lineage.surge_left > 0, 1.0 + surge[None, :], 1.0),
        targeted=np.zeros(lineage.root.shape, dtype=bool),
        expansion=structure.expansion[lineage.root],
        absorber=np.full((structure.expansion.size, runs), -1),
    )


def _choose(state: Any, params: dict[str, Any], structure: Structure, p: Week) -> Week:
    members = state.members
    runs, groups = members.shape[1], structure.expansion.size
    alive = members >= 1.0
    if np.any(p.focus > 0):
        values = criterion(
            state.target, members, p.death_hazard(state.ops, members), p.expansion, p
        )
        k = _get(params, "focus_groups", runs, 1.0)
        p = replace(p, targeted=tg.top_groups(values, alive, k))
    if np.any(p.absorb_rate > 0):
        ratio = _get(params, "absorb_ratio", runs, 0.1)
        p = replace(p, absorber=kp.absorbers(members[:groups], structure.edges, groups, ratio))
    return p


def _strikes(state: Any, params: dict[str, Any], structure: Structure, span: float) -> Any:
    runs, groups = state.members.shape[1], structure.expansion.size
    lineage = state.lineage
    rate = _get(params, "kingpin_per_year", runs, 0.0)
    clock = lineage.clock + rate * span / WEEKS_PER_YEAR
    due = clock >= 1.0 - 1e-9
    if not due.any():
        return replace(state, lineage=replace(lineage, clock=clock))
    p = _week_params(state, params, structure, lineage)
    members = state.members
    values = criterion(state.target, members, p.death_hazard(state.ops, members), p.expansion, p)
    alive = members >= 1.0
    struck = np.where(due & alive.any(axis=0), np.argmax(np.where(alive, values, -np.inf), 0), -1)
    members, lineage = kp.strike(
        members,
        lineage,
        groups,
        struck,
        _get(params, "successors", runs, 2.0),
        _get(params, "surge_weeks", runs, 26.0),
        integer=state.mode == "stochastic",
    )
    lineage = replace(lineage, clock=np.where(due, clock - 1.0, clock))
    return replace(state, members=members, lineage=lineage)


def _rhs(members: np.ndarray, ops: Any, p: Week) -> np.ndarray:
    hazard = p.death_hazard(ops, members) + p.arrest_hazard(members)
    hazard += p.omega[None, :] * members
    rate = (p.rho[None, :] - hazard) * members
    if np.any(p.absorber >= 0):
        rate += kp.absorption_flow(members, p.absorber, p.absorbed(members))
    return rate


def _thin(rng: np.random.Generator, count: np.ndarray, share: np.ndarray) -> np.ndarray:
    return rng.binomial(count.astype(np.int64), np.clip(share, 0.0, 1.0)).astype(float)


def _safe(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x, 1.0)


def _week_stochastic(
    members: np.ndarray, ops: Any, p: Week, rng: np.random.Generator
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    groups = p.absorber.shape[0]
    h_death = p.death_hazard(ops, members)
    h_calm = p.death_hazard(ops, members, surge=False)
    h_arrest = p.arrest_hazard(members)
    h_sat = p.omega[None, :] * members
    h_absorb = np.zeros_like(members)
    h_absorb[:groups] = np.where(p.absorber >= 0, p.absorb_rate[None, :], 0.0)
    hazard = h_death + h_arrest + h_sat + h_absorb
    leaving = _thin(rng, members, -np.expm1(-hazard))
    deaths = _thin(rng, leaving, h_death / _safe(hazard))
    surge_deaths = _thin(rng, deaths, (h_death - h_calm) / _safe(h_death))
    rest = leaving - deaths
    arrests = _thin(rng, rest, h_arrest / _safe(hazard - h_death))
    rest -= arrests
    absorbed = _thin(rng, rest, h_absorb / _safe(h_absorb + h_sat))
    saturation = rest - absorbed
    recruits = rng.poisson(p.rho[None, :] * members).astype(float)
    members = members - leaving + recruits
    if absorbed.any():
        members += kp.absorption_flow(members, p.absorber, absorbed[:groups])
        members[:groups] += absorbed[:groups]  # the flow also took them from the sources
    flows = {
        "deaths": deaths.sum(axis=0),
        "deaths_surge": surge_deaths.sum(axis=0),
        "incapacitations": arrests.sum(axis=0),
        "saturation": saturation.sum(axis=0),
        "recruits": recruits.sum(axis=0),
        "absorbed": absorbed.sum(axis=0),
    }
    return members, flows


def step(
    state: Any,
    params: dict[str, Any],
    weeks: float,
    rng: np.random.Generator,
    structure: Structure,
) -> Any:
    """Advance ``state`` (a :class:`oclab.models.cartels.State`) week by week."""
    groups = structure.expansion.size
    if state.lineage is None:
        state = replace(state, lineage=kp.Lineage.fresh(groups, state.members.shape[1]))
    whole = int(np.floor(weeks + 1e-9))
    spans = [1.0] * whole + ([weeks - whole] if weeks - whole > 1e-9 else [])
    for span in spans:
        state = _strikes(state, params, structure, span)
        p = _choose(state, params, structure, _week_params(state, params, structure, state.lineage))
        if state.mode == "stochastic":
            members, flows = _week_stochastic(state.members, state.ops, p, rng)
            state = replace(state, members=members, flows=flows)
        else:
            solution = integrate(
                lambda _t, y, p=p, ops=state.ops: _rhs(y, ops, p),
                state.members,
                0.0,
                span,
                rtol=1e-7,
                atol=1e-6,
                h0=state.h,
            )
            state = replace(state, members=np.maximum(solution.y, 0.0), h=solution.h)
        lineage = state.lineage
        surge_left = np.maximum(lineage.surge_left - span, 0.0)
        state = replace(state, lineage=replace(lineage, surge_left=surge_left))
    return state


def observe(state: Any, params: dict[str, Any], structure: Structure) -> dict[str, np.ndarray]:
    """Weekly flows of the suppression dynamics (instantaneous rates when deterministic)."""
    runs = state.members.shape[1]
    strikes = state.lineage.strikes.astype(float)
    if state.mode == "stochastic":
        flows = state.flows or {}
        zeros = np.zeros(runs)
        return {
            "deaths_weekly": flows.get("deaths", zeros),
            "recruits_weekly": flows.get("recruits", zeros),
            "incapacitations_weekly": flows.get("incapacitations", zeros),
            "saturation_weekly": flows.get("saturation", zeros),
            "deaths_surge_weekly": flows.get("deaths_surge", zeros),
            "absorbed_weekly": flows.get("absorbed", zeros),
            "kingpin_strikes": strikes,
        }
    p = _choose(state, params, structure, _week_params(state, params, structure, state.lineage))
    members = state.members
    deaths = (p.death_hazard(state.ops, members) * members).sum(axis=0)
    calm = (p.death_hazard(state.ops, members, surge=False) * members).sum(axis=0)
    return {
        "deaths_weekly": deaths,
        "recruits_weekly": p.rho * members.sum(axis=0),
        "incapacitations_weekly": (p.arrest_hazard(members) * members).sum(axis=0),
        "saturation_weekly": p.omega * (members**2).sum(axis=0),
        "deaths_surge_weekly": deaths - calm,
        "absorbed_weekly": p.absorbed(members).sum(axis=0),
        "kingpin_strikes": strikes,
    }


def lineage_violence(
    state: Any, params: dict[str, Any], structure: Structure, group: int
) -> np.ndarray:
    """Deaths a week (runs,) in conflicts involving network group ``group``'s lineage, on
    either side: ``sum over pairs (a, b) with a or b in the lineage of theta*f_a*C_a*K_ab*f_b*C_b``
    (instantaneous, deterministic rates)."""
    lineage = state.lineage or kp.Lineage.fresh(structure.expansion.size, state.members.shape[1])
    p = _week_params(state, params, structure, lineage)
    members = state.members
    inside = lineage.root == group
    fc = members * p.surge
    kc_all = kp.conflict(fc, p.root, state.ops.rivals, state.ops.inv_allies, p.sibling)
    kc_in = kp.conflict(fc * inside, p.root, state.ops.rivals, state.ops.inv_allies, p.sibling)
    per_slot = np.where(inside, kc_all, kc_in) * fc * p.theta[None, :]
    return per_slot.sum(axis=0)
