"""``oclab observatory generate|import|indicators|training|feed|init-db|store|serve``.

``generate`` writes synthetic CSV tables in the documented format; ``import`` validates a folder
of tables, writes the accepted rows as Parquet and the quarantined rows (with line and problem)
as CSV; ``indicators`` computes the indicators and anomaly flags of a folder of tables. With
``--public`` small cells are suppressed (threshold ``--threshold``, default
:data:`PUBLIC_THRESHOLD`), no record-level file is written, and the outsider's audit
(:mod:`oclab.observatory.audit`) prints how many hidden small counts it could pin down. Every
command writes all of its files atomically or none. ``training`` compares police basic training
with a national standard (the shipped dataset or a user CSV); ``feed`` writes the integrated
model's judicial calibration as JSON; ``init-db``, ``store`` and ``serve`` keep the records in
SQL (``--db``, the trace registry's storage, users and tokens) and serve the bilingual dashboard
and API. Heavy modules are imported inside the handlers.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from oclab.cli_args import whole_number
from oclab.errors import InputError

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
    tr = osub.add_parser("training", help="police basic training against a national standard")
    tr.add_argument(
        "--standard",
        type=float,
        default=None,
        help="standard in hours (default: the Programa Rector's formación inicial, 972)",
    )
    tr.add_argument("--csv", type=Path, help="a table in the documented format (default: shipped)")
    tr.add_argument("--out", type=Path, help="write the comparison to this CSV file")
    tr.set_defaults(handler=_training)
    feed = osub.add_parser("feed", help="judicial calibration of the integrated model (JSON)")
    feed.add_argument("folder", type=Path, help="folder of CSV tables (validated as by import)")
    feed.add_argument("--out", type=Path, required=True, help="JSON file to write")
    feed.add_argument(
        "--threshold",
        type=whole_number(1),
        default=PUBLIC_THRESHOLD,
        help=f"small cells below this are null (default {PUBLIC_THRESHOLD}; 1 = none)",
    )
    feed.set_defaults(handler=_feed)
    init = osub.add_parser("init-db", help="create or upgrade the SQL tables (and the registry's)")
    _db(init)
    init.set_defaults(handler=_init_db)
    store = osub.add_parser("store", help="validate a folder of tables and store it in SQL")
    store.add_argument("folder", type=Path)
    _db(store)
    store.add_argument(
        "--key-file", type=Path, help="pseudonymisation key (default $OCLAB_OBSERVATORY_KEY)"
    )
    store.set_defaults(handler=_store)
    serve = osub.add_parser("serve", help="serve the bilingual dashboard, API and downloads")
    _db(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8020)
    serve.add_argument("--threshold", type=whole_number(1), default=PUBLIC_THRESHOLD)
    serve.set_defaults(handler=_serve)


def _db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=os.environ.get("OCLAB_OBSERVATORY_DB", "sqlite:///observatory.sqlite"),
        help="database URL: sqlite:///FILE (default) or postgresql://USER:PASS@HOST/DB; "
        "users and tokens are managed with oclab traces add-user --db URL",
    )


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
    from oclab.observatory.io import load_folder
    from oclab.observatory.publish import aggregates, suppressed

    data, report = load_folder(args.folder)
    tables = aggregates(data)
    checked = None
    if args.public:
        public = suppressed(tables, args.threshold)
        checked = _audit(tables, public, args.threshold)
        tables = public
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
            "audit": checked,
        }
    )
    write_outputs(args.out, writers)
    _report(report)
    print(
        f"wrote {args.out}"
        + (f" (public, cells below {args.threshold} suppressed)" if args.public else "")
    )
    return 0


def _audit(tables: dict, public: dict, threshold: int) -> dict[str, int] | None:
    """Run the outsider's audit of the public tables; print and return its counts (no values)."""
    from oclab.observatory.audit import audit

    if not tables:
        return None
    found = audit(tables, public, threshold)
    counts = {"small_hidden_quantities": found.height, "disclosed": int(found["disclosed"].sum())}
    print(
        f"audit: {counts['small_hidden_quantities']:,} hidden quantities below {threshold}; "
        f"{counts['disclosed']} can be pinned inside 1..{threshold - 1} from the public tables"
        + (" -- WARNING: review before publishing" if counts["disclosed"] else "")
    )
    return counts


def _training(args: argparse.Namespace) -> int:
    from oclab.observatory.training import STANDARD, load_training, training_gap

    standard = STANDARD.default if args.standard is None else args.standard
    if args.out is not None and args.out.is_dir():
        raise InputError(args.out, "--out", "a CSV file name (a folder with that name exists)")
    table = training_gap(load_training(args.csv), standard)
    if args.out is not None:
        from oclab.sweep_store import atomic_write

        args.out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(args.out, lambda p: table.write_csv(p, float_precision=6))
    print(f"standard: {standard:g} hours ({STANDARD.source if args.standard is None else 'user'})")
    for row in table.iter_rows(named=True):
        low, high = row["hours_low"], row["hours_high"]
        hours = "unknown" if low is None else (f"{low:g}" if low == high else f"{low:g}-{high:g}")
        gap = "" if low is None else f", gap {row['gap_low']:g}..{row['gap_high']:g} h"
        print(f"{row['force_id']}: {hours} h{gap}, meets: {row['meets']} [{row['verification']}]")
    if args.out is not None:
        print(f"wrote {args.out}")
    return 0


def _feed(args: argparse.Namespace) -> int:
    from oclab.observatory.feed import judicial_calibration
    from oclab.observatory.io import load_folder
    from oclab.sweep_store import write_json

    if args.out.is_dir():
        raise InputError(args.out, "--out", "a JSON file name (a folder with that name exists)")
    data, report = load_folder(args.folder)
    document = judicial_calibration(
        data, threshold=args.threshold, source=f"oclab.observatory: {args.folder}"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_json(args.out, document)
    _report(report)
    print(f"wrote {args.out} (years {document['years'][0]}-{document['years'][1]})")
    return 0


def _engine(args: argparse.Namespace, migrate: bool = False):  # type: ignore[no-untyped-def]
    from sqlalchemy import inspect

    from oclab.observatory.store import upgrade
    from oclab.traces import db

    engine = db.make_engine(args.db)
    if migrate:
        upgrade(engine)
    elif "obs_alembic_version" not in inspect(engine).get_table_names():
        raise InputError(args.db, "--db", "an initialised store (run oclab observatory init-db)")
    return engine


def _init_db(args: argparse.Namespace) -> int:
    _engine(args, migrate=True)
    print(f"observatory store ready at {args.db}")
    return 0


def _store(args: argparse.Namespace) -> int:
    from oclab.observatory.io import load_folder
    from oclab.observatory.store import ObservatoryStore, load_key

    key = load_key(args.key_file)
    data, report = load_folder(args.folder)
    summary = ObservatoryStore(_engine(args)).import_dataset(data, report, key, str(args.folder))
    _report(report)
    for line in summary.lines():
        print(line)
    print(f"stored as import batch {summary.batch_id} in {args.db}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from oclab.observatory.service import Observatory
    from oclab.observatory.store import ObservatoryStore
    from oclab.observatory.web import create_app
    from oclab.traces.policy import RESTRICTED
    from oclab.traces.store import Registry

    engine = _engine(args)
    observatory = Observatory(
        ObservatoryStore(engine), Registry(engine, RESTRICTED), threshold=args.threshold
    )
    uvicorn.run(create_app(observatory), host=args.host, port=args.port)
    return 0
