"""`Service.import_workshop`: every step decided by the live rules, then written at once; a
refused step writes nothing at all."""

from __future__ import annotations

import pytest

from server.domain.commands import (
    Actor,
    AddNote,
    Command,
    JoinWorkshop,
    PublishReport,
    UnpublishReport,
)
from server.service import ImportPlan, ImportRefused, Service, new_id
from server.store import workshops as workshop_rows
from tests.store.twin import FAC, Twin


def plan(*extra: tuple[Actor, Command]) -> ImportPlan:
    """Fresh participant ids, as the importer makes: ids are unique across workshops."""
    p1, p2 = Actor("participant", new_id()), Actor("participant", new_id())
    return ImportPlan(
        facilitator_id=FAC.id,
        title="Vision 2030",
        date="2026-11-20",
        groups=["Politiker", "Borger"],
        board_id="b1",
        board_title="Idébank",
        column_title="Noter",
        imported={"format": "samskab.workshop", "version": 1, "archive": {"sprints": []}},
        steps=[
            (p1, JoinWorkshop(p1.id, "Ida", "Borger")),
            (p2, JoinWorkshop(p2.id, None, "Politiker")),
            (p1, AddNote(new_id(), "Flere cykelstier")),
            (FAC, PublishReport("link1")),
            (FAC, UnpublishReport()),
            *extra,
        ],
    )


async def an_imported_workshop(service: Service) -> Twin:
    state = await service.import_workshop(plan())
    twin = Twin(service, state.id)
    stored = await twin.assert_replay_equals_stored()
    assert stored == state
    assert stored.archive == {"sprints": []} and stored.report_link is None
    assert [n.text for n in stored.notes.values()] == ["Flere cykelstier"]
    assert len(stored.join_code) == 6
    return twin


async def test_an_import_is_stored_as_the_twin_of_the_domain(service: Service) -> None:
    await an_imported_workshop(service)


async def test_a_refused_step_writes_nothing(service: Service) -> None:
    with pytest.raises(ImportRefused) as refused:
        await service.import_workshop(plan((FAC, AddNote("n1", "x" * 501))))
    assert refused.value.step == 5 and refused.value.error.code == "note.too_long"
    async with service.db.read() as conn:
        assert await workshop_rows.for_facilitator(conn, FAC.id) == []
