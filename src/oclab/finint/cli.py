"""``oclab finint generate | detect | thresholds``: transaction-report triage on AMLworld files.

* ``generate --accounts N --days D --out DIR``: seeded synthetic data with ground truth
  (``Synthetic_Trans.csv``, ``Synthetic_accounts.csv``, ``Synthetic_Patterns.txt``,
  ``branches.csv``).
* ``detect DATA --out DIR``: rules + gradient boosting, evaluation on the temporal 60/20/20
  split, ranked alerts with reasons (``alerts.csv``), consolidation points, metrics and the
  quarantined rows.
* ``thresholds [DATA] --out DIR``: the reporting-threshold sweep (table, curve, lever.json).
* ``convert DATA --out DIR``: validate once and write the good rows as Parquet (or CSV), with
  the quarantined rows beside them; later runs on the Parquet load about 3x faster.

DATA is a transactions file (``.csv`` in the AMLworld format, or ``.parquet``) or a folder with
one ``*_Trans.csv`` / ``*.parquet`` (and optionally ``branches.csv``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from oclab.cli_args import whole_number
from oclab.errors import InputError


def _number_list(text: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected numbers separated by commas, got {text!r}"
        ) from None
    if not values or any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError(f"expected positive numbers, got {text!r}")
    return values


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``finint`` and its subcommands."""
    finint = sub.add_parser("finint", help="financial intelligence: triage transaction reports")
    cmds = finint.add_subparsers(dest="finint_command", required=True, metavar="SUBCOMMAND")
    gen = cmds.add_parser("generate", help="synthetic AMLworld-format data with ground truth")
    gen.add_argument("--accounts", type=whole_number(1), required=True)
    gen.add_argument("--days", type=whole_number(1), required=True)
    gen.add_argument("--out", type=Path, required=True)
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--threshold", type=float, default=10_000.0, help="reporting threshold, USD")
    gen.add_argument("--format", choices=("csv", "parquet"), default="csv")
    gen.add_argument(
        "--batch-rows",
        type=whole_number(1000),
        default=500_000,
        help="rows formatted and written at a time (memory; the output does not depend on it)",
    )
    gen.set_defaults(handler=run_generate)
    det = cmds.add_parser("detect", help="rules + model, evaluation, ranked alerts with reasons")
    det.add_argument("data", type=Path)
    det.add_argument("--out", type=Path, required=True)
    det.add_argument("--seed", type=int, default=0)
    det.add_argument("--threshold", type=float, default=10_000.0, help="reporting threshold, USD")
    det.add_argument(
        "--capacity", type=whole_number(1), default=100, help="alerts analysts review per day"
    )
    det.set_defaults(handler=run_detect)
    thr = cmds.add_parser("thresholds", help="reports, analyst time, laundering caught, burden")
    thr.add_argument("data", type=Path, nargs="?", help="transactions (default: synthetic)")
    thr.add_argument("--out", type=Path, required=True)
    thr.add_argument("--thresholds", type=_number_list, default=[200, 1000, 3000, 10000])
    thr.add_argument("--analysts", type=_number_list, default=[5, 20, 100])
    thr.add_argument("--accounts", type=whole_number(1), default=20_000, help="synthetic data size")
    thr.add_argument("--days", type=whole_number(1), default=10)
    thr.add_argument("--seed", type=int, default=0)
    thr.set_defaults(handler=run_thresholds)
    conv = cmds.add_parser("convert", help="validate once; write Parquet (or CSV) + quarantine")
    conv.add_argument("data", type=Path)
    conv.add_argument("--out", type=Path, required=True)
    conv.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    conv.set_defaults(handler=run_convert)


def _find_data(path: Path) -> tuple[Path, Path | None]:
    """The transactions file in ``path`` (a file or a folder) and a ``branches.csv`` beside it."""
    if path.is_dir():
        found = sorted(path.glob("*_Trans.csv")) or sorted(path.glob("*.parquet"))
        if len(found) != 1:
            raise InputError(path, "DATA", "a folder with exactly one *_Trans.csv or *.parquet")
        path = found[0]
    branches = path.parent / "branches.csv"
    return path, branches if branches.is_file() else None


def run_generate(args: argparse.Namespace) -> int:
    """Stream the synthetic data set, one day at a time, into a scratch folder, then move it."""
    import numpy as np

    from oclab.core.results import write_outputs
    from oclab.finint import io
    from oclab.finint.generate import Synthetic

    if args.accounts < 50 or args.days < 2:
        raise InputError("--accounts/--days", "size", "at least 50 accounts and 2 days")
    data = Synthetic(
        args.accounts, args.days, np.random.default_rng(args.seed), threshold=args.threshold
    )
    tx_name = "Synthetic_Trans.csv" if args.format == "csv" else "Synthetic_Trans.parquet"
    written: list[int] = []
    write_outputs(
        args.out,
        {
            tx_name: lambda p: written.append(
                io.write_transaction_batches(data.batches(args.batch_rows), p)
            ),
            "Synthetic_accounts.csv": lambda p: io.write_accounts(data.accounts, p),
            "Synthetic_Patterns.txt": lambda p: io.write_patterns(data.patterns, p),
            "branches.csv": lambda p: data.branches.write_csv(p),
        },
    )
    print(
        f"wrote {args.out}/{tx_name}: {sum(written):,} transactions "
        f"({data.patterns.height:,} laundering, {data.patterns['attempt'].n_unique()} attempts), "
        f"{data.accounts.height:,} accounts"
    )
    return 0


def run_detect(args: argparse.Namespace) -> int:
    """Load, detect, print the evaluation and write alerts, points, metrics and quarantine."""
    import json

    import numpy as np
    import polars as pl

    from oclab.core.results import csv_writer, json_writer, write_outputs
    from oclab.finint import io
    from oclab.finint.detect import detect
    from oclab.finint.features import row_columns
    from oclab.finint.rules import RuleSettings

    path, branches_path = _find_data(args.data)
    # The features' per-row inputs are computed while the file is read (one streaming pass).
    loaded = io.read_transactions(path, derive=row_columns(args.threshold))
    print(loaded.describe())
    branches = pl.read_csv(branches_path) if branches_path else None
    result = detect(
        loaded.transactions,
        np.random.default_rng(args.seed),
        alerts_per_day=args.capacity,
        settings=RuleSettings(threshold=args.threshold),
        branches=branches,
        derived=loaded.derived,
    )
    for name, scores in result.scores.items():
        print("\n".join(scores.lines(name)))
    for note in result.notes:
        print(f"note: {note}")
    alerts = result.alerts.with_columns(
        pl.col("ts").dt.strftime(io.TIMESTAMP_FORMAT),
        pl.col("receiving_currency", "payment_currency", "payment_format").cast(pl.String),
    )
    metrics = {
        "data": str(path),
        "rows_read": loaded.n_read,
        "rows_quarantined": loaded.quarantine.height,
        "cut": result.cut,
        "scores": {k: vars(v) for k, v in result.scores.items()},
        "alerts": alerts.height,
        "notes": result.notes,
    }
    quarantine = loaded.quarantine
    write_outputs(
        args.out,
        {
            "alerts.csv": csv_writer(alerts),
            "consolidation_points.csv": csv_writer(result.consolidation_points.drop("dst")),
            "metrics.json": json_writer(json.loads(json.dumps(metrics, default=str))),
            "quarantine.csv": csv_writer(quarantine),
        },
    )
    print(
        f"wrote {args.out}/alerts.csv ({alerts.height:,} ranked alerts), metrics.json, "
        f"consolidation_points.csv, quarantine.csv ({quarantine.height:,} rows)"
    )
    return 0


def run_thresholds(args: argparse.Namespace) -> int:
    """Sweep thresholds x analysts on the data (or a synthetic set) and write table + curve."""
    import numpy as np

    from oclab.core.results import csv_writer, json_writer, write_outputs
    from oclab.finint import io
    from oclab.finint.features import row_columns
    from oclab.finint.thresholds import BASE_THRESHOLD, lever, plot, sweep

    derived = None
    if args.data is None:
        from oclab.finint.generate import generate

        tx = generate(args.accounts, args.days, np.random.default_rng(args.seed)).transactions
        print(f"synthetic data: {tx.height:,} transactions (seed {args.seed})")
    else:
        path, _ = _find_data(args.data)
        loaded = io.read_transactions(path, derive=row_columns(BASE_THRESHOLD))
        print(loaded.describe())
        tx, derived = loaded.transactions, loaded.derived
    table = sweep(tx, args.thresholds, [int(a) for a in args.analysts], derived=derived)
    write_outputs(
        args.out,
        {
            "thresholds.csv": csv_writer(table),
            "thresholds.png": lambda p: plot(table, str(p)),
            "lever.json": json_writer(lever(table)),
        },
    )
    print(
        f"{'threshold':>10}{'analysts':>9}{'reports/day':>13}{'hours/day':>11}"
        f"{'coverage':>10}{'backlog':>9}{'caught':>8}{'legit acct':>11}"
    )
    for r in table.iter_rows(named=True):
        print(
            f"{r['threshold_usd']:>10,.0f}{r['analysts']:>9}{r['reports_per_day']:>13,.1f}"
            f"{r['analyst_hours_needed_per_day']:>11,.1f}{100 * r['review_coverage']:>9.0f}%"
            f"{r['backlog_reports']:>9,.0f}{100 * r['caught_share']:>7.1f}%"
            f"{100 * r['legit_cash_accounts_reported_share']:>10.1f}%"
        )
    print(f"wrote {args.out}/thresholds.csv, thresholds.png and lever.json")
    return 0


def run_convert(args: argparse.Namespace) -> int:
    """Validate a transactions file and write its good rows in the other format, in file order.

    The output keeps the input's name with the new suffix (``HI-Small_Trans.parquet``), so
    ``detect DIR`` finds it; ``quarantine.csv`` holds the rows left out, with line and reason.
    """
    from oclab.core.results import csv_writer, write_outputs
    from oclab.finint import io

    path, _ = _find_data(args.data)
    name = f"{path.stem}.{args.format}"
    if (args.out / name).resolve() == path.resolve():
        raise InputError(
            args.out, "--out", "a folder other than the input's (it would be replaced)"
        )
    loaded = io.read_transactions(path)
    print(loaded.describe())
    write_outputs(
        args.out,
        {
            name: lambda p: io.write_transactions(loaded.transactions, p),
            "quarantine.csv": csv_writer(loaded.quarantine),
        },
    )
    print(
        f"wrote {args.out}/{name} ({loaded.transactions.height:,} transactions), "
        f"quarantine.csv ({loaded.quarantine.height:,} rows)"
    )
    return 0
