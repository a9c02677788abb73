"""Read a workshop's state tables back into the frozen `WorkshopState` the domain decides on.

Explicit row -> dataclass functions, no ORM: the domain stays frozen and nothing lazy-loads.
Everything is read by `workshop_id` (indexed on every state table), one query per table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from server.domain.backlog import BacklogItem, Committee, Meeting, Source, Sprint
from server.domain.backlog_apply import goals, history, parties, reopenings, report
from server.domain.boards import Board, Cluster, Column, Comment, Note
from server.domain.dilemmas import Card, Choice
from server.domain.dots import DotRound
from server.domain.hall import HALL, THE_HALL, Asset, Call, Hall, Room, Station
from server.domain.hall_apply import agenda, links, milestones, quiz
from server.domain.questions import Question, Vote
from server.domain.timers import Timer
from server.domain.workshop import Participant, WorkshopState
from server.store.tables import (
    backlog_items,
    board_columns,
    boards,
    clusters,
    comments,
    committee_meetings,
    committees,
    dilemma_cards,
    dilemma_choices,
    dot_rounds,
    dots,
    hall_assets,
    hall_calls,
    hall_opens,
    hall_rooms,
    hall_spotlights,
    hall_stations,
    hall_unlocks,
    note_reactions,
    notes,
    participants,
    questions,
    sprints,
    timers,
    votes,
    workshops,
)

Row = sa.Row[Any]


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=_HasId)


def _by_id(items: Iterable[T]) -> Mapping[str, T]:
    return MappingProxyType({i.id: i for i in items})


def board_from_row(r: Row, columns: tuple[Column, ...]) -> Board:
    return Board(
        id=r.id,
        title=r.title,
        template=r.template,
        columns=columns,
        position=r.position,
        show_authors=r.show_authors,
        open_moves=r.open_moves,
        private=r.private,
        locked=r.locked,
        turn_column_id=r.turn_column_id,
    )


def participant_from_row(r: Row) -> Participant:
    return Participant(
        r.id, r.display_name, r.group_name, kicked=r.kicked, in_room=r.in_room, erased=r.erased
    )


def note_from_row(r: Row, reactors: frozenset[str]) -> Note:
    return Note(
        id=r.id,
        board_id=r.board_id,
        column_id=r.column_id,
        author_id=r.author_id,
        author_name=r.author_name,
        text=r.text,
        seq=r.seq,
        position=r.position,
        cluster_id=r.cluster_id,
        color=r.color,
        version=r.version,
        hidden=r.hidden,
        by_facilitator=r.by_facilitator,
        linked_note_id=r.linked_note_id,
        merged=tuple(r.merged),
        reactors=reactors,
        backlog=(
            None if r.backlog_committee_id is None else (r.backlog_committee_id, r.backlog_item_id)
        ),
    )


def cluster_from_row(r: Row) -> Cluster:
    return Cluster(r.id, r.board_id, r.column_id, r.title, r.seq)


def comment_from_row(r: Row) -> Comment:
    return Comment(
        id=r.id,
        note_id=r.note_id,
        board_id=r.board_id,
        author_id=r.author_id,
        author_name=r.author_name,
        text=r.text,
        seq=r.seq,
        by_facilitator=r.by_facilitator,
    )


def question_from_row(r: Row) -> Question:
    return Question(
        id=r.id,
        text=r.text,
        low_label=r.low_label,
        high_label=r.high_label,
        ask_comment=r.ask_comment,
        anonymous=r.anonymous,
        min_group=r.min_group,
        position=r.position,
        status=r.status,
    )


def vote_from_row(r: Row) -> Vote:
    return Vote(
        question_id=r.question_id,
        voter_id=r.voter_id,
        value=r.value,
        comment=r.comment,
        group=r.group_name,
        by_facilitator=r.by_facilitator,
        seq=r.seq,
    )


def timer_from_row(r: Row) -> Timer:
    return Timer(
        id=r.id,
        label=r.label,
        seconds=r.seconds,
        started_at_ms=r.started_at_ms,
        ends_at_ms=r.ends_at_ms,
        close_question_id=r.close_question_id,
        seq=r.seq,
        stopped=r.stopped,
    )


def dot_round_from_row(r: Row) -> DotRound:
    return DotRound(
        board_id=r.board_id,
        dots_per_person=r.dots_per_person,
        per_note=r.per_note,
        hidden=r.hidden,
        seq=r.seq,
        running=r.running,
    )


def card_from_row(r: Row) -> Card:
    return Card(id=r.id, text=r.text, position=r.position, status=r.status)


def choice_from_row(r: Row) -> Choice:
    return Choice(
        card_id=r.card_id,
        chooser_id=r.chooser_id,
        side=r.side,
        group=r.group_name,
        by_facilitator=r.by_facilitator,
        seq=r.seq,
    )


def room_from_row(r: Row) -> Room:
    return Room(
        id=r.id,
        title=r.title,
        kind=r.kind,
        position=r.position,
        picture_id=r.picture_id,
        music_id=r.music_id,
    )


def station_from_row(r: Row) -> Station:
    """The JSON lists become the same tuples `hall_apply` makes of the event's lists."""
    return Station(
        id=r.id,
        room_id=r.room_id,
        kind=r.kind,
        title=r.title,
        x=r.x,
        y=r.y,
        position=r.position,
        body=r.body,
        items=agenda(r.items),
        current_item=r.current_item,
        milestones=milestones(r.milestones),
        links=links(r.links),
        phone=r.phone,
        board_id=r.board_id,
        target_room_id=r.target_room_id,
        quiz=quiz(r.quiz),
        video_id=r.video_id,
        captions_id=r.captions_id,
        image_ids=tuple(r.image_ids),
    )


def asset_from_row(r: Row) -> Asset:
    return Asset(
        id=r.id,
        kind=r.kind,
        media_type=r.media_type,
        name=r.name,
        size=r.size,
        width=r.width,
        height=r.height,
    )


def call_from_row(r: Row) -> Call:
    return Call(
        id=r.id,
        participant_id=r.participant_id,
        station_id=r.station_id,
        message=r.message,
        seq=r.seq,
        resolved=r.resolved,
    )


def item_from_row(r: Row) -> BacklogItem:
    source = None
    if r.source_workshop_id is not None:
        source = Source(r.source_workshop_id, r.source_note_id)
    return BacklogItem(
        id=r.id,
        title=r.title,
        description=r.description,
        estimate=r.estimate,
        owners=tuple(r.owners),
        tags=tuple(r.tags),
        position=r.position,
        source=source,
        sprint_id=r.sprint_id,
        status=r.status,
        board_position=r.board_position,
    )


def sprint_from_row(r: Row) -> Sprint:
    """The JSON lists become the same tuples `backlog_apply` makes of the events' lists."""
    return Sprint(
        id=r.id,
        name=r.name,
        goals=goals(r.goals),
        start=r.start_date,
        end=r.end_date,
        capacity=r.capacity,
        position=r.position,
        status=r.status,
        reopened=r.reopened,
        report=report(r.report),
        started_on=r.started_on,
        closed_on=r.closed_on,
        history=history(r.history),
        reopenings=reopenings(r.reopenings),
    )


async def _rows(conn: AsyncConnection, table: sa.Table, workshop_id: str, *order: Any) -> list[Row]:
    q = sa.select(table).where(table.c.workshop_id == workshop_id).order_by(*order)
    return list(await conn.execute(q))


async def _boards(conn: AsyncConnection, workshop_id: str) -> list[Board]:
    columns: defaultdict[str, list[Column]] = defaultdict(list)
    for r in await _rows(conn, board_columns, workshop_id, board_columns.c.position):
        columns[r.board_id].append(Column(r.id, r.title))
    rows = await _rows(conn, boards, workshop_id, boards.c.position, boards.c.id)
    return [board_from_row(r, tuple(columns[r.id])) for r in rows]


async def _notes(conn: AsyncConnection, workshop_id: str) -> list[Note]:
    reactors: defaultdict[str, set[str]] = defaultdict(set)
    for r in await _rows(conn, note_reactions, workshop_id):
        reactors[r.note_id].add(r.actor_id)
    rows = await _rows(conn, notes, workshop_id, notes.c.seq)
    return [note_from_row(r, frozenset(reactors[r.id])) for r in rows]


async def _votes(conn: AsyncConnection, workshop_id: str) -> Mapping[tuple[str, str], Vote]:
    rows = await _rows(conn, votes, workshop_id, votes.c.seq)
    return MappingProxyType({(v.question_id, v.voter_id): v for v in map(vote_from_row, rows)})


async def _dot_rounds(conn: AsyncConnection, workshop_id: str) -> Mapping[str, DotRound]:
    rows = await _rows(conn, dot_rounds, workshop_id, dot_rounds.c.seq)
    return MappingProxyType({r.board_id: r for r in map(dot_round_from_row, rows)})


async def _dots(conn: AsyncConnection, workshop_id: str) -> Mapping[tuple[str, str], int]:
    rows = await _rows(conn, dots, workshop_id, dots.c.note_id, dots.c.voter_id)
    return MappingProxyType({(r.note_id, r.voter_id): r.placed for r in rows})


async def _dilemmas(
    conn: AsyncConnection, workshop_id: str
) -> tuple[Mapping[str, Card], Mapping[tuple[str, str], Choice], str | None]:
    """The deck, its choices, and the card on the screens (if any)."""
    rows = await _rows(conn, dilemma_cards, workshop_id, dilemma_cards.c.position)
    shown = next((r.id for r in rows if r.shown), None)
    choices = map(
        choice_from_row,
        await _rows(conn, dilemma_choices, workshop_id, dilemma_choices.c.seq),
    )
    return (
        _by_id(map(card_from_row, rows)),
        MappingProxyType({(c.card_id, c.chooser_id): c for c in choices}),
        shown,
    )


async def load_hall(conn: AsyncConnection, workshop_id: str) -> Hall:
    """The hall alone, for what needs nothing else (serving an asset to a tablet must not load
    every note). The hall has a row only once edited: without one it is the default hall, and
    an unknown workshop's hall is that empty default."""
    rooms = {r.id: room_from_row(r) for r in await _rows(conn, hall_rooms, workshop_id)}
    rooms.setdefault(HALL, THE_HALL)
    spot = (
        await conn.execute(
            sa.select(hall_spotlights).where(hall_spotlights.c.workshop_id == workshop_id)
        )
    ).first()
    unlocks = await _rows(conn, hall_unlocks, workshop_id)
    opens = await _rows(conn, hall_opens, workshop_id)
    return Hall(
        rooms=MappingProxyType(rooms),
        stations=_by_id(map(station_from_row, await _rows(conn, hall_stations, workshop_id))),
        assets=_by_id(map(asset_from_row, await _rows(conn, hall_assets, workshop_id))),
        unlocked=frozenset((u.room_id, u.participant_id) for u in unlocks),
        calls=_by_id(
            map(call_from_row, await _rows(conn, hall_calls, workshop_id, hall_calls.c.seq))
        ),
        spotlight=None if spot is None else spot.station_id,
        spotlight_seq=0 if spot is None else spot.seq,
        opened=frozenset((o.station_id, o.participant_id) for o in opens),
    )


async def _committee(conn: AsyncConnection, workshop_id: str) -> Committee | None:
    """None unless this stream is a committee (it has a `committees` row)."""
    c = (
        await conn.execute(sa.select(committees).where(committees.c.workshop_id == workshop_id))
    ).first()
    if c is None:
        return None
    meetings = await _rows(conn, committee_meetings, workshop_id, committee_meetings.c.position)
    return Committee(
        name=c.name,
        unit=c.unit,
        capacity_rule=c.capacity_rule,
        parties=parties(c.parties),
        political_seats=c.political_seats,
        test_group=c.test_group,
        meetings=tuple(Meeting(m.meeting_id, m.title, m.date) for m in meetings),
        items=_by_id(map(item_from_row, await _rows(conn, backlog_items, workshop_id))),
        sprints=_by_id(map(sprint_from_row, await _rows(conn, sprints, workshop_id))),
    )


async def committee_of(conn: AsyncConnection, workshop_id: str) -> str | None:
    """The committee a workshop is a meeting of (`workshops.committee_id`), if any."""
    q = sa.select(workshops.c.committee_id).where(workshops.c.id == workshop_id)
    return (await conn.execute(q)).scalar_one_or_none()


async def load_state(conn: AsyncConnection, workshop_id: str) -> WorkshopState | None:
    """The state the log describes, from the state tables (equal to `replay` of the log)."""
    w = (await conn.execute(sa.select(workshops).where(workshops.c.id == workshop_id))).first()
    if w is None:
        return None
    # Join order matters: `group_label` numbers a group's members in it.
    parts = await _rows(conn, participants, workshop_id, participants.c.joined_seq)
    cards, choices, shown_card_id = await _dilemmas(conn, workshop_id)
    return WorkshopState(
        id=w.id,
        title=w.title,
        date=w.date,
        groups=tuple(w.groups),
        join_code=w.join_code,
        boards=_by_id(await _boards(conn, workshop_id)),
        participants=_by_id(map(participant_from_row, parts)),
        notes=_by_id(await _notes(conn, workshop_id)),
        clusters=_by_id(
            map(cluster_from_row, await _rows(conn, clusters, workshop_id, clusters.c.seq))
        ),
        comments=_by_id(
            map(comment_from_row, await _rows(conn, comments, workshop_id, comments.c.seq))
        ),
        current_board_id=w.current_board_id,
        questions=_by_id(
            map(
                question_from_row,
                await _rows(conn, questions, workshop_id, questions.c.position, questions.c.id),
            )
        ),
        votes=await _votes(conn, workshop_id),
        timers=_by_id(map(timer_from_row, await _rows(conn, timers, workshop_id, timers.c.seq))),
        dot_rounds=await _dot_rounds(conn, workshop_id),
        dots=await _dots(conn, workshop_id),
        dilemma_cards=cards,
        dilemma_choices=choices,
        shown_card_id=shown_card_id,
        hall=await load_hall(conn, workshop_id),
        committee=await _committee(conn, workshop_id),
        report_link=w.report_link,
        archive=None if w.archive is None else MappingProxyType(dict(w.archive)),
    )
