"""The hall: files (checked like an upload: pictures decoded and re-encoded, sound and films
by their bytes), rooms, stations with their content, the stations opened and the quizzes
answered right by as many participants as the file counts, the first in join order."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from server.domain.commands import (
    AddAsset,
    AddRoom,
    AddStation,
    AnswerQuiz,
    EditRoom,
    EditStation,
    OpenStation,
    StationContent,
)
from server.domain.hall import HALL
from server.exchange.errors import ImportProblem
from server.exchange.plan import Builder, Doc, Person, inconsistent
from server.media import UploadError, check_upload
from server.service import new_id


def _assets(b: Builder, hall: Doc) -> None:
    """Files first: rooms and stations name them. The file's own facts are replaced by what
    the check found, so the comparison after the import holds the stored file to them."""
    for ai, a in enumerate(hall["assets"]):
        path = f"hall.assets[{ai}]"
        try:
            data = base64.b64decode(a["data"], validate=True)
        except (binascii.Error, ValueError):
            raise ImportProblem("import.bad_value", f"{path}.data", value="base64") from None
        try:
            checked = check_upload(a["kind"], data, a["name"])
        except UploadError as e:
            raise ImportProblem("import.refused", path, cause=(e.code, e.params)) from None
        asset_id = b.assets[a["ref"]] = new_id()
        a.update(
            media_type=checked.media_type,
            name=checked.name,
            width=checked.width,
            height=checked.height,
            data=base64.b64encode(checked.data).decode("ascii"),
        )
        b.add(
            path,
            b.facilitator,
            AddAsset(
                asset_id,
                checked.kind,
                checked.media_type,
                checked.name,
                checked.size,
                checked.width,
                checked.height,
            ),
        )
        b.blobs.append((asset_id, checked.data))


def _ref(table: dict[str, str], ref: Any) -> str | None:
    return None if ref is None else table[ref]


def _rooms(b: Builder, hall: Doc) -> None:
    fac = b.facilitator
    for ri, r in enumerate(hall["rooms"]):
        path = f"hall.rooms[{ri}]"
        room_id = HALL if r["kind"] == "hall" else new_id()
        b.rooms[r["ref"]] = room_id
        if room_id != HALL:
            b.add(path, fac, AddRoom(room_id, r["title"], r["kind"]))
        if r["picture"] or r["music"]:
            picture, music = _ref(b.assets, r["picture"]), _ref(b.assets, r["music"])
            b.add(path, fac, EditRoom(room_id, r["title"], picture, music))


def _content(b: Builder, st: Doc) -> StationContent:
    return StationContent(
        body=st.get("body", ""),
        items=tuple((t, x) for t, x in st.get("items", [])),
        milestones=tuple((w, x, done) for w, x, done in st.get("milestones", [])),
        links=tuple((t, u) for t, u in st.get("links", [])),
        phone=st.get("phone", ""),
        board_id=_ref(b.boards, st.get("board")),
        target_room_id=_ref(b.rooms, st.get("target_room")),
        quiz=tuple((q["text"], tuple(q["options"]), q["answer"]) for q in st.get("quiz", [])),
        video_id=_ref(b.assets, st.get("video")),
        captions_id=_ref(b.assets, st.get("captions")),
        image_ids=tuple(b.assets[i] for i in st.get("images", [])),
    )


def _stations(b: Builder, hall: Doc) -> tuple[list[str], list[tuple[str, EditStation]]]:
    """Every station placed and written, but the quizzes: their content gates a room, so it
    is written after the openings (a station may have been opened before its room was gated)."""
    ids: list[str] = []
    quizzes: list[tuple[str, EditStation]] = []
    for si, st in enumerate(hall["stations"]):
        path = f"hall.stations[{si}]"
        station_id = new_id()
        ids.append(station_id)
        room = b.rooms[st["room"]]
        b.add(
            path,
            b.facilitator,
            AddStation(station_id, room, st["kind"], st["title"], st["x"], st["y"]),
        )
        content = _content(b, st)
        if content == StationContent():  # a station never written has nothing to edit
            continue
        edit = EditStation(station_id, st["title"], content)
        if st["kind"] == "quiz":
            quizzes.append((path, edit))
        else:
            b.add(path, b.facilitator, edit)
    return ids, quizzes


def _openings(b: Builder, hall: Doc, ids: list[str]) -> None:
    """Each station opened by as many as the file says: the first participants, while no
    room is gated yet."""
    for si, st in enumerate(hall["stations"]):
        path = f"hall.stations[{si}].opened"
        if st["opened"] > len(b.people):
            raise inconsistent(path)
        for p in b.people[: st["opened"]]:
            b.add(path, p.actor, OpenStation(ids[si]))


def _completions(b: Builder, hall: Doc, ids: list[str]) -> None:
    """Quizzes answered right by the first who may answer them: a quiz in a gated room only
    by those who got in (so a quiz behind a quiz is answered after the first)."""
    stations = hall["stations"]
    gated = {
        b.rooms[st["target_room"]]
        for st in stations
        if st["kind"] == "quiz" and st.get("target_room")
    }
    unlocked: dict[str, list[Person]] = {room: [] for room in gated}

    def may_enter(p: Person, room: str) -> bool:
        return room not in gated or p in unlocked[room]

    progress = True
    while progress:
        progress = False
        for si, st in enumerate(stations):
            if st["completed"] is None:
                continue
            target, room = b.rooms[st["target_room"]], b.rooms[st["room"]]
            answers = tuple(q["answer"] for q in st["quiz"])
            for p in b.people:
                if len(unlocked[target]) >= st["completed"]:
                    break
                if p not in unlocked[target] and may_enter(p, room):
                    b.add(f"hall.stations[{si}].completed", p.actor, AnswerQuiz(ids[si], answers))
                    unlocked[target].append(p)
                    progress = True
    for si, st in enumerate(stations):
        done = st["completed"]
        if done is not None and len(unlocked[b.rooms[st["target_room"]]]) < done:
            raise inconsistent(f"hall.stations[{si}].completed")


def hall_steps(b: Builder, w: Doc) -> None:
    hall = w["hall"]
    _assets(b, hall)
    _rooms(b, hall)
    ids, quizzes = _stations(b, hall)
    _openings(b, hall, ids)
    for path, edit in quizzes:
        b.add(path, b.facilitator, edit)
    _completions(b, hall, ids)
