"""Wire schemas of the virtual council hall: its client messages as typed commands.

As everywhere on the wire, types are checked here and ranges by the domain, so the facilitator
hears "the position must be on the picture" (`hall.position`) rather than a wire error. Two
allowances for the HTML editor, whose forms send strings: a whole number may come as a string
of digits (positions, indexes, a programme item, quiz answers), and a list field of
`station.edit` may come as the textarea's text, read by `server.domain.hall_text` (a bad line
is answered with that module's code and the line's number). `null` and "" both mean "none" for
an optional id. The ids of new rooms, stations and calls are made here (`make_id`); assets are
never added from the wire: only the upload endpoint, which stored the bytes, sends `AddAsset`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from server.domain import hall_text
from server.domain.commands import (
    AddRoom,
    AddStation,
    AnswerQuiz,
    CallMe,
    Command,
    EditRoom,
    EditStation,
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
from server.domain.hall import MAX_QUIZ_QUESTIONS
from server.realtime.wire_fields import (
    ID_RE,
    MAX_RAW_KEY,
    MAX_RAW_TITLE,
    Builder,
    Fields,
    req_form_int,
    req_id,
    req_text,
)

MAX_RAW_NUMBER = 2**31  # positions, indexes, items: only typed here, the domain says the range
MAX_RAW_BODY = 20_000  # Markdown of a station (the domain allows 5000 after normalising)
MAX_RAW_LIST_TEXT = 60_000  # a textarea of items, milestones, links or quiz questions
MAX_RAW_LIST = 1000  # entries of a JSON list (the domain allows 40, or 10 questions)
MAX_RAW_ANSWER = 100  # an option's index in a quiz answer (the domain allows 0 to 5)
ANSWER_FIELDS = tuple(f"answer_{i}" for i in range(MAX_QUIZ_QUESTIONS))  # a form's radios

T = TypeVar("T")


# --- rooms ----------------------------------------------------------------------------------


def _build_add_room(f: Fields, b: Builder) -> Command:
    return AddRoom(
        room_id=b.make_id(),
        title=req_text(f, "title", MAX_RAW_TITLE),
        kind=req_text(f, "kind", MAX_RAW_KEY),
    )


def _build_edit_room(f: Fields, b: Builder) -> Command:
    """`picture_id` and `music_id` are required (null or "" for none): a client that only
    renames must not take a room's picture away by leaving them out."""
    return EditRoom(
        room_id=req_id(f, "room_id"),
        title=req_text(f, "title", MAX_RAW_TITLE),
        picture_id=f.optional_ident("picture_id"),
        music_id=f.optional_ident("music_id"),
    )


def _build_remove_room(f: Fields, b: Builder) -> Command:
    return RemoveRoom(room_id=req_id(f, "room_id"))


# --- stations -------------------------------------------------------------------------------


def _number(f: Fields, name: str) -> int:
    return req_form_int(f, name, low=-MAX_RAW_NUMBER, high=MAX_RAW_NUMBER)


def _build_add_station(f: Fields, b: Builder) -> Command:
    return AddStation(
        station_id=b.make_id(),
        room_id=req_id(f, "room_id"),
        kind=req_text(f, "kind", MAX_RAW_KEY),
        title=req_text(f, "title", MAX_RAW_TITLE),
        x=_number(f, "x"),
        y=_number(f, "y"),
    )


def _build_place_station(f: Fields, b: Builder) -> Command:
    return PlaceStation(station_id=req_id(f, "station_id"), x=_number(f, "x"), y=_number(f, "y"))


def _build_reorder_station(f: Fields, b: Builder) -> Command:
    return ReorderStation(station_id=req_id(f, "station_id"), index=_number(f, "index"))


def _build_remove_station(f: Fields, b: Builder) -> Command:
    return RemoveStation(station_id=req_id(f, "station_id"))


def _strings(f: Fields, name: str, value: Any, n: int) -> tuple[str, ...]:
    """A JSON list of exactly `n` strings (one programme item, one link, ...)."""
    if not isinstance(value, list) or len(value) != n or not all(isinstance(v, str) for v in value):
        raise f.error("wire.wrong_type", name)
    if any(len(v) > MAX_RAW_TITLE for v in value):
        raise f.error("wire.too_long", name)
    return tuple(value)


def _entries(f: Fields, name: str, value: Any) -> list[Any]:
    if len(value) > MAX_RAW_LIST:
        raise f.error("wire.too_long", name)
    return list(value)


def _from_text(f: Fields, name: str, text: str, parse: Callable[[str], T]) -> T:
    """A textarea's text through its `hall_text` parser; its DomainError (a line it cannot
    read) becomes a WireError with the same code and parameters, about this field."""
    if len(text) > MAX_RAW_LIST_TEXT:
        raise f.error("wire.too_long", name)
    try:
        return parse(text)
    except DomainError as e:
        params = {k: v for k, v in e.params.items() if k != "field"}
        raise f.error(e.code, name, **params) from None


def _items(f: Fields) -> tuple[tuple[str, str], ...]:
    """Programme items: [[time, text], ...] or lines "09:30 Velkomst"."""
    v = f.raw("items", required=False)
    if v is None:
        return ()
    if isinstance(v, str):
        return _from_text(f, "items", v, hall_text.parse_items)
    if not isinstance(v, list):
        raise f.error("wire.wrong_type", "items")
    out: list[tuple[str, str]] = []
    for entry in _entries(f, "items", v):
        time, text = _strings(f, "items", entry, 2)
        out.append((time, text))
    return tuple(out)


def _milestones(f: Fields) -> tuple[tuple[str, str, bool], ...]:
    """A plan's milestones: [[when, text, done], ...] or lines "[x] marts 2027 | text"."""
    v = f.raw("milestones", required=False)
    if v is None:
        return ()
    if isinstance(v, str):
        return _from_text(f, "milestones", v, hall_text.parse_milestones)
    if not isinstance(v, list):
        raise f.error("wire.wrong_type", "milestones")
    out: list[tuple[str, str, bool]] = []
    for entry in _entries(f, "milestones", v):
        if not isinstance(entry, list) or len(entry) != 3 or not isinstance(entry[2], bool):
            raise f.error("wire.wrong_type", "milestones")
        when, text = _strings(f, "milestones", entry[:2], 2)
        out.append((when, text, entry[2]))
    return tuple(out)


def _links(f: Fields) -> tuple[tuple[str, str], ...]:
    """Links (films, maps): [[title, url], ...] or lines "title | https://..."."""
    v = f.raw("links", required=False)
    if v is None:
        return ()
    if isinstance(v, str):
        return _from_text(f, "links", v, hall_text.parse_links)
    if not isinstance(v, list):
        raise f.error("wire.wrong_type", "links")
    out: list[tuple[str, str]] = []
    for entry in _entries(f, "links", v):
        title, url = _strings(f, "links", entry, 2)
        out.append((title, url))
    return tuple(out)


_QUESTION_KEYS = frozenset(("text", "options", "answer"))


def _quiz(f: Fields) -> tuple[tuple[str, tuple[str, ...], int], ...]:
    """A quiz: [{"text", "options", "answer"}, ...] or the textarea's blocks, where `*` marks
    the right option. The answer's range is the domain's (`hall.quiz_options`)."""
    v = f.raw("quiz", required=False)
    if v is None:
        return ()
    if isinstance(v, str):
        return _from_text(f, "quiz", v, hall_text.parse_quiz)
    if not isinstance(v, list):
        raise f.error("wire.wrong_type", "quiz")
    out: list[tuple[str, tuple[str, ...], int]] = []
    for q in _entries(f, "quiz", v):
        if not isinstance(q, dict) or set(q) != _QUESTION_KEYS:
            raise f.error("wire.wrong_type", "quiz")
        text, options, answer = q["text"], q["options"], q["answer"]
        if not isinstance(text, str) or not isinstance(options, list) or type(answer) is not int:
            raise f.error("wire.wrong_type", "quiz")
        if len(options) > MAX_RAW_LIST or len(text) > MAX_RAW_TITLE:
            raise f.error("wire.too_long", "quiz")
        opts = _strings(f, "quiz", options, len(options))
        if not -MAX_RAW_NUMBER <= answer <= MAX_RAW_NUMBER:
            raise f.error("wire.out_of_range", "quiz")
        out.append((text, opts, answer))
    return tuple(out)


def _image_ids(f: Fields) -> tuple[str, ...]:
    """Image asset ids: a JSON list, or one string separated by commas or spaces."""
    v = f.raw("image_ids", required=False)
    if v is None:
        return ()
    if isinstance(v, str):
        ids = _from_text(f, "image_ids", v, hall_text.parse_ids)
    elif isinstance(v, list) and all(isinstance(i, str) for i in v):
        ids = tuple(_entries(f, "image_ids", v))
    else:
        raise f.error("wire.wrong_type", "image_ids")
    if not all(ID_RE.match(i) for i in ids):
        raise f.error("wire.bad_id", "image_ids")
    return ids


def _build_edit_station(f: Fields, b: Builder) -> Command:
    """Every content field is optional (absent: empty); the domain refuses content that the
    station's kind does not use, so a form may send its empty fields."""
    station_id = req_id(f, "station_id")
    title = req_text(f, "title", MAX_RAW_TITLE)
    content = StationContent(
        body=f.text("body", required=False, nullable=True, max_len=MAX_RAW_BODY) or "",
        items=_items(f),
        milestones=_milestones(f),
        links=_links(f),
        phone=f.text("phone", required=False, nullable=True, max_len=MAX_RAW_TITLE) or "",
        board_id=f.optional_ident("board_id", required=False),
        target_room_id=f.optional_ident("target_room_id", required=False),
        quiz=_quiz(f),
        video_id=f.optional_ident("video_id", required=False),
        captions_id=f.optional_ident("captions_id", required=False),
        image_ids=_image_ids(f),
    )
    return EditStation(station_id=station_id, title=title, content=content)


# --- live: the programme, the spotlight, quizzes and calls ----------------------------------


def _build_set_programme_item(f: Fields, b: Builder) -> Command:
    """`item` null or "": no item highlighted."""
    station_id = req_id(f, "station_id")
    item = f.form_integer("item", low=-MAX_RAW_NUMBER, high=MAX_RAW_NUMBER, nullable=True)
    return SetProgrammeItem(station_id=station_id, item=item)


def _build_spotlight(f: Fields, b: Builder) -> Command:
    """`station_id` null or "": the spotlight ends."""
    return Spotlight(station_id=f.optional_ident("station_id"))


def _answer(f: Fields, name: str, value: Any, *, form: bool) -> int:
    """One option index: a JSON integer, or from a form (`form`) also a string of digits."""
    if form and isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 3:
        value = int(value)
    if type(value) is not int:
        raise f.error("wire.wrong_type", name)
    if not 0 <= value <= MAX_RAW_ANSWER:
        raise f.error("wire.out_of_range", name)
    return value


def _answers(f: Fields) -> tuple[int, ...]:
    """`answers` as a JSON list, or a form's radios `answer_0` ... `answer_9` (an unanswered
    question sends nothing: a gap before a later answer is named; a missing last one is the
    domain's `hall.quiz_answers`)."""
    radios = [name for name in ANSWER_FIELDS if name in f.data]
    if "answers" in f.data:
        if radios:
            raise f.error("wire.unknown_field", radios[0])
        v = f.raw("answers")
        if not isinstance(v, list):
            raise f.error("wire.wrong_type", "answers")
        if len(v) > MAX_QUIZ_QUESTIONS:
            raise f.error("wire.too_long", "answers")
        return tuple(_answer(f, "answers", a, form=False) for a in v)
    given: dict[int, int] = {}
    for i, name in enumerate(ANSWER_FIELDS):
        v = f.raw(name, required=False)
        if v is not None and v != "":
            given[i] = _answer(f, name, v, form=True)
    if not given and not radios:
        raise f.error("wire.missing_field", "answers")
    out: list[int] = []
    for i in range(max(given, default=-1) + 1):
        if i not in given:
            raise f.error("wire.missing_field", ANSWER_FIELDS[i])
        out.append(given[i])
    return tuple(out)


def _build_answer_quiz(f: Fields, b: Builder) -> Command:
    return AnswerQuiz(station_id=req_id(f, "station_id"), answers=_answers(f))


def _build_call_me(f: Fields, b: Builder) -> Command:
    """`message` may be left out or null: a call without a message."""
    return CallMe(
        station_id=req_id(f, "station_id"),
        call_id=b.make_id(),
        message=f.text("message", required=False, nullable=True, max_len=MAX_RAW_TITLE) or "",
    )


def _build_resolve_call(f: Fields, b: Builder) -> Command:
    return ResolveCall(call_id=req_id(f, "call_id"))


HALL_BUILDERS: dict[str, Callable[[Fields, Builder], Command]] = {
    "room.add": _build_add_room,
    "room.edit": _build_edit_room,
    "room.remove": _build_remove_room,
    "station.add": _build_add_station,
    "station.edit": _build_edit_station,
    "station.place": _build_place_station,
    "station.reorder": _build_reorder_station,
    "station.remove": _build_remove_station,
    "programme.set": _build_set_programme_item,
    "hall.spotlight": _build_spotlight,
    "quiz.answer": _build_answer_quiz,
    "call.request": _build_call_me,
    "call.resolve": _build_resolve_call,
}
