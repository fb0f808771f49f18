"""Study files: every field checked, errors name the file and the field."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from oclab.errors import InputError
from oclab.study import load_study, study_from_dict


def test_minimal_study_gets_a_baseline_and_defaults() -> None:
    study = study_from_dict({"runs": 3}, "s.toml")
    assert [s.name for s in study.scenarios] == ["baseline"]
    assert study.options["mode"] == "deterministic"
    assert study.options["allocation"] == "poisson"
    assert study.restart_week == 0 and study.end_week == 520


def test_scenarios_change_parameters_from_the_restart() -> None:
    study = study_from_dict(
        {
            "restart_year": 2022.0,
            "scenarios": [{"name": "x", "multiply": {"eta": 2}, "set": {"rho": 0}}],
        },
        "s.toml",
    )
    names = [s.name for s in study.scenarios]
    assert names == ["baseline", "x"]
    changed = study.scenarios[1].apply({"eta": 110.0, "rho": 0.002, "theta": 1.0})
    assert changed == {"eta": 220.0, "rho": 0.0, "theta": 1.0}
    assert study.restart_week == 520


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"model": "weather"}, "model"),
        ({"mode": "chaotic"}, "mode"),
        ({"runs": 0}, "runs"),
        ({"runs": 2.5}, "runs"),
        ({"seed": -1}, "seed"),
        ({"colour": "red"}, "colour"),
        ({"params": {"rho": -0.1}}, "rho"),
        ({"params": {"kappa": 1.0}}, "kappa"),
        ({"priors": {"kappa": {}}}, "priors.kappa"),
        ({"priors": {"rho": {"low": 5.0, "high": 1.0}}}, "priors.rho"),
        ({"scenarios": [{"name": "a", "multiply": {"eta": -2}}]}, "scenarios[0].multiply.eta"),
        ({"scenarios": [{"name": "a", "multiply": {"kappa": 2}}]}, "scenarios[0].multiply.kappa"),
        ({"scenarios": [{"name": "a"}, {"name": "a"}]}, "scenarios.name"),
        ({"scenarios": [{"multiply": {}}]}, "scenarios[0].name"),
        ({"start_year": 2012.0, "restart_year": 2010.0}, "restart_year"),
        ({"horizon_years": 0.3}, "horizon_years"),
        ({"horizon_years": 5, "report_years": [10]}, "report_years"),
        ({"scenarios": [{"name": "a", "later": [{"year": 2011.0}]}]}, "scenarios[0].later[0].year"),
        (
            {"model": "demand", "scenarios": [{"name": "a", "multiply": {"budget_share": 5.0}}]},
            "scenarios[0].multiply.budget_share",
        ),
        ({"scenarios": [{"name": "a", "later": [{"year": 2030.0}]}]}, "scenarios[0].later[0].year"),
        (
            {"scenarios": [{"name": "a", "later": [{"year": 2014.0}, {"year": 2013.0}]}]},
            "scenarios[0].later",
        ),
        (
            {"scenarios": [{"name": "a", "later": [{"year": 2013.0, "when": 1}]}]},
            "scenarios[0].later[0].when",
        ),
        (
            {"scenarios": [{"name": "a", "later": [{"year": 2013.0, "multiply": {"kappa": 1}}]}]},
            "scenarios[0].later[0].multiply.kappa",
        ),
    ],
)
def test_bad_fields_are_named(raw: dict, field: str) -> None:
    with pytest.raises(InputError) as info:
        study_from_dict(raw, "s.toml")
    assert info.value.source == "s.toml"
    assert info.value.field == field


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="expected an existing study file"):
        load_study(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("runs = = 3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.toml: syntax: expected valid TOML"):
        load_study(bad)


def test_relative_data_path_is_relative_to_the_study_file(tmp_path: Path) -> None:
    path = tmp_path / "study.toml"
    path.write_text('data = "net"\n', encoding="utf-8")
    assert load_study(path).data == str((tmp_path / "net").resolve())


def test_command_line_overrides_are_checked() -> None:
    study = study_from_dict({}, "s.toml")
    assert study.with_overrides(runs=7, seed=3).runs == 7
    with pytest.raises(InputError, match="--runs"):
        study.with_overrides(runs=-1)


def test_later_changes_and_ramps_are_cumulative_and_stepwise() -> None:
    study = study_from_dict(
        {
            "start_year": 2012.0,
            "restart_year": 2012.0,
            "horizon_years": 10,
            "scenarios": [
                {
                    "name": "sequenced",
                    "multiply": {"eta": 2.0},
                    "later": [
                        {"year": 2014.0, "multiply": {"rho": 0.5}},
                        {"year": 2016.0, "set": {"eta": 110.0}, "ramp_years": 2},
                    ],
                }
            ],
        },
        "s.toml",
    )
    scenario = study.scenarios[1]
    base = {"eta": 100.0, "rho": 1.0}
    assert scenario.change_weeks() == [104, 208, 260]
    assert scenario.params_at(base, 0) == {"eta": 200.0, "rho": 1.0}
    assert scenario.params_at(base, 103) == {"eta": 200.0, "rho": 1.0}
    assert scenario.params_at(base, 104) == {"eta": 200.0, "rho": 0.5}
    assert scenario.params_at(base, 208) == {"eta": 155.0, "rho": 0.5}  # half-way, 200 -> 110
    assert scenario.params_at(base, 400) == {"eta": 110.0, "rho": 0.5}


def test_input_errors_survive_the_trip_from_a_worker_process() -> None:
    error = InputError("s.toml", "runs", "a positive whole number", -1)
    again = pickle.loads(pickle.dumps(error))
    assert (again.source, again.field, again.expected, again.got) == (
        "s.toml",
        "runs",
        error.expected,
        -1,
    )
    assert str(again) == str(error)
