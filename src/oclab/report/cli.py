"""``oclab report RESULTS_DIR [--lang en|es] [--out FILE]``: rebuild the HTML report from stored
results, in English or Spanish."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from oclab.core.results import REPORT, load_results, text_writer, write_outputs
from oclab.report.i18n import LANGUAGES


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``report`` command."""
    report = sub.add_parser("report", help="rebuild report.html from a stored results folder")
    report.add_argument("results", type=Path)
    report.add_argument(
        "--out", type=Path, help="report file (default RESULTS/report.html, or report.LANG.html)"
    )
    report.add_argument(
        "--lang", choices=LANGUAGES, default="en", help="language of the report (default en)"
    )
    report.set_defaults(handler=run)


def default_target(results: Path, lang: str) -> Path:
    """``RESULTS/report.html`` in English, ``RESULTS/report.LANG.html`` otherwise."""
    return results / (REPORT if lang == "en" else f"report.{lang}.html")


def run(args: argparse.Namespace) -> int:
    """Read the results folder (never re-running the model) and write the report."""
    from oclab.report.html import render_report

    results, summary, meta = load_results(args.results)
    target = args.out or default_target(args.results, args.lang)
    command = ["oclab", "report", str(args.results), "--lang", args.lang]
    if args.out:
        command += ["--out", str(args.out)]
    html = render_report(results, summary, meta, lang=args.lang, report_command=shlex.join(command))
    write_outputs(target.parent, {target.name: text_writer(html)})
    print(f"wrote {target}")
    return 0
