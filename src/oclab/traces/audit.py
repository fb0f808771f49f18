"""The append-only access log: every read, write and refusal, with who, what and the outcome.

Entries are only ever inserted (this module has no update or delete), each in its own
transaction so a refusal is logged even when the refused work is rolled back; the database
itself refuses UPDATE, DELETE (and TRUNCATE on PostgreSQL) on ``access_log`` through triggers
created by the first migration.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from oclab.traces.policy import Principal
from oclab.traces.schema import AccessLog

OUTCOMES: tuple[str, ...] = ("allowed", "refused", "invalid", "missing")


def record(
    factory: sessionmaker[Session],
    who: Principal,
    action: str,
    resource: str,
    outcome: str,
    detail: str = "",
) -> None:
    """Append one entry (in a transaction of its own)."""
    assert outcome in OUTCOMES, outcome
    with factory.begin() as session:
        session.execute(
            insert(AccessLog).values(
                at=dt.datetime.now(dt.UTC),
                user_id=who.user_id,
                username=who.username[:64],
                role=who.role,
                action=action[:40],
                resource=resource[:200],
                outcome=outcome,
                detail=detail[:2000],
            )
        )


def entries(session: Session, limit: int = 1000, outcome: str | None = None) -> list[dict]:
    """The newest ``limit`` entries (optionally of one outcome), newest first."""
    query = select(AccessLog).order_by(AccessLog.id.desc()).limit(limit)
    if outcome:
        query = query.where(AccessLog.outcome == outcome)
    return [
        {c.name: getattr(row, c.name) for c in AccessLog.__table__.columns}
        for row in session.scalars(query)
    ]
