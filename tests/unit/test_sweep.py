"""Sweeps: designs mapped through priors, chunks streamed to disk, resumable, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from oclab.cli import main
from oclab.core.executors import ProcessExecutor, SerialExecutor
from oclab.errors import InputError
from oclab.models.registry import get_model
from oclab.study import study_from_dict
from oclab.sweep import outcome_column, plan_sweep, run_sweep
from oclab.sweep_store import (
    MANIFEST,
    atomic_write,
    chunk_path,
    finished_chunks,
    load_design,
    load_spec,
    scan_sweep,
)

STUDY = {
    "mode": "deterministic",
    "seed": 11,
    "chunk_runs": 6,
    "restart_year": 2013.0,
    "horizon_years": 2,
    "report_years": [1, 2],
    "priors": {
        "rho": {"kind": "uniform", "low": 2.2e-3, "high": 2.8e-3},
        "theta": {"kind": "loguniform"},
    },
    "scenarios": [{"name": "baseline"}, {"name": "arrests x2", "multiply": {"eta": 2.0}}],
}


def study(**changes: object):
    return study_from_dict(STUDY | changes, "sweep.toml")


@pytest.fixture(scope="module")
def serial_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sweep") / "s"
    run_sweep(plan_sweep(study(), 8, 2, "lhs"), out, SerialExecutor())
    return out


def test_rows_columns_and_values_follow_the_design(serial_sweep: Path) -> None:
    table = scan_sweep(serial_sweep).collect()
    spec = load_spec(serial_sweep)
    assert spec["runs"] == 16 and spec["chunks"] == 3 and spec["factors"] == ["rho", "theta"]
    assert table.height == 16 * 2  # runs × scenarios
    assert table.group_by("scenario").len().sort("scenario")["len"].to_list() == [16, 16]
    assert {outcome_column("members", y) for y in (0, 1, 2)} <= set(table.columns)
    design = load_design(serial_sweep)
    joined = table.join(design, on="sample", suffix="_design")
    assert (joined["rho"] == joined["rho_design"]).all()
    assert (table["sample"] == table["run"] // 2).all()
    assert table["rho"].min() >= 2.2e-3 and table["rho"].max() <= 2.8e-3
    assert table["theta"].min() >= 1e-8 and table["theta"].max() <= 2e-8
    # a Latin hypercube puts exactly one sample in each of the 8 strata of every factor
    for factor in ("rho", "theta"):
        strata = np.floor(design[f"u_{factor}"].to_numpy() * 8).astype(int)
        assert sorted(strata) == list(range(8))


def test_scenarios_share_the_history_and_diverge_after(serial_sweep: Path) -> None:
    table = scan_sweep(serial_sweep).collect().sort("scenario", "run")
    base = table.filter(pl.col("scenario") == "baseline")
    doubled = table.filter(pl.col("scenario") == "arrests x2")
    today = outcome_column("members", 0)
    assert (base[today] == doubled[today]).all()
    later = outcome_column("members", 2)
    assert (doubled[later] < base[later]).all()  # twice the arrests: fewer members in every run
    # more recruitment, more members (same run, same everything else in deterministic mode)
    assert np.corrcoef(base["rho"], base[later])[0, 1] > 0.5


def test_same_seed_same_results_in_a_process_pool(serial_sweep: Path, tmp_path: Path) -> None:
    with ProcessExecutor(workers=2) as pool:
        run_sweep(plan_sweep(study(), 8, 2, "lhs"), tmp_path / "p", pool)
    assert_frame_equal(scan_sweep(serial_sweep).collect(), scan_sweep(tmp_path / "p").collect())


def test_other_seed_other_design() -> None:
    a, b = plan_sweep(study(), 8), plan_sweep(study(seed=12), 8)
    assert not np.array_equal(a.unit, b.unit)


def test_interrupted_sweep_resumes_without_redoing_finished_chunks(
    serial_sweep: Path, tmp_path: Path
) -> None:
    out = tmp_path / "r"
    sweep = plan_sweep(study(), 8, 2, "lhs")

    def interrupt_after_first(_: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(sweep, out, progress=interrupt_after_first)
    assert finished_chunks(out) == {0}
    assert not list((out / "chunks").glob("*.tmp"))
    with pytest.raises(InputError, match="finished sweep"):
        scan_sweep(out)
    assert scan_sweep(out, allow_partial=True).collect().height == 6 * 2
    first = chunk_path(out, 0).stat().st_mtime_ns
    counted: list[int] = []
    run_sweep(sweep, out, progress=counted.append)
    assert len(counted) == 2  # only the two unfinished chunks ran
    assert chunk_path(out, 0).stat().st_mtime_ns == first
    assert json.loads((out / MANIFEST).read_text())["complete"] is True
    assert_frame_equal(scan_sweep(serial_sweep).collect(), scan_sweep(out).collect())


def test_a_chunk_file_missing_from_the_manifest_is_computed_again(tmp_path: Path) -> None:
    out = tmp_path / "m"
    sweep = plan_sweep(study(), 8, 2, "lhs")
    run_sweep(sweep, out)
    complete = scan_sweep(out).collect()
    manifest = json.loads((out / MANIFEST).read_text())
    (out / MANIFEST).write_text(json.dumps(manifest | {"finished": [0, 2], "complete": False}))
    chunk_path(out, 1).write_bytes(b"half a parquet file")  # as if cut off mid-write
    assert finished_chunks(out) == {0, 2}
    counted: list[int] = []
    run_sweep(sweep, out, progress=counted.append)
    assert counted == [1]
    assert_frame_equal(complete, scan_sweep(out).collect())


def test_atomic_write_leaves_nothing_when_the_writer_fails(tmp_path: Path) -> None:
    target = tmp_path / "chunk.parquet"

    def fail_halfway(path: Path) -> None:
        path.write_bytes(b"partial")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        atomic_write(target, fail_halfway)
    assert list(tmp_path.iterdir()) == []


def test_resuming_into_a_folder_of_another_sweep_is_refused(
    serial_sweep: Path, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="same sweep"):
        run_sweep(plan_sweep(study(), 8, 3, "lhs"), serial_sweep)


def test_without_priors_every_ranged_parameter_is_swept() -> None:
    sweep = plan_sweep(study(priors={}), 4)
    params = get_model("cartels").PARAMS
    assert list(sweep.factors) == [p.name for p in params if p.high > p.low]
    assert "rho" in sweep.factors


def test_sobol_and_morris_designs_have_the_expected_rows() -> None:
    assert plan_sweep(study(), 8, method="sobol").n_samples == 8 * (2 + 2)
    assert plan_sweep(study(), 5, method="morris").n_samples == 5 * (2 + 1)


def test_strategies_subset_keeps_the_baseline() -> None:
    sweep = plan_sweep(study(), 4, scenarios=["arrests x2"])
    assert [s.name for s in sweep.study.scenarios] == ["baseline", "arrests x2"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"samples": 0}, "samples"),
        ({"samples": 8, "replicates": 0}, "replicates"),
        ({"samples": 8, "method": "grid"}, "method"),
        ({"samples": 6, "method": "sobol"}, "samples"),
        ({"samples": 8, "scenarios": ["nope"]}, "scenarios"),
        ({"samples": 8, "chunk_runs": 0}, "chunk_runs"),
    ],
)
def test_bad_requests_are_input_errors(kwargs: dict, field: str) -> None:
    with pytest.raises(InputError) as error:
        plan_sweep(study(), **kwargs)
    assert error.value.field == field


def test_prior_outside_the_parameter_domain_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"rho"):
        study(priors={"rho": {"kind": "uniform", "low": -1e-3, "high": 2e-3}})


def _study_file(tmp_path: Path) -> Path:
    lines = [
        'mode = "deterministic"',
        "seed = 3",
        "chunk_runs = 4",
        "restart_year = 2013.0",
        "horizon_years = 1",
        "report_years = [1]",
        "[priors]",
        'rho = { kind = "uniform" }',
        'eta = { kind = "uniform" }',
        "[[scenarios]]",
        'name = "arrests x2"',
        "multiply = { eta = 2.0 }",
    ]
    path = tmp_path / "s.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_cli_sweep_with_exports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    args = ["sweep", str(_study_file(tmp_path)), "--samples", "6", "--replicates", "2"]
    assert main([*args, "--out", str(out), "--engine", "serial", "--export"]) == 0
    assert "12 runs" in capsys.readouterr().err  # the progress bar
    assert scan_sweep(out).collect().height == 24
    lines = (out / "behaviorspace-table.csv").read_text().splitlines()
    assert lines[6].startswith('"[run number]","rho","eta","scenario"')
    assert len(lines) == 7 + 24 * 2  # header + (run, scenario) × (today, year 1)
    assert (out / "ema" / "experiments.csv").is_file()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--samples", "0"], "samples"),
        (["--samples", "4", "--engine", "cloud"], "engine"),
        (["--samples", "4", "--method", "grid"], "method"),
        (["--samples", "4", "--address", "tcp://127.0.0.1:1"], "--engine dask"),
        (["--samples", "4", "--engine", "dask", "--address", "nowhere"], "tcp://HOST:PORT"),
    ],
)
def test_cli_bad_input_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    out = tmp_path / "out"
    assert main(["sweep", str(_study_file(tmp_path)), "--out", str(out), *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err
    assert not out.exists()
