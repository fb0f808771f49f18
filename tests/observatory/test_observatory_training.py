"""Police training standards: the shipped table is cited row by row, the gap to a standard is
computed as documented, and a bad user table is one line naming file, field and expectation."""

from __future__ import annotations

import polars as pl
import pytest

from oclab.cli import main
from oclab.errors import InputError
from oclab.observatory.training import DATA, STANDARD, load_training, training_gap

HEADER = (
    "force_id,country,level,force,year,hours,hours_low,hours_high,curriculum,source,verification\n"
)
GOOD = (
    HEADER
    + "a,MX,state,State A,2020,1000,,,law;firearms,src A,verified\n"
    + "b,MX,municipal,Town B,2020,,100,400,,src B,check\n"
    + "c,MX,federal,Force C,,,,,,src C,check\n"
    + "d,MX,state,State D,2020,900,800,950,,src D,check\n"
)


def test_shipped_table_has_a_citation_and_status_on_every_row():
    table = load_training()
    assert table.height >= 10
    assert table["source"].str.len_chars().min() > 20
    assert set(table["verification"]) <= {"verified", "check"}
    assert {"standard", "federal", "state", "municipal", "comparison"} <= set(table["level"])
    provenance = (DATA.parent / "PROVENANCE.md").read_text(encoding="utf-8")
    for force_id in table["force_id"]:
        assert f"| {force_id} |" in provenance, force_id
    # The default standard is the Programa Rector row of the table itself.
    rector = table.filter(pl.col("force_id") == "mx_prp_preventivo").row(0, named=True)
    assert rector["hours"] == STANDARD.default
    # The BJS 2018 figure was read in the source (NCJ 255915: 833 hours).
    bjs = table.filter(pl.col("force_id") == "us_bjs_2018").row(0, named=True)
    assert (bjs["hours"], bjs["verification"]) == (833.0, "verified")


def test_gap_matches_hand_computation(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(GOOD, encoding="utf-8")
    gap = {r["force_id"]: r for r in training_gap(load_training(path), 972).to_dicts()}
    # a: one figure, above the standard.
    assert (gap["a"]["gap_hours"], gap["a"]["meets"]) == (972 - 1000, "yes")
    assert gap["a"]["share_of_standard"] == pytest.approx(1000 / 972)
    # b: a range wholly below: gap from 972 - 400 to 972 - 100, no single gap.
    assert (gap["b"]["gap_low"], gap["b"]["gap_high"], gap["b"]["gap_hours"]) == (572, 872, None)
    assert gap["b"]["meets"] == "no"
    # c: no figure.
    assert gap["c"]["meets"] == "unknown" and gap["c"]["gap_low"] is None
    # d: 800-950 with a point of 900: short by 72 (22 to 172 over the range).
    assert (gap["d"]["gap_hours"], gap["d"]["gap_low"], gap["d"]["gap_high"]) == (72, 22, 172)
    # With a standard of 900 the range 800-950 straddles it.
    assert training_gap(load_training(path), 900).filter(pl.col("force_id") == "d")["meets"][0] == (
        "unclear"
    )


@pytest.mark.parametrize(
    ("row", "field", "expected"),
    [
        ("e,MX,state,E,2020,-5,,,,s,check", "line 6: hours", "a number of hours >= 0"),
        ("e,MX,county,E,2020,10,,,,s,check", "line 6: level", "one of standard|"),
        ("e,MX,state,E,2020,10,,,,,check", "line 6: source", "a value"),
        ("e,MX,state,E,2020,,50,20,,s,check", "line 6: hours_high", "hours_high >= hours_low"),
        ("e,MX,state,E,20x0,10,,,,s,check", "line 6: year", "a year"),
        ("a,MX,state,E,2020,10,,,,s,check", "line 2: force_id", "an id used once"),
        ("e,MX,state,E,2020,10,,,,s,maybe", "line 6: verification", "verified or check"),
    ],
)
def test_bad_user_table_names_file_line_field_and_expectation(
    tmp_path, capsys, row, field, expected
):
    path = tmp_path / "user.csv"
    path.write_text(GOOD + row + "\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_training(path)
    assert str(error.value).startswith(f"{path}: {field}: expected {expected}")
    out = tmp_path / "gap.csv"
    assert main(["observatory", "training", "--csv", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(path) in err[0] and field in err[0] and "expected" in err[0]
    assert not out.exists()


def test_missing_column_and_missing_file(tmp_path):
    path = tmp_path / "user.csv"
    path.write_text(HEADER.replace(",verification", "") + "a,MX,state,A,2020,1,,,,s\n")
    with pytest.raises(InputError, match=r"user\.csv: verification: expected a column"):
        load_training(path)
    with pytest.raises(InputError, match=r"nope\.csv: file"):
        load_training(tmp_path / "nope.csv")


def test_cli_training_writes_comparison(tmp_path, capsys):
    out = tmp_path / "gap.csv"
    assert main(["observatory", "training", "--standard", "800", "--out", str(out)]) == 0
    table = pl.read_csv(out)
    assert table.height == load_training().height
    assert set(table["standard_hours"]) == {800.0}
    assert "mx_state_short_2009: 80-320 h, gap 480..720 h, meets: no" in capsys.readouterr().out
