"""Public outputs never contain a small cell, nor a rate that reveals one."""

from __future__ import annotations

import json

import polars as pl
import pytest

from oclab.cli import main
from oclab.observatory.indicators import rate_pairs


def counts(table: pl.DataFrame) -> list[str]:
    return [c for c in table.columns if c.startswith("n_") or c == "backlog"]


def read(path) -> pl.DataFrame:
    """A public CSV with its numbers typed (an all-empty column reads as text)."""
    table = pl.read_csv(path)
    text = {"state", "court_id", "flag", "outcome"}
    return table.with_columns(pl.col(c).cast(pl.Float64) for c in table.columns if c not in text)


@pytest.fixture(scope="module")
def public(tmp_path_factory):
    root = tmp_path_factory.mktemp("obs")
    assert main(["observatory", "generate", str(root / "data"), "--cases", "15000"]) == 0
    for name, threshold in (("pub10", "10"), ("pub5", "5")):
        args = ["observatory", "indicators", str(root / "data"), "--out", str(root / name)]
        assert main([*args, "--public", "--threshold", threshold, "--format", "csv"]) == 0
    assert main(["observatory", "indicators", str(root / "data"), "--out", str(root / "all")]) == 0
    return root


@pytest.mark.parametrize(("name", "k"), [("pub10", 10), ("pub5", 5)])
def test_no_small_cells_in_public_tables(public, name, k):
    for stem in ("indicators_state", "indicators_court"):
        table = read(public / name / f"{stem}.csv")
        for col in counts(table):
            values = table[col].drop_nulls()
            assert ((values == 0) | (values >= k)).all(), (stem, col)
        for rate, (num, den) in rate_pairs(table.columns).items():
            shown = table.filter(pl.col(rate).is_not_null())
            diff = shown[den] - shown[num]
            assert ((diff == 0) | (diff >= k)).all(), (stem, rate)
            assert shown[num].is_not_null().all() and shown[den].is_not_null().all()
        for stat in ("median_duration_days", "mean_duration_days"):
            assert (table.filter(pl.col(stat).is_not_null())["n_concluded"] >= k).all()
    for outcome in ("dismissal", "conviction"):
        table = read(public / name / f"anomalies_{outcome}.csv")
        shown = table.filter(pl.col("flag") != "suppressed")
        assert (shown["n"] >= k).all()
        for col in (shown["observed"], shown["n"] - shown["observed"]):
            assert ((col == 0) | (col >= k)).all()
        assert table.filter(pl.col("flag") == "suppressed")["observed"].is_null().all()


def test_suppression_actually_hides_cells(public):
    full = pl.read_csv(public / "all" / "indicators_court.csv")
    small = full.filter((pl.col("n_cases") > 0) & (pl.col("n_cases") < 10)).height
    assert small > 0  # the fixture has small cells to hide
    public10 = pl.read_csv(public / "pub10" / "indicators_court.csv")
    assert public10.height == full.height  # rows are kept, their small cells emptied
    assert public10["n_cases"].null_count() >= small


def test_public_outputs_hold_no_records(public):
    names = {p.name for p in (public / "pub10").iterdir()}
    assert not any(n.startswith("quarantine") for n in names)
    assert "quarantine_cases.csv" in {p.name for p in (public / "all").iterdir()}
    for path in (public / "pub10").glob("*.csv"):
        header = path.read_text(encoding="utf-8").splitlines()[0]
        assert not {"case_id", "judge_id", "prosecutor_id", "defendant_id"} & set(header.split(","))


@pytest.mark.parametrize("name", ["pub10", "pub5"])
def test_public_output_records_the_audit(public, name):
    """``--public`` runs the outsider's audit: counts only in meta.json, nothing disclosed."""
    meta = json.loads((public / name / "meta.json").read_text(encoding="utf-8"))
    assert meta["audit"]["small_hidden_quantities"] > 0
    assert meta["audit"]["disclosed"] == 0
    assert json.loads((public / "all" / "meta.json").read_text(encoding="utf-8"))["audit"] is None
