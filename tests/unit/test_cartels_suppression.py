"""Targeting, kingpin strikes and consolidation in the cartel model, against direct forms."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from oclab.data.network import load_network
from oclab.models import cartels
from oclab.models import cartels_kingpin as kp
from oclab.models import cartels_targeting as tg

N_RUNS = 4


@pytest.fixture(scope="module")
def network():
    return load_network(None).ranked()


def params(n: int = N_RUNS, **changes: float) -> dict[str, np.ndarray]:
    values = cartels.PARAMS.defaults() | changes
    return {k: np.full(n, v, dtype=float) for k, v in values.items()}


def start(network, n: int = N_RUNS, mode: str = "deterministic", **options: str):
    return cartels.init(
        network, params(n), n, np.random.default_rng(0), mode=mode, allocation="poisson", **options
    )


def dense_slot_k(network, root: np.ndarray, sibling: float) -> np.ndarray:
    """K between slots of one run written out: (R + 1)/(A + 1) of the roots, sibling rivalry."""
    rivals = network.rivals.toarray()[np.ix_(root, root)]
    same = root[:, None] == root[None, :]
    rivals = np.where(same, sibling, rivals)
    allies = network.allies.toarray().sum(axis=1)[root]
    k = (rivals + 1.0) / (allies[:, None] + 1.0)
    np.fill_diagonal(k, 0.0)
    return k


def test_defaults_keep_the_original_model(network) -> None:
    state = start(network)
    after = cartels.step(state, params(), 52.0, np.random.default_rng(1))
    assert after.lineage is None  # the original code path ran
    out = cartels.observe(after, params())
    for name in ("deaths_surge_weekly", "absorbed_weekly", "kingpin_strikes"):
        np.testing.assert_array_equal(out[name], 0.0)
    assert set(out) == set(cartels.OUTCOMES)


def test_suppression_path_with_nothing_to_do_matches_the_ode(network) -> None:
    # a strike rate so low no strike happens switches the weekly suppression path on
    quiet = params(kingpin_per_year=1e-9)
    a = cartels.step(start(network), params(), 104.0, None)
    b = cartels.step(start(network), quiet, 104.0, None)
    assert b.lineage is not None
    np.testing.assert_allclose(b.members, a.members, rtol=1e-6)
    oa, ob = cartels.observe(a, params()), cartels.observe(b, quiet)
    for name in cartels.OUTCOMES:
        np.testing.assert_allclose(ob[name], oa[name], rtol=1e-6, atol=1e-9)


def test_slot_conflict_equals_dense_k_after_a_split(network) -> None:
    members = np.random.default_rng(2).uniform(0, 500, (network.size, 2))
    lineage = kp.Lineage.fresh(network.size, 2)
    members, lineage = kp.strike(
        members,
        lineage,
        network.size,
        np.array([0, 5]),
        np.array([3.0, 2.0]),
        np.full(2, 26.0),
        integer=False,
    )
    assert members.shape[0] > network.size  # the arrays grew to hold the successors
    rivals = sparse_rivals = network.rivals
    inv = 1.0 / (np.asarray(network.allies.sum(axis=1)).ravel() + 1.0)
    got = kp.conflict(members, lineage.root, sparse_rivals, inv, np.array([2.0, 2.0]))
    for r in range(2):
        k = dense_slot_k(network, lineage.root[:, r], 2.0)
        np.testing.assert_allclose(got[:, r], k @ members[:, r], rtol=1e-10)
    assert rivals.shape == (network.size, network.size)


def test_strike_conserves_members_and_makes_successors(network) -> None:
    state = start(network, mode="stochastic")
    members = state.members
    lineage = kp.Lineage.fresh(network.size, N_RUNS)
    struck = np.array([0, -1, 3, 0])
    after, lin = kp.strike(
        members,
        lineage,
        network.size,
        struck,
        np.full(N_RUNS, 3.0),
        np.full(N_RUNS, 26.0),
        integer=True,
    )
    np.testing.assert_array_equal(after.sum(axis=0), members.sum(axis=0))
    assert np.all(after == np.round(after))
    for r, s in enumerate(struck):
        slots = np.flatnonzero(lin.root[:, r] == max(s, 0))
        if s < 0:
            assert slots.tolist() == [0] or np.all(after[slots[1:], r] == 0)
            assert lin.strikes[r] == 0
            continue
        heirs = slots[after[slots, r] > 0]
        assert heirs.size == 3 and s in heirs
        assert np.ptp(after[heirs, r]) <= 2  # equal shares up to the remainder
        np.testing.assert_array_equal(lin.surge_left[heirs, r], 26.0)
        assert lin.strikes[r] == 1


def test_hazards_spend_the_same_total_effort(network) -> None:
    rng = np.random.default_rng(3)
    members = rng.uniform(0, 2000, (network.size, N_RUNS))
    members[7] = 0.0
    expansion = np.broadcast_to(tg.expansion_share(network)[:, None], members.shape)
    eta = np.full(N_RUNS, 110.0)
    targeted = tg.top_groups(members, members >= 1, np.full(N_RUNS, 3.0))
    assert np.all(targeted.sum(axis=0) == 3)
    for focus, containment in [(0, 0), (1, 0), (0, 1), (0.4, 0.3), (0.9, 0.9)]:
        h = tg.arrest_hazard(
            members, eta, np.full(N_RUNS, focus), np.full(N_RUNS, containment), targeted, expansion
        )
        np.testing.assert_allclose((h * members).sum(axis=0), eta, rtol=1e-12)
    scatter = tg.arrest_hazard(
        members, eta, np.zeros(N_RUNS), np.zeros(N_RUNS), targeted, expansion
    )
    np.testing.assert_allclose(scatter, np.broadcast_to(eta / members.sum(axis=0), members.shape))
    focused = tg.arrest_hazard(members, eta, np.ones(N_RUNS), np.zeros(N_RUNS), targeted, expansion)
    assert np.all(focused[~targeted] == 0) and np.all(focused[targeted] > 0)
    contain = tg.arrest_hazard(members, eta, np.zeros(N_RUNS), np.ones(N_RUNS), targeted, expansion)
    np.testing.assert_array_equal(contain == 0, np.broadcast_to(expansion == 0, members.shape))


def test_expansion_share_counts_relations_outside_the_home_state(network) -> None:
    share = tg.expansion_share(network)
    ties = (network.rivals + network.allies).toarray()
    for i in range(network.size):
        total = ties[i].sum()
        away = sum(
            ties[i, j] for j in range(network.size) if network.states[j] != network.states[i]
        )
        assert share[i] == pytest.approx(away / total if total else 0.0)
    assert 0 < share.mean() < 1


def test_absorber_is_the_largest_rival(network) -> None:
    rng = np.random.default_rng(4)
    members = rng.uniform(0, 3000, (network.size, 3))
    edges = kp.RivalEdges.from_rivals(network.rivals)
    ratio = np.array([0.1, 0.5, 1.0])
    got = kp.absorbers(members, edges, network.size, ratio)
    rivals = network.rivals.toarray() > 0
    for r in range(3):
        for i in range(network.size):
            if not rivals[i].any():
                assert got[i, r] == -1
                continue
            j = np.flatnonzero(rivals[i])[np.argmax(members[rivals[i], r])]
            expected = j if members[i, r] < ratio[r] * members[j, r] else -1
            assert got[i, r] == expected
    flow = kp.absorption_flow(members, got, 0.1 * members[: network.size])
    np.testing.assert_allclose(flow.sum(axis=0), 0.0, atol=1e-9)


def test_kingpin_schedule_and_atomization(network) -> None:
    p = params(kingpin_per_year=4.0, successors=3.0)
    state = cartels.step(start(network), p, 52.0, None)
    out = cartels.observe(state, p)
    np.testing.assert_array_equal(out["kingpin_strikes"], 4.0)
    np.testing.assert_array_equal(out["active_groups"], network.size + 4 * 2)
    base = cartels.observe(cartels.step(start(network), params(), 52.0, None), params())
    assert np.all(out["hhi"] < base["hhi"])
    assert np.all(out["deaths_weekly"] > base["deaths_weekly"])
    # groups reported by lineage keep the network's labels and add up to all members
    np.testing.assert_allclose(cartels.group_members(state).sum(axis=1), out["members"])
    assert cartels.group_members(state).shape == (N_RUNS, network.size)


def test_consolidation_concentrates(network) -> None:
    p = params(absorption_rate=0.05, absorb_ratio=0.2)
    state = cartels.step(start(network), p, 156.0, None)
    out = cartels.observe(state, p)
    base = cartels.observe(cartels.step(start(network), params(), 156.0, None), params())
    assert np.all(out["active_groups"] < base["active_groups"])
    assert np.all(out["hhi"] > base["hhi"])
    assert np.all(out["absorbed_weekly"] > 0)


@pytest.mark.parametrize("target", tg.CRITERIA)
def test_stochastic_strategies_are_reproducible_and_integer(network, target: str) -> None:
    p = params(
        focus=0.5, focus_groups=2.0, containment=0.2, kingpin_per_year=2.0, absorption_rate=0.01
    )
    runs = [
        cartels.step(
            start(network, mode="stochastic", target=target), p, 30.0, np.random.default_rng(9)
        )
        for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0].members, runs[1].members)
    assert np.all(runs[0].members == np.round(runs[0].members)) and runs[0].members.min() >= 0
    out = cartels.observe(runs[0], p)
    assert set(out) == set(cartels.OUTCOMES)
    assert np.all(out["kingpin_strikes"] == 1.0)


def test_focus_on_the_most_violent_arrests_only_them(network) -> None:
    p = params(focus=1.0, focus_groups=2.0)
    state = replace(
        start(network, target="violent"), lineage=kp.Lineage.fresh(network.size, N_RUNS)
    )
    after = cartels.step(state, p, 1.0, None)
    assert after.lineage is not None
    out = cartels.observe(after, p)
    np.testing.assert_allclose(out["incapacitations_weekly"], 110.0, rtol=1e-9)
