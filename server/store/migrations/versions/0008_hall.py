"""The virtual council hall: rooms, stations, uploaded files (their facts and their bytes),
unlocks, "call me" requests and the spotlight.

Every hall table is keyed by (workshop_id, ...), as a room's id ("hall") repeats across
workshops. The database checks the kinds of rooms, stations and files, that a station sits on
its picture (0..10000 each way), and that a room's picture and music and a film station's video
and captions are files of the same workshop. Workshops written before have no rows here, which
loads as the default hall with nothing in it, as replaying their logs (which hold no `hall.*`
event) gives.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = (
    "hall_assets",
    "hall_rooms",
    "hall_stations",
    "hall_unlocks",
    "hall_calls",
    "hall_spotlights",
    "asset_blobs",
)


def _workshop_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workshop_id"], ["workshops.id"], name=op.f(f"fk_{table}_workshop_id_workshops")
    )


def _participant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["participant_id"],
        ["participants.id"],
        name=op.f(f"fk_{table}_participant_id_participants"),
    )


def _asset_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workshop_id", column],
        ["hall_assets.workshop_id", "hall_assets.id"],
        name=f"fk_{table}_{column}_hall_assets",
    )


def _workshop_id() -> sa.Column[str]:
    return sa.Column("workshop_id", sa.String(length=32), nullable=False)


def upgrade() -> None:
    op.create_table(
        "hall_assets",
        _workshop_id(),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('image', 'audio', 'video', 'captions')",
            name=op.f("ck_hall_assets_kind_values"),
        ),
        sa.CheckConstraint(
            "size >= 0 AND width >= 0 AND height >= 0", name=op.f("ck_hall_assets_sizes")
        ),
        _workshop_fk("hall_assets"),
        sa.PrimaryKeyConstraint("workshop_id", "id", name=op.f("pk_hall_assets")),
    )
    op.create_table(
        "hall_rooms",
        _workshop_id(),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=5), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("picture_id", sa.String(length=32), nullable=True),
        sa.Column("music_id", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "kind IN ('hall', 'room', 'break')", name=op.f("ck_hall_rooms_kind_values")
        ),
        _asset_fk("hall_rooms", "picture_id"),
        _asset_fk("hall_rooms", "music_id"),
        _workshop_fk("hall_rooms"),
        sa.PrimaryKeyConstraint("workshop_id", "id", name=op.f("pk_hall_rooms")),
    )
    op.create_table(
        "hall_stations",
        _workshop_id(),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("room_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("x", sa.Integer(), nullable=False),
        sa.Column("y", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("current_item", sa.Integer(), nullable=True),
        sa.Column("milestones", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=False),
        sa.Column("board_id", sa.String(length=32), nullable=True),
        sa.Column("target_room_id", sa.String(length=32), nullable=True),
        sa.Column("quiz", sa.JSON(), nullable=False),
        sa.Column("video_id", sa.String(length=32), nullable=True),
        sa.Column("captions_id", sa.String(length=32), nullable=True),
        sa.Column("image_ids", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('programme', 'rules', 'films', 'plan', 'maps', 'helpline', 'board',"
            " 'info', 'quiz', 'door')",
            name=op.f("ck_hall_stations_kind_values"),
        ),
        sa.CheckConstraint(
            "x >= 0 AND x <= 10000 AND y >= 0 AND y <= 10000",
            name=op.f("ck_hall_stations_xy_range"),
        ),
        sa.CheckConstraint("current_item >= 0", name=op.f("ck_hall_stations_current_item_range")),
        sa.ForeignKeyConstraint(
            ["board_id"], ["boards.id"], name=op.f("fk_hall_stations_board_id_boards")
        ),
        _asset_fk("hall_stations", "video_id"),
        _asset_fk("hall_stations", "captions_id"),
        _workshop_fk("hall_stations"),
        sa.PrimaryKeyConstraint("workshop_id", "id", name=op.f("pk_hall_stations")),
    )
    op.create_table(
        "hall_unlocks",
        _workshop_id(),
        sa.Column("room_id", sa.String(length=32), nullable=False),
        sa.Column("participant_id", sa.String(length=32), nullable=False),
        _participant_fk("hall_unlocks"),
        _workshop_fk("hall_unlocks"),
        sa.PrimaryKeyConstraint(
            "workshop_id", "room_id", "participant_id", name=op.f("pk_hall_unlocks")
        ),
    )
    op.create_table(
        "hall_calls",
        _workshop_id(),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("participant_id", sa.String(length=32), nullable=False),
        sa.Column("station_id", sa.String(length=32), nullable=False),
        sa.Column("message", sa.String(length=200), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        _participant_fk("hall_calls"),
        _workshop_fk("hall_calls"),
        sa.PrimaryKeyConstraint("workshop_id", "id", name=op.f("pk_hall_calls")),
    )
    op.create_table(
        "hall_spotlights",
        _workshop_id(),
        sa.Column("station_id", sa.String(length=32), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        _workshop_fk("hall_spotlights"),
        sa.PrimaryKeyConstraint("workshop_id", name=op.f("pk_hall_spotlights")),
    )
    op.create_table(
        "asset_blobs",
        _workshop_id(),
        sa.Column("asset_id", sa.String(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        _workshop_fk("asset_blobs"),
        sa.PrimaryKeyConstraint("workshop_id", "asset_id", name=op.f("pk_asset_blobs")),
    )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
