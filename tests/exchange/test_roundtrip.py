"""JSON export -> import into another instance -> export again: the same file apart from the
date it was made, and the same report figures; also into the same instance, as a second
workshop. The imported workshop's stored state is the twin of its log."""

from __future__ import annotations

from typing import Any

from server.domain.report import workshop_report
from server.exchange.export import FORMAT, VERSION
from server.service import Service
from server.store import workshops as workshop_rows
from tests.exchange.extras import NAMED, seed_extras
from tests.exchange.kit import LATER, NOW, export, figures, import_doc
from tests.report_seed import QUESTION, seed_workshop
from tests.store.twin import Twin


def _apart_from_date(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert a["exported_at"] != b["exported_at"]
    assert {**a, "exported_at": ""} == {**b, "exported_at": ""}


async def test_the_seeded_workshop_comes_back_the_same(service: Service, target: Service) -> None:
    seeded = await seed_workshop(service, "fac1")
    first = await export(service, seeded.workshop_id)
    assert (first["format"], first["version"], first["generator"]) == (FORMAT, VERSION, "Samskab")
    assert first["exported_at"] == "2026-11-21T08:30:00Z"

    imported = await import_doc(target, first)
    again = await export(target, imported, LATER)
    _apart_from_date(first, again)

    original = Twin(service, seeded.workshop_id)
    committee = await Twin(service, seeded.committee_id).state()
    copy = await Twin(target, imported).assert_replay_equals_stored()
    before = workshop_report(await original.state(), committee)
    after = workshop_report(copy, None)
    assert before.committee is not None and after.committee == before.committee
    assert figures(after) == figures(before)
    assert copy.archive is not None and copy.archive["committee"] == "Opgaveudvalg for mobilitet"


async def test_two_exports_of_the_same_data_are_identical(service: Service) -> None:
    seeded = await seed_workshop(service, "fac1")
    _apart_from_date(
        await export(service, seeded.workshop_id), await export(service, seeded.workshop_id, LATER)
    )


async def test_a_workshop_with_everything_else_comes_back_the_same(
    service: Service, target: Service
) -> None:
    workshop_id = await seed_extras(service, "fac1")
    first = await export(service, workshop_id)
    imported = await import_doc(target, first)
    _apart_from_date(first, await export(target, imported, LATER))
    copy = await Twin(target, imported).assert_replay_equals_stored()
    before = workshop_report(await Twin(service, workshop_id).state(), None)
    assert figures(workshop_report(copy, None)) == figures(before)
    w = first["workshop"]
    # What makes this workshop hard: all of it must have survived the trip.
    assert [b["turn_column"] for b in w["boards"]] == [None, 1, None, None]
    assert w["boards"][2]["columns"][0]["notes"][1]["turned_from"] == "n7"
    assert w["boards"][3]["dot_round"] == {
        "dots_per_person": 4,
        "per_note": 3,
        "hidden": True,
        "running": True,
    }
    assert [p["removed"] for p in w["participants"]] == [False, False, True, False, False]
    named = next(q for q in w["questions"] if q["text"] == NAMED)
    assert [v["by_facilitator"] for v in named["result"]["votes"]] == [False, True, False, False]
    assert w["hall"]["assets"][0]["media_type"] == "image/png"
    assert [s["opened"] for s in w["hall"]["stations"]] == [1, 0, 0, 0, 0, 0, 2, 1, 1]


async def test_an_import_into_the_same_instance_is_a_second_workshop(
    service: Service,
) -> None:
    seeded = await seed_workshop(service, "fac1")
    doc = await export(service, seeded.workshop_id)
    imported = await import_doc(service, doc)
    async with service.db.read() as conn:
        rows = await workshop_rows.for_facilitator(conn, "fac1")
    # The seeded workshop, its committee, and the copy with new ids and its own join code.
    assert imported in {r.id for r in rows} and seeded.workshop_id in {r.id for r in rows}
    assert len(rows) == 3
    mine = {r.id: r for r in rows}
    assert mine[imported].title == mine[seeded.workshop_id].title
    assert mine[imported].join_code != mine[seeded.workshop_id].join_code
    _apart_from_date(doc, await export(service, imported, LATER))


async def test_an_anonymous_question_leaves_only_its_figures(service: Service) -> None:
    seeded = await seed_workshop(service, "fac1")
    doc = await export(service, seeded.workshop_id, NOW)
    vision = next(q for q in doc["workshop"]["questions"] if q["text"] == QUESTION)
    assert vision["anonymous"] is True
    assert set(vision["result"]) == {"total_histogram", "groups", "comments"}
    assert all(set(g) == {"group", "n", "histogram"} for g in vision["result"]["groups"])
    # No participant ref anywhere in it: only counts, group names and the comment texts.
    text = str(vision)
    assert "'participant'" not in text and not any(f"'p{i}'" in text for i in range(1, 9))
    assert vision["result"]["comments"] == ["Mere om trafikken"]
    # The group of one (and the group hidden with it) shows no histogram, as in the report.
    assert [g["histogram"] is None for g in vision["result"]["groups"]] == [True, False, True]
    still_open = [q for q in doc["workshop"]["questions"] if q["status"] != "revealed"]
    assert still_open and all(q["result"] is None for q in still_open)


async def test_a_new_empty_workshop_comes_back_the_same(local: Service) -> None:
    state = await local.create_workshop(
        facilitator_id="fac2",
        title="Tom workshop",
        date="2027-02-01",
        groups=["Borger"],
        board_title="Tavle",
        column_title="Noter",
    )
    first = await export(local, state.id)
    assert first["workshop"]["archive"] is None and first["workshop"]["participants"] == []
    imported = await import_doc(local, first, facilitator_id="fac2")
    _apart_from_date(first, await export(local, imported, LATER))
