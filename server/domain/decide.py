"""`decide`: the rules. A command and the current state become events, or a DomainError."""

from __future__ import annotations

import datetime

from server.domain import events as ev
from server.domain.commands import (
    Actor,
    AddNote,
    Command,
    DeleteNote,
    JoinWorkshop,
    UpdateParticipant,
)
from server.domain.errors import DomainError
from server.domain.events import Event
from server.domain.text import clean_text
from server.domain.workshop import (
    MAX_GROUP_LENGTH,
    MAX_GROUPS,
    MAX_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_TITLE_LENGTH,
    Participant,
    WorkshopState,
)


def clean_display_name(name: str | None) -> str | None:
    """None or blank means "anonym"."""
    if name is None or not name.strip():
        return None
    return clean_text(name, field="name", max_length=MAX_NAME_LENGTH, multiline=False)


def clean_title(title: str) -> str:
    return clean_text(title, field="title", max_length=MAX_TITLE_LENGTH, multiline=False)


def clean_groups(groups: list[str]) -> tuple[str, ...]:
    cleaned: list[str] = []
    for g in groups:
        if not g.strip():
            continue
        name = clean_text(g, field="group", max_length=MAX_GROUP_LENGTH, multiline=False)
        if name in cleaned:
            raise DomainError("group.duplicate")
        cleaned.append(name)
    if not cleaned:
        raise DomainError("group.none")
    if len(cleaned) > MAX_GROUPS:
        raise DomainError("group.too_many", max=MAX_GROUPS)
    return tuple(cleaned)


def _participant(state: WorkshopState, actor: Actor) -> Participant:
    if actor.role != "participant":
        raise DomainError("permission.participants_only")
    p = state.participants.get(actor.id)
    if p is None:
        raise DomainError("participant.unknown")
    return p


def _check_group(state: WorkshopState, group: str) -> str:
    if group not in state.groups:
        raise DomainError("group.unknown")
    return group


def decide(state: WorkshopState, actor: Actor, command: Command) -> list[Event]:
    """Return the events `command` causes, or raise DomainError; never mutates."""
    if isinstance(command, JoinWorkshop):
        if command.participant_id in state.participants:
            raise DomainError("participant.already_joined")
        return [
            Event(
                ev.PARTICIPANT_JOINED,
                {
                    "participant_id": command.participant_id,
                    "display_name": clean_display_name(command.display_name),
                    "group": _check_group(state, command.group),
                },
            )
        ]
    if isinstance(command, UpdateParticipant):
        p = _participant(state, actor)
        return [
            Event(
                ev.PARTICIPANT_RENAMED,
                {
                    "participant_id": p.id,
                    "display_name": clean_display_name(command.display_name),
                    "group": _check_group(state, command.group),
                },
            )
        ]
    if isinstance(command, AddNote):
        if actor.role == "screen":
            raise DomainError("permission.read_only")
        board_id = command.board_id or state.main_board.id
        if board_id not in state.boards:
            raise DomainError("board.unknown")
        if command.note_id in state.notes:
            raise DomainError("note.exists")
        if actor.role == "participant":
            author = _participant(state, actor)
            author_id, author_name = author.id, author.display_name
        else:
            author_id, author_name = actor.id, None
        text = clean_text(command.text, field="note", max_length=MAX_NOTE_LENGTH, multiline=True)
        return [
            Event(
                ev.NOTE_ADDED,
                {
                    "note_id": command.note_id,
                    "board_id": board_id,
                    "author_id": author_id,
                    "author_name": author_name,
                    "author_role": actor.role,
                    "text": text,
                },
            )
        ]
    if isinstance(command, DeleteNote):
        note = state.notes.get(command.note_id)
        if note is None:
            raise DomainError("note.unknown")
        if actor.role == "participant":
            _participant(state, actor)
            if note.author_id != actor.id:
                raise DomainError("note.not_yours")
        elif actor.role != "facilitator":
            raise DomainError("permission.read_only")
        return [Event(ev.NOTE_DELETED, {"note_id": note.id, "board_id": note.board_id})]
    raise DomainError("command.unknown")


def create_workshop(
    *,
    workshop_id: str,
    board_id: str,
    join_code: str,
    title: str,
    date: str,
    groups: list[str],
    board_title: str,
    facilitator_id: str,
) -> Event:
    """The first event of every workshop's log."""
    return Event(
        ev.WORKSHOP_CREATED,
        {
            "workshop_id": workshop_id,
            "board_id": board_id,
            "board_title": board_title,
            "join_code": join_code,
            "title": clean_title(title),
            "date": clean_date(date),
            "groups": list(clean_groups(groups)),
            "facilitator_id": facilitator_id,
        },
    )


def clean_date(value: str) -> str:
    """An ISO calendar date (YYYY-MM-DD), as HTML's date input sends it."""
    v = value.strip()
    if len(v) != 10 or not v.isascii():
        raise DomainError("date.invalid")
    try:
        return datetime.date.fromisoformat(v).isoformat()
    except ValueError:
        raise DomainError("date.invalid") from None
