"""Import the observatory's CSV tables with validation; bad rows are quarantined, not dropped.

Each table (see :mod:`oclab.observatory.schema`) is read as text, checked column by column and
row by row with vectorised Polars expressions, and split in two: the accepted rows, typed, and
the quarantined rows, kept verbatim with their file line number and the first problem found.
Checks: required values, enumerations, id patterns, dates and booleans that parse, the order of
a case's dates, courts that exist, duplicate keys (every copy is quarantined: the importer cannot
know which one is right), outcomes consistent with the dates, and charges or defendants whose
case was accepted. A missing column or an unreadable file is an :class:`InputError`; so is a
cases table with no usable row left. Line numbers assume no line breaks inside quoted fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from oclab.errors import InputError
from oclab.observatory.schema import DATE_ORDER, TABLES, Column

LINE = "source_line"
FILE = "source_file"
PROBLEM = "problem"


@dataclass
class Dataset:
    """The accepted, typed tables."""

    courts: pl.DataFrame
    cases: pl.DataFrame
    charges: pl.DataFrame
    defendants: pl.DataFrame


@dataclass
class ImportReport:
    """What was accepted and what was quarantined, per table."""

    accepted: dict[str, int] = field(default_factory=dict)
    quarantined: dict[str, pl.DataFrame] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """One human-readable line per table."""
        out = []
        for table, n in self.accepted.items():
            bad = self.quarantined.get(table)
            text = f"{table}: {n} accepted"
            if bad is not None and bad.height:
                first = bad.row(0, named=True)
                text += f", {bad.height} quarantined (first: line {first[LINE]}: {first[PROBLEM]})"
            out.append(text)
        return out


def _empty(columns: tuple[Column, ...]) -> pl.DataFrame:
    schema = {c.name: c.dtype for c in columns} | {FILE: pl.String(), LINE: pl.Int64()}
    return pl.DataFrame(schema=schema)


def _read_raw(path: Path, columns: tuple[Column, ...]) -> pl.DataFrame:
    try:
        raw = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InputError(path, "file", f"a readable CSV file ({exc})") from None
    for c in columns:
        if c.name not in raw.columns:
            raise InputError(path, c.name, f"a column {c.name!r} (see docs/observatory.md)")
    names = [c.name for c in columns]
    raw = raw.select(pl.col(n).str.strip_chars() for n in names)
    # Empty text means "no value"; header is line 1 so data row i (0-based) is line i + 2.
    raw = raw.with_columns(
        pl.when(pl.col(n) == "").then(None).otherwise(pl.col(n)).alias(n) for n in names
    )
    return raw.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias(LINE))


def _parsed(c: Column) -> pl.Expr:
    col = pl.col(c.name)
    if c.kind == "date":
        return col.str.to_date("%Y-%m-%d", strict=False)
    if c.kind == "bool":
        low = col.str.to_lowercase()
        return pl.when(low == "true").then(True).when(low == "false").then(False)
    if c.kind == "int":
        return col.cast(pl.Int64, strict=False)
    return col


def _column_checks(c: Column) -> list[tuple[pl.Expr, str]]:
    col = pl.col(c.name)
    checks: list[tuple[pl.Expr, str]] = []
    if c.required:
        checks.append((col.is_null(), "missing value"))
    if c.kind in ("date", "bool", "int"):
        what = {"date": "a date YYYY-MM-DD", "bool": "true or false", "int": "a whole number"}
        checks.append((col.is_not_null() & _parsed(c).is_null(), f"expected {what[c.kind]}"))
    if c.allowed:
        checks.append(
            (col.is_not_null() & ~col.is_in(c.allowed), f"expected one of {'|'.join(c.allowed)}")
        )
    if c.pattern:
        checks.append(
            (
                col.is_not_null() & ~col.str.contains(c.pattern),
                f"expected text matching {c.pattern}",
            )
        )
    return [(e, f"{c.name}: {m}") for e, m in checks]


def _case_checks(known_courts: pl.Series) -> list[tuple[pl.Expr, str]]:
    d = {n: pl.col(n).str.to_date("%Y-%m-%d", strict=False) for n in DATE_ORDER}
    checks: list[tuple[pl.Expr, str]] = []
    for i, later in enumerate(DATE_ORDER):
        for earlier in DATE_ORDER[:i]:
            checks.append((d[earlier] > d[later], f"{later}: before {earlier}"))
    court = pl.col("court_id")
    outcome = pl.col("outcome")
    checks += [
        (court.is_not_null() & ~court.is_in(known_courts.implode()), "court_id: unknown court"),
        (court.is_null() & d["charge_date"].is_not_null(), "court_id: missing for a charged case"),
        (
            outcome.is_in(["conviction", "acquittal"]) & d["charge_date"].is_null(),
            "charge_date: missing for a conviction or acquittal",
        ),
        (
            (outcome == "pending") & d["verdict_date"].is_not_null(),
            "verdict_date: set on a pending case",
        ),
        (
            (outcome != "pending") & d["verdict_date"].is_null(),
            "verdict_date: missing for a concluded case",
        ),
    ]
    return checks


def _split(
    path: Path, table: str, extra: list[tuple[pl.Expr, str]]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    _, columns, key = TABLES[table]
    raw = _read_raw(path, columns)
    checks = [chk for c in columns for chk in _column_checks(c)] + extra
    first_line = pl.col(LINE).min().over(key)
    checks.append((pl.len().over(key) > 1, f"{'+'.join(key)}: duplicate (first copy on line "))
    exprs = [
        pl.when(bad).then(
            pl.concat_str(pl.lit(msg), first_line.cast(pl.String), pl.lit(")"))
            if msg.endswith("line ")
            else pl.lit(msg)
        )
        for bad, msg in checks
    ]
    flagged = raw.with_columns(pl.coalesce(exprs).alias(PROBLEM))
    good = flagged.filter(pl.col(PROBLEM).is_null()).select(
        *(_parsed(c).cast(c.dtype).alias(c.name) for c in columns),
        pl.lit(str(path)).alias(FILE),
        LINE,
    )
    bad = flagged.filter(pl.col(PROBLEM).is_not_null()).select(
        LINE, PROBLEM, *(c.name for c in columns)
    )
    return good, bad


def read_table(
    path: str | Path,
    table: str,
    *,
    courts: pl.Series | None = None,
    cases: pl.Series | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Accepted (typed) and quarantined (verbatim, with ``source_line`` and ``problem``) rows.

    ``courts`` are the known court ids (required for ``cases``); ``cases`` the accepted case
    ids (required for ``charges`` and ``defendants``).
    """
    path = Path(path)
    extra: list[tuple[pl.Expr, str]] = []
    if table == "cases":
        extra = _case_checks(courts if courts is not None else pl.Series([], dtype=pl.String))
    elif table in ("charges", "defendants"):
        known = cases if cases is not None else pl.Series([], dtype=pl.String)
        extra = [
            (~pl.col("case_id").is_in(known.implode()), "case_id: unknown or quarantined case")
        ]
    return _split(path, table, extra)


def from_cases(cases: pl.DataFrame, defendants: pl.DataFrame | None = None) -> Dataset:
    """A data set of a cases table alone (courts and charges empty; defendants if given)."""
    empty = {table: _empty(columns) for table, (_, columns, _) in TABLES.items()}
    return Dataset(
        courts=empty["courts"],
        cases=cases,
        charges=empty["charges"],
        defendants=empty["defendants"] if defendants is None else defendants,
    )


def load_folder(folder: str | Path) -> tuple[Dataset, ImportReport]:
    """Read ``courts.csv``, ``cases.csv`` and (optional) ``charges.csv``, ``defendants.csv``."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError(root, "folder", "a folder holding courts.csv and cases.csv")
    report = ImportReport()
    frames: dict[str, pl.DataFrame] = {}
    for table, (name, columns, _) in TABLES.items():
        path = root / name
        if not path.is_file():
            if table in ("courts", "cases"):
                raise InputError(path, "file", f"the {table} table (see docs/observatory.md)")
            frames[table] = _empty(columns)
            report.accepted[table] = 0
            continue
        good, bad = read_table(
            path,
            table,
            courts=frames["courts"]["court_id"] if "courts" in frames else None,
            cases=frames["cases"]["case_id"] if "cases" in frames else None,
        )
        if table == "cases" and good.height == 0:
            first = f"; first: line {bad[LINE][0]}: {bad[PROBLEM][0]}" if bad.height else ""
            raise InputError(
                path, "rows", f"at least one valid case ({bad.height} quarantined{first})"
            )
        frames[table] = good
        report.accepted[table] = good.height
        report.quarantined[table] = bad
    return Dataset(**frames), report
