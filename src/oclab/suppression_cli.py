"""``oclab disrupt``: network disruption and recovery strategies (Duijn et al. 2014) compared on
one ensemble of generated value-chain networks.

Every strategy × recovery pair runs on the same networks (generated once from ``--seed``), so
the comparison is paired. Writes ``disruption.csv`` (metrics of every network at each recorded
step), ``summary.csv`` (efficiency after / before per pair) and ``run.json``, atomically, and
prints the summary. Cartel-level strategies (targeting, kingpin strikes, consolidation) are
model parameters: see ``scenarios/suppression-*.toml`` and ``oclab run``.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

_ALL = "all"


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``disrupt`` command."""
    cmd = sub.add_parser(
        "disrupt", help="compare network disruption and recovery strategies (Duijn et al. 2014)"
    )
    cmd.add_argument("--out", type=Path, default=Path("out/disrupt"), help="results folder")
    cmd.add_argument("--members", type=int, default=838, help="members per network (default 838)")
    cmd.add_argument("--networks", type=int, default=10, help="networks in the ensemble")
    cmd.add_argument(
        "--steps",
        type=int,
        default=50,
        help="removals (one per step; scarce_role stops once that role is gone)",
    )
    cmd.add_argument(
        "--strategy", default=_ALL, help="comma-separated removal strategies, or 'all'"
    )
    cmd.add_argument(
        "--recovery", default=_ALL, help="comma-separated recovery mechanisms, or 'all'"
    )
    cmd.add_argument("--p-recover", type=float, default=1.0, help="probability an orphan rewires")
    cmd.add_argument("--record-every", type=int, default=5, help="steps between records")
    cmd.add_argument("--seed", type=int, default=2014, help="root random seed")
    cmd.set_defaults(handler=run)


def _choices(text: str, allowed: tuple[str, ...], field: str) -> list[str]:
    from oclab.errors import InputError

    if text == _ALL:
        return list(allowed)
    picked = [t.strip() for t in text.split(",") if t.strip()]
    for name in picked or [text]:
        if name not in allowed:
            raise InputError("command line", field, f"'all' or some of {', '.join(allowed)}", name)
    return picked


def _check(args: argparse.Namespace) -> None:
    from oclab.errors import InputError

    if args.members < 20:
        raise InputError("command line", "--members", "at least 20 (one per role)", args.members)
    for field, value in (("--networks", args.networks), ("--record-every", args.record_every)):
        if value < 1:
            raise InputError("command line", field, "a whole number >= 1", value)
    if args.steps < 0 or args.steps >= args.members:
        raise InputError("command line", "--steps", f"0 to {args.members - 1}", args.steps)
    if not 0.0 <= args.p_recover <= 1.0:
        raise InputError("command line", "--p-recover", "a probability in [0, 1]", args.p_recover)
    if args.seed < 0:
        raise InputError("command line", "--seed", "a whole number >= 0", args.seed)


def run(args: argparse.Namespace) -> int:
    """Generate the ensemble, run every pair, write the tables."""
    import numpy as np
    import polars as pl

    from oclab.core.results import check_output_dir, csv_writer, json_writer, write_outputs
    from oclab.models import networks as nw
    from oclab.models import networks_disruption as nd

    _check(args)
    strategies = _choices(args.strategy, nd.STRATEGIES, "--strategy")
    recoveries = _choices(args.recovery, nd.RECOVERIES, "--recovery")
    check_output_dir(args.out)
    root = np.random.SeedSequence(args.seed)
    net_seed, *pair_seeds = root.spawn(1 + len(strategies) * len(recoveries))
    ensemble = nw.generate(args.members, args.networks, np.random.default_rng(net_seed))
    frames, rows = [], []
    pairs = [(s, r) for s in strategies for r in recoveries]
    for (strategy, recovery), seed in zip(pairs, pair_seeds, strict=True):
        out = nd.disrupt(
            ensemble,
            strategy,
            recovery,
            args.steps,
            np.random.default_rng(seed),
            p_recover=args.p_recover,
            record_every=args.record_every,
        )
        t, b = out.efficiency.shape
        frames.append(
            pl.DataFrame(
                {
                    "strategy": [strategy] * (t * b),
                    "recovery": [recovery] * (t * b),
                    "network": np.tile(np.arange(b), t),
                    "step": np.repeat(out.steps, b),
                    "efficiency": out.efficiency.ravel(),
                    "largest_component": out.largest_component.ravel(),
                    "density": out.density.ravel(),
                }
            )
        )
        ratio = out.efficiency[-1] / np.where(out.efficiency[0] > 0, out.efficiency[0], np.nan)
        rows.append(
            {
                "strategy": strategy,
                "recovery": recovery,
                "efficiency_ratio_mean": float(np.nanmean(ratio)),
                "efficiency_ratio_p05": float(np.nanquantile(ratio, 0.05)),
                "efficiency_ratio_p95": float(np.nanquantile(ratio, 0.95)),
                "share_more_efficient": float(np.mean(ratio > 1.0)),
                "largest_component_end": float(out.largest_component[-1].mean()),
            }
        )
    summary = pl.DataFrame(rows)
    meta = vars(args) | {
        "out": str(args.out),
        "command": shlex.join(["oclab", "disrupt", *_argv(args)]),
        "source": "Duijn, Kashirin & Sloot (2014) Sci. Rep. 4:4238, SI Tables S-3/S-4",
    }
    meta.pop("handler", None)
    write_outputs(
        args.out,
        {
            "disruption.csv": csv_writer(pl.concat(frames)),
            "summary.csv": csv_writer(summary),
            "run.json": json_writer(meta),
        },
    )
    print(f"{'strategy':<13}{'recovery':<16}{'efficiency after/before':>25}{'more efficient':>16}")
    for r in rows:
        print(
            f"{r['strategy']:<13}{r['recovery']:<16}{r['efficiency_ratio_mean']:>25.3f}"
            f"{r['share_more_efficient']:>15.0%}"
        )
    print(f"\nwrote {args.out}/disruption.csv, summary.csv and run.json")
    return 0


def _argv(args: argparse.Namespace) -> list[str]:
    names = ("members", "networks", "steps", "strategy", "recovery", "record_every", "seed")
    out = [f"--{n.replace('_', '-')}={getattr(args, n)}" for n in names]
    return [*out, f"--p-recover={args.p_recover}", f"--out={args.out}"]
