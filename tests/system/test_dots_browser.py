"""Dot voting in real browsers (Debian's Chromium through Playwright) against a real server: a
hidden round, dots placed by touch on a tablet and by keyboard on a desktop, limits told in
#flash, nobody shown anyone else's dots, the ranking for everyone after the end, the top notes
carried to a new board, and axe-core on the board while the round runs."""

from __future__ import annotations

import json
import re
from functools import partial

import pytest
from playwright.async_api import Locator, Page, expect

from tests.browser import LIVE_MS, chromium, device, tab_to
from tests.support import ServerProcess
from tests.system.test_board_browser import (
    AXE,
    log_in,
    note,
    serious_violations,
    small_targets,
    workshop_with_board,
)
from tests.system.test_boards import add_note, last_event, ok

pytestmark = [pytest.mark.browser, pytest.mark.system, pytest.mark.timeout(240)]

IDEAS = ("Cykelstier overalt", "Grønne tage", "Flere bænke")


def dot_button(page: Page, text: str) -> Locator:
    return note(page, text).locator("[data-dot=place]")


async def mine_on(page: Page, text: str, count: int) -> None:
    await expect(note(page, text).locator(".dot-mine")).to_have_text(
        f"Dine prikker: {count}", timeout=LIVE_MS
    )


async def left(page: Page, count: int) -> None:
    await expect(page.locator(".dots-left")).to_have_text(
        f"Du har {count} af 3 prikker tilbage", timeout=LIVE_MS
    )


@pytest.mark.skipif(not AXE, reason="SAMSKAB_AXE (set by scripts/test) names axe.min.js")
async def test_a_hidden_round_by_touch_and_keyboard_then_the_ranking_and_the_semifinal(
    single: ServerProcess,
) -> None:
    async with (
        workshop_with_board(single) as w,
        chromium() as browser,
        device(browser, "tablet", tablet=True, inject_scripts=True) as tablet,
        device(browser, "desktop", tablet=False, inject_scripts=True) as desktop,
        device(browser, "facilitator", tablet=False, inject_scripts=True) as f,
    ):
        board_id = w.board["board_id"]
        for text in IDEAS:
            await add_note(w.fac, text, w.board, 0)
        await tablet.join(single.url, w.code, "Bo", "Borger")
        await desktop.join(single.url, w.code, "Mette", "Politiker")
        await ok(w.fac, "dots.start", board_id=board_id, dots_per_person=3, per_note=2, hidden=True)
        for d in (tablet, desktop):
            await left(d.page, 3)

        # Touch: two dots on one note, the third there is refused, one more elsewhere.
        t = tablet.page
        plus = note(t, IDEAS[0]).locator("[data-dot=place]")
        await expect(plus).to_have_accessible_name(f"+ prik: {IDEAS[0]}")
        await expect(note(t, IDEAS[0]).locator("[data-dot=remove]")).to_have_accessible_name(
            f"− prik: {IDEAS[0]}"
        )
        await expect(plus).not_to_have_attribute("aria-pressed", re.compile(".*"))
        await plus.tap()
        await mine_on(t, IDEAS[0], 1)
        await plus.tap()
        await mine_on(t, IDEAS[0], 2)
        await plus.tap()
        await expect(t.locator("#flash")).to_contain_text(
            "højst sætte 2 prikker på én note", timeout=LIVE_MS
        )
        await note(t, IDEAS[1]).locator("[data-dot=place]").tap()
        await mine_on(t, IDEAS[1], 1)
        await left(t, 0)
        await note(t, IDEAS[2]).locator("[data-dot=place]").tap()
        await expect(t.locator("#flash")).to_contain_text(
            "brugt alle dine prikker", timeout=LIVE_MS
        )

        # Keyboard: a dot on the third note, another on the second, then one taken back.
        p = desktop.page
        for text in (IDEAS[2], IDEAS[1]):
            await tab_to(p, partial(dot_button, p, text))
            await p.keyboard.press("Enter")
            await mine_on(p, text, 1)
            await expect(note(p, text).locator("[data-dot=place]")).to_be_focused()
        minus = note(p, IDEAS[1]).locator("[data-dot=remove]")
        await tab_to(p, lambda: minus)
        await p.keyboard.press("Enter")
        await mine_on(p, IDEAS[1], 0)
        await p.keyboard.press("Enter")
        await expect(p.locator("#flash")).to_contain_text("prik", timeout=LIVE_MS)
        await p.keyboard.press("Shift+Tab")
        await p.keyboard.press("Enter")
        await mine_on(p, IDEAS[1], 1)
        await left(p, 1)

        # Hidden: each sees their own dots only, no totals, no ranking.
        await mine_on(t, IDEAS[2], 0)
        await mine_on(p, IDEAS[0], 0)
        for page in (t, p):
            await expect(page.locator(".dot-total")).to_have_count(0)
            await expect(page.locator(".dot-ranking")).to_have_count(0)
        await left(t, 0)

        # axe-core and the 44 px targets on the board while the round runs.
        problems = {
            "tablet": await serious_violations(t),
            "tablet targets": await small_targets(t),
            "desktop": await serious_violations(p),
        }
        await log_in(f, single.url)
        await f.page.goto(f"{single.url}/f/workshops/{w.workshop_id}")
        await f.wait_online()
        await expect(note(f.page, IDEAS[0]).locator(".dot-total")).to_have_text("2 prikker")
        await f.page.locator(f"#board-{board_id} .board-controls > summary").click()
        problems["facilitator"] = await serious_violations(f.page)
        found = {k: v for k, v in problems.items() if v}
        assert not found, json.dumps(found, indent=1, ensure_ascii=False)

        # The end: everyone sees the ranking, most dots first, ties in board order.
        await ok(w.fac, "dots.end", board_id=board_id)
        for page in (t, p):
            await expect(page.locator(".dot-ranking li")).to_have_text(
                [
                    re.compile(f"{IDEAS[0]} – 2 prikker"),
                    re.compile(f"{IDEAS[1]} – 2 prikker"),
                    re.compile(f"{IDEAS[2]} – 1 prik$"),
                ],
                timeout=LIVE_MS,
            )
            await expect(page.locator("[data-dot]")).to_have_count(0)
            await expect(note(page, IDEAS[0]).locator(".dot-total")).to_have_text("2 prikker")

        # The top two go to a new board, and everyone sees it there.
        await ok(w.fac, "dots.carry", board_id=board_id, count=2, title="Semifinale")
        semi = await w.fac.wait_for(
            lambda c: last_event(c, "board.created", lambda d: d["title"] == "Semifinale")
        )
        await ok(w.fac, "board.show", board_id=semi["board_id"])
        for page in (t, p):
            await expect(
                page.locator(f"#board-{semi['board_id']} li.note .note-text")
            ).to_have_text(list(IDEAS[:2]), timeout=LIVE_MS)
        assert not tablet.page_errors and not desktop.page_errors and not f.page_errors
