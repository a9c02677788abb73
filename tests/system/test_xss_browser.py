"""An XSS corpus through every user-text field into every view, live fragments included, in a
real browser with the Content-Security-Policy switched off: escaping alone must hold, so
nothing executes and no element comes out of what people typed (issue 9, security).

The payloads sit in the workshop's title and groups, board, column and cluster titles, notes,
comments, names, questions with their labels and vote comments, over/under cards, the hall's
rooms, stations, Markdown, programme, plan and links, a help-line call, and the committee's
name, items and sprint goals. Each page is opened as its reader opens it; then new notes,
comments and a rename arrive live on open pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import Page

from server.domain.backlog_commands import (
    AddItem,
    AddMeeting,
    CreateSprint,
    SetUpCommittee,
)
from server.domain.commands import (
    Actor,
    AddCard,
    AddCluster,
    AddColumn,
    AddComment,
    AddNote,
    AddRoom,
    AddStation,
    CallMe,
    CastVote,
    ChooseSide,
    CloseQuestion,
    Command,
    CreateQuestion,
    EditStation,
    JoinWorkshop,
    OpenQuestion,
    RevealCard,
    RevealQuestion,
    ShowCard,
    StationContent,
)
from server.domain.hall import HALL
from server.realtime.memory_broker import MemoryBroker
from server.service import Service, new_id
from server.store.db import Database
from tests.browser import Device, chromium, device
from tests.support import (
    FACILITATOR,
    Browserless,
    ServerProcess,
    create_facilitator,
    query,
    server_env,
)
from tests.system.test_board_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.system, pytest.mark.timeout(300)]

# Each sets window.__xss if it ever runs; short enough for a 40-character group name.
IMG = "<img src=x onerror=__xss=1>"
SVG = '"><svg onload=__xss=2>'
SCRIPT = "<script>__xss=3</script>"
MARKDOWN = (
    "[klik](javascript:__xss=4) <img src=x onerror=__xss=5> "
    '<a href="javascript:__xss=6">link</a> <iframe src="javascript:__xss=7"></iframe>'
)
# What escaping must never let become an element (the app has no inline script of its own).
CREATED = "img[src='x'], svg[onload], iframe, script:not([src]), a[href^='javascript']"


@dataclass
class Corpus:
    server: ServerProcess
    database_url: str
    workshop_id: str
    committee_id: str
    code: str


async def plant(service: Service, facilitator_id: str) -> tuple[str, str, str]:
    """A workshop and its committee with a payload in every text a person types."""
    fac = Actor("facilitator", facilitator_id)
    state = await service.create_workshop(
        facilitator_id=facilitator_id,
        title=f"Værksted {IMG}",
        date="2026-11-24",
        groups=["Borger", SVG],
        board_title=f"Tavle {SCRIPT}",
        column_title=f"Kolonne {IMG}",
    )
    w = state.id

    async def do(actor: Actor, command: Command, stream: str = w) -> None:
        result = await service.execute(stream, actor, new_id(), command)
        assert result.ok, (command, result.error_code)

    ida, bo = Actor("participant", new_id()), Actor("participant", new_id())
    await do(ida, JoinWorkshop(ida.id, f"Ida {IMG}", "Borger"))
    await do(bo, JoinWorkshop(bo.id, SCRIPT, SVG))
    column = state.main_board.columns[0].id
    board = state.main_board.id
    await do(fac, AddColumn(board, new_id(), f"Kolonne {SVG}"))
    cluster = new_id()
    await do(fac, AddCluster(column, cluster, f"Klynge {SCRIPT}"))
    note = new_id()
    await do(ida, AddNote(note, f"Note {IMG} {SVG} {SCRIPT}"))
    await do(bo, AddComment(note, new_id(), f"Kommentar {IMG}"))
    await do(fac, CreateQuestion("xq", f"Spørgsmål {IMG} {SCRIPT}", SVG, IMG, ask_comment=True))
    await do(fac, OpenQuestion("xq"))
    await do(ida, CastVote("xq", 7, f"Kommentar {SVG}"))
    await do(bo, CastVote("xq", 3, f"Kommentar {SCRIPT}"))
    await do(fac, CloseQuestion("xq"))
    await do(fac, RevealQuestion("xq"))
    await do(fac, AddCard("xc", f"Kort {IMG} {SVG}"))
    await do(fac, ShowCard("xc"))
    await do(ida, ChooseSide("xc", "over"))
    await do(fac, RevealCard("xc"))
    await do(fac, AddRoom("xr", f"Rum {SVG}", "break"))
    stations = {
        "xs-info": ("info", StationContent(body=MARKDOWN)),
        "xs-prog": ("programme", StationContent(items=(("09:30", f"Punkt {IMG}"),))),
        "xs-plan": ("plan", StationContent(milestones=(("<b>marts</b>", f"Mål {SCRIPT}", False),))),
        "xs-maps": (
            "maps",
            StationContent(body=MARKDOWN, links=((f"Kort {IMG}", 'https://example.org/"><x>'),)),
        ),
        "xs-help": ("helpline", StationContent(phone="+45 12 34 56 78", body=MARKDOWN)),
    }
    for i, (station_id, (kind, content)) in enumerate(stations.items()):
        await do(fac, AddStation(station_id, HALL, kind, f"Station {IMG}"[:80], 1000 * i, 500))
        await do(fac, EditStation(station_id, f"{kind} {SVG}", content))
    await do(ida, CallMe("xs-help", new_id(), f"Ring {IMG}"))

    committee = await service.create_workshop(
        facilitator_id=facilitator_id,
        title=f"Udvalg {IMG}",
        date="2026-11-01",
        groups=["Borger"],
        board_title="Backlog",
    )
    c = committee.id
    await do(fac, SetUpCommittee(f"Udvalg {SCRIPT}", "points", "refuse", (), 0), c)
    await do(fac, AddMeeting(w, f"Møde {IMG}", "2026-11-24"), c)
    await do(fac, AddItem(new_id(), f"Opgave {IMG}", description=SCRIPT, estimate=3), c)
    await do(
        fac,
        CreateSprint(
            new_id(), f"Sprint {SVG}", (f"Mål {IMG}",), (new_id(),), "2026-11-24", "2026-12-01", 10
        ),
        c,
    )
    return w, c, state.join_code


@pytest.fixture
async def corpus(sqlite_url: str, tmp_path: Path) -> Corpus:
    env = server_env(sqlite_url)
    create_facilitator(env)  # also migrates the database
    rows = await query(sqlite_url, "SELECT id FROM facilitators WHERE name = :n", n=FACILITATOR)
    db = Database(sqlite_url)
    try:
        w, c, code = await plant(Service(db, MemoryBroker()), rows[0].id)
    finally:
        await db.dispose()
    return Corpus(ServerProcess(env, tmp_path), sqlite_url, w, c, code)


@pytest.fixture
def server(corpus: Corpus) -> Iterator[ServerProcess]:
    corpus.server.start()
    try:
        yield corpus.server
    finally:
        corpus.server.stop()


async def nothing_ran(page: Page, where: str) -> None:
    """No payload executed and none became an element; its text is on the page as text."""
    assert await page.evaluate("window.__xss === undefined"), where
    created = await page.evaluate(f"document.querySelectorAll({CREATED!r}).length")
    assert created == 0, (where, created)


async def publish(base_url: str, workshop_id: str) -> str:
    fac = Browserless(base_url)
    try:
        assert (await fac.login()).status_code == 200
        token = await fac.csrf(f"/f/workshops/{workshop_id}/report")
        r = await fac.http.post(f"/f/workshops/{workshop_id}/report/publish", data={"csrf": token})
        m = re.search(r'id="public-link" type="text" readonly value="([^"]+)"', r.text)
        assert m, r.text[:500]
        return m.group(1).removeprefix(base_url)
    finally:
        await fac.aclose()


async def open_and_check(d: Device, url: str, where: str, shown: str = "<img src=x") -> None:
    await d.page.goto(url)
    await d.page.wait_for_load_state("load")
    await nothing_ran(d.page, where)
    assert shown in (await d.page.inner_text("body")), where  # the payload, as text


async def test_nothing_anyone_typed_runs_on_any_page(corpus: Corpus, server: ServerProcess) -> None:
    base = server.url
    w, c = corpus.workshop_id, corpus.committee_id
    public = await publish(base, w)
    async with (
        chromium() as browser,
        device(browser, "facilitator", tablet=False, inject_scripts=True) as fac,
        device(browser, "tablet", tablet=True, inject_scripts=True) as tablet,
        device(browser, "stranger", tablet=False, inject_scripts=True) as stranger,
    ):
        await log_in(fac, base)
        await fac.page.wait_for_url(f"{base}/f")
        await nothing_ran(fac.page, "dashboard")
        for path, where in (
            (f"/f/workshops/{w}", "facilitator's live page"),
            (f"/f/workshops/{w}/screen", "room screen"),
            (f"/f/workshops/{w}/hall", "hall editor"),
            (f"/f/workshops/{w}/hall?preview=participant", "hall preview"),
            (f"/f/workshops/{w}/report?names=1", "report"),
            (f"/f/workshops/{w}/report?lang=en", "report in English"),
            (f"/f/workshops/{c}", "committee page"),
            (f"/f/committees/{c}/report", "committee report"),
        ):
            await open_and_check(fac, f"{base}{path}", where)
        await open_and_check(stranger, f"{base}{public}", "published report")

        # A participant joins, with a payload for a name, and reads the workshop and its hall.
        await tablet.join(base, corpus.code, f"Eva {SVG}", "Borger")
        await nothing_ran(tablet.page, "participant's page")
        assert "<img src=x" in await tablet.page.inner_text("body")

        # Live: new notes, a comment and a renamed participant reach the open pages.
        await fac.page.goto(f"{base}/f/workshops/{w}")
        await fac.wait_online()
        live = f"Live {IMG} {SCRIPT}"
        await tablet.textarea.fill(live)
        await tablet.add_button.tap()
        for d in (fac, tablet):
            await d.page.get_by_text(live, exact=False).first.wait_for(timeout=10_000)
            await nothing_ran(d.page, f"{d.name} after a live note")
        assert not fac.page_errors and not tablet.page_errors, (fac.page_errors, tablet.page_errors)
