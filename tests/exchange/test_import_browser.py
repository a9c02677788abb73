"""The export and the import in a real browser (Debian's Chromium through Playwright) against a
real server: the facilitator downloads a workshop's JSON export, imports it from the dashboard
with the file picker and lands on the new workshop; a damaged file is answered on the
dashboard with the reason, announced (role="alert"); axe-core finds nothing serious there."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser import chromium, device
from tests.support import ServerProcess, create_facilitator, server_env
from tests.system.test_board_browser import AXE, log_in, serious_violations, small_targets

pytestmark = [pytest.mark.browser, pytest.mark.system, pytest.mark.timeout(180)]

TITLE = "Borgermøde om havnen"


@pytest.fixture
def single(sqlite_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    env = server_env(sqlite_url)
    create_facilitator(env)
    s = ServerProcess(env, tmp_path)
    try:
        s.start()
        yield s
    finally:
        s.stop()


async def test_export_then_import_from_the_dashboard(single: ServerProcess, tmp_path: Path) -> None:
    async with chromium() as browser, device(browser, "facilitator", tablet=False) as f:
        page = f.page
        await log_in(f, single.url)
        await page.fill("#title", TITLE)
        await page.get_by_role("button", name="Opret workshop").click()
        await page.wait_for_url("**/f/workshops/*")
        workshop_id = page.url.rsplit("/", 1)[1]

        r = await page.context.request.get(f"{single.url}/f/workshops/{workshop_id}/export.json")
        assert r.ok and "attachment" in r.headers["content-disposition"]
        exported = tmp_path / "havnen-samskab.json"
        exported.write_bytes(await r.body())

        await page.goto(f"{single.url}/f")
        await page.get_by_label("Eksporteret fil (.json)").set_input_files(exported)
        await page.get_by_role("button", name="Importér workshop").click()
        await page.wait_for_url(lambda url: url.split("/")[-1] not in ("f", workshop_id))
        assert "/f/workshops/" in page.url
        await page.goto(f"{single.url}/f")
        await expect(page.get_by_role("link", name=TITLE)).to_have_count(2)

        damaged = json.loads(exported.read_text(encoding="utf-8"))
        damaged["workshop"]["title"] = "Noget andet"
        broken = tmp_path / "broken.json"
        broken.write_text(json.dumps(damaged), encoding="utf-8")
        await page.get_by_label("Eksporteret fil (.json)").set_input_files(broken)
        await page.get_by_role("button", name="Importér workshop").click()
        alert = page.get_by_role("alert")
        await expect(alert).to_contain_text("Filen er blevet ændret efter eksporten")
        await expect(page.get_by_role("link", name=TITLE)).to_have_count(2)
        assert not f.page_errors, f.page_errors


@pytest.mark.skipif(not AXE, reason="SAMSKAB_AXE (set by scripts/test) names axe.min.js")
async def test_axe_finds_no_serious_problem_with_the_import_form(
    single: ServerProcess, tmp_path: Path
) -> None:
    async with (
        chromium() as browser,
        device(browser, "facilitator", tablet=False, inject_scripts=True) as f,
    ):
        page = f.page
        await log_in(f, single.url)
        await page.goto(f"{single.url}/f")
        bad = tmp_path / "bad.json"
        bad.write_text("{ikke json", encoding="utf-8")
        await page.get_by_label("Eksporteret fil (.json)").set_input_files(bad)
        await page.get_by_role("button", name="Importér workshop").click()
        await expect(page.get_by_role("alert")).to_have_text(
            "Filen er ikke gyldig JSON (linje 1, kolonne 2)."
        )
        form = page.locator("section.import-workshop")
        assert await serious_violations(page) == []
        targets = await small_targets(page)
        assert [t for t in targets if "import" in t] == [], targets
        await form.screenshot(path=tmp_path / "import-form.png")
