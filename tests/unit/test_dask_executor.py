"""The Dask executor: a real (small) LocalCluster gives the same results as the serial one."""

from __future__ import annotations

from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from oclab.core.executors import ENGINES, DaskExecutor, SerialExecutor, make_executor
from oclab.errors import InputError
from oclab.experiment import run_study
from oclab.study import study_from_dict
from oclab.sweep import plan_sweep, run_sweep
from oclab.sweep_store import scan_sweep

STUDY = {
    "mode": "stochastic",
    "seed": 7,
    "runs": 6,
    "chunk_runs": 4,
    "restart_year": 2012.5,
    "horizon_years": 0.5,
    "report_years": [0.5],
    "record_every_weeks": 13,
    "priors": {"rho": {"kind": "triangular"}},
    "scenarios": [{"name": "baseline"}, {"name": "no recruitment", "set": {"rho": 0.0}}],
}


@pytest.fixture(scope="module")
def cluster():
    # two threaded workers: a real scheduler and real workers, cheap enough for CI
    with DaskExecutor(workers=2, processes=False) as executor:
        yield executor


def test_dask_is_an_engine() -> None:
    assert "dask" in ENGINES
    assert isinstance(make_executor("dask", 2), DaskExecutor)


def test_results_in_submission_order(cluster: DaskExecutor) -> None:
    assert list(cluster.map(abs, range(-5, 0))) == [5, 4, 3, 2, 1]


def test_study_identical_on_dask_and_serial(cluster: DaskExecutor) -> None:
    study = study_from_dict(STUDY, "t.toml")
    assert_frame_equal(run_study(study, SerialExecutor()), run_study(study, cluster))


def test_sweep_identical_on_dask_and_serial(cluster: DaskExecutor, tmp_path: Path) -> None:
    sweep = plan_sweep(study_from_dict(STUDY, "t.toml"), 5, 2, "lhs", chunk_runs=3)
    run_sweep(sweep, tmp_path / "serial", SerialExecutor())
    run_sweep(sweep, tmp_path / "dask", cluster)
    assert_frame_equal(
        scan_sweep(tmp_path / "serial").collect(), scan_sweep(tmp_path / "dask").collect()
    )


def test_unreachable_scheduler_is_an_input_error(tmp_path: Path) -> None:
    sweep = plan_sweep(study_from_dict(STUDY, "t.toml"), 2)
    executor = DaskExecutor(address="tcp://127.0.0.1:1", connect_timeout_s=0.5)
    with pytest.raises(InputError, match="reachable Dask scheduler"):
        run_sweep(sweep, tmp_path / "never", executor)
    assert not (tmp_path / "never").exists()  # nothing written before the cluster was reached


@pytest.mark.parametrize("address", ["127.0.0.1:8786", "tcp://host", "tcp://:8786", "x"])
def test_malformed_address_is_an_input_error(address: str) -> None:
    with pytest.raises(InputError, match="tcp://HOST:PORT"):
        make_executor("dask", address=address)


def test_address_needs_the_dask_engine() -> None:
    with pytest.raises(InputError, match="--engine dask"):
        make_executor("processes", address="tcp://127.0.0.1:8786")


def test_map_outside_the_context_is_an_error() -> None:
    with pytest.raises(RuntimeError):
        DaskExecutor(1).map(abs, [1])


def test_entering_a_started_executor_reuses_its_cluster(cluster: DaskExecutor) -> None:
    client = cluster._client
    with cluster as again:
        assert again._client is client
    assert cluster._client is client  # the outer context still holds it
    assert list(cluster.map(abs, [-3])) == [3]
