"""Benchmark: network disruption and recovery, oclab's array version against Mesa.

The model (Duijn, Kashirin & Sloot 2014): each step removes the most connected member of a
value-chain network (ties at random), and each of its contacts rewires to a random alive member
with the removed member's role; global efficiency is estimated from the same number of random
sources before the first and after the last step. Mesa (3.x, a development-only dependency)
runs it the usual way: one agent per member with a set of contacts, a model ``step`` that scans
the agents, one model per network, and networkx for the shortest paths. oclab runs every
network of the ensemble at once (:func:`run_oclab`: ``networks_disruption.step`` and
``efficiency``, the same computation, nothing more). Both start from the same generated
networks; the generation, and splitting it into one edge list per network for Mesa, is not
timed. One short warm-up run of each comes first.

Prints, for ensembles of networks of 1,000 and 10,000 members (50 and 10 networks by default:
an ensemble is how the model is used, for its spread): the median CPU seconds of each over
``--repeats`` runs (interleaved, so both meet the same machine load; CPU time, which a shared
machine disturbs less than wall time; both are single-threaded), the ratio of the medians and
its range over the repeats (goal: at least 50x), the wall-time ratio, and an agreement check
of the model itself: the mean of the per-network efficiency ratios (after / before) of both,
their difference paired by network and repeat, and whether it is within 3 standard errors
(different random streams: close, not equal). Most of oclab's gain comes from advancing the
whole ensemble at once; with one network (``--networks 1 1``) the ratio is much smaller.
Usage: ``.venv/bin/python benchmarks/networks_mesa.py [--steps 100] [--sources 100]
[--networks 50 10] [--repeats 3] [--sizes 1000 10000]``.
"""

from __future__ import annotations

import argparse
import time

import mesa
import networkx as nx
import numpy as np

from oclab.models import networks as nw
from oclab.models import networks_disruption as nd


class Member(mesa.Agent):
    """A member with a value-chain role and a set of contacts."""

    def __init__(self, model: mesa.Model, role: int) -> None:
        super().__init__(model)
        self.role = role
        self.contacts: set[Member] = set()


class Disruption(mesa.Model):
    """Degree attack with random same-role recovery, one network."""

    def __init__(self, edges: np.ndarray, role: np.ndarray, p_recover: float, seed: int):
        super().__init__(seed=seed)
        self.p_recover = p_recover
        self.members = [Member(self, int(r)) for r in role]
        for i, j in edges.tolist():
            a, b = self.members[i], self.members[j]
            a.contacts.add(b)
            b.contacts.add(a)

    def step(self) -> None:
        victim = max(self.agents, key=lambda a: (len(a.contacts), self.random.random()))
        orphans = list(victim.contacts)
        for member in orphans:
            member.contacts.discard(victim)
        victim.remove()
        same_role = [a for a in self.agents if a.role == victim.role]
        for member in orphans:
            if self.random.random() < self.p_recover:
                options = [a for a in same_role if a is not member]
                if options:
                    other = self.random.choice(options)
                    member.contacts.add(other)
                    other.contacts.add(member)

    def efficiency(self, sources: int) -> float:
        graph = nx.Graph()
        graph.add_nodes_from(a.unique_id for a in self.agents)
        graph.add_edges_from((a.unique_id, b.unique_id) for a in self.agents for b in a.contacts)
        n = graph.number_of_nodes()
        picked = self.random.sample(list(graph.nodes), min(sources, n))
        total = 0.0
        for s in picked:
            lengths = nx.single_source_shortest_path_length(graph, s)
            total += sum(1.0 / d for d in lengths.values() if d > 0)
        return total / (len(picked) * (n - 1))


def edge_lists(ensemble: nw.Ensemble) -> list[np.ndarray]:
    """Each network's (E, 2) edge list, the input of the Mesa model (made before timing)."""
    net, u, v = ensemble.edges()
    return [np.stack([u[net == b], v[net == b]], axis=1) for b in range(ensemble.shape[0])]


def run_mesa(
    edges: list[np.ndarray], role: np.ndarray, steps: int, sources: int, seed: int = 0
) -> np.ndarray:
    """One Mesa model per network, run one after the other: efficiency after / before."""
    out = []
    for b, network in enumerate(edges):
        model = Disruption(network, role, 1.0, seed=seed * len(edges) + b)
        before = model.efficiency(sources)
        for _ in range(steps):
            model.step()
        out.append(model.efficiency(sources) / before)
    return np.array(out)


def run_oclab(ensemble: nw.Ensemble, steps: int, sources: int, seed: int = 0) -> np.ndarray:
    """The same model on every network at once: efficiency before and after ``steps``."""
    rng = np.random.default_rng(seed)
    net = ensemble.copy()
    before = nd.efficiency(net, sources, rng)
    for _ in range(steps):
        nd.step(net, "degree", "random", 1.0, rng)
    return nd.efficiency(net, sources, rng) / before


def _timed(run, *args) -> tuple[float, float, np.ndarray]:
    """(CPU seconds, wall seconds, result) of ``run(*args)``."""
    w0, c0 = time.perf_counter(), time.process_time()
    out = run(*args)
    return time.process_time() - c0, time.perf_counter() - w0, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--sources", type=int, default=100)
    parser.add_argument("--networks", type=int, nargs=2, default=(50, 10), metavar=("N1K", "N10K"))
    parser.add_argument("--repeats", type=int, default=3, help="runs of each; medians printed")
    parser.add_argument("--sizes", type=int, nargs="+", default=(1_000, 10_000))
    args = parser.parse_args()
    for members in args.sizes:
        networks = dict(zip((1_000, 10_000), args.networks, strict=True)).get(members, 10)
        ensemble = nw.generate(members, networks, np.random.default_rng(members))
        edges = edge_lists(ensemble)
        run_oclab(ensemble, 2, args.sources, 99)  # warm-up of both (first calls, allocations)
        run_mesa(edges[:1], ensemble.role, 2, args.sources, 99)
        ours, theirs = [], []
        for r in range(args.repeats):  # interleaved, so that both meet the same load
            ours.append(_timed(run_oclab, ensemble, args.steps, args.sources, r))
            theirs.append(_timed(run_mesa, edges, ensemble.role, args.steps, args.sources, r))
        cpu_o, wall_o = np.median([o[0] for o in ours]), np.median([o[1] for o in ours])
        cpu_m, wall_m = np.median([t[0] for t in theirs]), np.median([t[1] for t in theirs])
        each = sorted(t[0] / o[0] for o, t in zip(ours, theirs, strict=True))
        # agreement: per-network efficiency ratios, paired by network and repeat
        diff = np.concatenate([o[2] - t[2] for o, t in zip(ours, theirs, strict=True)])
        eff_o = np.concatenate([o[2] for o in ours]).mean()
        eff_m = np.concatenate([t[2] for t in theirs]).mean()
        se = diff.std(ddof=1) / np.sqrt(diff.size)
        verdict = "agree" if abs(diff.mean()) <= 3 * se else "DISAGREE"
        print(
            f"{members:>6} members x {networks} networks, {args.steps} removals, "
            f"{args.repeats} repeats: CPU median oclab {cpu_o:.3f} s, Mesa {cpu_m:.2f} s, "
            f"ratio {cpu_m / cpu_o:.0f}x (per repeat {each[0]:.0f}-{each[-1]:.0f}x; goal 50x); "
            f"wall ratio {wall_m / wall_o:.0f}x"
        )
        print(
            f"       efficiency after/before, mean over networks and repeats: oclab {eff_o:.3f}, "
            f"Mesa {eff_m:.3f}; difference {diff.mean():+.3f} +- {se:.3f} (SE): {verdict} "
            "(tolerance: 3 SE)"
        )


if __name__ == "__main__":
    main()
