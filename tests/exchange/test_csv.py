"""The CSV files parse with `csv`, and their totals are what the database holds (counted here
with SQL); headers in Danish and English; a cell that a spreadsheet would run as a formula is
neutralised; raw votes only for revealed named questions."""

from __future__ import annotations

import csv
import io
from typing import Any

import sqlalchemy as sa

from server.domain.commands import Actor, AddComment, AddNote, JoinWorkshop
from server.exchange.csv_export import export_csv, neutral
from server.service import Service, new_id
from server.store import loading
from server.store.tables import dots, note_reactions, notes, votes
from tests.report_seed import NAMED_QUESTION, OPEN_QUESTION, QUESTION, Seeded, seed_workshop


async def table(
    service: Service, workshop_id: str, kind: Any, locale: str = "da"
) -> list[dict[str, str]]:
    async with service.db.read() as conn:
        state = await loading.load_state(conn, workshop_id)
    assert state is not None
    data = export_csv(kind, state, locale)
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads UTF-8
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.DictReader(io.StringIO(text, newline="")))


async def sql(service: Service, query: Any) -> int:
    async with service.db.read() as conn:
        return int(await conn.scalar(query) or 0)


async def test_notes_csv_totals_match_the_database(service: Service) -> None:
    seeded = await seed_workshop(service, "fac1")
    w = seeded.workshop_id
    rows = await table(service, w, "notes")
    assert list(rows[0]) == [
        "Tavle",
        "Kolonne",
        "Gruppe",
        "Tekst",
        "Skrevet af",
        "Farve",
        "Prikker",
        "Antal +1",
        "Kommentarer",
        "Skjult",
    ]
    stored_dots = sa.select(sa.func.sum(dots.c.placed)).where(dots.c.workshop_id == w)
    assert sum(int(r["Prikker"]) for r in rows) == await sql(service, stored_dots) == 7
    reactions = sa.select(sa.func.count()).select_from(note_reactions)
    assert sum(int(r["Antal +1"]) for r in rows) == await sql(
        service, reactions.where(note_reactions.c.workshop_id == w)
    )
    all_notes = sa.select(sa.func.count()).select_from(notes).where(notes.c.workshop_id == w)
    assert len(rows) == await sql(service, all_notes)  # hidden notes too, marked
    hidden = (
        sa.select(sa.func.count())
        .select_from(notes)
        .where(notes.c.workshop_id == w, notes.c.hidden)
    )
    assert [r["Skjult"] for r in rows].count("ja") == await sql(service, hidden) == 1
    by_text = {r["Tekst"]: r for r in rows}
    bike = by_text["Flere cykelstier langs Mølleåen"]
    assert (bike["Tavle"], bike["Kolonne"], bike["Gruppe"]) == ("Idébank", "Idéer", "Mobilitet")
    assert (bike["Skrevet af"], bike["Prikker"], bike["Farve"]) == ("Anne Politiker", "3", "yellow")
    park = by_text["Grønne lommeparker i hver bydel"]
    assert (park["Skrevet af"], park["Antal +1"], park["Kommentarer"], park["Gruppe"]) == (
        "anonym",
        "3",
        "1",
        "",
    )
    # The negative brainstorm hides its authors: so does the file.
    assert by_text["Ingen lytter til de unge"]["Skrevet af"] == ""


async def test_questions_csv_votes_match_the_database(service: Service) -> None:
    seeded = await seed_workshop(service, "fac1")
    rows = {r["Spørgsmål"]: r for r in await table(service, seeded.workshop_id, "questions")}
    assert list(rows) == [QUESTION, NAMED_QUESTION, OPEN_QUESTION]
    for text, key in ((QUESTION, "q-vision"), (NAMED_QUESTION, "q-bikes")):
        row = rows[text]
        q = seeded.ids[key]
        cast = sa.select(sa.func.count()).select_from(votes).where(votes.c.question_id == q)
        assert int(row["Stemmer"]) == await sql(service, cast) == 8
        assert sum(int(row[str(v)]) for v in range(11)) == 8
        assert row["Status"] == "vist"
    vision = rows[QUESTION]
    # 8, 6, 9, 3, 5, 7, 10, 2: mean 6.25, median 6.5, with a point and two places.
    assert (vision["Gennemsnit"], vision["Median"], vision["Laveste"], vision["Højeste"]) == (
        "6.25",
        "6.50",
        "2",
        "10",
    )
    assert vision["Anonym"] == "ja" and rows[NAMED_QUESTION]["Anonym"] == "nej"
    # The small-group guard: Medarbejder (one vote) and Politiker with it show only their n.
    assert (vision["Medarbejder: antal"], vision["Medarbejder: Gennemsnit"]) == ("1", "")
    assert (vision["Politiker: antal"], vision["Politiker: Median"]) == ("3", "")
    assert (vision["Borger: antal"], vision["Borger: Gennemsnit"]) == ("4", "6.25")
    # A question still open shows nothing: not even how many voted.
    still_open = rows[OPEN_QUESTION]
    assert still_open["Status"] == "åben"
    assert all(still_open[k] == "" for k in ("Stemmer", "Gennemsnit", "0", "Borger: antal"))


async def test_raw_votes_only_of_revealed_named_questions(local: Service) -> None:
    seeded = await seed_workshop(local, "fac1")
    rows = await table(local, seeded.workshop_id, "votes")
    assert {r["Spørgsmål"] for r in rows} == {NAMED_QUESTION}  # no anonymous, no open one
    bikes = sa.select(sa.func.count()).select_from(votes)
    assert len(rows) == await sql(local, bikes.where(votes.c.question_id == seeded.ids["q-bikes"]))
    assert [r["Deltager"] for r in rows][:5] == [
        "Anne Politiker",
        "Bent Politiker",
        "Carla Politiker",
        "Dorte Borger",
        "anonym",
    ]
    assert rows[0]["Værdi"] == "6" and rows[0]["Registreret af facilitator"] == "nej"
    assert all("Mere om trafikken" not in str(r) for r in rows)  # comments never with names


async def test_dilemmas_csv(local: Service) -> None:
    seeded = await seed_workshop(local, "fac1")
    rows = await table(local, seeded.workshop_id, "dilemmas")
    revealed, shown = rows
    assert (revealed["Status"], revealed["Over"], revealed["Under"]) == ("afsløret", "5", "3")
    assert (revealed["Borger: antal"], revealed["Borger: Over"], revealed["Borger: Under"]) == (
        "4",
        "2",
        "2",
    )
    assert (revealed["Medarbejder: antal"], revealed["Medarbejder: Over"]) == ("1", "")
    assert (shown["Status"], shown["Over"], shown["Borger: antal"]) == ("åben", "", "")


async def test_english_headers(local: Service) -> None:
    seeded: Seeded = await seed_workshop(local, "fac1")
    w = seeded.workshop_id
    notes_rows = await table(local, w, "notes", "en")
    assert list(notes_rows[0])[:5] == ["Board", "Column", "Group", "Text", "Written by"]
    q = (await table(local, w, "questions", "en"))[0]
    assert list(q)[:6] == ["Question", "Status", "Anonymous", "Votes", "Mean", "Median"]
    assert q["Status"] == "revealed" and q["Anonymous"] == "yes"
    assert list((await table(local, w, "votes", "en"))[0]) == [
        "Question",
        "Participant",
        "Group",
        "Value",
        "Recorded by the facilitator",
    ]
    assert list((await table(local, w, "dilemmas", "en"))[0])[:4] == [
        "Card",
        "Status",
        "Over",
        "Under",
    ]


def test_a_formula_becomes_text() -> None:
    for text in ("=1+1", "+45 12", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutral(text) == "'" + text
    for text in ("Flere cykelstier", "1+1", "", "'=quoted"):
        assert neutral(text) == text


async def test_formula_injection_is_neutralised_in_the_file(local: Service) -> None:
    state = await local.create_workshop(
        facilitator_id="fac1",
        title="Formler",
        date="2026-11-20",
        groups=["Borger"],
        board_title="Tavle",
    )
    who = Actor("participant", new_id())
    note = new_id()
    for actor, command in (
        (who, JoinWorkshop(who.id, '=HYPERLINK("http://x")', "Borger")),
        (who, AddNote(note, '=HYPERLINK("http://evil.example","Klik")')),
        (who, AddComment(note, new_id(), "@bruger")),
    ):
        assert (await local.execute(state.id, actor, new_id(), command)).ok
    raw = export_csv("notes", (await _state(local, state.id)), "da").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    assert rows[1][3] == '\'=HYPERLINK("http://evil.example","Klik")'
    assert rows[1][4] == '\'=HYPERLINK("http://x")'  # the author's name, too
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


async def _state(service: Service, workshop_id: str) -> Any:
    async with service.db.read() as conn:
        return await loading.load_state(conn, workshop_id)
