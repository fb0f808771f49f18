"""``oclab routes ...``: check a network, solve a crackdown, run a route scenario file.

* ``oclab routes check NETWORK`` validates a network (bundled ``mexico``/``world``, a folder
  with ``nodes.csv`` + ``edges.csv``, or a ``.geojson``) and prints what it holds.
* ``oclab routes solve NETWORK --group Mexico=4 [--node ID=K] [--edge A->B=K]`` solves the
  baseline and one crackdown, optionally with a diversion curve, and writes tables and figures.
* ``oclab routes run FILE.toml`` runs a scenario file (see :mod:`oclab.models.routes_scenario`).
* ``oclab routes params`` prints the model's parameters with their sources.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from oclab.cli_args import print_params
from oclab.errors import InputError


def _pair(text: str) -> tuple[str, float]:
    key, sep, value = text.rpartition("=")
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not sep or not key or number < 0:
        raise argparse.ArgumentTypeError(f"expected NAME=K with K >= 0, got {text!r}")
    return key, number


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``routes`` and its verbs."""
    routes = sub.add_parser("routes", help="trafficking routes, crackdowns and displacement")
    verbs = routes.add_subparsers(dest="routes_command", required=True, metavar="VERB")
    check = verbs.add_parser("check", help="validate a network and print a summary")
    check.add_argument("network", help="mexico, world, a folder (nodes.csv, edges.csv) or .geojson")
    check.set_defaults(handler=_check)

    solve = verbs.add_parser("solve", help="baseline vs one crackdown; tables, map, curve")
    solve.add_argument("network", help="mexico, world, a folder or a .geojson")
    solve.add_argument("--node", type=_pair, action="append", default=[], metavar="ID=K")
    solve.add_argument("--group", type=_pair, action="append", default=[], metavar="GROUP=K")
    solve.add_argument("--edge", type=_pair, action="append", default=[], metavar="A->B=K")
    solve.add_argument("--runs", type=int, default=1, help="parameter draws (default 1)")
    solve.add_argument("--seed", type=int, default=0)
    solve.add_argument(
        "--uncertain", action="store_true", help="draw every parameter from its prior"
    )
    solve.add_argument("--least-cost", action="store_true", help="uncongested least-cost routing")
    solve.add_argument(
        "--curve",
        type=float,
        nargs="+",
        metavar="K",
        help="also trace the diversion curve at these multiples of the crackdown",
    )
    solve.add_argument("--out", type=Path, default=Path("out/routes"))
    solve.set_defaults(handler=_solve)

    params = verbs.add_parser("params", help="print the routes model's parameters")
    params.add_argument("--format", choices=("table", "markdown"), default="table")
    params.set_defaults(handler=_params)

    run = verbs.add_parser("run", help="run a route scenario file (TOML)")
    run.add_argument("scenario", type=Path)
    run.add_argument("--runs", type=int, help="override the file's runs")
    run.add_argument("--seed", type=int, help="override the file's seed")
    run.add_argument("--out", type=Path, help="results folder (default out/routes-NAME)")
    run.set_defaults(handler=_run)


def _params(args: argparse.Namespace) -> int:
    from oclab.models.routes import PARAMS

    print_params(PARAMS, args.format)
    return 0


def _check(args: argparse.Namespace) -> int:
    from oclab.models.routes_network import load_network

    net = load_network(args.network)
    print(f"{net.name}: {net.n_nodes} nodes, {net.n_edges} directed edges ({net.source})")
    print(f"  origins: {len(net.origins)} supplying {net.supply.sum():,.1f} t/year")
    for m in net.markets:
        print(f"  market {net.ids[m]}: demand {net.demand[m]:,.1f} t/year, price {net.price[m]:g}")
    groups = sorted(set(net.groups) - {""})
    print(f"  groups: {', '.join(groups) if groups else '(none)'}")
    return 0


def _headline(output) -> str:
    table = output.summary
    lines = [f"{'scenario':<26}{'outcome':<18}{'group':<22}{'mean':>10}{'p05':>10}{'p95':>10}"]
    keep = ("delivered", "diverted", "diverted_share", "new_places", "total_cost", "relative_gap")
    for row in table.iter_rows(named=True):
        if row["outcome"] in keep and not (
            row["scenario"] == "baseline" and row["outcome"] in keep[1:4]
        ):
            lines.append(
                f"{row['scenario'][:25]:<26}{row['outcome']:<18}{row['group'][:21]:<22}"
                f"{row['mean']:>10.4g}{row['p05']:>10.4g}{row['p95']:>10.4g}"
            )
    return "\n".join(lines)


def _execute(scenario, out: Path) -> int:
    from oclab.core.results import check_output_dir
    from oclab.models.routes_scenario import solve_scenario, write_scenario

    check_output_dir(out)
    output = solve_scenario(scenario)
    files = write_scenario(output, out, shlex.join(["oclab", *sys.argv[1:]]))
    print(_headline(output))
    print(f"\nwrote {out}/: {', '.join(files)}")
    return 0


def _solve(args: argparse.Namespace) -> int:
    from oclab.models.routes import PARAMS, Crackdown
    from oclab.models.routes_scenario import RouteScenario

    if args.runs < 1:
        raise InputError("--runs", "runs", "a positive whole number", args.runs)
    if args.seed < 0:
        raise InputError("--seed", "seed", "a whole number >= 0", args.seed)
    crackdown = Crackdown(
        name="crackdown", nodes=dict(args.node), groups=dict(args.group), edges=dict(args.edge)
    )
    has_target = bool(args.node or args.group or args.edge)
    if args.curve and not has_target:
        raise InputError("--curve", "crackdown", "a crackdown (--node, --group or --edge) to scale")
    priors = {p.name: p.default_prior for p in PARAMS} if args.uncertain else {}
    scenario = RouteScenario(
        name="solve",
        network=args.network,
        runs=args.runs,
        seed=args.seed,
        equilibrium=not args.least_cost,
        priors=priors,
        crackdowns=(crackdown,) if has_target else (),
        curve_pattern=crackdown if args.curve else None,
        curve_intensities=tuple(sorted({0.0, *args.curve})) if args.curve else (),
        source="oclab routes solve",
    )
    return _execute(scenario, args.out)


def _run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from oclab.models.routes_scenario import load_scenario

    scenario = load_scenario(args.scenario)
    if args.runs is not None:
        if args.runs < 1:
            raise InputError("--runs", "runs", "a positive whole number", args.runs)
        scenario = replace(scenario, runs=args.runs)
    if args.seed is not None:
        if args.seed < 0:
            raise InputError("--seed", "seed", "a whole number >= 0", args.seed)
        scenario = replace(scenario, seed=args.seed)
    out = args.out or Path("out") / f"routes-{scenario.name}"
    return _execute(scenario, out)
