"""Batched assignment: hand-checkable equilibria, networkx agreement, Wardrop conditions."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from oclab.models.routes_assign import Problem, assign


def two_links(runs: int = 2) -> Problem:
    """Origin 0 ships 3 t to sink 3 over 0-1-3 (cost 1 + x) or 0-2-3 (cost 2 + x)."""
    tail, head = np.array([0, 1, 0, 2]), np.array([1, 3, 2, 3])
    ones = np.ones((runs, 1))
    return Problem(
        n_nodes=4,
        tail=tail,
        head=head,
        sink=3,
        supply=ones * [3.0, 0, 0, 0],
        free_cost=ones * [1.0, 1e-9, 2.0, 1e-9],
        slope=ones * [1.0, 0, 1.0, 0],
        capacity=np.array([1.0, np.inf, 1.0, np.inf]),
        power=ones,
    )


def test_two_link_equilibrium_by_hand():
    # Wardrop: 1 + x1 = 2 + x2 and x1 + x2 = 3 give x1 = 2, x2 = 1 (both routes cost 3).
    result = assign(two_links(), tolerance=1e-10)
    np.testing.assert_allclose(result.flow, [[2, 2, 1, 1]] * 2, atol=1e-6)
    np.testing.assert_allclose(result.distance[:, 0], 3.0, atol=1e-6)


def test_least_cost_puts_everything_on_the_cheaper_route():
    result = assign(two_links(), equilibrium=False)
    np.testing.assert_allclose(result.flow, [[3, 3, 0, 0]] * 2)


def random_problem(rng: np.random.Generator, runs: int, n: int = 12) -> Problem:
    graph = nx.gnp_random_graph(n, 0.35, seed=int(rng.integers(1 << 30)), directed=True)
    graph.add_edges_from((i, i + 1) for i in range(n - 1))  # every node reaches the sink n-1
    edges = np.array(sorted(graph.edges()))
    supply = np.zeros((runs, n))
    supply[:, : n // 2] = rng.uniform(1, 5, (runs, n // 2))
    e = len(edges)
    return Problem(
        n_nodes=n,
        tail=edges[:, 0],
        head=edges[:, 1],
        sink=n - 1,
        supply=supply,
        free_cost=rng.uniform(1, 10, (runs, e)),
        slope=rng.uniform(0.5, 2, (runs, e)),
        capacity=rng.uniform(2, 10, e),
        power=np.full((runs, 1), 3.0),
    )


def test_least_cost_matches_networkx_per_run():
    rng = np.random.default_rng(1)
    problem = random_problem(rng, runs=5)
    result = assign(problem, equilibrium=False)
    for r in range(problem.runs):
        graph = nx.DiGraph()
        for e, (u, v) in enumerate(zip(problem.tail, problem.head, strict=True)):
            graph.add_edge(int(u), int(v), weight=problem.free_cost[r, e], index=e)
        dist, paths = nx.single_source_dijkstra(graph.reverse(), problem.sink)
        flow = np.zeros(problem.tail.size)
        for origin in np.flatnonzero(problem.supply[r]):
            path = paths[int(origin)][::-1]
            for u, v in itertools.pairwise(path):
                flow[graph[u][v]["index"]] += problem.supply[r, origin]
        np.testing.assert_allclose(result.flow[r], flow, rtol=1e-12)
        np.testing.assert_allclose(result.distance[r, list(dist)], list(dist.values()), rtol=1e-12)


def test_batch_equals_runs_solved_one_by_one():
    problem = random_problem(np.random.default_rng(2), runs=4)
    batch = assign(problem, tolerance=1e-6)
    for r in range(problem.runs):
        one = Problem(
            problem.n_nodes,
            problem.tail,
            problem.head,
            problem.sink,
            problem.supply[r : r + 1],
            problem.free_cost[r : r + 1],
            problem.slope[r : r + 1],
            problem.capacity,
            problem.power[r : r + 1],
        )
        np.testing.assert_allclose(assign(one, tolerance=1e-6).flow[0], batch.flow[r], atol=1e-2)


@pytest.mark.parametrize("seed", [3, 4])
def test_wardrop_conditions_hold_at_equilibrium(seed):
    problem = random_problem(np.random.default_rng(seed), runs=3)
    result = assign(problem, tolerance=1e-7, max_iterations=5000)
    assert (result.relative_gap < 1e-7).all()
    # conservation: everything supplied reaches the sink
    np.testing.assert_allclose(
        result.node_flow[:, problem.sink], problem.supply.sum(axis=1), rtol=1e-9
    )
    # every edge carrying flow is on a least-cost path: c_e + d(head) - d(tail) ~ 0
    reduced = result.cost + result.distance[:, problem.head] - result.distance[:, problem.tail]
    used = result.flow > 1e-2 * problem.supply.sum(axis=1, keepdims=True)
    scale = result.distance[:, problem.tail]
    assert (reduced[used] / scale[used] < 5e-3).all()
    assert (reduced > -1e-9).all()  # shortest-path optimality of the distances
