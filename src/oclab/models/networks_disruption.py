"""Disruption and recovery of value-chain networks, and their metrics (Duijn et al. 2014).

Each step removes one member of every network of an :class:`~oclab.models.networks.Ensemble`,
chosen by a *strategy*:

* ``degree``: the most connected member;
* ``betweenness``: the highest betweenness, estimated from ``sources`` random sources per step
  (Brandes & Pich 2007 sampling; exact with all members as sources);
* ``value_chain``: the highest value-chain degree (distinct roles among its contacts), ties by
  degree;
* ``scarce_role``: the most connected member of the scarce role (Diverting electricity), or the
  most connected member overall once that role is gone;
* ``random``: a member drawn at random.

Then *recovery* (Duijn et al.): each contact the removed member leaves behind ("orphan")
rewires, with probability ``p_recover``, to a replacement holding the removed member's role,
chosen at ``random``, by ``highest_degree``, or ``nearest`` in the wider (macro) network. With no
member of that role left, orphans stay unconnected. ``none`` skips recovery.

Metrics (over the members not removed): global efficiency (Latora & Marchiori 2001, mean of
``1/d`` over ordered pairs), share in the largest connected component, density. Shortest paths
come from breadth-first search done as sparse matrix products over the block-diagonal union of
the ensemble, so all networks and many sources advance together (scipy.sparse; networkx is the
reference in the tests).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from oclab.errors import InputError
from oclab.models.networks import SCARCE_ROLE, Ensemble

STRATEGIES: tuple[str, ...] = ("degree", "betweenness", "value_chain", "scarce_role", "random")
RECOVERIES: tuple[str, ...] = ("random", "highest_degree", "nearest", "none")
_BATCH = 256  # BFS sources advanced together (memory: members x networks x batch)


def union(ensemble: Ensemble) -> sparse.csr_array:
    """Every network as one block-diagonal sparse graph (B*n, B*n); removed members have no
    edges (:func:`step` clears them), so the graph is that of the alive members."""
    b, n = ensemble.shape
    rows, to = np.divmod(ensemble.key, n)  # keys are sorted: rows ascending, CSR order
    cols = rows // n * n + to
    indptr = np.searchsorted(rows, np.arange(b * n + 1))
    return sparse.csr_array((np.ones(rows.size), cols, indptr), shape=(b * n, b * n))


def _sources(ensemble: Ensemble, count: int | None, rng: np.random.Generator) -> np.ndarray:
    """(B, k) source members per network: every member, or ``count`` alive ones at random."""
    b, n = ensemble.shape
    if count is None or count >= n:
        return np.broadcast_to(np.arange(n), (b, n))
    keys = np.where(ensemble.alive, rng.random((b, n)), 2.0)
    return np.argsort(keys, axis=1)[:, :count]


def _bfs(graph: sparse.csr_array, start: np.ndarray, allowed: np.ndarray) -> list[np.ndarray]:
    """Layers of a breadth-first search from the one-hot columns ``start`` (M, k): a list of
    (M, k) boolean frontiers, layer ``d`` at distance ``d``; only ``allowed`` nodes are entered."""
    frontier = start & allowed[:, None]
    seen = frontier.copy()
    layers = [frontier]
    while True:
        nxt = (graph @ frontier.astype(np.float64)) > 0
        nxt &= ~seen
        nxt &= allowed[:, None]
        if not nxt.any():
            return layers
        seen |= nxt
        layers.append(nxt)
        frontier = nxt


def _columns(sources: np.ndarray, n: int, cols: slice) -> np.ndarray:
    """One-hot start matrix (B*n, k): column j starts at source j of every network."""
    b = sources.shape[0]
    picked = sources[:, cols]
    start = np.zeros((b * n, picked.shape[1]), dtype=bool)
    start[(np.arange(b)[:, None] * n + picked).ravel(), np.tile(np.arange(picked.shape[1]), b)] = (
        True
    )
    return start


def _ranges(start: np.ndarray, size: np.ndarray) -> np.ndarray:
    """The concatenated index ranges ``start[k] .. start[k] + size[k] - 1``."""
    return np.repeat(start - np.cumsum(size) + size, size) + np.arange(size.sum())


def _bit_bfs_counts(
    indptr: np.ndarray, indices: np.ndarray, start: np.ndarray, group: np.ndarray, groups: int
) -> list[np.ndarray]:
    """Bit-parallel multi-source BFS (as in Then et al. 2014, "The more the merrier", VLDB) on a
    CSR graph with no empty rows: ``start`` (M, W) uint64 holds one bit per source; each layer
    ORs the neighbours' words, so 64 sources cost one pass over the edges. Returns, per distance
    1, 2, ..., the number of (source, node) pairs first reached, summed per ``group`` of nodes.

    Layers whose frontier touches few nodes only visit the neighbours of the frontier."""
    rows = indptr.size - 1
    degree = np.diff(indptr)
    seen = start.copy()
    frontier = start
    counts = []
    while True:
        busy = np.flatnonzero(frontier.any(axis=1))
        if busy.size == 0:
            return counts
        if busy.size > rows // 4:  # dense layer: one pass over every row
            targets = np.arange(rows)
            nxt = np.bitwise_or.reduceat(frontier[indices], indptr[:-1], axis=0)
        else:  # sparse layer: only the frontier's neighbours can be reached
            mark = np.zeros(rows, dtype=bool)
            mark[indices[_ranges(indptr[busy], degree[busy])]] = True
            targets = np.flatnonzero(mark)
            size = degree[targets]
            gathered = frontier[indices[_ranges(indptr[targets], size)]]
            nxt = np.bitwise_or.reduceat(gathered, np.cumsum(size) - size, axis=0)
        nxt &= ~seen[targets]
        reached = np.bitwise_count(nxt).sum(axis=1, dtype=np.int64)
        per_group = np.bincount(group[targets], weights=reached, minlength=groups)
        if not per_group.any():
            return counts
        seen[targets] |= nxt
        counts.append(per_group)
        frontier = np.zeros_like(start)
        frontier[targets] = nxt


def efficiency(
    ensemble: Ensemble, sources: int | None = None, rng: np.random.Generator | None = None
) -> np.ndarray:
    """Global efficiency of each network (B,), over its alive members: exact with
    ``sources=None``, else estimated from that many random alive sources (bit-parallel BFS
    over the union of the ensemble: every network and 64 sources per machine word at once)."""
    b, n = ensemble.shape
    chosen = _sources(ensemble, sources, rng or np.random.default_rng(0))
    k = chosen.shape[1]
    valid = ensemble.alive[np.arange(b)[:, None], chosen]  # (B, k) sources still there
    graph = union(ensemble)
    linked = np.diff(graph.indptr) > 0  # members without contacts reach nobody: drop them
    index = np.cumsum(linked) - 1
    indptr = np.append(graph.indptr[:-1][linked], graph.indptr[-1])
    start = np.zeros((int(linked.sum()), (k + 63) // 64), dtype=np.uint64)
    col = np.broadcast_to(np.arange(k), (b, k))
    node = np.arange(b)[:, None] * n + chosen
    use = valid & linked[node]
    bits = np.left_shift(np.uint64(1), (col[use] % 64).astype(np.uint64))
    np.bitwise_or.at(start, (index[node[use]], col[use] // 64), bits)
    group = np.flatnonzero(linked) // n
    total = np.zeros(b)
    if start.shape[0]:
        counts = _bit_bfs_counts(indptr, index[graph.indices], start, group, b)
        for d, reached in enumerate(counts, start=1):
            total += reached / d
    alive = ensemble.alive.sum(axis=1).astype(float)
    pairs = valid.sum(axis=1) * np.maximum(alive - 1.0, 1.0)
    return np.where((alive > 1) & (pairs > 0), total / np.maximum(pairs, 1.0), 0.0)


def betweenness(
    ensemble: Ensemble, sources: int | None = None, rng: np.random.Generator | None = None
) -> np.ndarray:
    """Betweenness of each member (B, n) by Brandes' accumulation over BFS layers, from every
    member (``sources=None``; unnormalised, each pair counted once) or a random sample."""
    b, n = ensemble.shape
    graph = union(ensemble)
    allowed = ensemble.alive.ravel()
    chosen = _sources(ensemble, sources, rng or np.random.default_rng(0))
    score = np.zeros(b * n)
    for first in range(0, chosen.shape[1], _BATCH):
        start = _columns(chosen, n, slice(first, first + _BATCH))
        layers = _bfs(graph, start, allowed)
        sigma = layers[0].astype(np.float64)
        for prev, layer in itertools.pairwise(layers):
            sigma += np.where(layer, graph @ np.where(prev, sigma, 0.0), 0.0)
        delta = np.zeros_like(sigma)
        safe = np.where(sigma > 0, sigma, 1.0)
        for d in range(len(layers) - 1, 0, -1):
            pull = graph @ np.where(layers[d], (1.0 + delta) / safe, 0.0)
            delta += np.where(layers[d - 1], sigma * pull, 0.0)
        delta[start] = 0.0
        score += delta.sum(axis=1)
    scale = 0.5 if sources is None else 0.5 * n / max(chosen.shape[1], 1)
    return (score * scale).reshape(b, n)


def value_chain_degree(ensemble: Ensemble) -> np.ndarray:
    """Distinct roles among each member's alive contacts (B, n)."""
    b, n = ensemble.shape
    roles = int(ensemble.role.max()) + 1
    node, to = np.divmod(ensemble.key, n)
    other = ensemble.role[to]
    pairs = np.unique(node * roles + other)
    return np.bincount(pairs // roles, minlength=b * n).reshape(b, n)


def largest_component(ensemble: Ensemble) -> np.ndarray:
    """Share of alive members in the largest connected component of each network (B,)."""
    b, n = ensemble.shape
    _, labels = csgraph.connected_components(union(ensemble), directed=False)
    labels = np.where(ensemble.alive.ravel(), labels, -1).reshape(b, n)
    out = np.zeros(b)
    for k in range(b):  # one bincount per network
        alive = labels[k][labels[k] >= 0]
        if alive.size:
            out[k] = np.bincount(alive).max() / alive.size
    return out


def density(ensemble: Ensemble) -> np.ndarray:
    """Edges among alive members over possible pairs (B,)."""
    alive = ensemble.alive.sum(axis=1).astype(float)
    n = ensemble.shape[1]
    edges = np.bincount(ensemble.key // (n * n), minlength=ensemble.shape[0]) / 2.0
    return np.where(alive > 1, edges / np.maximum(alive * (alive - 1) / 2, 1), 0.0)


def choose(
    ensemble: Ensemble, strategy: str, rng: np.random.Generator, sources: int | None = 64
) -> np.ndarray:
    """The member (B,) each network loses this step under ``strategy`` (ties at random)."""
    b, n = ensemble.shape
    tie = rng.random((b, n))  # below one unit of every integer score once scaled
    if strategy == "degree":
        score = ensemble.degree + 1e-3 * tie
    elif strategy == "betweenness":
        score = betweenness(ensemble, sources, rng) + 1e-3 * tie
    elif strategy == "value_chain":
        score = value_chain_degree(ensemble) + (ensemble.degree + 1e-3 * tie) / (n + 1.0)
    elif strategy == "scarce_role":
        scarce = (ensemble.role == SCARCE_ROLE)[None, :] & ensemble.alive
        score = ensemble.degree + 1e-3 * tie + np.where(scarce, 2.0 * n, 0.0)
    elif strategy == "random":
        score = tie
    else:
        raise InputError("networks", "strategy", f"one of {', '.join(STRATEGIES)}", strategy)
    score[~ensemble.alive] = -np.inf
    return np.argmax(score, axis=1)


def _random_pick(
    ensemble: Ensemble,
    net: np.ndarray,
    orphan: np.ndarray,
    role: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """For each orphan, a member of ``role`` drawn uniformly among the alive ones other than
    itself (-1 if none). Members are stored by role, so a role is one contiguous range and the
    ``j``-th alive member in it is a binary search in the running count of alive members."""
    n = ensemble.shape[1]
    bounds = np.searchsorted(ensemble.role, np.arange(ensemble.role.max() + 2))
    cum = np.concatenate([[0], np.cumsum(ensemble.alive.ravel())])  # alive before flat index
    first, last = net * n + bounds[role], net * n + bounds[role + 1]
    count = cum[last] - cum[first]
    own = ensemble.role[orphan] == role  # the orphan itself is one of them
    count = count - own
    draw = np.floor(rng.random(net.size) * np.maximum(count, 0)).astype(np.int64)
    rank_own = cum[net * n + orphan] - cum[first]  # alive members before the orphan
    draw += own & (draw >= rank_own)
    flat = np.searchsorted(cum, cum[first] + draw + 1) - 1
    return np.where(count > 0, flat - net * n, -1)


def _nearest_pick(
    ensemble: Ensemble, candidates: np.ndarray, who: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """For each orphan, the candidate closest in the macro network (random among the closest)."""
    b, n = ensemble.shape
    out = np.full(len(who), -1)
    allowed = ensemble.alive.ravel()
    cand = candidates.ravel()
    for first in range(0, len(who), _BATCH):
        part = who[first : first + _BATCH]
        start = np.zeros((b * n, len(part)), dtype=bool)
        start[part[:, 0] * n + part[:, 1], np.arange(len(part))] = True
        seen = start.copy()
        frontier = start
        pending = np.ones(len(part), dtype=bool)
        while pending.any():
            nxt = (ensemble.macro @ frontier.astype(np.float64)) > 0
            nxt &= ~seen & allowed[:, None]
            if not nxt.any():
                break
            seen |= nxt
            hits = nxt & cand[:, None] & pending[None, :]
            found = hits.any(axis=0)
            if found.any():
                keys = np.where(hits[:, found], rng.random((b * n, int(found.sum()))), -1.0)
                out[first + np.flatnonzero(found)] = np.argmax(keys, axis=0) % n
                pending &= ~found
            frontier = nxt
    return out


def step(
    ensemble: Ensemble,
    strategy: str,
    recovery: str,
    p_recover: float,
    rng: np.random.Generator,
    sources: int | None = 64,
) -> None:
    """Remove one member from every network, then let its contacts recover (in place)."""
    if recovery not in RECOVERIES:
        raise InputError("networks", "recovery", f"one of {', '.join(RECOVERIES)}", recovery)
    if not 0.0 <= p_recover <= 1.0:
        raise InputError("networks", "p_recover", "a probability in [0, 1]", p_recover)
    b, n = ensemble.shape
    nets = np.flatnonzero(ensemble.alive.any(axis=1))
    victim = choose(ensemble, strategy, rng, sources)[nets]
    orphan_net, orphan = ensemble.remove(nets, victim)
    if recovery == "none" or p_recover == 0.0:
        return
    keep = rng.random(orphan.size) < p_recover
    net, u = orphan_net[keep], orphan[keep]
    if net.size == 0:
        return
    lost = np.full(b, -1)
    lost[nets] = ensemble.role[victim]
    if recovery == "random":
        pick = _random_pick(ensemble, net, u, lost[net], rng)
    else:
        candidates = (ensemble.role[None, :] == lost[:, None]) & ensemble.alive
        if recovery == "highest_degree":
            score = np.where(candidates, ensemble.degree + 1e-3 * rng.random((b, n)), -1.0)
            first = np.argmax(score, axis=1)
            best = score[np.arange(b), first]
            score[np.arange(b), first] = -1.0
            second = np.argmax(score, axis=1)
            pick = np.where(first[net] == u, second[net], first[net])
            pick = np.where(
                np.where(first[net] == u, score[net, second[net]], best[net]) >= 0, pick, -1
            )
        else:
            pick = _nearest_pick(ensemble, candidates, np.stack([net, u], 1), rng)
    ok = (pick >= 0) & (pick != u)
    ensemble.add(net[ok], u[ok], pick[ok])  # once each, also when two orphans pick each other


@dataclass(frozen=True)
class Trajectory:
    """Metrics of every network (B,) at each recorded step."""

    steps: np.ndarray  # (T,)
    efficiency: np.ndarray  # (T, B)
    largest_component: np.ndarray  # (T, B)
    density: np.ndarray  # (T, B)


def disrupt(
    ensemble: Ensemble,
    strategy: str,
    recovery: str,
    steps: int,
    rng: np.random.Generator,
    *,
    p_recover: float = 1.0,
    record_every: int = 1,
    sources: int | None = 64,
    efficiency_sources: int | None = None,
) -> Trajectory:
    """Run ``steps`` removal-and-recovery steps on a copy of ``ensemble``; metrics over time."""
    if strategy not in STRATEGIES:
        raise InputError("networks", "strategy", f"one of {', '.join(STRATEGIES)}", strategy)
    if steps < 0 or record_every < 1:
        raise InputError("networks", "steps", "steps >= 0 and record_every >= 1", steps)
    net = ensemble.copy()
    metric_rng = np.random.default_rng(rng.integers(2**63))
    recorded, eff, lcc, dens = [], [], [], []
    for t in range(steps + 1):
        if t % record_every == 0 or t == steps:
            recorded.append(t)
            eff.append(efficiency(net, efficiency_sources, metric_rng))
            lcc.append(largest_component(net))
            dens.append(density(net))
        if t < steps:
            step(net, strategy, recovery, p_recover, rng, sources)
    return Trajectory(np.array(recorded), np.array(eff), np.array(lcc), np.array(dens))
