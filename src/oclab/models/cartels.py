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
  (a multinomial split: each leaver draws its cause). Groups can die out; an ensemble has spread.

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


# Where the expected count is at most this, counts are drawn by vectorised inversion; above
# it (a few large groups), by numpy's own samplers.
_INVERSION_MEAN = 8.0
# Below this many counts (a few runs), the Python overhead of inversion outweighs its gain.
_INVERSION_MIN_SIZE = 1_500
_DENSE_STEPS = 3  # inversion steps done on the whole array before compacting to the tail


def _invert_counts(
    rng: np.random.Generator, a: np.ndarray, b: np.ndarray, log_p0: np.ndarray
) -> np.ndarray:
    """Counts with ``P(0) = exp(log_p0)`` and ``P(k)/P(k-1) = (a - b*(k-1))/k``, 1-D arrays.

    Poisson(``lam``): ``a = lam, b = 0, log_p0 = -lam``; Binomial(``n``, ``1-exp(-h)``):
    ``a = n*r, b = r`` with the odds ``r = exp(h) - 1``, ``log_p0 = -n*h``. Inversion of the
    CDF with one uniform per count, exact up to rounding. Why not ``rng.poisson``/``binomial``:
    with small means (a few members a week per group) their per-element set-up costs far more
    than these few array passes, and the week's draws dominate the stochastic mode.
    """
    u = rng.random(a.size)
    pk = np.exp(log_p0)
    cdf = pk.copy()
    x = np.zeros(a.size)
    for k in range(1, _DENSE_STEPS + 1):
        x += u > cdf
        pk *= a - b * (k - 1)
        pk *= 1.0 / k
        cdf += pk
    idx = np.flatnonzero(u > cdf)
    k = _DENSE_STEPS
    while idx.size:  # the tail, compacted: few entries, each at most ~25 more steps
        k += 1
        x[idx] = k
        pk_idx = pk[idx] * ((a[idx] - b[idx] * (k - 1)) / k)
        pk[idx] = pk_idx
        cdf_idx = cdf[idx] + pk_idx
        cdf[idx] = cdf_idx
        idx = idx[(u[idx] > cdf_idx) & (pk_idx > 0)]
    return x


def _draw_counts(
    rng: np.random.Generator, members: np.ndarray, lam: np.ndarray, hazard: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Recruits ~ Poisson(``lam``) and leavers ~ Binomial(``members``, ``1-exp(-hazard)``),
    elementwise for arrays of one shape (``members`` whole numbers)."""
    size = lam.size
    if size < _INVERSION_MIN_SIZE:
        return rng.poisson(lam).astype(float), rng.binomial(
            members.astype(np.int64), -np.expm1(-hazard)
        ).astype(float)
    rate = np.stack([lam, members * hazard]).ravel()  # -log P(0) of each count
    odds = np.expm1(hazard).ravel()
    small = rate <= _INVERSION_MEAN
    a = np.concatenate([lam.ravel(), members.ravel() * odds])
    b = np.concatenate([np.zeros(size), odds])
    # Large means get the certain outcome 0 here (P(0) = 1, then P(k) = 0), redrawn below.
    a *= small
    b *= small
    rate *= small
    np.negative(rate, out=rate)
    counts = _invert_counts(rng, a, b, rate)
    large = np.flatnonzero(~small)
    poisson = large[large < size]
    counts[poisson] = rng.poisson(lam.ravel()[poisson])
    binomial = large[large >= size] - size
    counts[binomial + size] = rng.binomial(
        members.ravel()[binomial].astype(np.int64), -np.expm1(-hazard.ravel()[binomial])
    )
    recruits, leaving = counts.reshape((2, *lam.shape))
    # Rounding can carry an inversion one past the last binomial outcome (probability ~1e-16).
    np.minimum(leaving, members, out=leaving)
    return recruits, leaving


def _split_leavers(
    rng: np.random.Generator, leaving: np.ndarray, first: np.ndarray, second: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-run totals of the leavers that fall in the first and second of three causes.

    Each leaver picks its cause independently, ``first`` / ``second`` being the cumulative
    probabilities of the first two causes in its group: the multinomial split of every group's
    leavers, exactly as sequential binomial thinning, but with one uniform per leaver (a few
    per group a week) instead of two binomial draws per group.
    """
    runs = leaving.shape[1]
    counts = leaving.ravel().astype(np.int64)
    draws = rng.random(int(counts.sum()))
    cause = (draws >= np.repeat(first.ravel(), counts)).view(np.int8)
    cause += draws >= np.repeat(second.ravel(), counts)
    code = np.repeat(np.tile(np.arange(0, 3 * runs, 3), leaving.shape[0]), counts)
    code += cause
    tally = np.bincount(code, minlength=3 * runs).reshape(runs, 3)
    return tally[:, 0].astype(float), tally[:, 1].astype(float)


def _week_stochastic(
    members: np.ndarray, ops: Operators, params: dict[str, np.ndarray], rng: np.random.Generator
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    total = members.sum(axis=0)
    h_arrest = _column(params, "eta") / np.where(total > 0, total, 1.0)
    h_death = ops.conflict(members)
    h_death *= _column(params, "theta")
    hazard = _column(params, "omega") * members
    hazard += h_death
    hazard += h_arrest
    whole = np.floor(members)
    recruits, leaving = _draw_counts(rng, whole, _column(params, "rho") * members, hazard)
    # Cumulative shares of deaths and arrests among a group's leavers; where nobody leaves
    # (zero hazard) they are never used.
    np.divide(1.0, hazard, out=hazard, where=hazard > 0)
    h_death *= hazard
    hazard *= h_arrest
    hazard += h_death
    deaths, arrests = _split_leavers(rng, leaving, h_death, hazard)
    out = members - leaving
    out += recruits
    left = leaving.sum(axis=0)
    flows = {
        "deaths": deaths,
        "incapacitations": arrests,
        "saturation": left - deaths - arrests,
        "recruits": recruits.sum(axis=0),
    }
    return out, flows


# Runs advanced together in the stochastic mode: the week's dozen temporaries for a block this
# size stay in cache, and a larger batch runs as independent blocks, one after another.
_RUN_BLOCK = 100


def _block_params(params: dict[str, np.ndarray], runs: int, block: slice) -> dict[str, np.ndarray]:
    return {k: v[block] if np.ndim(v) == 1 and len(v) == runs else v for k, v in params.items()}


def _step_stochastic(
    state: State, params: dict[str, np.ndarray], weeks: float, rng: np.random.Generator
) -> State:
    runs = state.runs
    if runs > _RUN_BLOCK:
        members, flows = state.members.copy(), {}
        for start in range(0, runs, _RUN_BLOCK):
            block = slice(start, start + _RUN_BLOCK)
            part = _step_stochastic(
                replace(state, members=np.ascontiguousarray(state.members[:, block]), flows=None),
                _block_params(params, runs, block),
                weeks,
                rng,
            )
            members[:, block] = part.members
            for name, value in (part.flows or {}).items():
                flows.setdefault(name, np.zeros(runs))[block] = value
        return replace(state, members=members, flows=flows or state.flows)
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
