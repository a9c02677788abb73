"""Invalid or tampered files are refused with a message that says what and where, and leave
nothing behind: the instance holds as many workshops and events after as before."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from server.exchange.errors import ImportProblem
from server.exchange.export import dumps
from server.exchange.importer import import_file
from server.service import Service
from tests.exchange.kit import counts, export, resealed
from tests.report_seed import seed_workshop

Doc = dict[str, Any]


_SEEDED: list[Doc] = []  # seeded and exported once: every test changes its own copy


@pytest.fixture
async def doc(local: Service) -> Doc:
    if not _SEEDED:
        seeded = await seed_workshop(local, "fac1")
        _SEEDED.append(await export(local, seeded.workshop_id))
    return copy.deepcopy(_SEEDED[0])


async def refused(service: Service, data: bytes) -> ImportProblem:
    before = await counts(service)
    with pytest.raises(ImportProblem) as problem:
        await import_file(service, "fac1", data)
    assert await counts(service) == before  # nothing half-imported
    return problem.value


def changed(doc: Doc, change: Callable[[Doc], None], reseal: bool = True) -> bytes:
    w = copy.deepcopy(doc)
    change(w["workshop"])
    return dumps(resealed(w) if reseal else w)


async def test_not_json(local: Service) -> None:
    problem = await refused(local, b'{"format": "samskab.workshop",\n  "version": 1,,}')
    assert problem.code == "import.not_json"
    assert problem.text("da") == "Filen er ikke gyldig JSON (linje 2, kolonne 16)."
    assert "line 2, column 16" in problem.text("en")


async def test_not_text(local: Service) -> None:
    assert (await refused(local, b"\xff\xfe\x00{")).code == "import.not_text"


async def test_not_a_samskab_export(local: Service) -> None:
    problem = await refused(local, json.dumps({"format": "trello", "cards": []}).encode())
    assert problem.text("da") == "Filen er ikke en workshop eksporteret fra Samskab."
    assert (await refused(local, b"[1, 2]")).code == "import.not_samskab"


async def test_a_newer_version(local: Service, doc: Doc) -> None:
    problem = await refused(local, dumps({**doc, "version": 2}))
    assert problem.code == "import.newer_version"
    assert "formatversion 2" in problem.text("da") and "version 1" in problem.text("da")


async def test_a_file_changed_after_export(local: Service, doc: Doc) -> None:
    def edit(w: Doc) -> None:
        w["boards"][0]["columns"][0]["clusters"][0]["notes"][0]["dots"] = 30

    problem = await refused(local, changed(doc, edit, reseal=False))
    assert problem.code == "import.checksum"
    assert "ændret efter eksporten" in problem.text("da")
    assert "changed after it was exported" in problem.text("en")


async def test_a_histogram_that_does_not_add_up(local: Service, doc: Doc) -> None:
    def edit(w: Doc) -> None:
        w["questions"][0]["result"]["groups"][1]["histogram"][10] += 1

    problem = await refused(local, changed(doc, edit))
    assert (problem.code, problem.path) == (
        "import.inconsistent",
        "questions[0].result.groups[1].histogram",
    )
    assert problem.text("da") == (
        "Filens tal går ikke op ved questions[0].result.groups[1].histogram. "
        "Filen er måske blevet ændret efter eksporten."
    )


async def test_groups_that_do_not_add_up_to_the_total(local: Service, doc: Doc) -> None:
    def edit(w: Doc) -> None:
        w["questions"][0]["result"]["groups"][0]["n"] += 1

    problem = await refused(local, changed(doc, edit))
    assert (problem.code, problem.path) == ("import.inconsistent", "questions[0].result.groups")


async def test_figures_the_small_group_guard_would_have_hidden(local: Service, doc: Doc) -> None:
    """Adding up is not enough: the import is exported again and must give the same file. A
    group the guard hides (Politiker, hidden with the group of one) cannot come with figures."""

    def edit(w: Doc) -> None:
        groups = w["questions"][0]["result"]["groups"]
        total = w["questions"][0]["result"]["total_histogram"]
        rest = [t - b for t, b in zip(total, groups[1]["histogram"], strict=True)]
        rest[2] -= 1  # Medarbejder keeps one vote (hidden); Politiker shows the other three
        groups[0]["histogram"] = rest

    problem = await refused(local, changed(doc, edit))
    assert (problem.code, problem.path) == (
        "import.inconsistent",
        "questions[0].result.groups[0].histogram",
    )


async def test_a_note_too_long_is_refused_by_the_rules(local: Service, doc: Doc) -> None:
    def edit(w: Doc) -> None:
        w["boards"][0]["columns"][0]["notes"][1]["text"] = "x" * 600

    problem = await refused(local, changed(doc, edit))
    assert (problem.code, problem.path) == ("import.refused", "boards[0].columns[0].notes[1]")
    assert problem.text("da") == (
        "Elementet boards[0].columns[0].notes[1] kunne ikke importeres: "
        "Noten er for lang (højst 500 tegn)."
    )
    assert "The note is too long (at most 500 characters)" in problem.text("en")


async def test_an_unknown_ref(local: Service, doc: Doc) -> None:
    def edit(w: Doc) -> None:
        w["boards"][0]["columns"][0]["notes"][0]["author"] = "p99"

    problem = await refused(local, changed(doc, edit))
    assert (problem.code, problem.path) == (
        "import.unknown_ref",
        "boards[0].columns[0].notes[0].author",
    )
    assert "„p99“, som ikke findes i filen" in problem.text("da")


async def test_a_ref_out_of_place(local: Service, doc: Doc) -> None:
    def edit(w: Doc) -> None:
        w["participants"][1]["ref"] = "p7"

    problem = await refused(local, changed(doc, edit))
    assert (problem.code, problem.path) == ("import.bad_ref", "participants[1].ref")


async def test_an_unknown_field(local: Service, doc: Doc) -> None:
    def edit(w: Doc) -> None:
        w["participants"][0]["voter_id"] = "abc"

    problem = await refused(local, changed(doc, edit))
    assert (problem.code, problem.path) == ("import.unknown_field", "participants[0].voter_id")
    assert "ikke en del af Samskabs eksportformat" in problem.text("da")


async def test_a_missing_field_and_a_wrong_type(local: Service, doc: Doc) -> None:
    def drop(w: Doc) -> None:
        del w["boards"][1]["dot_round"]

    problem = await refused(local, changed(doc, drop))
    assert (problem.code, problem.path) == ("import.missing", "boards[1].dot_round")
    assert problem.text("en") == "The field boards[1].dot_round is missing from the file."

    def retype(w: Doc) -> None:
        w["questions"][1]["result"]["votes"][0]["value"] = "6"

    problem = await refused(local, changed(doc, retype))
    assert (problem.code, problem.path) == (
        "import.type_integer",
        "questions[1].result.votes[0].value",
    )


async def test_a_duplicate_key(local: Service, doc: Doc) -> None:
    data = dumps(doc).replace(b'"title":', b'"title": "x", "title":', 1)
    assert (await refused(local, data)).code == "import.duplicate_key"


async def test_more_reactions_than_people(local: Service, doc: Doc) -> None:
    def edit(w: Doc) -> None:
        w["boards"][0]["columns"][0]["notes"][0]["reactions"] = 10  # 8 participants + 1

    problem = await refused(local, changed(doc, edit))
    assert (problem.code, problem.path) == (
        "import.inconsistent",
        "boards[0].columns[0].notes[0].reactions",
    )


async def test_more_votes_than_participants(local: Service, doc: Doc) -> None:
    def edit(w: Doc) -> None:
        r = w["questions"][0]["result"]
        r["total_histogram"][5] += 2
        r["groups"][1]["n"] += 2
        r["groups"][1]["histogram"][5] += 2

    problem = await refused(local, changed(doc, edit))
    assert problem.code == "import.too_few_people"
    assert "flere stemmer end deltagere" in problem.text("da")


async def test_a_bad_group_name_is_refused_by_the_rules(local: Service, doc: Doc) -> None:
    def edit(w: Doc) -> None:
        w["participants"][2]["group"] = "Ukendt"

    problem = await refused(local, changed(doc, edit))
    assert (problem.code, problem.path) == ("import.refused", "participants[2]")
    assert problem.cause is not None and problem.cause[0] == "group.unknown"


async def test_a_bad_title_names_the_title(local: Service, doc: Doc) -> None:
    def edit(w: Doc) -> None:
        w["title"] = "   "

    problem = await refused(local, changed(doc, edit))
    assert (problem.code, problem.path) == ("import.refused", "title")


async def test_the_rules_limits_are_checked_before_anything_is_built(
    local: Service, doc: Doc
) -> None:
    def boards(w: Doc) -> None:
        w["boards"] += [copy.deepcopy(w["boards"][1]) for _ in range(29)]

    problem = await refused(local, changed(doc, boards))
    assert (problem.code, problem.path) == ("import.refused", "boards")
    assert problem.text("en") == (
        "The element boards could not be imported: A workshop can have at most 30 boards."
    )

    def dots(w: Doc) -> None:
        w["boards"][0]["columns"][0]["notes"][0]["dots"] = 10**12

    problem = await refused(local, changed(doc, dots))
    assert (problem.code, problem.path) == (
        "import.inconsistent",
        "boards[0].columns[0].notes[0].dots",
    )
