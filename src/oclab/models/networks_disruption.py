"""Disruption and recovery of value-chain networks, and their metrics (Duijn et al. 2014).

Each step removes one member of every network of an :class:`~oclab.models.networks.Ensemble`,
chosen by a *strategy*:

* ``degree``: the most connected member;
* ``betweenness``: the highest betweenness, estimated from ``sources`` random sources per step
  (Brandes & Pich 2007 sampling; exact with all members as sources);
* ``value_chain``: the highest value-chain degree (distinct roles among its contacts), ties by
  degree;
* ``scarce_role``: the most connected member of the scarce role (Diverting electricity: few
  members, the lowest value-chain degree, a specialised skill); once the role is gone the
  strategy has no target left and the network loses nobody more (Duijn et al. target the role
  itself, not whoever is left after it);
* ``random``: a member drawn at random.

Then *recovery* (Duijn et al.): each contact the removed member leaves behind ("orphan")
rewires, with probability ``p_recover``, to a replacement holding the removed member's role,
chosen at ``random``, by ``highest_degree``, or ``nearest`` in the wider (macro) network. With no
member of that role left, orphans stay unconnected. ``none`` skips recovery.

Metrics (over the members not removed): global efficiency (Latora & Marchiori 2001, mean of
``1/d`` over ordered pairs), share in the largest connected component, density. Shortest paths
come from breadth-first search over the block-diagonal union of the ensemble, so all networks
and many sources advance together: bit-parallel (64 sources per machine word) for efficiency,
sparse matrix products for betweenness (scipy.sparse; networkx is the reference in the tests).
Ties between equally good targets are broken at random with one draw per network.
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
_SPARSE = 16  # frontier below 1/_SPARSE of the rows: pull only into its neighbours


def union(ensemble: Ensemble) -> sparse.csr_array:
    """Every network as one block-diagonal sparse graph (B*n, B*n); removed members have no
    edges (:func:`step` clears them), so the graph is that of the alive members."""
    b, n = ensemble.shape
    indptr, cols = ensemble.csr()
    return sparse.csr_array((np.ones(cols.size), cols, indptr), shape=(b * n, b * n))


def _sources(ensemble: Ensemble, count: int | None, rng: np.random.Generator) -> np.ndarray:
    """(B, k) source members per network: every member, or ``count`` alive ones at random."""
    b, n = ensemble.shape
    if count is None or count >= n:
        return np.broadcast_to(np.arange(n), (b, n))
    if count < 1:
        return np.empty((b, 0), dtype=np.int64)
    keys = np.where(ensemble.alive, rng.random((b, n)), 2.0)
    first = np.argpartition(keys, count - 1, axis=1)[:, :count]  # the smallest keys...
    order = np.argsort(np.take_along_axis(keys, first, axis=1), axis=1)  # ...in key order
    return np.take_along_axis(first, order, axis=1)


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


def _padded_neighbours(
    first: np.ndarray, degree: np.ndarray, entries: np.ndarray, base: np.ndarray
) -> tuple[np.ndarray, list[np.ndarray]]:
    """The rows of a graph in padded blocks ("ELL" layout, by degree class): rows are reordered
    (``order``) so that rows of degree in ``(2**(c-1), 2**c]`` are contiguous, and each class
    gets a (2**c, rows) array of neighbour positions in that order, padded with a position one
    past the last row (an all-zero row). A pull step is then a few dense gathers and reductions
    along axis 0, which numpy vectorises, instead of a ``reduceat`` over ragged rows (about
    10 ns per row). Rows without neighbours come last and get no block. The contacts of row
    ``r`` are ``base[r] + entries[first[r] + i]``, ``i < degree[r]`` (see ``Ensemble.rows``)."""
    # class c = ceil(log2(degree)) is frexp's exponent of degree - 1; no neighbours: last
    width_class = np.where(degree > 0, np.frexp(degree - 1)[1], 127).astype(np.int8)
    order = np.argsort(width_class, kind="stable")  # radix sort for small integers
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    pad = order.size
    sorted_class = width_class[order]
    blocks = []
    for c in np.unique(sorted_class[sorted_class < 127]):
        lo, hi = np.searchsorted(sorted_class, [c, c + 1])
        rows = order[lo:hi]
        width = np.arange(2 ** int(c))[:, None]
        inside = width < degree[rows][None, :]
        pos = np.where(inside, first[rows][None, :] + width, first[rows][None, :])
        blocks.append(np.where(inside, rank[base[rows][None, :] + entries[pos]], pad))
    return order, blocks


def _bit_bfs_total(
    graph: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    start: np.ndarray,
    group: np.ndarray,
    groups: int,
) -> np.ndarray:
    """Bit-parallel multi-source BFS (as in Then et al. 2014, "The more the merrier", VLDB) on a
    graph given row by row (``Ensemble.rows``): ``start`` (M, W) uint64 holds one bit per
    source; each layer ORs the neighbours' words, so 64 sources cost one pass over the edges.
    Returns the sum of ``1/d`` over the (source, node) pairs at distance ``d >= 1``, per
    ``group`` of nodes.

    Layers with a small frontier (the first and the long tail) only pull into the neighbours
    of the frontier; the others pull into every row through the padded blocks."""
    first, degree, entries, base = graph
    order, blocks = _padded_neighbours(first, degree, entries, base)
    rows = order.size
    linked = sum(block.shape[1] for block in blocks)  # rows with neighbours come first
    rank = np.empty_like(order)
    rank[order] = np.arange(rows)

    def neighbours(of: np.ndarray) -> np.ndarray:  # rows in ``order``, as ranks
        row = order[of]
        size = degree[row]
        return rank[np.repeat(base[row], size) + entries[_ranges(first[row], size)]]

    frontier = np.zeros((start.shape[1], rows + 1), dtype=np.uint64)  # last column: padding
    frontier[:, :-1] = start[order].T
    seen = frontier[:, :-1].copy()
    weight = np.zeros(rows)
    for d in itertools.count(1):
        busy = np.flatnonzero(frontier[:, :linked].any(axis=0))
        if busy.size * _SPARSE > linked:  # a wide frontier: pull into every row
            targets = slice(0, linked)
            nxt = np.concatenate(
                [np.bitwise_or.reduce(frontier.take(block, axis=1), axis=1) for block in blocks],
                axis=1,
            )
        else:
            mark = np.zeros(rows, dtype=bool)
            mark[neighbours(busy)] = True
            targets = np.flatnonzero(mark)
            if targets.size == 0:
                break
            size = degree[order[targets]]
            gathered = frontier.take(neighbours(targets), axis=1)
            nxt = np.bitwise_or.reduceat(gathered, np.cumsum(size) - size, axis=1)
        nxt &= ~seen[:, targets]
        reached = np.bitwise_count(nxt).sum(axis=0, dtype=np.int64)
        if not reached.any():
            break
        seen[:, targets] |= nxt
        weight[targets] += reached / d
        if isinstance(targets, np.ndarray):  # else every row with neighbours is overwritten
            frontier[:, busy] = 0
        frontier[:, targets] = nxt
    return np.bincount(group[order], weights=weight, minlength=groups)


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
    start = np.zeros((b * n, (k + 63) // 64), dtype=np.uint64)
    col = np.broadcast_to(np.arange(k), (b, k))[valid]
    node = (np.arange(b)[:, None] * n + chosen)[valid]
    bits = np.left_shift(np.uint64(1), (col % 64).astype(np.uint64))
    np.bitwise_or.at(start, (node, col // 64), bits)
    total = _bit_bfs_total(ensemble.rows(), start, np.arange(b * n) // n, b)
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
        sigma = layers[0].astype(np.float64)  # shortest paths from the source (column)
        for prev, layer in itertools.pairwise(layers):
            pushed = graph @ (sigma * prev)
            pushed *= layer
            sigma += pushed
        delta = np.zeros_like(sigma)
        inverse = np.divide(1.0, sigma, out=np.zeros_like(sigma), where=sigma > 0)
        for d in range(len(layers) - 1, 0, -1):
            share = delta + 1.0
            share *= inverse
            share *= layers[d]
            pull = graph @ share
            pull *= sigma
            pull *= layers[d - 1]
            delta += pull
        delta[start] = 0.0
        score += delta.sum(axis=1)
    scale = 0.5 if sources is None else 0.5 * n / max(chosen.shape[1], 1)
    return (score * scale).reshape(b, n)


def value_chain_degree(ensemble: Ensemble) -> np.ndarray:
    """Distinct roles among each member's alive contacts (B, n)."""
    b, n = ensemble.shape
    roles = int(ensemble.role.max()) + 1
    indptr, indices = ensemble.csr()
    node = np.repeat(np.arange(b * n), np.diff(indptr))
    pairs = np.unique(node * roles + ensemble.role[indices % n])
    return np.bincount(pairs // roles, minlength=b * n).reshape(b, n)


def largest_component(ensemble: Ensemble) -> np.ndarray:
    """Share of alive members in the largest connected component of each network (B,)."""
    b, n = ensemble.shape
    count, labels = csgraph.connected_components(union(ensemble), directed=False)
    alive = ensemble.alive.ravel()
    size = np.bincount(labels[alive], minlength=count)
    # components never span networks (the union is block diagonal), so any node of a
    # component gives its network
    home = np.zeros(count, dtype=np.int64)
    home[labels] = np.arange(b * n) // n
    largest = np.zeros(b, dtype=size.dtype)  # same dtype: ufunc.at's fast path
    np.maximum.at(largest, home, size)
    members = ensemble.alive.sum(axis=1)
    return np.where(members > 0, largest / np.maximum(members, 1), 0.0)


def density(ensemble: Ensemble) -> np.ndarray:
    """Edges among alive members over possible pairs (B,)."""
    alive = ensemble.alive.sum(axis=1).astype(float)
    edges = ensemble.degree.sum(axis=1) / 2.0
    return np.where(alive > 1, edges / np.maximum(alive * (alive - 1) / 2, 1), 0.0)


def _argmax_ties_at_random(
    score: np.ndarray, alive: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Per row of ``score`` (B, n), the position of an alive maximum, drawn uniformly among
    ties (one draw per row, instead of a random tie-breaker for every member). Scores are
    non-negative and removed members score 0, so they only need masking where the best is 0."""
    top = score.max(axis=1)
    if (top <= 0).any():
        score = np.where(alive, score, -1)
        top = score.max(axis=1)
    row, col = np.divmod(np.flatnonzero(score == top[:, None]), score.shape[1])  # the ties
    count = np.bincount(row, minlength=score.shape[0])
    rank = (rng.random(score.shape[0]) * count).astype(np.int64)  # which of the ties
    return col[np.cumsum(count) - count + rank]


def choose(
    ensemble: Ensemble, strategy: str, rng: np.random.Generator, sources: int | None = 64
) -> np.ndarray:
    """The member (B,) each network loses this step under ``strategy`` (ties at random; -1:
    no target left)."""
    n = ensemble.shape[1]
    if strategy == "degree":
        score = ensemble.degree
    elif strategy == "betweenness":
        score = betweenness(ensemble, sources, rng)
    elif strategy == "value_chain":  # distinct roles, then degree
        score = value_chain_degree(ensemble) * (n + 1) + ensemble.degree
    elif strategy == "scarce_role":  # -1 where the role is gone
        scarce = (ensemble.role == SCARCE_ROLE)[None, :] & ensemble.alive
        pick = _argmax_ties_at_random(np.where(scarce, ensemble.degree + 1, 0), scarce, rng)
        return np.where(scarce.any(axis=1), pick, -1)
    elif strategy == "random":
        score = np.zeros(ensemble.shape)
    else:
        raise InputError("networks", "strategy", f"one of {', '.join(STRATEGIES)}", strategy)
    return _argmax_ties_at_random(score, ensemble.alive, rng)


def _random_pick(
    ensemble: Ensemble,
    net: np.ndarray,
    orphan: np.ndarray,
    role: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """For each orphan ``orphan[k]`` of network ``net[k]``, a member drawn uniformly among the
    alive members of the role ``role[net[k]]`` other than itself (-1 if none). ``role`` (B,)
    is the role each network's orphans replace (-1: none), the removed member's. The ensemble
    keeps each role's alive members listed, so a draw is one position (no rejection)."""
    wanted = role[net]
    pick = ensemble.random_in_role(net, orphan, wanted, rng)
    return np.where(wanted >= 0, pick, -1)


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
    if strategy == "scarce_role":  # only this strategy can run out of targets
        nets, victim = nets[victim >= 0], victim[victim >= 0]
    if recovery == "none" or p_recover == 0.0:
        ensemble.remove(nets, victim)
        return
    lost = np.full(b, -1)
    lost[nets] = ensemble.role[victim]

    def pick(net: np.ndarray, u: np.ndarray) -> np.ndarray:
        """The replacement of each orphan (-1: none), the removed member already gone."""
        if p_recover >= 1.0:
            return replacement(net, u)
        out = np.full(net.size, -1)
        keep = np.flatnonzero(rng.random(net.size) < p_recover)
        out[keep] = replacement(net[keep], u[keep])
        return out

    def replacement(net: np.ndarray, u: np.ndarray) -> np.ndarray:
        if net.size == 0:
            return np.full(0, -1)
        if recovery == "random":
            return _random_pick(ensemble, net, u, lost, rng)
        candidates = (ensemble.role[None, :] == lost[:, None]) & ensemble.alive
        if recovery == "nearest":
            return _nearest_pick(ensemble, candidates, np.stack([net, u], 1), rng)
        score = np.where(candidates, ensemble.degree + 1e-3 * rng.random((b, n)), -1.0)
        first = np.argmax(score, axis=1)
        best = score[np.arange(b), first]
        score[np.arange(b), first] = -1.0
        second = np.argmax(score, axis=1)
        out = np.where(first[net] == u, second[net], first[net])
        return np.where(np.where(first[net] == u, score[net, second[net]], best[net]) >= 0, out, -1)

    ensemble.remove_and_rewire(nets, victim, pick)


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
