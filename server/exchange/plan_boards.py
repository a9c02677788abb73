"""The boards' steps: columns as exported (made from the template's, added, removed, moved),
the notes written by their authors (turned-around ones turned around), clusters, the order,
merged texts, +1s, comments and dots. Hiding, settings and private writing come last
(`Builder.later`): until then everyone may still write, react and place dots."""

from __future__ import annotations

from dataclasses import dataclass

from server.domain.boards import TEMPLATES, TURN_TARGET
from server.domain.commands import (
    AddCluster,
    AddColumn,
    AddComment,
    AddNote,
    ChangeBoardSettings,
    CreateBoard,
    EditNote,
    EndDots,
    HideNote,
    MergeNotes,
    MoveColumn,
    MoveNote,
    PlaceDot,
    ReactToNote,
    RemoveColumn,
    SendNoteToBacklog,
    StartDots,
    StartPrivateWriting,
    TurnNoteAround,
)
from server.exchange.plan import Builder, Doc, inconsistent
from server.service import new_id

TURNED_COLOR = "green"  # what `TurnNoteAround` gives a new note
IMPORTED_COMMITTEE = ""  # a note sent to a backlog: the committee is not in this instance


@dataclass
class Placed:
    """A note of the file and where it goes: column index, cluster index (None: loose)."""

    note: Doc
    path: str
    column: int
    cluster: int | None


@dataclass
class Columns:
    """The board's columns: the final ones' ids, and the columns to remove once notes are
    turned (a template's column the export no longer has, e.g. a removed turn column)."""

    ids: list[str]  # by final index
    remove: list[str]
    turn: str | None  # where turned-around notes land while turning
    order: list[str]  # the order right after creating and adding


def _columns(b: Builder, bi: int, board: Doc, board_id: str) -> Columns:
    path = f"boards[{bi}]"
    final = board["columns"]
    t = board["turn_column"]
    keys: tuple[str, ...] = ("notes",)
    if bi == 0:  # made by `workshop.created`: one column, with the board's id
        created, tt = [board_id], None
    else:
        keys = TEMPLATES[board["template"]]
        created, tt = [new_id() for _ in keys], TURN_TARGET.get(board["template"])
    assigned: dict[int, str] = {}
    if t is not None:
        if tt is None:
            raise inconsistent(f"{path}.turn_column")
        assigned[t] = created[tt]
    spare = [c for j, c in enumerate(created) if j != tt]
    added: list[int] = []
    for fi in range(len(final)):
        if fi not in assigned:
            if spare:
                assigned[fi] = spare.pop(0)
            else:
                assigned[fi] = new_id()
                added.append(fi)
    remove = spare + ([created[tt]] if tt is not None and t is None else [])
    titles = {cid: final[fi]["title"] for fi, cid in assigned.items()}
    if bi > 0:
        b.add(
            path,
            b.facilitator,
            CreateBoard(
                board_id,
                board["title"],
                board["template"],
                tuple(created),
                tuple(titles.get(c, key) for c, key in zip(created, keys, strict=True)),
            ),
        )
    for fi in added:
        b.add(
            f"{path}.columns[{fi}]",
            b.facilitator,
            AddColumn(board_id, assigned[fi], final[fi]["title"]),
        )
    return Columns(
        ids=[assigned[fi] for fi in range(len(final))],
        remove=remove,
        turn=None if tt is None else created[tt],
        order=created + [assigned[fi] for fi in added],
    )


def _placed(board: Doc, path: str) -> list[Placed]:
    out: list[Placed] = []
    for ci, col in enumerate(board["columns"]):
        for ki, cl in enumerate(col["clusters"]):
            for ni, n in enumerate(cl["notes"]):
                out.append(Placed(n, f"{path}.columns[{ci}].clusters[{ki}].notes[{ni}]", ci, ki))
        for ni, n in enumerate(col["notes"]):
            out.append(Placed(n, f"{path}.columns[{ci}].notes[{ni}]", ci, None))
    return out


def _write(b: Builder, board_id: str, cols: Columns, notes: list[Placed]) -> dict[str, list[str]]:
    """Every note written by its author; returns each column's loose notes, in order."""
    fac = b.facilitator
    sources = {p.note["turned_from"] for p in notes if p.note["turned_from"]}
    # A note something was turned from must not sit in the turn column while it is turned.
    fallback = next((c for c in cols.order if c != cols.turn), cols.turn or "")
    loose: dict[str, list[str]] = {c: [] for c in cols.order}

    def home(p: Placed) -> str:
        cid = cols.ids[p.column]
        return fallback if cid == cols.turn and p.note["ref"] in sources else cid

    def put(ref: str, column: str) -> None:
        for refs in loose.values():
            if ref in refs:
                refs.remove(ref)
        loose[column].append(ref)

    pending: list[Placed] = []
    for p in notes:
        n = p.note
        note_id = b.notes[n["ref"]] = new_id()
        if n["turned_from"]:
            pending.append(p)
            continue
        column = home(p)
        b.add(
            p.path, b.author(n["author"]), AddNote(note_id, n["text"], board_id, column, n["color"])
        )
        put(n["ref"], column)
    where = {ref: c for c, refs in loose.items() for ref in refs}
    while pending:
        ready = [p for p in pending if where.get(p.note["turned_from"], cols.turn) != cols.turn]
        if not ready or cols.turn is None:
            raise inconsistent(f"{pending[0].path}.turned_from")
        for p in ready:
            n = p.note
            note_id = b.notes[n["ref"]]
            source = b.notes[n["turned_from"]]
            b.add(p.path, b.author(n["author"]), TurnNoteAround(source, note_id, n["text"]))
            where[n["ref"]] = cols.turn
            put(n["ref"], cols.turn)
            if n["color"] != TURNED_COLOR:
                b.add(p.path, fac, EditNote(note_id, 1, color=n["color"]))
            if n["ref"] in sources:
                b.add(p.path, fac, MoveNote(note_id, fallback, len(loose[fallback])))
                where[n["ref"]] = fallback
                put(n["ref"], fallback)
            pending.remove(p)
    return loose


def _arrange(
    b: Builder, bi: int, board: Doc, cols: Columns, notes: list[Placed], loose: dict[str, list[str]]
) -> None:
    """Columns removed and in order, clusters made, every note in its place."""
    path, fac = f"boards[{bi}]", b.facilitator
    for cid in cols.remove:
        b.add(f"{path}.columns", fac, RemoveColumn(cid, cols.ids[0]))
        loose[cols.ids[0]] += loose.pop(cid)
    order = [c for c in cols.order if c not in cols.remove]
    for fi, cid in enumerate(cols.ids):
        if order[fi] != cid:
            b.add(f"{path}.columns[{fi}]", fac, MoveColumn(cid, fi))
            order.remove(cid)
            order.insert(fi, cid)
    clusters: dict[tuple[int, int], str] = {}
    for ci, col in enumerate(board["columns"]):
        for ki, cl in enumerate(col["clusters"]):
            clusters[(ci, ki)] = new_id()
            b.add(
                f"{path}.columns[{ci}].clusters[{ki}]",
                fac,
                AddCluster(cols.ids[ci], clusters[(ci, ki)], cl["title"]),
            )
    counts: dict[tuple[int, int | None], int] = {}
    for p in notes:
        if p.cluster is None:
            continue
        i = counts.get((p.column, p.cluster), 0)
        counts[(p.column, p.cluster)] = i + 1
        cid = cols.ids[p.column]
        b.add(
            p.path, fac, MoveNote(b.notes[p.note["ref"]], cid, i, clusters[(p.column, p.cluster)])
        )
        for refs in loose.values():
            if p.note["ref"] in refs:
                refs.remove(p.note["ref"])
    for ci, col in enumerate(board["columns"]):
        cid = cols.ids[ci]
        wanted = [n["ref"] for n in col["notes"]]
        if loose.get(cid, []) == wanted:
            continue  # written in this order already
        for i, p in enumerate(x for x in notes if x.column == ci and x.cluster is None):
            b.add(p.path, fac, MoveNote(b.notes[p.note["ref"]], cid, i))


def _on_notes(b: Builder, board_id: str, cols: Columns, notes: list[Placed]) -> None:
    """Merged texts, +1s, comments; and what is done last: hiding, sending to a backlog."""
    fac = b.facilitator
    for p in notes:
        n = p.note
        note_id = b.notes[n["ref"]]
        for mi, text in enumerate(n["merged"]):
            gone = new_id()
            path = f"{p.path}.merged[{mi}]"
            b.add(path, fac, AddNote(gone, text, board_id, cols.ids[p.column]))
            b.add(path, fac, MergeNotes(gone, note_id))
        reactors = [x.actor for x in b.people] + [fac]  # the facilitator may give +1 too
        if n["reactions"] > len(reactors):
            raise inconsistent(f"{p.path}.reactions")
        for actor in reactors[: n["reactions"]]:
            b.add(f"{p.path}.reactions", actor, ReactToNote(note_id))
        for ci, c in enumerate(n["comments"]):
            b.add(
                f"{p.path}.comments[{ci}]",
                b.author(c["author"]),
                AddComment(note_id, new_id(), c["text"]),
            )
        if n["sent_to_backlog"]:
            b.add(
                f"{p.path}.sent_to_backlog",
                fac,
                SendNoteToBacklog(note_id, IMPORTED_COMMITTEE, new_id()),
            )
        if n["hidden"]:
            b.later(f"{p.path}.hidden", fac, HideNote(note_id, True))


def _dots(b: Builder, bi: int, board: Doc, board_id: str, notes: list[Placed]) -> None:
    """The round, and its dots given out greedily: each note's total from the participants
    with the most dots left, at most `per_note` each (dots are anonymous: who is made up)."""
    r = board["dot_round"]
    if r is None:
        return
    path = f"boards[{bi}].dot_round"
    b.add(
        path, b.facilitator, StartDots(board_id, r["dots_per_person"], r["per_note"], r["hidden"])
    )
    left = [r["dots_per_person"] for _ in b.people]
    for p in sorted((p for p in notes if p.note["dots"]), key=lambda p: -p.note["dots"]):
        need = p.note["dots"]
        for i in sorted(range(len(left)), key=lambda i: (-left[i], i)):
            give = min(r["per_note"], left[i], need)
            if give <= 0:
                break
            left[i] -= give
            need -= give
            for _ in range(give):
                b.add(f"{p.path}.dots", b.people[i].actor, PlaceDot(b.notes[p.note["ref"]]))
        if need:
            raise inconsistent(f"{p.path}.dots")
    if not r["running"]:
        b.add(path, b.facilitator, EndDots(board_id))


def _settings(b: Builder, bi: int, board: Doc, board_id: str) -> None:
    path, fac = f"boards[{bi}]", b.facilitator
    if (board["show_authors"], board["open_moves"], board["locked"]) != (True, True, False):
        b.later(
            path,
            fac,
            ChangeBoardSettings(
                board_id, board["show_authors"], board["open_moves"], board["locked"]
            ),
        )
    if board["private"]:
        b.later(path, fac, StartPrivateWriting(board_id))


def board_steps(b: Builder, w: Doc) -> None:
    for bi, board in enumerate(w["boards"]):
        board_id = b.main_board_id if bi == 0 else new_id()
        b.boards[board["ref"]] = board_id
        cols = _columns(b, bi, board, board_id)
        notes = _placed(board, f"boards[{bi}]")
        loose = _write(b, board_id, cols, notes)
        _arrange(b, bi, board, cols, notes, loose)
        _on_notes(b, board_id, cols, notes)
        _dots(b, bi, board, board_id, notes)
        _settings(b, bi, board, board_id)
