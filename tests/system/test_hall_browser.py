"""The virtual council hall in real browsers (Debian's Chromium through Playwright) against a
real server: stations tapped on a touch tablet and the programme's current item changing live,
the text view by keyboard only; the facilitator's editor placing a station by mouse drag and by
arrow keys, seen moving on the participant's tablet; a quiz that keeps the green break room shut
until it is answered right (and music that never starts by itself); axe-core on the hall, a
station's panel, the text view, the editor and the preview; hostile text that stays text."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.async_api import Locator, Page, Route, expect

from server.domain.hall import HALL
from server.i18n import message
from tests.browser import LIVE_MS, chromium, device, tab_to
from tests.support import Browserless, LiveClient, ServerProcess
from tests.system.test_board_browser import (
    AXE,
    XSS_NAME,
    XSS_TEXTS,
    log_in,
    serious_violations,
    small_targets,
    touch_drag,
)
from tests.system.test_boards import ok

pytestmark = [pytest.mark.browser, pytest.mark.system, pytest.mark.timeout(240)]

ITEMS = "09:30 Velkomst\n10:00 Gruppearbejde\n11:30 Frokost"
RULES = "## Sådan gør vi\n\n- Tal pænt\n- Sluk **telefonen**\n\n[Kommunen](https://www.ltk.dk)"
QUIZ = "Hvor mange sidder i byrådet?\n- 19\n* 21\n- 31\n\nHvem leder mødet?\n* Borgmesteren\n- Mig"


# A tiny MPEG audio file: an ID3 header and one frame header (what the upload check reads).
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + bytes(400)


def events_of(client: LiveClient, type_: str) -> list[dict[str, Any]]:
    return [e["data"] for e in client.events if e["type"] == type_]


def stations_counted(client: LiveClient) -> dict[str, int] | None:
    """Who is at which station, by the last presence message this socket got."""
    p = next((m for m in reversed(client.received) if m.get("type") == "presence"), None)
    return None if p is None else dict(p.get("stations", {}))


async def add_station(fac: LiveClient, room_id: str, kind: str, title: str, **content: Any) -> str:
    """A new station in the middle of its room's picture; returns its id, from the event."""
    before = len(events_of(fac, "hall.station_added"))
    await ok(fac, "station.add", room_id=room_id, kind=kind, title=title, x=5000, y=5000)
    added = await fac.wait_for(lambda c: events_of(c, "hall.station_added")[before:])
    station_id = str(added[0]["station_id"])
    if content:
        await ok(fac, "station.edit", station_id=station_id, title=title, **content)
    return station_id


async def add_room(fac: LiveClient, title: str, kind: str) -> str:
    before = len(events_of(fac, "hall.room_added"))
    await ok(fac, "room.add", title=title, kind=kind)
    added = await fac.wait_for(lambda c: events_of(c, "hall.room_added")[before:])
    return str(added[0]["room_id"])


async def upload_music(fac: Browserless, wid: str) -> str:
    token = await fac.csrf("/f")
    r = await fac.http.post(
        f"/f/workshops/{wid}/assets",
        data={"csrf": token, "kind": "audio"},
        files={"file": ("Pausemusik.mp3", MP3, "audio/mpeg")},
    )
    assert r.status_code == 200, r.text[:500]
    return str(r.json()["asset_id"])


@dataclass
class Hall:
    server: ServerProcess
    fac_session: Browserless
    fac: LiveClient  # the facilitator's JSON socket: builds the hall as the editor would
    workshop_id: str
    code: str
    programme: str
    rules: str


@asynccontextmanager
async def hall_workshop(server: ServerProcess) -> AsyncIterator[Hall]:
    """A workshop whose hall has a programme (top left) and house rules (right)."""
    fac_s = Browserless(server.url)
    assert (await fac_s.login()).status_code == 200
    wid, code = await fac_s.create_workshop()
    fac = await LiveClient.connect(server.ws_url, wid, fac_s)
    try:
        await fac.wait_for(lambda c: c.seq is not None)
        prog = await add_station(fac, HALL, "programme", "Dagens program", items=ITEMS)
        await ok(fac, "station.place", station_id=prog, x=2500, y=3000)
        rules = await add_station(fac, HALL, "rules", "Husregler", body=RULES)
        await ok(fac, "station.place", station_id=rules, x=7500, y=6000)
        yield Hall(server, fac_s, fac, wid, code, prog, rules)
    finally:
        await fac.close()
        await fac_s.aclose()


def hotspot(page: Page, station_id: str) -> Locator:
    return page.locator(f"#hs-{station_id}")


def panel(page: Page, station_id: str) -> Locator:
    return page.locator(f"#station-{station_id}")


async def centre(target: Locator) -> tuple[float, float]:
    box = await target.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


async def share_of_picture(page: Page, station_id: str, picture: str) -> tuple[float, float]:
    """Where the station's hotspot is, as a share (0..1) of its picture's width and height."""
    pos: list[float] = await page.locator(f'[data-pos="{station_id}"]').evaluate(
        """(item, picture) => {
            const box = item.closest(picture).getBoundingClientRect();
            const r = item.getBoundingClientRect();
            return [(r.left - box.left) / (box.width - r.width),
                    (r.top - box.top) / (box.height - r.height)];
        }""",
        picture,
    )
    return pos[0], pos[1]


async def placed(fac: LiveClient, station_id: str, n: int) -> dict[str, int]:
    """The n-th `hall.station_placed` of this station (1-based), as the facilitator's socket saw
    it."""
    found = await fac.wait_for(
        lambda c: (
            e[n - 1]
            if len(
                e := [
                    d for d in events_of(c, "hall.station_placed") if d["station_id"] == station_id
                ]
            )
            >= n
            else None
        )
    )
    return {"x": int(found["x"]), "y": int(found["y"])}


async def test_a_station_opened_counts_even_when_the_hall_script_arrives_after_the_socket(
    single: ServerProcess,
) -> None:
    """Over slow venue Wi-Fi the hall's script can arrive after the live socket has opened.
    It used to keep its own copy of the socket from the "connected" event, which it had
    missed, and then never said which station was open: the facilitator's count stayed 0."""
    async with (
        hall_workshop(single) as h,
        chromium() as browser,
        device(browser, "tablet", tablet=True) as tablet,
    ):
        socket_open = asyncio.Event()
        tablet.page.on("websocket", lambda _ws: socket_open.set())

        async def hall_script_late(route: Route) -> None:
            await socket_open.wait()
            await asyncio.sleep(0.5)  # the socket's "connected" event has long fired
            await route.continue_()

        await tablet.context.route("**/static/hall.js", hall_script_late)
        await tablet.join(single.url, h.code, "Bo", "Borger")
        assert socket_open.is_set()
        await hotspot(tablet.page, h.programme).tap()
        await expect(panel(tablet.page, h.programme)).to_be_visible()
        await h.fac.wait_for(lambda c: stations_counted(c) == {h.programme: 1})
        await tablet.page.keyboard.press("Escape")
        await h.fac.wait_for(lambda c: stations_counted(c) == {})


async def test_tap_stations_on_a_tablet_then_the_text_view_by_keyboard(
    single: ServerProcess,
) -> None:
    async with (
        hall_workshop(single) as h,
        chromium() as browser,
        device(browser, "tablet", tablet=True) as tablet,
        device(browser, "facilitator", tablet=False) as f,
    ):
        helpline = await add_station(
            h.fac, HALL, "helpline", "Hjælpelinjen", phone="+45 45 97 30 00", body="Ring *gerne*."
        )
        await ok(h.fac, "station.place", station_id=helpline, x=3000, y=8500)
        await tablet.join(single.url, h.code, "Bo", "Borger")
        await tablet.wait_online()  # the count below is presence: it needs the live socket
        t = tablet.page
        assert await t.title() == "Visionsworkshop · Samskab"
        # Both stations sit on the picture where the facilitator put them, with their titles.
        prog = hotspot(t, h.programme)
        await expect(prog).to_be_visible()
        await expect(prog).to_contain_text("Dagens program")
        x, y = await share_of_picture(t, h.programme, ".hall-picture")
        assert abs(x - 0.25) < 0.02 and abs(y - 0.30) < 0.02, (x, y)
        for b in (prog, hotspot(t, h.rules)):
            box = await b.bounding_box()
            assert box is not None and box["width"] >= 44 and box["height"] >= 44

        # A tap opens the programme; nobody's item is "now" yet.
        await prog.tap()
        dlg = panel(t, h.programme)
        await expect(dlg).to_be_visible()
        await expect(dlg.locator(".programme-item")).to_have_count(3)
        assert await dlg.locator('[aria-current="step"]').count() == 0
        # The facilitator sees one participant at the programme (presence per station).
        await h.fac.wait_for(lambda c: stations_counted(c) == {h.programme: 1})

        # The facilitator moves the programme on from their own page: live on the tablet.
        await log_in(f, single.url)
        await f.page.goto(f"{single.url}/f/workshops/{h.workshop_id}")
        await f.wait_online()
        badge = hotspot(f.page, h.programme).locator(".hotspot-count")
        await expect(badge).to_have_text("1, 1 her")  # "1" shown, "1 her" said
        await hotspot(f.page, h.programme).click()
        fdlg = panel(f.page, h.programme)
        await fdlg.get_by_role("button", name="Næste").click()
        now = dlg.locator('[aria-current="step"]')
        await expect(now).to_contain_text("Velkomst", timeout=LIVE_MS)
        await expect(now).to_contain_text("Nu")
        await fdlg.get_by_role("button", name="Næste").click()
        await expect(now).to_contain_text("Gruppearbejde", timeout=LIVE_MS)
        await expect(dlg.locator('[aria-current="step"]')).to_have_count(1)
        await expect(dlg).to_be_visible()  # the live update kept the panel open
        await expect(t.locator("#hall-status")).to_contain_text("Dagens program: nu Gruppearbejde")

        # Escape closes it, and the focus is back on the station.
        await t.keyboard.press("Escape")
        await expect(dlg).to_be_hidden()
        await expect(prog).to_be_focused()
        await h.fac.wait_for(lambda c: stations_counted(c) == {})

        # "Bring everyone here": the rules open on the tablet by themselves, and only once.
        await f.page.keyboard.press("Escape")
        await hotspot(f.page, h.rules).click()
        await panel(f.page, h.rules).get_by_role("button", name="Saml alle her").click()
        spotlit = panel(t, h.rules)
        await expect(spotlit).to_be_visible(timeout=LIVE_MS)
        await expect(spotlit).to_contain_text("Facilitatoren har samlet alle her.")
        await expect(t.locator("#hall-status")).to_contain_text("samler alle ved: Husregler")
        await t.keyboard.press("Escape")
        await expect(spotlit).to_be_hidden()
        await expect(prog).to_be_focused()
        await ok(h.fac, "programme.set", station_id=h.programme, item=2)
        await expect(now).to_contain_text("Frokost", timeout=LIVE_MS)
        await t.wait_for_timeout(300)
        await expect(spotlit).to_be_hidden()  # a re-render does not bring it back
        stop = panel(f.page, h.rules).get_by_role("button", name="Stop med at samle alle her")
        await stop.click()
        await expect(
            panel(f.page, h.rules).get_by_role("button", name="Saml alle her")
        ).to_be_visible(timeout=LIVE_MS)
        await f.page.keyboard.press("Escape")

        # "Call me" at the help-line: the facilitator is alerted and marks it handled.
        await hotspot(t, helpline).tap()
        call = panel(t, helpline)
        await expect(call.locator('a[href="tel:+4545973000"]')).to_have_text("+45 45 97 30 00")
        await call.locator("textarea[name=message]").fill("Jeg kan ikke finde grupperummet")
        await call.get_by_role("button", name="Ring til mig").tap()
        await expect(call.locator(".call-status")).to_contain_text(
            "Vi ringer til dig", timeout=LIVE_MS
        )
        await expect(call.locator(".call-status")).to_be_focused()
        await expect(f.page.locator("#hall-alert")).to_have_text(
            "Bo beder om at blive ringet op: Jeg kan ikke finde grupperummet", timeout=LIVE_MS
        )
        waiting = f.page.locator("#hall-calls")
        await expect(waiting).to_contain_text("1 venter på at blive ringet op")
        await expect(waiting).to_contain_text("Jeg kan ikke finde grupperummet")
        await waiting.get_by_role("button", name="Håndteret").click()
        await expect(call.get_by_role("button", name="Ring til mig")).to_be_visible(timeout=LIVE_MS)
        await expect(waiting).to_contain_text("0 venter på at blive ringet op")
        assert "Jeg kan ikke finde" not in await waiting.inner_text()
        await t.keyboard.press("Escape")
        await expect(call).to_be_hidden()

        # The text view, keyboard only: Tab to the toggle, Enter; Tab to the rules, Enter.
        toggle = t.locator("#hall-text-toggle")
        await tab_to(t, lambda: toggle)
        await t.keyboard.press("Enter")
        await expect(toggle).to_have_attribute("aria-pressed", "true")
        await expect(t.locator("#hall-text")).to_be_visible()
        await expect(t.locator("#hall-rooms")).to_be_hidden()
        listed = t.locator("#tv-" + h.rules)
        await tab_to(t, lambda: listed)
        await t.keyboard.press("Enter")
        rules = panel(t, h.rules)
        await expect(rules).to_be_visible()
        await expect(rules.locator(".markdown li")).to_have_count(2)
        await expect(rules.locator("a[href='https://www.ltk.dk']")).to_have_attribute(
            "rel", "noopener noreferrer nofollow"
        )
        focused_inside: bool = await rules.evaluate("d => d.contains(document.activeElement)")
        assert focused_inside
        await t.keyboard.press("Tab")
        await expect(rules.get_by_role("button", name="Luk")).to_be_focused()
        await t.keyboard.press("Escape")
        await expect(rules).to_be_hidden()
        await expect(listed).to_be_focused()
        assert not tablet.page_errors and not f.page_errors, (tablet.page_errors, f.page_errors)


async def test_the_facilitator_places_stations_by_drag_and_by_arrow_keys(
    single: ServerProcess, tmp_path: Path
) -> None:
    async with (
        hall_workshop(single) as h,
        chromium() as browser,
        device(browser, "tablet", tablet=True) as tablet,
        device(browser, "facilitator", tablet=False) as f,
    ):
        await tablet.join(single.url, h.code, "Bo", "Borger")
        await log_in(f, single.url)
        page = f.page
        await page.goto(f"{single.url}/f/workshops/{h.workshop_id}/hall")
        await f.wait_online()
        assert await page.title() == "Det virtuelle rådhus · Visionsworkshop · Samskab"

        # Drag the programme with the mouse to 60 % across, 70 % down.
        station = page.locator(f"#he-hs-{h.programme}")
        picture = page.locator("#he-room-hall .he-picture")
        await picture.scroll_into_view_if_needed()
        box = await picture.bounding_box()
        assert box is not None
        x0, y0 = await centre(station)
        x1, y1 = box["x"] + 0.6 * box["width"], box["y"] + 0.7 * box["height"]
        await page.mouse.move(x0, y0)
        await page.mouse.down()
        for i in range(1, 11):
            await page.mouse.move(x0 + (x1 - x0) * i / 10, y0 + (y1 - y0) * i / 10)
        await page.mouse.up()
        dropped = await placed(h.fac, h.programme, 2)  # the first was the setup's
        assert abs(dropped["x"] - 6000) <= 150 and abs(dropped["y"] - 7000) <= 150, dropped
        await expect(station).to_be_focused()
        item = tablet.page.locator(f'[data-pos="{h.programme}"]')
        await expect(item).to_have_attribute("data-x", str(dropped["x"]), timeout=LIVE_MS)
        x, y = await share_of_picture(tablet.page, h.programme, ".hall-picture")
        assert abs(x - dropped["x"] / 10000) < 0.02 and abs(y - dropped["y"] / 10000) < 0.02

        # A new station by the editor's form: placed in the middle, then moved by keyboard.
        await (
            page.locator("#he-room-hall details", has_text="Tilføj en station")
            .locator("summary")
            .click()
        )
        await page.select_option(f"#he-new-kind-{HALL}", "info")
        await page.fill(f"#he-new-title-{HALL}", "Kaffe og kage")
        await page.locator("#he-room-hall").get_by_role("button", name="Tilføj station").click()
        new = page.locator("#he-room-hall .he-hotspot", has_text="Kaffe og kage")
        await expect(new).to_be_focused(timeout=LIVE_MS)  # ready for the arrow keys
        new_id = str(await new.get_attribute("data-place"))
        await page.keyboard.press("ArrowRight")
        await page.keyboard.press("ArrowRight")
        await page.keyboard.press("Shift+ArrowDown")
        await expect(page.locator("#he-status")).to_contain_text(
            "Kaffe og kage flyttet: 52 % fra venstre, 55 % fra toppen"
        )
        last = await placed(h.fac, new_id, 3)
        assert last == {"x": 5200, "y": 5500}, last
        await expect(new).to_be_focused()
        moved = tablet.page.locator(f'[data-pos="{new_id}"]')
        await expect(moved).to_have_attribute("data-x", "5200", timeout=LIVE_MS)
        await expect(moved).to_have_attribute("data-y", "5500")
        await expect(tablet.page.locator(f"#hs-{new_id}")).to_contain_text("Kaffe og kage")
        # Its text through the edit form, live in the participant's panel.
        await page.locator(f"#he-station-{new_id} > summary").click()
        await page.fill(f"#he-body-{new_id}", "Der er **kage** kl. 14.")
        await (
            page.locator(f"#he-station-{new_id}")
            .get_by_role("button", name="Gem stationen")
            .click()
        )
        await expect(tablet.page.locator(f"#station-{new_id} .markdown strong")).to_have_text(
            "kage", timeout=LIVE_MS
        )

        # A picture uploaded through the form becomes the hall's picture on the tablet.
        png = tmp_path / "sal.png"
        Image.new("RGB", (320, 200), (200, 220, 240)).save(png)
        upload = page.locator("form[data-upload]")
        await upload.locator("select[name=kind]").select_option("image")
        await upload.locator("input[type=file]").set_input_files(png)
        await upload.get_by_role("button", name="Upload").click()
        await expect(page.locator("#he-upload-status")).to_contain_text(
            "er uploadet", timeout=LIVE_MS
        )
        picture_choice = page.locator(f"#he-room-picture-{HALL} option", has_text="sal")
        await expect(picture_choice).to_have_count(1, timeout=LIVE_MS)
        asset_id = str(await picture_choice.get_attribute("value"))
        await (
            page.locator("#he-room-hall details", has_text="Indstillinger for rummet")
            .locator("summary")
            .click()
        )
        await page.select_option(f"#he-room-picture-{HALL}", asset_id)
        await page.locator("#he-room-hall").get_by_role("button", name="Gem rummet").click()
        img = tablet.page.locator(f"#hall-room-{HALL} img.hall-img")
        await expect(img).to_have_attribute(
            "src", f"/w/{h.code}/assets/{asset_id}", timeout=LIVE_MS
        )
        # The participant's browser really got the picture (it may still be loading).
        width = await img.evaluate(
            "i => i.complete && i.naturalWidth ? i.naturalWidth : new Promise(r => "
            "{ i.addEventListener('load', () => r(i.naturalWidth), {once: true}); "
            "i.addEventListener('error', () => r(0), {once: true}); })"
        )
        assert width == 320
        assert not tablet.page_errors and not f.page_errors, (tablet.page_errors, f.page_errors)


async def test_a_wrong_answer_keeps_the_break_room_shut_a_right_one_opens_it(
    single: ServerProcess,
) -> None:
    async with (
        hall_workshop(single) as h,
        chromium() as browser,
        device(browser, "tablet", tablet=True) as tablet,
    ):
        pause = await add_room(h.fac, "Kaffepausen", "break")
        music = await upload_music(h.fac_session, h.workshop_id)
        await ok(
            h.fac, "room.edit", room_id=pause, title="Kaffepausen", picture_id="", music_id=music
        )
        quiz = await add_station(
            h.fac, HALL, "quiz", "Quiz om byrådet", quiz=QUIZ, target_room_id=pause
        )
        await add_station(h.fac, pause, "info", "Kaffe på bordet", body="Tag en kop.")
        await tablet.join(single.url, h.code, "Bo", "Borger")
        t = tablet.page
        assert "Kaffe på bordet" not in await t.content()
        await expect(t.locator(f"#hall-room-{pause}")).to_have_count(0)

        await hotspot(t, quiz).tap()
        dlg = panel(t, quiz)
        await expect(dlg).to_be_visible()
        await dlg.get_by_label("19").tap()  # wrong
        await dlg.get_by_label("Borgmesteren").tap()  # right
        await dlg.get_by_role("button", name="Svar").tap()
        wrong = message("hall.quiz_wrong", "da", right=1, total=2)
        await expect(dlg.locator("[data-hall-error]")).to_have_text(wrong, timeout=LIVE_MS)
        await expect(t.locator("#flash")).to_have_text(wrong)
        await expect(t.locator(f"#hall-room-{pause}")).to_have_count(0)
        assert "Kaffe på bordet" not in await t.content()

        await dlg.get_by_label("21").tap()
        await dlg.get_by_role("button", name="Svar").tap()
        room = t.locator(f"#hall-room-{pause}")
        await expect(room).to_be_visible(timeout=LIVE_MS)
        await expect(dlg).to_be_hidden()
        await expect(t.locator(f"#hall-room-title-{pause}")).to_be_focused()
        await expect(room).to_have_class("hall-room kind-break")
        green = await room.evaluate("r => getComputedStyle(r).borderTopColor")
        assert green == "rgb(30, 107, 46)", green
        assert "break.svg" in str(await room.locator("img.hall-img").get_attribute("src"))
        await expect(room.locator(".hotspot")).to_contain_text("Kaffe på bordet")
        audio = room.locator("audio")
        await expect(audio).to_have_count(1)
        await t.wait_for_timeout(500)
        state = await audio.evaluate("a => [a.paused, a.loop, a.autoplay, a.preload]")
        assert state == [True, True, False, "none"], state
        await expect(t.locator("#hall-status")).to_contain_text("Rigtigt svar")
        # Back to the hall by its button.
        await room.get_by_role("button", name="Tilbage til byrådssalen").tap()
        await expect(hotspot(t, quiz)).to_be_visible()
        await expect(room).to_be_hidden()
        assert not tablet.page_errors, tablet.page_errors


@pytest.mark.skipif(not AXE, reason="SAMSKAB_AXE (set by scripts/test) names axe.min.js")
async def test_axe_finds_no_serious_problem_in_the_hall_the_text_view_and_the_editor(
    single: ServerProcess, tmp_path: Path
) -> None:
    async with (
        hall_workshop(single) as h,
        chromium() as browser,
        device(browser, "tablet", tablet=True, inject_scripts=True) as tablet,
        device(browser, "facilitator", tablet=False, inject_scripts=True) as f,
    ):
        pause = await add_room(h.fac, "Kaffepausen", "break")
        await add_station(h.fac, HALL, "quiz", "Quiz", quiz=QUIZ, target_room_id=pause)
        await add_station(h.fac, HALL, "helpline", "Hjælp", phone="+45 45 97 30 00", body="Ring")
        await add_station(
            h.fac, HALL, "plan", "Tidsplan", milestones="[x] marts 2027 | Borgermøde\nmaj | Byråd"
        )
        await ok(h.fac, "programme.set", station_id=h.programme, item=0)
        await tablet.join(single.url, h.code, "Bo", "Borger")
        t = tablet.page
        problems: dict[str, list[str]] = {}
        problems["hall"] = await serious_violations(t)
        problems["hall targets"] = await small_targets(t)
        width = await t.evaluate("document.documentElement.scrollWidth")
        assert width <= 768, f"the hall scrolls sideways on a 768 px tablet: {width}px"
        await t.screenshot(path=tmp_path / "hall-tablet.png", full_page=True)
        await hotspot(t, h.programme).tap()
        await expect(panel(t, h.programme)).to_be_visible()
        problems["programme panel"] = await serious_violations(t)
        problems["panel targets"] = await small_targets(t)
        await t.screenshot(path=tmp_path / "hall-programme.png")
        await t.keyboard.press("Escape")
        await t.locator("#hall-text-toggle").tap()
        await expect(t.locator("#hall-text")).to_be_visible()
        problems["text view"] = await serious_violations(t)
        problems["text view targets"] = await small_targets(t)

        await log_in(f, single.url)
        for name, path in (
            ("editor", f"/f/workshops/{h.workshop_id}/hall"),
            ("facilitator", f"/f/workshops/{h.workshop_id}"),
        ):
            await f.page.goto(single.url + path)
            await f.wait_online()
            problems[name] = await serious_violations(f.page)
            await f.page.screenshot(path=tmp_path / f"hall-{name}.png", full_page=True)
        await f.page.goto(f"{single.url}/f/workshops/{h.workshop_id}/hall?preview=participant")
        await expect(hotspot(f.page, h.programme)).to_be_visible()
        problems["preview"] = await serious_violations(f.page)
        found = {k: v for k, v in problems.items() if v}
        assert not found, json.dumps(found, indent=1, ensure_ascii=False)


XSS_MARKDOWN = "\n\n".join(
    [*XSS_TEXTS, "[klik](javascript:window.__xss=4)", '<a href="javascript:window.__xss=5">a</a>']
)


async def nothing_ran(page: Page, root: str = "#hall") -> None:
    assert await page.evaluate("typeof window.__xss") == "undefined"
    injected = f"#xss-link, #xss-button, img[src=x], img[src=y], {root} svg, {root} script"
    assert await page.locator(injected).count() == 0
    assert await page.locator(f'{root} a[href^="javascript:"]').count() == 0
    assert await page.locator(root).count() == 1  # no injected swap replaced it


async def test_hostile_text_in_the_hall_renders_as_inert_text(single: ServerProcess) -> None:
    dialogs: list[str] = []
    async with (
        hall_workshop(single) as h,
        chromium() as browser,
        device(browser, "participant", tablet=True) as p,
        device(browser, "facilitator", tablet=False) as f,
    ):
        for d in (p, f):
            d.page.on("dialog", lambda dlg: dialogs.append(dlg.message))
        titles = [text[:80] for text in XSS_TEXTS]
        stations = []
        for i, title in enumerate(titles):
            sid = await add_station(h.fac, HALL, "info", title, body=XSS_MARKDOWN)
            await ok(h.fac, "station.place", station_id=sid, x=1000 + 1000 * i, y=8000)
            stations.append(sid)
        await ok(
            h.fac,
            "station.edit",
            station_id=h.programme,
            title="Dagens program",
            items="\n".join(f"0{i}:00 {text}" for i, text in enumerate(XSS_TEXTS)),
        )
        await ok(h.fac, "programme.set", station_id=h.programme, item=1)
        room = await add_room(h.fac, XSS_NAME, "room")
        quiz_text = f"{XSS_TEXTS[1]}\n- {XSS_TEXTS[2]}\n* {XSS_TEXTS[5]}"
        quiz = await add_station(
            h.fac, HALL, "quiz", XSS_TEXTS[0][:80], quiz=quiz_text, target_room_id=room
        )
        await p.join(single.url, h.code, XSS_NAME, "Borger")
        await log_in(f, single.url)

        pages = (
            (p, f"/w/{h.code}"),
            (f, f"/f/workshops/{h.workshop_id}"),
            (f, f"/f/workshops/{h.workshop_id}/hall"),
        )
        for d, path in pages:
            page = d.page
            if page.url != single.url + path:
                await page.goto(single.url + path)
                await d.wait_online()
            if path.endswith("/hall"):
                for sid, title in zip(stations, titles, strict=True):
                    await expect(page.locator(f"#he-hs-{sid} .station-title")).to_have_text(title)
                await nothing_ran(page, "#hall-editor")
                continue
            for sid, title in zip(stations, titles, strict=True):
                await expect(hotspot(page, sid).locator(".station-title")).to_have_text(title)
            # Every panel opened from the text view (the hotspots overlap on purpose).
            await page.locator("#hall-text-toggle").click()
            await expect(page.locator("#hall-text")).to_contain_text(XSS_NAME)
            for sid in [*stations, h.programme, quiz]:
                await page.locator(f"#tv-{sid}").click()
                dlg = panel(page, sid)
                await expect(dlg).to_be_visible()
                await dlg.hover()
                await page.keyboard.press("Escape")
                await expect(dlg).to_be_hidden()
            await page.locator("#hall-text-toggle").click()
            prog = panel(page, h.programme)
            await expect(prog.locator(".item-text").nth(0)).to_have_text(XSS_TEXTS[0])
            await expect(prog.locator(".programme-item.current .item-text")).to_have_text(
                XSS_TEXTS[1]
            )
            await expect(panel(page, quiz)).to_contain_text(XSS_TEXTS[1])
            await expect(panel(page, quiz)).to_contain_text(XSS_TEXTS[5])
            await expect(panel(page, stations[0]).locator(".markdown")).to_contain_text(
                "window.__xss=(window.__xss||0)+1"
            )
            await nothing_ran(page)
        await p.page.reload()
        await p.wait_online()
        await nothing_ran(p.page)
        assert dialogs == []
        assert not p.page_errors and not f.page_errors, (p.page_errors, f.page_errors)


async def test_a_finger_places_a_station_in_the_editor_and_a_door_leads_to_a_group_room(
    single: ServerProcess,
) -> None:
    """The editor on a touch tablet: the facilitator drags a station with a finger. The
    participant taps a door, sees the group room with its own station, and comes back."""
    async with (
        hall_workshop(single) as h,
        chromium() as browser,
        device(browser, "participant", tablet=True) as tablet,
        device(browser, "facilitator", tablet=True) as f,
    ):
        group = await add_room(h.fac, "Gruppe A", "room")
        inside = await add_station(h.fac, group, "info", "Gruppens opgave", body="Tal om *trafik*.")
        door = await add_station(h.fac, HALL, "door", "Til gruppe A", target_room_id=group)
        await ok(h.fac, "station.place", station_id=door, x=5000, y=8000)

        await log_in(f, single.url)
        page = f.page
        await page.goto(f"{single.url}/f/workshops/{h.workshop_id}/hall")
        await f.wait_online()
        station = page.locator(f"#he-hs-{h.rules}")
        target = page.locator("#he-room-hall .he-picture")
        await target.scroll_into_view_if_needed()
        # A finger from the rules (75 %, 60 %) towards the picture's centre.
        await touch_drag(page, station, target)
        dropped = await placed(h.fac, h.rules, 2)  # the first was the setup's
        assert dropped != {"x": 7500, "y": 6000}, dropped
        assert abs(dropped["x"] - 5000) <= 400, dropped

        await tablet.join(single.url, h.code, "Bo", "Borger")
        t = tablet.page
        await tablet.press_or_tap(hotspot(t, door))
        title = t.locator(f"#hall-room-title-{group}")
        await expect(title).to_be_visible(timeout=LIVE_MS)
        await expect(title).to_have_text("Gruppe A")
        await expect(hotspot(t, inside)).to_be_visible()
        await expect(hotspot(t, h.programme)).to_be_hidden()
        await tablet.press_or_tap(hotspot(t, inside))
        await expect(panel(t, inside).locator(".markdown em")).to_have_text("trafik")
        await t.keyboard.press("Escape")
        back = t.locator(f"#hall-room-{group}").get_by_role(
            "button", name="Tilbage til byrådssalen"
        )
        await tablet.press_or_tap(back)
        await expect(hotspot(t, h.programme)).to_be_visible(timeout=LIVE_MS)
        assert not tablet.page_errors and not f.page_errors, (tablet.page_errors, f.page_errors)
