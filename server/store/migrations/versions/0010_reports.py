"""Reports: who opened which hall station (`hall_opens`), the published report link
(`workshops.report_link`) and what an imported workshop brought along (`workshops.archive`).

The new columns are nullable and added with batch_alter_table, which SQLite does in place.
Workshops written before have no opens, no link and no archive, as replaying their logs (which
hold no `hall.station_opened`, `report.*` nor `workshop.imported` event) gives.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hall_opens",
        sa.Column("workshop_id", sa.String(length=32), nullable=False),
        sa.Column("station_id", sa.String(length=32), nullable=False),
        sa.Column("participant_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_hall_opens_participant_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshops.id"], name=op.f("fk_hall_opens_workshop_id_workshops")
        ),
        sa.PrimaryKeyConstraint(
            "workshop_id", "station_id", "participant_id", name=op.f("pk_hall_opens")
        ),
    )
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.add_column(sa.Column("report_link", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("archive", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.drop_column("archive")
        batch_op.drop_column("report_link")
    op.drop_table("hall_opens")
