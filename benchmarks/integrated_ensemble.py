"""Benchmark: the strategy lab's batched ensemble against the same model run world by world.

Runs ``oclab compare``'s study (the status quo and the strategies given, every coupling drawn
from its range, 2012-2022 history then ``--years`` years) twice in one process:

* batched, as oclab runs it: chunks of ``--chunk`` worlds advance together (one array per state
  variable with a runs axis);
* the usual way: the same study with chunks of one world, i.e. a Python loop over worlds
  (timed on ``--loop-runs`` worlds).

Prints worlds per second (all strategies of a world counted once) and the ratio. Random draws
depend on the chunk layout, so agreement is checked on a world without draws (every coupling at
its default, groups allocated their expected sizes): the largest relative difference between
batched and one-at-a-time is printed (it comes from the integrator's shared step size).
Usage: ``.venv/bin/python benchmarks/integrated_ensemble.py [--runs 1000]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import polars as pl

from oclab.analysis.compare import comparison_study, resolve_strategies
from oclab.experiment import run_study

STRATEGIES = ("status-quo-2009", "demand-first", "follow-the-money", "multi-dimensional")


def timed(study) -> tuple[float, pl.DataFrame]:
    started = time.perf_counter()
    table = run_study(study)
    return time.perf_counter() - started, table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--loop-runs", type=int, default=20)
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()
    strategies = resolve_strategies(list(STRATEGIES))
    batched = comparison_study(strategies, runs=args.runs, years=args.years, chunk_runs=args.chunk)
    loop = dataclasses.replace(batched, runs=args.loop_runs, chunk_runs=1)
    fixed = comparison_study(strategies, runs=3, years=args.years, uncertain=False)
    fixed = dataclasses.replace(fixed, options=fixed.options | {"allocation": "expected"})
    seconds, _ = timed(batched)
    loop_seconds, _ = timed(loop)
    a = run_study(fixed)
    b = run_study(dataclasses.replace(fixed, chunk_runs=1))
    relative = (a["value"] - b["value"]).abs() / (a["value"].abs() + 1e-9)
    agree = relative.max()
    batched_rate, loop_rate = args.runs / seconds, args.loop_runs / loop_seconds
    print(f"strategies: {', '.join(STRATEGIES)}; {args.years} years after 2022")
    print(f"batched ({args.chunk} worlds a chunk): {args.runs} worlds in {seconds:.1f} s")
    print(f"  = {batched_rate:,.1f} worlds/s")
    print(f"loop (one world a chunk): {args.loop_runs} worlds in {loop_seconds:.1f} s")
    print(f"  = {loop_rate:,.2f} worlds/s")
    print(f"ratio batched / loop: {batched_rate / loop_rate:.1f}x")
    print(f"largest relative difference batched vs loop (fixed world): {agree:.3g}")


if __name__ == "__main__":
    main()
