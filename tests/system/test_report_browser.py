"""The workshop report in a real browser (Debian's Chromium through Playwright) against a real
server: axe-core finds no serious or critical problem on the facilitator's report page or on
the published read-only page, neither scrolls sideways on a portrait tablet, and printing
leaves the controls off the paper."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from server.realtime.memory_broker import MemoryBroker
from server.service import Service
from server.store.db import Database
from tests.browser import chromium, device
from tests.report_seed import QUESTION, seed_workshop
from tests.support import (
    FACILITATOR,
    Browserless,
    ServerProcess,
    create_facilitator,
    query,
    server_env,
)
from tests.system.test_board_browser import AXE, log_in, serious_violations, small_targets

pytestmark = [pytest.mark.browser, pytest.mark.system, pytest.mark.timeout(240)]

TABLET = 768


@dataclass
class Seeded:
    server: ServerProcess
    database_url: str
    workshop_id: str


@pytest.fixture
def env(sqlite_url: str) -> dict[str, str]:
    env = server_env(sqlite_url)
    create_facilitator(env)  # also migrates the database
    return env


@pytest.fixture
async def seeded(env: dict[str, str], sqlite_url: str, tmp_path: Path) -> Seeded:
    """The rich seeded workshop, stored before the server starts (the server reads it)."""
    rows = await query(sqlite_url, "SELECT id FROM facilitators WHERE name = :n", n=FACILITATOR)
    db = Database(sqlite_url)
    try:
        s = await seed_workshop(Service(db, MemoryBroker()), rows[0].id)
    finally:
        await db.dispose()
    return Seeded(ServerProcess(env, tmp_path), sqlite_url, s.workshop_id)


@pytest.fixture
def server(seeded: Seeded) -> Iterator[ServerProcess]:
    seeded.server.start()
    try:
        yield seeded.server
    finally:
        seeded.server.stop()


async def publish(base_url: str, workshop_id: str) -> str:
    """Publish the read-only link the way the facilitator's form does; its path."""
    fac = Browserless(base_url)
    try:
        assert (await fac.login()).status_code == 200
        token = await fac.csrf(f"/f/workshops/{workshop_id}/report")
        r = await fac.http.post(f"/f/workshops/{workshop_id}/report/publish", data={"csrf": token})
        assert r.status_code == 200, r.text[:500]
        m = re.search(r'id="public-link" type="text" readonly value="([^"]+)"', r.text)
        assert m, r.text[:2000]
        return m.group(1).removeprefix(base_url)
    finally:
        await fac.aclose()


async def sideways(page: Page) -> int:
    width: int = await page.evaluate("document.documentElement.scrollWidth")
    return width


@pytest.mark.skipif(not AXE, reason="SAMSKAB_AXE (set by scripts/test) names axe.min.js")
async def test_the_report_pages_pass_axe_and_fit_a_portrait_tablet(
    seeded: Seeded, server: ServerProcess, tmp_path: Path
) -> None:
    public_path = await publish(server.url, seeded.workshop_id)
    assert public_path.startswith("/r/")
    async with (
        chromium() as browser,
        device(browser, "facilitator", tablet=True, inject_scripts=True) as fac,
        device(browser, "citizen", tablet=True, inject_scripts=True) as citizen,
    ):
        problems: dict[str, list[str]] = {}
        await log_in(fac, server.url)
        await expect(fac.page.get_by_role("heading", name="Dine workshops")).to_be_visible()
        pages = (
            ("facilitator", fac.page, f"/f/workshops/{seeded.workshop_id}/report?names=1"),
            ("facilitator en", fac.page, f"/f/workshops/{seeded.workshop_id}/report?lang=en"),
            ("public", citizen.page, public_path),
        )
        for name, page, path in pages:
            await page.goto(server.url + path)
            await expect(page.get_by_role("heading", level=1)).to_have_text("Visionsværksted 2030")
            await expect(page.get_by_role("heading", name=QUESTION)).to_be_visible()
            problems[name] = await serious_violations(page)
            problems[f"{name} targets"] = await small_targets(page)
            width = await sideways(page)
            await page.screenshot(path=tmp_path / f"report-{name}.png", full_page=True)
            assert width <= TABLET, f"the {name} report scrolls sideways on a tablet: {width}px"
        found = {k: v for k, v in problems.items() if v}
        assert not found, json.dumps(found, indent=1, ensure_ascii=False)

        # The public page is the report alone: no facilitator tools, no names.
        public = citizen.page
        assert await public.locator("form").count() == 0
        await expect(public.get_by_role("link", name="Hent som PDF")).to_be_visible()
        assert "Bent Politiker" not in await public.content()

        # On paper the controls are gone and the report stays.
        page = fac.page
        await page.goto(f"{server.url}/f/workshops/{seeded.workshop_id}/report")
        await expect(page.locator(".report-controls")).to_be_visible()
        await page.emulate_media(media="print")
        await expect(page.locator(".report-controls")).to_be_hidden()
        await expect(page.locator("header.top")).to_be_hidden()
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert not fac.page_errors and not citizen.page_errors
