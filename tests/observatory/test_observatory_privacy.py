"""Suppression rules on hand-made rows: counts implied by subtraction within a row, and totals
that would give away a hidden part across the court -> state -> nation hierarchy."""

from __future__ import annotations

import polars as pl

from oclab.observatory.privacy import COURT_GROUPS, suppress, suppress_hierarchy


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
