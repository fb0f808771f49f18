"""Value-chain network generator, disruption, recovery and metrics, against networkx."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from oclab.errors import InputError
from oclab.models import networks as nw
from oclab.models import networks_disruption as nd


@pytest.fixture(scope="module")
def ensemble() -> nw.Ensemble:
    return nw.generate(300, 3, np.random.default_rng(0))


def graph(ens: nw.Ensemble, b: int) -> nx.Graph:
    alive = np.flatnonzero(ens.alive[b])
    g = nx.Graph()
    g.add_nodes_from(alive.tolist())
    i, j = np.nonzero(np.triu(ens.dense()[b]))
    g.add_edges_from(zip(i.tolist(), j.tolist(), strict=True))
    return g


def test_role_tables() -> None:
    assert nw.REFERENCE_MEMBERS == 838  # "role slots sum to 838" (Table S-4)
    edges = nw.role_edges()
    assert (edges == edges.T).all()
    assert edges[nw.ROLES.index("Coordinator"), nw.ROLES.index("Taking care of plants")] == 85
    assert nw.ROLES[nw.SCARCE_ROLE] == "Diverting electricity"
    sizes = nw.role_sizes(1000)
    assert sizes.sum() == 1000 and sizes.min() >= 1
    np.testing.assert_allclose(sizes, nw.ROLE_SIZES * 1000 / 838, atol=1.0)


def test_generator_matches_the_role_statistics(ensemble: nw.Ensemble) -> None:
    adj = ensemble.dense()
    assert (np.diff(ensemble.key) > 0).all()  # sorted, no repeats
    assert (adj == adj.transpose(0, 2, 1)).all()
    assert not adj[:, np.arange(300), np.arange(300)].any()
    np.testing.assert_array_equal(ensemble.degree, adj.sum(axis=2))
    expected = np.rint(nw.role_edges() * 300 / 838)
    onehot = np.eye(len(nw.ROLES))[ensemble.role]
    for b in range(3):
        counts = onehot.T @ adj[b].astype(float) @ onehot
        counts[np.diag_indices_from(counts)] /= 2
        np.testing.assert_array_equal(counts, expected)
    # the macro network contains the value-chain network
    macro = ensemble.macro.toarray()[:300, :300]
    assert (macro[adj[0]]).all()


def test_efficiency_and_components_match_networkx(ensemble: nw.Ensemble) -> None:
    ens = ensemble.copy()
    for member in range(40):
        ens.remove(np.array([1]), np.array([member]))
    np.testing.assert_array_equal(ens.degree, ens.dense().sum(axis=2))
    got = nd.efficiency(ens)
    for b in range(3):
        assert got[b] == pytest.approx(nx.global_efficiency(graph(ens, b)), rel=1e-12)
        g = graph(ens, b)
        largest = max(len(c) for c in nx.connected_components(g)) / g.number_of_nodes()
        assert nd.largest_component(ens)[b] == pytest.approx(largest)
        assert nd.density(ens)[b] == pytest.approx(nx.density(g))
    sampled = nd.efficiency(ens, 150, np.random.default_rng(1))
    np.testing.assert_allclose(sampled, got, rtol=0.15)


def test_betweenness_matches_networkx(ensemble: nw.Ensemble) -> None:
    got = nd.betweenness(ensemble)
    for b in range(2):
        ref = nx.betweenness_centrality(graph(ensemble, b), normalized=False)
        np.testing.assert_allclose(got[b], [ref[i] for i in range(300)], rtol=1e-9, atol=1e-9)


def test_value_chain_degree(ensemble: nw.Ensemble) -> None:
    got = nd.value_chain_degree(ensemble)
    for i in range(0, 300, 7):
        roles = {int(ensemble.role[j]) for j in np.flatnonzero(ensemble.dense()[0, i])}
        assert got[0, i] == len(roles)


@pytest.mark.parametrize("strategy", nd.STRATEGIES)
def test_each_strategy_removes_its_target(ensemble: nw.Ensemble, strategy: str) -> None:
    ens = ensemble.copy()
    chosen = nd.choose(ens, strategy, np.random.default_rng(2), sources=None)
    assert ens.alive[np.arange(3), chosen].all()
    if strategy == "degree":
        np.testing.assert_array_equal(ens.degree[np.arange(3), chosen], ens.degree.max(axis=1))
    if strategy == "scarce_role":
        assert (ens.role[chosen] == nw.SCARCE_ROLE).all()
    if strategy == "betweenness":
        exact = nd.betweenness(ens)
        np.testing.assert_allclose(exact[np.arange(3), chosen], exact.max(axis=1))


@pytest.mark.parametrize("recovery", nd.RECOVERIES)
def test_recovery_rewires_orphans_to_the_same_role(ensemble: nw.Ensemble, recovery: str) -> None:
    ens = ensemble.copy()
    rng = np.random.default_rng(3)
    for _ in range(5):
        before = ens.dense()
        victim = nd.choose(ens, "degree", np.random.default_rng(4))
        nd.step(ens, "degree", recovery, 1.0, np.random.default_rng(4))
        assert not ens.alive[np.arange(3), victim].any()
        after = ens.dense()
        assert not after[np.arange(3), victim].any()
        np.testing.assert_array_equal(ens.degree, after.sum(axis=2))
        assert (np.diff(ens.key) > 0).all()
        new = after & ~before
        for b in range(3):
            i, j = np.nonzero(np.triu(new[b]))
            orphans = set(np.flatnonzero(before[b, victim[b]]).tolist())
            for u, w in zip(i.tolist(), j.tolist(), strict=True):
                # one end is an orphan, the other holds the victim's role
                assert (u in orphans and ens.role[w] == ens.role[victim[b]]) or (
                    w in orphans and ens.role[u] == ens.role[victim[b]]
                )
            if recovery == "none":
                assert i.size == 0
    del rng


def test_highest_degree_and_nearest_replacements(ensemble: nw.Ensemble) -> None:
    ens = ensemble.copy()
    victim = nd.choose(ens, "degree", np.random.default_rng(5))
    role = ens.role[victim[0]]
    candidates = np.flatnonzero((ens.role == role) & ens.alive[0])
    candidates = candidates[candidates != victim[0]]
    adj = ens.dense()
    best = candidates[np.argmax(ens.degree[0, candidates] - adj[0, victim[0], candidates])]
    hd = ens.copy()
    nd.step(hd, "degree", "highest_degree", 1.0, np.random.default_rng(5))
    orphans = np.flatnonzero(adj[0, victim[0]])
    linked = [u for u in orphans if u != best and not adj[0, u, best]]
    assert all(hd.dense()[0, u, best] for u in linked)

    near = ens.copy()
    nd.step(near, "degree", "nearest", 1.0, np.random.default_rng(5))
    macro = nx.from_scipy_sparse_array(ens.macro[:300, :300])
    macro.remove_node(int(victim[0]))
    new = near.dense()[0] & ~adj[0]
    for u in orphans:
        picked = [w for w in np.flatnonzero(new[u]) if ens.role[w] == role]
        if not picked:
            continue
        dist = nx.single_source_shortest_path_length(macro, int(u))
        reachable = [dist[c] for c in candidates if c in dist and c != u]
        assert dist[int(picked[0])] == min(reachable)


def test_disrupt_records_and_rejects_bad_input(ensemble: nw.Ensemble) -> None:
    out = nd.disrupt(ensemble, "random", "random", 6, np.random.default_rng(6), record_every=3)
    np.testing.assert_array_equal(out.steps, [0, 3, 6])
    assert out.efficiency.shape == (3, 3)
    assert ensemble.alive.all()  # the input ensemble is untouched
    with pytest.raises(InputError, match="strategy"):
        nd.disrupt(ensemble, "kingpin", "random", 1, np.random.default_rng(0))
    with pytest.raises(InputError, match="recovery"):
        nd.disrupt(ensemble, "degree", "magic", 1, np.random.default_rng(0))
    with pytest.raises(InputError, match="members"):
        nw.generate(5, 1, np.random.default_rng(0))


@pytest.mark.parametrize("recovery", ["highest_degree", "none"])
def test_scarce_role_targeting_stops_when_the_role_is_gone(
    ensemble: nw.Ensemble, recovery: str
) -> None:
    ens = ensemble.copy()
    scarce = int((ens.role == nw.SCARCE_ROLE).sum())
    rng = np.random.default_rng(7)
    for k in range(scarce):  # one member of the scarce role per step
        nd.step(ens, "scarce_role", recovery, 1.0, rng)
        assert (~ens.alive).sum(axis=1).tolist() == [k + 1] * 3
        assert (ens.role[np.nonzero(~ens.alive)[1]] == nw.SCARCE_ROLE).all()
    assert not ens.alive[:, ens.role == nw.SCARCE_ROLE].any()
    key, alive = ens.key.copy(), ens.alive.copy()
    nd.step(ens, "scarce_role", recovery, 1.0, rng)  # nobody left to target: nothing happens
    np.testing.assert_array_equal(ens.key, key)
    np.testing.assert_array_equal(ens.alive, alive)


def test_partial_recovery_rewires_about_that_share_of_orphans(ensemble: nw.Ensemble) -> None:
    edges = {}
    for p in (0.0, 0.5, 1.0):
        ens = ensemble.copy()
        nd.step(ens, "degree", "random", p, np.random.default_rng(8))  # same victims for all p
        edges[p] = ens.key.size // 2
    rewired_half, rewired_all = edges[0.5] - edges[0.0], edges[1.0] - edges[0.0]
    assert rewired_all > 100  # orphans of the three hubs, nearly all rewired
    assert 0.35 < rewired_half / rewired_all < 0.65  # about half: +-3 standard errors
