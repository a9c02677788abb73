"""Checking what a facilitator uploads to the hall, by its bytes: never by its name.

Pictures must really be PNG, JPEG or WebP; they are decoded and drawn again with Pillow, so no
metadata (the GPS position of a phone photo, its camera, comments, colour profiles) and nothing
hidden after the picture survives; SVG is refused (it can carry script). Sound, films and
captions are stored as sent, so their first bytes must match a format a browser plays and none
may carry markup a browser could be talked into running. Pure: bytes in, bytes out, no I/O.
"""

from __future__ import annotations

import io
import re
import struct
import unicodedata
import warnings
from dataclasses import dataclass, field
from typing import Literal

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

UploadKind = Literal["image", "audio", "video", "captions"]
UPLOAD_KINDS: tuple[UploadKind, ...] = ("image", "audio", "video", "captions")

KB = 1024
MB = 1024 * 1024
# What each kind may weigh as uploaded; `max_mb` is what the refusal names.
MAX_BYTES: dict[UploadKind, int] = {
    "image": 10 * MB,
    "audio": 20 * MB,
    "video": 100 * MB,
    "captions": 512 * KB,
}
LARGEST_UPLOAD = max(MAX_BYTES.values())

# A picture is decoded into memory; 50 megapixels (a 48 MP phone photo) costs some 150 MB as
# RGB. Beyond that a small file could be a decompression bomb, so it is refused unread.
MAX_PIXELS = 50_000_000
JPEG_QUALITY = 88
WEBP_QUALITY = 88
MAX_NAME = 120

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SOI = b"\xff\xd8\xff"
JPEG_EOI = b"\xff\xd9"

# Markup a browser would run if it were ever talked into reading the file as a page. Each needs
# its closing character where it can, so random bytes of a compressed film hardly ever match.
MARKUP = re.compile(
    rb"<(?:script[\s>/]|html[\s>]|svg[\s>/]|iframe[\s>/]|\?php[\s]|!doctype\s+html|object[\s>]"
    rb"|embed[\s>/])",
    re.IGNORECASE,
)
# Markup in captions: WebVTT allows <b>, <i>, <c.x>, <v Name> cue tags, never these.
CAPTIONS_MARKUP = re.compile(rb"<(?:script|html|svg|iframe|\?php|!doctype|object|embed)\b", re.I)

# `ftyp` brands of MP4 video Chromium and Firefox play (ISO base media, MPEG-4, H.264, DASH).
MP4_BRANDS = frozenset(
    {
        b"isom",
        b"iso2",
        b"iso3",
        b"iso4",
        b"iso5",
        b"iso6",
        b"mp41",
        b"mp42",
        b"avc1",
        b"dash",
        b"M4V ",
        b"M4VH",
        b"M4VP",
        b"MSNV",
        b"mmp4",
    }
)
M4A_BRANDS = frozenset({b"M4A ", b"M4B "})


class UploadError(Exception):
    """A refused upload: `code` is an `upload.*` catalogue entry, `params` fill its text."""

    def __init__(self, code: str, **params: int | float | str) -> None:
        super().__init__(code)
        self.code = code
        self.params: dict[str, int | float | str] = dict(params)


@dataclass(frozen=True)
class CheckedFile:
    """What is stored: `data` is what the server will serve (pictures: as re-encoded)."""

    kind: UploadKind
    media_type: str
    data: bytes = field(repr=False)
    width: int
    height: int
    name: str

    @property
    def size(self) -> int:
        return len(self.data)


def max_mb(kind: UploadKind) -> int | float:
    """The cap in MB as the refusal names it: 10, 20, 100, 0.5."""
    mb = MAX_BYTES[kind] / MB
    return int(mb) if mb.is_integer() else mb


def check_upload(kind: str, data: bytes, filename: str) -> CheckedFile:
    """The file as it will be stored, or UploadError saying why not. The name is only cleaned
    for the editor's lists: it decides nothing."""
    if kind not in UPLOAD_KINDS:
        raise UploadError("upload.kind")
    k: UploadKind = kind
    if not data:
        raise UploadError("upload.empty")
    if len(data) > MAX_BYTES[k]:
        raise UploadError("upload.too_large", max=max_mb(k))
    name = clean_name(filename, k)
    if k == "image":
        media_type, out, width, height = _image(data)
        return CheckedFile(k, media_type, out, width, height, name)
    if k == "captions":
        return CheckedFile(k, _captions(data), data, 0, 0, name)
    media_type = _audio_type(data) if k == "audio" else _video_type(data)
    if MARKUP.search(data):
        raise UploadError("upload.polyglot")
    return CheckedFile(k, media_type, data, 0, 0, name)


# --- names -------------------------------------------------------------------------------


# Control, format (bidi overrides, zero-width), surrogate, private, unassigned, line separators.
_NOT_IN_NAMES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def clean_name(filename: str, kind: UploadKind = "image") -> str:
    """The base name, NFC, without control or direction-override characters (which can make
    "gpj.exe" read as "exe.jpg"), at most MAX_NAME characters, its extension kept."""
    base = re.split(r"[/\\]", filename or "")[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch) not in _NOT_IN_NAMES)
    base = " ".join(base.split())  # tabs and line breaks were dropped; runs of spaces go too
    if not base.strip(". "):
        return kind
    if len(base) <= MAX_NAME:
        return base
    stem, dot, ext = base.rpartition(".")
    if dot and stem and 0 < len(ext) <= 10:
        return stem[: MAX_NAME - len(ext) - 1].rstrip() + "." + ext
    return base[:MAX_NAME].rstrip()


# --- pictures ----------------------------------------------------------------------------


def _looks_like_markup(data: bytes) -> bool:
    """Text starting with '<' (after a BOM and white space): SVG, HTML, XML."""
    head = data[:1024]
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    head = head.replace(b"\x00", b"")  # UTF-16 text, read loosely
    return head.lstrip().startswith(b"<")


def _is_svg(data: bytes) -> bool:
    if data.startswith(b"\x1f\x8b"):  # .svgz is gzip: refused as not a picture below
        return False
    head = data[: 64 * KB].replace(b"\x00", b"")
    return _looks_like_markup(data) and re.search(rb"<svg[\s>/:]", head, re.I) is not None


def _image_format(data: bytes) -> str:
    if data.startswith(PNG_SIGNATURE):
        return "PNG"
    if data.startswith(JPEG_SOI):
        return "JPEG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    raise UploadError("upload.not_image")


def _png_end(data: bytes) -> int:
    """Where the PNG's IEND chunk ends; walking its chunks proves the structure."""
    pos = len(PNG_SIGNATURE)
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        ctype = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data) or not ctype.isalpha():
            break
        if ctype == b"IEND":
            return end
        pos = end
    raise UploadError("upload.not_image")


def _check_trailing(fmt: str, data: bytes) -> None:
    """Nothing may follow the picture: a file that is a picture *and* a page (or a zip, or a
    script) is refused, whichever program reads it."""
    if fmt == "PNG":
        if _png_end(data) != len(data):
            raise UploadError("upload.polyglot")
    elif fmt == "JPEG":
        end = data.rfind(JPEG_EOI)
        if end < 0:
            raise UploadError("upload.not_image")
        # Some cameras pad with zeros after the last EOI; anything else is another file. The
        # last EOI, not the first: phones append a depth map or second picture (MPF) after it.
        if data[end + 2 :].strip(b"\x00"):
            raise UploadError("upload.polyglot")
    else:
        riff_size = int.from_bytes(data[4:8], "little")
        if riff_size + 8 < len(data):
            raise UploadError("upload.polyglot")
        if riff_size + 8 > len(data):
            raise UploadError("upload.not_image")


def _decode(data: bytes, fmt: str) -> Image.Image:
    """Decode fully, refusing anything Pillow doubts, and bombs before they are unpacked."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=[fmt])
            if img.format != fmt:
                raise UploadError("upload.not_image")
            width, height = img.size
            if width < 1 or height < 1 or width * height > MAX_PIXELS:
                raise UploadError("upload.not_image")
            img.load()
            return img
    except UploadError:
        raise
    except (
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        struct.error,
        MemoryError,
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise UploadError("upload.not_image") from None


def _to_srgb(img: Image.Image) -> Image.Image:
    """Colours as the profile meant them (a phone's Display P3, a print shop's CMYK), in sRGB,
    so the profile can go without the picture changing colour."""
    icc = img.info.get("icc_profile")
    if not icc or img.mode not in ("RGB", "RGBA", "CMYK"):
        return img
    try:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        dst = ImageCms.createProfile("sRGB")
        mode = "RGB" if img.mode == "CMYK" else img.mode
        out = ImageCms.profileToProfile(img, src, dst, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return img  # a broken profile: keep the numbers as they are
    return out if out is not None else img


def _flatten_mode(img: Image.Image, fmt: str) -> Image.Image:
    """A mode the output format stores plainly (no palette tricks, no CMYK)."""
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    if fmt == "JPEG":
        return img if img.mode in ("RGB", "L") else img.convert("RGB")
    if img.mode == "L" and fmt == "PNG":
        return img
    if img.mode in ("I", "I;16", "I;16B", "I;16L", "F") and fmt == "PNG":
        return img.convert("L")  # rare 16-bit greyscale: 8 bits are plenty for a wall
    target = "RGBA" if has_alpha else "RGB"
    return img if img.mode == target else img.convert(target)


def _reencode(img: Image.Image, fmt: str, lossless: bool) -> bytes:
    img = ImageOps.exif_transpose(img)  # turned the way the phone was held, then EXIF goes
    img = _to_srgb(img)
    img = _flatten_mode(img, fmt)
    img.info = {}  # savers read comments, profiles and transparency from here
    out = io.BytesIO()
    if fmt == "PNG":
        img.save(out, "PNG", compress_level=6)
    elif fmt == "JPEG":
        img.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif lossless:
        img.save(out, "WEBP", lossless=True, exact=False)
    else:
        img.save(out, "WEBP", quality=WEBP_QUALITY)
    return out.getvalue()


def _has_metadata(data: bytes, fmt: str) -> bool:
    with Image.open(io.BytesIO(data), formats=[fmt]) as check:
        if check.getexif():
            return True
        keys = {"exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment", "Comment"}
        return bool(keys & set(check.info)) or bool(getattr(check, "text", None))


def _image(data: bytes) -> tuple[str, bytes, int, int]:
    if _is_svg(data):
        raise UploadError("upload.svg")
    if _looks_like_markup(data):
        raise UploadError("upload.not_image")
    fmt = _image_format(data)
    _check_trailing(fmt, data)
    if MARKUP.search(data):  # in a comment, a tEXt chunk or EXIF: a page hiding in a picture
        raise UploadError("upload.polyglot")
    img = _decode(data, fmt)
    lossless = fmt == "WEBP" and b"VP8L" in data[12:64]
    try:
        out = _reencode(img, fmt, lossless)
    except (OSError, ValueError, MemoryError):
        raise UploadError("upload.not_image") from None
    finally:
        img.close()
    if _has_metadata(out, fmt):  # never expected: the promise is checked, not assumed
        raise UploadError("upload.not_image")
    width, height = _size_of(out, fmt)
    media_type = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}[fmt]
    return media_type, out, width, height


def _size_of(data: bytes, fmt: str) -> tuple[int, int]:
    with Image.open(io.BytesIO(data), formats=[fmt]) as img:
        return img.size


# --- sound and films ---------------------------------------------------------------------


def _mpeg_frame(header: bytes) -> bool:
    """An MPEG audio frame header: sync, and no reserved version, layer, rate or bitrate."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return False
    version = (header[1] >> 3) & 0x3
    layer = (header[1] >> 1) & 0x3
    bitrate = header[2] >> 4
    rate = (header[2] >> 2) & 0x3
    return version != 1 and layer != 0 and bitrate != 0xF and rate != 0x3


def _boxes(data: bytes) -> list[bytes] | None:
    """The top-level box types of an ISO media file, or None when they do not fill it exactly
    (cut short, or something else appended)."""
    types: list[bytes] = []
    pos = 0
    while pos < len(data):
        if pos + 8 > len(data):
            return None
        size = int.from_bytes(data[pos : pos + 4], "big")
        btype = data[pos + 4 : pos + 8]
        header = 8
        if size == 1:
            if pos + 16 > len(data):
                return None
            size = int.from_bytes(data[pos + 8 : pos + 16], "big")
            header = 16
        elif size == 0:
            size = len(data) - pos  # "to the end of the file"
        if size < header or pos + size > len(data) or not all(32 <= b < 127 for b in btype):
            return None
        types.append(btype)
        pos += size
    return types


def _ftyp_brands(data: bytes) -> set[bytes]:
    """The major and compatible brands of the `ftyp` box that opens an ISO media file."""
    if len(data) < 16 or data[4:8] != b"ftyp":
        return set()
    size = int.from_bytes(data[:4], "big")
    if size < 16 or size > min(len(data), 4096):
        return set()
    brands = {data[8:12]}
    brands.update(data[i : i + 4] for i in range(16, size - 3, 4))
    return brands


def _audio_type(data: bytes) -> str:
    if (data.startswith(b"ID3") and len(data) >= 10) or _mpeg_frame(data[:4]):
        return "audio/mpeg"
    if data.startswith(b"OggS"):
        return "audio/ogg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if _ftyp_brands(data) & M4A_BRANDS and _boxes(data) is not None:
        return "audio/mp4"
    raise UploadError("upload.not_audio")


def _video_type(data: bytes) -> str:
    brands = _ftyp_brands(data)
    if not brands & MP4_BRANDS or data[8:12] in M4A_BRANDS:  # an M4A is sound, not a film
        raise UploadError("upload.not_video")
    boxes = _boxes(data)
    if boxes is None or b"moov" not in boxes:
        raise UploadError("upload.not_video")
    return "video/mp4"


# --- captions ----------------------------------------------------------------------------


def _captions(data: bytes) -> str:
    """WebVTT: UTF-8 text (a BOM allowed) whose first line starts with WEBVTT."""
    if b"\x00" in data:
        raise UploadError("upload.not_captions")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UploadError("upload.not_captions") from None
    text = text.removeprefix("\ufeff")
    if not re.match(r"WEBVTT(?:[ \t\r\n]|$)", text):
        raise UploadError("upload.not_captions")
    if CAPTIONS_MARKUP.search(data) or MARKUP.search(data):
        raise UploadError("upload.polyglot")
    return "text/vtt"
