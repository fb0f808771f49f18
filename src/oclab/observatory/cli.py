"""``oclab observatory generate|import|indicators``.

``generate`` writes synthetic CSV tables in the documented format; ``import`` validates a folder
of tables, writes the accepted rows as Parquet and the quarantined rows (with line and problem)
as CSV; ``indicators`` computes the indicators and anomaly flags of a folder of tables. With
``--public`` small cells are suppressed (threshold ``--threshold``, default
:data:`PUBLIC_THRESHOLD`) and no record-level file is written. Every command writes all of its
files atomically or none. Heavy modules are imported inside the handlers.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from oclab.cli_args import whole_number

#: Default smallest count shown in public outputs (counts 1-9 are suppressed). A common rule in
#: official statistics; an assumption to revisit with the data provider's own disclosure rule.
PUBLIC_THRESHOLD = 10
FORMATS = ("csv", "parquet", "both")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``observatory`` command and its subcommands."""
    obs = sub.add_parser("observatory", help="judicial observatory: cases, indicators, anomalies")
    osub = obs.add_subparsers(dest="observatory_command", required=True, metavar="SUBCOMMAND")
    gen = osub.add_parser("generate", help="write synthetic case tables (Hallazgos-calibrated)")
    gen.add_argument("out", type=Path, help="folder for courts.csv, cases.csv, ...")
    gen.add_argument("--cases", type=whole_number(1), default=20_000, help="reported crimes")
    gen.add_argument("--seed", type=whole_number(0), default=0)
    gen.add_argument("--courts-per-state", type=whole_number(1), default=3)
    gen.add_argument(
        "--anomalous-courts",
        type=whole_number(0),
        default=0,
        help="courts with an inflated dismissal rate (to exercise the flags)",
    )
    gen.set_defaults(handler=_generate)
    imp = osub.add_parser("import", help="validate a folder of tables; quarantine bad rows")
    imp.add_argument("folder", type=Path)
    imp.add_argument("--out", type=Path, required=True, help="folder for the accepted tables")
    imp.set_defaults(handler=_import)
    ind = osub.add_parser("indicators", help="indicators by state and court, and anomaly flags")
    ind.add_argument("folder", type=Path, help="folder of CSV tables (validated as by import)")
    ind.add_argument("--out", type=Path, required=True)
    ind.add_argument("--format", choices=FORMATS, default="both")
    ind.add_argument("--public", action="store_true", help="suppress small cells")
    ind.add_argument(
        "--threshold",
        type=whole_number(1),
        default=PUBLIC_THRESHOLD,
        help=f"smallest count shown with --public (default {PUBLIC_THRESHOLD})",
    )
    ind.set_defaults(handler=_indicators)


def _writers(name: str, table, fmt: str) -> dict:  # type: ignore[no-untyped-def]
    from oclab.core.results import csv_writer, parquet_writer

    out = {}
    if fmt in ("csv", "both"):
        out[f"{name}.csv"] = csv_writer(table)
    if fmt in ("parquet", "both"):
        out[f"{name}.parquet"] = parquet_writer(table)
    return out


def _report(report) -> None:  # type: ignore[no-untyped-def]
    for line in report.lines():
        print(line)


def _generate(args: argparse.Namespace) -> int:
    from oclab.core.results import csv_writer, write_outputs
    from oclab.observatory.generate import generate
    from oclab.observatory.schema import TABLES

    tables = generate(
        args.cases,
        args.seed,
        courts_per_state=args.courts_per_state,
        anomalous_courts=args.anomalous_courts,
    )
    write_outputs(args.out, {TABLES[t][0]: csv_writer(f) for t, f in tables.items()})
    print(f"wrote {tables['cases'].height:,} synthetic cases to {args.out}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from oclab.core.results import json_writer, write_outputs
    from oclab.observatory.io import load_folder

    data, report = load_folder(args.folder)
    writers = {}
    for table in report.accepted:
        writers |= _writers(table, getattr(data, table), "parquet")
    for table, bad in report.quarantined.items():
        writers |= _writers(f"quarantine_{table}", bad, "csv")
    writers["import_report.json"] = json_writer(
        {"folder": str(args.folder), "lines": report.lines()}
    )
    write_outputs(args.out, writers)
    _report(report)
    print(f"wrote {args.out}")
    return 0


def _indicators(args: argparse.Namespace) -> int:
    from oclab.core.results import json_writer, write_outputs
    from oclab.observatory.indicators import court_anomalies, indicators
    from oclab.observatory.io import load_folder
    from oclab.observatory.privacy import suppress, suppress_anomalies

    data, report = load_folder(args.folder)
    tables = {
        "indicators_state": indicators(data, "state"),
        "indicators_court": indicators(data, "court"),
        "anomalies_dismissal": court_anomalies(data, "dismissal"),
        "anomalies_conviction": court_anomalies(data, "conviction"),
    }
    if args.public:
        tables = {
            name: suppress_anomalies(t, args.threshold)
            if name.startswith("anomalies")
            else suppress(t, args.threshold)
            for name, t in tables.items()
        }
    writers = {}
    for name, table in tables.items():
        writers |= _writers(name, table, args.format)
    if not args.public:
        for table, bad in report.quarantined.items():
            writers |= _writers(f"quarantine_{table}", bad, "csv")
    writers["meta.json"] = json_writer(
        {
            "folder": str(args.folder),
            "public": args.public,
            "threshold": args.threshold if args.public else None,
            "import": report.lines(),
            "definitions": "docs/observatory.md",
        }
    )
    write_outputs(args.out, writers)
    _report(report)
    print(
        f"wrote {args.out}"
        + (f" (public, cells below {args.threshold} suppressed)" if args.public else "")
    )
    return 0
