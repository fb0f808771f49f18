"""Suppression rules on hand-made rows: counts implied by subtraction within a row, totals
that would give away a hidden part across the court -> state -> nation hierarchy, and anomaly
rows pooled over the years; then an outsider's differencing attack on generated public tables."""

from __future__ import annotations

import polars as pl
import pytest

from oclab.observatory.generate import generate
from oclab.observatory.io import Dataset
from oclab.observatory.privacy import COURT_GROUPS, suppress, suppress_hierarchy, suppress_pooled
from oclab.observatory.publish import aggregates, suppressed


def test_a_small_implied_count_hides_its_total():
    table = pl.DataFrame(
        {
            "state": ["AAA", "BBB"],
            "year": [2020, 2020],
            "n_reported": [400, 400],
            "n_resolved": [18, 30],  # AAA: 18 - 15 convictions = 3 alternatives (small)
            "n_concluded": [40, 60],  # AAA: 40 - 15 - 10 - 12 = 3 alternatives (small)
            "n_convictions": [15, 20],
            "n_acquittals": [10, 20],
            "n_dismissals": [12, 10],
            "n_verdicts": [25, 40],
        }
    ).with_columns(
        impunity=1 - pl.col("n_resolved") / pl.col("n_reported"),
        dismissal_rate=pl.col("n_dismissals") / pl.col("n_concluded"),
        conviction_rate=pl.col("n_convictions") / pl.col("n_verdicts"),
    )
    out = suppress(table, 10).to_dicts()
    aaa, bbb = out
    assert (aaa["n_resolved"], aaa["impunity"]) == (None, None)
    assert (aaa["n_concluded"], aaa["dismissal_rate"]) == (None, None)
    # What reveals nothing stays: convictions, acquittals, dismissals and their rate.
    assert (aaa["n_convictions"], aaa["n_dismissals"], aaa["conviction_rate"]) == (15, 12, 0.6)
    # BBB: 10 alternatives either way, not small: all shown.
    assert (bbb["n_resolved"], bbb["n_concluded"]) == (30, 60)
    assert bbb["dismissal_rate"] == 10 / 60


def test_a_hidden_court_count_hides_its_state_group():
    courts = pl.DataFrame(
        {
            "state": ["AAA", "AAA", "BBB", "BBB"],
            "court_id": ["A1", "A2", "B1", "B2"],
            "year": [2020] * 4,
            "n_concluded": [50, 3, 40, 45],  # A2 is a small cell
            "n_convictions": [20, 0, 20, 20],
            "n_dismissals": [20, 0, 20, 20],
            "n_defendants": [30, 30, 30, 30],
            "n_pretrial": [15, 15, 15, 15],
        }
    )
    states = pl.DataFrame(
        {
            "state": ["AAA", "BBB"],
            "year": [2020, 2020],
            "n_concluded": [53, 85],
            "n_convictions": [20, 40],
            "n_dismissals": [20, 40],
            "n_defendants": [60, 60],
            "n_pretrial": [30, 30],
            "n_reported": [500, 500],
        }
    ).with_columns(
        dismissal_rate=pl.col("n_dismissals") / pl.col("n_concluded"),
        pretrial_share=pl.col("n_pretrial") / pl.col("n_defendants"),
    )
    court_public = suppress(courts, 10)
    assert court_public["n_concluded"].to_list() == [50, None, 40, 45]
    out = suppress_hierarchy(court_public, suppress(states, 10), ["state"], COURT_GROUPS)
    aaa, bbb = out.to_dicts()
    # AAA's concluded total minus A1's 50 would give A2's 3: the whole group is hidden,
    # convictions and dismissals included, and the rate over it.
    assert (aaa["n_concluded"], aaa["n_convictions"], aaa["n_dismissals"]) == (None, None, None)
    assert aaa["dismissal_rate"] is None
    # Other groups and BBB are untouched; the report group is not shared with courts.
    assert (aaa["n_defendants"], aaa["pretrial_share"], aaa["n_reported"]) == (60, 0.5, 500)
    assert (bbb["n_concluded"], bbb["n_convictions"], bbb["dismissal_rate"]) == (85, 40, 40 / 85)
    assert out.columns == states.columns


def _court_year(state, court, year, conv, acq, dism, alt=0):
    return {
        "state": state,
        "court_id": court,
        "year": year,
        "n_concluded": conv + acq + dism + alt,
        "n_convictions": conv,
        "n_acquittals": acq,
        "n_dismissals": dism,
        "n_verdicts": conv + acq,
    }


def _anomaly_rows(years: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The two anomaly tables' counts as court_anomalies pools them (other numbers made up)."""
    pooled = years.group_by("state", "court_id").agg(pl.col("^n_.*$").sum())
    shape = dict(expected=pl.lit(1.0), variance=pl.lit(1.0), z=pl.lit(0.0), flag=pl.lit("ok"))
    return {
        "anomalies_dismissal": pooled.select(
            "state", "court_id", n="n_concluded", observed=pl.col("n_dismissals") * 1.0, **shape
        ).sort("court_id"),
        "anomalies_conviction": pooled.select(
            "state", "court_id", n="n_verdicts", observed=pl.col("n_convictions") * 1.0, **shape
        ).sort("court_id"),
    }


def test_pooled_anomaly_rows_do_not_give_back_a_hidden_year():
    """Anomaly rows pool a court's years: the total minus the years shown is the hidden years'
    count. A1's 2020 (4 cases) is hidden, and 44 pooled - 40 shown gives it back: A1's rows go.
    A3 has two hidden years, but what they add up to (15 convictions, nothing else) is no small
    count: its rows stay, as do A2's (nothing hidden)."""
    years = pl.DataFrame(
        [
            _court_year("AAA", "A1", 2019, 15, 10, 12, alt=3),
            _court_year("AAA", "A1", 2020, 1, 1, 1, alt=1),
            _court_year("AAA", "A2", 2019, 20, 10, 10),
            _court_year("AAA", "A2", 2020, 20, 10, 10),
            _court_year("BBB", "A3", 2018, 8, 0, 0),
            _court_year("BBB", "A3", 2019, 20, 10, 10),
            _court_year("BBB", "A3", 2020, 7, 0, 0),
        ]
    )
    counts = [c for c in years.columns if c.startswith("n_")]
    small_year = (pl.col("n_concluded") < 10).alias("_small")
    public_years = (
        years.with_columns(small_year)
        .with_columns(
            pl.when(pl.col("_small")).then(None).otherwise(pl.col(c)).alias(c) for c in counts
        )
        .drop("_small")
    )
    states = years.group_by("state", "year").agg(pl.col(counts).sum())
    tables = _anomaly_rows(years)
    public = {
        **tables,
        "indicators_court": public_years,
        "indicators_state": states,  # all shown: the state level leaks nothing here
    }
    out = suppress_pooled(tables, public, 10)
    for name in ("anomalies_dismissal", "anomalies_conviction"):
        flags = dict(zip(out[name]["court_id"], out[name]["flag"], strict=True))
        assert flags == {"A1": "suppressed", "A2": "ok", "A3": "ok"}, name
        assert out[name].filter(pl.col("court_id") == "A1")["n"].is_null().all()
    # The same tables with A3's hidden years adding up to a small count (5 acquittals): A3 goes.
    years = years.with_columns(
        n_acquittals=pl.when((pl.col("court_id") == "A3") & (pl.col("year") != 2019))
        .then(pl.lit(2) + (pl.col("year") == 2018).cast(pl.Int64))
        .otherwise(pl.col("n_acquittals"))
    ).with_columns(n_verdicts=pl.col("n_convictions") + pl.col("n_acquittals"))
    tables = _anomaly_rows(years)
    out = suppress_pooled(tables, {**public, **tables}, 10)
    assert out["anomalies_dismissal"].filter(pl.col("court_id") == "A3")["flag"].item() == (
        "suppressed"
    )


def _recoverable(pooled: pl.DataFrame, yearly: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """An outsider's differencing: each pooled total minus the years it can be read for."""
    values = {
        "concluded": pl.col("n_concluded"),
        "dismissals": pl.col("n_dismissals"),
        "not_dismissed": pl.col("n_concluded") - pl.col("n_dismissals"),
        "verdicts": pl.col("n_verdicts"),
        "convictions": pl.col("n_convictions"),
        "acquittals": pl.col("n_verdicts") - pl.col("n_convictions"),
        "alternatives": pl.col("n_concluded") - pl.col("n_verdicts") - pl.col("n_dismissals"),
    }
    readable = yearly.group_by(keys).agg(
        v.filter(v.is_not_null()).sum().alias(f"year_{k}") for k, v in values.items()
    )
    return pooled.join(readable, on=keys, how="inner").select(
        *keys, *[(pl.col(k) - pl.col(f"year_{k}")).alias(k) for k in values]
    )


@pytest.mark.parametrize("n_cases", [50_000, 200_000])
def test_no_small_count_recoverable_from_public_tables(n_cases):
    """The attack itself, on every public table of a generated data set: pooled anomaly counts
    (both rows of a court shown) minus the court's readable years; a state's courts (all shown)
    minus the state's readable years; and the nation, when every row is shown."""
    generated = generate(n_cases, 0)
    data = Dataset(**{k: generated[k] for k in ("courts", "cases", "charges", "defendants")})
    public = suppressed(aggregates(data), 10)
    court = ["state", "court_id"]
    dismissal = public["anomalies_dismissal"].rename({"n": "concluded", "observed": "dismissals"})
    conviction = public["anomalies_conviction"].rename({"n": "verdicts", "observed": "convictions"})
    both = dismissal.select(*court, "concluded", "dismissals", f1="flag").join(
        conviction.select(*court, "verdicts", "convictions", f2="flag"), on=court
    )
    pooled = both.with_columns(
        pl.col("concluded", "dismissals", "verdicts", "convictions").cast(pl.Int64),
        not_dismissed=pl.col("concluded") - pl.col("dismissals"),
        acquittals=pl.col("verdicts") - pl.col("convictions"),
        alternatives=pl.col("concluded") - pl.col("verdicts") - pl.col("dismissals"),
    )
    shown = pooled.filter((pl.col("f1") != "suppressed") & (pl.col("f2") != "suppressed"))
    quantities = ["concluded", "dismissals", "not_dismissed", "verdicts", "convictions"]
    quantities += ["acquittals", "alternatives"]

    def assert_no_small(recovered: pl.DataFrame, level: str) -> None:
        for q in quantities:
            bad = recovered.filter((pl.col(q) > 0) & (pl.col(q) < 10))
            assert bad.height == 0, (level, q, bad.head(3).to_dicts())

    assert_no_small(_recoverable(shown, public["indicators_court"], court), "court")
    hidden_states = pooled.filter(pl.col("f1") == "suppressed").select("state")
    hidden_states = pl.concat(
        [hidden_states, pooled.filter(pl.col("f2") == "suppressed").select("state")]
    )
    states = shown.join(hidden_states.unique(), on="state", how="anti")
    by_state = states.group_by("state").agg(pl.col(quantities).sum())
    assert_no_small(_recoverable(by_state, public["indicators_state"], ["state"]), "state")
    if shown.height == pooled.height:
        nation = shown.select(pl.col(quantities).sum()).with_columns(_all=pl.lit(0))
        national = public["indicators_national"].with_columns(_all=pl.lit(0))
        assert_no_small(_recoverable(nation, national, ["_all"]), "nation")
    assert shown.height > 0  # the data set has anomaly rows to show
