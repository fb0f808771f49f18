"""Police basic-training standards: the cited dataset, user tables and the gap to a standard.

Report section I.B: basic training of Mexican police varied "from months to weeks" between
states, and some localities required almost none. The shipped table
(``oclab/data/police_training/training.csv``, sources in its ``PROVENANCE.md``) holds one row
per force or group of forces with the basic-training length in hours: ``hours`` when a source
gives one figure, ``hours_low``..``hours_high`` when it gives a range or a length in weeks or
months (converted at the rate the row's source column states). ``verification`` is ``verified``
(figure read in the cited source) or ``check`` (recalled or interpreted: to be checked before
use). :func:`training_gap` compares each row with a proposed national standard in hours
(default :data:`STANDARD`, the Programa Rector's formación inicial for preventive police).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

import oclab.data
from oclab.core.params import Parameter
from oclab.errors import InputError

DATA = Path(oclab.data.__file__).parent / "police_training" / "training.csv"
LEVELS = ("standard", "federal", "state", "municipal", "comparison")
VERIFICATION = ("verified", "check")
COLUMNS = (
    "force_id",
    "country",
    "level",
    "force",
    "year",
    "hours",
    "hours_low",
    "hours_high",
    "curriculum",
    "source",
    "verification",
)
STANDARD = Parameter(
    "training_standard",
    "hours",
    972.0,
    486.0,
    1400.0,
    source="SESNSP, Programa Rector de Profesionalización (2017), minimum hours of formación "
    "inicial for aspiring preventive police (check the edition's table)",
    description="proposed national standard for basic police training",
)

_REQUIRED = ("force_id", "country", "level", "force", "source", "verification")
_NUMBERS = ("hours", "hours_low", "hours_high")


def _first_bad(frame: pl.DataFrame, bad: pl.Expr) -> dict | None:
    rows = frame.filter(bad.fill_null(False)).head(1).to_dicts()
    return rows[0] if rows else None


def validate_training(raw: pl.DataFrame, source: str | Path) -> pl.DataFrame:
    """The typed table, or an :class:`InputError` naming the first bad line and field.

    ``raw`` holds the CSV as text (every column a string) with a ``line`` column.
    """
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise InputError(source, missing[0], "a column of that name (see docs/observatory.md)")
    text = raw.with_columns(pl.col(c).str.strip_chars().replace("", None) for c in COLUMNS)
    numbers = {c: pl.col(c).cast(pl.Float64, strict=False) for c in _NUMBERS}
    year = pl.col("year").cast(pl.Int64, strict=False)
    checks: list[tuple[str, pl.Expr, str]] = [
        (c, pl.col(c).is_null(), "a value (required)") for c in _REQUIRED
    ]
    checks += [
        ("force_id", ~pl.col("force_id").str.contains(r"^[a-z0-9_]+$"), "an id of a-z, 0-9, _"),
        ("force_id", pl.len().over("force_id") > 1, "an id used once (duplicate)"),
        ("country", ~pl.col("country").str.contains(r"^[A-Z]{2}$"), "an ISO 3166 code like MX"),
        ("level", ~pl.col("level").is_in(LEVELS), f"one of {'|'.join(LEVELS)}"),
        ("verification", ~pl.col("verification").is_in(VERIFICATION), "verified or check"),
        (
            "year",
            pl.col("year").is_not_null() & ~year.is_between(1900, 2100).fill_null(False),
            "a year between 1900 and 2100",
        ),
    ]
    for c, value in numbers.items():
        checks.append(
            (
                c,
                pl.col(c).is_not_null() & ~(value >= 0).fill_null(False),
                "a number of hours >= 0",
            )
        )
    low = pl.coalesce(numbers["hours_low"], numbers["hours"])
    high = pl.coalesce(numbers["hours_high"], numbers["hours"])
    checks += [
        ("hours_high", low > high, "hours_high >= hours_low"),
        ("hours", numbers["hours"] < low, "hours within hours_low..hours_high"),
        ("hours", numbers["hours"] > high, "hours within hours_low..hours_high"),
        (
            "hours_low",
            numbers["hours_low"].is_null() != numbers["hours_high"].is_null(),
            "hours_low and hours_high both given or both empty",
        ),
    ]
    for field, bad, expected in checks:
        row = _first_bad(text, bad)
        if row is not None:
            raise InputError(source, f"line {row['line']}: {field}", expected, row[field])
    return text.select(
        *(pl.col(c) for c in ("force_id", "country", "level", "force")),
        year.alias("year"),
        numbers["hours"].alias("hours"),
        low.alias("hours_low"),
        high.alias("hours_high"),
        pl.col("curriculum"),
        pl.col("source"),
        pl.col("verification"),
    )


def load_training(path: str | Path | None = None) -> pl.DataFrame:
    """The shipped dataset (``path`` None) or a user CSV in the same format, validated."""
    path = Path(path) if path is not None else DATA
    if not path.is_file():
        raise InputError(path, "file", "a CSV file of training standards")
    try:
        raw = pl.read_csv(path, infer_schema=False, encoding="utf8")
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, UnicodeDecodeError) as error:
        raise InputError(path, "file", f"a UTF-8 CSV file with a header row ({error})") from None
    raw = raw.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias("line"))
    return validate_training(raw, path)


def training_gap(table: pl.DataFrame, standard: float = STANDARD.default) -> pl.DataFrame:
    """Each force's basic training against ``standard`` hours.

    ``gap_hours`` = standard - hours (positive: short of the standard; empty without a single
    figure); ``gap_low``/``gap_high`` the same over the range; ``share_of_standard`` = hours /
    standard; ``meets``: ``yes`` (whole range at or above), ``no`` (whole range below),
    ``unclear`` (range straddles the standard) or ``unknown`` (no figure).
    """
    if not standard > 0:
        raise InputError("--standard", "standard", "a number of hours > 0", standard)
    low, high = pl.col("hours_low"), pl.col("hours_high")
    return table.with_columns(
        standard_hours=pl.lit(float(standard)),
        gap_hours=standard - pl.col("hours"),
        gap_low=standard - high,
        gap_high=standard - low,
        share_of_standard=pl.col("hours") / standard,
        meets=pl.when(low.is_null())
        .then(pl.lit("unknown"))
        .when(low >= standard)
        .then(pl.lit("yes"))
        .when(high < standard)
        .then(pl.lit("no"))
        .otherwise(pl.lit("unclear")),
    )
