"""The trace registry's tables (SQLAlchemy 2 declarative models).

A trace request carries the items of ATF Form 3312.1, *National Tracing Center Trace Request*,
and its Spanish version 3312.1(S), *Solicitud de Rastreo* (OMB 1140-0043; item numbers from the
February 2018 revision as published at omb.report/icr/201905-1140-006). The form item is kept in
each column's ``info["form_item"]`` so labels, CSV headers and documentation can cite it:

- Part I  1a date of request, 1b priority (routine/urgent), 1c special instructions
- Part II 2a NCIC crime code (required, coded), 2b project code
- Part IV 4a ORI number of the requesting agency (required), 4e agency case number, 4f unit
- Part V  5a serial number* (frame or receiver), 5b obliterated (yes/no), 5c manufacturer*,
  5d type*, 5e caliber*, 5f model*, 5g country of origin*, 5h importer* (required when the
  country of origin is not the US), 5i additional markings
- Part VI 6a possessor name, 6c date of birth
- recovery date and place: a later part of the form ("recovery information"); its item numbers
  were not checked against the form, so those columns carry ``form_item="recovery"``.

A trace result is what the National Tracing Center returns: the retail dealer (FFL), the first
retail purchaser and the purchase date, time-to-crime (recovery date minus first retail sale),
and the status with the reason when a trace cannot be completed (research notes B2, from the
form's instructions and ATF's eTrace description).

The access log (:mod:`oclab.traces.audit`) is append-only: triggers created by the migration
refuse every UPDATE and DELETE on it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

#: Values of ``trace_result.status``.
TRACE_STATUSES: tuple[str, ...] = ("pending", "completed", "not_completed")
#: Why a trace is not completed (research notes B2: bad or obliterated serial, pre-1968 or no
#: records, records destroyed, incomplete request).
FAILURE_REASONS: tuple[str, ...] = (
    "bad_serial",
    "obliterated_serial",
    "pre_1968_no_records",
    "records_destroyed",
    "incomplete_request",
    "foreign_no_importer",
)
#: Form item 5d, firearm type (a subset of the NTC code list).
FIREARM_TYPES: tuple[str, ...] = (
    "pistol",
    "revolver",
    "rifle",
    "shotgun",
    "derringer",
    "machine_gun",
    "other",
)
PRIORITIES: tuple[str, ...] = ("routine", "urgent")


def _item(item: str) -> dict[str, str]:
    return {"form_item": item}


class Base(DeclarativeBase):
    """Declarative base of the registry's tables."""


class Agency(Base):
    """A requesting agency, identified by its NCIC ORI number (form item 4a)."""

    __tablename__ = "agency"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ori: Mapped[str] = mapped_column(String(9), unique=True, info=_item("4a"))
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    #: Two-letter state or province code of the agency's jurisdiction ("" for national ones).
    jurisdiction: Mapped[str] = mapped_column(String(3), default="")


class User(Base):
    """A person with a role; ``agency_id`` is null for researchers and the public."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), nullable=True)
    agency: Mapped[Agency | None] = relationship(lazy="joined")


class ApiToken(Base):
    """An API token; only its SHA-256 digest is stored."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class TraceRequest(Base):
    """One firearm trace request (ATF F 3312.1 / 3312.1(S))."""

    __tablename__ = "trace_request"
    __table_args__ = (UniqueConstraint("agency_id", "request_uid", name="uq_trace_agency_uid"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Client-chosen idempotency key: a resubmission with the same key returns the first row.
    request_uid: Mapped[str] = mapped_column(String(64))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    request_date: Mapped[dt.date] = mapped_column(Date, info=_item("1a"))
    priority: Mapped[str] = mapped_column(String(10), default="routine", info=_item("1b"))
    special_instructions: Mapped[str] = mapped_column(Text, default="", info=_item("1c"))
    ncic_crime_code: Mapped[str] = mapped_column(String(4), info=_item("2a"))
    project_code: Mapped[str] = mapped_column(String(40), default="", info=_item("2b"))
    agency_case_number: Mapped[str] = mapped_column(String(40), default="", info=_item("4e"))
    unit: Mapped[str] = mapped_column(String(100), default="", info=_item("4f"))
    serial_number: Mapped[str] = mapped_column(String(30), index=True, info=_item("5a"))
    serial_obliterated: Mapped[bool] = mapped_column(Boolean, default=False, info=_item("5b"))
    manufacturer: Mapped[str] = mapped_column(String(100), info=_item("5c"))
    firearm_type: Mapped[str] = mapped_column(String(20), info=_item("5d"))
    caliber: Mapped[str] = mapped_column(String(20), info=_item("5e"))
    model: Mapped[str] = mapped_column(String(60), info=_item("5f"))
    country_of_origin: Mapped[str] = mapped_column(String(2), info=_item("5g"))
    importer: Mapped[str] = mapped_column(String(100), default="", info=_item("5h"))
    additional_markings: Mapped[str] = mapped_column(Text, default="", info=_item("5i"))
    possessor_name: Mapped[str] = mapped_column(String(120), default="", info=_item("6a"))
    possessor_dob: Mapped[dt.date | None] = mapped_column(Date, nullable=True, info=_item("6c"))
    recovery_date: Mapped[dt.date] = mapped_column(Date, info=_item("recovery"))
    recovery_city: Mapped[str] = mapped_column(String(100), default="", info=_item("recovery"))
    recovery_state: Mapped[str] = mapped_column(String(3), info=_item("recovery"))
    recovery_country: Mapped[str] = mapped_column(String(2), info=_item("recovery"))
    result: Mapped[TraceResult | None] = relationship(
        back_populates="request", uselist=False, lazy="joined"
    )
    agency: Mapped[Agency] = relationship(lazy="joined")


class TraceResult(Base):
    """What the National Tracing Center returned for one request."""

    __tablename__ = "trace_result"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trace_id: Mapped[int] = mapped_column(ForeignKey("trace_request.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    failure_reason: Mapped[str] = mapped_column(String(30), default="")
    dealer_license: Mapped[str] = mapped_column(String(20), default="", index=True)
    dealer_name: Mapped[str] = mapped_column(String(120), default="")
    dealer_state: Mapped[str] = mapped_column(String(2), default="", index=True)
    purchaser_name: Mapped[str] = mapped_column(String(120), default="")
    #: Pseudonymous key of the first retail purchaser (same person, same key).
    purchaser_key: Mapped[str] = mapped_column(String(32), default="", index=True)
    purchase_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    #: Days from first retail sale to recovery; null when the trace did not complete.
    time_to_crime_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: The purchase was reported on a multiple-sale form (two or more handguns in five days).
    multiple_sale: Mapped[bool] = mapped_column(Boolean, default=False)
    request: Mapped[TraceRequest] = relationship(back_populates="result")


class AccessLog(Base):
    """One access (allowed or refused); append-only."""

    __tablename__ = "access_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    username: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    resource: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(10))
    detail: Mapped[str] = mapped_column(Text, default="")


#: Columns of a trace request a client fills in (everything but keys and bookkeeping).
REQUEST_FIELDS: tuple[str, ...] = tuple(
    c.name
    for c in TraceRequest.__table__.columns
    if c.name not in ("id", "agency_id", "submitted_by")
)
#: Columns of a trace result (everything but keys).
RESULT_FIELDS: tuple[str, ...] = tuple(
    c.name for c in TraceResult.__table__.columns if c.name not in ("id", "trace_id")
)
