"""A task committee's page in real browsers (Debian's Chromium through Playwright) against a
real server: a sprint planned and its items moved on a portrait tablet by touch, the same by
keyboard only, a refusal over capacity shown where the group works, and axe-core on the
backlog, the planning and the sprint board."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Locator, Page, expect

from server.realtime.wire_fields import copenhagen_today
from tests.browser import LIVE_MS, Device, chromium, device, tab_to
from tests.support import Browserless, LiveClient, ServerProcess, query
from tests.system.test_board_browser import (
    AXE,
    log_in,
    serious_violations,
    small_targets,
    touch_drag,
)
from tests.system.test_boards import add_note, last_event, new_board, ok

pytestmark = [pytest.mark.browser, pytest.mark.system, pytest.mark.timeout(240)]


@dataclass
class Committee:
    server: ServerProcess
    fac_session: Browserless
    fac: LiveClient  # the facilitator's JSON socket: sets things up as another device would
    workshop_id: str
    code: str
    items: dict[str, str] = field(default_factory=dict)  # title -> item id
    sprints: dict[str, str] = field(default_factory=dict)  # name -> sprint id

    async def item(self, title: str, estimate: int | None) -> str:
        await ok(self.fac, "item.add", title=title, estimate=estimate, owners="Ida, Bo")
        data = await self.fac.wait_for(
            lambda c: last_event(c, "backlog.item_added", lambda d: d["title"] == title)
        )
        self.items[title] = str(data["item_id"])
        return self.items[title]

    async def sprint(self, name: str, capacity: int, goals: str = "Høre de unge") -> str:
        today = copenhagen_today()
        await ok(
            self.fac, "sprint.create", name=name, goals=goals, start=today, end=today,
            capacity=capacity,
        )  # fmt: skip
        data = await self.fac.wait_for(
            lambda c: last_event(c, "sprint.created", lambda d: d["name"] == name)
        )
        self.sprints[name] = str(data["sprint_id"])
        return self.sprints[name]


@asynccontextmanager
async def committee(
    server: ServerProcess, name: str = "Opgaveudvalg om Ungepolitik"
) -> AsyncIterator[Committee]:
    """A committee set up on the dashboard's form (points, over capacity refused)."""
    fac_s = Browserless(server.url)
    assert (await fac_s.login()).status_code == 200
    token = await fac_s.csrf("/f")
    r = await fac_s.http.post(
        "/f/committees",
        data={
            "csrf": token,
            "name": name,
            "unit": "points",
            "capacity_rule": "refuse",
            "parties": "C 13, A 2, V 1, B 1, Ø 1, F 1",
            "political_seats": "5",
            "groups": "Politiker\nBorger",
        },
    )
    assert r.status_code == 200, r.text[:1000]
    wid = str(r.url).rstrip("/").rsplit("/", 1)[1]
    code = re.search(r'class="code">([A-Z0-9]{6})<', r.text)
    assert code, r.text[:2000]
    fac = await LiveClient.connect(server.ws_url, wid, fac_s)
    try:
        await fac.wait_for(lambda c: c.seq is not None)
        yield Committee(server, fac_s, fac, wid, code.group(1))
    finally:
        await fac.close()
        await fac_s.aclose()


async def join(d: Device, base_url: str, code: str, name: str, group: str = "Borger") -> None:
    page = d.page
    await page.goto(f"{base_url}/w/{code}")
    await d.press_or_tap(page.locator("#display_name"))
    await page.keyboard.type(name)
    await d.press_or_tap(page.locator(f'input[name="group"][value="{group}"]'))
    await d.press_or_tap(page.get_by_role("button", name="Deltag"))
    await expect(page.locator("#backlog-list")).to_be_attached()
    await d.wait_online()


def card(page: Page, item_id: str) -> Locator:
    return page.locator(f"#card-{item_id}")


def column(page: Page, status: str) -> Locator:
    return page.locator(f"#board-col-{status} li.sprint-card .bl-title")


async def stored(database_url: str, item_id: str) -> Any:
    rows = await query(
        database_url,
        "SELECT sprint_id, status, board_position, position FROM backlog_items WHERE id = :i",
        i=item_id,
    )
    assert len(rows) == 1
    return rows[0]


async def test_plan_a_sprint_and_move_items_by_touch_on_a_tablet(
    single: ServerProcess, tmp_path: Path
) -> None:
    async with (
        committee(single) as c,
        chromium() as browser,
        device(browser, "tablet", tablet=True) as tablet,
        device(browser, "desktop", tablet=False) as desktop,
    ):
        a = await c.item("Spørg de unge", 3)
        b = await c.item("Kortlæg fritidstilbud", 5)
        big = await c.item("Ny ungdomsskole", 8)
        s1 = await c.sprint("Sprint 1", capacity=10)
        await join(tablet, single.url, c.code, "Bo")
        await join(desktop, single.url, c.code, "Mette", "Politiker")
        page = tablet.page

        # The priority order by a finger: the last item dragged to the top of the backlog.
        await touch_drag(
            page, page.locator(f"#item-{big} .drag-handle"), page.locator(f"#item-{a}")
        )
        for d in (tablet, desktop):
            await expect(d.page.locator("#backlog-list > li .bl-title")).to_contain_text(
                ["Ny ungdomsskole", "Spørg de unge", "Kortlæg fritidstilbud"], timeout=LIVE_MS
            )
        assert (await stored(single.env["DATABASE_URL"], big)).position == 0

        # Planning: tap "plan" twice; the total against the capacity follows on every screen.
        await page.locator(f"#plan-{s1}-{a}").tap()
        await page.locator(f"#plan-{s1}-{b}").tap()
        for d in (tablet, desktop):
            await expect(d.page.locator(f"#planned-{s1}")).to_have_text(
                "Planlagt 8 af 10 point.", timeout=LIVE_MS
            )
        # Over the capacity: refused, and said beside the plan (and in the alert at the top).
        await page.locator(f"#plan-{s1}-{big}").tap()
        refusal = "Det giver 16, men kapaciteten er 10."
        await expect(page.locator(f"#plan-error-{s1}")).to_have_text(refusal, timeout=LIVE_MS)
        await expect(page.locator("#flash")).to_have_text(refusal)
        await expect(page.locator(f"#planned-{s1}")).to_have_text("Planlagt 8 af 10 point.")

        await ok(c.fac, "sprint.start", sprint_id=s1)
        await expect(page.locator("#board-title")).to_have_text("Sprint 1", timeout=LIVE_MS)
        await expect(column(page, "todo")).to_have_text(["Spørg de unge", "Kortlæg fritidstilbud"])

        # The sprint board by touch: "Spørg de unge" from To do into Doing, then below nothing
        # into Done; the other screen and the database follow.
        await touch_drag(
            page, card(page, a).locator(".drag-handle"), page.locator("#board-col-doing")
        )
        for d in (tablet, desktop):
            await expect(column(d.page, "doing")).to_have_text(["Spørg de unge"], timeout=LIVE_MS)
        row = await stored(single.env["DATABASE_URL"], a)
        assert (row.sprint_id, row.status) == (s1, "doing")
        await touch_drag(
            page, card(page, b).locator(".drag-handle"), page.locator("#board-col-done")
        )
        for d in (tablet, desktop):
            await expect(column(d.page, "done")).to_have_text(
                ["Kortlæg fritidstilbud"], timeout=LIVE_MS
            )
        await expect(page.locator("#board-remaining")).to_have_text("Tilbage: 3 point af 8 point.")
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 768, f"the committee page scrolls sideways on a 768 px tablet: {width}px"
        await page.screenshot(path=tmp_path / "tablet-sprint-board.png", full_page=True)
        assert not tablet.page_errors and not desktop.page_errors


async def test_the_same_by_keyboard_only(single: ServerProcess) -> None:
    async with (
        committee(single) as c,
        chromium() as browser,
        device(browser, "desktop", tablet=False) as d,
    ):
        a = await c.item("Spørg de unge", 3)
        b = await c.item("Kortlæg fritidstilbud", 5)
        s1 = await c.sprint("Sprint 1", capacity=10)
        await join(d, single.url, c.code, "Mette", "Politiker")
        page = d.page

        # Backlog order: "move up" on the second item.
        up = page.locator(f"#item-up-{b}")
        await tab_to(page, lambda: up, max_presses=60)
        await page.keyboard.press("Enter")
        await expect(page.locator("#backlog-list > li .bl-title")).to_contain_text(
            ["Kortlæg fritidstilbud", "Spørg de unge"], timeout=LIVE_MS
        )
        await expect(page.locator(f"#item-up-{b}")).to_be_focused()  # ready for the next move

        # Planning by keyboard: the focus goes on to the item's "take out" in the plan.
        plan = page.locator(f"#plan-{s1}-{a}")
        await tab_to(page, lambda: plan, max_presses=80)
        await page.keyboard.press("Enter")
        await expect(page.locator(f"#planned-{s1}")).to_have_text(
            "Planlagt 3 af 10 point.", timeout=LIVE_MS
        )
        await expect(page.locator(f"#unplan-{a}")).to_be_focused()
        plan = page.locator(f"#plan-{s1}-{b}")
        await tab_to(page, lambda: plan, max_presses=80)
        await page.keyboard.press("Enter")
        await expect(page.locator(f"#planned-{s1}")).to_have_text(
            "Planlagt 8 af 10 point.", timeout=LIVE_MS
        )

        await ok(c.fac, "sprint.start", sprint_id=s1)
        await expect(column(page, "todo")).to_have_text(
            ["Spørg de unge", "Kortlæg fritidstilbud"], timeout=LIVE_MS
        )
        # To the next column twice with Enter, the focus staying on the moved card's button.
        right = page.locator(f"#card-right-{a}")
        await tab_to(page, lambda: right, max_presses=80)
        await page.keyboard.press("Enter")
        await expect(column(page, "doing")).to_have_text(["Spørg de unge"], timeout=LIVE_MS)
        await expect(page.locator(f"#card-right-{a}")).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(column(page, "done")).to_have_text(["Spørg de unge"], timeout=LIVE_MS)
        await expect(page.locator(f"#card-right-{a}")).to_be_focused()
        # At the last column the button stays, does nothing and says so.
        await expect(page.locator(f"#card-right-{a}")).to_have_attribute("aria-disabled", "true")
        # Back to To do (at its end), then up above the other card.
        left = page.locator(f"#card-left-{a}")
        await tab_to(page, lambda: left)
        await page.keyboard.press("Enter")
        await expect(column(page, "doing")).to_have_text(["Spørg de unge"], timeout=LIVE_MS)
        await page.keyboard.press("Enter")
        await expect(column(page, "todo")).to_have_text(
            ["Kortlæg fritidstilbud", "Spørg de unge"], timeout=LIVE_MS
        )
        await expect(page.locator(f"#card-left-{a}")).to_be_focused()
        await page.keyboard.press("Tab")  # to "move up"
        await expect(page.locator(f"#card-up-{a}")).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(column(page, "todo")).to_have_text(
            ["Spørg de unge", "Kortlæg fritidstilbud"], timeout=LIVE_MS
        )
        row = await stored(single.env["DATABASE_URL"], a)
        assert (row.status, row.board_position) == ("todo", 0)
        assert not d.page_errors, d.page_errors


async def open_everything(page: Page) -> None:
    """Every disclosure open, so axe and the target check see every control."""
    await page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")


@pytest.mark.skipif(not AXE, reason="SAMSKAB_AXE (set by scripts/test) names axe.min.js")
async def test_axe_finds_no_serious_problem_on_the_backlog_planning_and_sprint_board(
    single: ServerProcess, tmp_path: Path
) -> None:
    async with (
        committee(single, "Opgaveudvalg <i>om</i> unge") as c,
        chromium() as browser,
        device(browser, "tablet", tablet=True, inject_scripts=True) as tablet,
        device(browser, "facilitator", tablet=False, inject_scripts=True) as f,
    ):
        ids = [await c.item(f"Opgave {i}", i + 1) for i in range(6)]
        await c.item("Ikke estimeret endnu", None)
        # A closed sprint (its report and the velocity), one running and one being planned.
        s1 = await c.sprint("Sprint 1", capacity=10)
        for item_id in ids[:2]:
            await ok(c.fac, "sprint.plan", sprint_id=s1, item_id=item_id)
        await ok(c.fac, "sprint.start", sprint_id=s1)
        await ok(c.fac, "item.status", item_id=ids[0], status="done")
        s3 = await c.sprint("Sprint 3", capacity=4, goals="Et mål\nEt andet mål")
        await ok(
            c.fac, "sprint.close", sprint_id=s1, unfinished={ids[1]: s3},
            evaluations={g: {"evaluation": "partly", "note": "Næsten"} for g in await goals(c, s1)},
        )  # fmt: skip
        s2 = await c.sprint("Sprint 2", capacity=20)
        for item_id in ids[2:5]:
            await ok(c.fac, "sprint.plan", sprint_id=s2, item_id=item_id)
        await ok(c.fac, "sprint.start", sprint_id=s2)
        await ok(c.fac, "item.status", item_id=ids[2], status="doing")
        await ok(c.fac, "item.status", item_id=ids[3], status="done")

        await join(tablet, single.url, c.code, "Bo")
        await log_in(f, single.url)
        await f.page.goto(f"{single.url}/f/workshops/{c.workshop_id}")
        await f.wait_online()
        problems: dict[str, list[str]] = {}
        for name, d in (("member", tablet), ("facilitator", f)):
            page = d.page
            await expect(page.locator(f"#report-{s1}")).to_be_visible()
            await expect(page.locator(f"#plan-{s3}")).to_be_visible()
            await expect(page.locator("#board-col-doing li")).to_have_count(1)
            problems[name] = await serious_violations(page)
            await open_everything(page)
            problems[f"{name}, everything open"] = await serious_violations(page)
            problems[f"{name} targets"] = await small_targets(page)
            await page.screenshot(path=tmp_path / f"committee-{name}.png", full_page=True)
        width = await tablet.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 768, f"the committee page scrolls sideways on a 768 px tablet: {width}px"
        await expect(f.page.locator("h1")).to_have_text("Opgaveudvalg <i>om</i> unge")
        # The projector: the same page, read-only, with how to join.
        await f.page.goto(f"{single.url}/f/workshops/{c.workshop_id}/screen")
        await f.wait_online()
        await expect(f.page.locator("#board-col-done li")).to_have_count(1)
        assert await f.page.locator("form[hx-ws\\:send]").count() == 0
        problems["screen"] = await serious_violations(f.page)
        assert problems == {k: [] for k in problems}, problems
        assert not tablet.page_errors and not f.page_errors


async def goals(c: Committee, sprint_id: str) -> list[str]:
    data = last_event(c.fac, "sprint.created", lambda d: d["sprint_id"] == sprint_id)
    return [str(g[0]) for g in data["goals"]]


async def test_move_a_meeting_note_to_the_backlog_from_the_board(single: ServerProcess) -> None:
    """The facilitator presses "Move to backlog" on a note of a meeting's board: the note says
    it is in the committee's backlog (live, no reload), the committee has the item with the
    note's text and its source, and a second press cannot make a second item."""
    async with (
        committee(single) as c,
        chromium() as browser,
        device(browser, "pc", tablet=False) as pc,
    ):
        meeting_id, _ = await c.fac_session.create_workshop("Møde 1 i udvalget")
        token = await c.fac_session.csrf("/f")
        r = await c.fac_session.http.post(
            f"/f/committees/{c.workshop_id}/meetings",
            data={"csrf": token, "workshop_id": meeting_id},
        )
        assert r.status_code in (200, 303), r.text[:500]
        meeting = await LiveClient.connect(single.ws_url, meeting_id, c.fac_session)
        try:
            await meeting.wait_for(lambda m: m.seq is not None)
            board = await new_board(meeting, "Idébank", "idea_bank")
            await add_note(meeting, "Gratis busser for unge", board)
            await log_in(pc, single.url)
            await pc.page.goto(f"{single.url}/f/workshops/{meeting_id}")
            await pc.wait_online()
            page = pc.page
            await page.locator("#board-tabs").get_by_role("button", name="Idébank").click()
            the_note = page.locator("li.note", has_text="Gratis busser for unge")
            await the_note.get_by_role("button", name=re.compile("Flyt til backlog")).click()
            await expect(the_note.locator(".in-backlog")).to_have_text(
                re.compile("I udvalgets backlog"), timeout=LIVE_MS
            )
            await expect(page.locator("#flash")).not_to_be_empty()
            added = await c.fac.wait_for(
                lambda f: last_event(
                    f, "backlog.item_added", lambda d: d["title"] == "Gratis busser for unge"
                )
            )
            assert added["source_workshop_id"] == meeting_id
            # Pressed again (another tab, a retry): still one item.
            r2 = await c.fac_session.http.post(
                f"/f/workshops/{meeting_id}/notes/{added['source_note_id']}/backlog",
                data={"csrf": await c.fac_session.csrf(f"/f/workshops/{meeting_id}")},
                headers={"HX-Request": "true"},
            )
            assert r2.status_code < 500
            rows = await query(
                single.env["DATABASE_URL"],
                "SELECT count(*) AS n FROM backlog_items WHERE workshop_id = :w",
                w=c.workshop_id,
            )
            assert rows[0][0] == 1
        finally:
            await meeting.close()
