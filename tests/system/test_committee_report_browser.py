"""The committee report in a real browser (Debian's Chromium through Playwright) against a real
server: a committee with two meetings that repeat a question, stored the way live sessions
store it; axe-core finds no serious or critical problem in Danish or English, on a portrait
tablet nothing runs off the side, and the chart is drawn."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import expect

from server.realtime.memory_broker import MemoryBroker
from server.service import Service
from server.store.db import Database
from tests.browser import chromium, device
from tests.report_seed import QUESTION, seed_workshop
from tests.support import FACILITATOR, ServerProcess, query
from tests.system.test_board_browser import AXE, log_in, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.system, pytest.mark.timeout(240)]


async def seeded_committee(database_url: str) -> str:
    """Two seeded meetings of one committee, written to the running server's database."""
    [(fid,)] = await query(
        database_url, "SELECT id FROM facilitators WHERE name = :n", n=FACILITATOR
    )
    db = Database(database_url)
    try:
        service = Service(db, MemoryBroker())
        first = await seed_workshop(service, str(fid))
        await seed_workshop(
            service, str(fid), "Andet møde", committee_id=first.committee_id, date="2026-12-10"
        )
        return first.committee_id
    finally:
        await db.dispose()


@pytest.mark.skipif(not AXE, reason="SAMSKAB_AXE (set by scripts/test) names axe.min.js")
async def test_axe_finds_no_serious_problem_on_the_committee_report(
    single: ServerProcess, sqlite_url: str, tmp_path: Path
) -> None:
    committee_id = await seeded_committee(sqlite_url)
    url = f"{single.url}/f/committees/{committee_id}/report"
    async with (
        chromium() as browser,
        device(browser, "tablet", tablet=True, inject_scripts=True) as tablet,
    ):
        page = tablet.page
        await log_in(tablet, single.url)
        problems: dict[str, list[str]] = {}
        for lang in ("da", "en"):
            await page.goto(f"{url}?lang={lang}")
            await expect(page.locator("h1")).to_contain_text("Opgaveudvalg for mobilitet")
            chart = page.get_by_role("img", name=QUESTION, exact=False).first
            await expect(chart).to_be_visible()
            problems[lang] = await serious_violations(page)
            wide: bool = await page.evaluate(
                "() => document.documentElement.scrollWidth > window.innerWidth"
            )
            assert not wide, f"the {lang} report runs off a portrait tablet's side"
        await page.screenshot(path=str(tmp_path / "committee-report.png"), full_page=True)
        assert problems == {"da": [], "en": []}, problems
        assert tablet.page_errors == []
