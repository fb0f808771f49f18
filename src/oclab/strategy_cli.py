"""``oclab levers``, ``oclab compare`` and ``oclab claims``: the strategy lab's commands.

* ``oclab levers``: the report's levers with their section, unit, status quo and range.
* ``oclab compare STRATEGY... [--years N] [--runs N]``: strategies (bundled names, ``all``, or
  TOML files) run as paired ensembles over the same plausible worlds, at equal budget; writes
  results, summary, ``compare.csv``/``compare.md``, ``differences.png`` and the report.
* ``oclab claims [--runs N]``: every claim of the report with its computed verdict; writes the
  same files plus ``claims.csv``/``claims.md``, and the verdict table goes into the report.

``--set NAME=VALUE`` fixes a parameter in every world (it is then not drawn); ``--judicial
FEED.json`` calibrates the judicial-reform lever from ``oclab observatory feed``.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

from oclab.cli_args import whole_number
from oclab.core.executors import ENGINES
from oclab.errors import InputError


def _common(parser: argparse.ArgumentParser, out: str, runs: int) -> None:
    parser.add_argument("--runs", type=whole_number(1), default=runs, help=f"worlds ({runs})")
    parser.add_argument("--seed", type=whole_number(0), default=2009, help="root seed (2009)")
    parser.add_argument("--out", type=Path, default=Path(out), help=f"results folder ({out})")
    parser.add_argument("--engine", choices=ENGINES, default="processes")
    parser.add_argument("--address", help="a Dask scheduler, tcp://HOST:PORT (--engine dask)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="fix a parameter in every world (repeatable)",
    )
    parser.add_argument("--judicial", type=Path, help="observatory feed (JSON) for the reform")
    parser.add_argument(
        "--fixed-world", action="store_true", help="no uncertainty: every coupling at its default"
    )


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``levers``, ``compare`` and ``claims``."""
    levers = sub.add_parser("levers", help="the report's policy levers")
    levers.set_defaults(handler=run_levers)
    compare = sub.add_parser("compare", help="compare strategies at equal budget")
    compare.add_argument("strategies", nargs="*", help="bundled names, 'all', or TOML files")
    compare.add_argument("--years", type=whole_number(1, 30), default=10, help="horizon (10)")
    compare.add_argument("--list", action="store_true", help="list the bundled strategies")
    compare.add_argument("--allow-unequal-budgets", action="store_true")
    _common(compare, "out/compare", 200)
    compare.set_defaults(handler=run_compare)
    claims = sub.add_parser("claims", help="the report's findings with computed verdicts")
    claims.add_argument(
        "--claim", action="append", default=[], metavar="ID", help="only these claims (repeatable)"
    )
    _common(claims, "out/claims", 200)
    claims.set_defaults(handler=run_claims)


def run_levers(args: argparse.Namespace) -> int:
    from oclab.levers import lever_table

    for row in lever_table():
        print(
            f"{row['lever']:<30}{row['section']:<10}{row['status_quo']:>14,.4g} "
            f"[{row['low']:,.4g}, {row['high']:,.4g}] {row['unit']}: {row['meaning']}"
        )
    return 0


def _params(args: argparse.Namespace) -> dict[str, float]:
    from oclab.models.integrated_calibration import judicial_params

    values: dict[str, float] = judicial_params(args.judicial) if args.judicial else {}
    for item in args.set:
        name, sep, text = item.partition("=")
        try:
            values[name.strip()] = float(text)
        except ValueError:
            raise InputError("--set", name.strip() or item, "NAME=NUMBER", item) from None
        if not sep:
            raise InputError("--set", item, "NAME=NUMBER", item)
    return values


def _execute(study: Any, args: argparse.Namespace, argv: list[str], **hooks: Any) -> Any:
    from tqdm import tqdm

    from oclab.api import execute, n_chunks, prepare

    data = prepare(study, args.out, args.engine, args.address)
    with tqdm(total=n_chunks(study), desc=study.name, unit="chunk", file=sys.stderr) as bar:
        return execute(
            study,
            args.out,
            engine=args.engine,
            address=args.address,
            command=shlex.join(["oclab", *argv]),
            progress=bar.update,
            data=data,
            **hooks,
        )


def run_compare(args: argparse.Namespace) -> int:
    from oclab.analysis.compare import bundled_strategies, resolve_strategies
    from oclab.strategy import load_strategy

    if args.list:
        for name, path in sorted(bundled_strategies().items()):
            strategy = load_strategy(path)
            print(f"{name:<24}{strategy.section:<10}{strategy.title}")
        return 0
    if not args.strategies:
        raise InputError("oclab compare", "strategies", "at least one strategy (or --list)")
    from oclab.analysis.compare import comparison_study
    from oclab.compare_output import compare_outputs, print_comparison

    strategies = resolve_strategies(args.strategies)
    study = comparison_study(
        strategies,
        years=args.years,
        runs=args.runs,
        seed=args.seed,
        params=_params(args),
        uncertain=not args.fixed_world,
        allow_unequal_budgets=args.allow_unequal_budgets,
    )
    tables: dict[str, Any] = {}
    _execute(
        study,
        args,
        ["compare", *sys.argv[2:]],
        extra_outputs=compare_outputs(strategies, study, tables),
    )
    print_comparison(tables["compare"])
    print(f"\nwrote {args.out}/compare.csv, compare.md, differences.png, report.html and results")
    return 0


def run_claims(args: argparse.Namespace) -> int:
    from oclab.claims.catalogue import CLAIMS
    from oclab.claims.engine import claims_study, evaluate
    from oclab.compare_output import claims_outputs
    from oclab.experiment import drawn_params

    known = {c.id: c for c in CLAIMS}
    for claim_id in args.claim:
        if claim_id not in known:
            raise InputError("--claim", claim_id, f"a claim id ({', '.join(known)})")
    claims = [known[c] for c in args.claim] or list(CLAIMS)
    study = claims_study(
        runs=args.runs,
        seed=args.seed,
        params=_params(args),
        uncertain=not args.fixed_world,
        claims=claims,
    )
    verdicts: dict[str, Any] = {}

    def annotate(results: Any, summary: Any) -> dict[str, Any]:
        verdicts["table"] = evaluate(results, study, drawn_params(study), claims)
        return {"claims": verdicts["table"].to_dicts()}

    _execute(
        study,
        args,
        ["claims", *sys.argv[2:]],
        annotate=annotate,
        extra_outputs=claims_outputs(verdicts),
    )
    for row in verdicts["table"].iter_rows(named=True):
        where = f"  ({row['depends_on']})" if row["depends_on"] else ""
        share = f"{row['share_holds']:.0%}"
        print(f"{row['section']:<9}{row['verdict']:<15}{share:>5}  {row['claim']}{where}")
    print(f"\nwrote {args.out}/claims.csv, claims.md, report.html and results")
    return 0
