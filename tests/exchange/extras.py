"""A second workshop for the round trip, with what `tests.report_seed` has not: columns added,
moved and removed, notes turned around (one after its turn column was removed), a facilitator's
note and +1, a locked private board with a running hidden dot round, someone in the room voting
through the facilitator, someone who changed group after voting, a removed participant, a
closed and a draft question, and a hall with a picture, a door, a quiz behind a quiz,
stations opened inside the gated rooms and one opened before its room was gated."""

from __future__ import annotations

import io

from PIL import Image

from server.domain.commands import (
    Actor,
    AddAsset,
    AddCard,
    AddCluster,
    AddColumn,
    AddComment,
    AddNote,
    AddRoom,
    AddRoomParticipant,
    AddStation,
    AnswerQuiz,
    CastVote,
    ChangeBoardSettings,
    ChooseSide,
    CloseQuestion,
    Command,
    CreateBoard,
    CreateQuestion,
    EditNote,
    EditRoom,
    EditStation,
    JoinWorkshop,
    KickParticipant,
    MoveColumn,
    MoveNote,
    OpenQuestion,
    OpenStation,
    PlaceDot,
    ReactToNote,
    RemoveColumn,
    RevealCard,
    RevealQuestion,
    ShowCard,
    StartDots,
    StartPrivateWriting,
    StationContent,
    TurnNoteAround,
    UpdateParticipant,
)
from server.domain.hall import HALL
from server.media import check_upload
from server.service import Service, new_id

NAMED = "Skal byrådet holde borgermøder hver måned?"


def picture() -> bytes:
    """A small PNG, as an upload stores it (checked and re-encoded)."""
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (30, 120, 200)).save(out, "PNG")
    return check_upload("image", out.getvalue(), "kort.png").data


async def seed_extras(service: Service, facilitator_id: str) -> str:
    fac = Actor("facilitator", facilitator_id)
    state = await service.create_workshop(
        facilitator_id=facilitator_id,
        title="Borgermøde om byrummet",
        date="2026-12-01",
        groups=["Politiker", "Borger"],
        board_title="Start",
        column_title="Noter",
    )
    w = state.id

    async def do(actor: Actor, command: Command) -> None:
        result = await service.execute(w, actor, new_id(), command)
        assert result.ok, (command, result.error_code, result.error_params)

    ida, anon, ole, mia = (Actor("participant", new_id()) for _ in range(4))
    kaj = new_id()
    await do(ida, JoinWorkshop(ida.id, "Ida", "Borger"))
    await do(anon, JoinWorkshop(anon.id, None, "Politiker"))
    await do(ole, JoinWorkshop(ole.id, "Ole", "Borger"))
    await do(fac, AddRoomParticipant(kaj, "Kaj", "Politiker"))
    await do(mia, JoinWorkshop(mia.id, "Mia", "Politiker"))

    # The first board: a column added and moved first, a cluster in it, notes of everyone.
    main = state.main_board.id
    first = state.main_board.columns[0].id
    later = new_id()
    await do(fac, AddColumn(main, later, "Senere"))
    await do(fac, MoveColumn(later, 0))
    cluster = new_id()
    await do(fac, AddCluster(later, cluster, "Trafik"))
    n_fac, n_ida, n_ole, n_blue = new_id(), new_id(), new_id(), new_id()
    await do(fac, AddNote(n_fac, "Facilitatorens note", main, first))
    await do(ida, AddNote(n_ida, "Lukket bilvej i weekenden", main, later))
    await do(ole, AddNote(n_ole, "Flere bænke", main, first, "pink"))
    await do(anon, AddNote(n_blue, "=SUM(A1:A9)", main, later, "blue"))
    await do(fac, MoveNote(n_ida, later, 0, cluster_id=cluster))
    await do(fac, MoveNote(n_ole, first, 0))
    await do(fac, ReactToNote(n_ole))
    await do(ida, ReactToNote(n_ole))
    await do(ole, AddComment(n_fac, new_id(), "Enig"))
    await do(fac, AddComment(n_fac, new_id(), "Tak"))

    # A negative brainstorm: a note turned around and re-coloured.
    neg, fails, turned = new_id(), new_id(), new_id()
    await do(fac, CreateBoard(neg, "Negativ", "negative", (fails, turned), ("Fejl", "Vendt")))
    bad, good = new_id(), new_id()
    await do(ida, AddNote(bad, "Ingen cykelparkering", neg, fails))
    await do(anon, TurnNoteAround(bad, good, "Cykelparkering ved stationen"))
    await do(fac, EditNote(good, 1, color="orange"))

    # Another, whose turn column was removed after a note was turned into it.
    neg2, fails2, turned2 = new_id(), new_id(), new_id()
    await do(fac, CreateBoard(neg2, "Negativ 2", "negative", (fails2, turned2), ("Fejl", "Vendt")))
    bad2, good2 = new_id(), new_id()
    await do(mia, AddNote(bad2, "For lidt lys", neg2, fails2))
    await do(mia, TurnNoteAround(bad2, good2, "Lys langs stien"))
    await do(fac, RemoveColumn(turned2, fails2))

    # An idea bank with a column removed, a running hidden dot round, then private and locked.
    bank = new_id()
    cols = (new_id(), new_id(), new_id())
    await do(
        fac, CreateBoard(bank, "Idébank", "idea_bank", cols, ("Idéer", "Semifinale", "Finale"))
    )
    await do(fac, RemoveColumn(cols[1], cols[0]))
    i1, i2 = new_id(), new_id()
    await do(ida, AddNote(i1, "Byhave", bank, cols[0]))
    await do(ole, AddNote(i2, "Skøjtebane", bank, cols[2]))
    await do(fac, StartDots(bank, 4, 3, True))
    for actor, note in ((ida, i1), (ida, i1), (ida, i1), (ole, i1), (ole, i2), (mia, i2)):
        await do(actor, PlaceDot(note))
    await do(fac, ChangeBoardSettings(bank, show_authors=False, open_moves=False, locked=True))
    await do(fac, StartPrivateWriting(bank))

    # Questions: named (Kaj through the facilitator; Mia then changes group), anonymous with
    # every group shown, one closed and one still a draft.
    named, anonymous, closed, draft = new_id(), new_id(), new_id(), new_id()
    await do(fac, CreateQuestion(named, NAMED, anonymous=False, ask_comment=True, min_group=1))
    await do(fac, CreateQuestion(anonymous, "Er byrummet trygt?", "Utrygt", "Trygt", min_group=1))
    await do(fac, CreateQuestion(closed, "Lukket spørgsmål"))
    await do(fac, CreateQuestion(draft, "Kladde"))
    for q in (named, anonymous, closed):
        await do(fac, OpenQuestion(q))
    await do(ida, CastVote(named, 7, "Gerne om aftenen"))
    await do(fac, CastVote(named, 3, on_behalf_of=kaj))
    await do(mia, CastVote(named, 10))
    await do(ole, CastVote(named, 0, "Nej tak"))
    for actor, value in ((ida, 4), (anon, 9), (mia, 2)):
        await do(actor, CastVote(anonymous, value))
    await do(ida, CastVote(closed, 5))
    await do(fac, CloseQuestion(closed))
    await do(fac, RevealQuestion(named))
    await do(fac, RevealQuestion(anonymous))
    await do(mia, UpdateParticipant("Mia", "Borger"))

    card = new_id()
    await do(fac, AddCard(card, "Skal torvet være bilfrit?"))
    await do(fac, ShowCard(card))
    for actor, side in ((ida, "over"), (anon, "under"), (ole, "over"), (mia, "over")):
        await do(actor, ChooseSide(card, side))
    await do(fac, ChooseSide(card, "under", on_behalf_of=kaj))
    await do(fac, RevealCard(card))

    # The hall: a picture, a door, a quiz into a room holding a quiz into another room.
    png = picture()
    asset = new_id()
    result = await service.execute(
        w,
        fac,
        new_id(),
        AddAsset(asset, "image", "image/png", "kort.png", len(png), 8, 6),
        blobs=[(asset, png)],
    )
    assert result.ok
    await do(fac, AddRoom("gruppe", "Grupperum", "room"))
    await do(fac, AddRoom("inderst", "Inderste rum", "room"))
    await do(fac, AddRoom("pause", "Pause", "break"))
    await do(fac, EditRoom(HALL, "", asset, None))
    await do(fac, AddStation("door", HALL, "door", "Til pausen", 100, 200))
    await do(fac, EditStation("door", "Til pausen", StationContent(target_room_id="pause")))
    await do(fac, AddStation("q1", HALL, "quiz", "Første quiz", 300, 400))
    quiz1 = (("To plus to?", ("3", "4", "5"), 1),)
    await do(
        fac, EditStation("q1", "Første quiz", StationContent(quiz=quiz1, target_room_id="gruppe"))
    )
    await do(fac, AddStation("q2", "gruppe", "quiz", "Anden quiz", 500, 600))
    quiz2 = (("Hovedstad?", ("Aarhus", "København"), 1), ("Ja?", ("ja", "nej"), 0))
    await do(
        fac, EditStation("q2", "Anden quiz", StationContent(quiz=quiz2, target_room_id="inderst"))
    )
    await do(fac, AddStation("maps", "gruppe", "maps", "Kort", 700, 800))
    maps = StationContent(
        body="Se **kortet**", links=(("Kommunen", "https://example.dk"),), image_ids=(asset,)
    )
    await do(fac, EditStation("maps", "Kort", maps))
    await do(fac, AddStation("plan", "inderst", "plan", "Plan", 0, 10000))
    plan = StationContent(milestones=(("marts 2027", "Høring", True), ("", "Beslutning", False)))
    await do(fac, EditStation("plan", "Plan", plan))
    await do(fac, AddStation("help", HALL, "helpline", "Hjælp", 9000, 9000))
    await do(fac, EditStation("help", "Hjælp", StationContent(phone="+45 12 34 56 78")))
    await do(fac, AddStation("board", HALL, "board", "Tavlen", 50, 50))
    await do(fac, EditStation("board", "Tavlen", StationContent(board_id=neg)))
    await do(fac, AddStation("empty", "pause", "programme", "Tomt program", 10, 10))
    for actor in (ida, ole, mia):
        await do(actor, AnswerQuiz("q1", (1,)))
    await do(ole, AnswerQuiz("q2", (1, 0)))
    for actor in (ida, ole):
        await do(actor, OpenStation("maps"))
    await do(ole, OpenStation("plan"))
    await do(anon, OpenStation("door"))
    # A station opened while its room was open to all, before a quiz came to guard it.
    await do(anon, OpenStation("empty"))
    await do(fac, AddStation("q3", HALL, "quiz", "Pausequiz", 800, 800))
    await do(
        fac, EditStation("q3", "Pausequiz", StationContent(quiz=quiz1, target_room_id="pause"))
    )

    await do(fac, KickParticipant(ole.id))
    return w
