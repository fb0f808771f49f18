"""``oclab traces init-db|add-agency|add-user|serve|generate|import|export|plan``.

The database is ``--db URL`` (default ``$OCLAB_TRACES_DB`` or ``sqlite:///traces.sqlite``);
``--policy`` is ``restricted`` (default), ``open`` or a TOML policy file. Passwords for
``add-user`` come from ``$OCLAB_TRACES_PASSWORD`` or a prompt, never from the command line.
Heavy modules are imported inside the handlers so ``oclab --help`` stays fast.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
from pathlib import Path

from oclab.errors import InputError


def _db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=os.environ.get("OCLAB_TRACES_DB", "sqlite:///traces.sqlite"),
        help="database URL: sqlite:///FILE (default) or postgresql://USER:PASS@HOST/DB",
    )
    parser.add_argument("--policy", default="restricted", help="restricted, open or a TOML file")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``traces`` command and its subcommands."""
    traces = sub.add_parser("traces", help="firearm trace registry, analytics and inspector plan")
    tsub = traces.add_subparsers(dest="traces_command", required=True, metavar="SUBCOMMAND")
    init = tsub.add_parser("init-db", help="create or upgrade the registry's tables")
    _db(init)
    init.set_defaults(handler=_init_db)
    agency = tsub.add_parser("add-agency", help="register a requesting agency (ORI number)")
    _db(agency)
    agency.add_argument("ori")
    agency.add_argument("name")
    agency.add_argument("--country", required=True, help="ISO 3166 code, e.g. MX")
    agency.add_argument("--jurisdiction", default="", help="state code, e.g. CHH or TX")
    agency.set_defaults(handler=_add_agency)
    user = tsub.add_parser("add-user", help="create a user (password from the environment)")
    _db(user)
    user.add_argument("username")
    user.add_argument(
        "--role", required=True, choices=("national", "police", "foreign", "researcher", "public")
    )
    user.add_argument("--agency", help="ORI of the user's agency (agency roles)")
    user.set_defaults(handler=_add_user)
    serve = tsub.add_parser("serve", help="serve the pages and the REST API")
    _db(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8010)
    serve.set_defaults(handler=_serve)
    gen = tsub.add_parser("generate", help="write synthetic Mexico traces (GAO-calibrated) to CSV")
    gen.add_argument("out", type=Path)
    gen.add_argument("--n", type=int, help="number of traces (default 104,850, GAO-16-223)")
    gen.add_argument("--seed", type=int, default=0)
    gen.set_defaults(handler=_generate)
    imp = tsub.add_parser("import", help="validate and store a trace CSV (bad rows quarantined)")
    _db(imp)
    imp.add_argument("file", type=Path)
    imp.add_argument("--agency", required=True, help="ORI of the requesting agency")
    imp.add_argument("--quarantine", type=Path, help="bad rows (default FILE.quarantine.csv)")
    imp.set_defaults(handler=_import)
    exp = tsub.add_parser("export", help="write the traces a user may read to CSV")
    _db(exp)
    exp.add_argument("file", type=Path)
    exp.add_argument("--user", required=True, help="export with this user's rights")
    exp.set_defaults(handler=_export)
    plan = tsub.add_parser("plan", help="inspector deployment plan (HiGHS MILP)")
    _db(plan)
    plan.add_argument("--inspectors", type=int, required=True)
    plan.add_argument("--cost", type=float, default=1.0, help="cost per inspector")
    plan.add_argument("--budget", type=float, help="total budget (same unit as --cost)")
    plan.add_argument("--out", type=Path, required=True, help="folder for the plan files")
    plan.set_defaults(handler=_plan)


def _registry(args: argparse.Namespace, migrate: bool = False):  # type: ignore[no-untyped-def]
    from sqlalchemy import inspect

    from oclab.traces import db
    from oclab.traces.policy import load_policy
    from oclab.traces.store import Registry

    engine = db.make_engine(args.db)
    if migrate:
        db.upgrade(engine)
    elif "alembic_version" not in inspect(engine).get_table_names():
        raise InputError(args.db, "--db", "an initialised registry (run oclab traces init-db)")
    return Registry(engine, load_policy(args.policy))


def _init_db(args: argparse.Namespace) -> int:
    _registry(args, migrate=True)
    print(f"registry ready at {args.db}")
    return 0


def _add_agency(args: argparse.Namespace) -> int:
    agency_id = _registry(args).add_agency(args.ori, args.name, args.country, args.jurisdiction)
    print(f"agency {args.ori} has id {agency_id}")
    return 0


def _add_user(args: argparse.Namespace) -> int:
    password = os.environ.get("OCLAB_TRACES_PASSWORD") or getpass.getpass("password: ")
    try:
        user_id = _registry(args).add_user(None, args.username, password, args.role, args.agency)
    except ValueError as error:
        raise InputError("add-user", "arguments", str(error)) from None
    print(f"user {args.username} ({args.role}) has id {user_id}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from oclab.traces.web import create_app

    uvicorn.run(create_app(_registry(args)), host=args.host, port=args.port)
    return 0


def _generate(args: argparse.Namespace) -> int:
    import numpy as np

    from oclab.traces.generate import generate
    from oclab.traces.io import _atomic

    table = generate(np.random.default_rng(args.seed), n=args.n)
    _atomic(args.out, table.drop("agency_ori"))
    print(f"wrote {table.height:,} synthetic traces to {args.out}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from oclab.traces.io import import_csv

    if not args.file.is_file():
        raise InputError(args.file, "file", "an existing CSV file")
    registry = _registry(args)
    try:
        registry.agency_id(args.agency)
    except LookupError:
        raise InputError(
            "--agency", "agency", "the ORI of a registered agency", args.agency
        ) from None
    report = import_csv(registry, args.agency, args.file, args.quarantine)
    print(f"imported {report.imported:,} traces")
    if report.quarantined:
        print(f"quarantined {report.quarantined:,} rows to {report.quarantine}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from oclab.traces.io import export_csv

    registry = _registry(args)
    try:
        who = registry.principal_by_username(args.user)
    except LookupError:
        raise InputError("--user", "user", "an existing user name", args.user) from None
    print(f"wrote {export_csv(registry, who, args.file):,} traces to {args.file}")
    return 0


def _plan(args: argparse.Namespace) -> int:
    from oclab.core.results import write_outputs
    from oclab.traces import deploy
    from oclab.traces.policy import Principal

    if args.inspectors < 0:
        raise InputError("--inspectors", "inspectors", "a whole number >= 0", args.inspectors)
    registry = _registry(args)
    operator = Principal(username="(command line)", role="national")
    result = deploy.plan(
        deploy.dealer_values(registry.frame(operator)), args.inspectors, args.cost, args.budget
    )
    summary = result.summary()
    write_outputs(
        args.out,
        {
            "plan_dealers.csv": result.dealers.write_csv,
            "plan_regions.csv": result.regions.write_csv,
            "plan.json": lambda path: path.write_text(json.dumps(summary, indent=2)),
        },
    )
    print(
        f"{summary['status']}: inspect {summary['dealers_inspected']} dealers with "
        f"{summary['inspectors_used']} inspectors, intercepting "
        f"{summary['intercepted_per_year']:.0f} of {summary['flagged_per_year']:.0f} flagged "
        f"guns a year ({100 * summary['intercept_share']:.1f} %); wrote {args.out}"
    )
    return 0
