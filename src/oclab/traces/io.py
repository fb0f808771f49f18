"""CSV import and export of trace records (request columns of ATF F 3312.1 plus result columns).

Import validates every row with the rules of :mod:`oclab.traces.validate` (column-wise, the same
rules as the web form and the API). Bad rows are never dropped: they go to a quarantine CSV with
their line number and, per bad field, what was expected; the good rows are stored in one
transaction. A file-level problem (unreadable file, a missing or unknown column) is an
:class:`~oclab.errors.InputError` naming the file, the column and what was expected, and nothing
is stored. Export writes what the user's policy lets them read, atomically (temporary file then
rename), so a failure leaves no half-written file.
"""

from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from oclab.errors import InputError
from oclab.traces.policy import Principal
from oclab.traces.schema import RESULT_FIELDS
from oclab.traces.store import Registry
from oclab.traces.validate import REQUEST_RULES, RESULT_RULES, check_frame, typed

REQUIRED_COLUMNS: tuple[str, ...] = tuple(r.field for r in REQUEST_RULES if r.required)
RESULT_COLUMNS: tuple[str, ...] = tuple(r.field for r in RESULT_RULES)
KNOWN_COLUMNS: tuple[str, ...] = (
    *(r.field for r in REQUEST_RULES),
    *RESULT_COLUMNS,
    "trace_id",
    "agency_ori",
    "time_to_crime_days",
)


@dataclass(frozen=True)
class ImportReport:
    """What an import did: rows stored, rows quarantined and where they went."""

    imported: int
    quarantined: int
    quarantine: Path | None


def read_csv(path: Path) -> tuple[pl.DataFrame, list[dict[str, str]]]:
    """The rows of ``path`` as text columns with ``_line``, and the ragged rows (by line)."""
    try:
        with path.open(newline="", encoding="utf-8") as file:
            reader = csv.reader(file)
            header = next(reader, None)
            if not header:
                raise InputError(path, "header", "a CSV header naming the trace columns")
            header = [h.strip() for h in header]
            rows, ragged = [], []
            for values in reader:
                line = reader.line_num
                if len(values) == len(header):
                    rows.append([str(line), *values])
                elif any(v.strip() for v in values):
                    ragged.append({"_line": str(line), "_raw": ",".join(values)})
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InputError(path, "file", f"a readable UTF-8 CSV file ({error})") from None
    unknown = [h for h in header if h not in KNOWN_COLUMNS]
    if unknown:
        raise InputError(path, unknown[0], "a known column: " + ", ".join(KNOWN_COLUMNS))
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputError(path, missing[0], "a column with this name (required trace field)")
    if len(set(header)) != len(header):
        raise InputError(path, "header", "each column once")
    schema = dict.fromkeys(["_line", *header], pl.String)
    table = pl.DataFrame(rows, schema=schema, orient="row").with_columns(
        pl.col("_line").cast(pl.Int64)
    )
    return table, ragged


def import_csv(
    registry: Registry,
    agency_ori: str,
    path: Path,
    quarantine: Path | None = None,
) -> ImportReport:
    """Validate ``path`` and store its good rows for the agency ``agency_ori``."""
    path = Path(path)
    quarantine = Path(quarantine or path.with_suffix(".quarantine.csv"))
    table, ragged = read_csv(path)
    normal, problems = check_frame(table, REQUEST_RULES)
    if "status" in table.columns:
        result_normal, result_problems = check_frame(
            table.select("_line", *[c for c in RESULT_COLUMNS if c in table.columns]), RESULT_RULES
        )
        has_result = result_normal["status"] != ""
        result_problems = result_problems.filter(
            pl.col("_line").is_in(result_normal.filter(has_result)["_line"].implode())
        )
        problems = pl.concat([problems, result_problems])
        normal = normal.drop([c for c in RESULT_COLUMNS if c in normal.columns]).join(
            result_normal.select("_line", *RESULT_COLUMNS), on="_line"
        )
    problems = pl.concat([problems, _duplicate_uids(registry, agency_ori, normal, problems)])
    bad_lines = set(problems["_line"].to_list())
    good = normal.filter(~pl.col("_line").is_in(list(bad_lines)))
    requests = typed(good, REQUEST_RULES)
    results = pl.DataFrame()
    if "status" in good.columns:
        with_result = typed(requests.filter(pl.col("status") != ""), RESULT_RULES)
        results = with_result.with_columns(
            pl.when(pl.col("status") == "completed")
            .then((pl.col("recovery_date") - pl.col("purchase_date")).dt.total_days())
            .alias("time_to_crime_days")
        ).select("request_uid", *RESULT_FIELDS)
    bad = table.filter(pl.col("_line").is_in(list(bad_lines)))
    n_bad = bad.height + len(ragged)
    if n_bad:
        _write_quarantine(quarantine, bad, problems, ragged)
    registry.bulk_insert(agency_ori, requests, results)
    return ImportReport(requests.height, n_bad, quarantine if n_bad else None)


def _duplicate_uids(
    registry: Registry, agency_ori: str, normal: pl.DataFrame, problems: pl.DataFrame
) -> pl.DataFrame:
    """Problems for request_uids repeated in the file or already stored for the agency."""
    existing = registry.frame_uids(agency_ori)
    seen_twice = ~normal["request_uid"].is_first_distinct()  # the first occurrence is kept
    stored = normal["request_uid"].is_in(existing)
    dupes = normal.filter(seen_twice | stored).select(
        "_line",
        pl.lit("request_uid").alias("field"),
        pl.lit("a request_uid used once per agency (not repeated, not already stored)").alias(
            "expected"
        ),
        pl.col("request_uid").alias("got"),
    )
    return dupes.cast(problems.schema)


def _write_quarantine(
    target: Path, bad: pl.DataFrame, problems: pl.DataFrame, ragged: list[dict[str, str]]
) -> None:
    reasons = problems.group_by("_line").agg(
        pl.concat_str([pl.col("field"), pl.lit(": expected "), pl.col("expected")])
        .str.join("; ")
        .alias("_errors")
    )
    out = bad.join(reasons, on="_line", how="left").sort("_line")
    if ragged:
        raw = pl.DataFrame(ragged).with_columns(
            pl.col("_line").cast(pl.Int64),
            pl.lit("row: expected as many fields as the header").alias("_errors"),
        )
        out = pl.concat([out, raw], how="diagonal")
    _atomic(target, out.sort("_line"))


def export_csv(registry: Registry, who: Principal, target: Path) -> int:
    """Write the traces ``who`` may read to ``target`` (atomically); the number of rows."""
    table = registry.frame(who, level="records")
    _atomic(Path(target), table)
    return table.height


def _atomic(target: Path, table: pl.DataFrame) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    try:
        table.write_csv(scratch)
        os.replace(scratch, target)
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)
