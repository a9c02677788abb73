"""Reading an export file into a checked document, or refusing it with the path of the fault.

In this order: is it JSON (line and column if not), is it a Samskab export, of a version this
server reads, unchanged since export (the checksum), of the documented shape (every field
present with its type, no unknown field), are its refs where Samskab puts them and do they
point at something, and do its figures add up. What the live rules say (lengths, limits) is
left to the import's replay, which names the element as well.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from server.domain.boards import (
    MAX_BOARDS,
    MAX_COLUMNS,
    MAX_COMMENTS_PER_NOTE,
    MAX_MERGED,
    MAX_NOTES_PER_BOARD,
    TEMPLATES,
    TURN_TARGET,
)
from server.domain.dilemmas import MAX_CARDS
from server.domain.dots import MAX_DOTS
from server.domain.hall import MAX_ASSETS, MAX_ROOMS, MAX_STATIONS, STATION_KINDS
from server.domain.hall_rules import ASSET_KINDS, CONTENT_FIELDS
from server.domain.questions import HIGHEST, LOWEST, MAX_QUESTIONS
from server.exchange import shape as s
from server.exchange.errors import ImportProblem
from server.exchange.export import FACILITATOR, FORMAT, STATION_FIELDS, VERSION, checksum

Doc = dict[str, Any]
BINS = HIGHEST - LOWEST + 1  # a histogram's length: one count per value 0..10
# No rule caps a live workshop's participants; an import is rebuilt in one go, so it does.
MAX_PARTICIPANTS = 2000
MORE_VOTES = "import.too_few_people"  # more votes (or choices) than participants

# --- the schema (docs/EXPORT.md) ---------------------------------------------------------

COMMENT = s.obj({"text": s.text, "author": s.text})
NOTE = s.obj(
    {
        "ref": s.text,
        "text": s.text,
        "author": s.text,
        "color": s.text,
        "hidden": s.boolean,
        "merged": s.list_of(s.text),
        "reactions": s.integer,
        "comments": s.list_of(COMMENT),
        "turned_from": s.nullable(s.text),
        "dots": s.integer,
        "sent_to_backlog": s.boolean,
    }
)
COLUMN = s.obj(
    {
        "title": s.text,
        "clusters": s.list_of(s.obj({"title": s.text, "notes": s.list_of(NOTE)})),
        "notes": s.list_of(NOTE),
    }
)
DOT_ROUND = s.obj(
    {"dots_per_person": s.integer, "per_note": s.integer, "hidden": s.boolean, "running": s.boolean}
)
BOARD = s.obj(
    {
        "ref": s.text,
        "title": s.text,
        "template": s.one_of(*TEMPLATES),
        "show_authors": s.boolean,
        "open_moves": s.boolean,
        "private": s.boolean,
        "locked": s.boolean,
        "turn_column": s.nullable(s.integer),
        "columns": s.list_of(COLUMN),
        "dot_round": s.nullable(DOT_ROUND),
    }
)
HISTOGRAM = s.list_of(s.integer, BINS)
ANONYMOUS_RESULT = s.obj(
    {
        "total_histogram": HISTOGRAM,
        "groups": s.list_of(
            s.obj({"group": s.text, "n": s.integer, "histogram": s.nullable(HISTOGRAM)})
        ),
        "comments": s.list_of(s.text),
    }
)
NAMED_RESULT = s.obj(
    {
        "votes": s.list_of(
            s.obj(
                {
                    "participant": s.text,
                    "group": s.text,
                    "value": s.integer,
                    "by_facilitator": s.boolean,
                }
            )
        ),
        "comments": s.list_of(s.text),
    }
)
CARD_RESULT = s.obj(
    {
        "over": s.integer,
        "under": s.integer,
        "groups": s.list_of(
            s.obj(
                {
                    "group": s.text,
                    "n": s.integer,
                    "over": s.nullable(s.integer),
                    "under": s.nullable(s.integer),
                }
            )
        ),
    }
)
QUESTION_FIELDS: Mapping[str, s.Check] = {
    "text": s.text,
    "low_label": s.text,
    "high_label": s.text,
    "ask_comment": s.boolean,
    "anonymous": s.boolean,
    "min_group": s.integer,
    "status": s.one_of("draft", "open", "closed", "revealed"),
    "result": s.anything,  # checked by `_question`: its shape follows `anonymous`
}
CARD_FIELDS: Mapping[str, s.Check] = {
    "text": s.text,
    "status": s.one_of("waiting", "open", "revealed"),
    "result": s.anything,
}
ROOM = s.obj(
    {
        "ref": s.text,
        "title": s.text,
        "kind": s.one_of("hall", "room", "break"),
        "picture": s.nullable(s.text),
        "music": s.nullable(s.text),
    }
)
CONTENT: Mapping[str, s.Check] = {
    "body": s.text,
    "items": s.list_of(s.tuple_of(s.text, s.text)),
    "milestones": s.list_of(s.tuple_of(s.text, s.text, s.boolean)),
    "links": s.list_of(s.tuple_of(s.text, s.text)),
    "phone": s.text,
    "board": s.nullable(s.text),
    "target_room": s.nullable(s.text),
    "quiz": s.list_of(s.obj({"text": s.text, "options": s.list_of(s.text), "answer": s.integer})),
    "video": s.nullable(s.text),
    "captions": s.nullable(s.text),
    "images": s.list_of(s.text),
}
STATION_BASE: Mapping[str, s.Check] = {
    "room": s.text,
    "kind": s.one_of(*STATION_KINDS),
    "title": s.text,
    "x": s.integer,
    "y": s.integer,
    "opened": s.integer,
    "completed": s.nullable(s.integer),
}
ASSET = s.obj(
    {
        "ref": s.text,
        "kind": s.one_of(*ASSET_KINDS),
        "media_type": s.text,
        "name": s.text,
        "width": s.integer,
        "height": s.integer,
        "data": s.text,
    }
)
WORKSHOP: Mapping[str, s.Check] = {
    "title": s.text,
    "date": s.text,
    "groups": s.list_of(s.text),
    "participants": s.list_of(
        s.obj(
            {
                "ref": s.text,
                "name": s.nullable(s.text),
                "group": s.text,
                "removed": s.boolean,
                "in_room": s.boolean,
            }
        )
    ),
    "boards": s.list_of(BOARD),
    "questions": s.list_of(s.anything),  # `_question`
    "dilemmas": s.list_of(s.anything),  # `_card`
    "hall": s.anything,  # `_hall`
    "archive": s.anything,  # `_archive`: any object, kept as it came
}
ENVELOPE: Mapping[str, s.Check] = {
    "format": s.text,
    "version": s.integer,
    "exported_at": s.text,
    "generator": s.text,
    "checksum": s.text,
    "workshop": s.anything,
}


def _question(value: Any, path: str) -> None:
    s.fields(value, path, QUESTION_FIELDS)
    result = value["result"]
    if value["status"] != "revealed":
        if result is not None:  # only revealed figures are ever exported
            raise ImportProblem("import.inconsistent", f"{path}.result")
        return
    (ANONYMOUS_RESULT if value["anonymous"] else NAMED_RESULT)(result, f"{path}.result")


def _card(value: Any, path: str) -> None:
    s.fields(value, path, CARD_FIELDS)
    if value["status"] != "revealed":
        if value["result"] is not None:
            raise ImportProblem("import.inconsistent", f"{path}.result")
        return
    CARD_RESULT(value["result"], f"{path}.result")


def _station(value: Any, path: str) -> None:
    if type(value) is not dict:
        raise s.wrong_type(path, "object")
    s.one_of(*STATION_KINDS)(value.get("kind"), s.join(path, "kind"))
    used = CONTENT_FIELDS[value["kind"]]
    spec = dict(STATION_BASE)
    spec.update({key: CONTENT[key] for name, key in STATION_FIELDS.items() if name in used})
    s.fields(value, path, spec)


def _archive(value: Any, path: str) -> None:
    if value is not None and type(value) is not dict:
        raise s.wrong_type(path, "object")


HALL = s.obj(
    {"rooms": s.list_of(ROOM), "stations": s.list_of(_station), "assets": s.list_of(ASSET)}
)


def _workshop(value: Any) -> None:
    spec = dict(WORKSHOP)
    spec.update(
        questions=s.list_of(_question),
        dilemmas=s.list_of(_card),
        hall=HALL,
        archive=_archive,
    )
    s.fields(value, "", spec)


# --- reading --------------------------------------------------------------------------------


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:  # json.loads would keep the last silently
            raise ImportProblem("import.duplicate_key", key=key[:80])
        out[key] = value
    return out


def _constant(name: str) -> Any:
    raise ImportProblem("import.bad_value", value=name)  # NaN, Infinity: not JSON


def parse(data: bytes) -> Any:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportProblem("import.not_text") from None
    try:
        return json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
    except json.JSONDecodeError as e:
        raise ImportProblem("import.not_json", line=e.lineno, column=e.colno) from None
    except RecursionError:
        raise ImportProblem("import.not_json", line=1, column=1) from None


def envelope(doc: Any) -> Doc:
    """The checked `workshop` object of a file Samskab wrote, unchanged since."""
    if type(doc) is not dict or doc.get("format") != FORMAT:
        raise ImportProblem("import.not_samskab")
    version: int = doc.get("version")  # type: ignore[assignment]  # checked on the next line
    s.integer(version, "version")
    if version > VERSION:
        raise ImportProblem("import.newer_version", version=version, known=VERSION)
    if version < 1:
        raise ImportProblem("import.bad_value", "version", value=str(version))
    s.fields(doc, "", ENVELOPE)
    if doc["checksum"] != checksum(doc["workshop"]):
        raise ImportProblem("import.checksum", "checksum")
    _workshop(doc["workshop"])
    workshop: Doc = doc["workshop"]
    limits(workshop)
    refs(workshop)
    figures(workshop)
    return workshop


def read(data: bytes) -> Doc:
    return envelope(parse(data))


# --- limits ------------------------------------------------------------------------------


def _at_most(items: list[Any], limit: int, path: str, code: str) -> None:
    """The live rules' limits, checked before anything is built (with the rules' message)."""
    if len(items) > limit:
        raise ImportProblem("import.refused", path, cause=(code, {"max": limit}))


def _count(value: int, limit: int, path: str, code: str = "import.inconsistent") -> None:
    """A count more than the participants could have given does not add up."""
    if value > limit:
        raise ImportProblem(code, path)


def limits(w: Doc) -> None:
    """Every list within the rules' limits, every count within what the participants could
    have given: so the import's work is bounded by the file, whatever the file says."""
    people = len(w["participants"])
    if people > MAX_PARTICIPANTS:
        raise ImportProblem("import.too_many_people", "participants", max=MAX_PARTICIPANTS)
    _at_most(w["boards"], MAX_BOARDS, "boards", "board.too_many")
    _at_most(w["questions"], MAX_QUESTIONS, "questions", "question.too_many")
    _at_most(w["dilemmas"], MAX_CARDS, "dilemmas", "dilemma.too_many")
    hall = w["hall"]
    _at_most(hall["rooms"], MAX_ROOMS, "hall.rooms", "hall.too_many_rooms")
    _at_most(hall["stations"], MAX_STATIONS, "hall.stations", "hall.too_many_stations")
    _at_most(hall["assets"], MAX_ASSETS, "hall.assets", "hall.too_many_assets")
    for bi, b in enumerate(w["boards"]):
        path = f"boards[{bi}]"
        _at_most(b["columns"], MAX_COLUMNS, f"{path}.columns", "column.too_many")
        notes = notes_of(b, path)
        _at_most(notes, MAX_NOTES_PER_BOARD, path, "board.full")
        r = b["dot_round"]
        if r is not None:
            _count(r["dots_per_person"], MAX_DOTS, f"{path}.dot_round.dots_per_person")
        for n, npath in notes:
            _at_most(n["comments"], MAX_COMMENTS_PER_NOTE, f"{npath}.comments", "comment.too_many")
            _at_most(n["merged"], MAX_MERGED, f"{npath}.merged", "note.merge_too_many")
            _count(n["reactions"], people + 1, f"{npath}.reactions")
            _count(n["dots"], people * MAX_DOTS, f"{npath}.dots")
    for qi, q in enumerate(w["questions"]):
        r = q["result"]
        if r is not None and q["anonymous"]:
            votes = sum(r["total_histogram"])
            _count(votes, people, f"questions[{qi}].result.total_histogram", MORE_VOTES)
            for gi, g in enumerate(r["groups"]):
                _count(g["n"], people, f"questions[{qi}].result.groups[{gi}].n")
        elif r is not None:
            _count(len(r["votes"]), people, f"questions[{qi}].result.votes", MORE_VOTES)
    for di, d in enumerate(w["dilemmas"]):
        r = d["result"]
        if r is not None:
            _count(r["over"] + r["under"], people, f"dilemmas[{di}].result", MORE_VOTES)
            for gi, g in enumerate(r["groups"]):
                _count(g["n"], people, f"dilemmas[{di}].result.groups[{gi}].n")
    for si, st in enumerate(hall["stations"]):
        _count(st["opened"], people, f"hall.stations[{si}].opened")
        _count(st["completed"] or 0, people, f"hall.stations[{si}].completed")


# --- refs --------------------------------------------------------------------------------


def notes_of(board: Doc, path: str) -> list[tuple[Doc, str]]:
    """A board's notes in report order, with their paths."""
    out: list[tuple[Doc, str]] = []
    for ci, col in enumerate(board["columns"]):
        for ki, cl in enumerate(col["clusters"]):
            for ni, n in enumerate(cl["notes"]):
                out.append((n, f"{path}.columns[{ci}].clusters[{ki}].notes[{ni}]"))
        for ni, n in enumerate(col["notes"]):
            out.append((n, f"{path}.columns[{ci}].notes[{ni}]"))
    return out


def _in_order(items: list[tuple[Doc, str]], letter: str) -> set[str]:
    for i, (item, path) in enumerate(items, 1):
        if item["ref"] != f"{letter}{i}":
            raise ImportProblem(
                "import.bad_ref", f"{path}.ref", ref=str(item["ref"])[:20], expected=f"{letter}{i}"
            )
    return {item["ref"] for item, _ in items}


def _known(ref: str | None, known: set[str], path: str) -> None:
    if ref is not None and ref not in known:
        raise ImportProblem("import.unknown_ref", path, ref=ref[:20])


def refs(w: Doc) -> None:
    """Refs numbered where Samskab numbers them, and each pointing at something."""
    people = _in_order([(p, f"participants[{i}]") for i, p in enumerate(w["participants"])], "p")
    boards = _in_order([(b, f"boards[{i}]") for i, b in enumerate(w["boards"])], "b")
    all_notes = [x for i, b in enumerate(w["boards"]) for x in notes_of(b, f"boards[{i}]")]
    _in_order(all_notes, "n")
    hall = w["hall"]
    rooms = _in_order([(r, f"hall.rooms[{i}]") for i, r in enumerate(hall["rooms"])], "r")
    assets = _in_order([(a, f"hall.assets[{i}]") for i, a in enumerate(hall["assets"])], "a")
    authors = people | {FACILITATOR}
    for bi, b in enumerate(w["boards"]):
        mine = {n["ref"] for n, _ in notes_of(b, "")}
        for n, path in notes_of(b, f"boards[{bi}]"):
            _known(n["author"], authors, f"{path}.author")
            for ci, c in enumerate(n["comments"]):
                _known(c["author"], authors, f"{path}.comments[{ci}].author")
            _known(n["turned_from"], mine - {n["ref"]}, f"{path}.turned_from")
    for qi, q in enumerate(w["questions"]):
        if q["result"] is not None and not q["anonymous"]:
            for vi, v in enumerate(q["result"]["votes"]):
                _known(v["participant"], people, f"questions[{qi}].result.votes[{vi}].participant")
    for ri, r in enumerate(hall["rooms"]):
        for key in ("picture", "music"):
            _known(r[key], assets, f"hall.rooms[{ri}].{key}")
    for si, st in enumerate(hall["stations"]):
        path = f"hall.stations[{si}]"
        _known(st["room"], rooms, f"{path}.room")
        _known(st.get("board"), boards, f"{path}.board")
        _known(st.get("target_room"), rooms, f"{path}.target_room")
        for key in ("video", "captions"):
            _known(st.get(key), assets, f"{path}.{key}")
        for ii, image in enumerate(st.get("images", [])):
            _known(image, assets, f"{path}.images[{ii}]")


# --- figures -----------------------------------------------------------------------------


def _inconsistent(path: str) -> ImportProblem:
    return ImportProblem("import.inconsistent", path)


def _groups_known(w: Doc, entries: list[Doc], path: str) -> None:
    for gi, g in enumerate(entries):
        if g["group"] not in w["groups"]:
            raise ImportProblem(
                "import.unknown_group", f"{path}[{gi}].group", group=g["group"][:40]
            )
    names = [g["group"] for g in entries]
    if len(set(names)) != len(names):
        raise _inconsistent(path)


def _histograms(w: Doc, r: Doc, path: str) -> None:
    total = r["total_histogram"]
    _groups_known(w, r["groups"], f"{path}.groups")
    if sum(g["n"] for g in r["groups"]) != sum(total):
        raise _inconsistent(f"{path}.groups")
    rest = list(total)
    for gi, g in enumerate(r["groups"]):
        h = g["histogram"]
        if h is None:
            continue
        if sum(h) != g["n"]:
            raise _inconsistent(f"{path}.groups[{gi}].histogram")
        rest = [a - b for a, b in zip(rest, h, strict=True)]
        if min(rest) < 0:
            raise _inconsistent(f"{path}.groups[{gi}].histogram")
    if len(r["comments"]) > sum(total):
        raise _inconsistent(f"{path}.comments")


def _named(w: Doc, r: Doc, path: str) -> None:
    voters = Counter(v["participant"] for v in r["votes"])
    for vi, v in enumerate(r["votes"]):
        if voters[v["participant"]] > 1:
            raise _inconsistent(f"{path}.votes[{vi}].participant")
        if v["group"] not in w["groups"]:
            raise ImportProblem(
                "import.unknown_group", f"{path}.votes[{vi}].group", group=v["group"][:40]
            )
    if len(r["comments"]) > len(r["votes"]):
        raise _inconsistent(f"{path}.comments")


def _split(w: Doc, r: Doc, path: str) -> None:
    _groups_known(w, r["groups"], f"{path}.groups")
    if sum(g["n"] for g in r["groups"]) != r["over"] + r["under"]:
        raise _inconsistent(f"{path}.groups")
    over, under = r["over"], r["under"]
    for gi, g in enumerate(r["groups"]):
        if (g["over"] is None) != (g["under"] is None):
            raise _inconsistent(f"{path}.groups[{gi}]")
        if g["over"] is None:
            continue
        over, under = over - g["over"], under - g["under"]
        if g["over"] + g["under"] != g["n"] or over < 0 or under < 0:
            raise _inconsistent(f"{path}.groups[{gi}]")


def _boards(w: Doc) -> None:
    if not w["boards"]:
        raise _inconsistent("boards")
    if w["boards"][0]["template"] != "blank":  # every workshop starts with a blank board
        raise _inconsistent("boards[0].template")
    for bi, b in enumerate(w["boards"]):
        path = f"boards[{bi}]"
        if not b["columns"]:
            raise _inconsistent(f"{path}.columns")
        turn = b["turn_column"]
        if turn is not None and (turn >= len(b["columns"]) or b["template"] not in TURN_TARGET):
            raise _inconsistent(f"{path}.turn_column")
        for n, npath in notes_of(b, path):
            if n["dots"] and b["dot_round"] is None:
                raise _inconsistent(f"{npath}.dots")


def _hall(w: Doc) -> None:
    hall = w["hall"]
    for ri, r in enumerate(hall["rooms"]):
        if (r["kind"] == "hall") != (ri == 0):  # the hall comes first, and only once
            raise _inconsistent(f"hall.rooms[{ri}].kind")
    if not hall["rooms"]:
        raise _inconsistent("hall.rooms")
    completed: dict[str, int] = {}
    for si, st in enumerate(hall["stations"]):
        path = f"hall.stations[{si}].completed"
        leads = st["kind"] == "quiz" and st.get("target_room") is not None
        if leads != (st["completed"] is not None):
            raise _inconsistent(path)
        if leads:
            # The count is of the room's unlocks: every quiz into a room has the same.
            if completed.setdefault(st["target_room"], st["completed"]) != st["completed"]:
                raise _inconsistent(path)


def figures(w: Doc) -> None:
    """Counts that add up: histograms to their n, groups to the total, and so on."""
    _boards(w)
    for qi, q in enumerate(w["questions"]):
        if q["result"] is not None:
            path = f"questions[{qi}].result"
            (_histograms if q["anonymous"] else _named)(w, q["result"], path)
    for di, d in enumerate(w["dilemmas"]):
        if d["result"] is not None:
            _split(w, d["result"], f"dilemmas[{di}].result")
    _hall(w)
