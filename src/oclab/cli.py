"""The ``oclab`` command line: ``demo``, ``run``, ``models``, ``params``, and the commands
of the modules listed in :data:`COMMAND_MODULES` (``report``, ...).

Bad input (a missing or malformed file, an unknown parameter or model, a negative rate, a
network with wrong columns or unknown ids) is reported on one line naming the file, the field
and what was expected, with exit status 2, and nothing is written.

A feature adds commands without touching this file's logic: its module defines
``register(subparsers)``, which adds parsers and sets ``handler=`` (a function ``args -> int``)
with ``set_defaults``; its name goes into :data:`COMMAND_MODULES`. Handlers import heavy
dependencies lazily, so ``oclab --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

import polars as pl
from tqdm import tqdm

from oclab import __version__
from oclab.api import bundled_study, execute, headline_outcomes, n_chunks, prepare
from oclab.cli_args import print_params, whole_number
from oclab.core.executors import ENGINES
from oclab.errors import InputError
from oclab.models.registry import MODELS, get_model
from oclab.study import Study, load_study

#: Modules that add subcommands through ``register(subparsers)``.
COMMAND_MODULES: tuple[str, ...] = (
    "oclab.report.cli",
    "oclab.sweep_cli",
    "oclab.demand_cli",
    "oclab.web.cli",
    "oclab.traces.cli",
    "oclab.finint.cli",
    "oclab.routes_cli",
    "oclab.suppression_cli",
    "oclab.observatory.cli",
    "oclab.strategy_cli",
)


def _run_options(parser: argparse.ArgumentParser, default_out: str | None) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=default_out and Path(default_out),
        help="results folder" + (f" (default {default_out})" if default_out else ""),
    )
    parser.add_argument("--runs", type=whole_number(1), help="ensemble size (overrides the study)")
    parser.add_argument(
        "--seed", type=whole_number(0), help="root random seed (overrides the study)"
    )
    parser.add_argument("--data", type=str, help="network folder in the Prieto-Curiel CSV format")
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="processes",
        help="where chunks of runs execute (same results on each)",
    )
    parser.add_argument(
        "--address", help="an existing Dask scheduler, tcp://HOST:PORT (with --engine dask)"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="oclab", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"oclab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = sub.add_parser("demo", help="run the default study and write results and a report")
    _run_options(demo, "out/demo")
    run = sub.add_parser("run", help="run a study file (TOML)")
    run.add_argument("study", type=Path, help="study file, e.g. scenarios/mexico-2022.toml")
    _run_options(run, None)
    sub.add_parser("models", help="list the models")
    params = sub.add_parser("params", help="print a model's parameters")
    params.add_argument("model")
    params.add_argument("--format", choices=("table", "markdown", "csv"), default="table")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _headline(summary: pl.DataFrame, outcomes: tuple[str, ...]) -> str:
    last = summary["years_after_restart"].max()
    rows = summary.filter(
        (pl.col("years_after_restart") == last) & pl.col("outcome").is_in(outcomes)
    ).to_dicts()
    scenario_w = min(40, max([len("scenario"), *(len(r["scenario"]) for r in rows)])) + 2
    outcome_w = max([len("outcome"), *(len(r["outcome"]) for r in rows)]) + 2
    lines = [
        f"{'scenario':<{scenario_w}}{'outcome':<{outcome_w}}{'year':>6}{'mean':>17}"
        f"{'vs today':>11}{'vs baseline':>13}"
    ]
    for r in sorted(rows, key=lambda r: outcomes.index(r["outcome"])):
        lines.append(
            f"{r['scenario'][: scenario_w - 2]:<{scenario_w}}{r['outcome']:<{outcome_w}}"
            f"{r['year']:>6.0f}{r['mean']:>17,.0f}{r['vs_today_pct']:>+10.1f}%"
            f"{r['vs_baseline_pct']:>+12.1f}%"
        )
    return "\n".join(lines)


def _run(study: Study, args: argparse.Namespace, out: Path, argv: Sequence[str]) -> int:
    study = study.with_overrides(runs=args.runs, seed=args.seed, data=args.data)
    data = prepare(study, out, args.engine, args.address)
    with tqdm(
        total=n_chunks(study),
        desc=f"{study.name}: chunks of {study.chunk_runs} runs",
        unit="chunk",
        file=sys.stderr,
    ) as bar:
        _, summary = execute(
            study,
            out,
            engine=args.engine,
            address=args.address,
            command=shlex.join(["oclab", *argv]),
            progress=bar.update,
            data=data,
        )
    print(_headline(summary, headline_outcomes(get_model(study.model, study.source))))
    print(f"\nwrote {out}/results.parquet, summary.csv, study.json and report.html")
    return 0


def _models() -> int:
    for name, module in sorted(MODELS.items()):
        options = "; ".join(f"{k}: {'|'.join(v)}" for k, v in module.OPTIONS.items())
        print(f"{name:<12}{module.SUMMARY}  [{options}]")
    return 0


def _params(model_name: str, fmt: str) -> int:
    print_params(get_model(model_name, "oclab params").PARAMS, fmt)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``oclab`` command; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    try:
        if hasattr(args, "handler"):
            return int(args.handler(args))
        if args.command == "demo":
            return _run(bundled_study("demo"), args, args.out, argv)
        if args.command == "run":
            out = args.out or Path("out") / args.study.stem
            return _run(load_study(args.study), args, out, argv)
        if args.command == "models":
            return _models()
        if args.command == "params":
            return _params(args.model, args.format)
        raise AssertionError(f"unhandled command {args.command}")
    except InputError as error:
        print(f"oclab: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
