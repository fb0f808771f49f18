"""Benchmark: 10-year ensembles of the cartel model, against the per-run alternatives.

Prints, for a deterministic ensemble of ``--runs`` runs (runs differ in their Poisson initial
allocation, as in the authors' run code) over 520 weeks:

* oclab's runs per second, in one process and on a pool of ``--workers`` processes;
* the largest relative error, over all groups with more than 100 members and over the total,
  against a tight reference solve (``scipy.integrate.solve_ivp``, DOP853, rtol 1e-10) of the
  first ``--reference-runs`` runs;
* the natural alternative measured in the same run: a Python loop calling
  ``solve_ivp(method="LSODA", rtol=1e-6)`` once per run (timed on ``--loop-runs`` runs), and the
  ratio. Goal: at least 20,000 runs/s with the error at most 1e-3 (more than 10x the loop).

And the same line for the stochastic mode (weekly integer flows), against a per-run loop of the
same weekly update. Usage: ``.venv/bin/python benchmarks/cartels_ensemble.py [--runs 10000]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp

from oclab.core.executors import ProcessExecutor
from oclab.data.network import CartelNetwork, load_network
from oclab.models import cartels

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "prieto-curiel-2023"
WEEKS = 520.0


def defaults(n: int) -> dict[str, np.ndarray]:
    return {k: np.full(n, v) for k, v in cartels.PARAMS.defaults().items()}


def initial(
    network: CartelNetwork, n: int, seed: int, mode: str = "deterministic"
) -> cartels.State:
    return cartels.init(network, defaults(n), n, np.random.default_rng(seed), mode=mode)


def run_chunk(job: tuple[CartelNetwork, int, int, str]) -> np.ndarray:
    """One chunk of runs from its own seed; the final members (groups x runs)."""
    network, n, seed, mode = job
    state = initial(network, n, seed, mode)
    return cartels.step(state, defaults(n), WEEKS, np.random.default_rng(seed + 1)).members


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def reference_errors(
    network: CartelNetwork, start: np.ndarray, end: np.ndarray
) -> tuple[float, float]:
    """Largest relative errors of ``end`` against DOP853 at rtol 1e-10, per run of ``start``."""
    ops = cartels.Operators.from_network(network.ranked())
    p1 = defaults(1)
    worst_group = worst_total = 0.0
    for run in range(start.shape[1]):
        ref = solve_ivp(
            lambda _t, y: cartels.rhs(y[:, None], ops, p1)[:, 0],
            (0.0, WEEKS),
            start[:, run],
            method="DOP853",
            rtol=1e-10,
            atol=1e-8,
        ).y[:, -1]
        big = ref > 100
        worst_group = max(worst_group, float(np.max(np.abs(end[big, run] - ref[big]) / ref[big])))
        worst_total = max(worst_total, abs(end[:, run].sum() - ref.sum()) / ref.sum())
    return worst_group, worst_total


def lsoda_loop(network: CartelNetwork, start: np.ndarray) -> float:
    """Seconds per run of the per-run alternative: solve_ivp(LSODA, rtol=1e-6) in a loop."""
    ops = cartels.Operators.from_network(network.ranked())
    p1 = defaults(1)
    begin = time.perf_counter()
    for run in range(start.shape[1]):
        solve_ivp(
            lambda _t, y: cartels.rhs(y[:, None], ops, p1)[:, 0],
            (0.0, WEEKS),
            start[:, run],
            method="LSODA",
            rtol=1e-6,
        )
    return (time.perf_counter() - begin) / start.shape[1]


def stochastic_loop(network: CartelNetwork, runs: int, seed: int) -> float:
    """Seconds per run of the same weekly stochastic update, one run at a time."""
    begin = time.perf_counter()
    for run in range(runs):
        run_chunk((network, 1, seed + 2 * run, "stochastic"))
    return (time.perf_counter() - begin) / runs


def ensemble(network: CartelNetwork, runs: int, chunk: int, workers: int, mode: str, seed: int):
    jobs = [(network, min(chunk, runs - k), seed + 2 * k, mode) for k in range(0, runs, chunk)]
    _, serial = timed(lambda: [run_chunk(j) for j in jobs])
    with ProcessExecutor(workers) as pool:
        list(pool.map(run_chunk, jobs[:workers]))  # warm the workers (imports) before timing
        _, parallel = timed(lambda: list(pool.map(run_chunk, jobs)))
    return runs / serial, runs / parallel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reference-runs", type=int, default=20)
    parser.add_argument("--loop-runs", type=int, default=200)
    parser.add_argument("--stochastic-runs", type=int, default=1_000)
    args = parser.parse_args()

    network = load_network(REAL if REAL.is_dir() else None)
    print(f"network: {network.source} ({network.size} groups); 520 weeks per run")

    serial, parallel = ensemble(network, args.runs, args.chunk, args.workers, "deterministic", 0)
    start = initial(network, args.reference_runs, 0).members
    end = cartels.step(
        initial(network, args.reference_runs, 0), defaults(args.reference_runs), WEEKS, None
    ).members
    err_group, err_total = reference_errors(network, start, end)
    loop = lsoda_loop(network, initial(network, args.loop_runs, 1).members)
    print(
        f"deterministic: {args.runs} runs | oclab {serial:,.0f} runs/s (1 process), "
        f"{parallel:,.0f} runs/s ({args.workers} processes) | max rel error: groups>100 "
        f"{err_group:.1e}, total {err_total:.1e} | LSODA loop {1 / loop:,.0f} runs/s "
        f"({loop * 1e3:.2f} ms/run) | ratio {parallel * loop:.1f}x (1 process {serial * loop:.1f}x)"
    )

    s_serial, s_parallel = ensemble(
        network, args.stochastic_runs, args.chunk, args.workers, "stochastic", 10
    )
    s_loop = stochastic_loop(network, 20, 10)
    print(
        f"stochastic:    {args.stochastic_runs} runs | oclab {s_serial:,.0f} runs/s (1 process), "
        f"{s_parallel:,.0f} runs/s ({args.workers} processes) | per-run loop {1 / s_loop:,.1f} "
        f"runs/s | ratio {s_parallel * s_loop:.1f}x (1 process {s_serial * s_loop:.1f}x)"
    )


if __name__ == "__main__":
    main()
