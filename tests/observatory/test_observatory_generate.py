"""The synthetic generator reproduces its calibration targets and is reproducible.

Targets (see ``oclab.observatory.generate.CALIBRATION``): impunity 0.96 and pretrial-detention
share 0.57 (Hallazgos 2022 figures as given in issue 11; marked "check" in the sources).
Tolerances: impunity within 0.005 (about 6 binomial standard errors on the ~53,000 cases of the
cohort), pretrial share within 0.02 (about 4 standard errors on ~11,000 defendants).
"""

from __future__ import annotations

import polars as pl
import pytest

from oclab.observatory.generate import CALIBRATION, generate
from oclab.observatory.indicators import court_anomalies, indicators
from oclab.observatory.io import Dataset


@pytest.fixture(scope="module")
def tables():
    # One court per state (about 190 concluded cases each) and one court dismissing 4x as often.
    return generate(100_000, 11, courts_per_state=1, anomalous_courts=1, anomaly_factor=4.0)


def test_impunity_target_in_a_fully_observed_cohort(tables):
    cases = tables["cases"]
    # Cases reported 2006-2014 have had eight or more years to conclude by the end of 2022.
    cohort = cases.filter(pl.col("report_date").dt.year() <= 2014)
    impunity = 1 - cohort["outcome"].is_in(["conviction", "alternative"]).mean()
    assert impunity == pytest.approx(CALIBRATION["impunity"].default, abs=0.005)


def test_pretrial_share_target(tables):
    share = tables["defendants"]["pretrial_detention"].mean()
    assert share == pytest.approx(CALIBRATION["pretrial_share"].default, abs=0.02)
    # Organized-crime defendants are held far more often (prisión preventiva oficiosa).
    oc = tables["defendants"].join(tables["charges"], on="case_id").group_by("organized_crime")
    by_oc = dict(oc.agg(pl.col("pretrial_detention").mean()).iter_rows())
    assert by_oc[True] > 0.85 > by_oc[False]


def test_accusatorial_transition_2008_2016(tables):
    share = (
        indicators(Dataset(**tables), "state")
        .group_by("year")
        .agg((pl.col("n_accusatorial").sum() / pl.col("n_reported").sum()).alias("share"))
    )
    by_year = dict(share.iter_rows())
    assert by_year[2007] == 0.0
    assert 0.0 < by_year[2012] < 1.0
    assert by_year[2017] == by_year[2022] == 1.0


def test_injected_anomalous_court_is_the_alarm(tables):
    flags = court_anomalies(Dataset(**tables), "dismissal")
    alarms = flags.filter(pl.col("flag") == "alarm")["court_id"].to_list()
    assert alarms == ["C00-0"]


def test_same_seed_same_records():
    a, b = generate(2_000, 5), generate(2_000, 5)
    for name in a:
        assert a[name].equals(b[name])
    assert not generate(2_000, 6)["cases"].equals(a["cases"])


def test_records_pass_the_importer(tmp_path):
    from oclab.observatory.io import load_folder
    from oclab.observatory.schema import TABLES

    for name, table in generate(3_000, 2).items():
        table.write_csv(tmp_path / TABLES[name][0])
    _, report = load_folder(tmp_path)
    assert all(bad.height == 0 for bad in report.quarantined.values()), report.lines()


@pytest.mark.parametrize("outcome", ["dismissal", "conviction"])
def test_no_alarm_without_an_injected_anomaly(outcome):
    flags = court_anomalies(Dataset(**generate(100_000, 12, courts_per_state=1)), outcome)
    assert flags.filter(pl.col("flag") == "alarm").height == 0
