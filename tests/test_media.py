"""`server.media`: uploads are judged by their bytes, pictures come out without metadata."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageCms

from server.media import (
    MAX_BYTES,
    MAX_NAME,
    MAX_PIXELS,
    PNG_SIGNATURE,
    CheckedFile,
    UploadError,
    check_upload,
    clean_name,
    max_mb,
)

GPS = 0x8825
ORIENTATION = 0x0112


def picture(fmt: str, size: tuple[int, int] = (40, 30), mode: str = "RGB", **save: object) -> bytes:
    img = Image.new(mode, size, (200, 120, 40) if mode.startswith("RGB") else 128)
    out = io.BytesIO()
    img.save(out, fmt, **save)
    return out.getvalue()


def gps_exif(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[GPS] = {1: "N", 2: (55.0, 46.0, 12.5), 3: "E", 4: (12.0, 30.0, 1.0)}
    return exif.tobytes()


def png_chunk(ctype: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + ctype
        + data
        + struct.pack(">I", zlib.crc32(ctype + data) & 0xFFFFFFFF)
    )


def png_with_chunk(ctype: bytes, data: bytes, png: bytes | None = None) -> bytes:
    """A valid PNG with one more chunk just before IEND."""
    png = picture("PNG") if png is None else png
    iend = png.rindex(b"IEND") - 4
    return png[:iend] + png_chunk(ctype, data) + png[iend:]


def refused(kind: str, data: bytes, name: str = "file") -> str:
    with pytest.raises(UploadError) as e:
        check_upload(kind, data, name)
    return e.value.code


def reopened(checked: CheckedFile) -> Image.Image:
    return Image.open(io.BytesIO(checked.data))


# --- pictures that pass ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")],
)
def test_png_jpeg_and_webp_are_kept_in_their_format_and_size(fmt: str, media_type: str) -> None:
    checked = check_upload("image", picture(fmt, (64, 48)), "x.bin")
    assert checked.media_type == media_type
    assert (checked.width, checked.height) == (64, 48)
    assert reopened(checked).format == fmt
    assert checked.size == len(checked.data)


def test_a_phone_photo_loses_its_gps_position_and_camera_but_keeps_its_dimensions() -> None:
    data = picture("JPEG", (120, 80), exif=gps_exif())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS)  # the fixture really has GPS
    checked = check_upload("image", data, "IMG_0001.JPG")
    out = reopened(checked)
    assert not out.getexif() and "exif" not in out.info
    assert (checked.width, checked.height) == (120, 80) == out.size
    assert b"PhoneMaker" not in checked.data and b"Exif" not in checked.data


def test_the_orientation_is_applied_before_exif_goes() -> None:
    data = picture("JPEG", (120, 80), exif=gps_exif(orientation=6))  # held upright
    checked = check_upload("image", data, "portrait.jpg")
    assert (checked.width, checked.height) == (80, 120)
    assert not reopened(checked).getexif()


def test_png_text_exif_and_colour_profile_are_stripped() -> None:
    data = png_with_chunk(b"tEXt", b"Author\x00Jens Jensen, Rosenvej 4")
    data = png_with_chunk(b"eXIf", gps_exif().removeprefix(b"Exif\x00\x00"), data)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS)
    img = Image.new("RGB", (30, 20), (10, 200, 30))
    out = io.BytesIO()
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    icc = profile.tobytes()
    img.save(out, "PNG", icc_profile=icc)
    for raw in (data, out.getvalue()):
        checked = check_upload("image", raw, "a.png")
        again = reopened(checked)
        assert not again.getexif() and not again.info and not getattr(again, "text", {})
    assert b"Jens" not in check_upload("image", data, "a.png").data


def test_webp_lossless_stays_lossless_and_transparency_is_kept() -> None:
    img = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
    img.paste((255, 0, 0, 255), (5, 5, 15, 15))
    out = io.BytesIO()
    img.save(out, "WEBP", lossless=True)
    checked = check_upload("image", out.getvalue(), "dot.webp")
    back = reopened(checked).convert("RGBA")
    corner, inside = back.getpixel((0, 0)), back.getpixel((10, 10))
    assert isinstance(corner, tuple) and corner[3] == 0 and inside == (255, 0, 0, 255)


def test_palette_and_greyscale_pictures_are_accepted() -> None:
    pal = Image.new("P", (16, 16))
    pal.putpalette([0, 0, 0, 255, 255, 255] * 128)
    out = io.BytesIO()
    pal.save(out, "PNG", transparency=0)
    assert check_upload("image", out.getvalue(), "p.png").media_type == "image/png"
    assert check_upload("image", picture("JPEG", mode="L"), "g.jpg").media_type == "image/jpeg"


# --- pictures that are refused -----------------------------------------------------------


def test_wrong_magic_bytes_are_not_a_picture_whatever_the_name() -> None:
    assert refused("image", b"GIF89a" + b"\x00" * 100, "photo.png") == "upload.not_image"
    assert refused("image", b"%PDF-1.7\n...", "photo.jpg") == "upload.not_image"
    assert refused("image", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "photo.png") == (
        "upload.not_image"
    )


def test_svg_is_refused_by_content_also_when_named_png() -> None:
    svg = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>'
    assert refused("image", svg, "drawing.svg") == "upload.svg"
    assert refused("image", svg, "drawing.png") == "upload.svg"
    assert refused("image", b"\xef\xbb\xbf  <!-- x -->\n<SVG width='1'/>", "a.png") == "upload.svg"


def test_html_named_png_is_not_a_picture() -> None:
    html = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
    assert refused("image", html, "photo.png") == "upload.not_image"


def test_picture_with_a_page_appended_is_a_polyglot() -> None:
    page = b"<html><script>alert(document.cookie)</script></html>"
    assert refused("image", picture("PNG") + page, "a.png") == "upload.polyglot"
    assert refused("image", picture("JPEG") + page, "a.jpg") == "upload.polyglot"
    assert refused("image", picture("WEBP") + page, "a.webp") == "upload.polyglot"


def test_anything_after_the_end_of_the_picture_is_a_polyglot() -> None:
    zip_tail = b"PK\x05\x06" + b"\x00" * 18
    assert refused("image", picture("PNG") + zip_tail, "a.png") == "upload.polyglot"
    assert refused("image", picture("JPEG") + zip_tail, "a.jpg") == "upload.polyglot"
    # zero padding after a JPEG's end is what some cameras write: accepted
    assert check_upload("image", picture("JPEG") + b"\x00" * 16, "a.jpg").width == 40


def test_script_hidden_inside_a_chunk_or_comment_is_a_polyglot() -> None:
    assert refused("image", png_with_chunk(b"tEXt", b"c\x00<script>alert(1)</script>")) == (
        "upload.polyglot"
    )
    jpeg = picture("JPEG", comment=b"<?php system($_GET['c']); ?>")
    assert refused("image", jpeg) == "upload.polyglot"
    assert refused("image", png_with_chunk(b"iTXt", b"k\x00\x00\x00\x00\x00<svg onload=x>")) == (
        "upload.polyglot"
    )


def test_truncated_pictures_are_not_pictures() -> None:
    png = picture("PNG", (64, 64))
    assert refused("image", png[: len(png) // 2]) == "upload.not_image"
    jpeg = picture("JPEG", (64, 64))
    assert refused("image", jpeg[:200] + b"\xff\xd9") == "upload.not_image"


def test_a_decompression_bomb_is_refused_before_it_is_unpacked() -> None:
    side = int(MAX_PIXELS**0.5) + 100  # just over the cap: a 50 MB header, a tiny file
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    idat = zlib.compress(bytes((side + 1) * side), 9)  # complete: Pillow alone would decode it
    data = PNG_SIGNATURE + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat)
    data += png_chunk(b"IEND", b"")
    assert len(data) < 200 * 1024
    assert refused("image", data) == "upload.not_image"
    huge = PNG_SIGNATURE + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 10**5, 10**5, 8, 2, 0, 0, 0))
    assert refused("image", huge + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")) == (
        "upload.not_image"
    )


def test_oversized_and_empty_files_are_refused_before_anything_else() -> None:
    big = picture("PNG") + b"\x00" * MAX_BYTES["image"]
    with pytest.raises(UploadError) as e:
        check_upload("image", big, "a.png")
    assert e.value.code == "upload.too_large" and e.value.params == {"max": 10}
    assert refused("image", b"") == "upload.empty"
    assert max_mb("captions") == 0.5 and max_mb("video") == 100 and max_mb("audio") == 20


def test_unknown_kind_is_refused() -> None:
    assert refused("document", picture("PNG")) == "upload.kind"


# --- sound, films, captions --------------------------------------------------------------


def box(btype: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I", 8 + len(payload)) + btype + payload


def mp4(major: bytes = b"isom", compatible: tuple[bytes, ...] = (b"isom", b"mp42")) -> bytes:
    ftyp = box(b"ftyp", major + b"\x00\x00\x02\x00" + b"".join(compatible))
    return ftyp + box(b"moov", box(b"mvhd", b"\x00" * 100)) + box(b"mdat", b"\x01\x02" * 50)


MP3_FRAME = b"\xff\xfb\x90\x64" + b"\x00" * 413
MP3_ID3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + MP3_FRAME


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (MP3_ID3, "audio/mpeg"),
        (MP3_FRAME, "audio/mpeg"),
        (b"OggS\x00\x02" + b"\x00" * 100, "audio/ogg"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 40, "audio/wav"),
        (mp4(b"M4A ", (b"M4A ", b"mp42", b"isom")), "audio/mp4"),
    ],
)
def test_audio_formats_are_recognised_by_their_bytes(data: bytes, media_type: str) -> None:
    checked = check_upload("audio", data, "music.bin")
    assert checked.media_type == media_type and checked.data == data


def test_audio_that_is_not_audio_is_refused() -> None:
    assert refused("audio", picture("PNG"), "song.mp3") == "upload.not_audio"
    assert refused("audio", b"<html>hi</html>", "song.mp3") == "upload.not_audio"
    assert refused("audio", b"\xff\xff\xff\xff" + b"\x00" * 50, "song.mp3") == "upload.not_audio"
    assert refused("audio", MP3_ID3 + b"<script>alert(1)</script>") == "upload.polyglot"


def test_mp4_video_is_recognised_and_structure_checked() -> None:
    checked = check_upload("video", mp4(), "film.mp4")
    assert checked.media_type == "video/mp4" and checked.data == mp4()
    assert refused("video", mp4()[:-10], "film.mp4") == "upload.not_video"  # cut short
    assert refused("video", mp4() + b"<html>x</html>", "film.mp4") == "upload.not_video"
    assert refused("video", box(b"ftyp", b"qt  \x00\x00\x00\x00qt  ") + box(b"moov")) == (
        "upload.not_video"
    )
    assert refused("video", mp4(b"M4A ", (b"M4A ",)), "song.mp4") == "upload.not_video"
    assert refused("video", MP3_ID3, "film.mp4") == "upload.not_video"
    hidden = mp4()[:-108] + box(b"mdat", b"<script>alert(1)</script>" + b"\x00" * 75)
    assert refused("video", hidden) == "upload.polyglot"


def test_webvtt_captions() -> None:
    vtt = "WEBVTT\n\n00:00.000 --> 00:02.000\n<v Borgmester>Velkommen til byrådssalen\n"
    checked = check_upload("captions", vtt.encode(), "da.vtt")
    assert checked.media_type == "text/vtt"
    assert check_upload("captions", b"\xef\xbb\xbfWEBVTT - titel\n", "a.vtt").kind == "captions"
    assert refused("captions", b"1\n00:00:00,000 --> 00:00:02,000\nHej\n") == "upload.not_captions"
    assert refused("captions", b"WEBVTTX\n") == "upload.not_captions"
    assert refused("captions", b"WEBVTT\n\x00\n") == "upload.not_captions"
    assert refused("captions", "WEBVTT\n".encode("utf-16")) == "upload.not_captions"
    assert refused("captions", b"WEBVTT\n\xff\xfe\n") == "upload.not_captions"
    assert refused("captions", b"WEBVTT\n\n00:00.000 --> 00:01.000\n<script>x</script>\n") == (
        "upload.polyglot"
    )
    assert refused("captions", b"WEBVTT\n" + b"a" * MAX_BYTES["captions"]) == "upload.too_large"


# --- names -------------------------------------------------------------------------------


def test_names_are_cleaned_for_the_editors_lists() -> None:
    assert clean_name("C:\\Users\\jens\\Billeder\\sal.png") == "sal.png"
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("cafe\u0301.jpg") == "caf\u00e9.jpg"  # NFC
    assert clean_name("photo\u202egnp.exe") == "photognp.exe"  # no direction override
    assert clean_name("a\x00b\x07c\nd.png") == "abcd.png"
    assert clean_name("  ", "audio") == "audio"
    long = "x" * 300 + ".jpeg"
    assert clean_name(long) == "x" * (MAX_NAME - 5) + ".jpeg"
    assert len(clean_name("y" * 300)) == MAX_NAME
    assert check_upload("image", picture("PNG"), "dir/sal\u202e.png").name == "sal.png"
