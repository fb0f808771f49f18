"""``oclab serve [--host 127.0.0.1] [--port 8000] [--results DIR]``: the web dashboard.

Bound to the loopback interface by default. Bound elsewhere, launching runs requires an access
token: ``$OCLAB_TOKEN`` if set, else a random one printed at start. ``$OCLAB_TOKEN`` also protects
a loopback server when set.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import secrets
from pathlib import Path

from oclab.cli_args import whole_number

TOKEN_ENV = "OCLAB_TOKEN"


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``serve`` command."""
    serve = sub.add_parser("serve", help="web dashboard over stored results (FastAPI)")
    serve.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    serve.add_argument(
        "--port", type=whole_number(1, 65535), default=8000, help="port (default 8000)"
    )
    serve.add_argument(
        "--results", type=Path, default=Path("out"), help="results root (default out/)"
    )
    serve.add_argument(
        "--max-runs",
        type=whole_number(1, 10_000),
        default=200,
        help="largest ensemble a form may launch",
    )
    serve.set_defaults(handler=run)


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address or ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def access_token(host: str, environ: dict[str, str] | None = None) -> str | None:
    """The token runs require: ``$OCLAB_TOKEN``, else a fresh one off loopback, else none."""
    env = os.environ if environ is None else environ
    given = env.get(TOKEN_ENV, "").strip()
    if given:
        return given
    return None if is_loopback(host) else secrets.token_urlsafe(24)


def run(args: argparse.Namespace) -> int:
    """Start the dashboard and serve until interrupted."""
    import uvicorn

    from oclab.errors import InputError
    from oclab.web.app import create_app

    if args.results.exists() and not args.results.is_dir():
        raise InputError(args.results, "--results", "a folder of results folders")
    token = access_token(args.host)
    app = create_app(args.results, token=token, max_runs=args.max_runs)
    print(f"oclab dashboard: http://{args.host}:{args.port}/ (results from {args.results}/)")
    if token is not None:
        print(f"launching runs requires the access token: {token}")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
