"""The dilemma deck: cards (one deck per workshop) and one choice per (card, chooser).

The database enforces one choice per participant per card (the primary key) and that a side is
"over" or "under" and a card's status one of waiting, open and revealed (CHECK constraints).
Workshops written before have no cards and no choices, as replaying their logs (which hold no
`dilemma.*` event) gives.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _workshop_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workshop_id"], ["workshops.id"], name=op.f(f"fk_{table}_workshop_id_workshops")
    )


def _workshop_index(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{table}_workshop_id"), ["workshop_id"], unique=False)


def upgrade() -> None:
    op.create_table(
        "dilemma_cards",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("workshop_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("shown", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "status IN ('waiting', 'open', 'revealed')",
            name=op.f("ck_dilemma_cards_status_values"),
        ),
        _workshop_fk("dilemma_cards"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dilemma_cards")),
    )
    _workshop_index("dilemma_cards")
    op.create_table(
        "dilemma_choices",
        sa.Column("card_id", sa.String(length=32), nullable=False),
        sa.Column("chooser_id", sa.String(length=32), nullable=False),
        sa.Column("workshop_id", sa.String(length=32), nullable=False),
        sa.Column("side", sa.String(length=5), nullable=False),
        sa.Column("group_name", sa.String(length=40), nullable=False),
        sa.Column("by_facilitator", sa.Boolean(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "side IN ('over', 'under')", name=op.f("ck_dilemma_choices_side_values")
        ),
        sa.ForeignKeyConstraint(
            ["card_id"], ["dilemma_cards.id"], name=op.f("fk_dilemma_choices_card_id_dilemma_cards")
        ),
        _workshop_fk("dilemma_choices"),
        sa.PrimaryKeyConstraint("card_id", "chooser_id", name=op.f("pk_dilemma_choices")),
    )
    _workshop_index("dilemma_choices")


def downgrade() -> None:
    for table in ("dilemma_choices", "dilemma_cards"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_workshop_id"))
        op.drop_table(table)
