"""The JSON export (docs/EXPORT.md, format `samskab.workshop` version 1): pure, state in.

Not the event log: the log holds who voted what on anonymous questions, which dot is whose and
the texts of deleted notes. This is the workshop as it stands, with what the facilitator may
see and nothing more: anonymous questions and dilemma cards only as their revealed figures
(with the small-group guard of `questions.results`), dots only as totals per note, nothing of an
unrevealed question or card but its wording. Internal ids never leave: elements that others
point at get short refs (`p1`, `b1`, `n3`, `r1`, `a1`) given in the report's order, so two
exports of the same data are identical apart from `exported_at`.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from server.domain.boards import Board, Note
from server.domain.dilemmas import deck, split
from server.domain.dots import totals
from server.domain.hall import Asset, Station, rooms_in_order, stations_in
from server.domain.hall_rules import CONTENT_FIELDS
from server.domain.questions import Question, results
from server.domain.report import committee_archive
from server.domain.workshop import WorkshopState

FORMAT = "samskab.workshop"
VERSION = 1
GENERATOR = "Samskab"
FACILITATOR = "facilitator"  # a note or comment the facilitator wrote

Doc = dict[str, Any]

# A station's content fields (`hall.Station`) as the export names them; refs for ids.
STATION_FIELDS: Mapping[str, str] = {
    "body": "body",
    "items": "items",
    "milestones": "milestones",
    "links": "links",
    "phone": "phone",
    "board_id": "board",
    "target_room_id": "target_room",
    "quiz": "quiz",
    "video_id": "video",
    "captions_id": "captions",
    "image_ids": "images",
}


def canonical(value: object) -> bytes:
    """The bytes the checksum is taken of: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def checksum(workshop: object) -> str:
    return "sha256:" + hashlib.sha256(canonical(workshop)).hexdigest()


def document(workshop: Doc, exported_at: datetime.datetime) -> Doc:
    """The whole file: the envelope around `workshop_part`."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": exported_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "generator": GENERATOR,
        "checksum": checksum(workshop),
        "workshop": workshop,
    }


def dumps(doc: Doc) -> bytes:
    return json.dumps(doc, ensure_ascii=False, indent=1).encode()


def slug(title: str) -> str:
    """A file name's start from a title: "Visionsværksted 2030" -> "visionsvaerksted-2030"."""
    text = title.lower()
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("ß", "ss")):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60].strip("-")
    return text or "workshop"


class _Refs:
    """The short refs, in report order."""

    def __init__(self, state: WorkshopState) -> None:
        self.participants = {p.id: f"p{i}" for i, p in enumerate(state.participants.values(), 1)}
        boards = state.boards_in_order()
        self.boards = {b.id: f"b{i}" for i, b in enumerate(boards, 1)}
        notes = [n for b in boards for n in state.notes_on(b.id)]
        self.notes = {n.id: f"n{i}" for i, n in enumerate(notes, 1)}
        rooms = rooms_in_order(state.hall)
        self.rooms = {r.id: f"r{i}" for i, r in enumerate(rooms, 1)}
        self.assets = {a.id: f"a{i}" for i, a in enumerate(asset_order(state), 1)}

    def author(self, by_facilitator: bool, author_id: str) -> str:
        if by_facilitator or author_id not in self.participants:
            return FACILITATOR
        return self.participants[author_id]


def asset_order(state: WorkshopState) -> list[Asset]:
    """Files in the order the hall first shows them; any no room shows after, by content,
    so the order never depends on how the files were stored."""
    h = state.hall
    seen: list[str] = []
    for room in rooms_in_order(h):
        seen += [x for x in (room.picture_id, room.music_id) if x]
        for s in stations_in(h, room.id):
            seen += [x for x in (s.video_id, s.captions_id) if x] + list(s.image_ids)
    used = [h.assets[x] for x in dict.fromkeys(seen) if x in h.assets]
    rest = sorted(
        (a for a in h.assets.values() if a.id not in {u.id for u in used}),
        key=lambda a: (a.kind, a.name, a.media_type, a.size, a.width, a.height, a.id),
    )
    return used + rest


# --- the parts ------------------------------------------------------------------------------


def _participants(state: WorkshopState) -> list[Doc]:
    return [
        {
            "ref": f"p{i}",
            "name": p.display_name,
            "group": p.group,
            "removed": p.kicked,
            "in_room": p.in_room,
        }
        for i, p in enumerate(state.participants.values(), 1)
    ]


def _note(state: WorkshopState, refs: _Refs, note: Note, dots: Mapping[str, int]) -> Doc:
    linked = state.notes.get(note.linked_note_id or "")
    turned = linked is not None and linked.board_id == note.board_id
    return {
        "ref": refs.notes[note.id],
        "text": note.text,
        "author": refs.author(note.by_facilitator, note.author_id),
        "color": note.color,
        "hidden": note.hidden,
        "merged": list(note.merged),
        "reactions": len(note.reactors),
        "comments": [
            {"text": c.text, "author": refs.author(c.by_facilitator, c.author_id)}
            for c in state.comments_on(note.id)
        ],
        "turned_from": refs.notes[linked.id] if turned and linked is not None else None,
        "dots": dots.get(note.id, 0),
        "sent_to_backlog": note.backlog is not None,
    }


def _board(state: WorkshopState, refs: _Refs, board: Board) -> Doc:
    dots = totals(state, board.id)
    columns = [
        {
            "title": col.title,
            "clusters": [
                {
                    "title": cl.title,
                    "notes": [_note(state, refs, n, dots) for n in state.notes_in(col.id, cl.id)],
                }
                for cl in state.clusters_in(col.id)
            ],
            "notes": [_note(state, refs, n, dots) for n in state.notes_in(col.id, None)],
        }
        for col in board.columns
    ]
    ids = [c.id for c in board.columns]
    turn = board.turn_column_id
    r = state.dot_rounds.get(board.id)
    return {
        "ref": refs.boards[board.id],
        "title": board.title,
        "template": board.template,
        "show_authors": board.show_authors,
        "open_moves": board.open_moves,
        "private": board.private,
        "locked": board.locked,
        "turn_column": ids.index(turn) if turn in ids else None,
        "columns": columns,
        "dot_round": None
        if r is None
        else {
            "dots_per_person": r.dots_per_person,
            "per_note": r.per_note,
            "hidden": r.hidden,
            "running": r.running,
        },
    }


def _question(state: WorkshopState, refs: _Refs, q: Question) -> Doc:
    out: Doc = {
        "text": q.text,
        "low_label": q.low_label,
        "high_label": q.high_label,
        "ask_comment": q.ask_comment,
        "anonymous": q.anonymous,
        "min_group": q.min_group,
        "status": q.status,
        "result": None,
    }
    if not q.revealed:
        return out  # the votes of a question not revealed are nobody's to read yet
    votes = state.votes_on(q.id)
    shown = results(q, votes, state.groups)
    if q.anonymous:
        out["result"] = {
            "total_histogram": list(shown.total.histogram),
            "groups": [
                {
                    "group": g.group,
                    "n": g.n,
                    "histogram": None if g.figures is None else list(g.figures.histogram),
                }
                for g in shown.groups
            ],
            "comments": list(shown.comments),
        }
    else:
        out["result"] = {
            "votes": [
                {
                    "participant": refs.participants.get(v.voter_id, ""),
                    "group": v.group,
                    "value": v.value,
                    "by_facilitator": v.by_facilitator,
                }
                for v in votes
            ],
            "comments": list(shown.comments),
        }
    return out


def _dilemmas(state: WorkshopState) -> list[Doc]:
    out: list[Doc] = []
    for card in deck(state):
        result = None
        if card.revealed:
            s = split(card.id, state.dilemma_choices, state.groups)
            result = {
                "over": s.total.over,
                "under": s.total.under,
                "groups": [
                    {
                        "group": g.group,
                        "n": g.n,
                        "over": None if g.counts is None else g.counts.over,
                        "under": None if g.counts is None else g.counts.under,
                    }
                    for g in s.groups
                ],
            }
        out.append({"text": card.text, "status": card.status, "result": result})
    return out


def _content(refs: _Refs, s: Station) -> Doc:
    """Only the fields the station's kind shows."""
    out: Doc = {}
    for name, key in STATION_FIELDS.items():
        if name not in CONTENT_FIELDS[s.kind]:
            continue
        if name == "items":
            out[key] = [[i.time, i.text] for i in s.items]
        elif name == "milestones":
            out[key] = [[m.when, m.text, m.done] for m in s.milestones]
        elif name == "links":
            out[key] = [[link.title, link.url] for link in s.links]
        elif name == "quiz":
            out[key] = [
                {"text": q.text, "options": list(q.options), "answer": q.answer} for q in s.quiz
            ]
        elif name == "board_id":
            out[key] = refs.boards.get(s.board_id) if s.board_id else None
        elif name == "target_room_id":
            out[key] = refs.rooms.get(s.target_room_id) if s.target_room_id else None
        elif name in ("video_id", "captions_id"):
            asset = getattr(s, name)
            out[key] = refs.assets.get(asset) if asset else None
        elif name == "image_ids":
            out[key] = [refs.assets[i] for i in s.image_ids if i in refs.assets]
        else:
            out[key] = getattr(s, name)
    return out


def _hall(state: WorkshopState, refs: _Refs, blobs: Mapping[str, bytes]) -> Doc:
    h = state.hall
    rooms = rooms_in_order(h)
    stations: list[Doc] = []
    for room in rooms:
        for s in stations_in(h, room.id):
            target = s.target_room_id
            stations.append(
                {
                    "room": refs.rooms[room.id],
                    "kind": s.kind,
                    "title": s.title,
                    "x": s.x,
                    "y": s.y,
                    **_content(refs, s),
                    "opened": sum(1 for o in h.opened if o[0] == s.id),
                    "completed": sum(1 for u in h.unlocked if u[0] == target)
                    if s.kind == "quiz" and target is not None
                    else None,
                }
            )
    return {
        "rooms": [
            {
                "ref": refs.rooms[r.id],
                "title": r.title,
                "kind": r.kind,
                "picture": refs.assets.get(r.picture_id) if r.picture_id else None,
                "music": refs.assets.get(r.music_id) if r.music_id else None,
            }
            for r in rooms
        ],
        "stations": stations,
        "assets": [
            {
                "ref": refs.assets[a.id],
                "kind": a.kind,
                "media_type": a.media_type,
                "name": a.name,
                "width": a.width,
                "height": a.height,
                "data": base64.b64encode(blobs.get(a.id, b"")).decode("ascii"),
            }
            for a in asset_order(state)
        ],
    }


def _plain(value: object) -> Any:
    """The archive as plain JSON (the state keeps it in read-only mappings)."""
    return json.loads(json.dumps(value, default=dict))


def workshop_part(
    state: WorkshopState, committee: WorkshopState | None, blobs: Mapping[str, bytes]
) -> Doc:
    """The `workshop` object. `committee`: the stream of the committee this workshop is a
    meeting of, if any (its sprint outcomes go in `archive`); `blobs`: asset id -> bytes."""
    if state.committee is not None:
        raise ValueError("a task committee is not exported as a workshop")
    refs = _Refs(state)
    archive = committee_archive(state, committee)
    return {
        "title": state.title,
        "date": state.date,
        "groups": list(state.groups),
        "participants": _participants(state),
        "boards": [_board(state, refs, b) for b in state.boards_in_order()],
        "questions": [_question(state, refs, q) for q in state.questions_in_order()],
        "dilemmas": _dilemmas(state),
        "hall": _hall(state, refs, blobs),
        "archive": _plain(archive) if archive else None,
    }
