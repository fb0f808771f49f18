"""The outsider's linear-programming audit of the public tables (``oclab.observatory.audit``).

The audit is checked against the truth it is built from: the true hidden counts must satisfy
every relation it gives the outsider (else it would "prove" things that are false), each
disclosure it reports must bracket the true value, it must find the differencing attacks that
the per-row rule alone leaves open, and it must find none once every rule is applied.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from oclab.observatory import audit
from oclab.observatory.generate import generate
from oclab.observatory.io import Dataset
from oclab.observatory.privacy import suppress
from oclab.observatory.publish import aggregates, suppressed

THRESHOLD = 10


@pytest.fixture(scope="module")
def tables() -> dict[str, pl.DataFrame]:
    generated = generate(200_000, 0)
    return aggregates(
        Dataset(**{k: generated[k] for k in ("courts", "cases", "charges", "defendants")})
    )


def _row_rule_only(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The yearly tables with only the per-row rule: totals minus shown parts stay open."""
    return {
        k: suppress(v, THRESHOLD) if k.startswith("indicators") else v for k, v in tables.items()
    }


def test_true_counts_satisfy_every_relation(tables):
    public = suppressed(tables, THRESHOLD)
    cells = audit.cells(tables, public)
    system = audit.system(cells, public)
    hidden = cells.filter(pl.col("var").is_not_null())
    assert system.n == hidden.height > 1000
    truth = np.zeros(system.n)
    truth[hidden["var"].to_numpy()] = hidden["truth"].to_numpy()
    np.testing.assert_allclose(system.a_eq @ truth, system.b_eq, atol=1e-9)
    assert (system.a_ub @ truth <= system.b_ub + 1e-9).all()
    assert system.a_eq.shape[0] > 1000 and system.a_ub.shape[0] > 1000


def test_row_rule_alone_leaves_differencing_open(tables):
    """Court counts recovered as a state total minus the state's other courts (46 on this set);
    each reported interval holds the true count and lies inside 1..9."""
    found = audit.audit(tables, _row_rule_only(tables), THRESHOLD)
    disclosed = found.filter("disclosed")
    assert disclosed.height > 0
    assert (disclosed["lower"] <= disclosed["truth"] + 1e-6).all()
    assert (disclosed["truth"] <= disclosed["upper"] + 1e-6).all()
    assert disclosed["lower"].min() > 0.5 and disclosed["upper"].max() < THRESHOLD - 0.5
    exact = disclosed.filter((pl.col("upper") - pl.col("lower")).abs() < 1e-6)
    assert exact.height > 0  # pinned exactly, as a subtraction would
    assert disclosed["key"].str.starts_with("indicators_court").any()


def test_every_rule_applied_nothing_disclosed(tables):
    public = suppressed(tables, THRESHOLD)
    found = audit.audit(tables, public, THRESHOLD)
    assert found.height > 10_000  # small true quantities hidden in the tables
    assert found.filter("disclosed").height == 0
