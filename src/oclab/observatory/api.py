"""The observatory's REST API (``/api/v1``) and open-data downloads.

Authentication is the trace registry's: ``Authorization: Bearer TOKEN`` (or the pages' cookie),
tokens from ``POST /api/v1/tokens``; without one the caller is the public. Aggregates
(``/indicators``, ``/anomalies``, ``/transition``, ``/feed``, ``/download/NAME.csv|parquet``)
are suppressed for everyone but the record roles (:mod:`oclab.observatory.service`);
``/training`` is public facts. ``/records/TABLE`` (record roles) and ``/audit`` (administrator)
answer 403 to others, and the refusal is logged.
"""

from __future__ import annotations

import io
from typing import Any

import polars as pl
from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request, Response

from oclab.observatory.service import ADMIN_ROLES, RECORD_TABLES, TABLES, Observatory
from oclab.observatory.training import STANDARD
from oclab.traces import audit
from oclab.traces.api import current
from oclab.traces.policy import Principal
from oclab.traces.store import AuthError

router = APIRouter(prefix="/api/v1")
CALLER = Depends(current)
JSON_BODY = Body(...)
FORMATS = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}
STANDARD_QUERY = Query(STANDARD.default, gt=0, le=10_000, description="standard in hours")


def observatory_of(request: Request) -> Observatory:
    """The observatory the application serves."""
    return request.app.state.observatory


def _filtered(table: pl.DataFrame, state: str | None, year: int | None) -> pl.DataFrame:
    if state and "state" in table.columns:
        table = table.filter(pl.col("state") == state)
    if year is not None and "year" in table.columns:
        table = table.filter(pl.col("year") == year)
    return table


def _answer(table: pl.DataFrame, hidden: bool, threshold: int) -> dict[str, Any]:
    return {
        "suppressed": hidden,
        "threshold": threshold if hidden else None,
        "rows": table.to_dicts(),
    }


@router.post("/tokens")
def login(request: Request, body: dict[str, Any] = JSON_BODY) -> dict[str, str]:
    """A new API token for a registry user name and password."""
    try:
        token = observatory_of(request).registry.issue_token(
            str(body.get("username", "")), str(body.get("password", ""))
        )
    except AuthError as error:
        raise HTTPException(401, str(error)) from None
    return {"token": token}


@router.get("/me")
def me(request: Request, who: Principal = CALLER) -> dict[str, Any]:
    """Who the caller is and whether they read records."""
    return {
        "username": who.username,
        "role": who.role,
        "records": observatory_of(request).reads_records(who),
    }


@router.get("/indicators")
def indicators(
    request: Request,
    level: str = Query("state", pattern="^(national|state|court)$"),
    state: str | None = Query(None, max_length=4),
    year: int | None = Query(None, ge=1900, le=2100),
    who: Principal = CALLER,
) -> dict[str, Any]:
    """Indicators by year, nationally, by state or by court (optionally one state or year)."""
    obs = observatory_of(request)
    table, hidden = obs.table(who, f"indicators_{level}")
    return _answer(_filtered(table, state, year), hidden, obs.threshold)


@router.get("/anomalies")
def anomalies(
    request: Request,
    outcome: str = Query("dismissal", pattern="^(dismissal|conviction)$"),
    who: Principal = CALLER,
) -> dict[str, Any]:
    """Court anomaly flags (case-mix adjusted) for dismissals or convictions."""
    obs = observatory_of(request)
    table, hidden = obs.table(who, f"anomalies_{outcome}")
    return _answer(table, hidden, obs.threshold)


@router.get("/transition")
def transition(
    request: Request, state: str | None = Query(None, max_length=4), who: Principal = CALLER
) -> dict[str, Any]:
    """The accusatorial share of reported cases by state and year."""
    obs = observatory_of(request)
    table, hidden = obs.table(who, "transition")
    return _answer(_filtered(table, state, None), hidden, obs.threshold)


@router.get("/training")
def training(request: Request, standard: float = STANDARD_QUERY) -> dict[str, Any]:
    """Basic police training by force and its gap to ``standard`` hours (cited facts)."""
    table = observatory_of(request).training(standard)
    return {"standard_hours": standard, "rows": table.to_dicts()}


@router.get("/feed")
def feed(request: Request, who: Principal = CALLER) -> dict[str, Any]:
    """The integrated model's judicial calibration (small cells null for the public)."""
    return observatory_of(request).feed(who)


@router.get("/download/{filename}")
def download(request: Request, filename: str, who: Principal = CALLER) -> Response:
    """Open data: ``NAME.csv`` or ``NAME.parquet`` for every aggregate table."""
    name, _, fmt = filename.rpartition(".")
    if name not in TABLES or fmt not in FORMATS:
        raise HTTPException(
            404, f"no such file; tables: {', '.join(TABLES)}; formats: csv, parquet"
        )
    table, _hidden = observatory_of(request).table(who, name)
    buffer = io.BytesIO()
    if fmt == "csv":
        table.write_csv(buffer, float_precision=6)
    else:
        table.write_parquet(buffer, compression="zstd")
    return Response(
        buffer.getvalue(),
        media_type=FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


@router.get("/records/{table}")
def records(
    request: Request,
    table: str,
    limit: int = Query(100, ge=1, le=10_000),
    offset: int = Query(0, ge=0),
    who: Principal = CALLER,
) -> list[dict[str, Any]]:
    """Record-level, pseudonymised rows with provenance (record roles only; logged)."""
    if table not in RECORD_TABLES:
        raise HTTPException(404, f"no such table; tables: {', '.join(RECORD_TABLES)}")
    return observatory_of(request).records(who, table, limit, offset)


@router.get("/audit")
def access_log(
    request: Request,
    limit: int = Query(200, ge=1, le=10_000),
    outcome: str | None = Query(None, pattern="^(allowed|refused|invalid|missing)$"),
    who: Principal = CALLER,
) -> list[dict[str, Any]]:
    """The newest access-log entries (administrator only)."""
    registry = observatory_of(request).registry
    if who.role not in ADMIN_ROLES:
        registry.log(who, "read_audit", "access_log", "refused", "role")
        raise HTTPException(403, "only the administrator reads the access log")
    with registry.reads() as session:
        return audit.entries(session, limit, outcome)
