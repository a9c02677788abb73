"""`decide`: the rules. A command and the current state become events, or a DomainError."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from server.domain import backlog_rules as backlog
from server.domain import board_rules as rules
from server.domain import dilemma_rules as dilemmas
from server.domain import dot_rules as dots
from server.domain import events as ev
from server.domain import hall_rules as hall
from server.domain import question_rules as questions
from server.domain import report_rules
from server.domain import timer_rules as timers
from server.domain.commands import (
    Actor,
    AddAsset,
    AddCard,
    AddCluster,
    AddColumn,
    AddComment,
    AddItem,
    AddMeeting,
    AddNote,
    AddRoom,
    AddRoomParticipant,
    AddStation,
    AnswerQuiz,
    CallMe,
    CarryTopNotes,
    CastVote,
    ChangeBoardSettings,
    ChangeCapacityRule,
    ChooseSide,
    CloseQuestion,
    CloseSprint,
    Command,
    CreateBoard,
    CreateQuestion,
    CreateSprint,
    DeleteComment,
    DeleteNote,
    EditCard,
    EditItem,
    EditNote,
    EditQuestion,
    EditRoom,
    EditSprint,
    EditStation,
    EndDots,
    EraseParticipant,
    HideCards,
    HideNote,
    JoinWorkshop,
    KickParticipant,
    MergeNotes,
    MoveColumn,
    MoveItem,
    MoveNote,
    NextCard,
    OpenQuestion,
    OpenStation,
    PlaceDot,
    PlaceStation,
    PlanItem,
    PublishReport,
    ReactToNote,
    RemoveCard,
    RemoveCluster,
    RemoveColumn,
    RemoveDot,
    RemoveItem,
    RemoveRoom,
    RemoveStation,
    RenameBoard,
    RenameCluster,
    RenameColumn,
    ReopenPlanning,
    ReorderStation,
    ResolveCall,
    RevealBoard,
    RevealCard,
    RevealQuestion,
    SendNoteToBacklog,
    SetItemStatus,
    SetProgrammeItem,
    SetUpCommittee,
    ShowBoard,
    ShowCard,
    Spotlight,
    StartDots,
    StartPrivateWriting,
    StartSprint,
    StartTimer,
    StopTimer,
    TurnNoteAround,
    UnplanItem,
    UnpublishReport,
    UpdateParticipant,
)
from server.domain.errors import DomainError
from server.domain.events import Event
from server.domain.permissions import facilitator_only
from server.domain.text import clean_text
from server.domain.workshop import (
    MAX_GROUP_LENGTH,
    MAX_GROUPS,
    MAX_NAME_LENGTH,
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
    if p.kicked:
        raise DomainError("participant.kicked")
    return p


def _check_group(state: WorkshopState, group: str) -> str:
    if group not in state.groups:
        raise DomainError("group.unknown")
    return group


def _join(state: WorkshopState, actor: Actor, command: JoinWorkshop) -> list[Event]:
    existing = state.participants.get(command.participant_id)
    if existing is not None:
        raise DomainError("participant.kicked" if existing.kicked else "participant.already_joined")
    backlog.check_room_for_member(state)
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


def _update_participant(
    state: WorkshopState, actor: Actor, command: UpdateParticipant
) -> list[Event]:
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


ERASE_NOTES = ("delete", "anonymise")


def _erase(state: WorkshopState, actor: Actor, command: EraseParticipant) -> list[Event]:
    """The facilitator erases anyone, choosing what becomes of their notes; a participant
    erases only themself, and then their notes go too (they asked for their data to go)."""
    if actor.role == "participant":
        if actor.id != command.participant_id:
            raise DomainError("permission.facilitators_only")
        if command.notes != "delete":
            raise DomainError("erase.notes_go_with_you")
    elif actor.role != "facilitator":
        raise DomainError("permission.read_only")
    if command.notes not in ERASE_NOTES:
        raise DomainError("erase.notes_choice")
    p = state.participants.get(command.participant_id)
    if p is None:
        raise DomainError("participant.unknown")
    if p.erased:
        raise DomainError("participant.already_erased")
    out: list[Event] = []
    note_ids: list[str] = []
    comment_ids: list[str] = []
    if command.notes == "delete":
        theirs = sorted(
            (n for n in state.notes.values() if n.author_id == p.id), key=lambda n: n.seq
        )
        note_ids = [n.id for n in theirs]
        for n in theirs:
            out.append(Event(ev.NOTE_DELETED, {"note_id": n.id, "board_id": n.board_id}))
        for c in sorted(state.comments.values(), key=lambda c: c.seq):
            if c.author_id != p.id:
                continue
            comment_ids.append(c.id)  # also those going with their notes: the log forgets them
            if c.note_id not in note_ids:
                out.append(
                    Event(
                        ev.COMMENT_DELETED,
                        {"comment_id": c.id, "note_id": c.note_id, "board_id": c.board_id},
                    )
                )
    out.append(
        Event(
            ev.PARTICIPANT_ERASED,
            {
                "participant_id": p.id,
                "notes": command.notes,
                "note_ids": note_ids,
                "comment_ids": comment_ids,
            },
        )
    )
    return out


def _kick(state: WorkshopState, actor: Actor, command: KickParticipant) -> list[Event]:
    facilitator_only(actor)
    p = state.participants.get(command.participant_id)
    if p is None:
        raise DomainError("participant.unknown")
    if p.kicked:
        raise DomainError("participant.already_removed")
    return [Event(ev.PARTICIPANT_KICKED, {"participant_id": p.id})]


_RULES: dict[type, Callable[[WorkshopState, Actor, Any], list[Event]]] = {
    JoinWorkshop: _join,
    UpdateParticipant: _update_participant,
    KickParticipant: _kick,
    EraseParticipant: _erase,
    CreateBoard: rules.create_board,
    RenameBoard: rules.rename_board,
    ChangeBoardSettings: rules.change_board_settings,
    StartPrivateWriting: rules.start_private_writing,
    RevealBoard: rules.reveal_board,
    ShowBoard: rules.show_board,
    AddColumn: rules.add_column,
    RenameColumn: rules.rename_column,
    MoveColumn: rules.move_column,
    RemoveColumn: rules.remove_column,
    AddNote: rules.add_note,
    EditNote: rules.edit_note,
    DeleteNote: rules.delete_note,
    HideNote: rules.hide_note,
    MoveNote: rules.move_note,
    TurnNoteAround: rules.turn_note_around,
    MergeNotes: rules.merge_notes,
    ReactToNote: rules.react_to_note,
    AddComment: rules.add_comment,
    DeleteComment: rules.delete_comment,
    AddCluster: rules.add_cluster,
    RenameCluster: rules.rename_cluster,
    RemoveCluster: rules.remove_cluster,
    AddRoomParticipant: questions.add_room_participant,
    CreateQuestion: questions.create_question,
    EditQuestion: questions.edit_question,
    OpenQuestion: questions.open_question,
    CloseQuestion: questions.close_question,
    RevealQuestion: questions.reveal_question,
    CastVote: questions.cast_vote,
    StartTimer: timers.start_timer,
    StopTimer: timers.stop_timer,
    StartDots: dots.start_dots,
    PlaceDot: dots.place_dot,
    RemoveDot: dots.remove_dot,
    EndDots: dots.end_dots,
    CarryTopNotes: dots.carry_top_notes,
    AddCard: dilemmas.add_card,
    EditCard: dilemmas.edit_card,
    RemoveCard: dilemmas.remove_card,
    ShowCard: dilemmas.show_card,
    NextCard: dilemmas.show_next_card,
    HideCards: dilemmas.hide_cards,
    ChooseSide: dilemmas.choose_side,
    RevealCard: dilemmas.reveal_card,
    AddRoom: hall.add_room,
    EditRoom: hall.edit_room,
    RemoveRoom: hall.remove_room,
    AddStation: hall.add_station,
    EditStation: hall.edit_station,
    PlaceStation: hall.place_station,
    ReorderStation: hall.reorder_station,
    RemoveStation: hall.remove_station,
    SetProgrammeItem: hall.set_programme_item,
    Spotlight: hall.spotlight,
    AnswerQuiz: hall.answer_quiz,
    OpenStation: hall.open_station,
    PublishReport: report_rules.publish_report,
    UnpublishReport: report_rules.unpublish_report,
    CallMe: hall.call_me,
    ResolveCall: hall.resolve_call,
    AddAsset: hall.add_asset,
    SendNoteToBacklog: rules.send_note_to_backlog,
    SetUpCommittee: backlog.set_up_committee,
    ChangeCapacityRule: backlog.change_capacity_rule,
    AddMeeting: backlog.add_meeting,
    AddItem: backlog.add_item,
    EditItem: backlog.edit_item,
    MoveItem: backlog.move_item,
    RemoveItem: backlog.remove_item,
    CreateSprint: backlog.create_sprint,
    EditSprint: backlog.edit_sprint,
    PlanItem: backlog.plan_item,
    UnplanItem: backlog.unplan_item,
    StartSprint: backlog.start_sprint,
    ReopenPlanning: backlog.reopen_planning,
    SetItemStatus: backlog.set_item_status,
    CloseSprint: backlog.close_sprint,
}


def decide(state: WorkshopState, actor: Actor, command: Command) -> list[Event]:
    """Return the events `command` causes, or raise DomainError; never mutates."""
    rule = _RULES.get(type(command))
    if rule is None:
        raise DomainError("command.unknown")
    return rule(state, actor, command)


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
    column_id: str | None = None,
    column_title: str | None = None,
) -> Event:
    """The first event of every workshop's log; it also sets up the first (blank) board."""
    return Event(
        ev.WORKSHOP_CREATED,
        {
            "workshop_id": workshop_id,
            "board_id": board_id,
            "board_title": board_title,
            "column_id": column_id or board_id,
            "column_title": column_title or board_title,
            "template": "blank",
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
