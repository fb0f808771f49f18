"""The fast paths of the network model against plain references: the edge store under removals
and additions, sampled efficiency against networkx from the same sources, both kinds of BFS
layer, random ties and random replacements."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from oclab.models import networks as nw
from oclab.models import networks_disruption as nd


@pytest.fixture(scope="module")
def ensemble() -> nw.Ensemble:
    return nw.generate(200, 4, np.random.default_rng(11))


def test_edge_store_matches_a_plain_adjacency_over_many_steps(ensemble: nw.Ensemble) -> None:
    ens = ensemble.copy()
    adj = ens.dense()
    rng = np.random.default_rng(12)
    for _ in range(40):  # enough additions to merge the side array several times
        nets = np.arange(4)
        members = np.array([rng.choice(np.flatnonzero(ens.alive[b])) for b in nets])
        orphan_net, orphan = ens.remove(nets, members)
        expect = np.nonzero(adj[nets, members])  # network by network
        np.testing.assert_array_equal(orphan_net, expect[0])
        np.testing.assert_array_equal(
            np.sort(orphan_net * 200 + orphan), expect[0] * 200 + expect[1]
        )
        adj[nets, members, :] = False
        adj[nets, :, members] = False
        k = 60
        net = rng.integers(0, 4, k)
        a, b = rng.integers(0, 200, k), rng.integers(0, 200, k)
        ok = (a != b) & ens.alive[net, a] & ens.alive[net, b]
        ens.add(net[ok], a[ok], b[ok])
        adj[net[ok], a[ok], b[ok]] = True
        adj[net[ok], b[ok], a[ok]] = True
        np.testing.assert_array_equal(ens.degree, adj.sum(axis=2))
    np.testing.assert_array_equal(ens.dense(), adj)
    assert (np.diff(ens.key) > 0).all()
    _check_role_lists(ens)
    indptr, indices = ens.csr()
    rows = np.repeat(np.arange(800), np.diff(indptr))
    np.testing.assert_array_equal(adj.reshape(800, 200)[rows, indices % 200], True)
    assert indices.size == adj.sum()


def _check_role_lists(ens: nw.Ensemble) -> None:
    """Each role's alive members come first in its list, and every member knows its place."""
    b, n = ens.shape
    listed = ens._listed.reshape(b, n)
    np.testing.assert_array_equal(ens._listed[ens._at], np.tile(np.arange(n), b))
    for net in range(b):
        for r in range(len(nw.ROLES)):
            lo, hi = ens.bounds[r], ens.bounds[r + 1]
            alive = np.flatnonzero(ens.alive[net] & (ens.role == r))
            assert ens.in_role[net, r] == alive.size
            assert sorted(listed[net, lo : lo + alive.size].tolist()) == alive.tolist()
            assert sorted(listed[net, lo:hi].tolist()) == list(range(lo, hi))


def _sampled_reference(ens: nw.Ensemble, sources: np.ndarray, b: int) -> float:
    alive = np.flatnonzero(ens.alive[b])
    g = nx.Graph()
    g.add_nodes_from(alive.tolist())
    i, j = np.nonzero(np.triu(ens.dense()[b]))
    g.add_edges_from(zip(i.tolist(), j.tolist(), strict=True))
    used = [int(s) for s in sources if ens.alive[b, s]]
    total = sum(
        1.0 / d for s in used for d in nx.single_source_shortest_path_length(g, s).values() if d
    )
    return total / (len(used) * (alive.size - 1))


@pytest.mark.parametrize("sparse_below", [0, 4, 10**9])  # every layer dense, mixed, sparse
def test_sampled_efficiency_matches_networkx_from_the_same_sources(
    ensemble: nw.Ensemble, sparse_below: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nd, "_SPARSE", sparse_below)
    ens = ensemble.copy()
    for member in range(0, 200, 9):  # fragment the networks: several components each
        ens.remove(np.array([0, 2]), np.array([member, member]))
    got = nd.efficiency(ens, 30, np.random.default_rng(13))
    chosen = nd._sources(ens, 30, np.random.default_rng(13))
    for b in range(4):
        assert got[b] == pytest.approx(_sampled_reference(ens, chosen[b], b), rel=1e-12)


def test_ties_are_broken_at_random_among_the_maxima_only() -> None:
    score = np.array([[3, 1, 3, 3, 0], [0, 5, 1, 1, 1], [0, 0, 0, 0, 0]])
    alive = np.array([[1, 1, 1, 1, 1], [0, 1, 1, 1, 1], [0, 1, 0, 1, 1]], dtype=bool)
    picks = np.array(
        [nd._argmax_ties_at_random(score, alive, np.random.default_rng(s)) for s in range(300)]
    )
    assert set(picks[:, 0].tolist()) == {0, 2, 3}
    assert (picks[:, 1] == 1).all()
    assert set(picks[:, 2].tolist()) == {1, 3, 4}  # only alive members, also at score 0
    for row, allowed in ((0, [0, 2, 3]), (2, [1, 3, 4])):
        counts = np.bincount(picks[:, row], minlength=5)[allowed]
        assert counts.min() > 60  # about 100 each


def test_random_replacements_are_uniform_over_alive_members_of_the_role(
    ensemble: nw.Ensemble,
) -> None:
    ens = ensemble.copy()
    role = int(np.bincount(ens.role).argmax())
    members = np.flatnonzero(ens.role == role)
    dead = members[: members.size * 3 // 4]  # most of the role gone
    for m in dead:
        ens.remove(np.array([1]), np.array([m]))
    orphan = int(members[-1])  # alive, in the role itself: never its own replacement
    k = 4000
    wanted = np.full(4, -1)
    wanted[1] = role
    pick = nd._random_pick(
        ens, np.full(k, 1), np.full(k, orphan), wanted, np.random.default_rng(14)
    )
    allowed = members[members.size * 3 // 4 : -1]
    assert set(pick.tolist()) == set(allowed.tolist())
    counts = np.bincount(pick, minlength=200)[allowed]
    assert counts.min() > 0.6 * k / allowed.size
    # a role with nobody left gives -1
    for m in members[members.size * 3 // 4 :]:
        ens.remove(np.array([1]), np.array([m]))
    none = nd._random_pick(ens, np.array([1]), np.array([0]), wanted, np.random.default_rng(0))
    assert none.tolist() == [-1]


def test_remove_and_rewire_equals_remove_then_add(monkeypatch: pytest.MonkeyPatch) -> None:
    # picks include: members picked by many orphans (rows outgrow their room), orphans that
    # pick each other, existing contacts, themselves, removed members and none
    b, n = 4, 200
    rng = np.random.default_rng(21)
    table = rng.integers(0, n, (b, n))
    table[:, ::7] = -1
    table[:, 1::9] = np.arange(1, n, 9)  # itself
    table[:, 2::3] = rng.integers(0, 2, (b, table[:, 2::3].shape[1]))  # two favourites
    monkeypatch.setattr(nw, "_SLACK", 1)  # little room: rows move often
    fused = nw.generate(n, b, np.random.default_rng(11))
    plain = fused.copy()
    moved = {"rows": 0, "rewrites": 0}
    make_room, layout = nw.Ensemble._make_room, nw.Ensemble._layout

    def spy_room(self, rows, extra):
        moved["rows"] += 1
        return make_room(self, rows, extra)

    def spy_layout(self, rows, cols, extra):
        moved["rewrites"] += 1
        return layout(self, rows, cols, extra)

    monkeypatch.setattr(nw.Ensemble, "_make_room", spy_room)
    monkeypatch.setattr(nw.Ensemble, "_layout", spy_layout)
    for _ in range(100):
        nets = np.arange(b)
        # the best connected go (big rows freed), except the favourites (their rows grow)
        victim = np.argmax(np.where(fused.alive, fused.degree, -1)[:, 2:], axis=1) + 2
        for u in rng.integers(0, n, 3):  # and some orphans that picked each other
            table[:, table[0, u]] = u

        def pick(net: np.ndarray, u: np.ndarray, ens: nw.Ensemble = fused) -> np.ndarray:
            out = table[net, u]
            return np.where((out >= 0) & ens.alive[net, np.maximum(out, 0)], out, -1)

        fused.remove_and_rewire(nets, victim, pick)
        net, u = plain.remove(nets, victim)
        other = pick(net, u, plain)
        ok = (other >= 0) & (other != u)
        plain.add(net[ok], u[ok], other[ok])
        np.testing.assert_array_equal(fused.degree, plain.degree)
    np.testing.assert_array_equal(fused.dense(), plain.dense())
    assert (np.diff(fused.key) > 0).all()
    np.testing.assert_array_equal(fused.degree, fused.dense().sum(axis=2))
    _check_role_lists(fused)
    assert moved["rows"] > 0 and moved["rewrites"] > 0  # both ways of making room were used


def test_an_ensemble_built_with_removed_members_lists_only_the_alive_ones() -> None:
    base = nw.generate(200, 3, np.random.default_rng(5))
    alive = base.alive.copy()
    alive[:, ::3] = False
    key = base.key  # edges of removed members go too
    n = 200
    a, c = np.divmod(key, n)
    keep = alive.reshape(-1)[a] & alive.reshape(-1)[a - a % n + c]
    degree = np.bincount(a[keep], minlength=alive.size).reshape(3, n)
    ens = nw.Ensemble(key[keep], base.role, alive, degree, base.macro)
    _check_role_lists(ens)
