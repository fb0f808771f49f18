"""The registry: submitting, reading and listing traces under a sharing policy.

Every read goes through :class:`Registry`, which applies the policy's SQL filter for the asking
principal and writes an access-log entry (allowed, refused, invalid or missing). A trace that
exists but is not the principal's to read is answered exactly like one that does not exist
(:class:`NotFound`), so ids cannot be probed; the log records the difference.

Submissions are idempotent per agency: ``request_uid`` is unique within an agency, so a client
that retries after a lost answer gets the first row back instead of a duplicate.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import polars as pl
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from oclab.traces import audit
from oclab.traces.auth import hash_password, new_token, token_digest, verify_password
from oclab.traces.db import sessions
from oclab.traces.policy import AGENCY_ROLES, PERSONAL_FIELDS, ROLES, Policy, Principal
from oclab.traces.policy import principal_of as _principal_of
from oclab.traces.schema import (
    REQUEST_FIELDS,
    RESULT_FIELDS,
    Agency,
    ApiToken,
    TraceRequest,
    TraceResult,
    User,
)
from oclab.traces.validate import REQUEST_RULES, RESULT_RULES, FieldErrors, check_record

_POLARS_TYPES: dict[str, pl.DataType] = {
    "trace_id": pl.Int64(),
    "time_to_crime_days": pl.Int64(),
    "serial_obliterated": pl.Boolean(),
    "multiple_sale": pl.Boolean(),
    "request_date": pl.Date(),
    "recovery_date": pl.Date(),
    "possessor_dob": pl.Date(),
    "purchase_date": pl.Date(),
}


class Refused(PermissionError):
    """The principal may not do this (logged)."""


class NotFound(LookupError):
    """No such trace, or not one the principal may read (logged, answered alike)."""


class AuthError(PermissionError):
    """Unknown user, wrong password or unknown token."""


class Registry:
    """The trace registry on ``engine`` under ``policy``."""

    def __init__(self, engine: Engine, policy: Policy) -> None:
        self.engine = engine
        self.policy = policy
        self.sessions = sessions(engine)
        self.reads = sessions(engine, readonly=True)

    # -- people -------------------------------------------------------------------------------
    def add_agency(self, ori: str, name: str, country: str, jurisdiction: str = "") -> int:
        """Register an agency (setup; not exposed to web users)."""
        with self.sessions.begin() as session:
            agency = Agency(ori=ori, name=name, country=country, jurisdiction=jurisdiction)
            session.add(agency)
            session.flush()
            return agency.id

    def agency_id(self, ori: str) -> int:
        with self.reads() as session:
            found = session.scalar(select(Agency.id).where(Agency.ori == ori))
        if found is None:
            raise LookupError(f"no agency with ORI {ori!r}")
        return found

    def add_user(
        self,
        actor: Principal | None,
        username: str,
        password: str,
        role: str,
        agency_ori: str | None = None,
    ) -> int:
        """Create a user. ``actor`` None is the command line (setup); otherwise an admin role."""
        if actor is not None and actor.role not in self.policy.admin_roles:
            self.log(actor, "create_user", f"user:{username}", "refused", f"role={role}")
            raise Refused("only the national trace unit creates users and sets roles")
        if not re.fullmatch(r"[A-Za-z0-9_.-]{3,64}", username):
            raise ValueError("user name must be 3-64 letters, digits, _ . or -")
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if len(password) < 12:
            raise ValueError("password must have at least 12 characters")
        if (role in AGENCY_ROLES) != (agency_ori is not None):
            raise ValueError(f"roles {', '.join(AGENCY_ROLES)} (and only these) need an agency")
        with self.sessions.begin() as session:
            agency_id = None
            if agency_ori is not None:
                agency_id = session.scalar(select(Agency.id).where(Agency.ori == agency_ori))
                if agency_id is None:
                    raise ValueError(f"no agency with ORI {agency_ori!r}")
            user = User(
                username=username,
                password_hash=hash_password(password),
                role=role,
                agency_id=agency_id,
            )
            session.add(user)
            session.flush()
            user_id = user.id
        if actor is not None:
            self.log(actor, "create_user", f"user:{username}", "allowed", f"role={role}")
        return user_id

    def issue_token(self, username: str, password: str) -> str:
        """A new API token for ``username`` after checking the password."""
        with self.reads() as session:
            user = session.scalar(select(User).where(User.username == username))
            ok = user is not None and verify_password(user.password_hash, password)
            who = _principal_of(user.username, user.role, user.id, user.agency) if ok else None
        if who is None:
            anonymous = Principal(username=username[:64], role="public")
            self.log(anonymous, "login", f"user:{username[:64]}", "refused", "bad credentials")
            raise AuthError("unknown user or wrong password")
        token, digest = new_token()
        with self.sessions.begin() as session:
            session.add(
                ApiToken(
                    user_id=who.user_id,
                    digest=digest,
                    created_at=dt.datetime.now(dt.UTC),
                    revoked=False,
                )
            )
        self.log(who, "login", f"user:{username}", "allowed")
        return token

    def principal(self, token: str) -> Principal:
        """The principal a token stands for."""
        with self.reads() as session:
            row = session.execute(
                select(User)
                .join(ApiToken, ApiToken.user_id == User.id)
                .where(ApiToken.digest == token_digest(token), ApiToken.revoked.is_(False))
            ).scalar_one_or_none()
            if row is None:
                raise AuthError("unknown or revoked token")
            return _principal_of(row.username, row.role, row.id, row.agency)

    def principal_by_username(self, username: str) -> Principal:
        """The principal of a stored user (command-line use: the operator holds the database)."""
        with self.reads() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                raise LookupError(username)
            return _principal_of(user.username, user.role, user.id, user.agency)

    def refuse_role_change(self, who: Principal, requested: object) -> None:
        """Log and refuse a user's attempt to change their own role."""
        self.log(who, "change_role", f"user:{who.username}", "refused", f"asked {requested!r}")
        raise Refused("a user cannot change their own role")

    # -- traces -------------------------------------------------------------------------------
    def submit(self, who: Principal, record: Mapping[str, Any]) -> tuple[int, bool]:
        """Store a trace request; ``(id, created)`` -- created False for a resubmission."""
        if who.role not in self.policy.submit_roles or who.agency_id is None:
            self.log(who, "submit", "trace", "refused", "role may not submit")
            raise Refused("this role may not submit trace requests")
        try:
            values = check_record(record, REQUEST_RULES)
        except FieldErrors as error:
            fields = ",".join(e["field"] for e in error.errors)
            self.log(who, "submit", "trace", "invalid", f"fields={fields}")
            raise
        try:
            with self.sessions.begin() as session:
                trace = TraceRequest(agency_id=who.agency_id, submitted_by=who.user_id, **values)
                session.add(trace)
                session.flush()
                trace_id, created = trace.id, True
        except IntegrityError:
            with self.reads() as session:
                trace_id = session.scalar(
                    select(TraceRequest.id).where(
                        TraceRequest.agency_id == who.agency_id,
                        TraceRequest.request_uid == values["request_uid"],
                    )
                )
            if trace_id is None:  # not a duplicate key: a real failure
                raise
            created = False
        self.log(who, "submit", f"trace:{trace_id}", "allowed", "" if created else "resubmitted")
        return trace_id, created

    def record_result(self, who: Principal, trace_id: int, record: Mapping[str, Any]) -> None:
        """Store (or replace) the result of a trace; national trace unit only."""
        if who.role not in self.policy.result_roles:
            self.log(who, "record_result", f"trace:{trace_id}", "refused", "role")
            raise Refused("only the national trace unit records results")
        try:
            values = check_record(record, RESULT_RULES)
        except FieldErrors as error:
            fields = ",".join(e["field"] for e in error.errors)
            self.log(who, "record_result", f"trace:{trace_id}", "invalid", f"fields={fields}")
            raise
        with self.sessions.begin() as session:
            trace = session.get(TraceRequest, trace_id)
            if trace is not None:
                values["time_to_crime_days"] = (
                    (trace.recovery_date - values["purchase_date"]).days
                    if values["purchase_date"] is not None and values["status"] == "completed"
                    else None
                )
                if trace.result is None:
                    session.add(TraceResult(trace_id=trace_id, **values))
                else:
                    for key, value in values.items():
                        setattr(trace.result, key, value)
        if trace is None:
            self.log(who, "record_result", f"trace:{trace_id}", "missing")
            raise NotFound(trace_id)
        self.log(who, "record_result", f"trace:{trace_id}", "allowed")

    def get(self, who: Principal, trace_id: int) -> dict[str, Any]:
        """One trace with its result, if ``who`` may read it."""
        with self.reads() as session:
            trace = session.get(TraceRequest, trace_id)
            visible = trace is not None and session.scalar(
                select(func.count())
                .select_from(TraceRequest)
                .where(TraceRequest.id == trace_id, self.policy.record_filter(who))
            )
            row = self._as_dict(trace, who) if trace is not None and visible else None
        if row is None:
            outcome = "missing" if trace is None else "refused"
            self.log(who, "read", f"trace:{trace_id}", outcome, "" if trace is None else "policy")
            raise NotFound(trace_id)
        self.log(who, "read", f"trace:{trace_id}", "allowed")
        return row

    def list(self, who: Principal, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """Traces ``who`` may read, newest first."""
        if self.policy.records[who.role] == "none":
            self.log(who, "list", "traces", "refused", "policy")
            raise Refused("this role reads aggregates only")
        with self.reads() as session:
            rows = session.scalars(
                select(TraceRequest)
                .where(self.policy.record_filter(who))
                .order_by(TraceRequest.id.desc())
                .limit(limit)
                .offset(offset)
            ).unique()
            out = [self._as_dict(t, who) for t in rows]
        self.log(who, "list", "traces", "allowed", f"n={len(out)}")
        return out

    def frame(self, who: Principal, level: str = "aggregate") -> pl.DataFrame:
        """Requests joined with results as a table.

        ``level="aggregate"``: the rows entering ``who``'s aggregates, without personal data.
        ``level="records"``: the records ``who`` may read (refused where the policy says
        none), with personal data only where the policy shows it.
        """
        if level == "records" and self.policy.records[who.role] == "none":
            self.log(who, "export", "traces", "refused", "policy")
            raise Refused("this role reads aggregates only")
        personal = level == "records" and self.policy.shows_personal_data(who)
        keep = (lambda f: True) if personal else (lambda f: f not in PERSONAL_FIELDS)
        columns = [getattr(TraceRequest, f) for f in REQUEST_FIELDS if keep(f)]
        columns += [getattr(TraceResult, f) for f in RESULT_FIELDS if keep(f)]
        condition = (
            self.policy.record_filter(who)
            if level == "records"
            else self.policy.aggregate_filter(who)
        )
        query = (
            select(TraceRequest.id.label("trace_id"), Agency.ori.label("agency_ori"), *columns)
            .join(Agency, Agency.id == TraceRequest.agency_id)
            .outerjoin(TraceResult, TraceResult.trace_id == TraceRequest.id)
            .where(condition)
            .order_by(TraceRequest.id)
        )
        with self.reads() as session:
            result = session.execute(query)
            names = list(result.keys())
            rows = [tuple(r) for r in result]
        schema = {name: _POLARS_TYPES.get(name, pl.String) for name in names}
        table = pl.DataFrame(rows, schema=schema, orient="row")
        action = "export" if level == "records" else "aggregate"
        self.log(who, action, "traces", "allowed", f"rows={table.height}")
        return table

    def frame_uids(self, agency_ori: str) -> list[str]:
        """The request_uids already stored for an agency (to refuse duplicates on import)."""
        with self.reads() as session:
            return list(
                session.scalars(
                    select(TraceRequest.request_uid)
                    .join(Agency, Agency.id == TraceRequest.agency_id)
                    .where(Agency.ori == agency_ori)
                )
            )

    def count(self) -> tuple[int, int]:
        """(trace requests, trace results) stored -- for checks, not subject to a policy."""
        with self.reads() as session:
            requests = session.scalar(select(func.count()).select_from(TraceRequest)) or 0
            results = session.scalar(select(func.count()).select_from(TraceResult)) or 0
        return requests, results

    def bulk_insert(self, agency_ori: str, requests: pl.DataFrame, results: pl.DataFrame) -> int:
        """Insert validated, typed requests (and results keyed by ``request_uid``) at once.

        One transaction: either every row lands or none does.
        """
        with self.sessions.begin() as session:
            agency_id = session.scalar(select(Agency.id).where(Agency.ori == agency_ori))
            if agency_id is None:
                raise LookupError(f"no agency with ORI {agency_ori!r}")
            if requests.height == 0:
                return 0
            rows = requests.select(REQUEST_FIELDS).with_columns(agency_id=pl.lit(agency_id))
            session.execute(insert(TraceRequest), rows.to_dicts())
            if results.height:
                uids = results["request_uid"].to_list()
                ids = {}
                for start in range(0, len(uids), 5000):  # bounded IN lists
                    ids |= dict(
                        session.execute(
                            select(TraceRequest.request_uid, TraceRequest.id).where(
                                TraceRequest.agency_id == agency_id,
                                TraceRequest.request_uid.in_(uids[start : start + 5000]),
                            )
                        ).all()
                    )
                keyed = results.with_columns(
                    pl.col("request_uid")
                    .replace_strict(ids, return_dtype=pl.Int64)
                    .alias("trace_id")
                )
                session.execute(
                    insert(TraceResult),
                    keyed.select("trace_id", *RESULT_FIELDS).to_dicts(),
                )
        return requests.height

    # -- helpers ------------------------------------------------------------------------------
    def _as_dict(self, trace: TraceRequest, who: Principal) -> dict[str, Any]:
        row: dict[str, Any] = {"id": trace.id, "agency_ori": trace.agency.ori}
        row |= {f: getattr(trace, f) for f in REQUEST_FIELDS}
        result = trace.result
        row["result"] = None if result is None else {f: getattr(result, f) for f in RESULT_FIELDS}
        if not self.policy.shows_personal_data(who):
            for f in PERSONAL_FIELDS:
                if f in row:
                    row[f] = None
                if row["result"] and f in row["result"]:
                    row["result"][f] = None
        return row

    def log(
        self, who: Principal, action: str, resource: str, outcome: str, detail: str = ""
    ) -> None:
        """Append an entry to the access log."""
        audit.record(self.sessions, who, action, resource, outcome, detail)
