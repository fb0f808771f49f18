"""``oclab demand ...`` and ``oclab run`` on demand studies, as a user runs them."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from oclab.cli import main

REPO = Path(__file__).resolve().parents[2]
SMALL = """
name = "small-demand"
model = "demand"
runs = 2
start_year = 1970.0
restart_year = 1972.0
horizon_years = 2
report_years = [1, 2]
record_every_weeks = 26
[priors]
tau = { kind = "uniform" }
[[scenarios]]
name = "split 50/50"
set = { budget_share = 0.5 }
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "study.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_costs_table(capsys) -> None:
    assert main(["demand", "costs"]) == 0
    out = capsys.readouterr().out
    assert "domestic enforcement" in out and "2,062" in out and "ratio to treatment" in out


def test_control_writes_table_and_figure(tmp_path, capsys) -> None:
    assert (
        main(
            [
                "demand",
                "control",
                "--intervals",
                "20",
                "--years",
                "40",
                "--out",
                str(tmp_path / "ctl"),
            ]
        )
        == 0
    )
    assert "treatment overtakes prevention" in capsys.readouterr().out
    table = pl.read_csv(tmp_path / "ctl" / "control.csv")
    assert table.height == 20 and (tmp_path / "ctl" / "control.png").stat().st_size > 1000


def test_budget_writes_results_table_and_figure(tmp_path, capsys) -> None:
    out = tmp_path / "budget"
    assert main(["demand", "budget", str(_write(tmp_path, SMALL)), "--out", str(out)]) == 0
    table = pl.read_csv(out / "budget.csv")
    assert set(table["scenario"]) == {"baseline", "split 50/50"}
    assert table.filter(pl.col("scenario") == "baseline")["users_vs_baseline_pct"].abs().max() == 0
    for name in ("results.parquet", "summary.csv", "study.json", "budget.png"):
        assert (out / name).is_file()
    assert "split 50/50" in capsys.readouterr().out


def test_budget_2010_example_loads() -> None:
    from oclab.study import load_study

    study = load_study(REPO / "scenarios" / "budget-2010.toml")
    shares = {s.name: s.set.get("budget_share", 0.35) for s in study.scenarios}
    assert shares["baseline"] == 0.35 and shares["split 65/35"] == 0.65
    assert study.start_year == 1970.0 and study.restart_year == 2010.0


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ("[params]\nbudget_total = -1.0\n", "budget_total"),
        ('[[scenarios]]\nname = "too much"\nset = { budget_share = 1.5 }\n', "budget_share"),
        ('[[scenarios]]\nname = "x3"\nmultiply = { budget_share = 3.0 }\n', "budget_share"),
        ('[[scenarios]]\nname = "lever"\nset = { prevention = 0.5 }\n', "prevention"),
    ],
)
def test_bad_levers_are_one_line_exit_2(tmp_path, capsys, extra, field) -> None:
    study = _write(tmp_path, SMALL + extra)
    out = tmp_path / "out"
    code = main(["run", str(study), "--out", str(out), "--engine", "serial"])
    err = capsys.readouterr().err
    assert code == 2
    last = err.strip().splitlines()[-1]  # after the progress bar, one line names the field
    assert last.startswith("oclab: error:") and field in last and "Traceback" not in err
    assert not out.exists()


def test_data_folder_is_refused(tmp_path, capsys) -> None:
    study = _write(tmp_path, SMALL)
    code = main(
        [
            "run",
            str(study),
            "--data",
            str(tmp_path),
            "--engine",
            "serial",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert code == 2 and "data" in capsys.readouterr().err


def test_budget_refuses_other_models(tmp_path, capsys) -> None:
    study = _write(tmp_path, 'model = "cartels"\n')
    assert main(["demand", "budget", str(study), "--out", str(tmp_path / "o")]) == 2
    assert "demand" in capsys.readouterr().err


def test_bad_grid_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["demand", "control", "--intervals", "1"])
    assert exit_info.value.code == 2


def test_share_option_adds_splits_at_equal_total(tmp_path) -> None:
    out = tmp_path / "shares"
    study = str(_write(tmp_path, SMALL))
    assert (
        main(["demand", "budget", study, "--out", str(out), "--share", "0.65", "--runs", "1"]) == 0
    )
    table = pl.read_csv(out / "budget.csv")
    assert "split 65/35" in set(table["scenario"])
    assert table["scenario"].n_unique() == 3


@pytest.mark.parametrize("share", ["1.5", "-0.1", "0.5"])
def test_bad_share_option_is_one_line_exit_2(tmp_path, capsys, share) -> None:
    # 0.5 duplicates the study's own "split 50/50"
    study = str(_write(tmp_path, SMALL))
    code = main(["demand", "budget", study, "--out", str(tmp_path / "o"), "--share", share])
    assert code == 2
    assert capsys.readouterr().err.strip().startswith("oclab: error: --share")
    assert not (tmp_path / "o").exists()
