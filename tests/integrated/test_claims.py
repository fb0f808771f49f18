"""The claims engine: verdicts are computed from outcomes, and flip when the evidence does."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from oclab.claims.catalogue import CLAIMS, Claim, Condition, Value
from oclab.claims.engine import claims_study, evaluate, verdict
from oclab.experiment import drawn_params, run_study
from oclab.models.integrated_calibration import judicial_params_from_feed

JUDICIAL = next(c for c in CLAIMS if c.id == "judicial-reform-incapacitates")


def _verdict(claim: Claim, params: dict[str, float], runs: int = 6) -> dict:
    study = claims_study(runs=runs, seed=5, params=params, claims=[claim])
    table = evaluate(run_study(study), study, drawn_params(study), [claim])
    return table.row(0, named=True)


def test_catalogue_covers_the_report() -> None:
    assert len(CLAIMS) >= 10
    sections = {c.section for c in CLAIMS}
    assert {"I.A.1", "I.A.2", "I.A.3", "I.A.4", "I.B", "II.A", "II.B", "III"} <= sections
    assert len({c.id for c in CLAIMS}) == len(CLAIMS)


@pytest.mark.parametrize(
    ("share", "expected"),
    [(1.0, "supported"), (0.8, "supported"), (0.5, "depends"), (0.2, "not supported")],
)
def test_verdict_thresholds(share: float, expected: str) -> None:
    assert verdict(share) == expected


def test_judicial_claim_flips_with_the_observatory_evidence() -> None:
    """If the reformed system convicts more often, reform removes more members; if the
    observatory shows it convicts less often, the same claim is not supported."""
    better = _verdict(JUDICIAL, {"conviction_now": 0.25, "conviction_reformed": 0.45})
    worse = _verdict(JUDICIAL, {"conviction_now": 0.45, "conviction_reformed": 0.25})
    assert better["verdict"] == "supported" and better["share_holds"] == 1.0
    assert worse["verdict"] == "not supported" and worse["share_holds"] == 0.0


def test_depends_names_the_deciding_parameter() -> None:
    """A claim that holds only where truces last long says so (computed, not written)."""
    claim = Claim(
        "truce-lasts",
        "findings",
        "test claim",
        (
            Condition(
                Value("truce", "conflict_deaths", 2),
                "<",
                Value("baseline", "conflict_deaths", 2),
                0.7,
            ),
        ),
    )
    row = _verdict(claim, {}, runs=24)
    assert row["verdict"] == "depends"
    assert row["depends_on"].split(":")[0] in {"truce_years", "truce_violence_cut"}


def test_feed_gives_the_judicial_calibration_by_hand() -> None:
    feed = {
        "national": {
            "conviction_probability": {"inquisitorial": 0.3, "accusatorial": 0.2},
            "accusatorial_share_by_year": {"2015": 0.5, "2020": 0.9},
        },
        "by_state": [
            {"state": "A", "conviction_probability": 0.1},
            {"state": "B", "conviction_probability": 0.2},
            {"state": "C", "conviction_probability": 0.3},
            {"state": "D", "conviction_probability": 0.5},
            {"state": "E", "conviction_probability": None},
        ],
    }
    got = judicial_params_from_feed(feed, "feed.json")
    assert got["conviction_now"] == pytest.approx(0.9 * 0.2 + 0.1 * 0.3)
    assert got["conviction_reformed"] == pytest.approx(
        float(np.quantile([0.1, 0.2, 0.3, 0.5], 0.75))
    )


def test_bad_feed_names_the_field() -> None:
    from oclab.errors import InputError

    feed = {"national": {"conviction_probability": {"inquisitorial": 2.0, "accusatorial": 0.2}}}
    with pytest.raises(
        InputError, match=r"feed\.json: national\.conviction_probability\.inquisitorial"
    ):
        judicial_params_from_feed(feed, "feed.json")


def test_claims_cli_puts_verdicts_in_the_report(tmp_path, capsys) -> None:
    from oclab.cli import main

    out = tmp_path / "claims"
    assert main(["claims", "--runs", "2", "--engine", "serial", "--out", str(out)]) == 0
    table = pl.read_csv(out / "claims.csv")
    assert table.height == len(CLAIMS)
    assert (table["worlds"] == 2).all()
    assert set(table["verdict"]) <= {"supported", "not supported", "depends"}
    report = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="claims"' in report and "multi-dimensional-beats-narrow" in report
    assert "judicial-reform-incapacitates" in capsys.readouterr().out


def test_claims_cli_subset_and_unknown_claim(tmp_path, capsys) -> None:
    from oclab.cli import main

    out = tmp_path / "one"
    argv = ["claims", "--claim", "truce-for-a-time", "--runs", "2", "--engine", "serial"]
    assert main([*argv, "--out", str(out)]) == 0
    assert pl.read_csv(out / "claims.csv")["claim"].to_list() == ["truce-for-a-time"]
    capsys.readouterr()
    assert main(["claims", "--claim", "no-such-claim", "--out", str(tmp_path / "x")]) == 2
    assert "--claim" in capsys.readouterr().err


def test_observatory_feed_calibrates_the_reform_end_to_end(tmp_path) -> None:
    """Synthetic court records -> ``oclab observatory feed`` -> the reform lever's calibration."""
    import json

    from oclab.cli import main
    from oclab.models.integrated_calibration import judicial_params

    records, feed = tmp_path / "records", tmp_path / "judicial.json"
    assert main(["observatory", "generate", str(records), "--cases", "4000", "--seed", "2"]) == 0
    assert main(["observatory", "feed", str(records), "--out", str(feed)]) == 0
    national = json.loads(feed.read_text(encoding="utf-8"))["national"]
    params = judicial_params(feed)
    assert params["conviction_now"] == pytest.approx(
        national["conviction_probability"]["accusatorial"]  # the transition ended in 2016
    )
    out = tmp_path / "cmp"
    argv = ["compare", "judicial-reform-only", "--runs", "2", "--years", "1", "--engine", "serial"]
    variant = tmp_path / "judicial-reform-only.toml"
    variant.write_text(
        'name = "judicial-reform-only"\nsection = "I.B.3"\nbudget = 26e9\n'
        '[levers]\n"judicial.reform" = 1.0\n',
        encoding="utf-8",
    )
    argv[1] = str(variant)
    assert main([*argv, "--judicial", str(feed), "--out", str(out)]) == 0
    study = json.loads((out / "study.json").read_text(encoding="utf-8"))["study"]
    assert study["params"] == pytest.approx(params)
