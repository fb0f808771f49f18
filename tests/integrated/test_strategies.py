"""Strategies: the shipped files, validation of bad input, budgets respected, equal-budget rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from oclab.analysis.compare import bundled_strategies, comparison_study, resolve_strategies
from oclab.cli import main
from oclab.errors import InputError
from oclab.levers import LEVERS
from oclab.models.integrated import PARAMS
from oclab.models.integrated_budget import spending, total_spending
from oclab.strategy import load_strategy, strategy_from_dict

REPORT_SECTIONS = {
    "I",
    "I.A.1",
    "I.A.2",
    "I.A.3",
    "I.A.4",
    "I.B",
    "II.A",
    "II.B",
    "III",
    "findings",
}


def test_every_report_strategy_is_shipped_and_cites_its_section() -> None:
    strategies = {s.name: s for s in resolve_strategies(["all"])}
    assert {
        "status-quo-2009",
        "all-fronts",
        "strategic-containment",
        "demand-first",
        "follow-the-money",
        "guns-and-borders",
        "institutions-first",
        "multi-dimensional",
        "sequenced",
        "parallel",
    } <= set(strategies)
    assert all(s.section in REPORT_SECTIONS for s in strategies.values())
    assert strategies["sequenced"].schedule and not strategies["parallel"].schedule
    assert [s.name for s in strategies.values() if s.status_quo] == ["status-quo-2009"]


def test_shipped_strategies_respect_their_equal_budgets() -> None:
    defaults = PARAMS.defaults()
    strategies = resolve_strategies(["all"])
    assert len({s.budget for s in strategies}) == 1
    for strategy in strategies:
        strategy.check_budget(defaults)
        assert max(strategy.spending(defaults)) <= strategy.budget


def test_spending_lines_add_up_and_demand_split_is_budget_neutral() -> None:
    values = PARAMS.defaults()
    assert float(total_spending(values)) == pytest.approx(sum(spending(values).values()))
    shifted = values | {"budget_share": 0.6, "prevention_share": 0.5}
    assert float(total_spending(shifted)) == pytest.approx(float(total_spending(values)))
    assert float(total_spending(values | {"judicial_reform": 1.0})) > float(total_spending(values))


def _doc(**levers: float) -> dict:
    return {"name": "x", "section": "I", "budget": 22e9, "levers": levers}


def test_over_budget_strategy_is_refused_naming_file_and_phase() -> None:
    strategy = strategy_from_dict(_doc(**{"suppression.intensity": 3.0}), "over.toml")
    with pytest.raises(InputError, match=r"over\.toml: levers: expected spending within"):
        strategy.check_budget(PARAMS.defaults())
    sequenced = strategy_from_dict(
        {
            "name": "s",
            "section": "II.A",
            "budget": 22e9,
            "schedule": [{"year": 2025, "levers": {"judicial.reform": 1.0}}],
        },
        "late.toml",
    )
    with pytest.raises(InputError, match=r"late\.toml: schedule\[0\]"):
        sequenced.check_budget(PARAMS.defaults())


def test_unequal_budgets_are_refused_unless_allowed() -> None:
    a = strategy_from_dict(_doc(), "a.toml")
    b = strategy_from_dict(_doc() | {"name": "b", "budget": 30e9}, "b.toml")
    with pytest.raises(InputError, match=r"b\.toml: budget: expected the same budget"):
        comparison_study([a, b])
    assert comparison_study([a, b], allow_unequal_budgets=True).scenarios[-1].name == "b"


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        (_doc(**{"suppression.intensity": -1.0}), "suppression_intensity"),
        (_doc(**{"no.such": 1.0}), "levers.no.such"),
        (_doc() | {"budget": -5}, "budget"),
        (_doc() | {"colour": "red"}, "colour"),
        (_doc() | {"schedule": [{"year": 2030}]}, "schedule[0].levers"),
        (
            _doc() | {"schedule": [{"year": 2030, "levers": {}, "ramp_years": 1.5}]},
            "schedule[0].ramp_years",
        ),
        (_doc(**{"truce": 1.0}) | {"status_quo": True}, "status_quo"),
    ],
)
def test_bad_strategy_fields_are_named(doc: dict, field: str) -> None:
    with pytest.raises(InputError, match=rf"bad\.toml: {__import__('re').escape(field)}"):
        strategy_from_dict(doc, "bad.toml")


def test_schedule_before_the_restart_is_refused() -> None:
    doc = _doc() | {"schedule": [{"year": 2020, "levers": {"truce": 1.0}}]}
    with pytest.raises(InputError, match=r"schedule\.year: expected a year after 2022"):
        strategy_from_dict(doc, "early.toml").scenario(2022.0)


def test_sequenced_strategy_changes_levers_later() -> None:
    strategy = load_strategy(bundled_strategies()["sequenced"])
    scenario = strategy.scenario(2022.0)
    early = scenario.params_at(PARAMS.defaults(), 0)
    late = scenario.params_at(PARAMS.defaults(), 6 * 52)
    assert early["suppression_intensity"] == 1.8 and early["judicial_reform"] == 0.0
    assert late["suppression_intensity"] == 1.0 and late["judicial_reform"] == 1.0


def test_every_lever_is_a_parameter_with_a_section() -> None:
    assert len(LEVERS) >= 20
    for lever in LEVERS.values():
        assert lever.parameter.name in PARAMS
        assert lever.section


def test_compare_cli_writes_paired_table(tmp_path: Path, capsys) -> None:
    out = tmp_path / "cmp"
    argv = ["compare", "status-quo-2009", "demand-first", "truce", "--runs", "3", "--years", "2"]
    assert main([*argv, "--engine", "serial", "--out", str(out)]) == 0
    for name in ("compare.csv", "compare.md", "differences.png", "report.html", "summary.csv"):
        assert (out / name).is_file()
    import polars as pl

    table = pl.read_csv(out / "compare.csv")
    assert set(table["strategy"]) == {"baseline", "demand-first", "truce"}
    truce = table.filter(pl.col("strategy") == "truce", pl.col("outcome") == "public_spending")
    assert np.allclose(truce["vs_baseline_mean"].to_numpy(), 0.0)  # a truce costs nothing
    printed = capsys.readouterr().out
    assert "homicides" in printed and "demand-first" in printed


def test_compare_cli_bad_strategy_is_one_line_exit_2(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nsection = "I"\nbudget = 26e9\n[levers]\n"aml.threshold" = -3\n')
    out = tmp_path / "out"
    assert main(["compare", str(bad), "--runs", "2", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad.toml" in err[0] and "aml_threshold" in err[0]
    assert not out.exists()


def test_levers_command_survives_a_closed_pipe(tmp_path: Path, monkeypatch) -> None:
    """``oclab levers | head -2``: once the reader is gone, stop quietly with status 0."""
    import sys

    class ClosedPipe:
        def __init__(self) -> None:
            self.file = (tmp_path / "stdout").open("w")

        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            pass

        def fileno(self) -> int:
            return self.file.fileno()

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["levers"]) == 0
