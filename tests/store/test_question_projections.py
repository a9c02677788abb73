"""Every 0-10 question command through `Service.execute`, on SQLite and PostgreSQL: after each
commit the stored state equals the state before plus the events, a refused command leaves it as
it was, and the replayed log equals it at the end. The database itself also refuses a second
vote by one participant on one question and a value outside 0-10.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from server.domain.commands import (
    Actor,
    AddRoomParticipant,
    CastVote,
    CloseQuestion,
    CreateQuestion,
    EditQuestion,
    KickParticipant,
    OpenQuestion,
    RevealQuestion,
    UpdateParticipant,
)
from server.domain.questions import DEFAULT_HIGH_LABEL, DEFAULT_LOW_LABEL, results
from server.service import Service
from server.store.tables import questions, votes
from tests.store.twin import FAC, P1, P2, P3, Twin, new_twin

TEXT = "I hvilken grad kan visionen fungere som endeligt forslag?"
SCREEN = Actor("screen", "screen1")
# Values the rule refuses: outside 0-10, or not exactly an int.
BAD_VALUES: tuple[object, ...] = (11, -1, 7.0, 7.5, True, False, "7", None, 10**12)


async def questions_and_votes(service: Service, p1: Actor, p2: Actor, p3: Actor) -> Twin:
    """Drafts and edits, opening, votes and changed votes, people in the room, closing,
    revealing (from closed and from open), re-opening, and the refusals along the way."""
    twin = await new_twin(service, (p1, p2, p3))  # p1 Borger, p2 Politiker, p3 Borger
    room1, room2 = f"{p1.id}-room1", f"{p1.id}-room2"

    # Drafts: only the facilitator sees and edits them.
    await twin.do(FAC, CreateQuestion("v1", TEXT, ask_comment=True))
    await twin.do(
        FAC,
        CreateQuestion("v2", "Trafik?", "Slet ikke", "Helt", anonymous=False, min_group=1),
    )
    await twin.do(FAC, CreateQuestion("v3", "Bliver en kladde"))
    await twin.do(FAC, EditQuestion("v1", TEXT + " (rettet)", ask_comment=True, min_group=2))
    await twin.do(FAC, EditQuestion("v3", "Stadig en kladde", " ", "Meget", min_group=20))
    await twin.refused(FAC, CreateQuestion("v1", "igen"), "question.exists")
    await twin.refused(FAC, CreateQuestion("v9", "k", min_group=0), "question.bad_min_group")
    await twin.refused(FAC, CreateQuestion("v9", "k", min_group=21), "question.bad_min_group")
    await twin.refused(FAC, CreateQuestion("v9", "   "), "question.empty")
    await twin.refused(FAC, CreateQuestion("v9", "x" * 301), "question.too_long")
    await twin.refused(FAC, CreateQuestion("v9", "k", "l" * 41), "label.too_long")
    await twin.refused(p1, CreateQuestion("v9", "k"), "permission.facilitators_only")
    await twin.refused(p1, EditQuestion("v1", "k"), "permission.facilitators_only")
    await twin.refused(p1, CastVote("v1", 5), "question.unknown")  # a draft is invisible
    await twin.refused(FAC, CastVote("v1", 5, on_behalf_of=p1.id), "vote.not_in_room")
    await twin.refused(FAC, CloseQuestion("v1"), "question.not_open")
    await twin.refused(FAC, RevealQuestion("v1"), "question.not_open")
    state = await twin.state()
    v1, v3 = state.questions["v1"], state.questions["v3"]
    assert (v1.status, v1.text, v1.min_group, v1.ask_comment) == (
        "draft",
        TEXT + " (rettet)",
        2,
        True,
    )
    assert (v3.low_label, v3.high_label, v3.min_group) == (DEFAULT_LOW_LABEL, "Meget", 20)
    assert [q.id for q in state.questions_in_order()] == ["v1", "v2", "v3"]

    # Open: the words are fixed, votes come in, and a vote may change while open.
    await twin.do(FAC, OpenQuestion("v1"))
    await twin.refused(FAC, OpenQuestion("v1"), "question.already_open")
    await twin.refused(FAC, EditQuestion("v1", "for sent"), "question.not_draft")
    await twin.do(p1, CastVote("v1", 7, comment="Mere cykelsti"))
    await twin.do(p2, CastVote("v1", 3))
    await twin.do(p3, CastVote("v1", 10, comment="  "))  # a blank comment is no comment
    changed = await twin.do(p1, CastVote("v1", 0))  # replaces the row and its seq
    vote = (await twin.state()).votes[("v1", p1.id)]
    assert (vote.value, vote.comment, vote.seq) == (0, None, changed[-1].seq)
    for value in BAD_VALUES:
        await twin.refused(p2, CastVote("v1", value), "vote.bad_value")
    await twin.refused(SCREEN, CastVote("v1", 5), "permission.read_only")
    await twin.refused(FAC, CastVote("v1", 5), "vote.facilitator_needs_voter")
    await twin.refused(p1, CastVote("v1", 5, on_behalf_of=p2.id), "permission.facilitators_only")
    await twin.refused(p1, CastVote("nope", 5), "question.unknown")

    # People in the room without a device: the facilitator adds them and records their votes.
    await twin.do(FAC, AddRoomParticipant(room1, "Karen", "Politiker"))
    await twin.do(FAC, AddRoomParticipant(room2, "  ", "Borger"))
    await twin.refused(
        FAC, AddRoomParticipant(room1, "igen", "Borger"), "participant.already_joined"
    )
    await twin.refused(
        FAC, AddRoomParticipant(p2.id, "igen", "Borger"), "participant.already_joined"
    )
    await twin.refused(FAC, AddRoomParticipant("x9", None, "Ukendt"), "group.unknown")
    await twin.refused(p1, AddRoomParticipant("x9", None, "Borger"), "permission.facilitators_only")
    await twin.do(FAC, CastVote("v1", 4, on_behalf_of=room1))
    await twin.do(FAC, CastVote("v1", 6, comment="Sagt i salen", on_behalf_of=room2))
    await twin.do(FAC, CastVote("v1", 5, on_behalf_of=room2))  # corrected
    await twin.refused(FAC, CastVote("v1", 5, on_behalf_of=p2.id), "vote.not_in_room")
    await twin.refused(FAC, CastVote("v1", 5, on_behalf_of="nobody"), "participant.unknown")
    await twin.refused(FAC, CastVote("v1", 11, on_behalf_of=room1), "vote.bad_value")
    state = await twin.state()
    assert state.participants[room1].in_room and state.participants[room2].display_name is None
    assert not state.participants[p1.id].in_room
    assert (
        state.votes[("v1", room2)].by_facilitator and not state.votes[("v1", p2.id)].by_facilitator
    )

    # Closed: no more votes; revealed from closed; opened again; revealed straight from open.
    await twin.do(FAC, CloseQuestion("v1"))
    await twin.refused(p2, CastVote("v1", 6), "vote.closed")
    await twin.refused(FAC, CastVote("v1", 6, on_behalf_of=room1), "vote.closed")
    await twin.refused(FAC, CloseQuestion("v1"), "question.not_open")
    assert len(await twin.do(FAC, RevealQuestion("v1"))) == 1
    await twin.refused(FAC, RevealQuestion("v1"), "question.already_revealed")
    await twin.refused(p1, RevealQuestion("v1"), "permission.facilitators_only")
    await twin.do(FAC, OpenQuestion("v1"))  # re-opened: its results hide again
    assert (await twin.state()).questions["v1"].status == "open"
    await twin.do(p2, CastVote("v1", 6))
    assert [e.type for e in await twin.do(FAC, RevealQuestion("v1"))] == [
        "question.closed",
        "question.revealed",
    ]
    await twin.refused(p2, CastVote("v1", 7), "vote.closed")
    await twin.do(FAC, OpenQuestion("v1"))
    await twin.do(FAC, CloseQuestion("v1"))

    # A second question: no comments asked, a group change, a removed participant.
    await twin.do(FAC, OpenQuestion("v2"))
    await twin.refused(p1, CastVote("v2", 5, comment="hov"), "vote.no_comment")
    await twin.do(p1, CastVote("v2", 10))
    await twin.do(p3, CastVote("v2", 2))
    await twin.do(p2, UpdateParticipant("Bo", "Borger"))
    await twin.do(p2, CastVote("v2", 8))  # counted in the group they are in now
    await twin.do(FAC, KickParticipant(p3.id))
    await twin.refused(p3, CastVote("v2", 3), "participant.kicked")
    await twin.do(FAC, KickParticipant(room1))
    await twin.refused(FAC, CastVote("v2", 3, on_behalf_of=room1), "participant.kicked")
    await twin.do(FAC, RevealQuestion("v2"))

    state = await twin.assert_replay_equals_stored()
    assert [q.status for q in state.questions_in_order()] == ["closed", "revealed", "draft"]
    assert state.questions["v3"].low_label == DEFAULT_LOW_LABEL
    assert state.questions["v2"].high_label == "Helt" != DEFAULT_HIGH_LABEL
    on_v1 = {v.voter_id: v.value for v in state.votes_on("v1")}
    assert on_v1 == {p1.id: 0, p2.id: 6, p3.id: 10, room1: 4, room2: 5}
    on_v2 = results(state.questions["v2"], state.votes_on("v2"), state.groups)
    assert [(g.group, g.n) for g in on_v2.groups] == [("Politiker", 0), ("Borger", 3)]
    assert state.votes[("v2", p3.id)].group == "Borger" and state.participants[p3.id].kicked
    return twin


async def vote_rows(twin: Twin) -> list[tuple[Any, ...]]:
    async with twin.service.db.read() as conn:
        q = sa.select(votes.c.question_id, votes.c.voter_id, votes.c.value, votes.c.seq)
        rows = await conn.execute(q.where(votes.c.workshop_id == twin.workshop_id))
        return sorted(tuple(r) for r in rows)


async def test_every_question_command_keeps_the_tables_the_twin_of_the_domain(
    service: Service,
) -> None:
    twin = await questions_and_votes(service, P1, P2, P3)
    state = await twin.state()
    # One row per (question, voter): changed votes replaced theirs.
    assert await vote_rows(twin) == sorted(
        (v.question_id, v.voter_id, v.value, v.seq) for v in state.votes.values()
    )
    assert len(await vote_rows(twin)) == 8


def _vote(twin: Twin, voter_id: str, value: int) -> dict[str, Any]:
    return {
        "question_id": "v1",
        "voter_id": voter_id,
        "workshop_id": twin.workshop_id,
        "value": value,
        "comment": None,
        "group_name": "Borger",
        "by_facilitator": False,
        "seq": 99,
    }


async def _insert(twin: Twin, row: dict[str, Any]) -> None:
    async with twin.service.db.write() as conn:
        await conn.execute(sa.insert(votes).values(**row))


async def test_the_database_refuses_a_second_vote_and_a_value_outside_0_to_10(
    service: Service,
) -> None:
    """Written past the domain, straight into the table: the schema holds the line too."""
    twin = await new_twin(service)
    async with service.db.write() as conn:
        await conn.execute(
            sa.insert(questions).values(
                id="v1",
                workshop_id=twin.workshop_id,
                text=TEXT,
                low_label=DEFAULT_LOW_LABEL,
                high_label=DEFAULT_HIGH_LABEL,
                ask_comment=False,
                anonymous=True,
                min_group=3,
                position=0,
                status="open",
            )
        )
    await _insert(twin, _vote(twin, P1.id, 0))
    await _insert(twin, _vote(twin, P2.id, 10))
    with pytest.raises(sa.exc.IntegrityError):
        await _insert(twin, _vote(twin, P1.id, 5))  # a second row for (v1, p1)
    for value in (11, -1, 32767):
        with pytest.raises(sa.exc.IntegrityError):
            await _insert(twin, _vote(twin, P3.id, value))
    assert await vote_rows(twin) == [("v1", P1.id, 0, 99), ("v1", P2.id, 10, 99)]
