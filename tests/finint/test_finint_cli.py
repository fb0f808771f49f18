"""``oclab finint`` as a user runs it: files written, evaluation printed, bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from oclab.cli import main


def test_generate_detect_thresholds(tmp_path, capsys):
    data = tmp_path / "data"
    assert main(["finint", "generate", "--accounts", "800", "--days", "6", "--out", str(data)]) == 0
    assert {p.name for p in data.iterdir()} == {
        "Synthetic_Trans.csv",
        "Synthetic_accounts.csv",
        "Synthetic_Patterns.txt",
        "branches.csv",
    }
    out = tmp_path / "det"
    assert main(["finint", "detect", str(data), "--out", str(out), "--capacity", "10"]) == 0
    printed = capsys.readouterr().out
    assert "minority-class F1" in printed and "precision at analyst capacity" in printed
    alerts = pl.read_csv(out / "alerts.csv")
    assert alerts.height > 0 and alerts["reasons"].null_count() == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert "test" in metrics["scores"] and metrics["rows_quarantined"] == 0
    assert (out / "quarantine.csv").is_file() and (out / "consolidation_points.csv").is_file()
    thr = tmp_path / "thr"
    args = ["finint", "thresholds", str(data), "--out", str(thr), "--analysts", "2,50"]
    assert main(args) == 0
    assert pl.read_csv(thr / "thresholds.csv").height == 8
    assert (thr / "thresholds.png").stat().st_size > 0 and (thr / "lever.json").is_file()


def _with_bad_field(tmp_path: Path, data: Path, line: int, field: int, value: str) -> int:
    """Generate a small set and write its transactions to ``data`` with one field of ``line``
    (1-based, the header is line 1) replaced; returns the number of data rows."""
    gen = tmp_path / "gen"
    assert main(["finint", "generate", "--accounts", "300", "--days", "4", "--out", str(gen)]) == 0
    lines = (gen / "Synthetic_Trans.csv").read_text(encoding="utf-8").splitlines()
    fields = lines[line - 1].split(",")
    fields[field] = value
    lines[line - 1] = ",".join(fields)
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - 1


def test_bad_rows_go_to_quarantine(tmp_path):
    data = tmp_path / "x_Trans.csv"
    _with_bad_field(tmp_path, data, line=6, field=6, value="Doubloon")  # Receiving Currency
    out = tmp_path / "det"
    assert main(["finint", "detect", str(data), "--out", str(out)]) == 0
    quarantine = pl.read_csv(out / "quarantine.csv")
    assert quarantine["line"].to_list() == [6]
    assert json.loads((out / "metrics.json").read_text())["rows_quarantined"] == 1


def test_nothing_usable_exits_2_and_writes_nothing(tmp_path, capsys):
    data = tmp_path / "bad_Trans.csv"
    data.write_text("Timestamp,From Bank,Account\n1,2,3\n", encoding="utf-8")
    out = tmp_path / "det"
    assert main(["finint", "detect", str(data), "--out", str(out)]) == 2
    assert "header" in capsys.readouterr().err
    assert not out.exists()


def test_parquet_data_and_synthetic_default(tmp_path):
    data = tmp_path / "pq"
    args = ["finint", "generate", "--accounts", "200", "--days", "3", "--out", str(data)]
    assert main([*args, "--format", "parquet"]) == 0
    assert (data / "Synthetic_Trans.parquet").is_file()
    assert main(["finint", "thresholds", str(data), "--out", str(tmp_path / "t1")]) == 0
    synthetic = ["finint", "thresholds", "--accounts", "200", "--days", "3"]
    assert main([*synthetic, "--out", str(tmp_path / "t2")]) == 0
    assert pl.read_csv(tmp_path / "t2" / "thresholds.csv").height == 12


def test_convert_to_parquet_keeps_rows_and_quarantine(tmp_path, capsys):
    """A CSV with a bad row, converted once: the Parquet holds the good rows in file order,
    the bad one is in quarantine.csv, and detect on the Parquet gives what it gives on the CSV."""
    source = tmp_path / "src"
    source.mkdir()
    rows = _with_bad_field(tmp_path, source / "Bank_Trans.csv", line=10, field=9, value="Barter")
    conv = tmp_path / "conv"
    assert main(["finint", "convert", str(source), "--out", str(conv)]) == 0
    assert {p.name for p in conv.iterdir()} == {"Bank_Trans.parquet", "quarantine.csv"}
    assert pl.read_csv(conv / "quarantine.csv")["line"].to_list() == [10]
    from oclab.finint.io import read_transactions

    csv_rows = read_transactions(source / "Bank_Trans.csv").transactions
    parquet_rows = read_transactions(conv / "Bank_Trans.parquet").transactions
    assert parquet_rows.height == rows - 1
    assert parquet_rows.equals(csv_rows)
    for data, out in ((source, "d_csv"), (conv, "d_pq")):
        assert main(["finint", "detect", str(data), "--out", str(tmp_path / out)]) == 0
    assert pl.read_csv(tmp_path / "d_csv" / "alerts.csv").equals(
        pl.read_csv(tmp_path / "d_pq" / "alerts.csv")
    )


def test_convert_refuses_to_replace_its_input(tmp_path, capsys):
    data = tmp_path / "Bank_Trans.csv"
    data.write_text("x\n", encoding="utf-8")
    assert main(["finint", "convert", str(data), "--out", str(tmp_path), "--format", "csv"]) == 2
    assert "--out" in capsys.readouterr().err
    assert data.read_text(encoding="utf-8") == "x\n"
