"""Benchmark: sweep throughput of the cartel model, oclab vs EMA workbench, plus sweep memory.

Both sides run the same model (``oclab.models.cartels``: ``init``, ``step``, ``observe``) over
the same world: priors on ``rho``, ``eta`` and ``theta`` (the ranges of the parameter table),
two strategies (baseline and twice the arrests from the restart year), ten years of history
from 2012 and ``--horizon`` years of projection; the outcome is members at the horizon.

Both are timed from a started pool of workers with the model imported.

* **oclab**: ``oclab.sweep`` (Latin hypercube, chunks of ``--chunk-runs`` runs, a process pool
  of ``--workers``), every run of a chunk advanced together as one batch.
* **EMA workbench** (2.5, a development-only dependency): the same model function called once
  per experiment (one world, one strategy, batch of one) by ``MultiprocessingEvaluator`` with
  the same number of processes; the usual way to connect a model to the workbench.

A *run* is one world under one strategy over the whole horizon, on both sides. Prints runs/s of
each and the ratio (target: at least 20x). With ``--memory-runs N`` it also runs an N-run sweep
in one process (serial) and prints its peak memory and the size on disk.

Usage: ``.venv/bin/python benchmarks/sweep_throughput.py [--samples 2000] [--ema-samples 100]
[--workers 2] [--mode deterministic] [--memory-runs 100000]``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import polars as pl

from oclab.core.executors import ProcessExecutor, SerialExecutor
from oclab.core.sim import advance
from oclab.models import cartels
from oclab.study import WEEKS_PER_YEAR, study_from_dict
from oclab.sweep import plan_sweep, run_sweep
from oclab.sweep_store import scan_sweep

HISTORY_YEARS = 10
FACTORS = ("rho", "eta", "theta")
_NETWORK = None


def study(mode: str, horizon: float, chunk_runs: int, seed: int = 1) -> object:
    return study_from_dict(
        {
            "mode": mode,
            "seed": seed,
            "chunk_runs": chunk_runs,
            "start_year": 2012.0,
            "restart_year": 2012.0 + HISTORY_YEARS,
            "horizon_years": horizon,
            "report_years": [horizon],
            "priors": {name: {"kind": "uniform"} for name in FACTORS},
            "scenarios": [{"name": "arrests x2", "multiply": {"eta": 2.0}}],
        },
        "benchmark",
    )


def ema_model(
    rho: float = 2.5e-3,
    eta: float = 110.0,
    theta: float = 1.5e-8,
    arrests: float = 1.0,
    mode: str = "deterministic",
    horizon: float = 10.0,
    seed: int = 0,
) -> dict[str, float]:
    """One experiment, one world under one strategy: the cartel model with a batch of one."""
    global _NETWORK
    if _NETWORK is None:
        _NETWORK = cartels.load_data(None)
    params = {k: np.full(1, v) for k, v in cartels.PARAMS.defaults().items()}
    params |= {"rho": np.full(1, rho), "eta": np.full(1, eta), "theta": np.full(1, theta)}
    rng = np.random.default_rng(seed)
    state = cartels.init(_NETWORK, params, 1, rng, mode=mode)
    restart = HISTORY_YEARS * WEEKS_PER_YEAR
    end = restart + round(horizon * WEEKS_PER_YEAR)
    state = advance(cartels.step, state, params, 0, [restart], rng, lambda w, s: None)
    changed = params | {"eta": params["eta"] * arrests}
    seen: dict[str, float] = {}

    def keep(week: int, state: object) -> None:
        seen["members"] = float(cartels.observe(state, changed)["members"][0])

    advance(cartels.step, state, changed, restart, [end], rng, keep)
    return seen


def _import_sweep(_: int) -> int:
    import oclab.sweep  # noqa: F401 (imported for its side effect: a warm worker)

    return 0


def time_ema(samples: int, workers: int, mode: str, horizon: float) -> tuple[int, float]:
    warnings.filterwarnings("ignore")
    from ema_workbench import (
        Constant,
        Model,
        MultiprocessingEvaluator,
        Policy,
        RealParameter,
        ScalarOutcome,
    )

    model = Model("cartels", function=ema_model)
    model.uncertainties = [
        RealParameter(name, cartels.PARAMS[name].low, cartels.PARAMS[name].high) for name in FACTORS
    ]
    model.constants = [Constant("mode", mode), Constant("horizon", horizon)]
    model.outcomes = [ScalarOutcome("members")]
    policies = [Policy("baseline", arrests=1.0), Policy("arrests x2", arrests=2.0)]
    model.levers = [RealParameter("arrests", 1.0, 2.0)]
    with MultiprocessingEvaluator(model, n_processes=workers) as evaluator:
        started = time.perf_counter()  # the pool is up (forked: oclab already imported)
        experiments, _ = evaluator.perform_experiments(scenarios=samples, policies=policies)
        return len(experiments), time.perf_counter() - started


def time_oclab(
    samples: int, workers: int, mode: str, horizon: float, chunk_runs: int
) -> tuple[int, float]:
    sweep = plan_sweep(study(mode, horizon, chunk_runs), samples)
    runs = sweep.runs * len(sweep.study.scenarios)
    with tempfile.TemporaryDirectory() as tmp, ProcessExecutor(workers) as pool:
        list(pool.map(_import_sweep, range(4 * workers)))  # workers up, oclab imported
        started = time.perf_counter()
        run_sweep(sweep, Path(tmp) / "sweep", pool)
        seconds = time.perf_counter() - started
        assert scan_sweep(Path(tmp) / "sweep").collect().height == runs
    return runs, seconds


def memory(runs: int, mode: str, chunk_runs: int) -> None:
    """Run an N-run sweep in this one process and print its peak memory (serial, so the peak
    resident set of this process is all the sweep used)."""
    sweep = plan_sweep(study(mode, 10.0, chunk_runs), runs)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        run_sweep(sweep, Path(tmp) / "sweep", SerialExecutor())
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in (Path(tmp) / "sweep").rglob("*") if p.is_file())
        rows = scan_sweep(Path(tmp) / "sweep").select(pl.len()).collect().item()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"memory: {runs:,} runs × 2 strategies ({mode}, {rows:,} rows) in {seconds:.0f} s, "
        f"serial; peak RSS {peak:.0f} MiB (before the sweep {before:.0f} MiB); "
        f"on disk {size / 2**20:.1f} MiB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=2000, help="oclab sweep samples")
    parser.add_argument("--ema-samples", type=int, default=100, help="EMA workbench scenarios")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--mode", choices=cartels.MODES, default="deterministic")
    parser.add_argument("--horizon", type=float, default=10.0, help="years after the restart")
    parser.add_argument("--chunk-runs", type=int, default=500)
    parser.add_argument("--memory-runs", type=int, default=0, help="also a sweep of this size")
    args = parser.parse_args(argv)
    ema_runs, ema_s = time_ema(args.ema_samples, args.workers, args.mode, args.horizon)
    runs, seconds = time_oclab(args.samples, args.workers, args.mode, args.horizon, args.chunk_runs)
    print(f"cartel model, {args.mode}, 10 + {args.horizon:g} years, {args.workers} workers")
    print(
        f"EMA workbench MultiprocessingEvaluator: {ema_runs:>7,} runs {ema_s:8.2f} s "
        f"{ema_runs / ema_s:10.1f} runs/s"
    )
    print(
        f"oclab sweep (processes):               {runs:>7,} runs {seconds:8.2f} s "
        f"{runs / seconds:10.1f} runs/s"
    )
    print(f"ratio: {(runs / seconds) / (ema_runs / ema_s):.1f}x (target >= 20x)")
    if args.memory_runs:
        memory(args.memory_runs, args.mode, args.chunk_runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
