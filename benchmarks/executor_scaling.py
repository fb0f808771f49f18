"""Benchmark: the same sweep on 1 and 2 process workers and on a 2-worker Dask LocalCluster.

The sweep is the cartel model's (see ``sweep_throughput.py``): ``--samples`` Latin hypercube
worlds × 2 strategies, chunks of ``--chunk-runs`` runs. Each engine is started and warmed up
(oclab imported in every worker) before the clock starts, so the times compare the work, not
the start-up of worker processes. Prints seconds, runs/s, speed-up over one process worker and
parallel efficiency (speed-up / workers), and checks the engines wrote identical results.

Usage: ``.venv/bin/python benchmarks/executor_scaling.py [--samples 8000] [--mode stochastic]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from polars.testing import assert_frame_equal

from oclab.core.executors import DaskExecutor, Executor, ProcessExecutor
from oclab.models import cartels
from oclab.sweep import plan_sweep, run_sweep
from oclab.sweep_store import scan_sweep

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sweep_throughput import study  # the benchmarks share one study


def timed(executor: Executor, sweep: object, folder: Path) -> float:
    with executor as ex:
        warm_up(ex)
        started = time.perf_counter()
        run_sweep(sweep, folder, ex)
        return time.perf_counter() - started


def _import_sweep(_: int) -> int:
    import oclab.sweep  # noqa: F401 (imported for its side effect: a warm worker)

    return 0


def warm_up(executor: Executor, tasks: int = 8) -> None:
    """Start the workers and import the model code in them before the clock starts."""
    list(executor.map(_import_sweep, range(tasks)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=8000)
    parser.add_argument("--mode", choices=cartels.MODES, default="deterministic")
    parser.add_argument("--horizon", type=float, default=10.0)
    parser.add_argument("--chunk-runs", type=int, default=250)
    args = parser.parse_args(argv)
    sweep = plan_sweep(study(args.mode, args.horizon, args.chunk_runs), args.samples)
    runs = sweep.runs * len(sweep.study.scenarios)
    engines: list[tuple[str, int, Executor]] = [
        ("processes", 1, ProcessExecutor(1)),
        ("processes", 2, ProcessExecutor(2)),
        ("dask LocalCluster", 2, DaskExecutor(2)),
    ]
    print(f"{runs:,} runs ({args.mode}, {sweep.n_chunks} chunks of {args.chunk_runs} runs)")
    print(f"{'engine':<20}{'workers':>8}{'seconds':>10}{'runs/s':>10}{'speed-up':>10}{'eff.':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        base = None
        for k, (name, workers, executor) in enumerate(engines):
            seconds = timed(executor, sweep, Path(tmp) / str(k))
            base = base or seconds
            speedup = base / seconds
            print(
                f"{name:<20}{workers:>8}{seconds:>10.2f}{runs / seconds:>10.0f}"
                f"{speedup:>10.2f}{speedup / workers:>7.0%}"
            )
        first = scan_sweep(Path(tmp) / "0").collect()
        for k in (1, 2):
            assert_frame_equal(first, scan_sweep(Path(tmp) / str(k)).collect())
    print("identical results on every engine: yes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
