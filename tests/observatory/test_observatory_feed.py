"""The integrated model's judicial calibration equals values computed by hand on the fixture
tables (conftest.py), small cells become nulls, and the command writes the JSON atomically."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest

from oclab.cli import main
from oclab.errors import InputError
from oclab.observatory.cli import PUBLIC_THRESHOLD
from oclab.observatory.feed import DEFAULT_THRESHOLD, judicial_calibration
from oclab.observatory.io import load_folder
from oclab.observatory.publish import aggregates, suppressed

# Ten more cases in state BBB (court C1), all accusatorial, reported 2021: 6 convictions,
# 2 acquittals, 1 dismissal, 1 pending. Each conviction/acquittal takes 100 + 10 i days.
BBB = (
    "".join(
        f"B{i},BBB,C1,accusatorial,2021-01-01,2021-01-02,2021-01-05,2021-01-06,"
        f"{date.fromordinal(date(2021, 1, 1).toordinal() + 100 + 10 * i)},"
        f"{outcome},J-9,P-9,fixture\n"
        for i, outcome in enumerate(["conviction"] * 6 + ["acquittal"] * 2 + ["dismissal"])
    )
    + "B9,BBB,C1,accusatorial,2021-01-01,,,,,pending,,,fixture\n"
)


@pytest.fixture
def data(fixture_folder):
    return load_folder(fixture_folder)[0]


def test_threshold_is_the_public_one():
    assert DEFAULT_THRESHOLD == PUBLIC_THRESHOLD


def test_calibration_matches_hand_computation(data):
    feed = judicial_calibration(data, threshold=1)
    assert feed["years"] == [2020, 2020]
    national = feed["national"]
    # Inquisitorial: K3 conviction (final), K4 and K6 pending -> 1/1.
    # Accusatorial: K1 conviction, K2 acquittal, K5 and K8 dismissal, K7 alternative -> 1/5.
    assert national["conviction_probability"] == {"inquisitorial": 1.0, "accusatorial": 0.2}
    # Days from report to verdict, verdicts only: K3 304; K1 143 and K2 304 -> median 223.5.
    assert (date(2021, 3, 1) - date(2020, 5, 1)).days == 304
    assert national["median_days_to_verdict"] == {"inquisitorial": 304.0, "accusatorial": 223.5}
    # Resolved (conviction or alternative): K1, K3, K7 of 8 reported.
    assert national["impunity"] == pytest.approx(1 - 3 / 8)
    # Defendants of charged cases: D-1 (held), D-2, D-3 (held), D-4 (held); D-5 uncharged.
    assert national["pretrial_detention_share"] == pytest.approx(3 / 4)
    assert national["accusatorial_share_by_year"] == {"2020": pytest.approx(5 / 8)}
    # State AAA: 2 convictions of 6 cases with a final outcome; verdict days 143, 304, 304.
    assert feed["by_state"] == [
        {
            "state": "AAA",
            "cases": 8,
            "conviction_probability": pytest.approx(2 / 6),
            "median_days_to_verdict": 304.0,
            "accusatorial_share_last_year": pytest.approx(5 / 8),
        }
    ]


def test_small_cells_are_null_not_dropped(tables, tmp_path):
    folder = tables.write(tmp_path / "t", tables.CASES + BBB)
    data = load_folder(folder)[0]
    feed = judicial_calibration(data)  # threshold 10
    states = {s["state"]: s for s in feed["by_state"]}
    assert set(states) == {"AAA", "BBB"}
    # AAA has 8 cases (< 10): kept, every value null.
    assert states["AAA"] == {
        "state": "AAA",
        "cases": None,
        "conviction_probability": None,
        "median_days_to_verdict": None,
        "accusatorial_share_last_year": None,
    }
    # BBB has 10 cases but 6 convictions of 9 final outcomes: 6 and 3 are small cells.
    assert states["BBB"]["cases"] == 10
    assert states["BBB"]["conviction_probability"] is None
    # 8 verdicts (< 10): no median either; the last year (2021) holds BBB's 10 cases, all
    # accusatorial: 10 of 10 with a complement of 0, shown.
    assert states["BBB"]["median_days_to_verdict"] is None
    assert states["BBB"]["accusatorial_share_last_year"] == 1.0
    # Without suppression BBB's numbers are the hand-computed ones.
    raw = {s["state"]: s for s in judicial_calibration(data, threshold=1)["by_state"]}
    assert raw["BBB"]["conviction_probability"] == pytest.approx(6 / 9)
    # Verdict days 100, 110, ..., 170 (8 verdicts): median 135.
    assert raw["BBB"]["median_days_to_verdict"] == 135.0
    assert feed["national"]["accusatorial_share_by_year"] == {"2020": None, "2021": 1.0}


def test_a_bare_cases_table_needs_defendants_for_the_pretrial_share(data):
    feed = judicial_calibration(data.cases, threshold=1)
    assert feed["national"]["pretrial_detention_share"] is None
    feed = judicial_calibration(data.cases, defendants=data.defendants, threshold=1)
    assert feed["national"]["pretrial_detention_share"] == pytest.approx(0.75)
    with pytest.raises(InputError, match="threshold"):
        judicial_calibration(data, threshold=0)


def test_cli_feed_writes_json(fixture_folder, tmp_path, capsys):
    out = tmp_path / "model" / "judicial.json"
    args = ["observatory", "feed", str(fixture_folder), "--out", str(out), "--threshold", "1"]
    assert main(args) == 0
    assert out.is_file() and "wrote" in capsys.readouterr().out
    document = json.loads(out.read_text(encoding="utf-8"))
    expected = judicial_calibration(
        load_folder(fixture_folder)[0], threshold=1, source=document["source"]
    )
    assert document == json.loads(json.dumps(expected))
    assert document["national"]["conviction_probability"]["accusatorial"] == 0.2
    assert list(document) == ["source", "years", "national", "by_state"]
    assert [p.name for p in out.parent.iterdir()] == ["judicial.json"]  # no temporary left


def test_cli_feed_bad_folder_exits_2_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "judicial.json"
    assert main(["observatory", "feed", str(tmp_path / "missing"), "--out", str(out)]) == 2
    assert "folder" in capsys.readouterr().err
    assert not out.exists()


def _ccc(late: int) -> str:
    """State CCC: 40 cases reported in 2020 (20 closed by an alternative resolution, 20
    pending), shown in the public yearly table, and ``late`` pending cases reported in 2021."""
    rows = [(2020, "2020-09-01", "alternative")] * 20 + [(2020, "", "pending")] * 20
    rows += [(2021, "", "pending")] * late
    return "".join(
        f"Q{i},CCC,,accusatorial,{year}-03-01,,,,{verdict},{outcome},,,fixture\n"
        for i, (year, verdict, outcome) in enumerate(rows)
    )


@pytest.mark.parametrize(("late", "hidden"), [(3, True), (12, False)])
def test_feed_gives_back_no_hidden_year(tables, tmp_path, late, hidden):
    """An outsider subtracts the public yearly table from the feed's pooled numbers: CCC's 43
    cases minus the 40 shown for 2020 would give back 2021's hidden 3, so CCC's row is null;
    with 12 cases in 2021 (shown) it stays. Whatever remains shown leaves no small count."""
    folder = tables.write(tmp_path / "t", tables.CASES + BBB + _ccc(late))
    data = load_folder(folder)[0]
    public = suppressed(aggregates(data), DEFAULT_THRESHOLD)
    states = {r["state"]: r for r in judicial_calibration(data)["by_state"]}
    assert set(states) == {"AAA", "BBB", "CCC"}  # nulled, never dropped
    assert (states["CCC"]["cases"] is None) == hidden
    shown = public["indicators_state"].group_by("state").agg(pl.col("n_reported").sum())
    reported = dict(zip(shown["state"], shown["n_reported"], strict=True))
    for row in states.values():
        if row["cases"] is not None:
            assert not 0 < row["cases"] - reported.get(row["state"], 0) < 10, row


@pytest.mark.parametrize(("late", "hidden"), [(3, True), (12, False)])
def test_national_impunity_gives_back_no_hidden_year(tables, tmp_path, late, hidden):
    """With CCC alone the nation's 2021 is its ``late`` cases: 3 is a hidden cell that the total
    behind the national impunity (all cases) minus the shown 2020 would give back."""
    folder = tables.write(tmp_path / "t", tables.CASE_HEADER + _ccc(late))
    feed = judicial_calibration(load_folder(folder)[0])
    assert (feed["national"]["impunity"] is None) == hidden
