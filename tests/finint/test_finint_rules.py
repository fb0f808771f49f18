"""Rules fire on the typologies they describe, with reasons an analyst can read."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from oclab.finint import io
from oclab.finint.features import base_columns, build_features
from oclab.finint.rules import RULE_NAMES, RuleSettings, run_rules


def _tx(rows: list[tuple[float, str, str, float, str]]) -> pl.DataFrame:
    start = datetime(2022, 9, 1)
    n = len(rows)
    return pl.DataFrame(
        {
            "ts": [start + timedelta(hours=h) for h, *_ in rows],
            "from_bank": [1] * n,
            "from_account": [r[1] for r in rows],
            "to_bank": [1] * n,
            "to_account": [r[2] for r in rows],
            "amount_received": [r[3] for r in rows],
            "receiving_currency": ["US Dollar"] * n,
            "amount_paid": [r[3] for r in rows],
            "payment_currency": ["US Dollar"] * n,
            "payment_format": [r[4] for r in rows],
            "is_laundering": [0] * n,
        },
        schema_overrides={
            "ts": pl.Datetime("ms"),
            "receiving_currency": io.CURRENCY,
            "payment_currency": io.CURRENCY,
            "payment_format": io.FORMAT,
            "is_laundering": pl.Int8,
        },
    )


def _run(tx: pl.DataFrame, **settings) -> pl.DataFrame:
    s = RuleSettings(**settings)
    return run_rules(tx, base_columns(tx, s.threshold), build_features(tx, s.threshold), s).hits


def test_structuring_and_its_reason():
    rows = [(10.0 * i, "SMURF", f"R{i % 2}", 9400 + i, "Cash") for i in range(4)]
    rows.append((50, "SMURF", "R0", 4000, "Cash"))  # not near the threshold
    hits = _run(_tx(rows), structuring_min=3)
    assert hits["structuring"].to_list() == [False, False, True, True, False]
    assert "structuring: 3 cash deposits of $8,000-$9,999 within 72 h" in hits["reasons"][2]


def test_cycle_found_and_a_chain_is_not():
    cycle = [(1, "A", "B", 5000, "Wire"), (3, "B", "C", 4900, "Wire"), (5, "C", "A", 4800, "Wire")]
    chain = [(1, "P", "Q", 5000, "Wire"), (3, "Q", "R", 4900, "Wire")]
    hits = _run(_tx(cycle + chain))
    assert hits["cycle"].to_list() == [True, True, True, False, False]
    assert hits["reasons"][0].startswith("cycle")
    assert not _run(_tx(cycle), cycle_max_len=2)["cycle"].any()


def test_fan_out_and_scatter_gather():
    fan = [(0.1 * i, "HUB", f"L{i}", 3000, "ACH") for i in range(8)]
    sg = [(1, "SRC", f"M{i}", 2000, "ACH") for i in range(3)]
    sg += [(5, f"M{i}", "SINK", 1900, "ACH") for i in range(3)]
    hits = _run(_tx(fan + sg))
    assert hits["fan_out"].to_list()[:8] == [False] * 7 + [True]
    assert hits["scatter_gather"].to_list()[8:] == [True] * 6
    assert not hits["scatter_gather"][:8].any()


def test_consolidation_point_ranked_first():
    deposits = [(0.5 * i, f"D{i}", "HUB", 3000, "Cash") for i in range(6)]
    own = [(1, "SHOP", "SHOP", 9000, "Cash")] * 3  # a business depositing its own takings
    wire_out = [(10, "HUB", "MX1", 17000, "Wire")]
    tx = _tx(deposits + own + wire_out)
    s = RuleSettings()
    result = run_rules(tx, base_columns(tx, s.threshold), build_features(tx), s)
    points = result.consolidation_points
    assert points["to_account"][0] == "HUB" and points["depositors"][0] == 6
    assert "SHOP" not in points["to_account"].to_list()
    assert result.hits["consolidation"].to_list() == [True] * 6 + [False] * 3 + [True]
    assert "payment out of a cash consolidation point" in result.hits["reasons"][9]


def test_structuring_rule_on_synthetic_data(small):
    tx = small.transactions
    hits = _run(tx)
    assert set(RULE_NAMES) <= set(hits.columns)
    flagged = hits["structuring"].to_numpy()
    y = tx["is_laundering"].to_numpy() == 1
    struct_rows = small.patterns.filter(pl.col("typology") == "STRUCTURING")
    keyed = (
        tx.with_row_index("row")
        .join(
            struct_rows.select("ts", "from_account", "to_account", "amount_paid"),
            on=["ts", "from_account", "to_account", "amount_paid"],
        )["row"]
        .to_numpy()
    )
    assert flagged[keyed].mean() >= 0.5  # recall on the structuring typology
    assert y[flagged].mean() >= 0.5  # precision of the flag
    assert (hits.filter(pl.col("n_rules") > 0)["reasons"].str.len_chars() > 0).all()


def test_cycle_rule_reports_hubs_and_an_exhausted_budget():
    cycle = [(1, "A", "B", 5000, "Wire"), (3, "B", "C", 4900, "Wire"), (5, "C", "A", 4800, "Wire")]
    hub = [(0.1 * i, "BOSS", f"E{i}", 2000, "ACH") for i in range(4)]
    tx = _tx(cycle + hub)
    s = RuleSettings(cycle_max_partners=3, cycle_budget=0)
    result = run_rules(tx, base_columns(tx, s.threshold), build_features(tx), s)
    assert not result.hits["cycle"].any()  # nothing checked: the budget was zero
    assert any("1 hub account(s) with more than 3 partners" in n for n in result.notes)
    assert any("3 of 3 candidate account pairs left unchecked" in n for n in result.notes)
