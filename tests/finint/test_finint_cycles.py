"""Bounded-length cycle search: exact against breadth-first distances, at any graph size."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csgraph, csr_matrix

from oclab.finint.cycles import short_cycle_edges


def _reference(u: np.ndarray, v: np.ndarray, n: int, max_len: int) -> np.ndarray:
    """Edge u -> v is on a cycle of <= max_len hops iff dist(v, u) <= max_len - 1 (BFS)."""
    graph = csr_matrix((np.ones(u.size), (u, v)), shape=(n, n))
    dist = csgraph.shortest_path(graph, unweighted=True, directed=True)
    return dist[v, u] <= max_len - 1


def _random_graph(rng: np.random.Generator, n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    u, v = rng.integers(0, n, m), rng.integers(0, n, m)
    pairs = np.unique(np.stack([u, v], axis=1)[u != v], axis=0)
    return pairs[:, 0], pairs[:, 1]


@pytest.mark.parametrize("max_len", [2, 3, 4, 5, 6])
def test_matches_breadth_first_distances(max_len):
    rng = np.random.default_rng(max_len)
    u, v = _random_graph(rng, 400, 700)  # sparse: cycles of every length occur
    found = short_cycle_edges(u, v, max_len)
    expected = _reference(u, v, 400, max_len)
    assert expected.any() and not expected.all()
    np.testing.assert_array_equal(found.on_cycle, expected)
    assert found.unchecked == 0


def test_small_row_limit_splits_batches_with_the_same_answer():
    rng = np.random.default_rng(7)
    u, v = _random_graph(rng, 300, 900)
    expected = _reference(u, v, 300, 6)
    found = short_cycle_edges(u, v, 6, max_nnz=1500, batch=64)
    np.testing.assert_array_equal(found.on_cycle, expected)
    assert found.unchecked == 0
    assert found.batches > -(-found.candidates // 64)  # some batches were split


def test_budget_reached_is_reported_not_hidden():
    rng = np.random.default_rng(8)
    u, v = _random_graph(rng, 300, 900)
    found = short_cycle_edges(u, v, 6, budget=1, batch=16)
    assert 0 < found.unchecked < found.candidates  # the first batch ran, the rest is counted
    assert not (found.on_cycle & ~_reference(u, v, 300, 6)).any()  # no false hits either


def test_one_huge_strongly_connected_group():
    # A ring of 5,000 accounts (one strongly connected group, no short cycle) with short
    # loops hung on it: the earlier rule skipped groups above 2,000 accounts.
    n = 5000
    ring_u = np.arange(n)
    ring_v = (ring_u + 1) % n
    loop_u = np.array([10, 2000, 4000, 4001])
    loop_v = np.array([8, 1997, 3996, 3995])  # back 2, 3, 4 and 6 steps: cycles of 3, 4, 5, 7
    u, v = np.concatenate([ring_u, loop_u]), np.concatenate([ring_v, loop_v])
    found = short_cycle_edges(u, v, 6)
    assert found.candidates == u.size
    on = set(np.flatnonzero(found.on_cycle).tolist())
    expected = {8, 9, 1997, 1998, 1999, 3996, 3997, 3998, 3999, n, n + 1, n + 2}
    assert on == expected
