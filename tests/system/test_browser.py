"""Two real browsers on one workshop: a desktop driven by keyboard only and a touch tablet that
loses its network for a while. Debian's Chromium through Playwright, real server processes."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from playwright.async_api import (
    expect,
)

from tests.browser import CATCH_UP_MS, LIVE_MS, Device, chromium, device
from tests.support import Browserless, ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.system, pytest.mark.timeout(180)]

OFFLINE_SECONDS = 10.0


def fresh_path(d: Device) -> str:
    """The path of the page a device is on."""
    return "/" + d.page.url.split("/", 3)[3]


async def new_workshop(base_url: str) -> str:
    fac = Browserless(base_url)
    try:
        r = await fac.login()
        assert r.status_code == 200
        _, code = await fac.create_workshop()
        return code
    finally:
        await fac.aclose()


async def both_show(a: Device, b: Device, expected: list[str], timeout_ms: float) -> None:
    await expect(a.note_texts).to_have_text(expected, timeout=timeout_ms)
    await expect(b.note_texts).to_have_text(expected, timeout=timeout_ms)
    assert await a.notes.count() == await b.notes.count() == len(expected)


async def two_devices_one_offline(url_a: str, url_b: str, tmp_path: Path) -> dict[str, float]:
    """The whole story; returns how long the interesting waits took, in seconds."""
    timings: dict[str, float] = {}
    code = await new_workshop(url_a)
    async with (
        chromium() as browser,
        device(browser, "A desktop", tablet=False) as a,
        device(browser, "B tablet", tablet=True) as b,
    ):
        try:
            await a.join(url_a, code, "Mette", "Politiker")
            await b.join(url_b, code, "Bo", "Borger")
            expected: list[str] = []

            # 1. Live both ways: B by touch, A by keyboard only.
            t = time.monotonic()
            await b.tap_note("Flere cykelstier")
            expected.append("Flere cykelstier")
            await expect(a.note_texts).to_have_text(expected, timeout=LIVE_MS)
            timings["tablet note seen on desktop"] = time.monotonic() - t
            await b.wait_acknowledged()
            await expect(b.notes.filter(has_text="Flere cykelstier")).to_contain_text("Bo")

            t = time.monotonic()
            await a.keyboard_note("Grønne tage på rådhuset")
            expected.append("Grønne tage på rådhuset")
            await expect(b.note_texts).to_have_text(expected, timeout=LIVE_MS)
            timings["desktop note seen on tablet"] = time.monotonic() - t
            await a.wait_acknowledged()
            await both_show(a, b, expected, LIVE_MS)

            # 2. B loses the network for 10 s while A writes five notes.
            sockets_before = b.sockets_opened
            await b.context.set_offline(True)
            offline_at = time.monotonic()
            b.record("offline")
            await b.wait_state("offline")
            for i in range(1, 6):
                text = f"Mens tabletten var offline {i}"
                await a.keyboard_note(text)
                await a.wait_acknowledged()
                expected.append(text)
            await expect(a.note_texts).to_have_text(expected, timeout=LIVE_MS)
            await asyncio.sleep(max(0.0, OFFLINE_SECONDS - (time.monotonic() - offline_at)))
            missed = expected[-5:]
            assert not set(missed) & set(await b.texts()), "B was offline: it cannot know yet"
            t = time.monotonic()
            await b.context.set_offline(False)
            b.record("online")
            await expect(b.note_texts).to_have_text(expected, timeout=CATCH_UP_MS)
            timings["tablet caught up after 10 s offline"] = time.monotonic() - t
            await b.wait_online(CATCH_UP_MS)
            b.record(f"{b.sockets_opened - sockets_before} new sockets after the offline spell")
            await both_show(a, b, expected, LIVE_MS)
            assert len(set(expected)) == len(expected)

            # 3. A note written on B while offline is applied exactly once.
            await b.context.set_offline(True)
            offline_at = time.monotonic()
            b.record("offline again")
            await a.keyboard_note("Skrevet på desktop imens")
            await a.wait_acknowledged()
            expected.append("Skrevet på desktop imens")
            await b.tap_note("Skrevet uden net")
            await asyncio.sleep(max(0.0, OFFLINE_SECONDS / 2 - (time.monotonic() - offline_at)))
            assert await a.count_of("Skrevet uden net") == 0, "sent while offline: not there yet"
            await expect(b.textarea).to_have_value("Skrevet uden net")  # not acknowledged yet
            t = time.monotonic()
            await b.context.set_offline(False)
            b.record("online again")
            expected.append("Skrevet uden net")
            await b.wait_acknowledged(CATCH_UP_MS)
            await both_show(a, b, expected, CATCH_UP_MS)
            timings["offline note delivered after reconnect"] = time.monotonic() - t
            # Anything retried would arrive before B's next note on the same server: add one and
            # count again once it is everywhere.
            await b.tap_note("Efter nettet kom igen")
            expected.append("Efter nettet kom igen")
            await b.wait_acknowledged()
            await both_show(a, b, expected, LIVE_MS)
            for d in (a, b):
                assert await d.count_of("Skrevet uden net") == 1, d.log

            # The server holds exactly what the screens show: a fresh page load agrees. (A new
            # tab on the same device, read as the server rendered it; whether its socket comes
            # up is the reconnect tests' business.)
            fresh = await b.context.new_page()
            await fresh.goto(url_b + fresh_path(b))
            await expect(fresh.locator("ul.notes li.note .note-text")).to_have_text(expected)
            await fresh.close()
            await both_show(a, b, expected, LIVE_MS)

            await b.page.screenshot(path=tmp_path / "tablet.png")
            await b.page.screenshot(path=tmp_path / "tablet-full.png", full_page=True)
            assert not a.page_errors and not b.page_errors, (a.page_errors, b.page_errors)
        finally:
            print("\n".join(sorted(a.log + b.log, key=lambda s: float(s.split()[0]))))
    print("timings (s):", {k: round(v, 2) for k, v in timings.items()})
    return timings


async def test_desktop_and_tablet_with_offline_spell_on_one_process(
    single: ServerProcess, tmp_path: Path
) -> None:
    await two_devices_one_offline(single.url, single.url, tmp_path)
