"""Task committees: committees, their meetings, sprints and backlog items; the committee a
workshop is a meeting of (`workshops.committee_id`) and the backlog item a note became
(`notes.backlog_committee_id`, `notes.backlog_item_id`).

The new columns are nullable and added with batch_alter_table, which SQLite does in place (no
foreign key on them, so no table is rebuilt). Workshops written before have no committee rows
and their notes no backlog link, as replaying their logs (which hold no `committee.*`,
`backlog.*`, `sprint.*` nor `note.sent_to_backlog` event) gives. The database checks units,
capacity rules, statuses, the capacity and estimate ranges, that a sprint ends on or after its
start, that an item's source names both workshop and note, and that a note gives one item.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLES = ("committees", "committee_meetings", "sprints", "backlog_items")


def _workshop_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workshop_id"], ["workshops.id"], name=op.f(f"fk_{table}_workshop_id_workshops")
    )


def _workshop_id() -> sa.Column[str]:
    return sa.Column("workshop_id", sa.String(length=32), nullable=False)


def upgrade() -> None:
    op.create_table(
        "committees",
        _workshop_id(),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=6), nullable=False),
        sa.Column("capacity_rule", sa.String(length=6), nullable=False),
        sa.Column("parties", sa.JSON(), nullable=False),
        sa.Column("political_seats", sa.Integer(), nullable=False),
        sa.Column("test_group", sa.Boolean(), nullable=False),
        sa.CheckConstraint("unit IN ('points', 'hours')", name=op.f("ck_committees_unit_values")),
        sa.CheckConstraint(
            "capacity_rule IN ('refuse', 'warn')", name=op.f("ck_committees_capacity_rule_values")
        ),
        sa.CheckConstraint(
            "political_seats >= 0", name=op.f("ck_committees_political_seats_range")
        ),
        _workshop_fk("committees"),
        sa.PrimaryKeyConstraint("workshop_id", name=op.f("pk_committees")),
    )
    op.create_table(
        "committee_meetings",
        _workshop_id(),
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("date", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["workshops.id"],
            name=op.f("fk_committee_meetings_meeting_id_workshops"),
        ),
        _workshop_fk("committee_meetings"),
        sa.PrimaryKeyConstraint("workshop_id", "meeting_id", name=op.f("pk_committee_meetings")),
    )
    op.create_table(
        "sprints",
        _workshop_id(),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("goals", sa.JSON(), nullable=False),
        sa.Column("start_date", sa.String(length=10), nullable=False),
        sa.Column("end_date", sa.String(length=10), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("reopened", sa.Integer(), nullable=False),
        sa.Column("reopenings", sa.JSON(), nullable=False),
        sa.Column("started_on", sa.String(length=10), nullable=True),
        sa.Column("closed_on", sa.String(length=10), nullable=True),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "status IN ('planning', 'running', 'closed')", name=op.f("ck_sprints_status_values")
        ),
        sa.CheckConstraint(
            "capacity >= 1 AND capacity <= 10000", name=op.f("ck_sprints_capacity_range")
        ),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_sprints_dates")),
        _workshop_fk("sprints"),
        sa.PrimaryKeyConstraint("workshop_id", "id", name=op.f("pk_sprints")),
    )
    op.create_table(
        "backlog_items",
        _workshop_id(),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("estimate", sa.Integer(), nullable=True),
        sa.Column("owners", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source_workshop_id", sa.String(length=32), nullable=True),
        sa.Column("source_note_id", sa.String(length=32), nullable=True),
        sa.Column("sprint_id", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=5), nullable=False),
        sa.Column("board_position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('todo', 'doing', 'done')", name=op.f("ck_backlog_items_status_values")
        ),
        sa.CheckConstraint(
            "estimate >= 0 AND estimate <= 1000", name=op.f("ck_backlog_items_estimate_range")
        ),
        sa.CheckConstraint(
            "(source_workshop_id IS NULL) = (source_note_id IS NULL)",
            name=op.f("ck_backlog_items_source_both"),
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id", "sprint_id"],
            ["sprints.workshop_id", "sprints.id"],
            name="fk_backlog_items_sprint_id_sprints",
        ),
        _workshop_fk("backlog_items"),
        sa.PrimaryKeyConstraint("workshop_id", "id", name=op.f("pk_backlog_items")),
        sa.UniqueConstraint(
            "workshop_id",
            "source_workshop_id",
            "source_note_id",
            name="uq_backlog_items_source",
        ),
    )
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.add_column(sa.Column("committee_id", sa.String(length=32), nullable=True))
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("backlog_committee_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("backlog_item_id", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_column("backlog_item_id")
        batch_op.drop_column("backlog_committee_id")
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.drop_column("committee_id")
    for table in reversed(TABLES):
        op.drop_table(table)
