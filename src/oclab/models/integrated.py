"""The integrated strategy model: every lever of the report acting on one coupled system.

Couples four published components and four mechanisms, vectorised over runs:

* cartel groups (:mod:`oclab.models.cartels`, Prieto-Curiel et al. 2023, with the targeting,
  kingpin and consolidation strategies of issue 5), ranked by strength, each with a home state;
* the US market (:mod:`oclab.models.demand`, LHY with prevention, treatment and price, advanced
  from 1970 to the start year) and a European market growing at ``europe_growth``;
* the corridors (:mod:`oclab.models.routes`, via :mod:`oclab.models.integrated_routes`):
  interdiction on the Mexican corridor diverts tonnes and raises route costs;
* laundering (:mod:`~oclab.models.laundering`), guns (:mod:`~oclab.models.guns`) and institutions
  with the military and truces (:mod:`~oclab.models.institutions`).

Revenue ties them together. Every quarter (13 weeks, or less)::

    gross   = US retail spending * mexico_revenue_share * volume_ratio(interdiction) + Europe
    cost    = laundering cost share + route_cost_share * route_cost_ratio(interdiction)
              + bribe_share * corruption / corruption_0
    net     = gross * (1 - cost)
    rho'    = rho * (net / net_sq)^revenue_recruitment_elasticity
              * max(0, 1 - legitimacy_recruitment_effect * (legitimacy - legitimacy_0))
    eta'    = eta * suppression_intensity * (1 - corruption) / (1 - corruption_0)
              * conviction / conviction_now * (1 + arrest_effect * (prof - prof_0))
              * (1 + cooperation_effect * (legitimacy - legitimacy_0))
              + military_arrests * (troops - troops_0)      (at most max_arrest_hazard * members)
    theta'  = theta * guns.lethality_factor * truce_violence_factor
    absorption_rate' = absorption_rate + truce * truce_consolidation

and the cartel model runs with ``rho', eta', theta'``. ``net_sq`` is the net revenue the same
world would have at the same time under the status quo (the history's lever values, with its
own US market advanced alongside), so with every lever at its status quo every multiplier is
exactly 1 and the integrated model *is* the cartel model (a test checks it); levers act as
departures from the calibrated trajectory. Deaths in clashes with the state are
``clash_deaths * members/members_0 * (troops/troops_0 + suppression_intensity) / 2`` a year.
Most couplings are assumptions with wide ranges (``docs/odd/integrated.md``); the claims engine
(:mod:`oclab.claims`) says which findings hold across them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from oclab.core.params import ParamSet
from oclab.data.network import CartelNetwork
from oclab.models import cartels, demand, guns, laundering
from oclab.models import institutions as inst_model
from oclab.models.integrated_budget import total_spending
from oclab.models.integrated_params import INTEGRATED_PARAMS, LEVER_PARAMS
from oclab.models.integrated_routes import RoutesResponse, load_response

NAME = "integrated"
SUMMARY = "Every lever of the report on cartels, markets, routes, money, guns and institutions"
WEEKS_PER_YEAR = 52.0
#: The cartel model's data start (Crime0 at the start of 2012); studies must start here.
START_YEAR = 2012.0
#: The demand model's parameters describe the US from 1970 on; it is advanced to START_YEAR.
DEMAND_START_YEAR = 1970.0
SUBSTEP_WEEKS = 13
OPTIONS: dict[str, tuple[str, ...]] = cartels.OPTIONS

PARAMS = ParamSet([*cartels.PARAMS, *demand.PARAMS, *INTEGRATED_PARAMS])
#: Parameters that are policy levers: the status quo keeps the history's values of these.
LEVERS: tuple[str, ...] = (
    *(p.name for p in LEVER_PARAMS),
    "focus",
    "focus_groups",
    "containment",
    "kingpin_per_year",
    "budget_total",
    "budget_share",
    "prevention_share",
    "supply_domestic_share",
    "supply_interdiction_share",
)


@dataclass(frozen=True)
class IntegratedData:
    """What every run shares: the cartel network and the routes response."""

    network: CartelNetwork
    routes: RoutesResponse


@dataclass(frozen=True)
class Reference:
    """The status quo every run is measured against: its members at the start, its lever values
    (those of the history) and its US market, advanced alongside under those levers."""

    members: np.ndarray
    levers: dict[str, np.ndarray]
    market: demand.State
    us_revenue_start: np.ndarray


@dataclass(frozen=True)
class State:
    """A batch of runs: the components' states, the institutions and the references."""

    cartel: cartels.State
    market: demand.State
    institutions: inst_model.Institutions
    europe_growth_factor: np.ndarray
    reference: Reference
    routes: RoutesResponse

    @property
    def runs(self) -> int:
        return self.cartel.runs


@dataclass(frozen=True)
class Coupling:
    """What the components see this step, per run."""

    gross_revenue: np.ndarray
    net_revenue: np.ndarray
    cost_share: np.ndarray
    laundering_share: np.ndarray
    gross_vs_status_quo: np.ndarray
    cartel_params: dict[str, np.ndarray]
    conviction: np.ndarray


def load_data(path: str | None) -> IntegratedData:
    """The cartel network in folder ``path`` (``None``: the bundled one) and the routes table."""
    return IntegratedData(cartels.load_data(path), load_response())


def group_labels(data: IntegratedData) -> tuple[str, ...]:
    """The cartel groups' labels (see :func:`oclab.models.cartels.group_labels`)."""
    return cartels.group_labels(data.network)


def _arr(params: dict[str, np.ndarray], name: str) -> np.ndarray:
    return np.asarray(params[name], dtype=float)


def _us_revenue(
    market: demand.State, params: dict[str, np.ndarray], routes: RoutesResponse
) -> np.ndarray:
    spent = demand.observe(market, params)["revenue_mexican_dtos"]
    return spent * routes.mexico_volume_ratio(_arr(params, "interdiction"))


def _revenue(
    state: State, params: dict[str, np.ndarray], market: demand.State, corruption: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gross revenue, cost share and laundering share under ``params``."""
    europe = (
        _arr(params, "europe_revenue_ratio")
        * state.reference.us_revenue_start
        * state.europe_growth_factor
    )
    gross = _us_revenue(market, params, state.routes) + europe
    laundering_share = laundering.cost_share(params)
    cost = np.minimum(
        laundering_share
        + _arr(params, "route_cost_share") * state.routes.cost_ratio(_arr(params, "interdiction"))
        + _arr(params, "bribe_share") * corruption / _arr(params, "corruption_initial"),
        0.99,
    )
    return gross, cost, laundering_share


def coupling(state: State, params: dict[str, np.ndarray]) -> Coupling:
    """What the components see at ``state`` under ``params``; revenue is compared with the
    status quo's at the same time (same world, history's levers, its own US market)."""
    inst = state.institutions
    gross, cost, laundering_share = _revenue(state, params, state.market, inst.corruption)
    status_quo = params | state.reference.levers
    gross_sq, cost_sq, _ = _revenue(
        state, status_quo, state.reference.market, _arr(params, "corruption_initial")
    )
    net = gross * (1.0 - cost)
    revenue_ratio = net / (gross_sq * (1.0 - cost_sq))
    legit = inst.legitimacy - _arr(params, "legitimacy_initial")
    rho = (
        _arr(params, "rho")
        * revenue_ratio ** _arr(params, "revenue_recruitment_elasticity")
        * np.maximum(0.0, 1.0 - _arr(params, "legitimacy_recruitment_effect") * legit)
    )
    conviction = inst_model.conviction_probability(params, inst)
    eta = _arr(params, "eta") * _arr(params, "suppression_intensity") * (1.0 - inst.corruption) / (
        1.0 - _arr(params, "corruption_initial")
    ) * conviction / _arr(params, "conviction_now") * (
        1.0
        + _arr(params, "professionalization_arrest_effect")
        * (inst.professionalization - _arr(params, "professionalization_initial"))
    ) * np.maximum(0.0, 1.0 + _arr(params, "cooperation_effect") * legit) + _arr(
        params, "military_arrests"
    ) * (_arr(params, "military_troops") - inst_model.TROOPS_STATUS_QUO)
    theta = (
        _arr(params, "theta")
        * guns.lethality_factor(params)
        * inst_model.truce_violence_factor(params, inst)
    )
    absorption = _arr(params, "absorption_rate") + _arr(params, "truce") * _arr(
        params, "truce_consolidation"
    )
    members = state.cartel.members.sum(axis=0)
    eta = np.clip(eta, 0.0, _arr(params, "max_arrest_hazard") * members)
    cartel_params = params | {
        "rho": rho,
        "eta": eta,
        "theta": theta,
        "absorption_rate": absorption,
    }
    return Coupling(gross, net, cost, laundering_share, gross / gross_sq, cartel_params, conviction)


def _at_status_quo(params: dict[str, np.ndarray], levers: dict[str, np.ndarray]) -> bool:
    """Whether every lever in ``params`` has its status-quo value in every run."""
    return all(np.array_equal(np.asarray(params[name]), value) for name, value in levers.items())


def init(
    data: IntegratedData,
    params: dict[str, np.ndarray],
    n: int,
    rng: np.random.Generator,
    **options: str,
) -> State:
    """``n`` runs at the start of 2012: the cartel groups, the US market advanced from 1970."""
    cartel = cartels.init(data.network, params, n, rng, **options)  # type: ignore[arg-type]
    market = demand.init(None, params, n, rng)
    market = demand.step(market, params, (START_YEAR - DEMAND_START_YEAR) * WEEKS_PER_YEAR, rng)
    levers = {name: np.array(_arr(params, name), copy=True) for name in LEVERS}
    us_start = _us_revenue(market, params, data.routes)
    reference = Reference(cartel.members.sum(axis=0), levers, market, us_start)
    inst = inst_model.Institutions.initial(params, n)
    return State(cartel, market, inst, np.ones(n), reference, data.routes)


def step(
    state: State, params: dict[str, np.ndarray], weeks: float, rng: np.random.Generator
) -> State:
    """Advance every run by ``weeks``, re-coupling the components every quarter (13 weeks)."""
    remaining = float(weeks)
    while remaining > 1e-9:
        dt = min(float(SUBSTEP_WEEKS), remaining)
        link = coupling(state, params)
        cartel = cartels.step(state.cartel, link.cartel_params, dt, rng)
        market = demand.step(state.market, params, dt, rng)
        levers = state.reference.levers
        if state.market is state.reference.market and _at_status_quo(params, levers):
            reference = replace(state.reference, market=market)  # the same market: step it once
        else:
            reference = replace(
                state.reference,
                market=demand.step(state.reference.market, params | levers, dt, rng),
            )
        inst = inst_model.advance(
            state.institutions,
            params,
            dt / WEEKS_PER_YEAR,
            link.gross_vs_status_quo,
            cartel.members.sum(axis=0) / state.reference.members,
        )
        growth = np.exp(_arr(params, "europe_growth") * dt / WEEKS_PER_YEAR)
        state = replace(
            state,
            cartel=cartel,
            market=market,
            institutions=inst,
            europe_growth_factor=state.europe_growth_factor * growth,
            reference=reference,
        )
        remaining -= dt
    return state


def observe(state: State, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """National outcomes per run (see :data:`OUTCOMES`)."""
    link = coupling(state, params)
    groups = cartels.observe(state.cartel, link.cartel_params)
    market = demand.observe(state.market, params)
    members = groups["members"]
    force = 0.5 * (inst_model.troop_ratio(params) + _arr(params, "suppression_intensity"))
    clashes = _arr(params, "clash_deaths") * members / state.reference.members * force
    conflict = (groups["deaths_weekly"] + groups["deaths_surge_weekly"]) * WEEKS_PER_YEAR
    inst = state.institutions
    shape = members.shape
    return {
        "homicides": conflict + clashes,
        "conflict_deaths": conflict,
        "clash_deaths": clashes,
        "members": members,
        "recruits": groups["recruits_weekly"] * WEEKS_PER_YEAR,
        "incapacitations": groups["incapacitations_weekly"] * WEEKS_PER_YEAR,
        "active_groups": groups["active_groups"],
        "hhi": groups["hhi"],
        "largest_share": groups["largest_share"],
        "gross_revenue": link.gross_revenue,
        "net_revenue": link.net_revenue,
        "cost_of_business": link.cost_share,
        "laundering_cost": np.broadcast_to(link.laundering_share, shape).copy(),
        "laundering_caught": np.broadcast_to(
            laundering.cost_components(params)["caught"], shape
        ).copy(),
        "us_users": market["users"],
        "us_consumption_tonnes": market["consumption_tonnes"],
        "mexico_route_share": np.broadcast_to(
            state.routes.mexico_share_of_us(_arr(params, "interdiction")), shape
        ).copy(),
        "legitimate_friction": np.broadcast_to(
            laundering.legitimate_friction(params), shape
        ).copy(),
        "reports_digested": np.broadcast_to(laundering.digested_share(params), shape).copy(),
        "public_spending": np.broadcast_to(total_spending(params), shape).copy(),
        "gun_supply": np.broadcast_to(guns.supply_index(params), shape).copy(),
        "conviction_probability": link.conviction,
        "corruption": inst.corruption.copy(),
        "professionalization": inst.professionalization.copy(),
        "legitimacy": inst.legitimacy.copy(),
    }


def group_members(state: State) -> np.ndarray:
    """Members per cartel group, shape (runs, groups) (see :func:`cartels.group_members`)."""
    return cartels.group_members(state.cartel)


HEADLINE: tuple[str, ...] = ("homicides", "members", "net_revenue")
OUTCOMES: dict[str, str] = {
    "homicides": "homicides a year: conflict between groups plus clashes with the state",
    "conflict_deaths": "deaths a year from conflict between groups",
    "clash_deaths": "deaths a year in clashes between the state and the groups",
    "members": "members of all groups",
    "recruits": "recruits a year",
    "incapacitations": "members removed by the state a year",
    "active_groups": "groups with at least one member",
    "hhi": "concentration of members across groups (Herfindahl-Hirschman, 0-1)",
    "largest_share": "share of members in the largest group",
    "gross_revenue": "traffickers' gross revenue (USD a year)",
    "net_revenue": "traffickers' revenue after laundering, route and bribe costs (USD a year)",
    "cost_of_business": "share of gross revenue lost to laundering, routes and bribes",
    "laundering_cost": "share of proceeds lost to laundering",
    "laundering_caught": "share of proceeds frozen or forfeited after a report was read",
    "us_users": "US cocaine users (people)",
    "us_consumption_tonnes": "US cocaine consumption (pure tonnes a year)",
    "mexico_route_share": "share of US-bound cocaine passing through Mexico",
    "legitimate_friction": "burden of transaction reporting on legitimate customers (USD a year)",
    "reports_digested": "share of filed transaction reports analysts read",
    "public_spending": "public spending on the strategy (USD a year)",
    "gun_supply": "US gun supply to Mexico relative to the status quo",
    "conviction_probability": "probability that an arrest ends in a conviction",
    "corruption": "share of enforcement lost to bribes",
    "professionalization": "police professionalization (1 = a full national standard)",
    "legitimacy": "legitimacy of the state (0-1)",
}
