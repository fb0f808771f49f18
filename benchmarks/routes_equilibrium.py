"""Benchmark: batched equilibrium routing vs a per-run networkx shortest-path loop.

Times congested-equilibrium flows (conjugate Frank–Wolfe, relative gap 1e-3) for many uncertain
runs on (a) the bundled Mexico network and (b) a synthetic 2,500-node grid, two ways:

* batched: :func:`oclab.models.routes.solve`, all runs at once (one block-diagonal Dijkstra per
  iteration);
* reference: the same algorithm run by run, with ``networkx.single_source_dijkstra`` for every
  all-or-nothing step (the natural way to write it with networkx). It is timed on a sample of
  runs and scaled to the full count (stated in the output); the flows of the sampled runs are
  compared with the batched ones.

It also times plain least-cost routing (one shortest-path tree per run) both ways over all runs.

    .venv/bin/python benchmarks/routes_equilibrium.py [--runs 1000] [--sample 40]
"""

from __future__ import annotations

import argparse
import itertools
import time

import networkx as nx
import numpy as np

from oclab.models import routes
from oclab.models.routes_assign import Problem, _conjugate, _line_search, assign
from oclab.models.routes_network import build_network, load_network


def synthetic_grid(side: int = 50, seed: int = 0):
    """A side x side grid (2,500 nodes), 8 origins on the south edge, 2 markets on the north."""
    rng = np.random.default_rng(seed)
    nodes, edges = [], []
    origins = set(np.linspace(0, side - 1, 8).astype(int))
    for i in range(side):
        for j in range(side):
            kind, extra = "transit", {}
            if i == 0 and j in origins:
                kind, extra = "origin", {"supply": 10.0}
            if i == side - 1 and j in (side // 4, 3 * side // 4):
                kind, extra = "market", {"demand": 40.0, "price": 30.0 + 5 * (j > side // 2)}
            nodes.append(
                {
                    "id": f"{i}_{j}",
                    "kind": kind,
                    "lon": -110 + j * 0.3,
                    "lat": 15 + i * 0.3,
                    "state_capacity": rng.uniform(0.1, 0.9),
                    **extra,
                }
            )
            for di, dj in ((1, 0), (0, 1)):
                if i + di < side and j + dj < side:
                    edges.append(
                        {
                            "source": f"{i}_{j}",
                            "target": f"{i + di}_{j + dj}",
                            "length_km": rng.uniform(20, 60),
                            "capacity": 15.0,
                        }
                    )
    return build_network(nodes, edges, "grid", "synthetic", "synthetic")


def _one_run(problem: Problem, r: int) -> Problem:
    pick = slice(r, r + 1)
    power = np.broadcast_to(problem.power, problem.slope.shape)[pick]
    return Problem(
        problem.n_nodes,
        problem.tail,
        problem.head,
        problem.sink,
        problem.supply[pick],
        problem.free_cost[pick],
        problem.slope[pick],
        problem.capacity,
        power,
    )


def _nx_aon(problem: Problem, cost: np.ndarray) -> np.ndarray:
    """All-or-nothing flows of a one-run problem with networkx Dijkstra to the sink."""
    graph = nx.DiGraph()
    for e in range(problem.tail.size):
        graph.add_edge(int(problem.head[e]), int(problem.tail[e]), weight=cost[0, e], index=e)
    _, paths = nx.single_source_dijkstra(graph, problem.sink)
    flow = np.zeros_like(cost)
    for origin in np.flatnonzero(problem.supply[0]):
        path = paths[int(origin)]
        for v, u in itertools.pairwise(path):
            flow[0, graph[v][u]["index"]] += problem.supply[0, origin]
    return flow


def nx_equilibrium(problem: Problem, tolerance: float, max_iterations: int = 1000) -> np.ndarray:
    """The batched solver's algorithm for one run, with networkx shortest paths."""
    x = _nx_aon(problem, problem.cost(np.zeros_like(problem.free_cost)))
    search = None
    for _ in range(max_iterations):
        cost = problem.cost(x)
        y = _nx_aon(problem, cost)
        total = (cost * x).sum()
        if (total - (cost * y).sum()) / total < tolerance:
            break
        part = problem.congested
        hessian = part.terms(x[:, part.index])[1]
        search = y if search is None else _conjugate(problem, x, y, search, hessian)
        d = search - x
        x = x + _line_search(problem, x, d, 12)[:, None] * d
    return x


def bench(name, network, runs: int, sample: int, tolerance: float) -> float:
    priors = {p.name: p.default_prior for p in routes.PARAMS}
    params = routes.draw_params(runs, np.random.default_rng(1), priors=priors)
    problem = routes.build_problem(network, params, routes.Crackdown())
    print(f"\n{name}: {network.n_nodes} nodes, {network.n_edges} edges, {runs} uncertain runs")

    start = time.perf_counter()
    aon = assign(problem, equilibrium=False)
    t_aon = time.perf_counter() - start
    start = time.perf_counter()
    for r in range(runs):
        one = _one_run(problem, r)
        ref = _nx_aon(one, one.cost(np.zeros_like(one.free_cost)))
    t_aon_nx = time.perf_counter() - start
    np.testing.assert_allclose(ref[0], aon.flow[-1], rtol=1e-9)
    print(
        f"  least cost   batched {t_aon:8.2f} s | networkx loop {t_aon_nx:8.2f} s "
        f"(all {runs} runs) | ratio {t_aon_nx / t_aon:6.1f}x"
    )

    start = time.perf_counter()
    eq = assign(problem, tolerance=tolerance)
    t_eq = time.perf_counter() - start
    picked = np.random.default_rng(2).choice(runs, size=min(sample, runs), replace=False)
    start = time.perf_counter()
    worst = 0.0
    for r in picked:
        flow = nx_equilibrium(_one_run(problem, int(r)), tolerance)
        worst = max(worst, float(np.abs(flow[0] - eq.flow[r]).max() / problem.supply[r].sum()))
    t_eq_nx = (time.perf_counter() - start) * runs / picked.size
    ratio = t_eq_nx / t_eq
    print(
        f"  equilibrium  batched {t_eq:8.2f} s ({eq.iterations} iterations, max gap "
        f"{eq.relative_gap.max():.1e}) | networkx loop {t_eq_nx:8.2f} s (timed on "
        f"{picked.size} runs, scaled to {runs}) | ratio {ratio:6.1f}x"
    )
    print(
        f"  largest flow difference, sampled runs: {worst:.1e} of supply (both stop at gap "
        f"{tolerance:g}, so they differ by about that much)"
    )
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=40, help="runs timed with networkx")
    parser.add_argument("--tolerance", type=float, default=1e-3)
    args = parser.parse_args()
    ratios = [
        bench("Mexico", load_network("mexico"), args.runs, args.sample, args.tolerance),
        bench(
            "Synthetic grid", synthetic_grid(), args.runs, max(args.sample // 8, 3), args.tolerance
        ),
    ]
    print(
        f"\nequilibrium speed-up vs the networkx loop: "
        f"{', '.join(f'{r:.1f}x' for r in ratios)} (target >= 20x)"
    )


if __name__ == "__main__":
    main()
