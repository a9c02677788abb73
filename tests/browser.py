"""Real browsers for the system tests: Debian's Chromium through Playwright, never a downloaded
one, and one person's device (context, page, what happened on it)."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

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

CHROMIUM = os.environ.get("SAMSKAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
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
        """The first visible one: each column of the board in view has its own."""
        return self.page.get_by_label("Ny note").filter(visible=True).first

    @property
    def add_button(self) -> Locator:
        return self.page.get_by_role("button", name="Tilføj note").filter(visible=True).first

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
        """Keyboard only: Tab (or Shift+Tab) to the text field, type, Tab past the colour to the
        button, Enter."""
        await tab_to(self.page, lambda: self.textarea)
        await self.page.keyboard.type(text)
        await tab_to(self.page, lambda: self.add_button, max_presses=3)
        await self.page.keyboard.press("Enter")

    async def wait_acknowledged(self, timeout_ms: float = LIVE_MS) -> None:
        """After the server's ack the text field is emptied and the form no longer busy."""
        await expect(self.textarea).to_have_value("", timeout=timeout_ms)
        await expect(self.page.locator('form[data-add-note][aria-busy="true"]')).to_have_count(
            0, timeout=timeout_ms
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
async def device(
    browser: Browser, name: str, *, tablet: bool, inject_scripts: bool = False
) -> AsyncIterator[Device]:
    """`inject_scripts` lets a test add axe-core past our Content-Security-Policy; never use it
    where the test is about what the page itself may run."""
    if tablet:
        context = await browser.new_context(
            viewport={"width": 768, "height": 1024},
            has_touch=True,
            is_mobile=True,
            bypass_csp=inject_scripts,
        )
    else:
        context = await browser.new_context(bypass_csp=inject_scripts)
    try:
        page = await context.new_page()
        d = Device(name, context, page, touch=tablet)
        d.watch()
        yield d
    finally:
        await context.close()
