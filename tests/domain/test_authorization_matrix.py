"""Every command against every role, as docs/PROTOCOL.md's "Who may send it" says and
docs/SECURITY.md's roles table: the room screen may change nothing; a removed, erased or
unknown participant nothing; a participant no facilitator-only command; the facilitator no
participant-only command. One accepted example per message type (the wire tests' own) is
decided against a workshop with three participants."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.domain.commands import (
    Actor,
    AddCard,
    Command,
    CreateQuestion,
    EraseParticipant,
    KickParticipant,
    OpenQuestion,
    ShowCard,
)
from server.domain.decide import decide
from server.domain.errors import DomainError
from server.realtime.wire import CommandRequest, Editing, Hello, Ping, Visiting
from tests.domain.kit import FAC, P1, P2, P3, SCREEN, Session
from tests.realtime.test_wire import ACCEPTED

PROTOCOL = Path(__file__).resolve().parents[2] / "docs" / "PROTOCOL.md"
COMMITTEE = "the facilitator and the committee's members"


def who_may_send() -> dict[str, str]:
    """message type -> the text after "Who may send it:" in its PROTOCOL.md section."""
    out: dict[str, str] = {}
    for section in re.split(r"\n### `", PROTOCOL.read_text(encoding="utf-8"))[1:]:
        mtype = section.split("`", 1)[0]
        m = re.search(r"\*\*Who may send it:\*\* ([^\n]+)", section)
        if m:
            out[mtype] = m.group(1)
    return out


WHO = who_may_send()
COMMANDS: list[tuple[str, Command]] = [
    (str(msg["type"]), parsed)
    for msg, parsed in ACCEPTED
    if not isinstance(parsed, Hello | Ping | Editing | Visiting | CommandRequest)
    and str(msg["type"]) in WHO
    and not WHO[str(msg["type"])].startswith(COMMITTEE)  # tested on a committee's stream
]
IDS = [t for t, _ in COMMANDS]


def workshop() -> Session:
    """Three participants; p3 removed; p2's data erased ("delete"); an open question and a
    shown card, so a vote or a choice meets the role check, not "unknown"."""
    s = Session()
    s.do(FAC, CreateQuestion("q1", "Hvor enig?"))
    s.do(FAC, OpenQuestion("q1"))
    s.do(FAC, AddCard("c1", "Over eller under?"))
    s.do(FAC, ShowCard("c1"))
    s.do(FAC, KickParticipant(P3.id))
    s.do(FAC, EraseParticipant(P2.id, "delete"))
    return s


def refusal(s: Session, actor: Actor, command: Command) -> str | None:
    """The error code the command is refused with, or None if it would be accepted."""
    try:
        decide(s.state, actor, command)
    except DomainError as e:
        return e.code
    return None


def test_every_command_type_has_an_example_and_a_rule_in_the_protocol() -> None:
    assert len(COMMANDS) >= 60, len(COMMANDS)


@pytest.mark.parametrize(("mtype", "command"), COMMANDS, ids=IDS)
def test_the_room_screen_changes_nothing(mtype: str, command: Command) -> None:
    code = refusal(workshop(), SCREEN, command)
    assert code is not None and code.startswith("permission."), (mtype, code)


@pytest.mark.parametrize(("mtype", "command"), COMMANDS, ids=IDS)
def test_removed_erased_and_unknown_participants_change_nothing(
    mtype: str, command: Command
) -> None:
    s = workshop()
    for actor in (P3, P2, Actor("participant", "from-another-workshop")):
        assert refusal(s, actor, command) is not None, (mtype, actor)


FACILITATOR_ONLY = [(t, c) for t, c in COMMANDS if WHO[t].startswith("the facilitator only")]
PARTICIPANTS_ONLY = [
    (t, c)
    for t, c in COMMANDS
    if WHO[t].startswith(("participants only", "a participant. The facilitator gets"))
]


@pytest.mark.parametrize(
    ("mtype", "command"), FACILITATOR_ONLY, ids=[t for t, _ in FACILITATOR_ONLY]
)
def test_a_participant_sends_no_facilitator_only_command(mtype: str, command: Command) -> None:
    assert refusal(workshop(), P1, command) == "permission.facilitators_only", mtype


@pytest.mark.parametrize(
    ("mtype", "command"), PARTICIPANTS_ONLY, ids=[t for t, _ in PARTICIPANTS_ONLY]
)
def test_the_facilitator_sends_no_participant_only_command(mtype: str, command: Command) -> None:
    assert refusal(workshop(), FAC, command) == "permission.participants_only", mtype


COMMITTEE_COMMANDS = [
    (str(msg["type"]), parsed)
    for msg, parsed in ACCEPTED
    if str(msg["type"]) in WHO and WHO[str(msg["type"])].startswith(COMMITTEE)
]


def committee_stream() -> Session:
    """A committee's stream with members p1 to p3; p3 removed."""
    from tests.domain.backlog_kit import committee

    s = committee()
    s.do(FAC, KickParticipant(P3.id))
    return s


@pytest.mark.parametrize(
    ("mtype", "command"), COMMITTEE_COMMANDS, ids=[t for t, _ in COMMITTEE_COMMANDS]
)
def test_on_a_committee_only_its_facilitator_and_members_act(mtype: str, command: Command) -> None:
    s = committee_stream()
    code = refusal(s, SCREEN, command)
    assert code is not None and code.startswith("permission."), (mtype, code)
    for actor in (P3, Actor("participant", "from-another-workshop")):
        assert refusal(s, actor, command) is not None, (mtype, actor)


def test_the_committee_commands_are_covered() -> None:
    assert len(COMMITTEE_COMMANDS) >= 5
