"""Live boards: columns, clusters, comments, +1s, note colour/order/version/hiding, settings.

Existing rows are backfilled to what replaying their log gives (`workshop._first_board`): each
board becomes a "blank" board with one column whose id and title are the board's, and each note
sits in that column at position = seq, yellow, version 1, shown.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Lightweight views of the tables as this revision knows them, for the backfill.
_workshops = sa.table("workshops", sa.column("id"), sa.column("facilitator_id"))
_boards = sa.table(
    "boards",
    sa.column("id"),
    sa.column("workshop_id"),
    sa.column("title"),
    sa.column("template"),
    sa.column("show_authors", sa.Boolean),
    sa.column("open_moves", sa.Boolean),
    sa.column("private", sa.Boolean),
    sa.column("locked", sa.Boolean),
)
_board_columns = sa.table(
    "board_columns",
    sa.column("id"),
    sa.column("workshop_id"),
    sa.column("board_id"),
    sa.column("title"),
    sa.column("position", sa.Integer),
)
_notes = sa.table(
    "notes",
    sa.column("workshop_id"),
    sa.column("board_id"),
    sa.column("author_id"),
    sa.column("seq", sa.BigInteger),
    sa.column("column_id"),
    sa.column("position", sa.Integer),
    sa.column("color"),
    sa.column("version", sa.Integer),
    sa.column("hidden", sa.Boolean),
    sa.column("by_facilitator", sa.Boolean),
    sa.column("merged", sa.JSON),
)
_participants = sa.table("participants", sa.column("kicked", sa.Boolean))

_BOARD_FLAGS = ("show_authors", "open_moves", "private", "locked")
_NOTE_FILLED = (
    ("column_id", sa.String(length=32)),
    ("position", sa.Integer()),
    ("color", sa.String(length=16)),
    ("version", sa.Integer()),
    ("hidden", sa.Boolean()),
    ("by_facilitator", sa.Boolean()),
    ("merged", sa.JSON()),
)


def _workshop_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workshop_id"], ["workshops.id"], name=op.f(f"fk_{table}_workshop_id_workshops")
    )


def _workshop_index(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{table}_workshop_id"), ["workshop_id"], unique=False)


def _create_tables() -> None:
    op.create_table(
        "board_columns",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("workshop_id", sa.String(length=32), nullable=False),
        sa.Column("board_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["board_id"], ["boards.id"], name=op.f("fk_board_columns_board_id_boards")
        ),
        _workshop_fk("board_columns"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_columns")),
    )
    _workshop_index("board_columns")
    op.create_table(
        "clusters",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("workshop_id", sa.String(length=32), nullable=False),
        sa.Column("board_id", sa.String(length=32), nullable=False),
        sa.Column("column_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["board_id"], ["boards.id"], name=op.f("fk_clusters_board_id_boards")
        ),
        sa.ForeignKeyConstraint(
            ["column_id"], ["board_columns.id"], name=op.f("fk_clusters_column_id_board_columns")
        ),
        _workshop_fk("clusters"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clusters")),
    )
    _workshop_index("clusters")
    op.create_table(
        "comments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("workshop_id", sa.String(length=32), nullable=False),
        sa.Column("note_id", sa.String(length=32), nullable=False),
        sa.Column("board_id", sa.String(length=32), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("author_name", sa.String(length=60), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("by_facilitator", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["board_id"], ["boards.id"], name=op.f("fk_comments_board_id_boards")
        ),
        sa.ForeignKeyConstraint(["note_id"], ["notes.id"], name=op.f("fk_comments_note_id_notes")),
        _workshop_fk("comments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    _workshop_index("comments")
    op.create_table(
        "note_reactions",
        sa.Column("note_id", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.String(length=32), nullable=False),
        sa.Column("workshop_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["note_id"], ["notes.id"], name=op.f("fk_note_reactions_note_id_notes")
        ),
        _workshop_fk("note_reactions"),
        sa.PrimaryKeyConstraint("note_id", "actor_id", name=op.f("pk_note_reactions")),
    )
    _workshop_index("note_reactions")


def _alter_boards() -> None:
    with op.batch_alter_table("boards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("template", sa.String(length=20), nullable=True))
        for flag in _BOARD_FLAGS:
            batch_op.add_column(sa.Column(flag, sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("turn_column_id", sa.String(length=32), nullable=True))
    op.execute(
        sa.update(_boards).values(
            template="blank", show_authors=True, open_moves=True, private=False, locked=False
        )
    )
    with op.batch_alter_table("boards", schema=None) as batch_op:
        batch_op.alter_column("template", existing_type=sa.String(length=20), nullable=False)
        for flag in _BOARD_FLAGS:
            batch_op.alter_column(flag, existing_type=sa.Boolean(), nullable=False)
    # The first column of a board that had none: the board's own id and title.
    op.execute(
        sa.insert(_board_columns).from_select(
            ["id", "workshop_id", "board_id", "title", "position"],
            sa.select(
                _boards.c.id,
                _boards.c.workshop_id,
                _boards.c.id,
                _boards.c.title,
                sa.literal(0, sa.Integer),
            ),
        )
    )


def _alter_notes() -> None:
    with op.batch_alter_table("notes", schema=None) as batch_op:
        for name, type_ in _NOTE_FILLED:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        batch_op.add_column(sa.Column("cluster_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("linked_note_id", sa.String(length=32), nullable=True))
    op.execute(
        sa.update(_notes).values(
            column_id=_notes.c.board_id,
            position=_notes.c.seq,
            color="yellow",
            version=1,
            hidden=False,
            by_facilitator=False,
            merged=[],
        )
    )
    # Before columns, a note the facilitator wrote carried their id as its author.
    op.execute(
        sa.update(_notes)
        .where(
            _notes.c.author_id
            == sa.select(_workshops.c.facilitator_id)
            .where(_workshops.c.id == _notes.c.workshop_id)
            .scalar_subquery()
        )
        .values(by_facilitator=True)
    )
    with op.batch_alter_table("notes", schema=None) as batch_op:
        for name, type_ in _NOTE_FILLED:
            batch_op.alter_column(name, existing_type=type_, nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_notes_column_id_board_columns"), "board_columns", ["column_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_notes_cluster_id_clusters"), "clusters", ["cluster_id"], ["id"]
        )


def upgrade() -> None:
    _create_tables()
    _alter_boards()
    _alter_notes()
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kicked", sa.Boolean(), nullable=True))
    op.execute(sa.update(_participants).values(kicked=False))
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.alter_column("kicked", existing_type=sa.Boolean(), nullable=False)
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.add_column(sa.Column("current_board_id", sa.String(length=32), nullable=True))


def downgrade() -> None:
    """Back to one column per board: notes keep their board, everything else is dropped."""
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.drop_column("current_board_id")
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("kicked")
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_notes_cluster_id_clusters"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_notes_column_id_board_columns"), type_="foreignkey")
        for name, _ in _NOTE_FILLED:
            batch_op.drop_column(name)
        batch_op.drop_column("cluster_id")
        batch_op.drop_column("linked_note_id")
    with op.batch_alter_table("boards", schema=None) as batch_op:
        batch_op.drop_column("turn_column_id")
        for flag in _BOARD_FLAGS:
            batch_op.drop_column(flag)
        batch_op.drop_column("template")
    for table in ("note_reactions", "comments", "clusters", "board_columns"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_workshop_id"))
        op.drop_table(table)
