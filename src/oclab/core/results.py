"""Results on disk: written all at once or not at all, and reloaded without re-running.

A results folder holds ``results.parquet`` (tidy: ``scenario, run, time, outcome, value`` plus
``group`` and ``week``), ``summary.csv``, ``study.json`` (the study, command, versions) and
``report.html``. Files are first written into a temporary folder beside the target and moved in
only when every one of them is complete, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import polars as pl

from oclab.errors import InputError

RESULTS = "results.parquet"
SUMMARY = "summary.csv"
META = "study.json"
REPORT = "report.html"

Writer = Callable[[Path], None]


def check_output_dir(out_dir: Path) -> None:
    """Fail early, before any work, if ``out_dir`` cannot become a results folder."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(out_dir, "--out", "a folder (a file with that name exists)")
    parent = out_dir.parent if not out_dir.exists() else out_dir
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK):
        raise InputError(out_dir, "--out", "a folder this user can write to")


def write_outputs(out_dir: Path, writers: Mapping[str, Writer]) -> None:
    """Write every file through its writer into a scratch folder, then move all into place."""
    check_output_dir(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    try:
        for name, write in writers.items():
            write(scratch / name)
        out_dir.mkdir(exist_ok=True)
        for name in writers:
            os.replace(scratch / name, out_dir / name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def parquet_writer(table: pl.DataFrame) -> Writer:
    return lambda path: table.write_parquet(path, compression="zstd")


def csv_writer(table: pl.DataFrame) -> Writer:
    return lambda path: table.write_csv(path, float_precision=6)


def json_writer(document: Mapping[str, Any]) -> Writer:
    return lambda path: path.write_text(
        json.dumps(document, indent=2, default=str), encoding="utf-8"
    )


def text_writer(text: str) -> Writer:
    return lambda path: path.write_text(text, encoding="utf-8")


def load_results(folder: str | Path) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, Any]]:
    """The results table, the summary and the study metadata stored in ``folder``."""
    root = Path(folder)
    for name in (RESULTS, SUMMARY, META):
        if not (root / name).is_file():
            raise InputError(root, name, "a results folder written by oclab (missing file)")
    try:
        results = pl.read_parquet(root / RESULTS)
        summary = pl.read_csv(root / SUMMARY)
        meta = json.loads((root / META).read_text(encoding="utf-8"))
    except (pl.exceptions.PolarsError, OSError, json.JSONDecodeError) as exc:
        raise InputError(root, "contents", f"readable oclab results ({exc})") from None
    return results, summary, meta
