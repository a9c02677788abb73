"""A batch of events as htmx partials for one viewer: render what changed, from the state after.

Instead of one fragment per event, a batch marks what it touched (boards, columns, notes) and
each touched thing is rendered once from the state after the batch, with the same partials a
page load uses. A move or a cluster change re-renders the affected columns, a board-level change
the whole board; htmx morphs them in place, so every client ends with the server's order and
focus, open comment threads and half-typed text survive.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from server.domain import events as ev
from server.domain.events import StoredEvent
from server.domain.workshop import WorkshopState
from server.realtime.source import Viewer
from server.render import dilemma_html, hall_html, timer_html
from server.render.board_view import BoardView
from server.render.question_html import section_html
from server.render.templating import render
from server.render.views import totals_shown

_BOARD_LEVEL = {
    ev.BOARD_CREATED,
    ev.BOARD_RENAMED,
    ev.BOARD_SETTINGS_CHANGED,
    ev.BOARD_PRIVATE_STARTED,
    ev.BOARD_REVEALED,
    ev.COLUMN_ADDED,
    ev.COLUMN_RENAMED,
    ev.COLUMN_MOVED,
    ev.COLUMN_REMOVED,
    ev.DOTS_STARTED,
    ev.DOTS_ENDED,
}
_NOTE_LEVEL = {
    ev.NOTE_EDITED,
    ev.NOTE_SENT_TO_BACKLOG,  # it now says "in the committee's backlog"
    ev.NOTE_REACTED,
    ev.COMMENT_ADDED,
    ev.COMMENT_DELETED,
}
_PARTICIPANTS = {
    ev.PARTICIPANT_JOINED,
    ev.PARTICIPANT_RENAMED,
    ev.PARTICIPANT_KICKED,
    ev.PARTICIPANT_ERASED,
}


@dataclass
class Touched:
    """What one batch changed, in first-touched order."""

    boards: dict[str, None] = field(default_factory=dict)
    new_boards: set[str] = field(default_factory=set)
    columns: dict[str, None] = field(default_factory=dict)
    added: dict[str, None] = field(default_factory=dict)
    moved: dict[str, None] = field(default_factory=dict)
    notes: dict[str, None] = field(default_factory=dict)
    gone: dict[str, None] = field(default_factory=dict)
    summaries: dict[str, None] = field(default_factory=dict)
    participants: dict[str, bool] = field(default_factory=dict)  # id -> joined in this batch
    unhidden: set[str] = field(default_factory=set)
    dots: dict[str, set[str]] = field(default_factory=dict)  # note id -> voters in this batch
    tabs: bool = False
    follow: bool = False


def touched_by(events: list[StoredEvent]) -> Touched:
    t = Touched()
    for e in events:
        d = e.data
        if e.type in _BOARD_LEVEL:
            t.boards[d["board_id"]] = None
            if e.type == ev.BOARD_CREATED:
                t.new_boards.add(d["board_id"])
            if e.type in (ev.BOARD_CREATED, ev.BOARD_RENAMED):
                t.tabs = True
            if e.type in (ev.BOARD_PRIVATE_STARTED, ev.BOARD_REVEALED):
                t.summaries[d["board_id"]] = None
        elif e.type == ev.BOARD_SHOWN:
            t.follow = True
        elif e.type == ev.NOTE_MOVED:
            t.moved[d["note_id"]] = None
        elif e.type in (ev.CLUSTER_ADDED, ev.CLUSTER_RENAMED, ev.CLUSTER_REMOVED):
            if d.get("column_id"):
                t.columns[d["column_id"]] = None
            else:
                t.boards[d["board_id"]] = None
        elif e.type == ev.NOTE_HIDDEN:
            t.notes[d["note_id"]] = None
            t.summaries[d["board_id"]] = None
            if not d["hidden"]:
                t.unhidden.add(d["note_id"])
        elif e.type == ev.NOTE_ADDED:
            t.added[d["note_id"]] = None
            t.summaries[d["board_id"]] = None
            if d.get("linked_note_id"):
                t.notes[d["linked_note_id"]] = None  # it now says "turned around"
        elif e.type == ev.NOTE_DELETED:
            t.gone[d["note_id"]] = None
            t.summaries[d["board_id"]] = None
        elif e.type == ev.NOTE_MERGED:
            t.gone[d["note_id"]] = None
            t.notes[d["into_id"]] = None
            t.summaries[d["board_id"]] = None
        elif e.type in (ev.DOT_PLACED, ev.DOT_REMOVED):
            t.dots.setdefault(d["note_id"], set()).add(d["voter_id"])
        elif e.type in _NOTE_LEVEL:
            t.notes[d["note_id"]] = None
        elif e.type in _PARTICIPANTS:
            pid = d["participant_id"]
            t.participants[pid] = t.participants.get(pid, False) or e.type == ev.PARTICIPANT_JOINED
    return t


def _moves(t: Touched, state: WorkshopState, view: BoardView, covered: set[str]) -> list[str]:
    """Moved notes travel as themselves: taken out, then put back after the note that now
    comes before them (or first in their list). Re-rendering both columns sent every note in
    them, 50 KB a move per tablet on a full board. Taken out all first, then put back in their
    final order, so notes moved together land right whatever order they moved in."""
    notes = [
        n
        for note_id in t.moved
        if (n := state.notes.get(note_id)) is not None
        and n.column_id not in covered
        and view.visible(n)
    ]
    if not notes:
        return []
    parts = [_partial(f"#note-{n.id}", "delete", "") for n in notes]
    moving = {n.id for n in notes}
    lists: dict[tuple[str, str | None], None] = {(n.column_id, n.cluster_id): None for n in notes}
    for column_id, cluster_id in lists:
        before: str | None = None
        for n in view.notes(column_id, cluster_id):
            if n.id in moving:
                html = render("partials/note.html", view.viewer.locale, note=n, view=view)
                if before is None:
                    target = f"#notes-{column_id}-{cluster_id or 'loose'}"
                    parts.append(_partial(target, "afterbegin", html))
                else:
                    parts.append(_partial(f"#note-{before}", "afterend", html))
            before = n.id
    return parts


def _partial(target: str, swap: str, body: str) -> str:
    return f'<hx-partial hx-target="{target}" hx-swap="{swap}">{body}</hx-partial>'


def events_html(events: list[StoredEvent], state: WorkshopState, viewer: Viewer) -> str:
    t = touched_by(events)
    view = BoardView(state, viewer)
    loc = viewer.locale
    parts: list[str] = []
    covered_columns: set[str] = set()
    for board_id in t.boards:
        board = state.boards.get(board_id)
        if board is None:
            continue
        covered_columns.update(c.id for c in board.columns)
        html = render("partials/board.html", loc, board=board, view=view)
        if board_id in t.new_boards:
            parts.append(_partial("#boards", "beforeend", html))
        else:
            parts.append(_partial(f"#board-{board_id}", "outerMorph", html))
    for column_id in t.columns:
        if column_id in covered_columns:
            continue
        board = state.board_of_column(column_id)
        col = board.column(column_id) if board is not None else None
        if board is None or col is None:
            continue
        covered_columns.add(column_id)
        html = render("partials/column_body.html", loc, board=board, column=col, view=view)
        parts.append(_partial(f"#column-body-{column_id}", "innerMorph", html))
    for note_id in t.added:
        note = state.notes.get(note_id)
        if note is None or note.column_id in covered_columns or not view.visible(note):
            continue
        html = render("partials/note.html", loc, note=note, view=view)
        target = f"#notes-{note.column_id}-{note.cluster_id or 'loose'}"
        parts.append(_partial(target, "beforeend", html))
    for note_id in t.notes:
        if note_id in t.added:
            continue
        note = state.notes.get(note_id)
        if note is not None and note.column_id in covered_columns:
            continue
        if note is None or not view.visible(note):
            parts.append(_partial(f"#note-{note_id}", "delete", ""))
        elif note_id in t.unhidden:
            # Back from hiding: others never had it, so the column is re-rendered for them.
            board = state.boards[note.board_id]
            col = board.column(note.column_id)
            assert col is not None
            html = render("partials/column_body.html", loc, board=board, column=col, view=view)
            parts.append(_partial(f"#column-body-{col.id}", "innerMorph", html))
        else:
            html = render("partials/note.html", loc, note=note, view=view)
            parts.append(_partial(f"#note-{note_id}", "outerMorph", html))
    parts.extend(_moves(t, state, view, covered_columns))
    for note_id in t.gone:
        parts.append(_partial(f"#note-{note_id}", "delete", ""))
    dot_boards: dict[str, None] = {}
    for note_id, voters in t.dots.items():
        # Someone's dot: the voter sees their own count and dots left; others only totals they
        # may see (in a hidden round a participant is sent nothing about another's dot).
        note = state.notes.get(note_id)
        r = state.dot_rounds.get(note.board_id) if note is not None else None
        if note is None or r is None or note.board_id in t.boards or not view.visible(note):
            continue
        own = viewer.role == "participant" and viewer.actor_id in voters
        if not own and not totals_shown(r, viewer):
            continue
        dot_boards[note.board_id] = None
        if note_id in t.notes or note_id in t.added or note.column_id in covered_columns:
            continue
        html = render("partials/note.html", loc, note=note, view=view)
        parts.append(_partial(f"#note-{note_id}", "outerMorph", html))
    for board_id in dot_boards:
        html = render("partials/dot_round.html", loc, board=state.boards[board_id], view=view)
        parts.append(_partial(f"#dots-{board_id}", "outerMorph", html))
    for board_id in t.summaries:
        board = state.boards.get(board_id)
        if board is None or board_id in t.boards:
            continue
        html = render("partials/private_summary.html", loc, board=board, view=view)
        parts.append(_partial(f"#private-summary-{board_id}", "outerMorph", html))
    if t.tabs:
        html = render("partials/board_tabs.html", loc, view=view)
        parts.append(_partial("#board-tabs", "innerMorph", html))
    if t.follow:
        html = render("partials/follow.html", loc, view=view)
        parts.append(_partial("#follow", "outerMorph", html))
    if viewer.role == "facilitator":
        for pid, joined in t.participants.items():
            p = state.participants.get(pid)
            if p is None:
                continue
            html = render("partials/participant.html", loc, p=p)
            if joined:
                parts.append(_partial("#participants", "beforeend", html))
            else:
                parts.append(_partial(f"#participant-{pid}", "outerMorph", html))
    return "".join(parts)


def snapshot_html(state: WorkshopState, viewer: Viewer) -> str:
    view = BoardView(state, viewer)
    loc = viewer.locale
    boards = "".join(render("partials/board.html", loc, board=b, view=view) for b in view.boards())
    parts = [
        _partial("#boards", "innerMorph", boards),
        _partial("#board-tabs", "innerMorph", render("partials/board_tabs.html", loc, view=view)),
        _partial("#follow", "outerMorph", render("partials/follow.html", loc, view=view)),
        section_html(state, viewer),
        timer_html.snapshot_html(state, viewer),
        dilemma_html.section_html(state, viewer),
        hall_html.snapshot_html(state, viewer),
    ]
    if viewer.role == "facilitator":
        rows = render("partials/participants.html", loc, state=state)
        parts.append(_partial("#participants", "innerMorph", rows))
    return "".join(parts)


def _boards_of(events: list[StoredEvent], state: WorkshopState) -> set[str]:
    out: set[str] = set()
    for e in events:
        d = e.data
        if d.get("board_id"):
            out.add(d["board_id"])
        for key in ("note_id", "into_id", "linked_note_id"):
            note = state.notes.get(d.get(key) or "")
            if note is not None:
                out.add(note.board_id)
        if d.get("column_id"):
            board = state.board_of_column(d["column_id"])
            if board is not None:
                out.add(board.id)
    return out


def personal(events: list[StoredEvent], state: WorkshopState) -> frozenset[str]:
    """People whose own rendering of this batch differs from everyone else's: authors with notes
    others may not see (private writing or hidden) on a board the batch touches; the voter of
    every dot in it; and, on a touched board with a running dot round, everyone with dots there
    (their notes say "Your dots" and the board how many they have left)."""
    boards = _boards_of(events, state)
    out = {
        n.author_id
        for n in state.notes.values()
        if n.board_id in boards and (n.hidden or state.boards[n.board_id].private)
    }
    out.update(e.data["voter_id"] for e in events if e.type in (ev.DOT_PLACED, ev.DOT_REMOVED))
    running = {b for b in boards if (r := state.dot_rounds.get(b)) is not None and r.running}
    if running:
        for note_id, voter in state.dots:
            note = state.notes.get(note_id)
            if note is not None and note.board_id in running:
                out.add(voter)
    return frozenset(out)
