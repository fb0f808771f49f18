"""The cartel model's equations, vectorised, against their direct dense form and SciPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from oclab.data.network import load_network
from oclab.models import cartels

N_RUNS = 3


@pytest.fixture(scope="module")
def network():
    return load_network(None).ranked()


def params(n: int = N_RUNS, **changes: float) -> dict[str, np.ndarray]:
    values = cartels.PARAMS.defaults() | changes
    return {k: np.full(n, v, dtype=float) for k, v in values.items()}


def dense_k(network) -> np.ndarray:
    """K_ij = (R_ij + 1)/(A_i + 1), K_ii = 0, written out as in the paper."""
    allies = network.allies.toarray().sum(axis=1)
    k = (network.rivals.toarray() + 1.0) / (allies[:, None] + 1.0)
    np.fill_diagonal(k, 0.0)
    return k


def test_sparse_conflict_operator_equals_dense_k(network) -> None:
    ops = cartels.Operators.from_network(network)
    members = np.random.default_rng(0).uniform(0, 1000, (network.size, 4))
    np.testing.assert_allclose(ops.conflict(members), dense_k(network) @ members, rtol=1e-12)


def test_rhs_is_the_published_equation(network) -> None:
    p = params(1)
    c = np.random.default_rng(1).uniform(0, 5000, network.size)
    k = dense_k(network)
    expected = 2.527474e-3 * c - 110.0 * c / c.sum() - 1.549231e-8 * c * (k @ c) - 4e-8 * c**2
    got = cartels.rhs(c[:, None], cartels.Operators.from_network(network), p)[:, 0]
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-9)


def test_deterministic_batch_matches_solve_ivp(network) -> None:
    p = params(2, theta=1.2e-8)
    p["rho"] = np.array([2.3e-3, 2.7e-3])  # runs differ in their parameters
    state = cartels.init(network, p, 2, np.random.default_rng(2))
    end = cartels.step(state, p, 260.0, np.random.default_rng(0))
    k = dense_k(network)
    for run in range(2):
        rho, theta = p["rho"][run], p["theta"][run]

        def f(_t, c, rho=rho, theta=theta):
            return c * (rho - 110.0 / c.sum() - theta * (k @ c) - 4e-8 * c)

        ref = solve_ivp(f, (0, 260), state.members[:, run], rtol=1e-10, atol=1e-8).y[:, -1]
        np.testing.assert_allclose(end.members[:, run], ref, rtol=1e-5, atol=1e-3)


def test_stochastic_flows_balance_and_ensemble_mean_follows_the_ode(network) -> None:
    n = 300
    p = params(n)
    start = cartels.init(
        network, p, n, np.random.default_rng(3), mode="stochastic", allocation="expected"
    )
    start = cartels.State(np.round(start.members), start.ops, "stochastic")
    one = cartels.step(start, p, 1.0, np.random.default_rng(4))
    flows = cartels.observe(one, p)
    change = one.members.sum(axis=0) - start.members.sum(axis=0)
    np.testing.assert_array_equal(
        change,
        flows["recruits_weekly"]
        - flows["deaths_weekly"]
        - flows["incapacitations_weekly"]
        - flows["saturation_weekly"],
    )
    later = cartels.step(one, p, 103.0, np.random.default_rng(5))
    ode = cartels.step(
        cartels.State(start.members[:, :1], start.ops, "deterministic"), params(1), 104.0, None
    )
    # Law of large numbers: 300 runs of ~120k members; demographic noise is ~0.1% of the total.
    assert later.members.sum(axis=0).mean() == pytest.approx(ode.members.sum(), rel=0.01)
    assert (later.members >= 0).all()
    assert np.array_equal(later.members, np.round(later.members))


def test_small_groups_can_die_out_and_stay_dead(network) -> None:
    n = 50
    p = params(n, initial_members=3000.0)
    state = cartels.init(network, p, n, np.random.default_rng(6), mode="stochastic")
    state = cartels.step(state, p, 104.0, np.random.default_rng(7))
    dead = state.members == 0
    assert dead.any()
    later = cartels.step(state, p, 26.0, np.random.default_rng(8))
    assert (later.members[dead] == 0).all()


def test_no_recruitment_means_decline(network) -> None:
    p = params(1, rho=0.0)
    state = cartels.init(network, p, 1, np.random.default_rng(9), allocation="expected")
    before = cartels.observe(state, p)["members"][0]
    after = cartels.observe(cartels.step(state, p, 52.0, None), p)["members"][0]
    assert after < before


@settings(max_examples=40, deadline=None)
@given(
    rho=st.floats(0.0, 0.01),
    eta=st.floats(0.0, 500.0),
    theta=st.floats(0.0, 1e-7),
    omega=st.floats(0.0, 1e-6),
    seed=st.integers(0, 2**32 - 1),
)
def test_total_change_is_recruits_minus_every_outflow(
    network, rho, eta, theta, omega, seed
) -> None:
    """The accounting identity behind the published flows, for any parameters in the domain."""
    p = {k: np.array([v]) for k, v in dict(rho=rho, eta=eta, theta=theta, omega=omega).items()}
    members = np.random.default_rng(seed).uniform(0, 5000, (network.size, 1))
    state = cartels.State(members, cartels.Operators.from_network(network), "deterministic")
    flows = cartels.observe(state, p)
    change = cartels.rhs(members, state.ops, p).sum()
    expected = (
        flows["recruits_weekly"]
        - flows["incapacitations_weekly"]
        - flows["deaths_weekly"]
        - flows["saturation_weekly"]
    )[0]
    assert change == pytest.approx(expected, rel=1e-9, abs=1e-6)
