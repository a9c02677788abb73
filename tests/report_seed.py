"""A workshop with something of everything a report shows, stored through `Service.execute`
as a live session would store it: participants in groups (named and anonymous), an idea bank
with clusters, comments, +1s, a merged and a hidden note, and a dot vote; a negative
brainstorm that hides authors; an anonymous and a named 0-10 question revealed, one still
open; a revealed and an unrevealed dilemma card; the hall with a programme, stations opened
and a quiz answered; and a task committee it is a meeting of, with a note sent to its backlog
and a closed sprint.

Used by the report, export and import tests, which compute what they expect from the
database, never from here: the figures below are only the input.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.domain.backlog_commands import (
    AddItem,
    AddMeeting,
    CloseSprint,
    CreateSprint,
    PlanItem,
    SendNoteToBacklog,
    SetItemStatus,
    SetUpCommittee,
    StartSprint,
)
from server.domain.commands import (
    Actor,
    AddCard,
    AddCluster,
    AddComment,
    AddNote,
    AddRoom,
    AddStation,
    AnswerQuiz,
    CastVote,
    ChangeBoardSettings,
    ChooseSide,
    CloseQuestion,
    Command,
    CreateBoard,
    CreateQuestion,
    EditStation,
    EndDots,
    HideNote,
    JoinWorkshop,
    MergeNotes,
    MoveNote,
    OpenQuestion,
    OpenStation,
    PlaceDot,
    ReactToNote,
    RevealCard,
    RevealQuestion,
    ShowCard,
    StartDots,
    StationContent,
)
from server.domain.dilemmas import Side
from server.domain.hall import HALL
from server.service import Service, new_id

QUESTION = "I hvor høj grad kan visionen fungere som endeligt forslag?"
NAMED_QUESTION = "Skal vi bruge flere penge på cykelstier?"
OPEN_QUESTION = "Stemmes der stadig om"
QUIZ = (("Hvornår er der frokost?", ("11:30", "12:00"), 1),)

# name (None: joined as "anonym"), group, their vote on QUESTION, on NAMED_QUESTION
PEOPLE: tuple[tuple[str | None, str, int, int], ...] = (
    ("Anne Politiker", "Politiker", 8, 6),
    ("Bent Politiker", "Politiker", 6, 7),
    ("Carla Politiker", "Politiker", 9, 9),
    ("Dorte Borger", "Borger", 3, 2),
    (None, "Borger", 5, 4),
    ("Erik Borger", "Borger", 7, 8),
    (None, "Borger", 10, 5),
    ("Fie Medarbejder", "Medarbejder", 2, 3),  # a group of one: hidden by the guard
)


# Notes, clusters, questions, cards, items... have ids unique across workshops: each seeding
# takes fresh ones, so several seeded workshops share a database.
NAMES = (
    *("n-bike", "n-bus", "n-bike2", "n-park", "n-hidden", "n-youth", "n-neg"),
    *("cl-mobility", "c-1", "q-vision", "q-bikes", "q-open", "d-1", "d-2"),
    *("i-bike", "i-bus", "sp-1", "g-1", "g-2"),
)


@dataclass(frozen=True)
class Seeded:
    ids: dict[str, str]  # NAMES -> this seeding's ids
    workshop_id: str
    committee_id: str
    people: tuple[Actor, ...]  # in PEOPLE's order
    idea_board: str
    negative_board: str


async def _do(service: Service, workshop_id: str, actor: Actor, command: Command) -> None:
    result = await service.execute(workshop_id, actor, new_id(), command)
    assert result.ok, (command, result.error_code, result.error_params)


async def seed_workshop(
    service: Service,
    facilitator_id: str,
    title: str = "Visionsværksted 2030",
    *,
    committee_id: str | None = None,
    date: str = "2026-11-20",
) -> Seeded:
    """`committee_id`: make the workshop a meeting of that existing committee (its idea sent to
    that committee's backlog) instead of setting up a committee and sprint of its own."""
    fac = Actor("facilitator", facilitator_id)
    ids = {name: f"{name}-{new_id()[:8]}" for name in NAMES}
    state = await service.create_workshop(
        facilitator_id=facilitator_id,
        title=title,
        date=date,
        groups=["Politiker", "Borger", "Medarbejder"],
        board_title="Idébank",
        column_title="Idéer",
    )
    w = state.id

    async def do(actor: Actor, command: Command) -> None:
        await _do(service, w, actor, command)

    people = tuple(Actor("participant", new_id()) for _ in PEOPLE)
    for actor, (name, group, _, _) in zip(people, PEOPLE, strict=True):
        await do(actor, JoinWorkshop(actor.id, name, group))
    anne, bent, carla, dorte, anon1, erik, _anon2, fie = people

    # The idea bank: notes in a cluster and loose, a comment, +1s, a merge, a hidden note.
    ideas = state.main_board.id
    column = state.main_board.columns[0].id
    await do(fac, AddCluster(column, ids["cl-mobility"], "Mobilitet"))
    notes = {
        ids["n-bike"]: (anne, "Flere cykelstier langs Mølleåen"),
        ids["n-bus"]: (dorte, "Bybus hver 10. minut"),
        ids["n-bike2"]: (erik, "Cykelstier til skolerne"),
        ids["n-park"]: (anon1, "Grønne lommeparker i hver bydel"),
        ids["n-hidden"]: (bent, "Et indlæg facilitatoren skjulte"),
        ids["n-youth"]: (fie, "Et ungeråd med egen pulje"),
    }
    for note_id, (actor, text) in notes.items():
        await do(actor, AddNote(note_id, text))
    await do(fac, MoveNote(ids["n-bike"], column, 0, cluster_id=ids["cl-mobility"]))
    await do(fac, MoveNote(ids["n-bus"], column, 1, cluster_id=ids["cl-mobility"]))
    await do(fac, MergeNotes(ids["n-bike2"], ids["n-bike"]))
    await do(fac, HideNote(ids["n-hidden"], True))
    await do(carla, AddComment(ids["n-park"], ids["c-1"], "Gerne med legepladser"))
    for actor in (carla, dorte, erik):
        await do(actor, ReactToNote(ids["n-park"]))
    await do(fac, StartDots(ideas, 3, 2, False))
    for actor, note_id in (
        (anne, ids["n-bike"]),
        (anne, ids["n-bike"]),
        (bent, ids["n-bike"]),
        (carla, ids["n-park"]),
        (dorte, ids["n-bus"]),
        (dorte, ids["n-park"]),
        (erik, ids["n-youth"]),
    ):
        await do(actor, PlaceDot(note_id))
    await do(fac, EndDots(ideas))

    # A negative brainstorm whose authors are not shown.
    negative, fails, turned = new_id(), new_id(), new_id()
    await do(
        fac,
        CreateBoard(
            negative, "Negativ brainstorm", "negative", (fails, turned), ("Fiasko", "Vendt om")
        ),
    )
    await do(fac, ChangeBoardSettings(negative, show_authors=False))
    await do(
        anne, AddNote(ids["n-neg"], "Ingen lytter til de unge", board_id=negative, column_id=fails)
    )

    # 0-10: an anonymous question (the default), a named one, both revealed; one still open.
    await do(fac, CreateQuestion(ids["q-vision"], QUESTION, ask_comment=True))
    await do(fac, CreateQuestion(ids["q-bikes"], NAMED_QUESTION, anonymous=False, min_group=2))
    await do(fac, CreateQuestion(ids["q-open"], OPEN_QUESTION))
    for q in (ids["q-vision"], ids["q-bikes"], ids["q-open"]):
        await do(fac, OpenQuestion(q))
    for actor, (_, _, vision, bikes) in zip(people, PEOPLE, strict=True):
        comment = "Mere om trafikken" if actor is dorte else None
        await do(actor, CastVote(ids["q-vision"], vision, comment=comment))
        await do(actor, CastVote(ids["q-bikes"], bikes))
    await do(anne, CastVote(ids["q-open"], 4))
    for q in (ids["q-vision"], ids["q-bikes"]):
        await do(fac, CloseQuestion(q))
        await do(fac, RevealQuestion(q))

    # Over or under the line: one card revealed, one shown but not revealed.
    await do(fac, AddCard(ids["d-1"], "Skal biler ud af midtbyen?"))
    await do(fac, AddCard(ids["d-2"], "Skal skolerne lægges sammen?"))
    await do(fac, ShowCard(ids["d-1"]))
    sides: tuple[Side, ...] = ("over", "over", "under", "under", "over", "over", "under", "over")
    for actor, side in zip(people, sides, strict=True):
        await do(actor, ChooseSide(ids["d-1"], side))
    await do(fac, RevealCard(ids["d-1"]))
    await do(fac, ShowCard(ids["d-2"]))
    await do(anne, ChooseSide(ids["d-2"], "under"))

    # The hall: a programme, a rules station, a quiz to the break room; openings and answers.
    await do(fac, AddRoom("pause", "Kaffepause", "break"))  # hall ids are per workshop
    await do(fac, AddStation("s-prog", HALL, "programme", "Program", 1000, 1000))
    await do(fac, AddStation("s-rules", HALL, "rules", "Spilleregler", 3000, 1000))
    await do(fac, AddStation("s-quiz", HALL, "quiz", "Kaffequiz", 5000, 1000))
    await do(fac, AddStation("s-music", "pause", "info", "Musik", 5000, 5000))
    await do(
        fac,
        EditStation(
            "s-prog",
            "Program",
            StationContent(
                items=(("09:30", "Velkomst"), ("10:00", "Idébank"), ("11:30", "Afstemning"))
            ),
        ),
    )
    await do(fac, EditStation("s-rules", "Spilleregler", StationContent(body="Vær **venlig**")))
    await do(
        fac, EditStation("s-quiz", "Kaffequiz", StationContent(quiz=QUIZ, target_room_id="pause"))
    )
    for actor in (anne, bent, dorte, anon1):
        await do(actor, OpenStation("s-prog"))
    await do(carla, OpenStation("s-rules"))
    for actor in (anne, dorte):
        await do(actor, AnswerQuiz("s-quiz", (1,)))
    await do(anne, OpenStation("s-music"))

    if committee_id is not None:  # a meeting of a committee that exists already
        await _do(service, committee_id, fac, AddMeeting(w, title, date))
        await _do(
            service,
            committee_id,
            fac,
            AddItem(
                ids["i-bike"],
                "Flere cykelstier langs Mølleåen",
                estimate=5,
                source_workshop_id=w,
                source_note_id=ids["n-bike"],
            ),
        )
        await do(fac, SendNoteToBacklog(ids["n-bike"], committee_id, ids["i-bike"]))
        return Seeded(ids, w, committee_id, people, ideas, negative)

    # The task committee this workshop is a meeting of: a note goes to its backlog, and a
    # sprint with it is planned, run and closed with its goals evaluated.
    committee = await service.create_workshop(
        facilitator_id=facilitator_id,
        title="Opgaveudvalg for mobilitet",
        date="2026-11-01",
        groups=["Politiker", "Borger"],
        board_title="Backlog",
    )
    c = committee.id

    async def cdo(command: Command) -> None:
        await _do(service, c, fac, command)

    await cdo(SetUpCommittee("Opgaveudvalg for mobilitet", "points", "refuse", (), 0))
    await cdo(AddMeeting(w, title, date))
    await cdo(
        AddItem(
            ids["i-bike"],
            "Flere cykelstier langs Mølleåen",
            estimate=5,
            source_workshop_id=w,
            source_note_id=ids["n-bike"],
        )
    )
    await do(fac, SendNoteToBacklog(ids["n-bike"], c, ids["i-bike"]))
    await cdo(AddItem(ids["i-bus"], "Bybus hver 10. minut", estimate=8))
    await cdo(
        CreateSprint(
            ids["sp-1"],
            "Sprint 1",
            ("Cykelstier planlagt", "Bus undersøgt"),
            (ids["g-1"], ids["g-2"]),
            "2026-11-21",
            "2026-12-05",
            20,
        )
    )
    await cdo(PlanItem(ids["sp-1"], ids["i-bike"]))
    await cdo(PlanItem(ids["sp-1"], ids["i-bus"]))
    await cdo(StartSprint(ids["sp-1"], "2026-11-21"))
    await cdo(SetItemStatus(ids["i-bike"], "done", 0, "2026-11-25"))
    await cdo(
        CloseSprint(
            ids["sp-1"],
            (((ids["i-bus"], None),)),
            ((ids["g-1"], "met", "Linjeføring vedtaget"), (ids["g-2"], "partly", "")),
            "2026-12-05",
        )
    )
    return Seeded(ids, w, c, people, ideas, negative)
