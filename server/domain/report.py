"""What a workshop came to, for the report that goes back to the council: pure, no I/O.

`workshop_report` reads only the state (and, for a committee meeting, the committee's stream),
so the same stored data gives the same report at any later time, in any format: HTML, PDF,
the CSV and JSON exports all take their figures from here. Nothing leaves here that the
audience may not see: a hidden note never, the figures of a question only once revealed (with
the small-group guard of `questions.results`), who wrote a note only on a board that shows
authors, and participants' names only when the facilitator asks for them and never in the
published (public) report.

The committee part is an *archive*: plain JSON built by `committee_archive` from the
committee's stream, which an export carries and an import keeps (`WorkshopState.archive`), so
an imported workshop's report shows the sprint outcomes it was exported with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from server.domain.boards import Board, Note
from server.domain.dilemmas import Counts, Split, deck, split
from server.domain.dots import ranking
from server.domain.events import JSON
from server.domain.hall import HALL, Room, rooms_in_order, stations_in
from server.domain.questions import Question, Results, results
from server.domain.workshop import WorkshopState

Audience = Literal["facilitator", "public"]

ARCHIVE_VERSION = 1


@dataclass(frozen=True)
class GroupCount:
    group: str
    participants: int


@dataclass(frozen=True)
class Person:
    name: str
    group: str


@dataclass(frozen=True)
class CommentLine:
    text: str
    author: str | None  # None: not shown (the board hides authors, or written as "anonym")
    by_facilitator: bool = False


@dataclass(frozen=True)
class NoteLine:
    id: str
    text: str
    author: str | None  # None: not shown (the board hides authors, or written as "anonym")
    color: str
    dots: int
    reactions: int
    merged: tuple[str, ...]  # texts of duplicates merged into it
    comments: tuple[CommentLine, ...]
    to_backlog: bool  # sent to a committee's backlog
    by_facilitator: bool = False  # written by the facilitator (for someone, or their own)


@dataclass(frozen=True)
class ClusterSection:
    title: str
    notes: tuple[NoteLine, ...]


@dataclass(frozen=True)
class ColumnSection:
    title: str
    clusters: tuple[ClusterSection, ...]
    loose: tuple[NoteLine, ...]  # the notes in no cluster

    @property
    def count(self) -> int:
        return len(self.loose) + sum(len(c.notes) for c in self.clusters)


@dataclass(frozen=True)
class Ranked:
    place: int  # 1-based; ties share a place
    text: str
    dots: int


@dataclass(frozen=True)
class BoardSection:
    title: str
    template: str
    show_authors: bool  # whether this report names authors: never in the public report
    columns: tuple[ColumnSection, ...]
    ranking: tuple[Ranked, ...]  # the dot vote: notes with dots, most first; () without one
    withheld: bool  # the board is still in private writing: the public report lists no notes

    @property
    def count(self) -> int:
        return sum(c.count for c in self.columns)


@dataclass(frozen=True)
class QuestionSection:
    """An unrevealed question shows neither figures nor how many voted: the report holds
    results, and the votes of a question still open are nobody's to read yet (nor exported)."""

    question: Question
    votes: int | None  # how many voted; None until revealed
    results: Results | None  # None until revealed


@dataclass(frozen=True)
class DilemmaSection:
    text: str
    choices: int | None  # None until revealed, like a question's votes
    split: Split | None  # None until revealed

    @property
    def total(self) -> Counts | None:
        return None if self.split is None else self.split.total


@dataclass(frozen=True)
class StationLine:
    room: str  # the room's title ("" for the hall)
    title: str
    kind: str
    opened: int  # participants who opened it at least once


@dataclass(frozen=True)
class QuizLine:
    title: str
    room: str  # the room it opens
    completed: int  # participants who answered every question right


@dataclass(frozen=True)
class ProgrammeItem:
    time: str
    text: str


@dataclass(frozen=True)
class HallSection:
    stations: tuple[StationLine, ...]
    quizzes: tuple[QuizLine, ...]

    @property
    def empty(self) -> bool:
        return not self.stations


@dataclass(frozen=True)
class GoalLine:
    text: str
    evaluation: str  # met, partly, not_met
    note: str


@dataclass(frozen=True)
class SprintOutcome:
    name: str
    start: str
    end: str
    closed_on: str
    unit: str  # points, hours
    planned_total: int
    done_total: int
    items: int
    items_done: int
    goals: tuple[GoalLine, ...]


@dataclass(frozen=True)
class IdeaLine:
    """A board note that became a backlog item, and where that item is now."""

    note: str
    item: str
    status: str  # backlog, todo, doing, done, removed
    sprint: str | None


@dataclass(frozen=True)
class CommitteeSection:
    name: str
    sprints: tuple[SprintOutcome, ...]
    ideas: tuple[IdeaLine, ...]


@dataclass(frozen=True)
class WorkshopReport:
    title: str
    date: str
    audience: Audience
    groups: tuple[GroupCount, ...]  # participants counted by group, in the workshop's order
    participants: int
    people: tuple[Person, ...] | None  # names: only when asked for, never in public
    programme: tuple[ProgrammeItem, ...]
    boards: tuple[BoardSection, ...]
    questions: tuple[QuestionSection, ...]
    dilemmas: tuple[DilemmaSection, ...]
    hall: HallSection
    committee: CommitteeSection | None


# --- the committee's part, as an archive ---------------------------------------------------


def committee_archive(state: WorkshopState, committee: WorkshopState | None) -> JSON | None:
    """The committee's part of this meeting's report as plain JSON: every closed sprint's
    frozen report, and what became of the notes sent to its backlog. An imported workshop has
    no committee stream: it keeps the archive it was exported with."""
    if committee is None or committee.committee is None:
        return None if state.archive is None else dict(state.archive)
    c = committee.committee
    sprints = [
        _without_ids(s.report)
        for s in c.sprints_in_order()
        if s.status == "closed" and s.report is not None
    ]
    ideas: list[JSON] = []
    for note in _in_board_order(state):
        if note.backlog is None or note.backlog[0] != committee.id:
            continue
        item = c.items.get(note.backlog[1])
        sprint = None if item is None or item.sprint_id is None else c.sprints.get(item.sprint_id)
        status = "removed" if item is None else (item.status if sprint else "backlog")
        ideas.append(
            {
                "note": note.text,
                "item": "" if item is None else item.title,
                "status": status,
                "sprint": None if sprint is None else sprint.name,
            }
        )
    return {"version": ARCHIVE_VERSION, "committee": c.name, "sprints": sprints, "ideas": ideas}


_IDS = frozenset(("id", "sprint_id"))


def _without_ids(frozen: Mapping[str, object]) -> JSON:
    """A frozen sprint report without the committee stream's internal ids: the archive travels
    in exports, which name nothing by an id of this server."""

    def clean(node: object) -> object:
        if isinstance(node, Mapping):
            return {k: clean(v) for k, v in node.items() if k not in _IDS}
        if isinstance(node, list):
            return [clean(x) for x in node]
        return node

    out = clean(frozen)
    assert isinstance(out, dict)
    return out


def _outcome(frozen: Mapping[str, object]) -> SprintOutcome:
    items = frozen.get("items")
    rows = items if isinstance(items, list) else []
    goals = frozen.get("goals")
    return SprintOutcome(
        name=str(frozen.get("name", "")),
        start=str(frozen.get("start", "")),
        end=str(frozen.get("end", "")),
        closed_on=str(frozen.get("closed_on", "")),
        unit=str(frozen.get("unit", "points")),
        planned_total=_int(frozen.get("planned_total")),
        done_total=_int(frozen.get("done_total")),
        items=len(rows),
        items_done=sum(1 for i in rows if isinstance(i, dict) and i.get("status") == "done"),
        goals=tuple(
            GoalLine(str(g.get("text", "")), str(g.get("evaluation", "")), str(g.get("note", "")))
            for g in (goals if isinstance(goals, list) else [])
            if isinstance(g, dict)
        ),
    )


def _int(value: object) -> int:
    return value if type(value) is int else 0


def committee_section(archive: Mapping[str, object] | None) -> CommitteeSection | None:
    if not archive:
        return None
    sprints = archive.get("sprints")
    ideas = archive.get("ideas")
    return CommitteeSection(
        name=str(archive.get("committee", "")),
        sprints=tuple(
            _outcome(s)
            for s in (sprints if isinstance(sprints, list) else [])
            if isinstance(s, dict)
        ),
        ideas=tuple(
            IdeaLine(
                str(i.get("note", "")),
                str(i.get("item", "")),
                str(i.get("status", "")),
                None if i.get("sprint") is None else str(i.get("sprint")),
            )
            for i in (ideas if isinstance(ideas, list) else [])
            if isinstance(i, dict)
        ),
    )


# --- the workshop's own parts -------------------------------------------------------------


def _in_board_order(state: WorkshopState) -> list[Note]:
    return [n for b in state.boards_in_order() for n in state.notes_on(b.id)]


def _note_line(state: WorkshopState, shown: bool, note: Note, dots: Mapping[str, int]) -> NoteLine:
    """`shown`: the report names authors (the board shows them, and not in public: a published
    link may travel beyond the room that saw the names)."""
    return NoteLine(
        id=note.id,
        text=note.text,
        author=note.author_name if shown else None,
        color=note.color,
        dots=dots.get(note.id, 0),
        reactions=len(note.reactors),
        merged=note.merged,
        comments=tuple(
            CommentLine(c.text, c.author_name if shown else None, c.by_facilitator)
            for c in state.comments_on(note.id)
        ),
        to_backlog=note.backlog is not None,
        by_facilitator=note.by_facilitator,
    )


def _board(state: WorkshopState, board: Board, audience: Audience) -> BoardSection:
    withheld = audience == "public" and board.private
    shown = board.show_authors and audience == "facilitator"
    dots: dict[str, int] = {}
    for (note_id, _), count in state.dots.items():
        dots[note_id] = dots.get(note_id, 0) + count

    def lines(notes: list[Note]) -> tuple[NoteLine, ...]:
        if withheld:
            return ()
        return tuple(_note_line(state, shown, n, dots) for n in notes if not n.hidden)

    columns = tuple(
        ColumnSection(
            title=col.title,
            clusters=tuple(
                ClusterSection(cl.title, lines(state.notes_in(col.id, cl.id)))
                for cl in state.clusters_in(col.id)
            ),
            loose=lines(state.notes_in(col.id, None)),
        )
        for col in board.columns
    )
    ranked: list[Ranked] = []
    if board.id in state.dot_rounds and not withheld:
        place, last = 0, None
        for i, (note, count) in enumerate(ranking(state, board.id)):
            if count == 0:
                break
            if count != last:
                place, last = i + 1, count
            ranked.append(Ranked(place, note.text, count))
    return BoardSection(
        title=board.title,
        template=board.template,
        show_authors=shown,
        columns=columns,
        ranking=tuple(ranked),
        withheld=withheld,
    )


def _question(state: WorkshopState, q: Question) -> QuestionSection:
    if not q.revealed:
        return QuestionSection(question=q, votes=None, results=None)
    votes = state.votes_on(q.id)
    return QuestionSection(question=q, votes=len(votes), results=results(q, votes, state.groups))


def _dilemma(state: WorkshopState, card_id: str, text: str, revealed: bool) -> DilemmaSection:
    if not revealed:
        return DilemmaSection(text=text, choices=None, split=None)
    shown = split(card_id, state.dilemma_choices, state.groups)
    return DilemmaSection(text=text, choices=shown.total.n, split=shown)


def _room_title(room: Room | None) -> str:
    return "" if room is None or room.id == HALL else room.title


def _hall(state: WorkshopState) -> HallSection:
    h = state.hall
    stations: list[StationLine] = []
    quizzes: list[QuizLine] = []
    for room in rooms_in_order(h):
        for s in stations_in(h, room.id):
            opened = sum(1 for o in h.opened if o[0] == s.id)
            stations.append(StationLine(_room_title(room), s.title, s.kind, opened))
            if s.kind == "quiz" and s.target_room_id is not None:
                target = s.target_room_id
                done = sum(1 for u in h.unlocked if u[0] == target)
                quizzes.append(QuizLine(s.title, _room_title(h.rooms.get(target)), done))
    return HallSection(tuple(stations), tuple(quizzes))


def _programme(state: WorkshopState) -> tuple[ProgrammeItem, ...]:
    """The first programme station's items, in the hall's reading order."""
    h = state.hall
    for room in rooms_in_order(h):
        for s in stations_in(h, room.id):
            if s.kind == "programme" and s.items:
                return tuple(ProgrammeItem(i.time, i.text) for i in s.items)
    return ()


def workshop_report(
    state: WorkshopState,
    committee: WorkshopState | None = None,
    *,
    audience: Audience = "facilitator",
    names: bool = False,
) -> WorkshopReport:
    """The report of one workshop. `committee`: the stream of the committee it is a meeting
    of, if any. `names`: list the participants who joined with a name (facilitators only)."""
    # Who took part: not those the facilitator removed, but those erased at their own or the
    # facilitator's request still count (their votes do; only their name is gone).
    people = [p for p in state.participants.values() if not p.kicked or p.erased]
    known = list(state.groups) + sorted({p.group for p in people} - set(state.groups))
    listed = None
    if names and audience == "facilitator":
        listed = tuple(Person(p.display_name, p.group) for p in people if p.display_name)
    return WorkshopReport(
        title=state.title,
        date=state.date,
        audience=audience,
        groups=tuple(GroupCount(g, sum(1 for p in people if p.group == g)) for g in known),
        participants=len(people),
        people=listed,
        programme=_programme(state),
        boards=tuple(_board(state, b, audience) for b in state.boards_in_order()),
        questions=tuple(_question(state, q) for q in state.questions_in_order()),
        dilemmas=tuple(_dilemma(state, c.id, c.text, c.revealed) for c in deck(state)),
        hall=_hall(state),
        committee=committee_section(committee_archive(state, committee)),
    )
