"""The rules, as plain functions: no database, no clock, no sockets."""

from __future__ import annotations

import pytest

from server.domain import events as ev
from server.domain.commands import Actor, AddNote, DeleteNote, JoinWorkshop, UpdateParticipant
from server.domain.decide import clean_date, clean_groups, create_workshop, decide
from server.domain.errors import DomainError
from server.domain.events import Event
from server.domain.workshop import WorkshopState, apply, new_workshop

FAC = Actor("facilitator", "fac1")


def workshop() -> WorkshopState:
    return new_workshop(
        create_workshop(
            workshop_id="w1",
            board_id="b1",
            join_code="ABC234",
            title="  Visionen  ",
            date="2026-11-22",
            groups=["Politiker", "Borger", ""],
            board_title="Idébank",
            facilitator_id="fac1",
        )
    )


def run(
    state: WorkshopState, actor: Actor, command: object, seq: int
) -> tuple[WorkshopState, list[Event]]:
    events = decide(state, actor, command)  # type: ignore[arg-type]
    for i, e in enumerate(events):
        state = apply(state, e, seq + i)
    return state, events


def joined(*names: tuple[str, str | None, str]) -> WorkshopState:
    s = workshop()
    for i, (pid, name, group) in enumerate(names):
        s, _ = run(s, Actor("participant", pid), JoinWorkshop(pid, name, group), 2 + i)
    return s


def test_workshop_created_cleans_title_and_groups() -> None:
    s = workshop()
    assert s.title == "Visionen"
    assert s.groups == ("Politiker", "Borger")
    assert s.main_board.title == "Idébank"


def test_join_with_blank_name_is_anonymous_and_group_must_exist() -> None:
    s = joined(("p1", "  ", "Borger"))
    assert s.participants["p1"].display_name is None
    with pytest.raises(DomainError) as e:
        decide(s, Actor("participant", "p2"), JoinWorkshop("p2", "Ida", "Rådmand"))
    assert e.value.code == "group.unknown"


def test_participant_adds_and_deletes_own_note_but_not_others() -> None:
    s = joined(("p1", "Ida", "Borger"), ("p2", "Bo", "Politiker"))
    s, events = run(s, Actor("participant", "p1"), AddNote("n1", " Flere\r\ncykelstier "), 10)
    assert events[0].type == ev.NOTE_ADDED
    assert s.notes["n1"].text == "Flere\ncykelstier"
    assert s.notes["n1"].author_name == "Ida"
    with pytest.raises(DomainError) as e:
        decide(s, Actor("participant", "p2"), DeleteNote("n1"))
    assert e.value.code == "note.not_yours"
    s, _ = run(s, Actor("participant", "p1"), DeleteNote("n1"), 11)
    assert "n1" not in s.notes


def test_facilitator_may_delete_any_note_and_screen_may_do_nothing() -> None:
    s = joined(("p1", "Ida", "Borger"))
    s, _ = run(s, Actor("participant", "p1"), AddNote("n1", "x"), 10)
    with pytest.raises(DomainError) as e:
        decide(s, Actor("screen", "scr"), DeleteNote("n1"))
    assert e.value.code == "permission.read_only"
    with pytest.raises(DomainError):
        decide(s, Actor("screen", "scr"), AddNote("n2", "x"))
    s, _ = run(s, FAC, DeleteNote("n1"), 11)
    assert s.notes == {}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "note.empty"),
        ("   \n ", "note.empty"),
        ("x" * 501, "note.too_long"),
        ("a\x00b", "note.control_characters"),
    ],
)
def test_note_text_rules(text: str, code: str) -> None:
    s = joined(("p1", "Ida", "Borger"))
    with pytest.raises(DomainError) as e:
        decide(s, Actor("participant", "p1"), AddNote("n1", text))
    assert e.value.code == code


def test_exactly_500_characters_is_allowed_after_normalising() -> None:
    s = joined(("p1", "Ida", "Borger"))
    s, _ = run(s, Actor("participant", "p1"), AddNote("n1", "  " + "æ" * 500 + "  "), 10)
    assert len(s.notes["n1"].text) == 500


def test_unknown_participant_and_board_are_refused() -> None:
    s = joined(("p1", "Ida", "Borger"))
    with pytest.raises(DomainError) as e:
        decide(s, Actor("participant", "ghost"), AddNote("n1", "x"))
    assert e.value.code == "participant.unknown"
    with pytest.raises(DomainError) as e:
        decide(s, Actor("participant", "p1"), AddNote("n1", "x", board_id="nope"))
    assert e.value.code == "board.unknown"


def test_rename_keeps_identity() -> None:
    s = joined(("p1", None, "Borger"))
    s, _ = run(s, Actor("participant", "p1"), UpdateParticipant("Ida", "Politiker"), 5)
    assert s.participants["p1"].display_name == "Ida"
    assert s.participants["p1"].group == "Politiker"
    assert len(s.participants) == 1


@pytest.mark.parametrize(
    "value", ["2026-13-01", "22-11-2026", "", "２０２６-11-22", "2026-11-22T10"]
)
def test_dates_must_be_iso_calendar_dates(value: str) -> None:
    with pytest.raises(DomainError) as e:
        clean_date(value)
    assert e.value.code == "date.invalid"


def test_groups_rules() -> None:
    with pytest.raises(DomainError) as e:
        clean_groups(["A", "A"])
    assert e.value.code == "group.duplicate"
    with pytest.raises(DomainError) as e:
        clean_groups(["", "  "])
    assert e.value.code == "group.none"


def test_decide_never_mutates_the_state() -> None:
    s = joined(("p1", "Ida", "Borger"))
    before = (dict(s.notes), dict(s.participants))
    decide(s, Actor("participant", "p1"), AddNote("n1", "x"))
    assert (dict(s.notes), dict(s.participants)) == before
