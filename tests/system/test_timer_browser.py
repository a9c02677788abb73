"""Countdowns in real browsers whose clocks are wrong: two participants' devices, one 30 s ahead
and one 30 s behind, and the room screen all show the same remaining time as the server
expects (each counts down on its estimate of the server's clock, learnt from `pong`); a short
timer reaches 0:00 and says "Tiden er gået"; the facilitator's page stops a timer and starts one
with its form; axe-core finds nothing serious on pages with a running timer."""

from __future__ import annotations

import asyncio
import math
import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.browser import LIVE_MS, Device, chromium, device
from tests.support import ServerProcess
from tests.system.test_board_browser import (
    AXE,
    log_in,
    serious_violations,
    small_targets,
    workshop_with_board,
)
from tests.system.test_boards import ok
from tests.system.test_timers import started

pytestmark = [pytest.mark.browser, pytest.mark.system, pytest.mark.timeout(240)]

SKEW_MS = 30_000

# Installed before any page script: Date.now() and `new Date()` run `skew` ms off the real clock,
# as on a tablet whose clock was never set. performance.now() is left alone, as it would be.
SKEWED_CLOCK = """(() => {
  const skew = %d;
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  class SkewedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(realNow() + skew); else super(...args);
    }
    static now() { return realNow() + skew; }
  }
  globalThis.Date = SkewedDate;
})();"""


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def seconds_of(text: str) -> int:
    minutes, seconds = text.strip().split(":")
    assert len(seconds) == 2, text
    return int(minutes) * 60 + int(seconds)


async def skew(d: Device, ms: int) -> None:
    await d.context.add_init_script(SKEWED_CLOCK % ms)


async def clock_offset(page: Page) -> int:
    """The offset app.js settled on (server clock minus this page's Date.now())."""
    live = page.locator("#live")
    await expect(live).to_have_attribute("data-clock-offset", re.compile(r"^-?\d+$"))
    return int(await live.get_attribute("data-clock-offset") or "0")


async def read_together(devices: list[Device], ends_at_ms: int) -> tuple[list[int], int, int]:
    """Every page's remaining seconds, read at nearly the same moment, and what a page should
    show then by the server's clock (whole seconds rounded up), from before and after the
    reads."""
    before = now_ms()
    texts = await asyncio.gather(
        *(d.page.locator("#timer-remaining").inner_text() for d in devices)
    )
    after = now_ms()
    low = math.ceil(max(0, ends_at_ms - after) / 1000)
    high = math.ceil(max(0, ends_at_ms - before) / 1000)
    return [seconds_of(t) for t in texts], low, high


async def wait_for_timer(devices: list[Device], timer: dict[str, Any]) -> None:
    for d in devices:
        box = d.page.locator("#timer")
        await expect(box).to_have_attribute("data-timer-id", timer["timer_id"], timeout=LIVE_MS)
        await expect(box).to_be_visible()
        await expect(box).to_have_attribute("data-ends-at-ms", str(timer["ends_at_ms"]))


async def new_timer(fac: Any, previous: dict[str, Any] | None, **fields: Any) -> dict[str, Any]:
    await ok(fac, "timer.start", **fields)

    def fresh(c: Any) -> dict[str, Any] | None:
        t = started(c)
        return t if t is not None and t != previous else None

    timer: dict[str, Any] = await fac.wait_for(fresh)
    return timer


async def new_timer_seen(fac: Any, seconds: int) -> dict[str, Any]:
    """The timer someone else started (here: the facilitator's page), as the JSON client saw it."""

    def of_length(c: Any) -> dict[str, Any] | None:
        t = started(c)
        return t if t is not None and t["seconds"] == seconds else None

    timer: dict[str, Any] = await fac.wait_for(of_length)
    return timer


@pytest.mark.skipif(not AXE, reason="SAMSKAB_AXE (set by scripts/test) names axe.min.js")
async def test_skewed_devices_and_the_screen_count_down_together(
    single: ServerProcess, tmp_path: Path
) -> None:
    async with (
        workshop_with_board(single) as w,
        chromium() as browser,
        device(browser, "ahead", tablet=True, inject_scripts=True) as ahead,
        device(browser, "behind", tablet=False, inject_scripts=True) as behind,
        device(browser, "projector", tablet=False, inject_scripts=True) as screen,
    ):
        await skew(ahead, SKEW_MS)
        await skew(behind, -SKEW_MS)
        await ahead.join(single.url, w.code, "Bo", "Borger")
        await behind.join(single.url, w.code, "Mette", "Politiker")
        await log_in(screen, single.url)
        await screen.page.goto(f"{single.url}/f/workshops/{w.workshop_id}/screen")
        await screen.wait_online()
        devices = [ahead, behind, screen]

        # The pages' clocks really are off, and each learnt how far from the server's.
        for d, off in ((ahead, SKEW_MS), (behind, -SKEW_MS), (screen, 0)):
            page_clock = await d.page.evaluate("() => [Date.now(), new Date().getTime()]")
            for t in page_clock:
                assert abs(t - now_ms() - off) < 2_000, (d.name, t - now_ms())
            assert abs(await clock_offset(d.page) + off) < 1_000, d.name
            await expect(d.page.locator("#timer")).to_be_hidden()

        # A two-minute timer: the same remaining time everywhere, and the server's.
        timer = await new_timer(w.fac, None, seconds=120, label="Tænk selv")
        await wait_for_timer(devices, timer)
        for d in devices:
            await expect(d.page.locator("#timer")).to_contain_text("Tænk selv")
            await expect(d.page.locator("#timer-status")).to_have_text(
                "Nedtælling startet: Tænk selv, 2:00", timeout=LIVE_MS
            )
            # The ticking seconds are no live region.
            assert await d.page.locator("#timer-remaining").evaluate(
                "el => !el.closest('[aria-live], [role=status], [role=alert], [role=log]')"
            )
        await ahead.page.wait_for_timeout(1_500)
        seen: list[list[int]] = []
        for _ in range(3):
            values, low, high = await read_together(devices, timer["ends_at_ms"])
            seen.append(values)
            offsets = [await clock_offset(d.page) for d in devices]
            assert max(values) - min(values) <= 1, (values, offsets)
            for v in values:
                assert low - 1 <= v <= high + 1, (values, low, high, offsets)
            await ahead.page.wait_for_timeout(1_100)
        assert seen[-1][0] < seen[0][0], f"not counting down: {seen}"

        # axe-core with the timer running: a participant's page and the room screen.
        problems: dict[str, list[str]] = {
            "participant": await serious_violations(ahead.page),
            "participant targets": await small_targets(ahead.page),
            "screen": await serious_violations(screen.page),
        }
        await ahead.page.screenshot(path=tmp_path / "timer-tablet.png", full_page=True)
        await screen.page.screenshot(path=tmp_path / "timer-screen.png", full_page=True)

        # A five-second timer replaces it and reaches 0:00 on time, then says so.
        short = await new_timer(w.fac, timer, seconds=5)
        await wait_for_timer(devices, short)
        wait_ms = short["ends_at_ms"] - 2_500 - now_ms()
        assert wait_ms > 0, wait_ms
        await ahead.page.wait_for_timeout(wait_ms)
        values, low, high = await read_together(devices, short["ends_at_ms"])
        for v in values:
            assert low - 1 <= v <= high + 1 and v > 0, (values, low, high)
        for d in devices:
            await expect(d.page.locator("#timer-remaining")).to_have_text("0:00", timeout=6_000)
            await expect(d.page.locator("#timer")).to_have_attribute("data-state", "done")
            await expect(d.page.locator("#timer [data-timer-done]")).to_be_visible()
            await expect(d.page.locator("#timer [data-timer-done]")).to_have_text("Tiden er gået")
            await expect(d.page.locator("#timer-status")).to_have_text("Tiden er gået")
        assert now_ms() >= short["ends_at_ms"] - 1_000, "0:00 came early"

        # The facilitator's page: stop the finished timer, then start one with the form.
        fac_page = screen.page
        await fac_page.goto(f"{single.url}/f/workshops/{w.workshop_id}")
        await screen.wait_online()
        await fac_page.get_by_role("button", name="Stop nedtællingen").click()
        for d in (ahead, behind):
            await expect(d.page.locator("#timer")).to_be_hidden(timeout=LIVE_MS)
        await fac_page.get_by_text("Start en nedtælling").click()
        await fac_page.locator("#timer-custom-seconds").fill("45")
        await fac_page.locator("#timer-label").fill("Forklar")
        await fac_page.get_by_role("button", name="Start nedtællingen").click()
        third = await new_timer_seen(w.fac, 45)
        assert third["label"] == "Forklar" and third["close_question_id"] is None
        await wait_for_timer([ahead, behind, screen], third)
        await expect(fac_page.locator('form[aria-busy="true"]')).to_have_count(0)
        await expect(fac_page.locator("#flash")).to_be_empty()
        values, low, high = await read_together([ahead, behind, screen], third["ends_at_ms"])
        for v in values:
            assert low - 1 <= v <= high + 1, (values, low, high)
        problems["facilitator"] = await serious_violations(fac_page)
        await fac_page.screenshot(path=tmp_path / "timer-facilitator.png", full_page=True)

        found = {k: v for k, v in problems.items() if v}
        assert not found, found
        for d in devices:
            assert not d.page_errors, (d.name, d.page_errors)
