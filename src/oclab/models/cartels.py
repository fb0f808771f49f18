"""Cartel recruitment, incapacitation, conflict and saturation (Prieto-Curiel et al. 2023).

Prieto-Curiel R., Campedelli G.M., Hope A. (2023) "Reducing cartel recruitment is the only way
to lower violence in Mexico", Science 381(6664):1312–1316. Weekly time, for groups ``i``::

    dC_i/dt = rho*C_i - eta*C_i/sum(C) - theta*C_i*sum_j K_ij*C_j - omega*C_i**2
    K_ij = (R_ij + 1)/(A_i + 1),  K_ii = 0

``R`` is the rivalry weight and ``A_i`` the total alliance weight of ``i`` (both symmetrised
with the maximum). The state removes ``eta`` members a week in total, shared in proportion to
size. Weekly deaths are ``theta*C'KC``, recruits ``rho*sum(C)``, saturation ``omega*sum(C_i**2)``.

Two modes, vectorised over runs:

* ``deterministic``: the ODE, integrated with a shared-step Dormand–Prince scheme over the whole
  batch (:mod:`oclab.core.integrate`).
* ``stochastic``: integer weekly flows. Recruits are Poisson(``rho*C_i``); each member leaves
  with the weekly hazard ``eta/sum(C) + theta*(KC)_i + omega*C_i`` (binomial), and leavers are
  split between deaths, incapacitations and saturation in proportion to the three hazards
  (binomial thinning). Groups can die out; an ensemble has spread.

Structure exploited for speed: ``K`` is dense only because of the "+1" baseline conflict, so
``K C = ((R C) + sum(C) - C) / (A + 1)`` with a sparse ``R``: O(edges) instead of O(groups²).

Initial state: ``initial_members`` shared in proportion to ``1/rank``, rank = order of total
(rival + ally) strength, descending; ``poisson`` allocation draws each group's size from a
Poisson with that mean (the authors' run code), ``expected`` uses the mean itself (their
calibration code).

Suppression strategies (opt-in; their defaults give the model above): targeting of ``eta``
(:mod:`~oclab.models.cartels_targeting`), kingpin strikes that split groups and consolidation by
absorption (:mod:`~oclab.models.cartels_kingpin`), run week by week by
:mod:`~oclab.models.cartels_suppression`. The ``target`` option picks the ranking that chooses
targets of concentrated effort and of kingpin strikes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from scipy import sparse

from oclab.core.integrate import integrate
from oclab.core.params import Parameter, ParamSet
from oclab.data.network import CartelNetwork, load_network
from oclab.models import cartels_suppression as suppression
from oclab.models.cartels_kingpin import Lineage, RivalEdges, by_root
from oclab.models.cartels_params import SUPPRESSION_PARAMS
from oclab.models.cartels_targeting import CRITERIA, expansion_share

NAME = "cartels"
SUMMARY = "Cartel recruitment, incapacitation, conflict and saturation (Prieto-Curiel et al. 2023)"
WEEKS_PER_YEAR = 52.0
MODES: tuple[str, ...] = ("deterministic", "stochastic")
ALLOCATIONS: tuple[str, ...] = ("poisson", "expected")
Mode = Literal["deterministic", "stochastic"]
OPTIONS: dict[str, tuple[str, ...]] = {
    "mode": MODES,
    "allocation": ALLOCATIONS,
    "target": CRITERIA,
}

_CODE = "Prieto-Curiel et al. (2023), authors' model file ReclutamientoC.R, 'fixed values'"
_BOUNDS = "range: the authors' L-BFGS-B calibration bounds (ReclutamientoC.R)"

PARAMS = ParamSet(
    [
        Parameter(
            "rho",
            "1/week",
            2.527474e-3,
            2.0e-3,
            3.0e-3,
            source=f"{_CODE}; {_BOUNDS}",
            description="recruits per member per week",
        ),
        Parameter(
            "eta",
            "members/week",
            110.0,
            110.0,
            120.0,
            source=f"{_CODE}; {_BOUNDS}",
            description="incapacitations (arrests) per week, shared in proportion to size",
        ),
        Parameter(
            "theta",
            "1/(member·week)",
            1.549231e-8,
            1.0e-8,
            2.0e-8,
            source=f"{_CODE}; {_BOUNDS}",
            description="lethality of conflict between members of rival groups",
        ),
        Parameter(
            "omega",
            "1/(member·week)",
            4.0e-8,
            4.0e-8,
            1.0e-7,
            source=f"{_CODE}; {_BOUNDS}",
            description="saturation (exit) from crowding within a group",
        ),
        Parameter(
            "initial_members",
            "members",
            115_000.0,
            110_000.0,
            115_000.0,
            source=f"{_CODE} (Crime0, start of 2012); {_BOUNDS}",
            description="members of all groups at the start of the simulation",
        ),
        *SUPPRESSION_PARAMS,
    ]
)


@dataclass(frozen=True)
class Operators:
    """What the dynamics need from the network, shared by every run."""

    rivals: sparse.csr_array
    inv_allies: np.ndarray  # 1/(A_i + 1), shape (groups, 1)

    @classmethod
    def from_network(cls, network: CartelNetwork) -> Operators:
        allies = np.asarray(network.allies.sum(axis=1)).ravel()
        return cls(sparse.csr_array(network.rivals), (1.0 / (allies + 1.0))[:, None])

    def conflict(self, members: np.ndarray) -> np.ndarray:
        """``K C`` for a batch ``members`` of shape (groups, runs)."""
        total = members.sum(axis=0)
        kc = self.rivals @ members
        kc += total
        kc -= members
        kc *= self.inv_allies
        return kc


@dataclass(frozen=True)
class State:
    """A batch of runs. ``members`` is (groups, runs): runs on the contiguous axis (see
    :mod:`oclab.core.integrate`); ``flows`` holds last week's realised flows (stochastic mode)."""

    members: np.ndarray
    ops: Operators
    mode: Mode
    h: float | None = None
    flows: dict[str, np.ndarray] | None = None
    structure: suppression.Structure | None = None
    lineage: Lineage | None = None  # set once the suppression dynamics have run
    target: str = CRITERIA[0]

    @property
    def runs(self) -> int:
        return self.members.shape[1]


def _column(params: dict[str, np.ndarray], name: str) -> np.ndarray:
    return np.asarray(params[name], dtype=float)[None, :]


def initial_members(
    network: CartelNetwork,
    totals: np.ndarray,
    rng: np.random.Generator,
    allocation: str = "poisson",
) -> np.ndarray:
    """Members per group (groups, runs): ``totals`` shared ∝ 1/rank of the strength order.

    ``network`` must already be ranked (:meth:`CartelNetwork.ranked`).
    """
    weights = 1.0 / np.arange(1, network.size + 1)
    means = np.outer(weights / weights.sum(), np.asarray(totals, dtype=float))
    if allocation == "poisson":
        return rng.poisson(means).astype(float)
    return means


def load_data(path: str | None) -> CartelNetwork:
    """The network in folder ``path`` (``None``: the bundled default network)."""
    return load_network(path)


def group_labels(network: CartelNetwork) -> tuple[str, ...]:
    """Unique labels of the groups in the order of :func:`group_members` (strength rank):
    the short name, with the id added where two groups share one."""
    ranked = network.ranked()
    counts = Counter(ranked.short_names)
    return tuple(
        name if counts[name] == 1 else f"{name} ({node})"
        for name, node in zip(ranked.short_names, ranked.ids, strict=True)
    )


def init(
    network: CartelNetwork,
    params: dict[str, np.ndarray],
    n: int,
    rng: np.random.Generator,
    *,
    mode: Mode = "deterministic",
    allocation: str = "poisson",
    target: str = CRITERIA[0],
) -> State:
    """A batch of ``n`` runs at the start of the simulation (groups ranked by strength)."""
    ranked = network.ranked()
    totals = np.broadcast_to(np.asarray(params["initial_members"], dtype=float), (n,))
    members = initial_members(ranked, totals, rng, allocation)
    structure = suppression.Structure(
        expansion_share(ranked), RivalEdges.from_rivals(ranked.rivals)
    )
    return State(
        members=members,
        ops=Operators.from_network(ranked),
        mode=mode,
        structure=structure,
        target=target,
    )


def rhs(members: np.ndarray, ops: Operators, params: dict[str, np.ndarray]) -> np.ndarray:
    """Right-hand side of the ODE for a batch (groups, runs), in members per week."""
    total = members.sum(axis=0)
    total = np.where(total > 0, total, 1.0)
    rate = ops.conflict(members)
    rate *= _column(params, "theta")
    rate += _column(params, "omega") * members
    np.subtract(_column(params, "rho") - _column(params, "eta") / total, rate, out=rate)
    rate *= members
    return rate


def _step_deterministic(state: State, params: dict[str, np.ndarray], weeks: float) -> State:
    solution = integrate(
        lambda _t, y: rhs(y, state.ops, params),
        state.members,
        0.0,
        weeks,
        rtol=1e-7,
        atol=1e-6,
        h0=state.h,
    )
    return replace(state, members=np.maximum(solution.y, 0.0), h=solution.h)


def _thin(rng: np.random.Generator, count: np.ndarray, share: np.ndarray) -> np.ndarray:
    return rng.binomial(count.astype(np.int64), np.clip(share, 0.0, 1.0)).astype(float)


def _week_stochastic(
    members: np.ndarray, ops: Operators, params: dict[str, np.ndarray], rng: np.random.Generator
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    total = members.sum(axis=0)
    safe_total = np.where(total > 0, total, 1.0)
    h_arrest = np.broadcast_to(_column(params, "eta") / safe_total, members.shape)
    h_death = _column(params, "theta") * ops.conflict(members)
    h_sat = _column(params, "omega") * members
    hazard = h_arrest + h_death + h_sat
    leaving = _thin(rng, members, -np.expm1(-hazard))
    safe_hazard = np.where(hazard > 0, hazard, 1.0)
    deaths = _thin(rng, leaving, h_death / safe_hazard)
    rest = np.maximum(hazard - h_death, 0.0)
    arrests = _thin(rng, leaving - deaths, h_arrest / np.where(rest > 0, rest, 1.0))
    saturation = leaving - deaths - arrests
    recruits = rng.poisson(_column(params, "rho") * members).astype(float)
    flows = {
        "deaths": deaths.sum(axis=0),
        "incapacitations": arrests.sum(axis=0),
        "saturation": saturation.sum(axis=0),
        "recruits": recruits.sum(axis=0),
    }
    return members - leaving + recruits, flows


def _step_stochastic(
    state: State, params: dict[str, np.ndarray], weeks: float, rng: np.random.Generator
) -> State:
    members, flows = state.members, state.flows
    for _ in range(round(weeks)):
        members, flows = _week_stochastic(members, state.ops, params, rng)
    return replace(state, members=members, flows=flows)


def step(
    state: State, params: dict[str, np.ndarray], weeks: float, rng: np.random.Generator
) -> State:
    """Advance every run by ``weeks`` (a whole number of weeks in stochastic mode)."""
    if suppression.active(params, state.lineage):
        return suppression.step(state, params, weeks, rng, _structure(state))
    if state.mode == "stochastic":
        return _step_stochastic(state, params, weeks, rng)
    return _step_deterministic(state, params, weeks)


def _structure(state: State) -> suppression.Structure:
    if state.structure is None:  # a State built by hand: no home states, so no expansion
        groups = state.ops.inv_allies.shape[0]
        return suppression.Structure(np.zeros(groups), RivalEdges.from_rivals(state.ops.rivals))
    return state.structure


def observe(state: State, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """National outcomes per run: members, weekly flows, number of active groups, concentration.

    Flows are instantaneous rates (deterministic) or last week's realised counts (stochastic).
    """
    members = state.members
    total = members.sum(axis=0)
    shares = members / np.where(total > 0, total, 1.0)
    out = {
        "members": total,
        "active_groups": (members >= 1.0).sum(axis=0).astype(float),
        "largest_share": shares.max(axis=0),
        "hhi": (shares**2).sum(axis=0),
    }
    if state.lineage is not None:
        return out | suppression.observe(state, params, _structure(state))
    zeros = np.zeros_like(total)
    out |= {"deaths_surge_weekly": zeros, "absorbed_weekly": zeros, "kingpin_strikes": zeros}
    if state.mode == "stochastic" and state.flows is not None:
        flows = state.flows
        out |= {
            "deaths_weekly": flows["deaths"],
            "recruits_weekly": flows["recruits"],
            "incapacitations_weekly": flows["incapacitations"],
            "saturation_weekly": flows["saturation"],
        }
        return out
    eta = np.broadcast_to(np.asarray(params["eta"], dtype=float), total.shape)
    out |= {
        "deaths_weekly": np.asarray(params["theta"])
        * (members * state.ops.conflict(members)).sum(axis=0),
        "recruits_weekly": np.asarray(params["rho"]) * total,
        "incapacitations_weekly": np.where(total > 0, eta, 0.0),
        "saturation_weekly": np.asarray(params["omega"]) * (members**2).sum(axis=0),
    }
    return out


def group_members(state: State) -> np.ndarray:
    """Members per group, shape (runs, groups), in the ranked group order; after kingpin
    strikes, a group's members include those of its successor groups (its lineage)."""
    if state.lineage is None:
        return state.members.T
    groups = state.ops.inv_allies.shape[0]
    return by_root(state.members, state.lineage.root, groups).T


HEADLINE: tuple[str, ...] = ("members", "deaths_weekly")
OUTCOMES: dict[str, str] = {
    "members": "members of all groups",
    "deaths_weekly": "deaths from conflict between groups, per week",
    "recruits_weekly": "recruits per week",
    "incapacitations_weekly": "members removed by the state (arrests) per week",
    "saturation_weekly": "exits from saturation per week",
    "deaths_surge_weekly": "deaths from the conflict surge after kingpin strikes, per week",
    "absorbed_weekly": "members absorbed by stronger rivals (consolidation), per week",
    "kingpin_strikes": "kingpin strikes so far (each splits a group into successors)",
    "active_groups": "groups (successor groups included) with at least one member",
    "largest_share": "share of all members in the largest group",
    "hhi": "Herfindahl–Hirschman index of group sizes (0–1)",
}
