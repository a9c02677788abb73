"""Reports and erasure: who opened which hall station (`hall_opens`), the published report
link (`workshops.report_link`), what an imported workshop brought along (`workshops.archive`),
and whether a participant's personal data was erased (`participants.erased`).

The new columns are nullable and added with batch_alter_table, which SQLite does in place.
Workshops written before have no opens, no link, no archive and no erased participant, as
replaying their logs (which hold no `hall.station_opened`, `report.*`, `workshop.imported` nor
`participant.erased` event) gives.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

_participants = sa.table("participants", sa.column("erased", sa.Boolean))

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
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased", sa.Boolean(), nullable=True))
    op.execute(sa.update(_participants).values(erased=False))
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.alter_column("erased", existing_type=sa.Boolean(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("erased")
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.drop_column("archive")
        batch_op.drop_column("report_link")
    op.drop_table("hall_opens")
