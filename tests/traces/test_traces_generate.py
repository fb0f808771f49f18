"""The synthetic generator reproduces the published statistics it is calibrated to.

Targets (see ``oclab.traces.generate`` for the sources): GAO-16-223 -- 104,850 traced, 70.3 %
US-sourced, 16.7 % foreign-sourced, Texas, California and Arizona the top source states (shares
UNCHECKED: 41/19/15 %); NSSF v. Jones data as reported -- mean time-to-crime about 15 years,
81.6 % of TTCs 3 years or more. Tolerances: four binomial standard errors for shares (a
deterministic seed, so this guards against bias, not luck) and 0.4 years for the mean TTC
(the log-normal's standard error at n ~ 70,000 is about 0.05 years; the truncation cutoff is
one mid-period date, which moves the mean by up to ~0.2 years).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from oclab.traces.generate import PARAMS, generate, ttc_lognormal


@pytest.fixture(scope="module")
def table():  # type: ignore[no-untyped-def]
    return generate(np.random.default_rng(20260101))


def _tolerance(p: float, n: int) -> float:
    return 4 * math.sqrt(p * (1 - p) / n)


def test_counts_and_origin_shares_match_gao_16_223(table) -> None:  # type: ignore[no-untyped-def]
    n = table.height
    assert n == 104_850
    us = (table["dealer_state"] != "") | (table["failure_reason"] == "pre_1968_no_records")
    foreign = table["failure_reason"] == "foreign_no_importer"
    assert abs(us.mean() - 73_684 / n) < _tolerance(0.703, n)
    assert abs(foreign.mean() - 17_544 / n) < _tolerance(0.167, n)
    years = table["recovery_date"].dt.year()
    assert years.min() == 2009 and years.max() == 2014


def test_texas_california_arizona_lead_the_source_states(table) -> None:  # type: ignore[no-untyped-def]
    sold = table.filter(table["dealer_state"] != "")
    shares = sold["dealer_state"].value_counts(normalize=True, sort=True, name="share")
    assert shares["dealer_state"].head(3).to_list() == ["TX", "CA", "AZ"]
    for state, target in (("TX", 0.41), ("CA", 0.19), ("AZ", 0.15)):
        got = shares.filter(shares["dealer_state"] == state)["share"].item()
        assert abs(got - target) < _tolerance(target, sold.height), state


def test_time_to_crime_matches_the_published_mean_and_share(table) -> None:  # type: ignore[no-untyped-def]
    years = table["time_to_crime_days"].drop_nulls() / 365.25
    assert abs(years.mean() - 15.0) < 0.4
    share = (years >= 3).mean()
    assert abs(share - 15_995 / 19_600) < _tolerance(0.816, years.len())
    purchases = table["purchase_date"].drop_nulls()
    assert purchases.min() >= np.datetime64("1968-12-16")


def test_the_lognormal_fit_solves_its_equations_independently() -> None:
    mu, sigma = ttc_lognormal(15.0, 15_995 / 19_600, cutoff_years=42.5)
    dist = stats.lognorm(s=sigma, scale=math.exp(mu))
    kept = dist.cdf(42.5)
    mean, _ = integrate.quad(lambda x: x * dist.pdf(x), 0, 42.5)
    assert mean / kept == pytest.approx(15.0, rel=1e-5)
    assert (kept - dist.cdf(3.0)) / kept == pytest.approx(15_995 / 19_600, abs=1e-6)


def test_same_seed_same_traces_and_every_row_passes_validation(table) -> None:  # type: ignore[no-untyped-def]
    a = generate(np.random.default_rng(3), n=2_000)
    b = generate(np.random.default_rng(3), n=2_000)
    c = generate(np.random.default_rng(4), n=2_000)
    assert a.equals(b) and not a.equals(c)
    from oclab.traces.validate import REQUEST_RULES, RESULT_RULES, check_frame

    text = a.drop("agency_ori").cast({"serial_obliterated": str, "multiple_sale": str})
    text = text.with_columns(text[c].cast(str) for c in text.columns)
    for rules in (REQUEST_RULES, RESULT_RULES):
        _, problems = check_frame(text.fill_null(""), rules)
        assert problems.height == 0, problems.head()


def test_every_parameter_cites_a_source_or_says_assumption() -> None:
    for p in PARAMS:
        assert p.source and ("GAO" in p.source or "ATF" in p.source or "assumption" in p.source)
