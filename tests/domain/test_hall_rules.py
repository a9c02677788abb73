"""The hall's rules, through `decide` and `apply` (tests.domain.kit.Session): who may do what,
every refusal code, what a gated room hides from a participant, and what the events leave."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import pytest

from server.domain import events as ev
from server.domain.commands import (
    Actor,
    AddAsset,
    AddRoom,
    AddStation,
    AnswerQuiz,
    CallMe,
    Command,
    EditRoom,
    EditStation,
    KickParticipant,
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
from server.domain.errors import DomainError
from server.domain.hall import (
    HALL,
    MAX_ASSETS,
    MAX_BODY,
    MAX_CALL_MESSAGE,
    MAX_ITEMS,
    MAX_PHONE,
    MAX_QUIZ_OPTIONS,
    MAX_QUIZ_QUESTIONS,
    MAX_ROOMS,
    MAX_STATIONS,
    MAX_URL,
    SPAN,
    THE_HALL,
    AgendaItem,
    Call,
    Link,
    Milestone,
    QuizQuestion,
    Room,
    empty_hall,
    may_enter,
    rooms_in_order,
    stations_in,
)
from server.domain.hall_apply import apply_hall
from server.domain.hall_rules import CONTENT_FIELDS
from server.domain.workshop import replay
from tests.domain.kit import FAC, MAIN, P1, P2, P3, SCREEN, Session

QUIZ = (
    ("Hvornår vedtages planen?", ("I morgen", "Til foråret"), 1),
    ("Hvem?", ("KB", "Borgm."), 0),
)


def content(**fields: Any) -> StationContent:
    return StationContent(**fields)


def hall() -> Session:
    """Files of every kind, a group room and a break room, and stations in the hall and the
    group room."""
    s = Session()
    for asset_id, kind, media_type in (
        ("img", "image", "image/png"),
        ("img2", "image", "image/webp"),
        ("mp3", "audio", "audio/mpeg"),
        ("mp4", "video", "video/mp4"),
        ("vtt", "captions", "text/vtt"),
    ):
        s.do(FAC, AddAsset(asset_id, kind, media_type, f"{asset_id}.x", 100, 4, 3))
    s.do(FAC, AddRoom("g1", "Gruppe 1", "room"))
    s.do(FAC, AddRoom("pause", "Pause", "break"))
    for station_id, kind in (("prog", "programme"), ("help", "helpline"), ("quiz", "quiz")):
        s.do(FAC, AddStation(station_id, HALL, kind, kind.title(), 1000, 2000))
    s.do(FAC, AddStation("door", HALL, "door", "Til pausen", SPAN, 0))
    s.do(FAC, AddStation("info", "g1", "info", "Om gruppen", 0, SPAN))
    return s


def gated() -> Session:
    """The quiz in the hall guards group room 1."""
    s = hall()
    s.do(FAC, EditStation("quiz", "Quiz", content(quiz=QUIZ, target_room_id="g1")))
    return s


# --- who may -------------------------------------------------------------------------------

FACILITATOR_ONLY: list[Command] = [
    AddRoom("r9", "Rum", "room"),
    EditRoom("g1", "Gruppe", None, None),
    RemoveRoom("pause"),
    AddStation("s9", HALL, "info", "Info", 0, 0),
    EditStation("prog", "Program", content()),
    PlaceStation("prog", 1, 1),
    ReorderStation("prog", 0),
    RemoveStation("prog"),
    SetProgrammeItem("prog", None),
    Spotlight("prog"),
    ResolveCall("c1"),
    AddAsset("a9", "image", "image/png", "a.png", 1),
]
PARTICIPANTS_ONLY: list[Command] = [
    AnswerQuiz("quiz", (1, 0)),
    CallMe("help", "c9", ""),
]


@pytest.mark.parametrize("command", FACILITATOR_ONLY, ids=lambda c: type(c).__name__)
def test_only_the_facilitator_builds_and_runs_the_hall(command: Command) -> None:
    s = gated()
    assert s.refused(P1, command) == "permission.facilitators_only"
    assert s.refused(SCREEN, command) == "permission.read_only"


@pytest.mark.parametrize("command", PARTICIPANTS_ONLY, ids=lambda c: type(c).__name__)
def test_quizzes_and_calls_are_the_participants_own(command: Command) -> None:
    s = gated()
    assert s.refused(FAC, command) == "permission.participants_only"
    assert s.refused(SCREEN, command) == "permission.read_only"
    assert s.refused(Actor("participant", "stranger"), command) == "participant.unknown"
    s.do(FAC, KickParticipant(P1.id))
    assert s.refused(P1, command) == "participant.kicked"
    s.do(P2, command)


# --- rooms ---------------------------------------------------------------------------------


def test_rooms_are_added_after_the_hall_and_their_kind_and_id_checked() -> None:
    s = hall()
    assert [(r.id, r.kind, r.position) for r in rooms_in_order(s.state.hall)] == [
        (HALL, "hall", 0),
        ("g1", "room", 1),
        ("pause", "break", 2),
    ]
    assert s.refused(FAC, AddRoom("r3", "Rum", "hall")) == "hall.room_kind"
    assert s.refused(FAC, AddRoom("r3", "Rum", "garden")) == "hall.room_kind"
    assert s.refused(FAC, AddRoom("g1", "Igen", "room")) == "hall.room_exists"
    assert s.refused(FAC, AddRoom(HALL, "Salen", "room")) == "hall.room_exists"
    assert s.refused(FAC, AddRoom("r3", "  ", "room")) == "title.empty"
    assert s.refused(FAC, AddRoom("r3", "x" * 81, "room")) == "title.too_long"
    s.do(FAC, AddRoom("r3", "  Rum\u0301 3 ", "room"))
    assert s.state.hall.rooms["r3"].title == "Ru\u1e3f 3"  # trimmed, composed (NFC)


def test_the_hall_counts_among_the_rooms() -> None:
    s = Session()
    for i in range(MAX_ROOMS - 1):
        s.do(FAC, AddRoom(f"r{i}", f"Rum {i}", "room"))
    assert len(s.state.hall.rooms) == MAX_ROOMS
    assert s.refused(FAC, AddRoom("one", "For mange", "break")) == "hall.too_many_rooms"


def test_a_room_gets_a_picture_and_music_of_the_right_kind() -> None:
    s = hall()
    assert s.refused(FAC, EditRoom("nope", "x", None, None)) == "hall.room_unknown"
    assert s.refused(FAC, EditRoom("g1", "x", "gone", None)) == "hall.asset_unknown"
    assert s.refused(FAC, EditRoom("g1", "x", None, "gone")) == "hall.asset_unknown"
    assert s.refused(FAC, EditRoom("g1", "x", "mp3", None)) == "hall.asset_kind"
    assert s.refused(FAC, EditRoom("g1", "x", None, "img")) == "hall.asset_kind"
    assert s.refused(FAC, EditRoom("g1", "", None, None)) == "title.empty"
    s.do(FAC, EditRoom("pause", "Kaffepause", "img", "mp3"))
    assert s.state.hall.rooms["pause"] == Room("pause", "Kaffepause", "break", 2, "img", "mp3")
    s.do(FAC, EditRoom("pause", "Kaffepause", "", None))  # back to the default picture
    assert s.state.hall.rooms["pause"].picture_id is None


def test_the_hall_keeps_no_title_of_its_own() -> None:
    s = hall()
    s.do(FAC, EditRoom(HALL, "Byrådssalen", "img", None))
    assert s.state.hall.rooms[HALL] == Room(HALL, "", "hall", 0, "img", None)


def test_a_room_goes_with_its_stations_unlocks_and_spotlight_but_not_while_led_to() -> None:
    s = gated()
    assert s.refused(FAC, RemoveRoom(HALL)) == "hall.hall_kept"
    assert s.refused(FAC, RemoveRoom("nope")) == "hall.room_unknown"
    s.do(FAC, EditStation("door", "Til pausen", content(target_room_id="pause")))
    assert s.refused(FAC, RemoveRoom("pause")) == "hall.room_in_use"  # the door
    assert s.refused(FAC, RemoveRoom("g1")) == "hall.room_in_use"  # the quiz
    s.do(P1, AnswerQuiz("quiz", (1, 0)))  # P1 unlocks group room 1
    s.do(FAC, EditStation("quiz", "Quiz", content(quiz=QUIZ, target_room_id="pause")))
    s.do(P2, AnswerQuiz("quiz", (1, 0)))  # P2 the break room, which the quiz guards now
    s.do(FAC, Spotlight("info"))  # in group room 1, no longer gated
    events = s.do(FAC, RemoveRoom("g1"))
    assert [e.data for e in events] == [{"room_id": "g1"}]
    h = s.state.hall
    assert "g1" not in h.rooms and "info" not in h.stations
    assert h.spotlight is None and h.spotlight_seq > 0
    assert h.unlocked == {("pause", P2.id)}


# --- stations ------------------------------------------------------------------------------


def test_a_station_is_added_to_an_existing_room_inside_its_picture() -> None:
    s = hall()
    add = AddStation
    assert s.refused(FAC, add("s", "nope", "info", "Info", 0, 0)) == "hall.room_unknown"
    assert s.refused(FAC, add("s", HALL, "cinema", "Info", 0, 0)) == "hall.station_kind"
    for x, y in ((-1, 0), (0, SPAN + 1), (True, 0), (0, 1.5)):
        assert s.refused(FAC, add("s", HALL, "info", "Info", x, y)) == "hall.position"  # type: ignore[arg-type]
    assert s.refused(FAC, add("prog", HALL, "info", "Info", 0, 0)) == "hall.station_exists"
    assert s.refused(FAC, add("s", HALL, "info", "", 0, 0)) == "title.empty"
    assert s.refused(FAC, add("s", HALL, "info", "x" * 81, 0, 0)) == "title.too_long"
    s.do(FAC, add("s", "g1", "rules", "Regler", 0, SPAN))
    assert [(t.id, t.position) for t in stations_in(s.state.hall, "g1")] == [("info", 0), ("s", 1)]
    assert [t.id for t in stations_in(s.state.hall, HALL)] == ["prog", "help", "quiz", "door"]


def test_there_is_a_limit_to_stations_in_a_workshop() -> None:
    s = Session()
    for i in range(MAX_STATIONS):
        s.do(FAC, AddStation(f"s{i}", HALL, "info", "Info", i, i))
    assert (
        s.refused(FAC, AddStation("last", HALL, "info", "Info", 0, 0)) == "hall.too_many_stations"
    )


def test_every_kind_takes_its_own_content_and_refuses_the_rest() -> None:
    s = hall()
    s.do(FAC, AddStation("films", HALL, "films", "Film", 0, 0))
    s.do(FAC, AddStation("maps", HALL, "maps", "Kort", 0, 0))
    s.do(FAC, AddStation("plan", HALL, "plan", "Plan", 0, 0))
    s.do(FAC, AddStation("board", HALL, "board", "Tavle", 0, 0))
    full = {
        "body": "Tekst",
        "items": (("09:30", "Velkomst"),),
        "milestones": (("marts", "Høring", True),),
        "links": (("Plan", "https://ltk.dk"),),
        "phone": "+45 45 97 30 00",
        "board_id": MAIN,
        "target_room_id": "pause",
        "quiz": QUIZ,
        "video_id": "mp4",
        "captions_id": "vtt",
        "image_ids": ("img",),
    }
    stations = {"prog": "programme", "help": "helpline", "quiz": "quiz", "door": "door"}
    stations.update({"info": "info", "films": "films", "maps": "maps", "plan": "plan"})
    stations["board"] = "board"
    for station_id, kind in stations.items():
        used = CONTENT_FIELDS[kind]  # type: ignore[index]
        for name, value in full.items():
            if name not in used:
                c = content(**{name: value})
                assert (
                    s.refused(FAC, EditStation(station_id, "T", c)) == "hall.content_not_for_kind"
                )
        s.do(FAC, EditStation(station_id, "T", content(**{k: full[k] for k in used})))
    h = s.state.hall.stations
    assert h["prog"].items == (AgendaItem("09:30", "Velkomst"),)
    assert h["plan"].milestones == (Milestone("marts", "Høring", True),)
    assert h["maps"].links == (Link("Plan", "https://ltk.dk"),) and h["maps"].image_ids == ("img",)
    assert (h["films"].video_id, h["films"].captions_id, h["films"].body) == ("mp4", "vtt", "Tekst")
    assert (h["help"].phone, h["board"].board_id, h["door"].target_room_id) == (
        "+45 45 97 30 00",
        MAIN,
        "pause",
    )
    assert h["quiz"].quiz[0] == QuizQuestion(
        "Hvornår vedtages planen?", ("I morgen", "Til foråret"), 1
    )
    assert h["info"].body == "Tekst" and h["info"].items == ()


def test_a_station_edit_cleans_and_checks_every_piece() -> None:
    s = hall()
    s.do(FAC, AddStation("films", HALL, "films", "Film", 0, 0))
    s.do(FAC, AddStation("maps", HALL, "maps", "Kort", 0, 0))
    s.do(FAC, AddStation("plan", HALL, "plan", "Plan", 0, 0))
    s.do(FAC, AddStation("board", HALL, "board", "Tavle", 0, 0))

    def code(station_id: str, **fields: Any) -> str:
        return s.refused(FAC, EditStation(station_id, "T", content(**fields)))

    assert s.refused(FAC, EditStation("nope", "T", content())) == "hall.station_unknown"
    assert s.refused(FAC, EditStation("info", " ", content())) == "title.empty"
    assert code("info", body="x" * (MAX_BODY + 1)) == "body.too_long"
    assert code("info", body="a\x00b") == "body.control_characters"
    assert code("prog", items=(("09:30", " "),)) == "item.empty"
    assert code("prog", items=(("09:30", "x" * 201),)) == "item.too_long"
    assert code("prog", items=(("kl. 9.30 om formiddagen", "x"),)) == "item.too_long"  # a time
    assert code("prog", items=(("", "a\nb"),)) == "item.control_characters"
    assert code("prog", items=(("", "x"),) * (MAX_ITEMS + 1)) == "hall.too_many_items"
    assert code("plan", milestones=(("", "x", False),) * (MAX_ITEMS + 1)) == "hall.too_many_items"
    assert code("maps", links=(("", "https://x.dk"),) * (MAX_ITEMS + 1)) == "hall.too_many_items"
    assert code("maps", image_ids=("img",) * (MAX_ITEMS + 1)) == "hall.too_many_items"
    for bad_url in (
        "javascript:alert(1)",
        "ftp://x.dk",
        "https://",
        "https://x.dk/a b",
        "https://x.dk/\u200b",
        "https://x.dk/" + "a" * MAX_URL,
    ):
        assert code("maps", links=(("Link", bad_url),)) == "hall.url", bad_url
    assert code("help", phone="ring mig") == "hall.phone"
    assert code("help", phone="+-()") == "hall.phone"
    assert code("help", phone="1" * (MAX_PHONE + 1)) == "phone.too_long"
    assert code("board", board_id="nope") == "hall.board_unknown"
    assert code("door") == "hall.target_missing"
    assert code("door", target_room_id="nope") == "hall.target_unknown"
    assert code("door", target_room_id=HALL) == "hall.target_unknown"  # its own room
    assert code("quiz", quiz=QUIZ) == "hall.target_missing"
    assert code("quiz", target_room_id="g1") == "hall.quiz_empty"
    assert code("info", target_room_id="g1") == "hall.content_not_for_kind"
    s.do(FAC, AddStation("gquiz", "g1", "quiz", "Quiz", 0, 0))
    assert code("gquiz", quiz=QUIZ, target_room_id=HALL) == "hall.quiz_target"
    too_many = QUIZ[:1] * (MAX_QUIZ_QUESTIONS + 1)
    assert code("quiz", quiz=too_many, target_room_id="g1") == "hall.too_many_items"
    for question in (
        ("Q", ("a",), 0),
        ("Q", tuple("abcdefg"[: MAX_QUIZ_OPTIONS + 1]), 0),
        ("Q", ("a", "b"), 2),
        ("Q", ("a", "b"), -1),
        ("Q", ("a", "b"), True),
    ):
        assert code("quiz", quiz=(question,), target_room_id="g1") == "hall.quiz_options"
    assert code("quiz", quiz=(("Q", ("a", " "), 0),), target_room_id="g1") == "item.empty"
    assert code("films", video_id="gone") == "hall.asset_unknown"
    assert code("films", video_id="img") == "hall.asset_kind"
    assert code("films", video_id="mp4", captions_id="mp3") == "hall.asset_kind"
    assert code("films", captions_id="vtt") == "hall.content_not_for_kind"  # no video
    assert code("maps", image_ids=("img", "gone")) == "hall.asset_unknown"
    assert code("maps", image_ids=("mp4",)) == "hall.asset_kind"


def test_edited_content_is_stored_cleaned() -> None:
    s = hall()
    s.do(FAC, AddStation("maps", HALL, "maps", "Kort", 0, 0))
    s.do(FAC, AddStation("plan", HALL, "plan", "Plan", 0, 0))
    links = (("", "https://a.dk"), (" https://b.dk ", "https://b.dk"), (" Plan ", " HTTP://P.dk "))
    s.do(
        FAC,
        EditStation(
            "maps", " Kort ", content(body="  ", links=links, image_ids=("img", "img2", "img"))
        ),
    )
    maps = s.state.hall.stations["maps"]
    assert (maps.title, maps.body, maps.image_ids) == ("Kort", "", ("img", "img2"))
    assert maps.links == (
        Link("https://a.dk", "https://a.dk"),
        Link("https://b.dk", "https://b.dk"),
        Link("Plan", "HTTP://P.dk"),
    )
    s.do(FAC, EditStation("plan", "Plan", content(milestones=((" ", " Høring ", True),))))
    assert s.state.hall.stations["plan"].milestones == (Milestone("", "Høring", True),)
    s.do(FAC, EditStation("help", "Hjælp", content(phone=" ", body="Ring **nu**")))
    assert (s.state.hall.stations["help"].phone, s.state.hall.stations["help"].body) == (
        "",
        "Ring **nu**",
    )


def test_a_programme_keeps_its_current_item_while_it_exists() -> None:
    s = hall()
    three = content(items=(("9", "a"), ("10", "b"), ("11", "c")))
    assert s.refused(FAC, SetProgrammeItem("info", 0)) == "hall.not_programme"
    assert s.refused(FAC, SetProgrammeItem("prog", 0)) == "hall.item_unknown"  # no items yet
    s.do(FAC, EditStation("prog", "Program", three))
    for bad in (3, -1):
        assert s.refused(FAC, SetProgrammeItem("prog", bad)) == "hall.item_unknown"
    s.do(FAC, SetProgrammeItem("prog", 2))
    assert s.state.hall.stations["prog"].current_item == 2
    s.do(FAC, EditStation("prog", "Program", three))
    assert s.state.hall.stations["prog"].current_item == 2
    s.do(FAC, EditStation("prog", "Program", content(items=three.items[:2])))
    assert s.state.hall.stations["prog"].current_item is None
    s.do(FAC, SetProgrammeItem("prog", 1))
    s.do(FAC, SetProgrammeItem("prog", None))
    assert s.state.hall.stations["prog"].current_item is None


def test_a_station_is_placed_and_reordered_in_its_room() -> None:
    s = hall()
    assert s.refused(FAC, PlaceStation("nope", 0, 0)) == "hall.station_unknown"
    assert s.refused(FAC, PlaceStation("prog", SPAN + 1, 0)) == "hall.position"
    s.do(FAC, PlaceStation("prog", SPAN, 0))
    assert (s.state.hall.stations["prog"].x, s.state.hall.stations["prog"].y) == (SPAN, 0)

    def order() -> list[str]:
        return [t.id for t in stations_in(s.state.hall, HALL)]

    assert s.refused(FAC, ReorderStation("prog", -1)) == "hall.position"
    assert s.refused(FAC, ReorderStation("nope", 0)) == "hall.station_unknown"
    events = s.do(FAC, ReorderStation("prog", 99))  # past the end: last
    assert events[0].data == {"room_id": HALL, "order": ["help", "quiz", "door", "prog"]}
    assert order() == ["help", "quiz", "door", "prog"]
    s.do(FAC, ReorderStation("door", 0))
    assert order() == ["door", "help", "quiz", "prog"]
    assert [t.position for t in stations_in(s.state.hall, HALL)] == [0, 1, 2, 3]
    s.do(FAC, RemoveStation("help"))
    s.do(FAC, AddStation("new", HALL, "info", "Ny", 0, 0))
    assert order() == ["door", "quiz", "prog", "new"]
    assert s.refused(FAC, RemoveStation("help")) == "hall.station_unknown"


# --- the spotlight -------------------------------------------------------------------------


def test_the_spotlight_brings_everyone_to_a_station_never_in_a_gated_room() -> None:
    s = gated()
    assert s.refused(FAC, Spotlight(None)) == "hall.no_spotlight"
    assert s.refused(FAC, Spotlight("nope")) == "hall.station_unknown"
    assert s.refused(FAC, Spotlight("info")) == "hall.spotlight_gated"
    s.do(FAC, Spotlight("prog"))
    first = s.state.hall.spotlight_seq
    assert (s.state.hall.spotlight, first) == ("prog", s.seq)
    s.do(FAC, Spotlight("prog"))  # again: every client opens it once more
    assert s.state.hall.spotlight_seq == s.seq > first
    s.do(FAC, Spotlight(""))
    assert s.state.hall.spotlight is None
    s.do(FAC, Spotlight("door"))
    s.do(FAC, RemoveStation("door"))
    assert s.state.hall.spotlight is None


def test_a_quiz_cannot_lock_the_room_in_the_spotlight() -> None:
    s = hall()
    s.do(FAC, Spotlight("info"))
    c = content(quiz=QUIZ, target_room_id="g1")
    assert s.refused(FAC, EditStation("quiz", "Quiz", c)) == "hall.spotlight_gated"
    s.do(FAC, Spotlight(None))
    s.do(FAC, EditStation("quiz", "Quiz", c))


# --- quizzes -------------------------------------------------------------------------------


def test_a_right_quiz_unlocks_its_room_for_that_participant_only() -> None:
    s = gated()
    h = s.state.hall
    assert not may_enter(h, "g1", P1.id, False) and may_enter(h, "g1", None, True)
    assert s.refused(P1, AnswerQuiz("info", ())) == "hall.station_unknown"  # behind the gate
    assert s.refused(P1, AnswerQuiz("nope", ())) == "hall.station_unknown"
    assert s.refused(P1, AnswerQuiz("prog", (0,))) == "hall.not_quiz"
    assert s.refused(P1, AnswerQuiz("quiz", (1,))) == "hall.quiz_answers"
    assert s.refused(P1, AnswerQuiz("quiz", (1, 0, 0))) == "hall.quiz_answers"
    with pytest.raises(DomainError) as e:
        s.do(P1, AnswerQuiz("quiz", (0, 0)))
    assert (e.value.code, e.value.params) == ("hall.quiz_wrong", {"right": 1, "total": 2})
    for wrong in ((0, 1), (5, -1), (True, False)):
        assert s.refused(P1, AnswerQuiz("quiz", wrong)) == "hall.quiz_wrong"
    events = s.do(P1, AnswerQuiz("quiz", (1, 0)))
    assert [(x.type, x.data) for x in events] == [
        (ev.HALL_ROOM_UNLOCKED, {"room_id": "g1", "participant_id": P1.id, "station_id": "quiz"})
    ]
    assert s.refused(P1, AnswerQuiz("quiz", (1, 0))) == "hall.already_unlocked"
    assert may_enter(s.state.hall, "g1", P1.id, False)
    assert not may_enter(s.state.hall, "g1", P2.id, False)
    # Behind the gate, the participant who unlocked it sees the room's stations; others do not.
    s.do(FAC, AddStation("ghelp", "g1", "helpline", "Hjælp", 0, 0))
    assert s.refused(P2, CallMe("ghelp", "c1", "")) == "hall.station_unknown"
    s.do(P1, CallMe("ghelp", "c1", ""))


def test_a_quiz_not_written_yet_cannot_be_answered() -> None:
    s = hall()
    assert s.refused(P1, AnswerQuiz("quiz", ())) == "hall.quiz_empty"


# --- calls ---------------------------------------------------------------------------------


def test_a_participant_asks_a_help_line_to_call_them_once_at_a_time() -> None:
    s = hall()
    assert s.refused(P1, CallMe("prog", "c1", "")) == "hall.not_helpline"
    assert s.refused(P1, CallMe("nope", "c1", "")) == "hall.station_unknown"
    long = "x" * (MAX_CALL_MESSAGE + 1)
    assert s.refused(P1, CallMe("help", "c1", long)) == "message.too_long"
    assert s.refused(P1, CallMe("help", "c1", "a\x07")) == "message.control_characters"
    s.do(P1, CallMe("help", "c1", "  Ring efter kl. 14\n tak "))
    assert s.state.hall.calls["c1"] == Call("c1", P1.id, "help", "Ring efter kl. 14\n tak", s.seq)
    assert s.refused(P1, CallMe("help", "c2", "")) == "hall.call_open"
    assert s.refused(P2, CallMe("help", "c1", "")) == "hall.call_exists"
    s.do(P2, CallMe("help", "c2", " "))
    assert s.state.hall.calls["c2"].message == ""
    assert s.refused(FAC, ResolveCall("nope")) == "hall.call_unknown"
    s.do(FAC, ResolveCall("c1"))
    assert s.state.hall.calls["c1"].resolved
    assert s.refused(FAC, ResolveCall("c1")) == "hall.call_resolved"
    s.do(P1, CallMe("help", "c3", ""))  # a new call once the first was handled
    s.do(FAC, RemoveStation("help"))  # the calls stay: the callers still wait
    assert set(s.state.hall.calls) == {"c1", "c2", "c3"}


# --- files ---------------------------------------------------------------------------------


def test_files_are_added_by_kind_once_each_up_to_a_limit() -> None:
    s = Session()
    assert s.refused(FAC, AddAsset("a", "pdf", "application/pdf", "a.pdf", 1)) == "hall.asset_kind"
    for i in range(MAX_ASSETS):
        s.do(FAC, AddAsset(f"a{i}", "image", "image/png", f"{i}.png", 10, 2, 1))
    assert s.refused(FAC, AddAsset("a0", "image", "image/png", "0.png", 1)) == "hall.asset_exists"
    assert (
        s.refused(FAC, AddAsset("z", "audio", "audio/mpeg", "z.mp3", 1)) == "hall.too_many_assets"
    )
    a = s.state.hall.assets["a7"]
    assert (a.kind, a.media_type, a.name, a.size, a.width, a.height) == (
        "image",
        "image/png",
        "7.png",
        10,
        2,
        1,
    )


# --- the events and the state --------------------------------------------------------------


def whole_hall() -> Session:
    """A hall that used every hall event type."""
    s = gated()
    s.do(FAC, EditRoom("pause", "Pause", "img", "mp3"))
    s.do(FAC, EditStation("door", "Til pausen", content(target_room_id="pause")))
    s.do(FAC, EditStation("prog", "Program", content(items=(("9:00", "Kaffe"), ("", "Tak")))))
    s.do(FAC, SetProgrammeItem("prog", 1))
    s.do(FAC, PlaceStation("door", 10, 20))
    s.do(FAC, ReorderStation("door", 0))
    s.do(FAC, Spotlight("door"))
    s.do(P1, AnswerQuiz("quiz", (1, 0)))
    s.do(P1, OpenStation("prog"))
    s.do(P3, OpenStation("help"))
    s.do(P3, CallMe("help", "c1", "Ring"))
    s.do(FAC, ResolveCall("c1"))
    s.do(FAC, AddRoom("tmp", "Midlertidigt", "room"))
    s.do(FAC, AddStation("tmpinfo", "tmp", "info", "Info", 1, 1))
    s.do(FAC, RemoveRoom("tmp"))
    s.do(FAC, RemoveStation("info"))
    return s


def test_replaying_the_log_gives_the_hall_built_step_by_step() -> None:
    s = whole_hall()
    assert {e.type for e in s.log} >= ev.HALL_EVENTS
    assert replay(s.log) == s.state
    for i in (len(s.log) // 2, len(s.log) - 3):
        assert replay(s.log[:i]) == s.states[i - 1]


def test_the_hall_stays_frozen() -> None:
    h = whole_hall().state.hall
    for mapping in (h.rooms, h.stations, h.assets, h.calls):
        assert isinstance(mapping, MappingProxyType)
    assert isinstance(h.unlocked, frozenset)
    for station in h.stations.values():
        for value in (station.items, station.milestones, station.links, station.quiz):
            assert isinstance(value, tuple)
        assert all(isinstance(q.options, tuple) for q in station.quiz)


def test_apply_hall_handles_exactly_the_hall_events() -> None:
    state = Session().state
    assert apply_hall(state, ev.NOTE_ADDED, {}, 9) is None
    assert apply_hall(state, "hall.unknown", {}, 9) is None
    changed = apply_hall(
        state, ev.HALL_ROOM_ADDED, {"room_id": "r", "title": "R", "kind": "room", "position": 1}, 9
    )
    assert changed is not None and changed.hall.rooms["r"] == Room("r", "R", "room", 1)
    assert state.hall == empty_hall() and state.hall.rooms == {HALL: THE_HALL}


# --- stations opened (the report's count) -------------------------------------------------


def test_a_station_is_recorded_as_opened_once_per_participant() -> None:
    s = gated()
    s.do(P1, OpenStation("prog"))
    assert ("prog", P1.id) in s.state.hall.opened
    assert s.refused(P1, OpenStation("prog")) == "hall.already_opened"
    s.do(P2, OpenStation("prog"))
    assert {o for o in s.state.hall.opened if o[0] == "prog"} == {("prog", P1.id), ("prog", P2.id)}


def test_only_participants_open_stations_and_only_ones_they_may_enter() -> None:
    s = gated()
    assert s.refused(FAC, OpenStation("prog")) == "permission.participants_only"
    assert s.refused(SCREEN, OpenStation("prog")) == "permission.read_only"
    assert s.refused(P1, OpenStation("nowhere")) == "hall.station_unknown"
    assert s.refused(P1, OpenStation("info")) == "hall.station_unknown"  # gated room 1
    s.do(P1, AnswerQuiz("quiz", (1, 0)))
    s.do(P1, OpenStation("info"))
    assert ("info", P1.id) in s.state.hall.opened


def test_a_removed_station_or_room_takes_its_openings_with_it() -> None:
    s = gated()
    s.do(P1, AnswerQuiz("quiz", (1, 0)))
    s.do(P1, OpenStation("info"))
    s.do(P1, OpenStation("prog"))
    s.do(FAC, RemoveStation("quiz"))  # the quiz leads there: the room is in use until it goes
    s.do(FAC, RemoveRoom("g1"))
    assert s.state.hall.opened == frozenset({("prog", P1.id)})
    s.do(FAC, RemoveStation("prog"))
    assert s.state.hall.opened == frozenset()
