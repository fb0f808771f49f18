"""The command line as a user runs it: outputs, reloading, and one clear line for bad input."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from oclab.cli import main
from oclab.core.results import load_results
from oclab.data.network import default_network_dir

SMALL_STUDY = """
name = "small"
mode = "stochastic"
runs = 6
chunk_runs = 3
seed = 1
start_year = 2012.0
restart_year = 2014.0
horizon_years = 2
report_years = [1, 2]
[priors]
rho = { kind = "uniform" }
[[scenarios]]
name = "baseline"
[[scenarios]]
name = "recruitment x0.5"
multiply = { rho = 0.5 }
"""


def oclab(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oclab", *args], capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def study_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.toml"
    path.write_text(SMALL_STUDY, encoding="utf-8")
    return path


def test_demo_writes_results_summary_and_report(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    done = oclab("demo", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert {p.name for p in out.iterdir()} == {
        "results.parquet",
        "summary.csv",
        "study.json",
        "report.html",
    }
    assert "recruitment x0.5" in done.stdout and "vs baseline" in done.stdout
    results, summary, meta = load_results(out)
    assert results.columns[:5] == ["scenario", "run", "time", "outcome", "value"]
    assert results.filter(pl.col("outcome") == "members")["run"].n_unique() == 200
    assert set(summary["years_after_restart"].unique()) == {5.0, 10.0}
    assert meta["study"]["seed"] == 20230922
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") >= 3 and "oclab demo --out" in html


def test_run_then_reload_and_rebuild_the_report(tmp_path: Path, study_file: Path) -> None:
    out = tmp_path / "res"
    assert main(["run", str(study_file), "--out", str(out), "--engine", "serial"]) == 0
    results, _, _ = load_results(out)
    assert sorted(results["scenario"].unique().cast(pl.String).to_list()) == [
        "baseline",
        "recruitment x0.5",
    ]
    (out / "report.html").unlink()
    assert main(["report", str(out)]) == 0
    assert (out / "report.html").stat().st_size > 10_000


def test_runs_seed_and_data_override_the_study(tmp_path: Path, study_file: Path) -> None:
    data = tmp_path / "net"
    shutil.copytree(default_network_dir(), data)
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        assert (
            main(
                [
                    "run",
                    str(study_file),
                    "--out",
                    str(out),
                    "--runs",
                    "4",
                    "--seed",
                    "9",
                    "--data",
                    str(data),
                    "--engine",
                    "serial",
                ]
            )
            == 0
        )
    a, _, meta = load_results(first)
    b, _, _ = load_results(second)
    assert a.equals(b)
    assert a["run"].n_unique() == 4 and meta["study"]["seed"] == 9


def test_models_and_params(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models"]) == 0
    assert "cartels" in capsys.readouterr().out
    assert main(["params", "cartels"]) == 0
    text = capsys.readouterr().out
    for name in ("rho", "eta", "theta", "omega", "initial_members"):
        assert f"{name}  [" in text
    assert "source: Prieto-Curiel" in text
    assert main(["params", "cartels", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("name,unit,default,low,high")


def _bad_network(folder: Path, nodes: str | None = None, rivals: str | None = None) -> Path:
    shutil.copytree(default_network_dir(), folder)
    if nodes is not None:
        (folder / "OCLAB2020_Nodes.csv").write_text(nodes, encoding="utf-8")
    if rivals is not None:
        (folder / "OCLAB2020_Rivals.csv").write_text(rivals, encoding="utf-8")
    return folder


BAD_STUDIES = {
    "malformed": ("runs = = 1", "syntax"),
    "unknown parameter": ("[params]\nkappa = 1.0", "kappa"),
    "unknown model": ('model = "weather"', "model"),
    "negative rate": ("[params]\nrho = -0.002", "rho"),
    "negative size": ("[params]\ninitial_members = -5", "initial_members"),
    "zero runs": ("runs = 0", "runs"),
}


@pytest.mark.parametrize("case", sorted(BAD_STUDIES))
def test_bad_study_files(tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str) -> None:
    text, field = BAD_STUDIES[case]
    path = tmp_path / "bad.toml"
    path.write_text(text + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(path) in err[0] and field in err[0]
    assert not out.exists()


@pytest.mark.parametrize(
    ("nodes", "rivals", "field"),
    [
        ("Node,Group,State\nG001,X,Jalisco\n", None, "ShortName"),
        (None, "Edge,Node,Group,RNode,RGroup,weight\nR1,G001,X,G999,Y,2\n", "RNode (line 2)"),
        (None, "Edge,Node,Group,RNode,RGroup,weight\nR1,G001,X,G002,Y,-2\n", "weight (line 2)"),
    ],
)
def test_bad_network_files(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    nodes: str | None,
    rivals: str | None,
    field: str,
) -> None:
    data = _bad_network(tmp_path / "net", nodes, rivals)
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("untouched", encoding="utf-8")
    assert main(["demo", "--data", str(data), "--out", str(out), "--runs", "2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and ".csv" in err[0] and field in err[0]
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    assert not list(tmp_path.glob(".out.partial-*"))


def test_missing_inputs_exit_2_with_one_line(tmp_path: Path) -> None:
    for args, needle in [
        (["run", str(tmp_path / "none.toml")], "none.toml: path"),
        (["demo", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")], "--data"),
        (["params", "weather"], "model"),
        (["report", str(tmp_path)], "results.parquet"),
    ]:
        done = oclab(*args)
        assert done.returncode == 2, args
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and needle in lines[0], done.stderr
    assert oclab("demo", "--runs", "-3").returncode == 2  # argparse: usage error
