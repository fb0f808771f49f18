"""``oclab sweep``, ``oclab sensitivity`` and ``oclab discover``: exploring deep uncertainty.

* ``oclab sweep STUDY --samples N [--replicates R] [--method lhs|sobol|morris]
  [--strategies NAME ...] [--engine serial|processes|dask [--address tcp://HOST:PORT]]``:
  runs the sweep into ``--out`` chunk by chunk; the same command resumes an interrupted sweep.
* ``oclab sensitivity SWEEP --outcome members --year 10``: Sobol or Morris indices (by the
  sweep's method) with confidence intervals, as a CSV table and a PNG figure.
* ``oclab discover SWEEP --outcome members --year 10 --fails-above 120000``: PRIM and CART boxes
  of the worlds where a strategy fails its goal (optionally relative to another scenario).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

from oclab.core.executors import ENGINES
from oclab.errors import InputError


def _whole(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    return value  # zero and negatives are reported by plan_sweep as one-line input errors


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``sweep``, ``sensitivity`` and ``discover`` commands."""
    from oclab.sweep_design import METHODS

    sweep = sub.add_parser("sweep", help="sample uncertain parameters × strategies × replicates")
    sweep.add_argument("study", type=Path, help="study file (TOML) whose [priors] are swept")
    sweep.add_argument("--samples", type=_whole, required=True, help="base samples")
    sweep.add_argument("--replicates", type=_whole, default=1, help="runs per sample")
    sweep.add_argument("--method", default="lhs", help=f"design: {', '.join(METHODS)} (lhs)")
    sweep.add_argument(
        "--strategies", nargs="+", metavar="NAME", help="scenarios to keep (baseline is kept)"
    )
    sweep.add_argument("--seed", type=int, help="root random seed (overrides the study)")
    sweep.add_argument("--chunk-runs", type=_whole, help="runs per chunk (default: study's)")
    sweep.add_argument("--out", type=Path, help="sweep folder (default out/sweep-STUDY)")
    sweep.add_argument("--data", type=str, help="network folder in the Prieto-Curiel CSV format")
    sweep.add_argument(
        "--engine", default="processes", help=f"where chunks run: {', '.join(ENGINES)} (processes)"
    )
    sweep.add_argument("--workers", type=_whole, help="workers (default: one per core)")
    sweep.add_argument("--address", help="existing Dask scheduler, tcp://HOST:PORT (--engine dask)")
    sweep.add_argument(
        "--export",
        action="store_true",
        help="also write EMA workbench experiments/outcomes and a BehaviorSpace table CSV",
    )
    sweep.set_defaults(handler=run_sweep_command)

    sens = sub.add_parser("sensitivity", help="Sobol or Morris indices of a sweep (SALib)")
    _outcome_options(sens)
    sens.add_argument("--conf-level", type=float, default=0.95, help="confidence level")
    sens.set_defaults(handler=run_sensitivity_command)

    disc = sub.add_parser("discover", help="PRIM and CART boxes where a strategy fails a goal")
    _outcome_options(disc)
    disc.add_argument("--versus", help="judge the difference to this scenario (e.g. baseline)")
    goal = disc.add_mutually_exclusive_group(required=True)
    goal.add_argument("--fails-above", type=float, help="the goal fails where the value > this")
    goal.add_argument("--fails-below", type=float, help="the goal fails where the value < this")
    disc.add_argument("--threshold", type=float, default=0.8, help="PRIM density for the box")
    disc.add_argument("--alpha", type=float, default=0.05, help="PRIM peeling fraction")
    disc.add_argument("--max-depth", type=int, default=3, help="CART tree depth")
    disc.set_defaults(handler=run_discover_command)


def _outcome_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sweep", type=Path, help="sweep folder written by oclab sweep")
    parser.add_argument("--outcome", default="members", help="outcome (default members)")
    parser.add_argument("--year", type=float, default=10.0, help="years after the restart")
    parser.add_argument("--scenario", help="scenario (strategy) to analyse (default baseline)")
    parser.add_argument("--out", type=Path, help="output folder (default SWEEP/analysis)")


def run_sweep_command(args: argparse.Namespace) -> int:
    """Plan, run (or resume) and store a sweep, with a progress bar and time left."""
    from tqdm import tqdm

    from oclab.core.executors import make_executor
    from oclab.models.registry import get_model
    from oclab.study import load_study
    from oclab.sweep import plan_sweep, run_sweep
    from oclab.sweep_store import finished_chunks

    study = load_study(args.study).with_overrides(seed=args.seed, data=args.data)
    sweep = plan_sweep(
        study,
        args.samples,
        args.replicates,
        args.method,
        scenarios=args.strategies,
        chunk_runs=args.chunk_runs,
    )
    if args.workers is not None and args.workers < 1:
        raise InputError("--workers", "workers", "a positive whole number", args.workers)
    executor = make_executor(args.engine, args.workers, args.address)
    out = args.out or Path("out") / f"sweep-{args.study.stem}"
    data = get_model(study.model, study.source).load_data(study.data)
    already = len(finished_chunks(out)) if out.is_dir() else 0
    runs_per_chunk = sweep.chunk_runs * len(sweep.study.scenarios)
    with tqdm(
        total=sweep.n_chunks,
        initial=already,
        desc=f"{sweep.runs} runs × {len(sweep.study.scenarios)} strategies",
        unit="chunk",
        file=sys.stderr,
        postfix={"runs/chunk": runs_per_chunk},
    ) as bar:
        run_sweep(sweep, out, executor, data=data, progress=bar.update)
    print(
        f"{sweep.method} sweep: {sweep.n_samples} samples × {sweep.replicates} replicates × "
        f"{len(sweep.study.scenarios)} strategies of {', '.join(sweep.factors)}"
    )
    print(f"wrote {out}/ (sweep.json, design.parquet, {sweep.n_chunks} chunks)")
    if args.export:
        from oclab.analysis.export import export_behaviorspace, export_ema

        print(f"wrote {export_ema(out)}/ and {export_behaviorspace(out)}")
    return 0


def run_sensitivity_command(args: argparse.Namespace) -> int:
    """Indices with intervals: printed, and written as CSV and PNG."""
    from oclab.analysis.sensitivity import plot_indices, sweep_sensitivity
    from oclab.core.results import write_outputs
    from oclab.sweep_store import load_spec

    if not 0.0 < args.conf_level < 1.0:
        raise InputError("--conf-level", "conf_level", "a number between 0 and 1", args.conf_level)
    method, table = sweep_sensitivity(
        args.sweep, args.outcome, args.year, args.scenario, conf_level=args.conf_level
    )
    scenario = args.scenario or load_spec(args.sweep)["scenarios"][0]
    out = args.out or args.sweep / "analysis"
    stem = f"sensitivity-{method}-{args.outcome}-y{args.year:g}"
    csv_path = out / f"{stem}.csv"
    title = f"{method} indices: {args.outcome}, {args.year:g} years after restart ({scenario})"
    write_outputs(
        out,
        {
            csv_path.name: lambda p: table.write_csv(p, float_precision=6),
            f"{stem}.png": lambda p: plot_indices(table, method, title, p),
        },
    )
    print(title)
    print(_format(table))
    print(f"\nwrote {csv_path} and {stem}.png")
    return 0


def _format(table: pl.DataFrame) -> str:
    columns = table.columns
    lines = ["".join(f"{c:>14}" for c in columns)]
    for row in table.iter_rows():
        lines.append("".join(f"{v:>14}" if isinstance(v, str) else f"{v:>14.4g}" for v in row))
    return "\n".join(lines)


def run_discover_command(args: argparse.Namespace) -> int:
    """PRIM (trajectory, chosen box) and CART leaves, written as CSV with a figure."""
    from oclab.analysis.discovery import cart, goal_failures, plot_trajectory, prim
    from oclab.core.results import write_outputs

    if not 0.0 < args.alpha < 0.5:
        raise InputError("--alpha", "alpha", "a number between 0 and 0.5", args.alpha)
    if not 0.0 < args.threshold <= 1.0:
        raise InputError("--threshold", "threshold", "a number in (0, 1]", args.threshold)
    if args.max_depth < 1:
        raise InputError("--max-depth", "max_depth", "a positive whole number", args.max_depth)
    names, x, failed, label = goal_failures(
        args.sweep,
        args.outcome,
        args.year,
        args.scenario,
        versus=args.versus,
        above=args.fails_above,
        below=args.fails_below,
    )
    found = prim(x, failed, names, alpha=args.alpha, threshold=args.threshold)
    leaves = cart(x, failed, names, max_depth=args.max_depth)
    out = args.out or args.sweep / "analysis"
    box = found.box()
    chosen = found.trajectory.row(found.chosen, named=True)
    write_outputs(
        out,
        {
            "prim-trajectory.csv": lambda p: found.trajectory.write_csv(p, float_precision=6),
            "prim-box.csv": lambda p: box.write_csv(p, float_precision=6),
            "cart-leaves.csv": lambda p: leaves.write_csv(p, float_precision=6),
            "prim-trajectory.png": lambda p: plot_trajectory(found, label, p),
        },
    )
    print(f"cases of interest: {label}: {int(failed.sum())} of {len(failed)} runs")
    print(
        f"PRIM box (step {found.chosen}): coverage {chosen['coverage']:.3f}, "
        f"density {chosen['density']:.3f}, mass {chosen['mass']:.3f}"
    )
    for row in box.filter("restricted").iter_rows(named=True):
        print(f"  {row['low']:.6g} <= {row['factor']} <= {row['high']:.6g}")
    best = leaves.row(0, named=True)
    print(
        f"CART best leaf: coverage {best['coverage']:.3f}, density {best['density']:.3f} "
        f"({leaves.height} leaves)"
    )
    print(f"\nwrote {out}/prim-trajectory.csv, prim-box.csv, cart-leaves.csv, prim-trajectory.png")
    return 0
