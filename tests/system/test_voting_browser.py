"""Voting in real browsers on tablet viewports: by touch on one, by keyboard (a tablet with a
keyboard cover) on the other, results revealed live everywhere, and axe-core on the voting,
results and room-screen pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.browser import LIVE_MS, chromium, device, tab_to
from tests.support import Browserless, LiveClient, ServerProcess
from tests.system.test_board_browser import AXE, log_in, serious_violations, small_targets
from tests.system.test_boards import ok
from tests.system.test_voting import new_question

pytestmark = [pytest.mark.browser, pytest.mark.system, pytest.mark.timeout(240)]


def card(page: Page, question_id: str) -> str:
    return f"#question-{question_id}"


@pytest.mark.skipif(not AXE, reason="SAMSKAB_AXE (set by scripts/test) names axe.min.js")
async def test_vote_by_touch_and_by_keyboard_then_the_results_everywhere(
    single: ServerProcess, tmp_path: Path
) -> None:
    fac_s = Browserless(single.url)
    assert (await fac_s.login()).status_code == 200
    wid, code = await fac_s.create_workshop()
    fac = await LiveClient.connect(single.ws_url, wid, fac_s)
    await fac.wait_for(lambda c: c.seq is not None)
    async with (
        chromium() as browser,
        device(browser, "tablet", tablet=True, inject_scripts=True) as tablet,
        device(browser, "keyboard tablet", tablet=True, inject_scripts=True) as desktop,
        device(browser, "projector", tablet=False, inject_scripts=True) as screen,
    ):
        await tablet.join(single.url, code, "Bo", "Borger")
        await desktop.join(single.url, code, "Mette", "Politiker")
        qid = await new_question(
            fac, "I hvilken grad kan visionen bruges som endeligt forslag?", ask_comment=True
        )
        # A draft is the facilitator's: nobody else sees it yet.
        await tablet.page.wait_for_timeout(500)
        assert await tablet.page.locator(card(tablet.page, qid)).count() == 0
        await ok(fac, "question.open", question_id=qid)
        sel = card(tablet.page, qid)
        for d in (tablet, desktop):
            await expect(d.page.locator(f"{sel} form[data-vote]")).to_be_visible(timeout=LIVE_MS)
            await expect(d.page.locator(f"#question-{qid}-count")).to_contain_text("0 af 2")

        # By touch: tap 7, then the button.
        t = tablet.page
        await t.locator(
            f'{sel} label:has(input[name=value][value="7"]), {sel} label[for$="-7"]'
        ).first.tap()
        await expect(t.locator(f'{sel} input[name=value][value="7"]')).to_be_checked()
        await t.locator(f"{sel} form[data-vote]").get_by_role("button", name="Afgiv stemme").tap()
        for d in (tablet, desktop):
            await expect(d.page.locator(f"#question-{qid}-count")).to_contain_text(
                "1 af 2", timeout=LIVE_MS
            )
        await expect(t.locator(sel)).to_contain_text("Din stemme: 7", timeout=LIVE_MS)
        problems = {"voting": await serious_violations(t), "voting targets": await small_targets(t)}
        await t.screenshot(path=tmp_path / "voting-tablet.png", full_page=True)

        # By keyboard: Tab into the scale, arrow to 4, Tab to the comment, type, Tab, Enter.
        k = desktop.page
        first = k.locator(f"{sel} input[name=value]").first
        await tab_to(k, lambda: first)
        for _ in range(4):
            await k.keyboard.press("ArrowRight")
        await expect(k.locator(f'{sel} input[name=value][value="4"]')).to_be_checked()
        comment = k.locator(f"{sel} textarea[name=comment]")
        await tab_to(k, lambda: comment)
        await k.keyboard.type("Mere om trafikken")
        await tab_to(
            k,
            lambda: k.locator(f"{sel} form[data-vote]").get_by_role("button", name="Afgiv stemme"),
        )
        await k.keyboard.press("Enter")
        await expect(k.locator(f"#question-{qid}-count")).to_contain_text("2 af 2", timeout=LIVE_MS)
        await expect(k.locator(sel)).to_contain_text("Din stemme: 4", timeout=LIVE_MS)
        # Nothing of the others' votes is on either page before the reveal.
        assert await t.locator(f"#question-{qid}-results").count() == 0
        assert "Din stemme: 4" not in await t.locator(sel).inner_text()

        # The room screen, then the reveal: results live on every device and the projector.
        await log_in(screen, single.url)
        await screen.page.goto(f"{single.url}/f/workshops/{wid}/screen")
        await screen.wait_online()
        await ok(fac, "question.reveal", question_id=qid)
        for d in (tablet, desktop, screen):
            results = d.page.locator(f"#question-{qid}-results")
            await expect(results).to_be_visible(timeout=LIVE_MS)
            await expect(results.locator("svg.histogram")).to_be_visible()
            assert await results.locator("table.histogram-table").count() == 1
            await expect(results.locator("dl.figures")).to_contain_text("5,5")  # mean of 7 and 4
            await expect(results).to_contain_text("Mere om trafikken")
        problems["results"] = await serious_violations(t)
        problems["results targets"] = await small_targets(t)
        problems["screen"] = await serious_violations(screen.page)
        await t.screenshot(path=tmp_path / "results-tablet.png", full_page=True)
        await screen.page.screenshot(path=tmp_path / "results-screen.png", full_page=True)
        await screen.page.goto(f"{single.url}/f/workshops/{wid}")
        await screen.wait_online()
        problems["facilitator"] = await serious_violations(screen.page)
        await screen.page.screenshot(path=tmp_path / "facilitator.png", full_page=True)
        found = {k: v for k, v in problems.items() if v}
        assert not found, found
        for d in (tablet, desktop, screen):
            assert not d.page_errors, (d.name, d.page_errors)
    await fac.close()
    await fac_s.aclose()
