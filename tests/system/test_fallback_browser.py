"""A participant behind a firewall that blocks WebSockets, in a real Chromium: the page falls
back to server-sent events and HTTP POST and the whole workshop works, join, note, vote and
result, while the facilitator's page stays on its WebSocket.

How the socket is blocked: the participant's browser context goes through an HTTP proxy (the
`Firewall` below) that forwards ordinary requests and refuses the CONNECT tunnel Chromium asks
a proxy for when it opens a WebSocket, as municipal proxies do. So Chromium's own socket fails
on the network (close 1006 before open), exactly as it does in such a building. Chrome
DevTools' `Network.setBlockedURLs` does not stop WebSockets (tried: the socket opened), and
Playwright's `route_web_socket` replaces the page's WebSocket class with a script of its own,
which would test the fallback against a mock instead of the browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser import CATCH_UP_MS, LIVE_MS, Device, chromium, device
from tests.support import Browserless, ServerProcess
from tests.system.test_board_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.system, pytest.mark.timeout(180)]

FALLBACK_LABEL = "Forbundet (reserveforbindelse: WebSockets er blokeret)"


class Firewall:
    """An HTTP proxy: plain HTTP requests pass (one per connection), a CONNECT (how Chromium
    opens a WebSocket through a proxy) is refused with 403 while `blocking`. `down()` cuts
    every connection and refuses new ones, like a venue's Wi-Fi dropping out."""

    def __init__(self) -> None:
        self.blocking = True
        self.is_down = False
        self.refused_sockets = 0
        self.turned_away = 0  # connections refused while down
        self.tunnels = 0
        self._open: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        self.down()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def down(self) -> None:
        self.is_down = True
        for w in list(self._open):
            w.close()

    def up(self) -> None:
        self.is_down = False

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._open.add(writer)
        upstream: asyncio.StreamWriter | None = None
        try:
            if self.is_down:
                self.turned_away += 1
                return
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            request, *lines = head.split("\r\n")
            method, target, version = request.split(" ")
            if method == "CONNECT":
                if self.blocking:
                    self.refused_sockets += 1
                    writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                    await writer.drain()
                    return
                self.tunnels += 1
                host, port = target.rsplit(":", 1)
                up_reader, upstream = await asyncio.open_connection(host, int(port))
                writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            else:
                url = urlsplit(target)
                assert url.hostname is not None and url.port is not None
                up_reader, upstream = await asyncio.open_connection(url.hostname, url.port)
                path = url.path + (f"?{url.query}" if url.query else "")
                kept = [
                    line
                    for line in lines
                    if line and not line.lower().startswith(("connection:", "proxy-connection:"))
                ]
                upstream.write(
                    "\r\n".join(
                        [f"{method} {path} {version}", *kept, "Connection: close", "", ""]
                    ).encode("latin-1")
                )
            self._open.add(upstream)
            await asyncio.gather(_pipe(reader, upstream), _pipe(up_reader, writer))
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            for w in (writer, upstream):
                if w is not None:
                    self._open.discard(w)
                    w.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


async def eventually(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


@asynccontextmanager
async def behind(browser: Browser, firewall: Firewall, name: str) -> AsyncIterator[Device]:
    """A tablet whose every request goes through the firewall."""
    context = await browser.new_context(
        viewport={"width": 768, "height": 1024},
        has_touch=True,
        is_mobile=True,
        proxy={"server": f"http://127.0.0.1:{firewall.port}"},
    )
    try:
        d = Device(name, context, await context.new_page(), touch=True)
        d.watch()
        yield d
    finally:
        await context.close()


async def transport_is(page: Page, transport: str, label: str, timeout: float = LIVE_MS) -> None:
    """What the connection line says, for the facilitator to read."""
    line = page.locator("#connection")
    await expect(line).to_have_attribute("data-transport", transport, timeout=timeout)
    await expect(line).to_have_attribute("data-state", "online", timeout=timeout)
    await expect(line).to_have_text(label)


def typed(kind: str) -> str:
    """The form that sends a message of this type (the facilitator's controls)."""
    return f'form:has(input[name=type][value="{kind}"])'


async def test_behind_a_firewall_that_blocks_websockets_the_whole_workshop_works(
    single: ServerProcess,
) -> None:
    fac_s = Browserless(single.url)
    assert (await fac_s.login()).status_code == 200
    wid, code = await fac_s.create_workshop()
    await fac_s.aclose()
    firewall = Firewall()
    await firewall.start()
    try:
        async with (
            chromium() as browser,
            device(browser, "facilitator", tablet=False) as fac,
            behind(browser, firewall, "participant") as bo,
        ):
            await log_in(fac, single.url)
            await fac.page.goto(f"{single.url}/f/workshops/{wid}")
            await transport_is(fac.page, "websocket", "Forbundet")

            # Join behind the firewall: the sockets fail, the page goes on without them.
            await bo.join(single.url, code, "Bo", "Borger")
            await transport_is(bo.page, "fallback", FALLBACK_LABEL)
            assert firewall.refused_sockets >= 2 and firewall.tunnels == 0

            # A note: acknowledged over POST, live on the facilitator's socket.
            await bo.tap_note("Flere bænke ved søen")
            await bo.wait_acknowledged()
            await expect(fac.note_texts.filter(has_text="Flere bænke ved søen")).to_have_count(
                1, timeout=LIVE_MS
            )
            await expect(bo.note_texts.filter(has_text="Flere bænke ved søen")).to_have_count(1)

            # A 0-10 question, opened by the facilitator; the participant votes by touch.
            f = fac.page
            await f.locator(f"details:has({typed('question.create')}) > summary").click()
            await f.locator(f"{typed('question.create')} textarea[name=text]").fill(
                "Hvor godt passer forslaget til byen?"
            )
            await f.locator(typed("question.create")).get_by_role("button").click()
            await f.locator(typed("question.open")).get_by_role("button").click()
            p = bo.page
            vote = p.locator("form[data-vote]")
            await expect(vote).to_be_visible(timeout=LIVE_MS)
            await vote.locator('label[for$="-value-8"]').tap()
            await vote.get_by_role("button", name="Afgiv stemme").tap()
            await expect(p.locator("[id^=question-]").filter(has=vote)).to_contain_text(
                "Din stemme: 8", timeout=LIVE_MS
            )
            await expect(f.locator("[id$=-count]").first).to_contain_text("1 af 1", timeout=LIVE_MS)

            # The facilitator shows the result: on the participant's page it comes live.
            await f.locator(typed("question.reveal")).get_by_role("button").click()
            results = p.locator("[id$=-results]")
            await expect(results).to_be_visible(timeout=LIVE_MS)
            await expect(results.locator("svg.histogram")).to_be_visible()
            await expect(results.locator("dl.figures")).to_contain_text("8")

            # The Wi-Fi drops: the stream is cut. Notes added meanwhile are there once it is back.
            firewall.down()
            await bo.wait_state("reconnecting")
            for text in ("Mens du var væk", "Og en til"):
                await fac.textarea.fill(text)
                await fac.add_button.click()
                await fac.wait_acknowledged()
            tried = firewall.turned_away
            await eventually(lambda: firewall.turned_away > tried)  # the page tried, in vain
            assert await bo.count_of("Mens du var væk") == 0
            firewall.up()
            for text in ("Mens du var væk", "Og en til"):
                await expect(bo.note_texts.filter(has_text=text)).to_have_count(
                    1, timeout=CATCH_UP_MS
                )
            await transport_is(bo.page, "fallback", FALLBACK_LABEL)
            assert await bo.count_of("Flere bænke ved søen") == 1  # resynced, not doubled

            # The firewall opens: the next page in this tab starts on the fallback (it
            # remembers), finds a real socket gets through, and goes back to it.
            firewall.blocking = False
            await bo.page.reload()
            await transport_is(bo.page, "websocket", "Forbundet", timeout=15_000)
            assert firewall.tunnels >= 1
            await bo.tap_note("Nu med WebSocket")
            await bo.wait_acknowledged()
            await expect(fac.note_texts.filter(has_text="Nu med WebSocket")).to_have_count(
                1, timeout=LIVE_MS
            )
            for d in (fac, bo):
                assert not d.page_errors, (d.name, d.page_errors, d.log[-20:])
    finally:
        await firewall.close()
