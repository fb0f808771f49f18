"""Validation of trace requests and results: one set of column-wise rules for a web form, an
API call and a CSV file (a form is validated as a one-row table, so the three agree).

Every field has a strict pattern. Free text allows letters (any alphabet), digits, spaces and
``. , ' / & ( ) # : + -`` only, refuses ``--``, ``/*``, ``*/`` and ``../``, and may not start
with ``+``, ``-`` or ``@`` (spreadsheet formulas); so SQL, HTML, template and path injection
strings are refused with a message naming the field, before anything reaches the database
(which is only ever queried with bound parameters anyway).

Rules run as polars expressions (Rust regex and date parsing): no Python loop per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from oclab.traces.geo import MX_STATES, US_STATES
from oclab.traces.schema import FAILURE_REASONS, FIREARM_TYPES, PRIORITIES, TRACE_STATUSES

TEXT_PATTERN = r"^[\w .,'/&()#:+-]*$"
FORBIDDEN = ("--", "/*", "*/", "../", "..\\")
SERIAL_PATTERN = r"^[A-Z0-9][A-Z0-9-]{1,29}$"
PARTIAL_SERIAL_PATTERN = r"^[A-Z0-9*-]{0,30}$"
#: Calibers accepted in form item 5e (common NTC caliber codes, normalised to upper case).
CALIBERS: tuple[str, ...] = (
    ".22",
    ".22 LR",
    ".22 WMR",
    ".223",
    ".25",
    ".243",
    ".270",
    ".30-06",
    ".30-30",
    ".300",
    ".308",
    ".32",
    ".357",
    ".38",
    ".38 SUPER",
    ".380",
    ".40",
    ".410 GA",
    ".44",
    ".45",
    ".50",
    ".50 BMG",
    "5.45MM",
    "5.56MM",
    "5.7MM",
    "6.5MM",
    "7.62MM",
    "7.62X39MM",
    "7.62X51MM",
    "7.62X54MM",
    "9MM",
    "10MM",
    "12 GA",
    "16 GA",
    "20 GA",
)
TRUE_WORDS = ("true", "yes", "y", "1", "si", "sí", "on")
FALSE_WORDS = ("false", "no", "n", "0", "off", "")
EARLIEST = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class Rule:
    """One field: its kind, whether required, its maximum length and the message if bad."""

    field: str
    kind: str  # text | code | enum | date | bool | serial | int
    expected: str
    required: bool = False
    max_len: int = 100
    pattern: str | None = None
    choices: tuple[str, ...] = ()
    upper: bool = False


def _text(field: str, max_len: int, required: bool = False) -> Rule:
    return Rule(
        field,
        "text",
        f"text of at most {max_len} characters (letters, digits, spaces and . , ' / & ( ) # : + -"
        ", not starting with + - @, without -- /* */ ../)" + ("; required" if required else ""),
        required,
        max_len,
        TEXT_PATTERN,
    )


def _date(field: str, required: bool) -> Rule:
    return Rule(
        field,
        "date",
        "a calendar date YYYY-MM-DD between 1900-01-01 and today"
        + ("; required" if required else ""),
        required,
        10,
    )


STATE_CODES: tuple[str, ...] = (*US_STATES, *MX_STATES)
REQUEST_RULES: tuple[Rule, ...] = (
    Rule(
        "request_uid",
        "code",
        "an identifier of 1-64 letters, digits, _ or -",
        True,
        64,
        r"^[A-Za-z0-9_-]{1,64}$",
    ),
    _date("request_date", True),
    Rule("priority", "enum", "routine or urgent", False, 10, choices=PRIORITIES),
    _text("special_instructions", 500),
    Rule("ncic_crime_code", "code", "a 4-digit NCIC crime code, e.g. 5212", True, 4, r"^\d{4}$"),
    Rule(
        "project_code", "code", "up to 40 letters, digits, _ or -", False, 40, r"^[A-Za-z0-9_-]*$"
    ),
    Rule(
        "agency_case_number",
        "code",
        "up to 40 letters, digits, /, _ or -",
        False,
        40,
        r"^[A-Za-z0-9/_-]*$",
    ),
    _text("unit", 100),
    Rule(
        "serial_number",
        "serial",
        "a serial number of 2-30 letters, digits or hyphens starting with a letter or digit "
        "(with 'serial obliterated' set: empty or the legible part, * for unreadable characters)",
        True,
        30,
        SERIAL_PATTERN,
        upper=True,
    ),
    Rule("serial_obliterated", "bool", "yes or no", False, 5),
    _text("manufacturer", 100, True),
    Rule(
        "firearm_type",
        "enum",
        "one of " + ", ".join(FIREARM_TYPES),
        True,
        20,
        choices=FIREARM_TYPES,
    ),
    Rule(
        "caliber",
        "enum",
        "a caliber from the NTC list, e.g. 9MM, .223, 7.62X39MM, .38 SUPER, 12 GA",
        True,
        20,
        choices=CALIBERS,
        upper=True,
    ),
    _text("model", 60, True),
    Rule(
        "country_of_origin",
        "code",
        "a two-letter ISO 3166 country code, e.g. US",
        True,
        2,
        r"^[A-Z]{2}$",
        upper=True,
    ),
    Rule(
        "importer",
        "text",
        "the importer's name (required when the country of origin is not US); "
        "text of at most 100 characters",
        False,
        100,
        TEXT_PATTERN,
    ),
    _text("additional_markings", 500),
    _text("possessor_name", 120),
    _date("possessor_dob", False),
    _date("recovery_date", True),
    _text("recovery_city", 100),
    Rule(
        "recovery_state",
        "enum",
        "a US state (USPS code, e.g. TX) or Mexican state (ISO 3166-2:MX, e.g. CHH)",
        True,
        3,
        choices=STATE_CODES,
        upper=True,
    ),
    Rule(
        "recovery_country",
        "code",
        "a two-letter ISO 3166 country code, e.g. MX",
        True,
        2,
        r"^[A-Z]{2}$",
        upper=True,
    ),
)
RESULT_RULES: tuple[Rule, ...] = (
    Rule("status", "enum", "one of " + ", ".join(TRACE_STATUSES), True, 20, choices=TRACE_STATUSES),
    Rule(
        "failure_reason",
        "enum",
        "empty or one of " + ", ".join(FAILURE_REASONS),
        False,
        30,
        choices=("", *FAILURE_REASONS),
    ),
    Rule(
        "dealer_license",
        "code",
        "an FFL number: digits and hyphens, e.g. 5-74-12345",
        False,
        20,
        r"^[0-9-]*$",
    ),
    _text("dealer_name", 120),
    Rule(
        "dealer_state",
        "enum",
        "empty or a US state (USPS code)",
        False,
        2,
        choices=("", *US_STATES),
        upper=True,
    ),
    _text("purchaser_name", 120),
    Rule("purchaser_key", "code", "up to 32 letters or digits", False, 32, r"^[A-Za-z0-9]*$"),
    _date("purchase_date", False),
    Rule("multiple_sale", "bool", "yes or no", False, 5),
)
RULES: dict[str, Rule] = {r.field: r for r in (*REQUEST_RULES, *RESULT_RULES)}


def _normalized(rule: Rule) -> pl.Expr:
    expr = pl.col(rule.field).cast(pl.String).fill_null("").str.strip_chars()
    if rule.upper:
        expr = expr.str.to_uppercase()
    if rule.kind in ("enum", "bool") and not rule.upper:
        expr = expr.str.to_lowercase()
    return expr.alias(rule.field)


def _valid(rule: Rule, today: dt.date) -> pl.Expr:
    """True where the normalised value satisfies ``rule`` (cross-field checks excluded)."""
    value = pl.col(rule.field)
    empty = value == ""
    if rule.kind == "date":
        parsed = value.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
        ok = parsed.is_not_null() & (parsed >= EARLIEST) & (parsed <= today)
    elif rule.kind == "bool":
        ok = value.is_in([*TRUE_WORDS, *FALSE_WORDS])
    elif rule.kind == "enum":
        ok = value.is_in(list(rule.choices))
    elif rule.kind == "serial":
        # An obliterated serial may be empty or partial; a legible one must be a full serial.
        obliterated = pl.col("serial_obliterated").is_in(list(TRUE_WORDS))
        ok = pl.when(obliterated).then(value.str.contains(PARTIAL_SERIAL_PATTERN))
        ok = ok.otherwise(value.str.contains(SERIAL_PATTERN) & ~value.str.contains(r"^0+$"))
        return ok.fill_null(False)
    else:
        ok = value.str.contains(rule.pattern or ".*")
        if rule.kind == "text":
            for bad in FORBIDDEN:
                ok = ok & ~value.str.contains(bad, literal=True)
            ok = ok & ~value.str.contains(r"^[+@-]")
    ok = ok & (value.str.len_chars() <= rule.max_len)
    if not rule.required:
        ok = ok | empty
    elif rule.kind != "enum":
        ok = ok & ~empty
    return ok.fill_null(False)


def check_frame(
    table: pl.DataFrame, rules: tuple[Rule, ...], today: dt.date | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Validate every row of ``table`` (text columns named after the rules; ``_line`` kept).

    Returns ``(normalised, problems)``: the table with normalised text (same rows, same order)
    and one row per problem with ``_line, field, expected, got``.
    """
    today = today or dt.date.today()
    missing = [r.field for r in rules if r.field not in table.columns]
    table = table.with_columns(pl.lit("").alias(name) for name in missing)
    if "_line" not in table.columns:
        table = table.with_row_index("_line", offset=1)
    normal = table.with_columns(_normalized(r) for r in rules)
    checks = normal.select(
        "_line",
        *(_valid(r, today).alias(r.field) for r in rules),
        *_cross_checks(rules),
    )
    expected = {r.field: r.expected for r in rules} | _CROSS_EXPECTED
    got = normal.select("_line", *(pl.col(r.field) for r in rules)).unpivot(
        index="_line", variable_name="field", value_name="got"
    )
    problems = (
        checks.unpivot(index="_line", variable_name="field", value_name="ok")
        .filter(~pl.col("ok"))
        .with_columns(
            pl.col("field").str.replace(r"^check:", ""),
            pl.col("field").replace_strict(expected, return_dtype=pl.String).alias("expected"),
        )
        .join(got, on=["_line", "field"], how="left")
        .select("_line", "field", "expected", pl.col("got").fill_null(""))
        .sort("_line", "field")
    )
    return normal, problems


_CROSS_EXPECTED = {
    "check:importer": "the importer's name: required when the country of origin is not US",
    "check:recovery_date": "a recovery date on or before the request date",
    "check:purchase_date": "a purchase date on or before the recovery date",
}


def _cross_checks(rules: tuple[Rule, ...]) -> list[pl.Expr]:
    fields = {r.field for r in rules}
    date = {f: pl.col(f).str.strptime(pl.Date, "%Y-%m-%d", strict=False) for f in fields}
    checks = []
    if {"importer", "country_of_origin"} <= fields:
        foreign = pl.col("country_of_origin") != "US"
        checks.append((~foreign | (pl.col("importer") != "")).alias("check:importer"))
    if {"recovery_date", "request_date"} <= fields:
        ok = (date["recovery_date"] <= date["request_date"]).fill_null(True)
        checks.append(ok.alias("check:recovery_date"))
    if {"purchase_date", "recovery_date"} <= fields:
        ok = (date["purchase_date"] <= date["recovery_date"]).fill_null(True)
        checks.append(ok.alias("check:purchase_date"))
    return checks


def typed(normal: pl.DataFrame, rules: tuple[Rule, ...]) -> pl.DataFrame:
    """Valid normalised rows with dates as dates, booleans as booleans, empty dates as null."""
    exprs = []
    for r in rules:
        if r.kind == "date":
            exprs.append(pl.col(r.field).str.strptime(pl.Date, "%Y-%m-%d", strict=False))
        elif r.kind == "bool":
            exprs.append(pl.col(r.field).is_in(list(TRUE_WORDS)))
        elif r.kind == "enum" and not r.required:
            # An empty optional choice takes the first (default) value, e.g. routine priority.
            exprs.append(pl.col(r.field).replace("", r.choices[0]))
    return normal.with_columns(exprs)


class FieldErrors(ValueError):
    """A record with bad fields: ``errors`` lists ``{"field", "expected", "got"}``."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e['field']}: expected {e['expected']}" for e in errors))


def check_record(record: Mapping[str, object], rules: tuple[Rule, ...]) -> dict[str, object]:
    """One record validated and typed, or :class:`FieldErrors` naming every bad field."""
    unknown = sorted(set(record) - {r.field for r in rules})
    if unknown:
        raise FieldErrors(
            [{"field": f, "expected": "no such field", "got": str(record[f])} for f in unknown]
        )
    row = {r.field: _as_text(record.get(r.field)) for r in rules}
    normal, problems = check_frame(pl.DataFrame([row], schema=dict.fromkeys(row, pl.String)), rules)
    if problems.height:
        raise FieldErrors(problems.select("field", "expected", "got").to_dicts())
    return typed(normal, rules).drop("_line").row(0, named=True)


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
