"""The board in real browsers (Debian's Chromium through Playwright) against a real server:
drag on a touch tablet, the same moves by keyboard, typing that survives live updates, hostile
text that stays text, and axe-core on every page a workshop shows."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Locator, Page, expect

from tests.browser import LIVE_MS, Device, chromium, device, tab_to
from tests.support import FACILITATOR, PASSWORD, Browserless, LiveClient, ServerProcess, query
from tests.system.test_boards import add_note, last_event, new_board, ok

pytestmark = [pytest.mark.browser, pytest.mark.system, pytest.mark.timeout(240)]


@dataclass
class Workshop:
    server: ServerProcess
    fac_session: Browserless
    fac: LiveClient  # the facilitator's JSON socket: sets boards up as the dashboard would
    workshop_id: str
    code: str
    board: dict[str, Any]

    def column_id(self, i: int) -> str:
        return str(self.board["columns"][i]["id"])


@asynccontextmanager
async def workshop_with_board(
    server: ServerProcess, template: str = "idea_bank", title: str = "Idébank"
) -> AsyncIterator[Workshop]:
    fac_s = Browserless(server.url)
    assert (await fac_s.login()).status_code == 200
    wid, code = await fac_s.create_workshop()
    fac = await LiveClient.connect(server.ws_url, wid, fac_s)
    try:
        await fac.wait_for(lambda c: c.seq is not None)
        board = await new_board(fac, title, template)
        await ok(fac, "board.show", board_id=board["board_id"])
        yield Workshop(server, fac_s, fac, wid, code, board)
    finally:
        await fac.close()
        await fac_s.aclose()


async def log_in(d: Device, base_url: str) -> None:
    await d.page.goto(f"{base_url}/login")
    await d.page.fill("#name", FACILITATOR)
    await d.page.fill("#password", PASSWORD)
    await d.page.get_by_role("button", name="Log ind").click()


def note(page: Page, text: str) -> Locator:
    return page.locator("li.note", has=page.locator(".note-text", has_text=text))


async def column_title_of(page: Page, text: str) -> str:
    title: str = await note(page, text).evaluate(
        "n => n.closest('section.column').querySelector('.column-title').textContent.trim()"
    )
    return title


async def texts_in_column(page: Page, column_id: str) -> list[str]:
    return await page.locator(f"#column-body-{column_id} li.note .note-text").all_inner_texts()


async def touch_drag(page: Page, source: Locator, target: Locator, steps: int = 15) -> None:
    """A finger on the drag handle, moved to the target and lifted: real touch events through
    the browser's input pipeline (Chromium turns them into pointer events, as on an iPad)."""
    await source.scroll_into_view_if_needed()
    s = await source.bounding_box()
    t = await target.bounding_box()
    assert s is not None and t is not None
    x0, y0 = s["x"] + s["width"] / 2, s["y"] + s["height"] / 2
    x1, y1 = t["x"] + t["width"] / 2, t["y"] + min(t["height"] / 2, 30)
    cdp = await page.context.new_cdp_session(page)
    await cdp.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]}
    )
    for i in range(1, steps + 1):
        x, y = x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps
        await cdp.send(
            "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]}
        )
        await page.wait_for_timeout(25)
    await cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    await cdp.detach()


async def stored_column_of(database_url: str, text: str) -> str:
    rows = await query(database_url, "SELECT column_id FROM notes WHERE text = :t", t=text)
    assert len(rows) == 1
    return str(rows[0].column_id)


async def test_drag_on_a_touch_tablet_and_the_same_moves_by_keyboard(
    single: ServerProcess, tmp_path: Path
) -> None:
    async with (
        workshop_with_board(single) as w,
        chromium() as browser,
        device(browser, "tablet", tablet=True) as tablet,
        device(browser, "desktop", tablet=False) as desktop,
    ):
        await tablet.join(single.url, w.code, "Bo", "Borger")
        await desktop.join(single.url, w.code, "Mette", "Politiker")
        first, second, third = (w.column_id(i) for i in range(3))
        await tablet.tap_note("Cykelstier overalt")
        await tablet.wait_acknowledged()
        await expect(note(desktop.page, "Cykelstier overalt")).to_be_visible(timeout=LIVE_MS)

        # Drag with a finger from "Idéer" into "Semifinale".
        handle = note(tablet.page, "Cykelstier overalt").locator(".drag-handle")
        await touch_drag(tablet.page, handle, tablet.page.locator(f"#notes-{second}-loose"))
        for d in (tablet, desktop):
            await expect(d.page.locator(f"#column-body-{second} li.note")).to_have_count(
                1, timeout=LIVE_MS
            )
        assert await texts_in_column(desktop.page, second) == ["Cykelstier overalt"]
        assert await stored_column_of(single.env["DATABASE_URL"], "Cykelstier overalt") == second
        await tablet.page.screenshot(path=tmp_path / "tablet-after-drag.png")

        # The same kind of move by keyboard only: Tab to "move to the next column", Enter.
        page = desktop.page
        right = note(page, "Cykelstier overalt").locator("[data-move=right]")
        await tab_to(page, lambda: right)
        await page.keyboard.press("Enter")
        for d in (tablet, desktop):
            await expect(d.page.locator(f"#column-body-{third} li.note")).to_have_count(
                1, timeout=LIVE_MS
            )
        assert await stored_column_of(single.env["DATABASE_URL"], "Cykelstier overalt") == third
        # The keyboard user is still on the note they moved, ready for the next move.
        await expect(note(page, "Cykelstier overalt").locator("[data-move=right]")).to_be_focused()
        await page.keyboard.press("Shift+Tab")  # back to "move to the previous column"
        await expect(note(page, "Cykelstier overalt").locator("[data-move=left]")).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(page.locator(f"#column-body-{second} li.note")).to_have_count(
            1, timeout=LIVE_MS
        )

        # Reordering within a column by keyboard: the second note goes up to the top.
        for text in ("Grønne tage", "Flere bænke"):
            await add_note(w.fac, text, w.board, 0)
        await expect(page.locator(f"#column-body-{first} li.note")).to_have_count(
            2, timeout=LIVE_MS
        )
        up = note(page, "Flere bænke").locator("[data-move=up]")
        await tab_to(page, lambda: up)
        await page.keyboard.press("Enter")
        for d in (tablet, desktop):
            await expect(d.page.locator(f"#column-body-{first} li.note .note-text")).to_have_text(
                ["Flere bænke", "Grønne tage"], timeout=LIVE_MS
            )
        # Into a group and out again by keyboard: up from the top of the loose notes goes into
        # the group above, down from the bottom of the group comes back out.
        await ok(w.fac, "cluster.add", column_id=first, title="Natur")
        group = await w.fac.wait_for(lambda c: last_event(c, "cluster.added", lambda d: True))
        in_group = page.locator(f"#notes-{first}-{group['cluster_id']} li.note .note-text")
        await expect(page.locator(f"#cluster-{group['cluster_id']}")).to_be_visible(timeout=LIVE_MS)
        up = note(page, "Flere bænke").locator("[data-move=up]")
        await tab_to(page, lambda: up)
        await page.keyboard.press("Enter")
        await expect(in_group).to_have_text(["Flere bænke"], timeout=LIVE_MS)
        await expect(note(page, "Flere bænke").locator("[data-move=up]")).to_be_focused()
        await page.keyboard.press("Tab")
        await expect(note(page, "Flere bænke").locator("[data-move=down]")).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(in_group).to_have_count(0, timeout=LIVE_MS)
        await expect(page.locator(f"#notes-{first}-loose li.note .note-text")).to_have_text(
            ["Flere bænke", "Grønne tage"]
        )
        assert not tablet.page_errors and not desktop.page_errors


async def test_focus_and_half_typed_text_survive_ten_live_updates(single: ServerProcess) -> None:
    async with (
        workshop_with_board(single) as w,
        chromium() as browser,
        device(browser, "desktop", tablet=False) as d,
    ):
        await d.join(single.url, w.code, "Mette", "Politiker")
        page = d.page
        first, second = w.column_id(0), w.column_id(1)
        target = await add_note(w.fac, "Mere grønt", w.board, 0)
        await expect(note(page, "Mere grønt")).to_be_visible(timeout=LIVE_MS)

        # 1. A new note half typed in the first column; the caret in the middle of it.
        box = page.get_by_label("Ny note (Idéer)")
        await box.click()
        await page.keyboard.type("Halvt skrevet idé")
        for _ in range(4):
            await page.keyboard.press("ArrowLeft")
        updates: list[tuple[str, dict[str, Any]]] = [
            (
                "note.add",
                {"text": "Opdatering 1", "board_id": w.board["board_id"], "column_id": first},
            ),
            (
                "note.add",
                {"text": "Opdatering 2", "board_id": w.board["board_id"], "column_id": first},
            ),
            ("note.react", {"note_id": target}),
            ("note.move", {"note_id": target, "column_id": first, "index": 5}),
            ("column.rename", {"column_id": second, "title": "Semifinalen"}),
            ("board.settings", {"board_id": w.board["board_id"], "show_authors": False}),
            ("cluster.add", {"column_id": first, "title": "Natur"}),
            (
                "note.add",
                {"text": "Opdatering 3", "board_id": w.board["board_id"], "column_id": first},
            ),
            ("board.settings", {"board_id": w.board["board_id"], "show_authors": True}),
            ("note.edit", {"note_id": target, "version": 1, "text": "Mere grønt i byen"}),
        ]
        for type_, fields in updates:
            await ok(w.fac, type_, **fields)
        await expect(note(page, "Mere grønt i byen")).to_be_visible(timeout=LIVE_MS)
        await expect(page.locator("#column-title-" + second)).to_have_text("Semifinalen")
        await expect(note(page, "Opdatering 3")).to_be_visible()
        await expect(box).to_be_focused()
        await expect(box).to_have_value("Halvt skrevet idé")
        caret = await box.evaluate("el => [el.selectionStart, el.selectionEnd]")
        assert caret == [len("Halvt skrevet idé") - 4] * 2
        await page.keyboard.type("X")
        await expect(box).to_have_value("Halvt skrevetX idé")

        # 2. A reply half typed under a note while that very note changes ten times.
        await note(page, "Mere grønt i byen").locator("details.comments summary").click()
        reply = note(page, "Mere grønt i byen").locator("textarea[name=text]")
        await reply.click()
        await page.keyboard.type("Et svar der ikke må forsvinde")
        for i in range(10):
            if i % 2:
                await ok(w.fac, "note.react", note_id=target)
            else:
                await ok(w.fac, "comment.add", note_id=target, text=f"Kommentar {i}")
        await expect(note(page, "Mere grønt i byen").locator(".comment-list li")).to_have_count(
            5, timeout=LIVE_MS
        )
        reply = note(page, "Mere grønt i byen").locator("textarea[name=text]")
        await expect(reply).to_be_focused()
        await expect(reply).to_have_value("Et svar der ikke må forsvinde")
        await expect(note(page, "Mere grønt i byen").locator("details.comments")).to_have_attribute(
            "open", ""
        )
        assert not d.page_errors, d.page_errors


XSS_TEXTS = [
    "<script>window.__xss=(window.__xss||0)+1</script>",
    '<img src=x onerror="window.__xss=1">',
    '<svg onload="window.__xss=1"></svg>',
    '<div hx-get="/" hx-trigger="load" hx-target="body">x</div>',
    '<hx-partial hx-target="#boards" hx-swap="innerHTML">PWNED</hx-partial>',
    '"><a id="xss-link" href="javascript:window.__xss=1">klik</a>',
    "<button hx-on:click=\"window.__xss=1\" id='xss-button'>ok</button>",
    'https://example.org/"onmouseover="window.__xss=1',
]
XSS_NAME = '<img src=y onerror="window.__xss=2">'
XSS_SHORT = '<b onmouseover="window.__xss=3">'


async def nothing_ran(page: Page) -> None:
    assert await page.evaluate("typeof window.__xss") == "undefined"
    assert await page.locator("#xss-link, #xss-button, img[src=x], img[src=y]").count() == 0
    assert await page.locator("#boards .board").count() >= 1  # no injected swap replaced it


async def test_hostile_text_everywhere_renders_as_inert_text(single: ServerProcess) -> None:
    dialogs: list[str] = []
    async with (
        workshop_with_board(single, "negative", "<i>Negativ</i> brainstorm") as w,
        chromium() as browser,
        device(browser, "participant", tablet=True) as p,
        device(browser, "facilitator", tablet=False) as f,
    ):
        for d in (p, f):
            d.page.on("dialog", lambda dlg: dialogs.append(dlg.message))
        await p.join(single.url, w.code, XSS_NAME, "Borger")
        fid = w.column_id(0)
        await ok(w.fac, "column.rename", column_id=fid, title=XSS_SHORT + " kolonne")
        await ok(w.fac, "cluster.add", column_id=fid, title=XSS_SHORT + " gruppe")
        for text in XSS_TEXTS:
            await p.textarea.fill(text)
            await p.add_button.tap()
            await expect(note(p.page, text)).to_have_count(1, timeout=LIVE_MS)
        victim = last_event(
            w.fac, "note.added", lambda d: d["text"] == XSS_TEXTS[0]
        ) or await w.fac.wait_for(
            lambda c: last_event(c, "note.added", lambda d: d["text"] == XSS_TEXTS[0])
        )
        for text in XSS_TEXTS[:4]:
            await ok(w.fac, "comment.add", note_id=victim["note_id"], text=text)
        await ok(w.fac, "note.turn", note_id=victim["note_id"], text=XSS_TEXTS[4])

        # The facilitator's page, logged in from the browser.
        await log_in(f, single.url)
        await f.page.goto(f"{single.url}/f/workshops/{w.workshop_id}")
        await f.wait_online()

        for d in (p, f):
            page = d.page
            for text in XSS_TEXTS:
                await expect(page.locator("li.note .note-text", has_text=text).first).to_have_text(
                    text
                )
            await expect(page.locator(f"#column-title-{fid}")).to_have_text(XSS_SHORT + " kolonne")
            await expect(page.locator(".cluster-title").first).to_have_text(XSS_SHORT + " gruppe")
            await expect(page.locator(f"#board-title-{w.board['board_id']}")).to_have_text(
                "<i>Negativ</i> brainstorm"
            )
            await note(page, XSS_TEXTS[0]).first.locator("details.comments summary").click()
            for text in XSS_TEXTS[:4]:
                await expect(page.locator(".comment-list li", has_text=text).first).to_be_visible()
            # Hover and click over everything a user might touch.
            for n in await page.locator("li.note").all():
                await n.hover()
            await nothing_ran(page)
        await expect(note(p.page, XSS_TEXTS[1]).locator(".note-meta")).to_have_text(XSS_NAME)
        await expect(f.page.locator("#participants")).to_contain_text(XSS_NAME)
        # A reload renders the same from the database: still inert.
        await p.page.reload()
        await p.wait_online()
        await nothing_ran(p.page)
        assert dialogs == []
        assert not p.page_errors and not f.page_errors, (p.page_errors, f.page_errors)


AXE = os.environ.get("SAMSKAB_AXE", "")


async def serious_violations(page: Page) -> list[str]:
    await page.add_script_tag(path=AXE)
    result: dict[str, Any] = await page.evaluate("async () => await axe.run()")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


async def small_targets(page: Page) -> list[str]:
    """Visible controls smaller than 44 × 44 CSS pixels (WCAG 2.5.5, asked by the issue)."""
    found: list[str] = await page.evaluate(
        """() => [...document.querySelectorAll(
                'button, summary, select, textarea, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), .choice')]
            .filter(el => el.offsetParent !== null)
            .filter(el => { const r = el.getBoundingClientRect(); return r.width < 44 || r.height < 44; })
            .map(el => el.outerHTML.slice(0, 120))"""
    )
    return found


async def fill_board(w: Workshop) -> None:
    """Everything a board page can show: columns, a group, notes, comments, +1, a hidden note."""
    await ok(w.fac, "cluster.add", column_id=w.column_id(1), title="Trafik")
    ids = [await add_note(w.fac, f"Idé nummer {i}", w.board, i % 3) for i in range(4)]
    await ok(w.fac, "comment.add", note_id=ids[0], text="Godt forslag")
    await ok(w.fac, "note.react", note_id=ids[0])
    await ok(w.fac, "note.hide", note_id=ids[3], hidden=True)


@pytest.mark.skipif(not AXE, reason="SAMSKAB_AXE (set by scripts/test) names axe.min.js")
async def test_axe_finds_no_serious_problem_on_the_board_facilitator_and_screen_pages(
    single: ServerProcess, tmp_path: Path
) -> None:
    async with (
        workshop_with_board(single) as w,
        chromium() as browser,
        device(browser, "tablet", tablet=True, inject_scripts=True) as tablet,
        device(browser, "facilitator", tablet=False, inject_scripts=True) as f,
    ):
        await fill_board(w)
        await tablet.join(single.url, w.code, "Bo", "Borger")
        await tablet.tap_note("Min egen idé")
        await tablet.wait_acknowledged()
        await log_in(f, single.url)
        problems: dict[str, list[str]] = {}
        # The participant's board on a tablet in portrait: readable without sideways scrolling.
        problems["board"] = await serious_violations(tablet.page)
        problems["board targets"] = await small_targets(tablet.page)
        width = await tablet.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 768, f"the board scrolls sideways on a 768 px tablet: {width}px"
        await tablet.page.screenshot(path=tmp_path / "board-tablet.png", full_page=True)
        for name, path in (
            ("facilitator", f"/f/workshops/{w.workshop_id}"),
            ("screen", f"/f/workshops/{w.workshop_id}/screen"),
        ):
            await f.page.goto(single.url + path)
            await f.wait_online()
            await expect(f.page.locator("li.note").first).to_be_visible()
            assert await qr_loaded(f.page), f"the QR code on the {name} page did not load"
            problems[name] = await serious_violations(f.page)
            await f.page.screenshot(path=tmp_path / f"{name}.png", full_page=True)
        found = {k: v for k, v in problems.items() if v}
        assert not found, json.dumps(found, indent=1, ensure_ascii=False)


async def qr_loaded(page: Page) -> bool:
    loaded: bool = await page.locator("img.qr").evaluate(
        "img => img.complete && img.naturalWidth > 0"
    )
    return loaded


async def test_the_room_screen_follows_the_facilitator_read_only_with_the_qr_code(
    single: ServerProcess,
) -> None:
    async with (
        workshop_with_board(single) as w,
        chromium() as browser,
        device(browser, "projector", tablet=False) as screen,
    ):
        await add_note(w.fac, "Idé til skærmen", w.board, 0)
        page = screen.page
        await page.set_viewport_size({"width": 1920, "height": 1080})
        await log_in(screen, single.url)
        await page.goto(f"{single.url}/f/workshops/{w.workshop_id}/screen")
        await screen.wait_online()
        assert await qr_loaded(page)
        await expect(page.locator(".screen-join")).to_contain_text(w.code)
        board_id = w.board["board_id"]
        await expect(page.locator(f"#board-{board_id}")).to_be_visible()
        await expect(note(page, "Idé til skærmen")).to_be_visible()
        # Read only: nothing to type into and no note buttons; the board tabs are not shown.
        assert await page.locator("textarea, #boards button, #boards form").count() == 0
        await expect(page.locator("#board-tabs")).to_be_hidden()
        size = await note(page, "Idé til skærmen").evaluate(
            "n => parseFloat(getComputedStyle(n).fontSize)"
        )
        assert size >= 24, f"room-screen notes must be readable from the back of the hall: {size}px"
        # The facilitator brings everyone to another board: the screen follows, live.
        snap = (await w.fac_session.http.get(f"/api/workshops/{w.workshop_id}/snapshot")).json()
        first = snap["state"]["boards"][0]["id"]
        assert first != board_id
        await ok(w.fac, "board.show", board_id=first)
        await expect(page.locator(f"#board-{first}")).to_be_visible(timeout=LIVE_MS)
        await expect(page.locator(f"#board-{board_id}")).to_be_hidden()
        # New notes appear on the screen as they are written.
        await ok(w.fac, "note.add", text="Ny på skærmen", board_id=first)
        await expect(note(page, "Ny på skærmen")).to_be_visible(timeout=LIVE_MS)
        assert not screen.page_errors, screen.page_errors


async def test_two_editors_on_one_note_the_later_is_told_and_keeps_the_text(
    single: ServerProcess,
) -> None:
    async with (
        workshop_with_board(single) as w,
        chromium() as browser,
        device(browser, "participant", tablet=True) as p,
        device(browser, "facilitator", tablet=False) as f,
    ):
        await p.join(single.url, w.code, "Ida", "Borger")
        await p.tap_note("Flere træer")
        await p.wait_acknowledged()
        await log_in(f, single.url)
        await f.page.goto(f"{single.url}/f/workshops/{w.workshop_id}")
        await f.wait_online()
        editor_f = f.page.locator("#note-editor")
        editor_p = p.page.locator("#note-editor")

        # The facilitator opens the editor first and starts rewording.
        await note(f.page, "Flere træer").get_by_role("button", name="Ret").click()
        await expect(editor_f).to_be_visible()
        await f.page.locator("#note-editor-text").fill("Flere træer langs Lyngbyvej")
        # Ida opens her note too: the facilitator sees that someone is editing it.
        await note(p.page, "Flere træer").get_by_role("button", name="Ret").tap()
        await expect(editor_p).to_be_visible()
        await expect(note(f.page, "Flere træer").locator(".editing-hint")).to_be_visible(
            timeout=LIVE_MS
        )
        await p.page.locator("#note-editor-text").fill("Flere træer og bænke")
        await editor_p.get_by_role("button", name="Gem").tap()
        await expect(editor_p).to_be_hidden(timeout=LIVE_MS)
        await expect(note(f.page, "Flere træer og bænke")).to_be_visible(timeout=LIVE_MS)
        # Ida closed her editor: the hint goes away.
        await expect(note(f.page, "Flere træer og bænke").locator(".editing-hint")).to_be_hidden(
            timeout=LIVE_MS
        )

        # The facilitator saves second: told so, and the text is still in the editor.
        await editor_f.get_by_role("button", name="Gem").click()
        await expect(f.page.locator("#note-editor-error")).to_contain_text(
            "En anden har ændret noten", timeout=LIVE_MS
        )
        await expect(editor_f).to_be_visible()
        await expect(f.page.locator("#note-editor-text")).to_have_value(
            "Flere træer langs Lyngbyvej"
        )
        # Saving again, now knowing the other text, is a choice: it goes through.
        await editor_f.get_by_role("button", name="Gem").click()
        await expect(editor_f).to_be_hidden(timeout=LIVE_MS)
        for d in (p, f):
            await expect(note(d.page, "Flere træer langs Lyngbyvej")).to_be_visible(timeout=LIVE_MS)
        assert not p.page_errors and not f.page_errors


async def test_pause_holds_the_board_still_and_the_status_region_summarises(
    single: ServerProcess,
) -> None:
    async with (
        workshop_with_board(single) as w,
        chromium() as browser,
        device(browser, "desktop", tablet=False) as d,
    ):
        await d.join(single.url, w.code, "Mette", "Politiker")
        page = d.page
        # The board itself is not a live region: only the polite status line speaks.
        assert await page.locator("#boards[aria-live], #boards [aria-live]").count() == 0
        status = page.locator("#board-status")
        await expect(status).to_have_attribute("aria-live", "polite")
        await add_note(w.fac, "Første idé", w.board, 0)
        await expect(note(page, "Første idé")).to_be_visible(timeout=LIVE_MS)
        await expect(status).to_contain_text("nye noter: 1", timeout=LIVE_MS)
        # Paused: nothing moves on screen while the others write.
        await page.get_by_label("Sæt opdateringer på pause").check()
        await expect(page.locator("#connection")).to_have_attribute("data-state", "paused")
        await add_note(w.fac, "Mens der var pause", w.board, 0)
        await page.wait_for_timeout(1500)
        assert await note(page, "Mens der var pause").count() == 0
        # Resumed: caught up from the log at once; the summary waits its 10 s turn.
        await page.get_by_label("Sæt opdateringer på pause").uncheck()
        await expect(note(page, "Mens der var pause")).to_be_visible(timeout=LIVE_MS)
        await expect(status).to_contain_text("Tavlen er opdateret", timeout=12_000)
        assert not d.page_errors
