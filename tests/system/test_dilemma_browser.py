"""The dilemma deck in real browsers: a card shown live, "over" tapped on a tablet and "under"
chosen by keyboard on a desktop, the count live everywhere with each side only on its chooser's
page, the split revealed on both and on the room screen, the next card, and axe-core on the
participant page with a card shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser import LIVE_MS, chromium, device, tab_to
from tests.support import Browserless, LiveClient, ServerProcess
from tests.system.test_board_browser import AXE, log_in, serious_violations, small_targets
from tests.system.test_boards import ok
from tests.system.test_dilemmas import new_card

pytestmark = [pytest.mark.browser, pytest.mark.system, pytest.mark.timeout(240)]

STORY = "Kommunen lukker svømmehallen om søndagen for at spare penge."
LATER = "Borgerne må selv male bænkene i parken."


@pytest.mark.skipif(not AXE, reason="SAMSKAB_AXE (set by scripts/test) names axe.min.js")
async def test_choose_by_touch_and_by_keyboard_then_the_split_everywhere(
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
        device(browser, "desktop", tablet=False, inject_scripts=True) as desktop,
        device(browser, "projector", tablet=False, inject_scripts=True) as screen,
    ):
        await tablet.join(single.url, code, "Bo", "Borger")
        await desktop.join(single.url, code, "Mette", "Politiker")
        await log_in(screen, single.url)
        await screen.page.goto(f"{single.url}/f/workshops/{wid}/screen")
        await screen.wait_online()
        first = await new_card(fac, STORY)
        await new_card(fac, LATER)
        # The deck is the facilitator's: nothing on the participants' pages yet.
        await tablet.page.wait_for_timeout(300)
        assert not await tablet.page.locator("#dilemma").is_visible()
        assert STORY not in await tablet.page.content()
        await ok(fac, "dilemma.show", card_id=first)
        for d in (tablet, desktop, screen):
            section = d.page.locator("#dilemma")
            await expect(section.locator(".dilemma-text")).to_have_text(STORY, timeout=LIVE_MS)
            await expect(d.page.locator("#dilemma-count")).to_contain_text("0 af 2 har valgt")
        assert await screen.page.locator("#dilemma form").count() == 0

        # By touch: tap "Over stregen".
        t = tablet.page
        over = t.locator("#dilemma").get_by_role("button", name="Over stregen")
        await over.tap()
        for d in (tablet, desktop, screen):
            await expect(d.page.locator("#dilemma-count")).to_contain_text(
                "1 af 2 har valgt", timeout=LIVE_MS
            )
        await expect(over).to_have_attribute("aria-pressed", "true", timeout=LIVE_MS)
        await expect(t.locator("#dilemma")).to_contain_text("Dit valg: over stregen")
        problems = {"card": await serious_violations(t), "card targets": await small_targets(t)}
        await t.screenshot(path=tmp_path / "dilemma-tablet.png", full_page=True)

        # By keyboard: Tab to "Under stregen", Enter.
        k = desktop.page
        under = k.locator("#dilemma").get_by_role("button", name="Under stregen")
        await tab_to(k, lambda: under)
        await k.keyboard.press("Enter")
        for d in (tablet, desktop, screen):
            await expect(d.page.locator("#dilemma-count")).to_contain_text(
                "2 af 2 har valgt", timeout=LIVE_MS
            )
        await expect(under).to_have_attribute("aria-pressed", "true", timeout=LIVE_MS)
        await expect(under).to_be_focused()  # the keyboard user stays where they were
        await expect(k.locator("#dilemma")).to_contain_text("Dit valg: under stregen")
        # Each side only on its chooser's page; no split before the reveal.
        await expect(t.locator("#dilemma")).to_contain_text("Dit valg: over stregen")
        assert "Dit valg: under" not in await t.locator("#dilemma").inner_text()
        assert "Dit valg" not in await screen.page.locator("#dilemma").inner_text()
        for d in (tablet, desktop, screen):
            assert await d.page.locator("#dilemma-split").count() == 0

        # The reveal: the split on both participants and on the room screen.
        await ok(fac, "dilemma.reveal", card_id=first)
        for d in (tablet, desktop, screen):
            split = d.page.locator("#dilemma-split")
            await expect(split).to_be_visible(timeout=LIVE_MS)
            await expect(split.locator(".split-total")).to_contain_text("Over stregen: 1")
            await expect(split.locator(".split-total")).to_contain_text("Under stregen: 1")
            await expect(split.locator(".split-groups")).to_contain_text("Borger")
            await expect(split.locator(".split-groups")).to_contain_text("For få valg til at vise")
            assert await split.locator("svg.split-bar").count() >= 1
            assert await d.page.locator("#dilemma form").count() == 0
        await expect(t.locator("#dilemma")).to_contain_text("Dit valg: over stregen")
        problems["split"] = await serious_violations(t)
        problems["screen"] = await serious_violations(screen.page)
        await screen.page.screenshot(path=tmp_path / "dilemma-screen.png", full_page=True)

        # The next card: fresh count, buttons again, no split and no earlier choice.
        await ok(fac, "dilemma.next")
        for d in (tablet, desktop, screen):
            section = d.page.locator("#dilemma")
            await expect(section.locator(".dilemma-text")).to_have_text(LATER, timeout=LIVE_MS)
            await expect(d.page.locator("#dilemma-count")).to_contain_text("0 af 2 har valgt")
            assert await d.page.locator("#dilemma-split").count() == 0
        for d in (tablet, desktop):
            buttons = d.page.locator("#dilemma button[aria-pressed]")
            await expect(buttons).to_have_count(2)
            assert await d.page.locator('#dilemma button[aria-pressed="true"]').count() == 0
        problems["next"] = await serious_violations(k)
        await screen.page.goto(f"{single.url}/f/workshops/{wid}")
        await screen.wait_online()
        await expect(screen.page.locator("#dilemma .dilemma-deck li")).to_have_count(2)
        problems["facilitator"] = await serious_violations(screen.page)
        found = {name: v for name, v in problems.items() if v}
        assert not found, found
        for d in (tablet, desktop, screen):
            assert not d.page_errors, (d.name, d.page_errors)
    await fac.close()
    await fac_s.aclose()
