"""Column specifications of the observatory's CSV tables (the documented import format).

Four tables, each a CSV file with a header row, one record per line, UTF-8:

* ``courts.csv``: the courts that may hear cases;
* ``cases.csv``: one criminal case (an investigation file, *carpeta de investigación*) from the
  crime report to its conclusion, with the procedural system and pseudonymous judge and
  prosecutor ids;
* ``charges.csv``: the offences charged in a case (``charge_no`` 1 is the primary offence, used
  for case mix), including organized-crime offences;
* ``defendants.csv``: the people processed in a case, with pretrial detention and counsel.

Every table has a ``source`` column (provenance: the publication, agency file or generator that
produced the record); the importer adds ``source_file`` and ``source_line``. Dates are ISO
``YYYY-MM-DD``; booleans are ``true``/``false``. Judges and prosecutors appear only as
pseudonymous ids (``J-...``, ``P-...``), never names. These specs are the single place the
format is defined: the importer validates against them and the generator writes them.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

SYSTEMS = ("inquisitorial", "accusatorial")
OUTCOMES = ("conviction", "acquittal", "dismissal", "alternative", "pending")
COUNSEL = ("public", "private", "none")
LEVELS = ("federal", "state")
#: Order the case dates must respect where present (each no earlier than the one before).
DATE_ORDER = (
    "report_date",
    "investigation_date",
    "charge_date",
    "first_hearing_date",
    "verdict_date",
)


@dataclass(frozen=True)
class Column:
    """One column: its name, kind, whether it must be filled, allowed values and meaning."""

    name: str
    kind: str  # "str", "date", "bool", "int" or "enum"
    required: bool
    description: str
    allowed: tuple[str, ...] = ()
    pattern: str = ""  # regular expression a filled string value must match

    @property
    def dtype(self) -> pl.DataType:
        return {
            "str": pl.String(),
            "enum": pl.String(),
            "date": pl.Date(),
            "bool": pl.Boolean(),
            "int": pl.Int64(),
        }[self.kind]


SOURCE = Column("source", "str", True, "provenance: publication, agency file or generator")

COURTS: tuple[Column, ...] = (
    Column("court_id", "str", True, "court identifier, unique", pattern=r"^[A-Za-z0-9_.-]+$"),
    Column("state", "str", True, "state code (e.g. CHH) or FED", pattern=r"^[A-Z]{2,4}$"),
    Column("name", "str", True, "court name"),
    Column("level", "enum", True, "federal or state jurisdiction", LEVELS),
    SOURCE,
)

CASES: tuple[Column, ...] = (
    Column("case_id", "str", True, "case number, unique", pattern=r"^[A-Za-z0-9_./-]+$"),
    Column("state", "str", True, "state where the crime was reported", pattern=r"^[A-Z]{2,4}$"),
    Column("court_id", "str", False, "court hearing the case; required once charged"),
    Column("system", "enum", True, "procedural system", SYSTEMS),
    Column("report_date", "date", True, "crime reported (denuncia)"),
    Column("investigation_date", "date", False, "investigation opened"),
    Column(
        "charge_date", "date", False, "charge brought before a judge (vinculación/consignación)"
    ),
    Column("first_hearing_date", "date", False, "first hearing"),
    Column("verdict_date", "date", False, "verdict or other conclusion (dismissal, alternative)"),
    Column("outcome", "enum", True, "how the case ended, or pending", OUTCOMES),
    Column("judge_id", "str", False, "pseudonymous judge id", pattern=r"^J-[A-Za-z0-9]+$"),
    Column(
        "prosecutor_id", "str", False, "pseudonymous prosecutor id", pattern=r"^P-[A-Za-z0-9]+$"
    ),
    SOURCE,
)

CHARGES: tuple[Column, ...] = (
    Column("case_id", "str", True, "case the charge belongs to"),
    Column("charge_no", "int", True, "1 for the primary offence, then 2, 3, ..."),
    Column(
        "offence",
        "str",
        True,
        "offence type (e.g. homicide, kidnapping, organized_crime)",
        pattern=r"^[a-z_]+$",
    ),
    Column("organized_crime", "bool", True, "an organized-crime offence (LFDO) or not"),
    SOURCE,
)

DEFENDANTS: tuple[Column, ...] = (
    Column("case_id", "str", True, "case the defendant is processed in"),
    Column("defendant_id", "str", True, "pseudonymous defendant id", pattern=r"^D-[A-Za-z0-9]+$"),
    Column("pretrial_detention", "bool", True, "held in pretrial detention (prisión preventiva)"),
    Column("counsel", "enum", True, "defence counsel", COUNSEL),
    SOURCE,
)

#: Table name -> (file name, columns, key columns that must be unique).
TABLES: dict[str, tuple[str, tuple[Column, ...], tuple[str, ...]]] = {
    "courts": ("courts.csv", COURTS, ("court_id",)),
    "cases": ("cases.csv", CASES, ("case_id",)),
    "charges": ("charges.csv", CHARGES, ("case_id", "charge_no")),
    "defendants": ("defendants.csv", DEFENDANTS, ("case_id", "defendant_id")),
}


def column_names(table: str) -> list[str]:
    """The documented columns of ``table`` in order."""
    return [c.name for c in TABLES[table][1]]


def markdown(table: str) -> str:
    """A Markdown table documenting ``table``'s columns (for the docs)."""
    lines = ["| column | type | required | allowed | meaning |", "|---|---|---|---|---|"]
    for c in TABLES[table][1]:
        allowed = ", ".join(c.allowed) or (f"`{c.pattern}`" if c.pattern else "")
        lines.append(
            f"| {c.name} | {c.kind} | {'yes' if c.required else 'no'} | {allowed} "
            f"| {c.description} |"
        )
    return "\n".join(lines)
