"""0-10 questions and their votes; participants the facilitator added for someone in the room.

One vote per participant per question is the votes table's primary key, and a value outside
0-10 is refused by a CHECK constraint: the database enforces both, not only the domain.
Existing participants joined with their own device: `in_room` is false for them, as replaying
their `participant.joined` (which names no `in_room`) gives.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_participants = sa.table("participants", sa.column("in_room", sa.Boolean))


def _workshop_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workshop_id"], ["workshops.id"], name=op.f(f"fk_{table}_workshop_id_workshops")
    )


def _workshop_index(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{table}_workshop_id"), ["workshop_id"], unique=False)


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("workshop_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("low_label", sa.String(length=40), nullable=False),
        sa.Column("high_label", sa.String(length=40), nullable=False),
        sa.Column("ask_comment", sa.Boolean(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("min_group", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        _workshop_fk("questions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
    )
    _workshop_index("questions")
    op.create_table(
        "votes",
        sa.Column("question_id", sa.String(length=32), nullable=False),
        sa.Column("voter_id", sa.String(length=32), nullable=False),
        sa.Column("workshop_id", sa.String(length=32), nullable=False),
        sa.Column("value", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("group_name", sa.String(length=40), nullable=False),
        sa.Column("by_facilitator", sa.Boolean(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("value >= 0 AND value <= 10", name=op.f("ck_votes_value_range")),
        sa.ForeignKeyConstraint(
            ["question_id"], ["questions.id"], name=op.f("fk_votes_question_id_questions")
        ),
        _workshop_fk("votes"),
        sa.PrimaryKeyConstraint("question_id", "voter_id", name=op.f("pk_votes")),
    )
    _workshop_index("votes")
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("in_room", sa.Boolean(), nullable=True))
    op.execute(sa.update(_participants).values(in_room=False))
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.alter_column("in_room", existing_type=sa.Boolean(), nullable=False)


def downgrade() -> None:
    """Questions and votes are dropped; participants added for the room stay, as ordinary."""
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("in_room")
    for table in ("votes", "questions"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_workshop_id"))
        op.drop_table(table)
