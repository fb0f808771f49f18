"""Bad imports are quarantined with the offending line reported, never dropped silently."""

from __future__ import annotations

import polars as pl
import pytest

from oclab.cli import main
from oclab.errors import InputError
from oclab.observatory.io import load_folder

BAD_ROWS = [
    # line 10: verdict before charge
    "B1,AAA,C1,accusatorial,2020-01-10,2020-01-11,2020-05-01,2020-05-10,2020-03-01,conviction,J-1,P-1,x",
    # line 11: unknown court
    "B2,AAA,C9,accusatorial,2020-01-10,2020-01-11,2020-02-01,2020-02-10,2020-06-01,conviction,J-1,P-1,x",
    # lines 12 and 13: duplicate case number
    "B3,AAA,C1,accusatorial,2020-01-10,,,,,pending,,,x",
    "B3,AAA,C2,accusatorial,2020-01-11,,,,,pending,,,x",
    # line 14: bad enumeration value
    "B4,AAA,C1,mixed,2020-01-10,,,,,pending,,,x",
    # line 15: not a date
    "B5,AAA,C1,accusatorial,2020-13-45,,,,,pending,,,x",
    # line 16: a judge's name instead of a pseudonymous id
    "B6,AAA,C1,accusatorial,2020-01-10,,2020-02-01,,,pending,Juan Perez,,x",
    # line 17: conviction without a charge
    "B7,AAA,,accusatorial,2020-01-10,,,,2020-06-01,conviction,,,x",
]


@pytest.fixture
def bad_folder(tmp_path, tables):
    charges = (
        "case_id,charge_no,offence,organized_crime,source\n"
        "K1,1,homicide,false,f\nB1,1,robbery,false,f\nK2,1,robbery,maybe,f\n"
    )
    cases = tables.CASES + "\n".join(BAD_ROWS) + "\n"
    return tables.write(tmp_path / "bad", cases, charges=charges)


def test_bad_rows_are_quarantined_with_line_and_problem(bad_folder):
    data, report = load_folder(bad_folder)
    assert data.cases.height == 8  # the eight good rows, typed
    bad = report.quarantined["cases"]
    problems = dict(zip(bad["source_line"].to_list(), bad["problem"].to_list(), strict=True))
    assert sorted(problems) == list(range(10, 18))
    assert problems[10] == "verdict_date: before charge_date"
    assert problems[11] == "court_id: unknown court"
    assert problems[12] == problems[13] == "case_id: duplicate (first copy on line 12)"
    assert problems[14].startswith("system: expected one of inquisitorial|accusatorial")
    assert problems[15] == "report_date: expected a date YYYY-MM-DD"
    assert problems[16].startswith("judge_id: expected text matching")
    assert problems[17] == "charge_date: missing for a conviction or acquittal"
    # Quarantined rows are kept verbatim.
    assert bad.filter(pl.col("source_line") == 14)["system"].item() == "mixed"
    # Charges of a quarantined case and a bad boolean are quarantined too.
    charges = report.quarantined["charges"]
    assert charges["source_line"].to_list() == [3, 4]
    assert charges["problem"].to_list() == [
        "case_id: unknown or quarantined case",
        "organized_crime: expected true or false",
    ]
    assert "cases: 8 accepted, 8 quarantined (first: line 10" in " ".join(report.lines())
    # Provenance on every accepted record.
    assert data.cases["source_line"].to_list() == list(range(2, 10))
    assert data.cases["source_file"].str.ends_with("cases.csv").all()
    assert (data.cases["source"] == "fixture").all()


def test_cli_import_writes_quarantine_file(bad_folder, tmp_path, capsys):
    out = tmp_path / "imported"
    assert main(["observatory", "import", str(bad_folder), "--out", str(out)]) == 0
    assert "8 quarantined (first: line 10: verdict_date: before charge_date)" in (
        capsys.readouterr().out
    )
    quarantine = pl.read_csv(out / "quarantine_cases.csv", infer_schema=False)
    assert quarantine.height == len(BAD_ROWS)
    assert pl.read_parquet(out / "cases.parquet").height == 8


def test_missing_column_is_an_input_error(tmp_path, tables):
    folder = tables.write(tmp_path / "t", tables.CASE_HEADER.replace("system,", "") + "\n")
    with pytest.raises(InputError, match=r"cases\.csv: system: expected a column"):
        load_folder(folder)


def test_nothing_usable_exits_2_and_writes_nothing(tmp_path, capsys, tables):
    folder = tables.write(tmp_path / "t", tables.CASE_HEADER + BAD_ROWS[0] + "\n")
    with pytest.raises(InputError, match=r"rows: expected at least one valid case .*line 2"):
        load_folder(folder)
    out = tmp_path / "out"
    assert main(["observatory", "indicators", str(folder), "--out", str(out)]) == 2
    assert "cases.csv: rows" in capsys.readouterr().err
    assert not out.exists()


def test_missing_required_table(tmp_path, tables):
    folder = tables.write(tmp_path / "t")
    (folder / "courts.csv").unlink()
    with pytest.raises(InputError, match=r"courts\.csv: file"):
        load_folder(folder)
