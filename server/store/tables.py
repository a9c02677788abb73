"""The schema. Alembic migrations create exactly this (a test compares them)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

facilitators = sa.Table(
    "facilitators",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(60), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

workshops = sa.Table(
    "workshops",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("join_code", sa.String(6), nullable=False, unique=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("date", sa.String(10), nullable=False),
    sa.Column("groups", sa.JSON, nullable=False),
    sa.Column("epoch", sa.String(32), nullable=False),
    sa.Column("last_seq", sa.BigInteger, nullable=False),
    sa.Column("facilitator_id", sa.String(32), sa.ForeignKey("facilitators.id"), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("workshop_id", sa.String(32), sa.ForeignKey("workshops.id"), primary_key=True),
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("actor_id", sa.String(32), nullable=True),
    sa.Column("command_id", sa.String(64), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

commands = sa.Table(
    "commands",
    metadata,
    sa.Column("workshop_id", sa.String(32), sa.ForeignKey("workshops.id"), primary_key=True),
    sa.Column("command_id", sa.String(64), primary_key=True),
    sa.Column("actor_id", sa.String(32), nullable=False),
    sa.Column("outcome", sa.String(10), nullable=False),  # "accepted" | "rejected"
    sa.Column("first_seq", sa.BigInteger, nullable=True),
    sa.Column("last_seq", sa.BigInteger, nullable=True),
    sa.Column("error_code", sa.String(60), nullable=True),
    # The message's parameters ("at most 500 characters"), so a retry gets the same sentence.
    sa.Column("error_params", sa.JSON, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

boards = sa.Table(
    "boards",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column(
        "workshop_id", sa.String(32), sa.ForeignKey("workshops.id"), nullable=False, index=True
    ),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
)

participants = sa.Table(
    "participants",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column(
        "workshop_id", sa.String(32), sa.ForeignKey("workshops.id"), nullable=False, index=True
    ),
    sa.Column("display_name", sa.String(60), nullable=True),
    sa.Column("group_name", sa.String(40), nullable=False),
    sa.Column("joined_seq", sa.BigInteger, nullable=False),
)

notes = sa.Table(
    "notes",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column(
        "workshop_id", sa.String(32), sa.ForeignKey("workshops.id"), nullable=False, index=True
    ),
    sa.Column("board_id", sa.String(32), sa.ForeignKey("boards.id"), nullable=False),
    sa.Column("author_id", sa.String(32), nullable=False),
    sa.Column("author_name", sa.String(60), nullable=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
)
