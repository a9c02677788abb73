"""Erasing a participant in the store: the tables stay the twin of the domain, the scrubbed
log replays to them, no stored row or event names the participant any more, and the results
and the report's figures are what they were."""

from __future__ import annotations

import dataclasses
import json

import sqlalchemy as sa

from server.domain.commands import Actor, EraseParticipant
from server.domain.report import workshop_report
from server.service import Service
from server.store import projections
from server.store.tables import metadata
from tests.report_seed import seed_workshop
from tests.store.twin import FAC, Twin


async def everything_stored(service: Service, workshop_id: str) -> str:
    """Every row of every table of one workshop, as text: what a search of the database would
    find (the committee's own stream, where the facilitator wrote its items, is another)."""
    out = []
    async with service.db.read() as conn:
        for table in metadata.sorted_tables:
            q = sa.select(table)
            if "workshop_id" in table.c:
                q = q.where(table.c.workshop_id == workshop_id)
            elif table.name == "workshops":
                q = q.where(table.c.id == workshop_id)
            for row in await conn.execute(q):
                out.append(json.dumps(row._asdict(), default=str, ensure_ascii=False))
    return "\n".join(out)


async def an_erasure(service: Service) -> Twin:
    """Dorte erases herself ("delete my data"); the facilitator erases Anne keeping her notes
    without her name."""
    seeded = await seed_workshop(service, FAC.id)
    twin = Twin(service, seeded.workshop_id)
    dorte, anne = seeded.people[3], seeded.people[0]
    await twin.refused(anne, EraseParticipant(dorte.id, "delete"), "permission.facilitators_only")
    await twin.do(dorte, EraseParticipant(dorte.id, "delete"))
    await twin.do(FAC, EraseParticipant(anne.id, "anonymise"))
    await twin.refused(FAC, EraseParticipant(anne.id, "delete"), "participant.already_erased")
    await twin.assert_replay_equals_stored()  # the scrubbed log replays to the tables
    return twin


async def test_erasure_keeps_the_tables_the_twin_and_names_them_nowhere(service: Service) -> None:
    seeded = await seed_workshop(service, FAC.id)
    async with service.db.read() as conn:
        before = await projections.load_state(conn, seeded.workshop_id)
        committee = await projections.load_state(conn, seeded.committee_id)
    assert before is not None
    twin = Twin(service, seeded.workshop_id)
    dorte, anne = seeded.people[3], seeded.people[0]
    assert "Dorte Borger" in await everything_stored(service, seeded.workshop_id)
    await twin.do(dorte, EraseParticipant(dorte.id, "delete"))
    await twin.do(FAC, EraseParticipant(anne.id, "anonymise"))
    after = await twin.assert_replay_equals_stored()

    stored = await everything_stored(service, seeded.workshop_id)
    for gone in ("Dorte Borger", "Anne Politiker", "Bybus hver 10. minut", "Mere om trafikken"):
        assert gone not in stored, gone
    assert "Flere cykelstier langs Mølleåen" in stored  # Anne's note stays, nameless
    assert "Carla Politiker" in stored  # nobody else's data goes

    # The figures of every question and card, and the hall's counts, are what they were.
    one, two = workshop_report(before, committee), workshop_report(after, committee)
    assert [
        (q.votes, q.results and q.results.total, q.results and q.results.groups)
        for q in one.questions
    ] == [
        (q.votes, q.results and q.results.total, q.results and q.results.groups)
        for q in two.questions
    ]
    assert one.dilemmas == two.dilemmas and one.hall == two.hall
    assert one.groups == two.groups and one.participants == two.participants
    # Dorte's notes went; Anne's stay without her name.
    texts = {
        n.text: n.author
        for b in two.boards
        for c in b.columns
        for n in (*c.loose, *(x for cl in c.clusters for x in cl.notes))
    }
    assert "Bybus hver 10. minut" not in texts
    assert texts["Flere cykelstier langs Mølleåen"] is None
    assert json.dumps(dataclasses.asdict(two), default=str).count("Anne Politiker") == 0


async def test_an_erased_participant_cannot_act_again(service: Service) -> None:
    seeded = await seed_workshop(service, FAC.id)
    twin = Twin(service, seeded.workshop_id)
    fie: Actor = seeded.people[7]
    await twin.do(fie, EraseParticipant(fie.id, "delete"))
    from server.domain.commands import AddNote

    await twin.refused(fie, AddNote("n-after", "igen"), "participant.kicked")
