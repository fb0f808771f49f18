"""Indicators and anomaly scores equal values computed by hand on the fixture tables."""

from __future__ import annotations

import math
from datetime import date

import polars as pl
import pytest

from oclab.observatory.indicators import court_anomalies, indicators
from oclab.observatory.io import load_folder


@pytest.fixture
def data(fixture_folder):
    data, report = load_folder(fixture_folder)
    assert report.accepted == {"courts": 2, "cases": 8, "charges": 7, "defendants": 5}
    return data


def row(table: pl.DataFrame, **keys: object) -> dict:
    rows = table.filter(*(pl.col(k) == v for k, v in keys.items())).to_dicts()
    assert len(rows) == 1, keys
    return rows[0]


def test_state_indicators_match_hand_computation(data):
    table = indicators(data, "state")
    r = row(table, state="AAA", year=2020)
    # 8 reported in 2020; resolved in 2020: K1 (conviction) and K7 (alternative).
    assert (r["n_reported"], r["n_resolved"]) == (8, 2)
    assert r["impunity"] == pytest.approx(1 - 2 / 8)
    assert r["impunity_convictions"] == pytest.approx(1 - 1 / 8)
    # Charged cases concluded in 2020: K1 conviction, K2 acquittal, K7 alternative, K8 dismissal.
    assert (r["n_concluded"], r["n_convictions"], r["n_acquittals"], r["n_dismissals"]) == (
        4, 1, 1, 1,
    )  # fmt: skip
    assert r["conviction_rate"] == pytest.approx(0.5)
    assert r["acquittal_rate"] == pytest.approx(0.5)
    assert r["dismissal_rate"] == pytest.approx(0.25)
    days = [
        (date(2020, 6, 1) - date(2020, 1, 10)).days,  # K1: 143
        (date(2020, 12, 30) - date(2020, 3, 1)).days,  # K2: 304
        (date(2020, 9, 1) - date(2020, 2, 1)).days,  # K7: 213
        (date(2020, 11, 1) - date(2020, 4, 1)).days,  # K8: 214
    ]
    assert days == [143, 304, 213, 214]
    assert r["median_duration_days"] == pytest.approx(213.5)
    assert r["mean_duration_days"] == pytest.approx(sum(days) / 4)
    # Defendants of charged cases: D-1, D-2, D-3, D-4 (D-5's case was never charged).
    assert (r["n_defendants"], r["n_pretrial"]) == (4, 3)
    assert r["pretrial_share"] == pytest.approx(0.75)
    # Open at the end of 2020: K3 (verdict 2021) and K4 (pending).
    assert r["backlog"] == 2
    assert r["accusatorial_share"] == pytest.approx(5 / 8)
    r21 = row(table, state="AAA", year=2021)
    assert (r21["n_reported"], r21["n_resolved"], r21["backlog"]) == (0, 1, 1)
    assert r21["impunity"] is None
    assert r21["conviction_rate"] == pytest.approx(1.0)


def test_court_indicators_match_hand_computation(data):
    table = indicators(data, "court")
    c1 = row(table, court_id="C1", year=2020)
    assert (c1["n_cases"], c1["n_accusatorial"], c1["backlog"]) == (3, 2, 1)
    assert c1["accusatorial_share"] == pytest.approx(2 / 3)
    assert c1["conviction_rate"] == pytest.approx(0.5)
    c2 = row(table, court_id="C2", year=2020)
    assert (c2["n_cases"], c2["n_concluded"], c2["n_dismissals"], c2["backlog"]) == (3, 2, 1, 1)
    assert c2["dismissal_rate"] == pytest.approx(0.5)
    assert c2["conviction_rate"] is None  # no verdicts: no rate, not zero
    assert row(table, court_id="C1", year=2021)["backlog"] == 0
    assert row(table, court_id="C2", year=2021)["backlog"] == 1
    assert "impunity" not in table.columns


def test_anomaly_z_scores_match_hand_computation(data):
    table = court_anomalies(data, "dismissal")
    # Concluded charged cases: C1 {K1 homicide/acc, K2 robbery/acc, K3 oc/inq}, C2 {K7, K8
    # robbery/acc}. Strata rates: robbery/acc = 1 dismissal in 3 (K2, K7, K8); others 0.
    p = 1 / 3
    c1, c2 = row(table, court_id="C1"), row(table, court_id="C2")
    assert (c1["n"], c1["observed"], c1["expected"]) == (3, 0, pytest.approx(p))
    assert c2["expected"] == pytest.approx(2 * p)
    z1 = (0 - p) / math.sqrt(p * (1 - p))
    z2 = (1 - 2 * p) / math.sqrt(2 * p * (1 - p))
    assert c1["z"] == pytest.approx(z1)
    assert c2["z"] == pytest.approx(z2)
    # Two courts: winsorising at the 10th/90th percentiles (interpolated) then mean of squares.
    lo, hi = sorted([z1, z2])
    q10, q90 = lo + 0.1 * (hi - lo), lo + 0.9 * (hi - lo)
    phi = max(1.0, (min(max(z1, q10), q90) ** 2 + min(max(z2, q10), q90) ** 2) / 2)
    assert c1["phi"] == pytest.approx(phi)
    assert {c1["flag"], c2["flag"]} == {"ok"}


def test_level_must_be_state_or_court(data):
    from oclab.errors import InputError

    with pytest.raises(InputError, match="level"):
        indicators(data, "country")  # type: ignore[arg-type]


def test_anomalies_account_for_case_mix():
    """Crude dismissal rates 0.1, 0.5 and 0.3 differ only by offence mix: no court stands out."""
    from datetime import date as d

    from oclab.observatory.io import Dataset

    courts = ["A"] * 100 + ["B"] * 100 + ["C"] * 100
    offences = ["homicide"] * 100 + ["robbery"] * 100 + ["homicide"] * 50 + ["robbery"] * 50
    dismissed = (
        [True] * 10 + [False] * 90 + [True] * 50 + [False] * 50
        + [True] * 5 + [False] * 45 + [True] * 25 + [False] * 25
    )  # fmt: skip
    ids = [f"K{i}" for i in range(300)]
    cases = pl.DataFrame(
        {
            "case_id": ids,
            "state": "AAA",
            "court_id": courts,
            "system": "accusatorial",
            "charge_date": [d(2020, 1, 1)] * 300,
            "outcome": ["dismissal" if x else "conviction" for x in dismissed],
        }
    )
    charges = pl.DataFrame({"case_id": ids, "charge_no": 1, "offence": offences})
    empty = pl.DataFrame()
    flags = court_anomalies(Dataset(empty, cases, charges, empty), "dismissal")
    rates = dict(zip(flags["court_id"], flags["rate"], strict=True))
    assert rates == {"A": pytest.approx(0.1), "B": pytest.approx(0.5), "C": pytest.approx(0.3)}
    assert flags["z"].abs().max() == pytest.approx(0.0, abs=1e-12)
    assert (flags["flag"] == "ok").all()
