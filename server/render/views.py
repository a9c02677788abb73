"""JSON views of state and events, per viewer: what a viewer may not see is never in them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.domain import events as ev
from server.domain.boards import Board, Comment, Note, can_see_note
from server.domain.dilemmas import Card, Split, chosen_count, deck, split
from server.domain.dots import DotRound, dots_left, ranking, totals
from server.domain.events import StoredEvent
from server.domain.timers import Timer
from server.domain.workshop import WorkshopState
from server.realtime.source import Viewer
from server.render.backlog_views import BACKLOG_VIEW_EVENTS, backlog_event_json, committee_json
from server.render.hall_views import hall_event_json, hall_json
from server.render.question_views import QUESTION_EVENTS, question_event_json, questions_json


def visible(state: WorkshopState, note: Note, viewer: Viewer) -> bool:
    board = state.boards.get(note.board_id)
    return board is not None and can_see_note(board, note, viewer.role, viewer.actor_id)


def shows_authors(board: Board | None, viewer: Viewer) -> bool:
    """Facilitators always see who wrote what (they moderate); others as the board says."""
    return viewer.role == "facilitator" or board is None or board.show_authors


# --- dot voting -------------------------------------------------------------------------------
# Dots are anonymous: nobody, the facilitator included, is told who put a dot where; a
# participant is told their own. While a hidden round runs participants get no totals (not even
# in an event about someone else's dot); the facilitator always gets totals; a live or ended
# round's totals and ranking are for everyone. Only notes the viewer may see are counted out.

DOT_EVENTS = frozenset((ev.DOTS_STARTED, ev.DOT_PLACED, ev.DOT_REMOVED, ev.DOTS_ENDED))


def totals_shown(r: DotRound, viewer: Viewer) -> bool:
    return viewer.role == "facilitator" or not r.hidden or not r.running


def _own_dots(state: WorkshopState, note_id: str, viewer: Viewer) -> int:
    if viewer.role != "participant" or not viewer.actor_id:
        return 0
    return state.dots.get((note_id, viewer.actor_id), 0)


def note_dots_json(
    state: WorkshopState, n: Note, viewer: Viewer, counts: Mapping[str, int] | None = None
) -> dict[str, Any] | None:
    """A note's dots for this viewer: `total` (None while hidden from them) and `mine`; None
    when its board has no dot round. `counts`: the board's `totals`, if already worked out."""
    r = state.dot_rounds.get(n.board_id)
    if r is None:
        return None
    total = None
    if totals_shown(r, viewer):
        total = (totals(state, n.board_id) if counts is None else counts).get(n.id, 0)
    return {"total": total, "mine": _own_dots(state, n.id, viewer)}


def dot_round_json(state: WorkshopState, b: Board, viewer: Viewer) -> dict[str, Any] | None:
    """A board's dot round: its limits, whether it runs, the viewer's dots left (participants;
    None for others), and the ranking whenever totals are shown to this viewer."""
    r = state.dot_rounds.get(b.id)
    if r is None:
        return None
    mine_left = None
    if viewer.role == "participant" and viewer.actor_id:
        mine_left = dots_left(state, b.id, viewer.actor_id) if r.running else 0
    out: dict[str, Any] = {
        "dots_per_person": r.dots_per_person,
        "per_note": r.per_note,
        "hidden": r.hidden,
        "running": r.running,
        "mine_left": mine_left,
    }
    if totals_shown(r, viewer):
        out["ranking"] = [
            {"note_id": n.id, "dots": dots}
            for n, dots in ranking(state, b.id)
            if visible(state, n, viewer)
        ]
    return out


def dot_event_json(e: StoredEvent, state: WorkshopState, viewer: Viewer) -> dict[str, Any] | None:
    """A dot event as this viewer may receive it, built afresh (never the stored `voter_id`):
    counts are the state after the batch."""
    d = e.data
    board = state.boards.get(d["board_id"])
    if board is None:
        return None
    if e.type in (ev.DOTS_STARTED, ev.DOTS_ENDED):
        data: dict[str, Any] = {
            **({k: d[k] for k in d if k != "board_id"} if e.type == ev.DOTS_STARTED else {}),
            "board_id": board.id,
            "round": dot_round_json(state, board, viewer),
        }
        return {"seq": e.seq, "type": e.type, "data": data}
    note = state.notes.get(d["note_id"])
    r = state.dot_rounds.get(board.id)
    if note is None or r is None or not visible(state, note, viewer):
        return None
    own = (
        viewer.role == "participant" and bool(viewer.actor_id) and viewer.actor_id == d["voter_id"]
    )
    shown = totals_shown(r, viewer)
    if not own and not shown:
        return None  # someone else's dot in a hidden round: not even that it happened
    data = {"board_id": board.id, "note_id": note.id}
    if shown:
        data["total"] = totals(state, board.id).get(note.id, 0)
    if own:
        data["mine"] = _own_dots(state, note.id, viewer)
        data["mine_left"] = dots_left(state, board.id, viewer.actor_id) if r.running else 0
    return {"seq": e.seq, "type": e.type, "data": data}


# --- the dilemma deck -----------------------------------------------------------------------
# The deck is the facilitator's: participants and the screen see only the card on the screens.
# Until a card is revealed nobody, the facilitator included, learns how the room leans: only
# how many have chosen, and a participant their own side. After the reveal the split is for
# everyone, in counts (a small group's hidden); who chose what is never sent to anyone but the
# chooser, their own.

DILEMMA_EVENTS = frozenset(
    (
        ev.DILEMMA_CARD_ADDED,
        ev.DILEMMA_CARD_EDITED,
        ev.DILEMMA_CARD_REMOVED,
        ev.DILEMMA_SHOWN,
        ev.DILEMMA_CHOSEN,
        ev.DILEMMA_REVEALED,
        ev.DILEMMA_HIDDEN,
    )
)
_DECK_EVENTS = (ev.DILEMMA_CARD_ADDED, ev.DILEMMA_CARD_EDITED, ev.DILEMMA_CARD_REMOVED)


def choice_count(state: WorkshopState, card_id: str) -> tuple[int, int]:
    """(chosen, eligible). Eligible: everyone who may choose, and anyone removed after choosing
    (their choice still counts), so the first never exceeds the second."""
    choosers = {k[1] for k in state.dilemma_choices if k[0] == card_id}
    return chosen_count(state, card_id), len({p.id for p in state.voters()} | choosers)


def own_side(state: WorkshopState, card_id: str, viewer: Viewer) -> str | None:
    """A participant's own side, for that participant only."""
    if viewer.role != "participant" or not viewer.actor_id:
        return None
    c = state.dilemma_choices.get((card_id, viewer.actor_id))
    return None if c is None else c.side


def shown_split(state: WorkshopState, card: Card) -> Split | None:
    """The split, for everyone, once revealed; None before."""
    return split(card.id, state.dilemma_choices, state.groups) if card.revealed else None


def split_json(sp: Split) -> dict[str, Any]:
    return {
        "n": sp.total.n,
        "over": sp.total.over,
        "under": sp.total.under,
        "groups": [
            {
                "group": g.group,
                "n": g.n,
                "over": None if g.counts is None else g.counts.over,
                "under": None if g.counts is None else g.counts.under,
            }
            for g in sp.groups
        ],
    }


def card_json(state: WorkshopState, card: Card, viewer: Viewer) -> dict[str, Any]:
    """One card as this viewer may see it: `split` None until revealed, `mine` the viewer's own
    side (participants only)."""
    chosen, eligible = choice_count(state, card.id)
    sp = shown_split(state, card)
    return {
        "id": card.id,
        "text": card.text,
        "position": card.position,
        "status": card.status,
        "shown": state.shown_card_id == card.id,
        "chosen": chosen,
        "eligible": eligible,
        "mine": own_side(state, card.id, viewer),
        "split": None if sp is None else split_json(sp),
    }


def dilemmas_json(state: WorkshopState, viewer: Viewer) -> dict[str, Any]:
    """`shown`: the card on the screens (or None); `deck`: every card, facilitators only."""
    shown = state.dilemma_cards.get(state.shown_card_id or "")
    out: dict[str, Any] = {"shown": None if shown is None else card_json(state, shown, viewer)}
    if viewer.role == "facilitator":
        out["deck"] = [card_json(state, c, viewer) for c in deck(state)]
    return out


def dilemma_event_json(
    e: StoredEvent, state: WorkshopState, viewer: Viewer
) -> dict[str, Any] | None:
    """A dilemma event as this viewer may receive it, built afresh: a choice reaches others
    only as the count (never who, which side, or their group); the chooser also gets `mine`.
    `state` is the state after the batch."""
    d = e.data
    fac = viewer.role == "facilitator"
    if e.type in _DECK_EVENTS:
        if not fac:
            return None  # the deck is the facilitator's preparation
        data: dict[str, Any] = dict(d)
    elif e.type == ev.DILEMMA_HIDDEN:
        data = {"card_id": d["card_id"]}
    else:
        card = state.dilemma_cards.get(d["card_id"])
        if card is None:
            return None
        if e.type == ev.DILEMMA_CHOSEN:
            chosen, eligible = choice_count(state, card.id)
            data = {"card_id": card.id, "chosen": chosen, "eligible": eligible}
            if viewer.role == "participant" and viewer.actor_id == d["chooser_id"]:
                data["mine"] = own_side(state, card.id, viewer)
        else:  # shown or revealed: the card as this viewer sees it now
            data = {"card_id": card.id, "card": card_json(state, card, viewer)}
            if e.type == ev.DILEMMA_SHOWN:
                data["previous_id"] = d.get("previous_id")
    return {"seq": e.seq, "type": e.type, "data": data}


def note_json(
    state: WorkshopState, n: Note, viewer: Viewer, counts: Mapping[str, int] | None = None
) -> dict[str, Any]:
    board = state.boards.get(n.board_id)
    named = shows_authors(board, viewer)
    out: dict[str, Any] = {
        "id": n.id,
        "board_id": n.board_id,
        "column_id": n.column_id,
        "cluster_id": n.cluster_id,
        "position": n.position,
        "author_id": n.author_id if named else None,
        "author_name": n.author_name if named else None,
        "mine": n.author_id == viewer.actor_id,
        "text": n.text,
        "color": n.color,
        "version": n.version,
        "hidden": n.hidden,
        "linked_note_id": n.linked_note_id,
        "merged": list(n.merged),
        # "Move to backlog": the committee and item this note became (the item links back).
        "backlog": None
        if n.backlog is None
        else {"committee_id": n.backlog[0], "item_id": n.backlog[1]},
        "reactions": len(n.reactors),
        "mine_reacted": viewer.actor_id in n.reactors,
        "comments": [comment_json(state, c, viewer) for c in state.comments_on(n.id)],
        "dots": note_dots_json(state, n, viewer, counts),
        "seq": n.seq,
    }
    return out


def redacted_note_json(n: Note) -> dict[str, Any]:
    """What a viewer learns of a note they may not read: that it exists, and where."""
    return {"id": n.id, "board_id": n.board_id, "column_id": n.column_id, "redacted": True}


def comment_json(state: WorkshopState, c: Comment, viewer: Viewer) -> dict[str, Any]:
    board = state.boards.get(c.board_id)
    named = shows_authors(board, viewer)
    return {
        "id": c.id,
        "note_id": c.note_id,
        "author_id": c.author_id if named else None,
        "author_name": c.author_name if named else None,
        "mine": c.author_id == viewer.actor_id,
        "text": c.text,
    }


def board_json(state: WorkshopState, b: Board, viewer: Viewer) -> dict[str, Any]:
    counts = totals(state, b.id)  # once per board, not once per note
    return {
        "id": b.id,
        "title": b.title,
        "template": b.template,
        "show_authors": b.show_authors,
        "open_moves": b.open_moves,
        "private": b.private,
        "locked": b.locked,
        "turn_column_id": b.turn_column_id,
        "columns": [
            {
                "id": col.id,
                "title": col.title,
                "clusters": [{"id": cl.id, "title": cl.title} for cl in state.clusters_in(col.id)],
            }
            for col in b.columns
        ],
        "notes": [
            note_json(state, n, viewer, counts)
            if visible(state, n, viewer)
            else redacted_note_json(n)
            for n in state.notes_on(b.id)
        ],
        "dots": dot_round_json(state, b, viewer),
    }


def timer_json(t: Timer | None) -> dict[str, Any] | None:
    """The countdown everyone sees, the same for every viewer (a timer hides nothing)."""
    if t is None:
        return None
    return {
        "id": t.id,
        "label": t.label,
        "seconds": t.seconds,
        "started_at_ms": t.started_at_ms,
        "ends_at_ms": t.ends_at_ms,
        "close_question_id": t.close_question_id,
    }


def state_json(state: WorkshopState, viewer: Viewer) -> dict[str, Any]:
    """The JSON view of a workshop for one viewer."""
    out: dict[str, Any] = {
        "id": state.id,
        "title": state.title,
        "date": state.date,
        "groups": list(state.groups),
        "current_board_id": state.current_board.id,
        "boards": [board_json(state, b, viewer) for b in state.boards_in_order()],
        "questions": questions_json(state, viewer),
        "timer": timer_json(state.current_timer()),
        "dilemmas": dilemmas_json(state, viewer),
        "hall": hall_json(state, viewer),
        "committee": committee_json(state, viewer),
    }
    if viewer.role == "facilitator":
        out["join_code"] = state.join_code
        out["participants"] = [
            {
                "id": p.id,
                "display_name": p.display_name,
                "group": p.group,
                "kicked": p.kicked,
                "in_room": p.in_room,
            }
            for p in state.participants.values()
        ]
    return out


def _without_author(data: dict[str, Any], board: Board | None, viewer: Viewer) -> dict[str, Any]:
    """On an anonymous board others learn neither the name nor the id (which would link a note
    to its writer's group through `participant.joined`); the writer learns it is theirs."""
    data = {**data, "mine": data.get("author_id") == viewer.actor_id}
    if not shows_authors(board, viewer):
        data["author_name"] = None
        data["author_id"] = None
    return data


_ABOUT_A_NOTE = (ev.NOTE_EDITED, ev.NOTE_REACTED, ev.COMMENT_ADDED, ev.COMMENT_DELETED)


# Events that change nothing on any screen: the report's records and the published link.
UNSHOWN_EVENTS = frozenset(
    (ev.HALL_STATION_OPENED, ev.REPORT_PUBLISHED, ev.REPORT_UNPUBLISHED, ev.WORKSHOP_IMPORTED)
)


def event_json(e: StoredEvent, state: WorkshopState, viewer: Viewer) -> dict[str, Any] | None:
    """One event as this viewer may receive it, or None if it is not for them at all.
    `state` is the state after the batch the event belongs to."""
    if e.type in UNSHOWN_EVENTS:
        return None
    if e.type == ev.PARTICIPANT_ERASED:  # which notes went, each screen learns from note.deleted
        return {"seq": e.seq, "type": e.type, "data": {"participant_id": e.data["participant_id"]}}
    if e.type in QUESTION_EVENTS:
        return question_event_json(e, state, viewer)
    if e.type in (ev.TIMER_STARTED, ev.TIMER_STOPPED):  # the same for everyone, as stored
        return {"seq": e.seq, "type": e.type, "data": dict(e.data)}
    if e.type in DOT_EVENTS:
        return dot_event_json(e, state, viewer)
    if e.type in DILEMMA_EVENTS:
        return dilemma_event_json(e, state, viewer)
    if e.type in ev.HALL_EVENTS:
        return hall_event_json(e, state, viewer)
    if e.type in BACKLOG_VIEW_EVENTS:
        return backlog_event_json(e, state, viewer)
    data = dict(e.data)
    fac = viewer.role == "facilitator"
    board = state.boards.get(data.get("board_id", ""))
    if e.type == ev.WORKSHOP_CREATED and not fac:
        data.pop("join_code", None)
        data.pop("facilitator_id", None)
    elif e.type in (ev.PARTICIPANT_JOINED, ev.PARTICIPANT_RENAMED) and not fac:
        data.pop("display_name", None)  # only facilitators see the participant list
    elif e.type == ev.NOTE_ADDED:
        note = state.notes.get(data["note_id"])
        readable = fac or data["author_id"] == viewer.actor_id
        if not readable:
            readable = board is not None and not board.private and not (note and note.hidden)
        if not readable:
            data = {
                "note_id": data["note_id"],
                "board_id": data["board_id"],
                "column_id": data.get("column_id"),
                "redacted": True,
            }
        else:
            data = _without_author(data, board, viewer)
    elif e.type in _ABOUT_A_NOTE:
        note = state.notes.get(data["note_id"])
        if note is None or not visible(state, note, viewer):
            return None
        if e.type == ev.NOTE_REACTED and not fac:
            data = {
                "note_id": note.id,
                "board_id": note.board_id,
                "on": data["on"],
                "count": len(note.reactors),
                "mine": viewer.actor_id in note.reactors,
            }
        elif e.type == ev.COMMENT_ADDED:
            data = _without_author(data, board, viewer)
    elif e.type == ev.NOTE_HIDDEN:
        note = state.notes.get(data["note_id"])
        if note is not None and visible(state, note, viewer):
            data["note"] = note_json(state, note, viewer)
    elif e.type == ev.NOTE_MERGED:
        into = state.notes.get(data["into_id"])
        if into is None or not visible(state, into, viewer):
            data.pop("merged", None)
        else:  # the merged note's dots moved onto the kept one
            data["into_dots"] = note_dots_json(state, into, viewer)
    elif e.type == ev.BOARD_REVEALED and board is not None:
        data["notes"] = [
            note_json(state, n, viewer)
            for n in state.notes_on(board.id)
            if visible(state, n, viewer)
        ]
    return {"seq": e.seq, "type": e.type, "data": data}
