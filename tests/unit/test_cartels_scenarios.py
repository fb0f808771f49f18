"""The suppression scenario files load, select their strategies and run through a study."""

from __future__ import annotations

import tomllib
from pathlib import Path

import polars as pl
import pytest

from oclab.errors import InputError
from oclab.experiment import run_study
from oclab.study import load_study, study_from_dict

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
FILES = sorted(SCENARIOS.glob("suppression-*.toml"))


def test_there_are_suppression_scenarios() -> None:
    assert {f.stem for f in FILES} >= {"suppression-strategies", "suppression-kingpin"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_scenario_files_load(path: Path) -> None:
    study = load_study(path)
    assert study.model == "cartels"
    assert study.options["target"] in ("largest", "violent", "growing", "expanding")
    assert len(study.scenarios) >= 3


def test_a_short_kingpin_study_fragments_and_records_strikes() -> None:
    raw = tomllib.loads((SCENARIOS / "suppression-kingpin.toml").read_text(encoding="utf-8"))
    raw |= {"runs": 2, "start_year": 2020.0, "restart_year": 2021.0, "horizon_years": 1}
    raw |= {"report_years": [1]}
    table = run_study(study_from_dict(raw, "short-kingpin"))
    end = table.filter(pl.col("week") == pl.col("week").max())

    def value(scenario: str, outcome: str) -> pl.Series:
        rows = end.filter((pl.col("scenario") == scenario) & (pl.col("outcome") == outcome))
        return rows.sort("run")["value"]

    assert (value("baseline", "kingpin_strikes") == 0).all()
    assert (value("kingpin strikes 10 a year, 3 successors", "kingpin_strikes") == 10).all()
    assert (
        value("kingpin strikes 10 a year, 3 successors", "active_groups")
        > value("baseline", "active_groups")
    ).all()
    assert (value("consolidation", "absorbed_weekly") > 0).all()


def test_an_unknown_target_is_one_clear_error() -> None:
    raw = tomllib.loads((SCENARIOS / "suppression-strategies.toml").read_text(encoding="utf-8"))
    raw["target"] = "richest"
    with pytest.raises(InputError, match="target"):
        study_from_dict(raw, "bad.toml")
    raw["target"] = "violent"
    raw["scenarios"][1]["set"]["focus"] = 1.5
    with pytest.raises(InputError, match="focus"):
        study_from_dict(raw, "bad.toml")
