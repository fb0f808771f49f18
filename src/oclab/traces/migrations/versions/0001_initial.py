"""The initial trace registry: agencies, users, tokens, trace requests and results, and the
append-only access log (triggers refuse UPDATE, DELETE and, on PostgreSQL, TRUNCATE).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = (
    "CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log "
    "BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END",
    "CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log "
    "BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END",
)
_POSTGRES_TRIGGERS = (
    "CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'access_log is append-only'; END $$",
    "CREATE TRIGGER access_log_no_change BEFORE UPDATE OR DELETE ON access_log "
    "FOR EACH ROW EXECUTE FUNCTION access_log_append_only()",
    "CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only()",
)


def upgrade() -> None:
    op.create_table(
        "agency",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ori", sa.String(9), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("jurisdiction", sa.String(3), nullable=False),
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("agency_id", sa.Integer, sa.ForeignKey("agency.id"), nullable=True),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
    )
    op.create_index("ix_api_token_user_id", "api_token", ["user_id"])
    op.create_table(
        "trace_request",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("request_uid", sa.String(64), nullable=False),
        sa.Column("agency_id", sa.Integer, sa.ForeignKey("agency.id"), nullable=False),
        sa.Column("submitted_by", sa.Integer, sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("request_date", sa.Date, nullable=False),
        sa.Column("priority", sa.String(10), nullable=False),
        sa.Column("special_instructions", sa.Text, nullable=False),
        sa.Column("ncic_crime_code", sa.String(4), nullable=False),
        sa.Column("project_code", sa.String(40), nullable=False),
        sa.Column("agency_case_number", sa.String(40), nullable=False),
        sa.Column("unit", sa.String(100), nullable=False),
        sa.Column("serial_number", sa.String(30), nullable=False),
        sa.Column("serial_obliterated", sa.Boolean, nullable=False),
        sa.Column("manufacturer", sa.String(100), nullable=False),
        sa.Column("firearm_type", sa.String(20), nullable=False),
        sa.Column("caliber", sa.String(20), nullable=False),
        sa.Column("model", sa.String(60), nullable=False),
        sa.Column("country_of_origin", sa.String(2), nullable=False),
        sa.Column("importer", sa.String(100), nullable=False),
        sa.Column("additional_markings", sa.Text, nullable=False),
        sa.Column("possessor_name", sa.String(120), nullable=False),
        sa.Column("possessor_dob", sa.Date, nullable=True),
        sa.Column("recovery_date", sa.Date, nullable=False),
        sa.Column("recovery_city", sa.String(100), nullable=False),
        sa.Column("recovery_state", sa.String(3), nullable=False),
        sa.Column("recovery_country", sa.String(2), nullable=False),
        sa.UniqueConstraint("agency_id", "request_uid", name="uq_trace_agency_uid"),
    )
    op.create_index("ix_trace_request_agency_id", "trace_request", ["agency_id"])
    op.create_index("ix_trace_request_serial_number", "trace_request", ["serial_number"])
    op.create_table(
        "trace_result",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "trace_id", sa.Integer, sa.ForeignKey("trace_request.id"), nullable=False, unique=True
        ),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("failure_reason", sa.String(30), nullable=False),
        sa.Column("dealer_license", sa.String(20), nullable=False),
        sa.Column("dealer_name", sa.String(120), nullable=False),
        sa.Column("dealer_state", sa.String(2), nullable=False),
        sa.Column("purchaser_name", sa.String(120), nullable=False),
        sa.Column("purchaser_key", sa.String(32), nullable=False),
        sa.Column("purchase_date", sa.Date, nullable=True),
        sa.Column("time_to_crime_days", sa.Integer, nullable=True),
        sa.Column("multiple_sale", sa.Boolean, nullable=False),
    )
    op.create_index("ix_trace_result_dealer_license", "trace_result", ["dealer_license"])
    op.create_index("ix_trace_result_dealer_state", "trace_result", ["dealer_state"])
    op.create_index("ix_trace_result_purchaser_key", "trace_result", ["purchaser_key"])
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("resource", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    triggers = (
        _POSTGRES_TRIGGERS if op.get_bind().dialect.name == "postgresql" else _SQLITE_TRIGGERS
    )
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER access_log_no_truncate ON access_log")
        op.execute("DROP TRIGGER access_log_no_change ON access_log")
        op.execute("DROP FUNCTION access_log_append_only()")
    else:
        op.execute("DROP TRIGGER access_log_no_delete")
        op.execute("DROP TRIGGER access_log_no_update")
    for table in ("access_log", "trace_result", "trace_request", "api_token", "app_user", "agency"):
        op.drop_table(table)
