"""Trafficking routes and displacement: least-cost and congested routing under crackdowns.

After Dell (2015, AER 105(6):1738, appendix A-1): traffickers move a supply from origins
(producers, entry points) to markets over a network; each edge costs its length times a per-km
cost for its mode, plus an interdiction-risk cost at the node it enters (the node's state
capacity), plus a crossing cost at border crossings. In the congested version edge costs rise
with flow (``c0 * (1 + alpha * (x/cap)**p)``, the Bureau of Public Roads form), and markets
absorb volume through a linear inverse demand (the price falls by ``market_slope`` when a
market receives its ``demand``), so routing is a Wardrop equilibrium that also chooses markets.
A crackdown of intensity ``k`` on a node adds ``k * risk_cost`` to the cost of entering it (as if
its state capacity rose by ``k``); on an edge, to the cost of using it.

Outputs per run: flows per edge and node, volume delivered per market, the volume diverted
away from the crackdown targets, the total cost of doing business, and the places that newly
receive traffic (where Dell finds violence rises). Everything is vectorised over runs; the
solver is :mod:`oclab.models.routes_assign` (Frank–Wolfe, batched Dijkstra).

This is a static equilibrium, not a weekly dynamic, so it runs through its own scenario runner
(:mod:`oclab.models.routes_scenario`) rather than the study engine; see ``docs/odd/routes.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from oclab.core.params import Parameter, ParamSet, Prior
from oclab.errors import InputError
from oclab.models.routes_assign import Assignment, Problem, assign
from oclab.models.routes_network import RouteNetwork

NAME = "routes"
SUMMARY = "Trafficking routes, congestion and displacement under crackdowns (Dell 2015)"
#: A node "receives traffic" when at least this share of total supply passes through it.
TRAFFIC_SHARE = 1e-3

_NARCO = "Magliocca et al. (2019) PNAS 116:7784, NarcoLogic code (transport cost per km by mode)"
PARAMS = ParamSet(
    [
        Parameter(
            "cost_per_km",
            "thousand USD/kg/km",
            0.00446,
            0.002,
            0.008,
            source=f"{_NARCO}: value added $4.46/kg/km; range assumption (x0.45-x1.8)",
            description="overland transport cost per kg and km",
        ),
        Parameter(
            "sea_factor",
            "ratio",
            0.43,
            0.25,
            0.7,
            source=f"{_NARCO}: coastal 160 / inland 371; range assumption",
            description="sea cost per km relative to land",
        ),
        Parameter(
            "air_factor",
            "ratio",
            9.4,
            5.0,
            15.0,
            source=f"{_NARCO}: air 3,486 / inland 371; range assumption",
            description="air cost per km relative to land",
        ),
        Parameter(
            "crossing_cost",
            "thousand USD/kg",
            2.0,
            0.5,
            4.0,
            source="assumption (border-crossing premium; same at every crossing, so it only "
            "matters through congestion and crackdowns)",
            description="cost of a border crossing edge",
        ),
        Parameter(
            "risk_cost",
            "thousand USD/kg",
            1.0,
            0.3,
            3.0,
            source="assumption, calibrated so the world network's baseline splits match UNODC "
            "(data/routes_world/PROVENANCE.md); wide range",
            description="interdiction-risk cost of entering a node with state capacity 1",
        ),
        Parameter(
            "congestion_alpha",
            "ratio",
            0.15,
            0.05,
            1.0,
            source="Bureau of Public Roads (1964) link-cost function, alpha=0.15; for "
            "trafficking an assumption (Dell 2015 estimates congestion by SMM), wide range",
            description="cost increase at capacity relative to free cost",
        ),
        Parameter(
            "congestion_power",
            "exponent",
            4.0,
            2.0,
            6.0,
            source="Bureau of Public Roads (1964), beta=4; range assumption",
            description="how sharply costs rise past capacity",
            minimum=1.0,
        ),
        Parameter(
            "market_slope",
            "thousand USD/kg",
            8.0,
            3.0,
            20.0,
            source="assumption: linear inverse demand, price falls by this much when a market "
            "receives its demand; calibrated to UNODC splits (routes_world/PROVENANCE.md)",
            description="price fall at a market per 'demand' tonnes delivered",
        ),
        Parameter(
            "supply_scale",
            "ratio",
            1.0,
            0.8,
            1.2,
            source="UNODC World Drug Report 2010, range of cocaine production estimates "
            "(about ±20%); applied to every origin",
            description="multiplier on every origin's supply",
            prior=Prior("uniform", 0.8, 1.2),
        ),
    ]
)

OUTCOMES: dict[str, str] = {
    "delivered": "tonnes/year reaching each market (group = market)",
    "group_flow": "tonnes/year entering each corridor (group = corridor)",
    "diverted": "tonnes/year pushed off the crackdown targets (0 in the baseline)",
    "diverted_share": "diverted volume over baseline volume through the targets",
    "total_cost": "cost of doing business, million USD/year (sum of flow x cost, all edges)",
    "new_places": "nodes that carry traffic only after the crackdown",
}


@dataclass(frozen=True)
class Crackdown:
    """Extra interdiction ``k >= 0`` (in units of full state capacity) on nodes, groups, edges."""

    name: str = "baseline"
    nodes: Mapping[str, float] = field(default_factory=dict)
    groups: Mapping[str, float] = field(default_factory=dict)
    edges: Mapping[str, float] = field(default_factory=dict)

    def node_intensity(self, network: RouteNetwork, source: str = "crackdown") -> np.ndarray:
        """Per-node ``k`` (largest of the node's own and its group's)."""
        k = np.zeros(network.n_nodes)
        for node_id, value in self.nodes.items():
            i = network.index(node_id, source, f"nodes.{node_id}")
            k[i] = max(k[i], _intensity(value, source, f"nodes.{node_id}"))
        groups = np.array(network.groups)
        for group, value in self.groups.items():
            members = groups == group
            if not members.any():
                known = ", ".join(sorted(set(network.groups) - {""}))
                raise InputError(source, f"groups.{group}", f"a group of the network ({known})")
            k[members] = np.maximum(k[members], _intensity(value, source, f"groups.{group}"))
        return k

    def edge_intensity(self, network: RouteNetwork, source: str = "crackdown") -> np.ndarray:
        """Per-edge ``k`` for edges named ``"tail->head"``."""
        k = np.zeros(network.n_edges)
        for key, value in self.edges.items():
            tail, sep, head = key.partition("->")
            if not sep:
                raise InputError(source, f"edges.{key}", "an edge written as 'TAIL->HEAD'")
            e = network.edge_index(tail.strip(), head.strip(), source)
            k[e] = _intensity(value, source, f"edges.{key}")
        return k

    def targets(self, network: RouteNetwork) -> tuple[np.ndarray, np.ndarray]:
        """Boolean masks of targeted nodes and targeted edges."""
        return self.node_intensity(network) > 0, self.edge_intensity(network) > 0


def _intensity(value: object, source: str, field_name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise InputError(source, field_name, "a crackdown intensity k >= 0", value)
    return float(value)


@dataclass(frozen=True)
class RouteResult:
    """Flows and costs of one crackdown for every run (leading run axis)."""

    network: RouteNetwork
    crackdown: Crackdown
    edge_flow: np.ndarray  # (R, E) network edges only
    node_flow: np.ndarray  # (R, N)
    edge_cost: np.ndarray  # (R, E)
    delivered: np.ndarray  # (R, M) per market, in network.markets order
    total_cost: np.ndarray  # (R,) million USD/year
    relative_gap: np.ndarray  # (R,)
    iterations: int

    def group_flow(self, group: str) -> np.ndarray:
        """Tonnes/year entering the nodes of ``group`` (from outside it, or supplied in it)."""
        groups = np.array(self.network.groups)
        inside = groups == group
        entering = inside[self.network.head] & ~inside[self.network.tail]
        supplied = self.node_flow[:, inside] - _inflow(self, inside)
        return self.edge_flow[:, entering].sum(axis=1) + np.maximum(supplied, 0).sum(axis=1)

    def active(self) -> np.ndarray:
        """(R, N) mask of nodes carrying at least :data:`TRAFFIC_SHARE` of total supply."""
        total = self.node_flow[:, self.network.origins].sum(axis=1, keepdims=True)
        return self.node_flow >= TRAFFIC_SHARE * total


def _inflow(result: RouteResult, mask: np.ndarray) -> np.ndarray:
    net = result.network
    inflow = np.zeros_like(result.node_flow)
    np.add.at(inflow.T, net.head, result.edge_flow.T)
    return inflow[:, mask]


def draw_params(
    n: int,
    rng: np.random.Generator,
    fixed: Mapping[str, float] | None = None,
    priors: Mapping[str, Prior] | None = None,
) -> dict[str, np.ndarray]:
    """Per-run parameter arrays: defaults, overridden by ``fixed``, then drawn from ``priors``."""
    values = {p.name: np.full(n, p.default) for p in PARAMS}
    for name, value in (fixed or {}).items():
        values[name] = np.full(n, float(value))
    for name in PARAMS.names:  # fixed order so draws do not depend on dict order
        if priors and name in priors:
            values[name] = priors[name].sample(rng, n)
    return values


def build_problem(
    network: RouteNetwork, params: Mapping[str, np.ndarray], crackdown: Crackdown
) -> Problem:
    """The batched assignment problem: network edges plus one edge per market to a sink."""
    p = {k: np.asarray(v, dtype=float)[:, None] for k, v in params.items()}
    runs = p["cost_per_km"].shape[0]
    modes = np.array(network.mode)
    per_km = p["cost_per_km"] * np.select(
        [modes == "sea", modes == "air"], [p["sea_factor"], p["air_factor"]], 1.0
    )
    free = network.length_km * per_km
    free = free + p["risk_cost"] * network.state_capacity[network.head]
    free = free + np.where(modes == "crossing", p["crossing_cost"], 0.0)
    pressure = crackdown.node_intensity(network)[network.head] + crackdown.edge_intensity(network)
    free = free + p["risk_cost"] * pressure
    congested = np.isfinite(network.capacity)
    slope = np.where(congested, p["congestion_alpha"] * free, 0.0)
    markets = network.markets
    sink = network.n_nodes
    price = network.price[markets]
    market_free = np.broadcast_to(price.max() - price + 1e-6, (runs, markets.size))
    market_slope = np.broadcast_to(p["market_slope"], (runs, markets.size))
    power = np.concatenate(
        [np.broadcast_to(p["congestion_power"], free.shape), np.ones((runs, markets.size))], axis=1
    )
    supply = np.zeros((runs, network.n_nodes + 1))
    supply[:, :-1] = network.supply * p["supply_scale"]
    return Problem(
        n_nodes=network.n_nodes + 1,
        tail=np.concatenate([network.tail, markets]),
        head=np.concatenate([network.head, np.full(markets.size, sink)]),
        sink=sink,
        supply=supply,
        free_cost=np.concatenate([free, market_free], axis=1),
        slope=np.concatenate([slope, market_slope], axis=1),
        capacity=np.concatenate([network.capacity, network.demand[markets]]),
        power=power,
    )


def solve(
    network: RouteNetwork,
    params: Mapping[str, np.ndarray],
    crackdown: Crackdown | None = None,
    *,
    equilibrium: bool = True,
    tolerance: float = 1e-4,
    max_iterations: int = 1000,
) -> RouteResult:
    """Least-cost (``equilibrium=False``) or congested-equilibrium flows for every run."""
    crackdown = crackdown or Crackdown()
    problem = build_problem(network, params, crackdown)
    result: Assignment = assign(
        problem, equilibrium=equilibrium, tolerance=tolerance, max_iterations=max_iterations
    )
    e = network.n_edges
    return RouteResult(
        network=network,
        crackdown=crackdown,
        edge_flow=result.flow[:, :e],
        node_flow=result.node_flow[:, :-1],
        edge_cost=result.cost[:, :e],
        delivered=result.flow[:, e:],
        total_cost=(result.flow[:, :e] * result.cost[:, :e]).sum(axis=1),
        relative_gap=result.relative_gap,
        iterations=result.iterations,
    )


def target_volume(result: RouteResult, crackdown: Crackdown) -> np.ndarray:
    """Tonnes/year entering the crackdown's target nodes (from outside them) or using its
    target edges, (R,)."""
    net = result.network
    nodes, edges = crackdown.targets(net)
    entering = nodes[net.head] & ~nodes[net.tail]
    return result.edge_flow[:, entering | (edges & ~nodes[net.head])].sum(axis=1)


def displacement(baseline: RouteResult, after: RouteResult) -> dict[str, np.ndarray]:
    """Diverted volume and share, change in cost, and places newly carrying traffic, per run."""
    before = target_volume(baseline, after.crackdown)
    moved = np.maximum(before - target_volume(after, after.crackdown), 0.0)
    new = after.active() & ~baseline.active()
    return {
        "diverted": moved,
        "diverted_share": np.divide(moved, before, out=np.zeros_like(moved), where=before > 0),
        "total_cost_change": after.total_cost - baseline.total_cost,
        "new_places": new.sum(axis=1).astype(float),
        "new_place_share": new.mean(axis=0),
    }
