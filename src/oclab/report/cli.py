"""``oclab report RESULTS_DIR [--out FILE]``: rebuild the HTML report from stored results."""

from __future__ import annotations

import argparse
from pathlib import Path

from oclab.core.results import REPORT, load_results, text_writer, write_outputs


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``report`` command."""
    report = sub.add_parser("report", help="rebuild report.html from a stored results folder")
    report.add_argument("results", type=Path)
    report.add_argument("--out", type=Path, help="report file (default RESULTS/report.html)")
    report.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Read the results folder (never re-running the model) and write the report."""
    from oclab.report.html import render_report

    results, summary, meta = load_results(args.results)
    target = args.out or args.results / REPORT
    html = render_report(results, summary, meta)
    write_outputs(target.parent, {target.name: text_writer(html)})
    print(f"wrote {target}")
    return 0
