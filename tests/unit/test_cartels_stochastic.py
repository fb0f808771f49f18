"""Distribution of the stochastic cartel model's weekly draws and flows.

The fast samplers (vectorised CDF inversion for small means, numpy's samplers for large ones,
one uniform per leaver for the cause) must give exactly the model's distributions: recruits
Poisson(``rho*C``), leavers Binomial(``C``, ``1-exp(-h)``), and the leavers' causes a multinomial
split in proportion to the three hazards. Tolerances are 5 standard errors of the sample moment
(mean: ``sd/sqrt(n)``; variance: ``sqrt((m4 - sd**4)/n)``), with fixed seeds; a sampler with a
wrong mean, spread or tail fails them by far more.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from oclab.data.network import load_network
from oclab.models import cartels

SAMPLES = 20_000


@pytest.fixture(scope="module")
def network():
    return load_network(None).ranked()


def assert_moments(x: np.ndarray, mean: np.ndarray, var: np.ndarray, m4_excess: np.ndarray):
    """Sample mean and variance of ``x`` (entries, samples) within 5 standard errors."""
    n = x.shape[-1]
    se_mean = np.sqrt(var / n)
    se_var = np.sqrt(m4_excess / n)
    np.testing.assert_array_less(np.abs(x.mean(axis=-1) - mean), 5 * se_mean + 1e-12)
    np.testing.assert_array_less(np.abs(x.var(axis=-1) - var), 5 * se_var + 1e-12)


def test_recruits_are_poisson_and_leavers_binomial_on_both_sampling_paths() -> None:
    # Sizes from extinct to very large and hazards from tiny to large, so that both the
    # inversion path (means up to 8) and numpy's samplers (above) are exercised.
    sizes = np.array([0.0, 1.0, 3.0, 40.0, 200.0, 1_000.0, 5_000.0, 20_000.0, 60.0, 7.0])
    hazard = np.array([0.5, 2.0, 0.3, 0.01, 0.002, 0.004, 0.003, 0.002, 0.2, 5.0])
    rho = 0.0025
    members = np.repeat(sizes[:, None], SAMPLES, axis=1)
    hz = np.repeat(hazard[:, None], SAMPLES, axis=1)
    lam = rho * members * 2.0
    assert (lam > cartels._INVERSION_MEAN).any() and (lam <= cartels._INVERSION_MEAN).any()
    rate = members * hz
    assert (rate > cartels._INVERSION_MEAN).any() and (rate <= cartels._INVERSION_MEAN).any()
    recruits, leaving = cartels._draw_counts(np.random.default_rng(1), members, lam, hz)

    for counts in (recruits, leaving):
        assert np.array_equal(counts, np.round(counts)) and (counts >= 0).all()
    assert (leaving <= members).all()
    mu = lam[:, 0]
    assert_moments(recruits, mu, mu, mu + 2 * mu**2)
    q = -np.expm1(-hazard)
    mean, var = sizes * q, sizes * q * (1 - q)
    assert_moments(leaving, mean, var, var * (1 - 6 * q * (1 - q)) + 2 * var**2)


@pytest.mark.parametrize(
    ("kind", "n", "p"),
    [("poisson", 0, 3.0), ("poisson", 0, 30.0), ("binomial", 200, 0.02), ("binomial", 900, 0.05)],
)
def test_count_frequencies_match_the_pmf(kind: str, n: int, p: float) -> None:
    # Whole distribution, not only two moments: a chi-square test over the outcome cells
    # (tail cells pooled so each expects at least 20). p > 1e-3 with a fixed seed.
    size = 50_000
    if kind == "poisson":
        members, lam, hz = np.ones(size), np.full(size, p), np.zeros(size)
        x = cartels._draw_counts(np.random.default_rng(2), members, lam, hz)[0]
        dist = stats.poisson(p)
    else:
        h = -np.log1p(-p)
        members, lam, hz = np.full(size, float(n)), np.zeros(size), np.full(size, h)
        x = cartels._draw_counts(np.random.default_rng(2), members, lam, hz)[1]
        dist = stats.binom(n, p)
    lo, hi = dist.ppf(1e-3), dist.ppf(1 - 1e-3)
    inner = np.arange(lo + 1, hi)
    observed = np.array([(x <= lo).sum(), *[(x == k).sum() for k in inner], (x >= hi).sum()])
    expected = size * np.array([dist.cdf(lo), *dist.pmf(inner), dist.sf(hi - 1)])
    assert expected.min() >= 20
    assert stats.chisquare(observed, expected * observed.sum() / expected.sum()).pvalue > 1e-3


def test_weekly_flows_have_the_competing_risk_distribution(network) -> None:
    # One week from a fixed state, SAMPLES identical runs: per-run flows are sums over groups
    # of independent binomials Bin(C, q*h_k/h) for each cause and of Poissons for recruits.
    p = {k: np.full(SAMPLES, v) for k, v in cartels.PARAMS.defaults().items()}
    one_run = {k: v[:1] for k, v in p.items()}
    start = cartels.init(network, one_run, 1, np.random.default_rng(4), allocation="expected")
    sizes = np.round(start.members[:, 0])
    sizes[[5, 40, 100]] = 0.0  # groups that died out stay at zero
    members = np.repeat(sizes[:, None], SAMPLES, axis=1)
    out, flows = cartels._week_stochastic(members, start.ops, p, np.random.default_rng(5))

    assert (out[[5, 40, 100]] == 0).all()
    np.testing.assert_array_equal(
        out.sum(axis=0) - members.sum(axis=0),
        flows["recruits"] - flows["deaths"] - flows["incapacitations"] - flows["saturation"],
    )
    assert all(np.array_equal(f, np.round(f)) and (f >= 0).all() for f in flows.values())

    d = cartels.PARAMS.defaults()
    h_arrest = d["eta"] / sizes.sum()
    h_death = d["theta"] * start.ops.conflict(sizes[:, None])[:, 0]
    h_sat = d["omega"] * sizes
    hazard = h_arrest + h_death + h_sat
    q = -np.expm1(-hazard)
    for name, share in (
        ("deaths", h_death / hazard),
        ("incapacitations", h_arrest / hazard),
        ("saturation", h_sat / hazard),
    ):
        pk = q * share
        var = sizes * pk * (1 - pk)
        # Independent sum: fourth cumulants add, so m4 - var**2 = sum(kappa4) + 2*var**2.
        excess = (var * (1 - 6 * pk * (1 - pk))).sum() + 2 * var.sum() ** 2
        assert_moments(
            flows[name][None, :],
            np.array([(sizes * pk).sum()]),
            np.array([var.sum()]),
            np.array([excess]),
        )
    mu = d["rho"] * sizes.sum()
    one = np.array([mu])
    assert_moments(flows["recruits"][None, :], one, one, one + 2 * one**2)


def test_large_batches_run_in_blocks_reproducibly(network) -> None:
    # More runs than one block: every block advances, flows balance in every run, and the same
    # seed gives the same result.
    n = 2 * cartels._RUN_BLOCK + 30
    p = {k: np.full(n, v) for k, v in cartels.PARAMS.defaults().items()}
    start = cartels.init(network, p, n, np.random.default_rng(6), mode="stochastic")
    before = start.members.copy()
    end = cartels.step(start, p, 3, np.random.default_rng(7))
    again = cartels.step(start, p, 3, np.random.default_rng(7))
    np.testing.assert_array_equal(end.members, again.members)
    np.testing.assert_array_equal(start.members, before)
    assert (end.members >= 0).all() and np.array_equal(end.members, np.round(end.members))
    assert (end.members != before).any(axis=0).all()
    one = cartels.step(end, p, 1, np.random.default_rng(8))
    flows = one.flows
    assert flows is not None and all(f.shape == (n,) for f in flows.values())
    np.testing.assert_array_equal(
        one.members.sum(axis=0) - end.members.sum(axis=0),
        flows["recruits"] - flows["deaths"] - flows["incapacitations"] - flows["saturation"],
    )
    assert (flows["recruits"] > 0).all() and (flows["deaths"] > 0).all()
