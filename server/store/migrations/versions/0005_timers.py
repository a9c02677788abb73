"""Countdown timers, with the question each one may close at zero.

Seconds are 5-3600 here as well as in the domain (a CHECK constraint). Workshops written before
have no timers, as replaying their logs (which hold no `timer.*` event) gives.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "timers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("workshop_id", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=True),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("started_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("ends_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("close_question_id", sa.String(length=32), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("stopped", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "seconds >= 5 AND seconds <= 3600", name=op.f("ck_timers_seconds_range")
        ),
        sa.ForeignKeyConstraint(
            ["close_question_id"],
            ["questions.id"],
            name=op.f("fk_timers_close_question_id_questions"),
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshops.id"], name=op.f("fk_timers_workshop_id_workshops")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timers")),
    )
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_timers_workshop_id"), ["workshop_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timers_workshop_id"))
    op.drop_table("timers")
