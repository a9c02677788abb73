"""Hall uploads and asset URLs through Starlette's TestClient: refused files store nothing,
accepted pictures lose their metadata, and an asset reaches only those who may see it."""

from __future__ import annotations

import asyncio
import io
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx2 as httpx
import pytest
from PIL import Image
from starlette.testclient import TestClient

from server.app import create_app
from server.domain.commands import (
    Actor,
    AddRoom,
    AddStation,
    AnswerQuiz,
    Command,
    EditRoom,
    EditStation,
    StationContent,
)
from server.domain.hall import HALL
from server.i18n import message
from server.settings import Settings
from server.store import assets
from server.store import workshops as workshop_rows
from server.store.migrate import upgrade
from server.web.state import Runtime
from tests.support import FACILITATOR, PASSWORD, SECRET

MB = 1024 * 1024
GPS = 0x8825


# --- fixtures ----------------------------------------------------------------------------


def _client(url: str) -> Iterator[TestClient]:
    upgrade(url)
    settings = Settings.from_env({"DATABASE_URL": url, "SECRET_KEY": SECRET})
    from server.__main__ import _create_facilitator

    asyncio.run(_create_facilitator(settings, FACILITATOR, PASSWORD))
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture
def client(sqlite_url: str) -> Iterator[TestClient]:
    yield from _client(sqlite_url)


@pytest.fixture
def any_client(database_url: str) -> Iterator[TestClient]:
    """On SQLite and PostgreSQL: serving cuts blobs with SQL, which differs between them."""
    yield from _client(database_url)


def csrf(c: TestClient, path: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', c.get(path).text)
    assert m, path
    return m.group(1)


@dataclass
class Setup:
    """One workshop, its facilitator's and one participant's cookies, and the runtime."""

    c: TestClient
    workshop_id: str
    code: str
    facilitator_id: str
    participant_id: str
    facilitator_cookies: httpx.Cookies
    participant_cookies: httpx.Cookies
    token: str  # the facilitator's CSRF token

    @property
    def rt(self) -> Runtime:
        rt: Runtime = self.c.app.state.runtime  # type: ignore[attr-defined]
        return rt

    def as_facilitator(self) -> None:
        self.c.cookies = self.facilitator_cookies

    def as_participant(self) -> None:
        self.c.cookies = self.participant_cookies

    def upload(
        self,
        kind: str,
        name: str,
        data: bytes,
        *,
        token: str | None = "",
        htmx: bool = False,
    ) -> httpx.Response:
        form = {"kind": kind}
        if token is not None:
            form["csrf"] = token or self.token
        headers = {"HX-Request": "true"} if htmx else {}
        return self.c.post(
            f"/f/workshops/{self.workshop_id}/assets",
            data=form,
            files={"file": (name, data, "application/octet-stream")},
            headers=headers,
        )

    def execute(self, actor: Actor, command: Command) -> None:
        async def run() -> None:
            from server.service import new_id

            result = await self.rt.service.execute(self.workshop_id, actor, new_id(), command)
            assert result.ok, result

        self.c.portal.call(run)  # type: ignore[union-attr]

    def as_actor(self) -> Actor:
        return Actor("facilitator", self.facilitator_id)

    def stored(self) -> tuple[int, int]:
        """(rows in asset_blobs, assets in the hall's state): both must move together."""

        async def count() -> tuple[int, int]:
            async with self.rt.db.read() as conn:
                blobs = await assets.count_blobs(conn, self.workshop_id)
            snap = await self.rt.source.snapshot(self.workshop_id)
            assert snap is not None
            return blobs, len(snap.state.hall.assets)

        result: tuple[int, int] = self.c.portal.call(count)  # type: ignore[union-attr]
        return result

    def fac_url(self, asset_id: str) -> str:
        return f"/f/workshops/{self.workshop_id}/assets/{asset_id}"

    def part_url(self, asset_id: str) -> str:
        return f"/w/{self.code}/assets/{asset_id}"


def _hall(c: TestClient) -> Setup:
    r = c.post(
        "/login", data={"csrf": csrf(c, "/login"), "name": FACILITATOR, "password": PASSWORD}
    )
    assert r.status_code == 200
    r = c.post(
        "/f/workshops",
        data={"csrf": csrf(c, "/f"), "title": "Byråd", "date": "2026-11-22", "groups": "Borger"},
    )
    workshop_id = r.url.path.rsplit("/", 1)[1]
    code = re.search(r'class="code">([A-Z2-9]{6})<', r.text).group(1)  # type: ignore[union-attr]
    token = csrf(c, f"/f/workshops/{workshop_id}")
    fac = httpx.Cookies(c.cookies)

    async def owner() -> str:
        async with c.app.state.runtime.db.read() as conn:  # type: ignore[attr-defined]
            row = await workshop_rows.by_id(conn, workshop_id)
        assert row is not None
        return row.facilitator_id

    fid: str = c.portal.call(owner)  # type: ignore[union-attr]
    c.cookies = httpx.Cookies()
    r = c.post(
        f"/w/{code}/join",
        data={"csrf": csrf(c, f"/w/{code}"), "display_name": "", "group": "Borger"},
    )
    assert r.status_code == 200
    pid = re.search(r'data-me="([0-9a-f]+)"', r.text).group(1)  # type: ignore[union-attr]
    part = httpx.Cookies(c.cookies)
    c.cookies = fac
    return Setup(c, workshop_id, code, fid, pid, fac, part, token)


@pytest.fixture
def hall(client: TestClient) -> Setup:
    return _hall(client)


# --- files -------------------------------------------------------------------------------


def picture(fmt: str = "PNG", size: tuple[int, int] = (64, 48), **save: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (40, 120, 200)).save(out, fmt, **save)
    return out.getvalue()


def png_chunk(ctype: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(ctype + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", crc)


def png_with_text(text: bytes) -> bytes:
    png = picture()
    iend = png.rindex(b"IEND") - 4
    return png[:iend] + png_chunk(b"tEXt", b"Comment\x00" + text) + png[iend:]


def gps_jpeg(size: tuple[int, int] = (120, 90)) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS] = {1: "N", 2: (55.0, 46.0, 12.5), 3: "E", 4: (12.0, 30.0, 1.0)}
    data = picture("JPEG", size, exif=exif.tobytes())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS)
    return data


def box(btype: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I", 8 + len(payload)) + btype + payload


def mp4(payload: bytes = b"\x01\x02" * 50) -> bytes:
    ftyp = box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2avc1mp41")
    return ftyp + box(b"moov", box(b"mvhd", b"\x00" * 100)) + box(b"mdat", payload)


MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + (b"\xff\xfb\x90\x64" + b"\x00" * 413) * 3
VTT = "WEBVTT\n\n00:00.000 --> 00:03.000\nVelkommen i byrådssalen\n".encode()
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


# --- refused uploads ---------------------------------------------------------------------

REFUSED = [
    pytest.param("image", "photo.png", b"GIF89a\x01\x00\x01\x00" + b"\x00" * 64, 400,
                 "upload.not_image", {}, id="wrong-magic-bytes"),
    pytest.param("image", "photo.png", picture() + HTML, 400, "upload.polyglot", {},
                 id="png-with-html-appended"),
    pytest.param("image", "photo.png", png_with_text(b"<script>alert(1)</script>"), 400,
                 "upload.polyglot", {}, id="png-text-chunk-with-script"),
    pytest.param("image", "big.png", picture() + b"\x00" * (10 * MB), 413,
                 "upload.too_large", {"max": 10}, id="oversized-image"),
    pytest.param("image", "drawing.svg", SVG, 400, "upload.svg", {}, id="svg"),
    pytest.param("image", "drawing.png", SVG, 400, "upload.svg", {}, id="svg-named-png"),
    pytest.param("image", "photo.png", HTML, 400, "upload.not_image", {}, id="html-named-png"),
    pytest.param("audio", "song.mp3", HTML, 400, "upload.not_audio", {}, id="html-as-audio"),
    pytest.param("video", "film.mp4", picture(), 400, "upload.not_video", {}, id="png-as-video"),
    pytest.param("captions", "da.vtt", b"1\n00:00:00,000 --> 00:00:01,000\nHej\n", 400,
                 "upload.not_captions", {}, id="srt-as-captions"),
    pytest.param("captions", "da.vtt", b"WEBVTT\n\n" + b"a" * (512 * 1024), 413,
                 "upload.too_large", {"max": "0,5"}, id="oversized-captions"),
    pytest.param("document", "a.pdf", b"%PDF-1.7", 400, "upload.kind", {}, id="unknown-kind"),
    pytest.param("image", "empty.png", b"", 400, "upload.empty", {}, id="empty"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "name", "data", "status", "code", "params"), REFUSED)
def test_refused_upload_says_why_and_stores_nothing(
    hall: Setup,
    kind: str,
    name: str,
    data: bytes,
    status: int,
    code: str,
    params: dict[str, Any],
) -> None:
    assert hall.stored() == (0, 0)
    r = hall.upload(kind, name, data)
    assert r.status_code == status, r.text
    assert r.json() == {"code": code, "message": message(code, "da", **params)}
    assert hall.stored() == (0, 0)


def test_refusal_as_htmx_fragment_is_an_alert_in_danish(hall: Setup) -> None:
    r = hall.upload("image", "photo.png", HTML, htmx=True)
    assert r.status_code == 400
    assert 'role="alert"' in r.text and "uanset hvad den hedder" in r.text
    r = hall.upload("image", "big.png", picture() + b"\x00" * (10 * MB), htmx=True)
    assert r.status_code == 413 and "højst være 10 MB" in r.text
    assert hall.stored() == (0, 0)


def test_a_body_larger_than_any_upload_is_cut_off_while_it_arrives(hall: Setup) -> None:
    """No Content-Length to trust: the body is counted as it streams in."""

    def body() -> Iterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.mp4"\r\n\r\n'
        chunk = b"\x00" * MB
        for _ in range(102):
            yield chunk
        yield b"\r\n--b--\r\n"

    r = hall.c.post(
        f"/f/workshops/{hall.workshop_id}/assets",
        content=body(),
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert r.status_code == 413 and r.json()["code"] == "upload.too_large"
    assert hall.stored() == (0, 0)


def test_participant_cannot_upload(hall: Setup) -> None:
    hall.as_participant()
    token = csrf(hall.c, f"/w/{hall.code}")
    r = hall.upload("image", "a.png", picture(), token=token)
    assert r.status_code == 403
    assert r.json()["message"] == message("permission.facilitators_only", "da")
    hall.as_facilitator()
    assert hall.stored() == (0, 0)


def test_stranger_cannot_upload(hall: Setup) -> None:
    hall.c.cookies = httpx.Cookies()
    assert hall.upload("image", "a.png", picture(), token="x").status_code == 403
    hall.as_facilitator()
    assert hall.stored() == (0, 0)


def test_upload_without_csrf_token_is_refused(hall: Setup) -> None:
    r = hall.upload("image", "a.png", picture(), token=None)
    assert r.status_code == 403 and r.json()["code"] == "form.csrf"
    r = hall.upload("image", "a.png", picture(), token="not-the-token")
    assert r.status_code == 403
    assert hall.stored() == (0, 0)


# --- accepted uploads --------------------------------------------------------------------


def test_phone_photo_is_stored_without_its_gps_position_and_keeps_its_size(hall: Setup) -> None:
    r = hall.upload("image", "IMG_0042.JPG", gps_jpeg((120, 90)))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kind"] == "image" and body["media_type"] == "image/jpeg"
    assert (body["width"], body["height"]) == (120, 90)
    assert hall.stored() == (1, 1)
    got = hall.c.get(hall.fac_url(body["asset_id"]))
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
    assert len(got.content) == body["size"]
    img = Image.open(io.BytesIO(got.content))
    assert not img.getexif() and img.size == (120, 90)
    assert b"PhoneMaker" not in got.content
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"].startswith("inline")
    assert got.headers["cache-control"] == "private, max-age=3600"


def test_htmx_upload_answers_with_a_status_naming_the_file(hall: Setup) -> None:
    r = hall.upload("image", "sal.webp", picture("WEBP"), htmx=True)
    assert r.status_code == 200 and 'role="status"' in r.text and "sal.webp" in r.text
    asset_id = re.search(r'data-asset-id="([0-9a-f]+)"', r.text).group(1)  # type: ignore[union-attr]
    assert hall.c.get(hall.fac_url(asset_id)).headers["content-type"] == "image/webp"


@pytest.mark.parametrize(
    ("kind", "name", "data", "media_type"),
    [
        ("video", "film.mp4", mp4(), "video/mp4"),
        ("captions", "film.da.vtt", VTT, "text/vtt; charset=utf-8"),
        ("audio", "musik.mp3", MP3, "audio/mpeg"),
    ],
)
def test_films_captions_and_music_are_stored_as_sent(
    hall: Setup, kind: str, name: str, data: bytes, media_type: str
) -> None:
    r = hall.upload(kind, name, data)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kind"] == kind and body["size"] == len(data)
    got = hall.c.get(hall.fac_url(body["asset_id"]))
    assert got.status_code == 200 and got.content == data
    assert got.headers["content-type"] == media_type


# --- who may fetch -----------------------------------------------------------------------


def _upload_ok(hall: Setup, kind: str, name: str, data: bytes) -> str:
    r = hall.upload(kind, name, data)
    assert r.status_code == 200, r.text
    asset_id: str = r.json()["asset_id"]
    return asset_id


def test_an_asset_no_room_shows_is_only_for_the_facilitator(hall: Setup) -> None:
    asset_id = _upload_ok(hall, "image", "sal.png", picture())
    assert hall.c.get(hall.fac_url(asset_id)).status_code == 200
    assert hall.c.get(hall.part_url(asset_id)).status_code == 200  # the facilitator, anywhere
    hall.as_participant()
    assert hall.c.get(hall.part_url(asset_id)).status_code == 404
    assert hall.c.get(hall.fac_url(asset_id)).status_code == 404
    hall.c.cookies = httpx.Cookies()
    assert hall.c.get(hall.part_url(asset_id)).status_code == 404


def test_the_picture_of_an_open_room_reaches_participants(hall: Setup) -> None:
    asset_id = _upload_ok(hall, "image", "sal.png", picture())
    hall.execute(hall.as_actor(), EditRoom(HALL, "", asset_id, None))
    hall.as_participant()
    r = hall.c.get(hall.part_url(asset_id))
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert hall.c.get(hall.part_url("0123456789abcdef")).status_code == 404
    assert hall.c.get(f"/w/ZZZZZZ/assets/{asset_id}").status_code == 404


def test_a_gated_rooms_music_and_picture_wait_for_the_right_answer(hall: Setup) -> None:
    music = _upload_ok(hall, "audio", "pause.mp3", MP3)
    pic = _upload_ok(hall, "image", "pause.png", picture())
    fac = hall.as_actor()
    hall.execute(fac, AddRoom("pause", "Pause", "break"))
    hall.execute(fac, EditRoom("pause", "Pause", pic, music))
    hall.execute(fac, AddStation("gate", HALL, "quiz", "Quiz", 5000, 5000))
    quiz = (("Hvor mange er 2 + 2?", ("3", "4"), 1),)
    hall.execute(
        fac, EditStation("gate", "Quiz", StationContent(target_room_id="pause", quiz=quiz))
    )
    hall.as_participant()
    assert hall.c.get(hall.part_url(music)).status_code == 404
    assert hall.c.get(hall.part_url(pic)).status_code == 404
    hall.execute(Actor("participant", hall.participant_id), AnswerQuiz("gate", (1,)))
    assert hall.c.get(hall.part_url(music)).status_code == 200
    assert hall.c.get(hall.part_url(pic)).status_code == 200


# --- Range requests ----------------------------------------------------------------------


def test_range_requests_return_the_asked_bytes(any_client: TestClient) -> None:
    hall = _hall(any_client)
    payload = bytes(range(256)) * (3 * 4096 + 7)  # some 3 MB: served in several slices
    film = mp4(payload)
    asset_id = _upload_ok(hall, "video", "film.mp4", film)
    url = hall.fac_url(asset_id)
    total = len(film)

    r = hall.c.get(url, headers={"Range": "bytes=100-199"})
    assert r.status_code == 206 and r.content == film[100:200]
    assert r.headers["content-range"] == f"bytes 100-199/{total}"
    assert r.headers["accept-ranges"] == "bytes" and r.headers["content-length"] == "100"

    start = 1024 * 1024 - 10  # across the edge of two database reads
    r = hall.c.get(url, headers={"Range": f"bytes={start}-"})
    assert r.status_code == 206 and r.content == film[start:]
    assert r.headers["content-range"] == f"bytes {start}-{total - 1}/{total}"

    r = hall.c.get(url, headers={"Range": "bytes=-500"})
    assert r.status_code == 206 and r.content == film[-500:]

    r = hall.c.get(url, headers={"Range": f"bytes=0-{total * 2}"})
    assert r.status_code == 206 and r.content == film

    r = hall.c.get(url, headers={"Range": f"bytes={total}-"})
    assert r.status_code == 416 and r.headers["content-range"] == f"bytes */{total}"

    r = hall.c.get(url, headers={"Range": "bytes=0-9,20-29"})  # several: the whole file
    assert r.status_code == 200 and r.content == film

    r = hall.c.get(url, headers={"Range": "bytes=0-9", "If-Range": '"other"'})
    assert r.status_code == 200 and r.content == film

    r = hall.c.get(url)
    assert r.status_code == 200 and r.content == film
    etag = r.headers["etag"]
    assert hall.c.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_participant_range_request_on_music_they_may_hear(hall: Setup) -> None:
    music = _upload_ok(hall, "audio", "pause.mp3", MP3)
    fac = hall.as_actor()
    hall.execute(fac, AddRoom("pause", "Pause", "break"))
    hall.execute(fac, EditRoom("pause", "Pause", None, music))
    hall.as_participant()
    r = hall.c.get(hall.part_url(music), headers={"Range": "bytes=10-13"})
    assert r.status_code == 206 and r.content == MP3[10:14]
    assert r.headers["content-type"] == "audio/mpeg"
