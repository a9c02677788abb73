"""Commands: what a user asks for, already parsed and typed at the edge."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from server.domain.backlog_commands import (
    AddItem,
    AddMeeting,
    ChangeCapacityRule,
    CloseSprint,
    CreateSprint,
    EditItem,
    EditSprint,
    MoveItem,
    PlanItem,
    RemoveItem,
    ReopenPlanning,
    SendNoteToBacklog,
    SetItemStatus,
    SetUpCommittee,
    StartSprint,
    UnplanItem,
)

Role = Literal["facilitator", "participant", "screen"]


@dataclass(frozen=True)
class Actor:
    """Who sends a command; the web layer proves it from the session."""

    role: Role
    id: str


@dataclass(frozen=True)
class JoinWorkshop:
    participant_id: str
    display_name: str | None
    group: str


@dataclass(frozen=True)
class UpdateParticipant:
    display_name: str | None
    group: str


@dataclass(frozen=True)
class KickParticipant:
    participant_id: str


@dataclass(frozen=True)
class EraseParticipant:
    """Erase one participant's personal data (GDPR art. 17), by the facilitator or by the
    participant themself. Their votes, dots and choices stay as anonymous figures, so results
    and reports do not change; their notes and comments are deleted (`"delete"`) or kept
    without their name (`"anonymise"`, the facilitator's choice only)."""

    participant_id: str
    notes: str  # "delete" or "anonymise"


@dataclass(frozen=True)
class CreateBoard:
    board_id: str
    title: str
    template: str
    column_ids: tuple[str, ...]
    column_titles: tuple[str, ...]  # the template's columns, titled in the facilitator's language


@dataclass(frozen=True)
class RenameBoard:
    board_id: str
    title: str


@dataclass(frozen=True)
class ChangeBoardSettings:
    """None leaves a setting as it is."""

    board_id: str
    show_authors: bool | None = None
    open_moves: bool | None = None
    locked: bool | None = None


@dataclass(frozen=True)
class StartPrivateWriting:
    board_id: str


@dataclass(frozen=True)
class RevealBoard:
    board_id: str


@dataclass(frozen=True)
class ShowBoard:
    """Bring everyone (and the room screen) to this board."""

    board_id: str


@dataclass(frozen=True)
class AddColumn:
    board_id: str
    column_id: str
    title: str


@dataclass(frozen=True)
class RenameColumn:
    column_id: str
    title: str


@dataclass(frozen=True)
class MoveColumn:
    column_id: str
    index: int


@dataclass(frozen=True)
class RemoveColumn:
    column_id: str
    move_notes_to: str


@dataclass(frozen=True)
class AddNote:
    note_id: str
    text: str
    board_id: str | None = None
    column_id: str | None = None
    color: str | None = None


@dataclass(frozen=True)
class EditNote:
    note_id: str
    version: int  # the version the editor started from
    text: str | None = None
    color: str | None = None


@dataclass(frozen=True)
class DeleteNote:
    note_id: str


@dataclass(frozen=True)
class HideNote:
    note_id: str
    hidden: bool


@dataclass(frozen=True)
class MoveNote:
    note_id: str
    column_id: str
    index: int  # place among the notes of the target container, 0 = first
    cluster_id: str | None = None


@dataclass(frozen=True)
class TurnNoteAround:
    note_id: str
    new_note_id: str
    text: str


@dataclass(frozen=True)
class MergeNotes:
    note_id: str  # merged away
    into_id: str  # kept, with both texts


@dataclass(frozen=True)
class ReactToNote:
    note_id: str  # toggles the actor's +1


@dataclass(frozen=True)
class AddComment:
    note_id: str
    comment_id: str
    text: str


@dataclass(frozen=True)
class DeleteComment:
    comment_id: str


@dataclass(frozen=True)
class AddCluster:
    column_id: str
    cluster_id: str
    title: str


@dataclass(frozen=True)
class RenameCluster:
    cluster_id: str
    title: str


@dataclass(frozen=True)
class RemoveCluster:
    cluster_id: str  # its notes stay in the column


@dataclass(frozen=True)
class AddRoomParticipant:
    """Someone in the hall without a device: the facilitator adds them to record their votes."""

    participant_id: str
    display_name: str | None
    group: str


@dataclass(frozen=True)
class CreateQuestion:
    question_id: str
    text: str
    low_label: str | None = None  # None: "I lav grad"
    high_label: str | None = None  # None: "I høj grad"
    ask_comment: bool = False
    anonymous: bool = True
    min_group: int | None = None  # None: 3


@dataclass(frozen=True)
class EditQuestion:
    """Only while the question is a draft: once people vote, its words are fixed."""

    question_id: str
    text: str
    low_label: str | None = None
    high_label: str | None = None
    ask_comment: bool = False
    anonymous: bool = True
    min_group: int | None = None


@dataclass(frozen=True)
class OpenQuestion:
    """Open a draft, or open a closed or revealed question again (its results hide again)."""

    question_id: str


@dataclass(frozen=True)
class CloseQuestion:
    question_id: str


@dataclass(frozen=True)
class RevealQuestion:
    """Show the results; an open question is closed first."""

    question_id: str


@dataclass(frozen=True)
class CastVote:
    question_id: str
    value: object  # checked by the rule: exactly an int from 0 to 10
    comment: str | None = None
    on_behalf_of: str | None = None  # facilitator only: an in-room participant's id


@dataclass(frozen=True)
class StartTimer:
    """Start a countdown; a running one stops. `now_ms` is the server's wall clock when the
    command arrived (ms since the Unix epoch), put in by the edge: the domain reads no clock."""

    timer_id: str
    seconds: int  # 5 to 3600, checked by the rule
    label: str | None  # None or blank: no label
    close_question_id: str | None  # closed when the timer reaches zero
    now_ms: int


@dataclass(frozen=True)
class StopTimer:
    timer_id: str


@dataclass(frozen=True)
class StartDots:
    """Start a dot round on a board (a fresh one after an ended round: every dot is cleared)."""

    board_id: str
    dots_per_person: int  # 1 to 20, checked by the rule
    per_note: int  # 1 to dots_per_person
    hidden: bool  # while running, participants see only their own dots


@dataclass(frozen=True)
class PlaceDot:
    note_id: str


@dataclass(frozen=True)
class RemoveDot:
    note_id: str


@dataclass(frozen=True)
class EndDots:
    board_id: str


@dataclass(frozen=True)
class CarryTopNotes:
    """After a round: a new blank board with the top `count` notes, linked to their sources.
    The ids and the column's title (in the facilitator's language) come from the edge."""

    board_id: str
    count: int  # 1 to 50, checked by the rule
    new_board_id: str
    title: str
    column_id: str
    column_title: str
    new_note_ids: tuple[str, ...]  # at least as many as the notes carried


@dataclass(frozen=True)
class AddCard:
    """A dilemma card at the end of the deck; its id comes from the edge."""

    card_id: str
    text: str


@dataclass(frozen=True)
class EditCard:
    """Only while the card has never been shown: once people choose, its words are fixed."""

    card_id: str
    text: str


@dataclass(frozen=True)
class RemoveCard:
    """Not while it is on the screens; its choices go with it."""

    card_id: str


@dataclass(frozen=True)
class ShowCard:
    """Put a card on everyone's screen (the one shown before is done); choices open."""

    card_id: str


@dataclass(frozen=True)
class NextCard:
    """Show the card after the shown one by position (with none shown: the first never shown)."""


@dataclass(frozen=True)
class HideCards:
    """Take the deck off the screens."""


@dataclass(frozen=True)
class ChooseSide:
    card_id: str
    side: object  # checked by the rule: exactly "over" or "under"
    on_behalf_of: str | None = None  # facilitator only: an in-room participant's id


@dataclass(frozen=True)
class RevealCard:
    """Close the shown card's choices and show the split."""

    card_id: str


# --- the hall (server/domain/hall.py) ------------------------------------------------------


@dataclass(frozen=True)
class AddRoom:
    """A linked room ("room") or a green break room ("break"); its id comes from the edge."""

    room_id: str
    title: str
    kind: str  # checked by the rule: "room" or "break"


@dataclass(frozen=True)
class EditRoom:
    room_id: str
    title: str  # the hall's own title stays "" whatever is sent
    picture_id: str | None  # an image asset, or None for the default picture
    music_id: str | None  # an audio asset, or None


@dataclass(frozen=True)
class RemoveRoom:
    """Not the hall, and not while a door or quiz leads to it; its stations go with it."""

    room_id: str


@dataclass(frozen=True)
class AddStation:
    station_id: str
    room_id: str
    kind: str  # checked by the rule: one of hall.STATION_KINDS
    title: str
    x: int  # 0..hall.SPAN
    y: int


@dataclass(frozen=True)
class StationContent:
    """Everything a station shows besides its title and place; the rule keeps only the fields
    its kind uses and refuses content a kind cannot have (see `hall.Station`)."""

    body: str = ""
    items: tuple[tuple[str, str], ...] = ()  # programme: (time, text)
    milestones: tuple[tuple[str, str, bool], ...] = ()  # plan: (when, text, done)
    links: tuple[tuple[str, str], ...] = ()  # films, maps: (title, url)
    phone: str = ""
    board_id: str | None = None
    target_room_id: str | None = None
    quiz: tuple[tuple[str, tuple[str, ...], int], ...] = ()  # (question, options, right index)
    video_id: str | None = None
    captions_id: str | None = None
    image_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class EditStation:
    station_id: str
    title: str
    content: StationContent


@dataclass(frozen=True)
class PlaceStation:
    """Put a station somewhere on its room's picture (drag, or arrow keys)."""

    station_id: str
    x: int
    y: int


@dataclass(frozen=True)
class ReorderStation:
    """Move a station to `index` in its room's reading order (0 = first)."""

    station_id: str
    index: int


@dataclass(frozen=True)
class RemoveStation:
    station_id: str


@dataclass(frozen=True)
class SetProgrammeItem:
    """Highlight a programme item as the current one (None: none highlighted)."""

    station_id: str
    item: int | None


@dataclass(frozen=True)
class Spotlight:
    """Bring everyone here: every participant's view opens this station (None: stop)."""

    station_id: str | None


@dataclass(frozen=True)
class OpenStation:
    """A participant opened a station: recorded the first time only, for the report's "stations
    opened" (who is at a station now is presence, not this)."""

    station_id: str


@dataclass(frozen=True)
class PublishReport:
    """Publish (or re-publish under a new link) the read-only report; the id comes from the
    edge, and the old link stops working."""

    link_id: str


@dataclass(frozen=True)
class UnpublishReport:
    """Revoke the published report link."""


@dataclass(frozen=True)
class AnswerQuiz:
    """A participant's answers to a quiz station, one option index per question."""

    station_id: str
    answers: tuple[int, ...]


@dataclass(frozen=True)
class CallMe:
    """A participant asks the help-line to call them; the call's id comes from the edge."""

    station_id: str
    call_id: str
    message: str


@dataclass(frozen=True)
class ResolveCall:
    call_id: str


@dataclass(frozen=True)
class AddAsset:
    """Sent only by the upload endpoint, after it checked and re-encoded the file: never from
    the wire, so no client can name an asset whose bytes were not stored."""

    asset_id: str
    kind: str
    media_type: str
    name: str
    size: int
    width: int = 0
    height: int = 0


Command = (
    JoinWorkshop
    | UpdateParticipant
    | KickParticipant
    | EraseParticipant
    | CreateBoard
    | RenameBoard
    | ChangeBoardSettings
    | StartPrivateWriting
    | RevealBoard
    | ShowBoard
    | AddColumn
    | RenameColumn
    | MoveColumn
    | RemoveColumn
    | AddNote
    | EditNote
    | DeleteNote
    | HideNote
    | MoveNote
    | TurnNoteAround
    | MergeNotes
    | ReactToNote
    | AddComment
    | DeleteComment
    | AddCluster
    | RenameCluster
    | RemoveCluster
    | AddRoomParticipant
    | CreateQuestion
    | EditQuestion
    | OpenQuestion
    | CloseQuestion
    | RevealQuestion
    | CastVote
    | StartTimer
    | StopTimer
    | StartDots
    | PlaceDot
    | RemoveDot
    | EndDots
    | CarryTopNotes
    | AddCard
    | EditCard
    | RemoveCard
    | ShowCard
    | NextCard
    | HideCards
    | ChooseSide
    | RevealCard
    | AddRoom
    | EditRoom
    | RemoveRoom
    | AddStation
    | EditStation
    | PlaceStation
    | ReorderStation
    | RemoveStation
    | SetProgrammeItem
    | Spotlight
    | AnswerQuiz
    | OpenStation
    | PublishReport
    | UnpublishReport
    | CallMe
    | ResolveCall
    | AddAsset
    | SetUpCommittee
    | ChangeCapacityRule
    | AddMeeting
    | AddItem
    | EditItem
    | MoveItem
    | RemoveItem
    | CreateSprint
    | EditSprint
    | PlanItem
    | UnplanItem
    | StartSprint
    | ReopenPlanning
    | SetItemStatus
    | CloseSprint
    | SendNoteToBacklog
)

# The committee commands, defined in backlog_commands, are importable from here like the rest.
__all__ = [
    "AddItem",
    "AddMeeting",
    "ChangeCapacityRule",
    "CloseSprint",
    "CreateSprint",
    "EditItem",
    "EditSprint",
    "MoveItem",
    "PlanItem",
    "RemoveItem",
    "ReopenPlanning",
    "SendNoteToBacklog",
    "SetItemStatus",
    "SetUpCommittee",
    "StartSprint",
    "UnplanItem",
]
