"""Batched least-cost and congested-equilibrium assignment of flows to one sink.

Every run ``r`` of a batch has its own edge costs on the same directed graph. Each origin ships
its supply to a common *sink* (markets connect to it through edges whose cost is the market's
inverse demand, so choosing a route also chooses a market). Edge cost is separable and convex::

    c_e(x) = c0_e + b_e * (x / cap_e) ** p

Least cost (all-or-nothing, AON): one Dijkstra per run on the *reversed* graph from the sink
gives every node its next hop; each origin's supply follows next hops to the sink. The runs are
stacked as a block-diagonal graph and solved with one call of :func:`scipy.sparse.csgraph.dijkstra`
(``min_only`` with the sinks of all blocks as sources: blocks are disconnected, so each node is
reached only from its own block's sink). Supply is pushed down the next-hop trees with sparse
matrix-vector products, one per tree level, for all runs at once.

Congested equilibrium (Wardrop user equilibrium, Dell 2015 appendix A-1.2): Frank–Wolfe with an
exact line search, vectorised over runs. We use Frank–Wolfe rather than the method of successive
averages because the costs are separable and integrable (so the Beckmann objective exists and
its directional derivative can be driven to zero by bisection), and because Frank–Wolfe's
duality gap gives each run a convergence certificate; MSA's fixed 1/k steps converge more slowly
and give no such bound.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

#: Costs are floored here so Dijkstra never sees a zero-weight (implicit, missing) edge.
MIN_COST = 1e-9


@dataclass(frozen=True)
class Problem:
    """A batch of assignment problems on one graph; arrays have a leading run axis ``R``."""

    n_nodes: int  # including the sink
    tail: np.ndarray  # (E,) int
    head: np.ndarray  # (E,) int
    sink: int
    supply: np.ndarray  # (R, N) tonnes leaving each node
    free_cost: np.ndarray  # (R, E) cost at zero flow, > 0
    slope: np.ndarray  # (R, E) congestion coefficient b_e, >= 0
    capacity: np.ndarray  # (E,) > 0; inf means no congestion
    power: np.ndarray  # (R, 1) or (R, E) exponent p

    @property
    def runs(self) -> int:
        return self.supply.shape[0]

    @cached_property
    def congested(self) -> _Congestion:
        """The edges whose cost depends on flow, with their coefficients (R, K)."""
        index = np.flatnonzero((self.slope > 0).any(axis=0) & np.isfinite(self.capacity))
        power = np.broadcast_to(self.power, self.slope.shape)[:, index]
        return _Congestion(index, self.slope[:, index], self.capacity[index], power)

    def cost(self, flow: np.ndarray) -> np.ndarray:
        """Edge costs ``c(flow)`` for flows of shape (R, E)."""
        part = self.congested
        cost = self.free_cost.copy()
        cost[:, part.index] += part.slope * np.power(
            flow[:, part.index] / part.capacity, part.power
        )
        return cost


@dataclass(frozen=True)
class _Congestion:
    index: np.ndarray  # (K,) edges with flow-dependent cost
    slope: np.ndarray  # (R, K)
    capacity: np.ndarray  # (K,)
    power: np.ndarray  # (R, K)

    def terms(self, flow: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Congestion cost and its derivative in flow, (R, K) each, for flows (R, K)."""
        ratio = flow / self.capacity
        lower = (self.power == 1).astype(float)  # the value of ratio**(power-1) at ratio 0
        np.power(ratio, self.power - 1, out=lower, where=ratio > 0)  # most edges carry nothing
        return self.slope * lower * ratio, self.slope * self.power * lower / self.capacity


@dataclass(frozen=True)
class Assignment:
    """Edge flows (R, E), node throughput (R, N), edge costs at those flows and convergence."""

    flow: np.ndarray
    node_flow: np.ndarray
    cost: np.ndarray
    distance: np.ndarray  # (R, N) least cost from each node to the sink at ``cost``
    relative_gap: np.ndarray  # (R,)
    iterations: int


class _BatchGraph:
    """The block-diagonal reversed graph of ``R`` copies, built once and re-weighted cheaply."""

    def __init__(self, problem: Problem) -> None:
        n, e, r = problem.n_nodes, problem.tail.size, problem.runs
        self.n, self.e, self.r = n, e, r
        # One block's reversed CSR (head -> tail), then tiled: the blocks share their structure.
        order = np.arange(1, e + 1, dtype=float)  # +1 so no entry is an explicit zero
        block = sparse.csr_array((order, (problem.head, problem.tail)), shape=(n, n))
        block_perm = block.data.astype(np.int64) - 1  # csr position -> edge
        nnz = block_perm.size
        indices = (block.indices[None, :] + (np.arange(r) * n)[:, None]).ravel()
        indptr = np.concatenate(
            [(block.indptr[:-1][None, :] + (np.arange(r) * nnz)[:, None]).ravel(), [r * nnz]]
        )
        self.perm = (block_perm[None, :] + (np.arange(r) * e)[:, None]).ravel()
        self.matrix = sparse.csr_array((np.ones(r * nnz), indices, indptr), shape=(r * n, r * n))
        self.sinks = np.arange(r) * n + problem.sink
        keys = problem.tail.astype(np.int64) * n + problem.head
        self.key_order = np.argsort(keys)
        self.sorted_keys = keys[self.key_order]

    def shortest(self, cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distance to the sink (R, N) and next node (flat index, negative at the sink)."""
        self.matrix.data = np.maximum(cost.ravel()[self.perm], MIN_COST)
        dist, pred, _ = dijkstra(
            self.matrix,
            directed=True,
            indices=self.sinks,
            return_predecessors=True,
            min_only=True,
        )
        return dist.reshape(self.r, self.n), pred

    def load(self, supply: np.ndarray, nxt: np.ndarray) -> np.ndarray:
        """All-or-nothing edge flows (R, E): each origin's supply follows next hops to the sink.

        Tracers start at every (run, origin) with supply and advance one hop per step, all at
        once; the work is (path length) x (runs x origins), independent of the network's size.
        """
        runs, origins = np.nonzero(supply)
        weight = supply[runs, origins]
        here = runs * self.n + origins
        slots, weights = [], []
        while here.size:
            there = nxt[here]
            moving = there >= 0
            here, there, weight, runs = here[moving], there[moving], weight[moving], runs[moving]
            key = (here % self.n) * self.n + there % self.n
            edge = self.key_order[np.searchsorted(self.sorted_keys, key)]
            slots.append(runs * self.e + edge)
            weights.append(weight)
            here = there
        flow = np.bincount(
            np.concatenate(slots or [np.zeros(0, np.int64)]),
            weights=np.concatenate(weights or [np.zeros(0)]),
            minlength=self.r * self.e,
        )
        return flow.reshape(self.r, self.e)


def _line_search(problem: Problem, x: np.ndarray, d: np.ndarray, steps: int) -> np.ndarray:
    """Step in [0, 1] per run minimising the Beckmann objective along ``d``.

    Solves ``h(t) = sum_e c_e(x + t d) d_e = 0`` (``h`` is non-decreasing) by safeguarded Newton:
    a Newton step when it stays inside the current bracket, bisection otherwise.
    """
    part = problem.congested
    linear = (problem.free_cost * d).sum(axis=1)
    rows, cols = np.nonzero(d[:, part.index])  # only edges whose flow changes matter
    x0, dv = x[:, part.index][rows, cols], d[:, part.index][rows, cols]
    b_e, p_e = part.slope[rows, cols], part.power[rows, cols]
    cap_e = part.capacity[cols]

    def h(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ratio = (x0 + t[rows] * dv) / cap_e
        lower = np.power(ratio, p_e - 1)
        value = np.bincount(rows, b_e * lower * ratio * dv, problem.runs)
        change = np.bincount(rows, b_e * p_e * lower / cap_e * dv * dv, problem.runs)
        return linear + value, change

    ones = np.ones(problem.runs)
    h1, _ = h(ones)
    lo, hi = np.zeros(problem.runs), ones.copy()
    t = 0.5 * ones
    for _ in range(steps):
        value, slope = h(t)
        lo = np.where(value < 0, t, lo)
        hi = np.where(value < 0, hi, t)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = t - value / slope
        inside = np.isfinite(newton) & (newton > lo) & (newton < hi)
        t = np.where(inside, newton, 0.5 * (lo + hi))
    return np.where(h1 <= 0, 1.0, t)


def node_throughput(problem: Problem, flow: np.ndarray) -> np.ndarray:
    """Supply plus inflow of every node, (R, N)."""
    into = sparse.csr_array(
        (np.ones(problem.head.size), (np.arange(problem.head.size), problem.head)),
        shape=(problem.head.size, problem.n_nodes),
    )
    return problem.supply + (into.T @ flow.T).T


def assign(
    problem: Problem,
    *,
    equilibrium: bool = True,
    max_iterations: int = 1000,
    tolerance: float = 1e-4,
    line_search_steps: int = 12,
) -> Assignment:
    """Least-cost (``equilibrium=False``: costs at zero flow) or Wardrop-equilibrium flows.

    The equilibrium uses conjugate Frank–Wolfe (Mitradjieva & Lindberg 2013, Transportation
    Science 47(2):280): the search point is a combination of the new all-or-nothing flows and
    the previous search point that is conjugate with respect to the (diagonal) Hessian of the
    Beckmann objective, which removes plain Frank–Wolfe's zig-zag near the optimum. It stops when
    every run's relative gap ``(c·x - c·y) / c·x`` (``y`` the AON flows at the current costs)
    is below ``tolerance`` or after ``max_iterations``.
    """
    graph = _BatchGraph(problem)
    cost = problem.cost(np.zeros_like(problem.free_cost))
    dist, nxt = graph.shortest(cost)
    x = graph.load(problem.supply, nxt)
    gap = np.zeros(problem.runs)
    iterations = 0
    if equilibrium:
        x, gap, iterations = _frank_wolfe(
            problem, graph, x, max_iterations, tolerance, line_search_steps
        )
        cost = problem.cost(x)
        dist, _ = graph.shortest(cost)
    return Assignment(x, node_throughput(problem, x), cost, dist, gap, iterations)


def _subset(problem: Problem, runs: np.ndarray) -> Problem:
    """The problem restricted to some runs."""
    power = np.broadcast_to(problem.power, problem.slope.shape)
    return replace(
        problem,
        supply=problem.supply[runs],
        free_cost=problem.free_cost[runs],
        slope=problem.slope[runs],
        power=power[runs],
    )


def _frank_wolfe(
    problem: Problem,
    graph: _BatchGraph,
    x: np.ndarray,
    max_iterations: int,
    tolerance: float,
    steps: int,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Conjugate Frank–Wolfe from AON flows ``x``; returns flows, relative gaps, iterations.

    A run is frozen the first time its gap is below ``tolerance`` (Frank–Wolfe gaps are not
    monotone, so it could drift above while others still work). Frozen runs are dropped from
    the batch once they are a quarter of it, so the work follows each run's own iterations.
    """
    x = x.copy()
    gap = np.full(problem.runs, np.inf)
    active = np.arange(problem.runs)  # runs in the current batch
    sub, flows, search = problem, x, None
    frozen = np.zeros(problem.runs, dtype=bool)  # within the current batch
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007 - returned
        part = sub.congested
        extra, hessian = part.terms(flows[:, part.index])  # one power evaluation per iteration
        cost = sub.free_cost.copy()
        cost[:, part.index] += extra
        _, nxt = graph.shortest(cost)
        y = graph.load(sub.supply, nxt)
        total = (cost * flows).sum(axis=1)
        now = np.maximum(total - (cost * y).sum(axis=1), 0.0) / np.maximum(total, MIN_COST)
        gap[active] = np.where(frozen, gap[active], now)
        frozen |= now < tolerance
        if frozen.all():
            break
        if frozen.sum() >= 0.25 * active.size:
            keep = ~frozen
            x[active[frozen]] = flows[frozen]
            active, flows, y, hessian = active[keep], flows[keep], y[keep], hessian[keep]
            search = None if search is None else search[keep]
            sub = _subset(problem, active)
            graph = _BatchGraph(sub)
            frozen = np.zeros(active.size, dtype=bool)
        search = y if search is None else _conjugate(sub, flows, y, search, hessian)
        d = search - flows
        step = np.where(frozen, 0.0, _line_search(sub, flows, d, steps))
        flows = flows + step[:, None] * d
    x[active] = flows
    return x, gap, iterations


def _conjugate(
    problem: Problem, x: np.ndarray, y: np.ndarray, previous: np.ndarray, hessian: np.ndarray
) -> np.ndarray:
    """The conjugate Frank–Wolfe search point from AON flows ``y`` and the last search point;
    ``hessian`` is the derivative of the congested edges' costs at ``x``, (R, K)."""
    part = problem.congested
    back = (previous - x)[:, part.index]
    numerator = (back * hessian * (y - x)[:, part.index]).sum(axis=1)
    denominator = (back * hessian * (y - previous)[:, part.index]).sum(axis=1)
    alpha = np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator != 0)
    alpha = np.clip(alpha, 0.0, 0.99)[:, None]
    return alpha * previous + (1 - alpha) * y
