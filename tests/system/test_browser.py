"""Two real browsers on one workshop: a desktop driven by keyboard only and a touch tablet that
loses its network for a while. Debian's Chromium through Playwright, real server processes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    WebSocket,
    async_playwright,
    expect,
)

from tests.support import Browserless, ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.system, pytest.mark.timeout(180)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
OFFLINE_SECONDS = 10.0
CATCH_UP_MS = 10_000  # back online: everything missed is on screen within this
LIVE_MS = 5_000  # a note added on one device shows on the other within this


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@dataclass
class Device:
    """One person's browser: a context, its page, and what happened on the page."""

    name: str
    context: BrowserContext
    page: Page
    touch: bool
    t0: float = field(default_factory=time.monotonic)
    log: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    sockets_opened: int = 0

    def record(self, line: str) -> None:
        self.log.append(f"{time.monotonic() - self.t0:7.2f} {self.name}: {line}")

    def watch(self) -> None:
        def on_console(m: ConsoleMessage) -> None:
            self.record(f"console.{m.type}: {m.text}")

        def on_socket(ws: WebSocket) -> None:
            self.sockets_opened += 1
            self.record(f"websocket #{self.sockets_opened} opened")
            ws.on("close", lambda _: self.record("websocket closed"))

        self.page.on("console", on_console)
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        self.page.on("websocket", on_socket)

    # What the person sees and does -------------------------------------------------------

    @property
    def notes(self) -> Locator:
        return self.page.locator("ul.notes li.note")

    @property
    def note_texts(self) -> Locator:
        return self.page.locator("ul.notes li.note .note-text")

    @property
    def textarea(self) -> Locator:
        return self.page.get_by_label("Ny note")

    @property
    def add_button(self) -> Locator:
        return self.page.get_by_role("button", name="Tilføj note")

    async def press_or_tap(self, target: Locator) -> None:
        if self.touch:
            await target.tap()
        else:
            await target.click()

    async def join(self, base_url: str, code: str, display_name: str, group: str) -> None:
        page = self.page
        await page.goto(f"{base_url}/w/{code}")
        name = page.locator("#display_name")
        await self.press_or_tap(name)
        await page.keyboard.type(display_name)
        await self.press_or_tap(page.locator(f'input[name="group"][value="{group}"]'))
        await self.press_or_tap(page.get_by_role("button", name="Deltag"))
        await expect(self.textarea).to_be_visible()
        assert page.url == f"{base_url}/w/{code}"
        await self.wait_online()

    async def wait_online(self, timeout_ms: float = 10_000) -> None:
        await self.wait_state("online", timeout_ms)

    async def wait_state(self, state: str, timeout_ms: float = LIVE_MS) -> None:
        """What the connection line under the title says: online, offline, reconnecting."""
        await expect(self.page.locator("#connection")).to_have_attribute(
            "data-state", state, timeout=timeout_ms
        )

    async def tap_note(self, text: str) -> None:
        """Tap the text field, type on the on-screen keyboard, tap the button."""
        await self.textarea.tap()
        await self.page.keyboard.type(text)
        await self.add_button.tap()

    async def keyboard_note(self, text: str) -> None:
        """Keyboard only: Tab (or Shift+Tab) to the text field, type, Tab to the button, Enter."""
        await tab_to(self.page, lambda: self.textarea)
        await self.page.keyboard.type(text)
        await self.page.keyboard.press("Tab")
        await expect(self.add_button).to_be_focused()
        await self.page.keyboard.press("Enter")

    async def wait_acknowledged(self, timeout_ms: float = LIVE_MS) -> None:
        """After the server's ack the text field is emptied and the form no longer busy."""
        await expect(self.textarea).to_have_value("", timeout=timeout_ms)
        await expect(self.page.locator("form[data-add-note]")).not_to_have_attribute(
            "aria-busy", "true", timeout=timeout_ms
        )

    async def texts(self) -> list[str]:
        return await self.note_texts.all_inner_texts()

    async def count_of(self, text: str) -> int:
        return (await self.texts()).count(text)


async def tab_to(page: Page, target: Callable[[], Locator], max_presses: int = 40) -> None:
    """Move the keyboard focus to the target the way a keyboard user does."""
    for _ in range(max_presses):
        if await target().evaluate("el => el === document.activeElement"):
            return
        key = "Shift+Tab" if await _focus_is_after(page, target()) else "Tab"
        await page.keyboard.press(key)
    raise AssertionError(f"could not reach {target()} with the keyboard")


async def _focus_is_after(page: Page, target: Locator) -> bool:
    result: bool = await target.evaluate(
        """el => {
            const a = document.activeElement;
            if (!a || a === document.body) return false;
            return !!(el.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING);
        }"""
    )
    return result


@asynccontextmanager
async def device(browser: Browser, name: str, *, tablet: bool) -> AsyncIterator[Device]:
    if tablet:
        context = await browser.new_context(
            viewport={"width": 768, "height": 1024}, has_touch=True, is_mobile=True
        )
    else:
        context = await browser.new_context()
    try:
        page = await context.new_page()
        d = Device(name, context, page, touch=tablet)
        d.watch()
        yield d
    finally:
        await context.close()


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

            # The server holds exactly what the screens show: a fresh page load agrees.
            await b.page.reload()
            await b.wait_online()
            await expect(b.note_texts).to_have_text(expected)
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
