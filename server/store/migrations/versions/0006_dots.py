"""Dot voting: one round per board, and each voter's dots on a note as a count.

The round's sizes are checked by the database too (1-20 dots per person, 1 to that many per
note), and so is a count (1-20: a voter with no dots left on a note has no row). Workshops
written before have no rounds and no dots, as replaying their logs (which hold no `dots.*` or
`dot.*` event) gives.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _workshop_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workshop_id"], ["workshops.id"], name=op.f(f"fk_{table}_workshop_id_workshops")
    )


def _board_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["board_id"], ["boards.id"], name=op.f(f"fk_{table}_board_id_boards")
    )


def _workshop_index(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{table}_workshop_id"), ["workshop_id"], unique=False)


def upgrade() -> None:
    op.create_table(
        "dot_rounds",
        sa.Column("board_id", sa.String(length=32), nullable=False),
        sa.Column("workshop_id", sa.String(length=32), nullable=False),
        sa.Column("dots_per_person", sa.Integer(), nullable=False),
        sa.Column("per_note", sa.Integer(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("running", sa.Boolean(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "dots_per_person >= 1 AND dots_per_person <= 20",
            name=op.f("ck_dot_rounds_dots_range"),
        ),
        sa.CheckConstraint(
            "per_note >= 1 AND per_note <= dots_per_person",
            name=op.f("ck_dot_rounds_per_note_range"),
        ),
        _board_fk("dot_rounds"),
        _workshop_fk("dot_rounds"),
        sa.PrimaryKeyConstraint("board_id", name=op.f("pk_dot_rounds")),
    )
    _workshop_index("dot_rounds")
    op.create_table(
        "dots",
        sa.Column("note_id", sa.String(length=32), nullable=False),
        sa.Column("voter_id", sa.String(length=32), nullable=False),
        sa.Column("workshop_id", sa.String(length=32), nullable=False),
        sa.Column("board_id", sa.String(length=32), nullable=False),
        sa.Column("placed", sa.Integer(), nullable=False),
        sa.CheckConstraint("placed >= 1 AND placed <= 20", name=op.f("ck_dots_placed_range")),
        _board_fk("dots"),
        sa.ForeignKeyConstraint(["note_id"], ["notes.id"], name=op.f("fk_dots_note_id_notes")),
        _workshop_fk("dots"),
        sa.PrimaryKeyConstraint("note_id", "voter_id", name=op.f("pk_dots")),
    )
    _workshop_index("dots")


def downgrade() -> None:
    for table in ("dots", "dot_rounds"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_workshop_id"))
        op.drop_table(table)
