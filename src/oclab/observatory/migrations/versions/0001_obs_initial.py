"""The observatory's tables: import batches, courts, cases, charges, defendants (every record
with provenance and its batch; ids of cases and people are pseudonyms) and quarantine entries.

Revision ID: obs0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "obs0001"
down_revision = None
branch_labels = None
depends_on = None


def _provenance() -> list[sa.Column]:
    return [
        sa.Column("source", sa.String(400), nullable=False),
        sa.Column("source_file", sa.String(400), nullable=False),
        sa.Column("source_line", sa.Integer, nullable=False),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("obs_import_batch.id"), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "obs_import_batch",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin", sa.String(400), nullable=False),
        sa.Column("key_check", sa.String(64), nullable=False),
    )
    op.create_table(
        "obs_court",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("court_id", sa.String(100), nullable=False, unique=True),
        sa.Column("state", sa.String(4), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        *_provenance(),
    )
    op.create_table(
        "obs_case",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.String(32), nullable=False, unique=True),
        sa.Column("state", sa.String(4), nullable=False),
        sa.Column("court_id", sa.String(100), nullable=True),
        sa.Column("system", sa.String(15), nullable=False),
        sa.Column("report_date", sa.Date, nullable=False),
        sa.Column("investigation_date", sa.Date, nullable=True),
        sa.Column("charge_date", sa.Date, nullable=True),
        sa.Column("first_hearing_date", sa.Date, nullable=True),
        sa.Column("verdict_date", sa.Date, nullable=True),
        sa.Column("outcome", sa.String(15), nullable=False),
        sa.Column("judge_id", sa.String(32), nullable=True),
        sa.Column("prosecutor_id", sa.String(32), nullable=True),
        *_provenance(),
    )
    op.create_table(
        "obs_charge",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("charge_no", sa.Integer, nullable=False),
        sa.Column("offence", sa.String(100), nullable=False),
        sa.Column("organized_crime", sa.Boolean, nullable=False),
        *_provenance(),
        sa.UniqueConstraint("case_id", "charge_no"),
    )
    op.create_table(
        "obs_defendant",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("defendant_id", sa.String(32), nullable=False),
        sa.Column("pretrial_detention", sa.Boolean, nullable=False),
        sa.Column("counsel", sa.String(10), nullable=False),
        *_provenance(),
        sa.UniqueConstraint("case_id", "defendant_id"),
    )
    op.create_table(
        "obs_quarantine",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("obs_import_batch.id"), nullable=False),
        sa.Column("table_name", sa.String(20), nullable=False),
        sa.Column("source_line", sa.Integer, nullable=False),
        sa.Column("problem", sa.String(400), nullable=False),
    )
    for table, column in (
        ("obs_case", "state"),
        ("obs_case", "court_id"),
        ("obs_charge", "case_id"),
        ("obs_defendant", "case_id"),
        ("obs_court", "batch_id"),
        ("obs_case", "batch_id"),
        ("obs_charge", "batch_id"),
        ("obs_defendant", "batch_id"),
        ("obs_quarantine", "batch_id"),
    ):
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade() -> None:
    for table in (
        "obs_quarantine",
        "obs_defendant",
        "obs_charge",
        "obs_case",
        "obs_court",
        "obs_import_batch",
    ):
        op.drop_table(table)
