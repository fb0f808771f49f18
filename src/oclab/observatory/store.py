"""The observatory's SQL store: imported cases, charges and defendants, pseudonymised.

Same storage as the traces registry (:mod:`oclab.traces.db`: SQLite by default, PostgreSQL for
many users), in tables of its own (prefix ``obs_``, Alembic version table
``obs_alembic_version``) beside the registry's users, tokens and append-only access log, which
:func:`upgrade` creates too, so the observatory shares the registry's roles, tokens and audit.

Provenance on every record: ``source`` (the publication, agency file or generator), the file
and line it was imported from and the import batch (when, from where). Personal data is
pseudonymised on the way in: case numbers and judge, prosecutor and defendant ids are replaced
by a keyed hash (HMAC-SHA256, truncated to 96 bits) under a key the operator keeps apart
(``--key-file`` or ``$OCLAB_OBSERVATORY_KEY``); the key is never written to the database. Only
an HMAC of a fixed label under the key (``key_check``) is stored, so an import with another key
is refused: the same person keeps one pseudonym across imports. Quarantined rows are stored as
file line and problem only (their verbatim values may hold unpseudonymised data).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    func,
    insert,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from oclab.errors import InputError
from oclab.observatory.io import FILE, LINE, PROBLEM, Dataset, ImportReport
from oclab.traces import db as traces_db

MIGRATIONS = Path(__file__).parent / "migrations"
KEY_ENV = "OCLAB_OBSERVATORY_KEY"
MIN_KEY_BYTES = 16
_KEY_LABEL = b"oclab.observatory key check v1"
#: Columns replaced by a keyed hash, per table.
PSEUDONYMISED: dict[str, tuple[str, ...]] = {
    "cases": ("case_id", "judge_id", "prosecutor_id"),
    "charges": ("case_id",),
    "defendants": ("case_id", "defendant_id"),
}


class ObsBase(DeclarativeBase):
    """Declarative base of the observatory's tables."""


class Provenance:
    """Columns every stored record carries."""

    source: Mapped[str] = mapped_column(String(400))
    source_file: Mapped[str] = mapped_column(String(400))
    source_line: Mapped[int] = mapped_column(Integer)
    batch_id: Mapped[int] = mapped_column(Integer, ForeignKey("obs_import_batch.id"), index=True)


class ImportBatch(ObsBase):
    """One import: when, from which folder, and the check value of the key used."""

    __tablename__ = "obs_import_batch"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    origin: Mapped[str] = mapped_column(String(400))
    key_check: Mapped[str] = mapped_column(String(64))


class Court(Provenance, ObsBase):
    __tablename__ = "obs_court"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    court_id: Mapped[str] = mapped_column(String(100), unique=True)
    state: Mapped[str] = mapped_column(String(4))
    name: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(10))


class Case(Provenance, ObsBase):
    __tablename__ = "obs_case"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), unique=True)  # pseudonym
    state: Mapped[str] = mapped_column(String(4), index=True)
    court_id: Mapped[str | None] = mapped_column(String(100), index=True)
    system: Mapped[str] = mapped_column(String(15))
    report_date: Mapped[dt.date] = mapped_column(Date)
    investigation_date: Mapped[dt.date | None] = mapped_column(Date)
    charge_date: Mapped[dt.date | None] = mapped_column(Date)
    first_hearing_date: Mapped[dt.date | None] = mapped_column(Date)
    verdict_date: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(15))
    judge_id: Mapped[str | None] = mapped_column(String(32))  # pseudonym
    prosecutor_id: Mapped[str | None] = mapped_column(String(32))  # pseudonym


class Charge(Provenance, ObsBase):
    __tablename__ = "obs_charge"
    __table_args__ = (UniqueConstraint("case_id", "charge_no"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), index=True)  # pseudonym
    charge_no: Mapped[int] = mapped_column(Integer)
    offence: Mapped[str] = mapped_column(String(100))
    organized_crime: Mapped[bool] = mapped_column(Boolean)


class Defendant(Provenance, ObsBase):
    __tablename__ = "obs_defendant"
    __table_args__ = (UniqueConstraint("case_id", "defendant_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), index=True)  # pseudonym
    defendant_id: Mapped[str] = mapped_column(String(32))  # pseudonym
    pretrial_detention: Mapped[bool] = mapped_column(Boolean)
    counsel: Mapped[str] = mapped_column(String(10))


class Quarantined(ObsBase):
    """A row the importer refused: its table, file line and problem (no values)."""

    __tablename__ = "obs_quarantine"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(Integer, ForeignKey("obs_import_batch.id"), index=True)
    table_name: Mapped[str] = mapped_column(String(20))
    source_line: Mapped[int] = mapped_column(Integer)
    problem: Mapped[str] = mapped_column(String(400))


MODELS: dict[str, type[ObsBase]] = {
    "courts": Court,
    "cases": Case,
    "charges": Charge,
    "defendants": Defendant,
}
#: Polars types of the stored columns (everything else is text).
_TYPES: dict[str, pl.DataType] = {
    "report_date": pl.Date(),
    "investigation_date": pl.Date(),
    "charge_date": pl.Date(),
    "first_hearing_date": pl.Date(),
    "verdict_date": pl.Date(),
    "charge_no": pl.Int64(),
    "organized_crime": pl.Boolean(),
    "pretrial_detention": pl.Boolean(),
    "source_line": pl.Int64(),
    "batch_id": pl.Int64(),
    "id": pl.Int64(),
}


def data_columns(table: str) -> list[str]:
    """The stored columns of ``table`` (data and provenance, not the surrogate ``id``)."""
    return [c.name for c in MODELS[table].__table__.columns if c.name != "id"]


def upgrade(engine: Engine) -> None:
    """Create or upgrade the registry's shared tables (users, tokens, access log) and ours."""
    traces_db.upgrade(engine)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    command.upgrade(config, "head")


def load_key(path: str | Path | None = None) -> bytes:
    """The pseudonymisation key: the file's bytes (stripped) or ``$OCLAB_OBSERVATORY_KEY``."""
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise InputError(path, "--key-file", "a file holding the pseudonymisation key")
        key = path.read_bytes().strip()
        where: str | Path = path
    else:
        key = os.environ.get(KEY_ENV, "").encode("utf-8")
        where = f"${KEY_ENV}"
    if len(key) < MIN_KEY_BYTES:
        raise InputError(
            where, "key", f"a secret of at least {MIN_KEY_BYTES} bytes (--key-file or ${KEY_ENV})"
        )
    return key


def key_check(key: bytes) -> str:
    """What the database keeps to recognise the key: an HMAC of a fixed label, not the key."""
    return hmac.new(key, _KEY_LABEL, hashlib.sha256).hexdigest()


def pseudonymise(values: pl.Series, key: bytes) -> pl.Series:
    """Each value's keyed hash (24 hex digits, HMAC-SHA256); nulls stay null.

    Computed once per distinct value (an id repeats across tables), then mapped back.
    """
    distinct = values.drop_nulls().unique()
    digests = [hmac.new(key, v.encode("utf-8"), hashlib.sha256).hexdigest()[:24] for v in distinct]
    mapping = dict(zip(distinct.to_list(), digests, strict=True))
    return values.replace_strict(mapping, default=None, return_dtype=pl.String)


@dataclass
class StoreSummary:
    """What one import stored."""

    batch_id: int
    stored: dict[str, int]
    already_stored: dict[str, int]
    quarantined: dict[str, int]

    def lines(self) -> list[str]:
        out = []
        for table, n in self.stored.items():
            text = f"{table}: {n} stored"
            if self.already_stored.get(table):
                text += f", {self.already_stored[table]} already stored (skipped)"
            if self.quarantined.get(table):
                text += f", {self.quarantined[table]} quarantined"
            out.append(text)
        return out


class ObservatoryStore:
    """Imported observatory records on ``engine`` (migrated with :func:`upgrade`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = traces_db.sessions(engine)
        self.reads = traces_db.sessions(engine, readonly=True)

    def _existing(self, model: type[ObsBase], column: str, values: list[str]) -> set[str]:
        found: set[str] = set()
        attr = getattr(model, column)
        with self.reads() as session:
            for start in range(0, len(values), 5000):  # bounded IN lists
                found |= set(
                    session.scalars(select(attr).where(attr.in_(values[start : start + 5000])))
                )
        return found

    def import_dataset(
        self, data: Dataset, report: ImportReport, key: bytes, origin: str
    ) -> StoreSummary:
        """Store accepted rows (pseudonymised) and quarantine entries, in one transaction.

        Cases already stored (same pseudonym) are skipped with their charges and defendants,
        and counted in the summary; so are courts already stored.
        """
        check = key_check(key)
        with self.reads() as session:
            keys = set(session.scalars(select(ImportBatch.key_check).distinct()))
        if keys and keys != {check}:
            raise InputError(origin, "key", "the pseudonymisation key used for the earlier imports")
        frames = {
            "courts": data.courts,
            "cases": data.cases,
            "charges": data.charges,
            "defendants": data.defendants,
        }
        for table, columns in PSEUDONYMISED.items():
            frames[table] = frames[table].with_columns(
                pseudonymise(frames[table][c], key).alias(c) for c in columns
            )
        already: dict[str, int] = {}
        known_courts = self._existing(Court, "court_id", frames["courts"]["court_id"].to_list())
        known_cases = self._existing(Case, "case_id", frames["cases"]["case_id"].to_list())
        for table, column, known in (
            ("courts", "court_id", known_courts),
            ("cases", "case_id", known_cases),
            ("charges", "case_id", known_cases),
            ("defendants", "case_id", known_cases),
        ):
            keep = ~pl.col(column).is_in(list(known))
            already[table] = frames[table].filter(~keep).height
            frames[table] = frames[table].filter(keep)
        with self.sessions.begin() as session:
            batch = ImportBatch(
                imported_at=dt.datetime.now(dt.UTC), origin=origin[:400], key_check=check
            )
            session.add(batch)
            session.flush()
            batch_id = batch.id
            for table, frame in frames.items():
                if frame.height:
                    rows = frame.with_columns(batch_id=pl.lit(batch_id)).select(data_columns(table))
                    # Core insert of the table: one executemany (the ORM bulk path splits
                    # batches wherever the set of null columns changes).
                    session.execute(insert(MODELS[table].__table__), rows.to_dicts())
            for table, bad in report.quarantined.items():
                if bad.height:
                    session.execute(
                        insert(Quarantined.__table__),
                        bad.select(
                            pl.lit(batch_id).alias("batch_id"),
                            pl.lit(table).alias("table_name"),
                            pl.col(LINE).alias("source_line"),
                            pl.col(PROBLEM).str.slice(0, 400).alias("problem"),
                        ).to_dicts(),
                    )
        return StoreSummary(
            batch_id=batch_id,
            stored={t: f.height for t, f in frames.items()},
            already_stored=already,
            quarantined={t: b.height for t, b in report.quarantined.items()},
        )

    def frame(self, table: str, limit: int | None = None, offset: int = 0) -> pl.DataFrame:
        """The stored rows of ``table`` (pseudonymised ids, with provenance) as a frame."""
        model = MODELS[table]
        names = ["id", *data_columns(table)]
        query = select(*(getattr(model, n) for n in names)).order_by(model.id)
        if limit is not None:
            query = query.limit(limit).offset(offset)
        with self.reads() as session:
            rows = [tuple(r) for r in session.execute(query)]
        schema = {n: _TYPES.get(n, pl.String()) for n in names}
        return pl.DataFrame(rows, schema=schema, orient="row")

    def dataset(self) -> Dataset:
        """Every stored record as the tables the indicators take (ids are pseudonyms)."""
        frames = {}
        for table in MODELS:
            frame = self.frame(table).drop("id", "batch_id").rename({"source_line": LINE})
            frames[table] = frame.with_columns(pl.col(FILE))
        return Dataset(**frames)

    def quarantine(self) -> pl.DataFrame:
        """The quarantine entries (batch, table, line, problem)."""
        with self.reads() as session:
            rows = [
                (q.batch_id, q.table_name, q.source_line, q.problem)
                for q in session.scalars(select(Quarantined).order_by(Quarantined.id))
            ]
        return pl.DataFrame(
            rows,
            schema={
                "batch_id": pl.Int64,
                "table": pl.String,
                "source_line": pl.Int64,
                "problem": pl.String,
            },
            orient="row",
        )

    def version(self) -> tuple[int, int]:
        """(number of batches, newest batch id): changes whenever an import lands."""
        with self.reads() as session:
            n, newest = session.execute(
                select(func.count(ImportBatch.id), func.max(ImportBatch.id))
            ).one()
        return int(n or 0), int(newest or 0)
