"""What each viewer receives about the hall in JSON: the server decides. Quiz answers only for
facilitators; a gated room a participant has not unlocked only as a locked name, with nothing
of its stations, picture or music in any snapshot or event; calls and unlocks only for the
facilitators and the participant concerned; assets only where they may be fetched."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from server.domain import events as ev
from server.domain.commands import (
    AddAsset,
    AddRoom,
    AddStation,
    AnswerQuiz,
    CallMe,
    EditRoom,
    EditStation,
    OpenStation,
    PlaceStation,
    RemoveRoom,
    RemoveStation,
    ReorderStation,
    ResolveCall,
    SetProgrammeItem,
    Spotlight,
    StationContent,
)
from server.domain.events import StoredEvent
from server.realtime.source import PresenceEntry, Viewer
from server.render.hall_views import (
    BREAK_PICTURE,
    CHAMBER_PICTURE,
    hall_event_json,
    hall_json,
    station_counts,
)
from server.render.live import LiveRenderer
from server.render.views import event_json, state_json
from tests.domain.kit import FAC, P1, P2, P3, SCREEN, Session

FACILITATOR = Viewer("facilitator", "json", "da", FAC.id)
SCREEN_VIEW = Viewer("screen", "json", "da", SCREEN.id)


def participant(actor_id: str) -> Viewer:
    return Viewer("participant", "json", "da", actor_id)


IDA, BO, ANON = participant(P1.id), participant(P2.id), participant(P3.id)
EVERYONE = (FACILITATOR, SCREEN_VIEW, IDA, BO, ANON)
# Everything of the break room: its stations, their words, its picture, music and film.
BREAK_SECRETS = ("brkinfo", "brkfilm", "Kaffe og kage", "brkpic", "brkmus", "brkvid", "Pausemusik")


def scene() -> Session:
    """The hall with a programme, a help line, a door to a group room and a quiz guarding the
    break room (picture, music, a film); Ida (p1) answers right, Bo (p2) asks to be called."""
    s = Session()
    for asset_id, kind, media in (
        ("brkpic", "image", "image/png"),
        ("brkmus", "audio", "audio/mpeg"),
        ("brkvid", "video", "video/mp4"),
        ("orphan", "image", "image/png"),
    ):
        name = "Pausemusik.mp3" if asset_id == "brkmus" else f"{asset_id}.bin"
        s.do(FAC, AddAsset(asset_id, kind, media, name, 100, 10 if kind == "image" else 0, 10))
    s.do(FAC, AddRoom("grp", "Gruppe 1", "room"))
    s.do(FAC, AddRoom("brk", "Pause", "break"))
    s.do(FAC, AddStation("prog", "hall", "programme", "Program", 1000, 1000))
    s.do(FAC, EditStation("prog", "Program", StationContent(items=(("09:30", "Velkomst"),))))
    s.do(FAC, AddStation("help", "hall", "helpline", "Hjælp", 2000, 2000))
    s.do(FAC, EditStation("help", "Hjælp", StationContent(phone="+45 12 34 56 78")))
    s.do(FAC, AddStation("door", "hall", "door", "Til gruppen", 3000, 3000))
    s.do(FAC, EditStation("door", "Til gruppen", StationContent(target_room_id="grp")))
    s.do(FAC, AddStation("gate", "hall", "quiz", "Quiz", 4000, 4000))
    quiz = (("Hvor mange?", ("1", "2", "3"), 2), ("Hvem?", ("a", "b"), 0))
    s.do(FAC, EditStation("gate", "Quiz", StationContent(quiz=quiz, target_room_id="brk")))
    s.do(FAC, EditRoom("brk", "Pause", "brkpic", "brkmus"))  # guarded before it is furnished
    s.do(FAC, AddStation("ginfo", "grp", "info", "Om gruppen", 5000, 5000))
    s.do(FAC, AddStation("brkinfo", "brk", "info", "Kaffe og kage", 6000, 6000))
    s.do(FAC, AddStation("brkfilm", "brk", "films", "Film", 7000, 7000))
    s.do(FAC, EditStation("brkfilm", "Film", StationContent(video_id="brkvid")))
    assert s.refused(P2, AnswerQuiz("gate", (0, 0))) == "hall.quiz_wrong"
    return s


def unlocked_scene() -> Session:
    s = scene()
    s.do(P1, AnswerQuiz("gate", (2, 0)))
    s.do(P2, CallMe("help", "call1", "Ring efter kl. 10"))
    return s


def frames(s: Session, viewer: Viewer) -> list[Any]:
    """Everything a viewer was sent: the snapshot now, and every event as it happened."""
    out: list[Any] = [state_json(s.state, viewer)]
    out += [event_json(e, s.states[i], viewer) for i, e in enumerate(s.log)]
    return out


def keys_in(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from keys_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from keys_in(v)


def rooms(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in view["hall"]["rooms"]}


def last(s: Session, type_: str) -> StoredEvent:
    return next(e for e in reversed(s.log) if e.type == type_)


# --- quiz answers ----------------------------------------------------------------------------


def test_quiz_answers_reach_only_facilitators() -> None:
    s = unlocked_scene()
    for viewer in EVERYONE:
        shown = frames(s, viewer)
        has_answer = "answer" in set(keys_in(shown))
        assert has_answer == (viewer.role == "facilitator"), viewer
    gate = next(
        st
        for st in rooms(state_json(s.state, FACILITATOR))["hall"]["stations"]
        if st["id"] == "gate"
    )
    assert gate["quiz"] == [
        {"text": "Hvor mange?", "options": ["1", "2", "3"], "answer": 2},
        {"text": "Hvem?", "options": ["a", "b"], "answer": 0},
    ]
    for viewer in (SCREEN_VIEW, IDA, BO):
        st = next(
            st
            for st in rooms(state_json(s.state, viewer))["hall"]["stations"]
            if st["id"] == "gate"
        )
        assert st["quiz"] == [
            {"text": "Hvor mange?", "options": ["1", "2", "3"]},
            {"text": "Hvem?", "options": ["a", "b"]},
        ]


# --- gated rooms -----------------------------------------------------------------------------


def test_a_locked_room_is_only_its_name_and_nothing_of_it_reaches_the_participant() -> None:
    s = unlocked_scene()
    for viewer in (BO, ANON):
        view = state_json(s.state, viewer)
        assert rooms(view)["brk"] == {
            "id": "brk",
            "title": "Pause",
            "kind": "break",
            "locked": True,
        }
        text = json.dumps(frames(s, viewer), ensure_ascii=False)
        for secret in BREAK_SECRETS:
            assert secret not in text, (viewer.actor_id, secret)
    for viewer in (FACILITATOR, SCREEN_VIEW, IDA):
        brk = rooms(state_json(s.state, viewer))["brk"]
        assert brk["locked"] is False and brk["gated"] is True
        assert [st["id"] for st in brk["stations"]] == ["brkinfo", "brkfilm"]
        assert brk["picture"]["id"] == "brkpic" and brk["music"]["id"] == "brkmus"


def test_an_event_about_a_locked_room_s_station_is_not_sent_at_all() -> None:
    s = unlocked_scene()
    s.do(FAC, PlaceStation("brkinfo", 10, 20))
    s.do(FAC, ReorderStation("brkinfo", 1))
    s.do(FAC, EditStation("brkinfo", "Kaffe og kage", StationContent(body="Kaffe")))
    for e in s.log:
        if e.type in ev.HALL_EVENTS and "brkinfo" in json.dumps(e.data):
            for viewer in (BO, ANON):
                assert event_json(e, s.state, viewer) is None, e.type
            assert event_json(e, s.state, IDA) is not None
    checked = {e.type for e in s.log if "brkinfo" in json.dumps(e.data)}
    assert checked >= {
        ev.HALL_STATION_ADDED,
        ev.HALL_STATION_EDITED,
        ev.HALL_STATION_PLACED,
        ev.HALL_STATIONS_REORDERED,
    }


def test_rooms_nobody_guards_are_open_to_everyone_with_default_pictures() -> None:
    s = scene()
    for viewer in EVERYONE:
        r = rooms(state_json(s.state, viewer))
        assert r["hall"]["picture"] == {"id": None, "url": CHAMBER_PICTURE}
        assert r["grp"]["picture"] == {"id": None, "url": CHAMBER_PICTURE}
        assert r["grp"]["locked"] is False and r["grp"]["gated"] is False
        assert [st["id"] for st in r["grp"]["stations"]] == ["ginfo"]
        assert [x["id"] for x in state_json(s.state, viewer)["hall"]["rooms"]] == [
            "hall",
            "grp",
            "brk",
        ]
    s.do(FAC, EditRoom("brk", "Pause", None, None))
    assert rooms(state_json(s.state, FACILITATOR))["brk"]["picture"] == {
        "id": None,
        "url": BREAK_PICTURE,
    }


def test_the_unlock_is_for_the_facilitator_and_that_participant_and_opens_the_room() -> None:
    s = unlocked_scene()
    unlock = last(s, ev.HALL_ROOM_UNLOCKED)
    for viewer in (SCREEN_VIEW, BO, ANON):
        assert event_json(unlock, s.state, viewer) is None
    fac = event_json(unlock, s.state, FACILITATOR)
    assert fac is not None and fac["data"] == {
        "room_id": "brk",
        "participant_id": P1.id,
        "station_id": "gate",
    }
    ida = event_json(unlock, s.state, IDA)
    assert ida is not None and ida["data"]["room"]["locked"] is False
    assert [st["id"] for st in ida["data"]["room"]["stations"]] == ["brkinfo", "brkfilm"]
    assert state_json(s.state, IDA)["hall"]["unlocked"] == [
        {"room_id": "brk", "participant_id": P1.id}
    ]
    assert state_json(s.state, BO)["hall"]["unlocked"] == []
    assert state_json(s.state, SCREEN_VIEW)["hall"]["unlocked"] == []
    assert state_json(s.state, FACILITATOR)["hall"]["unlocked"] == [
        {"room_id": "brk", "participant_id": P1.id}
    ]


def test_when_a_quiz_starts_guarding_a_room_participants_are_told_which_rooms_are_locked() -> None:
    s = scene()
    quiz = (("Hvem?", ("a", "b"), 0),)
    s.do(FAC, EditStation("gate", "Quiz", StationContent(quiz=quiz, target_room_id="grp")))
    edited = s.log[-1]
    got = event_json(edited, s.state, BO)
    assert got is not None
    locked = {r["id"]: r["locked"] for r in got["data"]["rooms"]}
    assert locked == {"hall": False, "grp": True, "brk": False}
    # The break room opened up: now its stations come with it.
    brk = next(r for r in got["data"]["rooms"] if r["id"] == "brk")
    assert [st["id"] for st in brk["stations"]] == ["brkinfo", "brkfilm"]
    assert "rooms" not in event_json(edited, s.state, FACILITATOR)["data"]  # type: ignore[index]


def test_a_removed_station_reaches_participants_as_their_rooms_never_as_an_id() -> None:
    s = unlocked_scene()
    s.do(FAC, RemoveStation("brkinfo"))
    removed = s.log[-1]
    bo = event_json(removed, s.state, BO)
    assert bo is not None and set(bo["data"]) == {"rooms"}
    assert "brkinfo" not in json.dumps(bo)
    assert event_json(removed, s.state, FACILITATOR)["data"] == {"station_id": "brkinfo"}  # type: ignore[index]


# --- calls -----------------------------------------------------------------------------------


def test_calls_reach_the_facilitators_and_the_caller_only() -> None:
    s = unlocked_scene()
    requested = last(s, ev.HALL_CALL_REQUESTED)
    for viewer in (SCREEN_VIEW, IDA, ANON):
        assert event_json(requested, s.state, viewer) is None
        assert state_json(s.state, viewer)["hall"]["calls"] == []
        assert "Ring efter" not in json.dumps(frames(s, viewer), ensure_ascii=False)
    for viewer in (FACILITATOR, BO):
        got = event_json(requested, s.state, viewer)
        assert got is not None and got["data"]["message"] == "Ring efter kl. 10"
        (call,) = state_json(s.state, viewer)["hall"]["calls"]
        assert (call["id"], call["participant_id"], call["resolved"]) == ("call1", P2.id, False)
    s.do(FAC, ResolveCall("call1"))
    resolved = s.log[-1]
    assert event_json(resolved, s.state, BO) is not None
    assert event_json(resolved, s.state, FACILITATOR) is not None
    for viewer in (SCREEN_VIEW, IDA, ANON):
        assert event_json(resolved, s.state, viewer) is None


# --- assets ----------------------------------------------------------------------------------


def test_assets_are_named_only_to_whoever_may_fetch_them_with_their_own_url() -> None:
    s = unlocked_scene()
    ids = {v.actor_id: [a["id"] for a in hall_json(s.state, v)["assets"]] for v in EVERYONE}
    assert ids[FAC.id] == ids[SCREEN.id] == ["brkmus", "brkpic", "brkvid", "orphan"]
    assert ids[P1.id] == ["brkmus", "brkpic", "brkvid"]
    assert ids[P2.id] == ids[P3.id] == []
    ida = {a["id"]: a for a in hall_json(s.state, IDA)["assets"]}
    assert ida["brkmus"]["url"] == "/w/ABC234/assets/brkmus"
    assert ida["brkmus"]["media_type"] == "audio/mpeg" and ida["brkmus"]["name"] == "Pausemusik.mp3"
    fac = {a["id"]: a for a in hall_json(s.state, FACILITATOR)["assets"]}
    assert fac["orphan"]["url"] == "/f/workshops/w1/assets/orphan"
    assert hall_json(s.state, SCREEN_VIEW)["assets"][0]["url"].startswith("/f/workshops/w1/")
    film = next(
        st for st in rooms(state_json(s.state, IDA))["brk"]["stations"] if st["kind"] == "films"
    )
    assert film["video"]["url"] == "/w/ABC234/assets/brkvid"


def test_a_new_file_is_announced_only_to_those_who_may_fetch_it() -> None:
    s = scene()
    added = next(
        e for e in s.log if e.type == ev.HALL_ASSET_ADDED and e.data["asset_id"] == "orphan"
    )
    fac = event_json(added, s.state, FACILITATOR)
    assert fac is not None and fac["data"]["asset"]["url"] == "/f/workshops/w1/assets/orphan"
    assert event_json(added, s.state, SCREEN_VIEW) is not None
    for viewer in (IDA, BO, ANON):
        assert event_json(added, s.state, viewer) is None


# --- live: programme, spotlight, presence ----------------------------------------------------


def test_the_programme_s_current_item_and_the_spotlight_reach_everyone() -> None:
    s = scene()
    s.do(FAC, SetProgrammeItem("prog", 0))
    s.do(FAC, Spotlight("prog"))
    for e in s.log[-2:]:
        for viewer in EVERYONE:
            got = event_json(e, s.state, viewer)
            assert got is not None and got["data"]["station_id"] == "prog", viewer
    for viewer in EVERYONE:
        h = hall_json(s.state, viewer)
        assert h["spotlight"] == "prog" and h["spotlight_seq"] == s.seq
        prog = next(
            st
            for st in rooms(state_json(s.state, viewer))["hall"]["stations"]
            if st["id"] == "prog"
        )
        assert prog["current_item"] == 0 and prog["items"] == [["09:30", "Velkomst"]]


def test_station_counts_name_only_stations_the_viewer_may_see() -> None:
    s = unlocked_scene()
    online = [
        PresenceEntry(P1.id, "Ida", "Borger", station="brkinfo"),
        PresenceEntry(P2.id, "Bo", "Politiker", station="brkinfo"),  # not unlocked: no count
        PresenceEntry(P3.id, None, "Borger", station="prog"),
        PresenceEntry("p4", None, "Borger", station="gone"),
        PresenceEntry("p5", None, "Borger"),
    ]
    assert station_counts(online, s.state, FACILITATOR) == {"brkinfo": 1, "prog": 1}
    assert station_counts(online, s.state, SCREEN_VIEW) == {"brkinfo": 1, "prog": 1}
    assert station_counts(online, s.state, IDA) == {"brkinfo": 1, "prog": 1}
    assert station_counts(online, s.state, BO) == {"prog": 1}
    presence = json.loads(LiveRenderer().presence(online, s.state, BO))
    assert presence["stations"] == {"prog": 1} and presence["online"] == 5
    html = json.loads(LiveRenderer().presence(online, s.state, Viewer("participant", "html", "da")))
    assert html["type"] == "presence"


def test_hall_events_are_built_only_by_the_hall_view() -> None:
    """Every hall event type has an answer for every viewer (a dict or None), never the stored
    payload passed through by `event_json`'s default."""
    s = unlocked_scene()
    s.do(FAC, ResolveCall("call1"))
    s.do(FAC, Spotlight("prog"))
    s.do(FAC, Spotlight(None))
    s.do(FAC, SetProgrammeItem("prog", None))
    s.do(FAC, PlaceStation("brkinfo", 0, 10000))
    s.do(FAC, ReorderStation("brkinfo", 1))
    s.do(FAC, RemoveStation("ginfo"))
    s.do(FAC, EditStation("door", "Til gruppen", StationContent(target_room_id="brk")))
    s.do(FAC, RemoveRoom("grp"))
    s.do(P1, OpenStation("prog"))
    assert {e.type for e in s.log} >= ev.HALL_EVENTS
    for i, e in enumerate(s.log):
        if e.type in ev.HALL_EVENTS:
            for viewer in EVERYONE:
                assert event_json(e, s.states[i], viewer) == hall_event_json(e, s.states[i], viewer)
