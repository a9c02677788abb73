"""Reports as PDF: WeasyPrint lays out the same HTML the browser gets, with its print
stylesheet, on the server. Nothing is fetched from the network: the page's own stylesheets
and pictures are read from `static/` on disk, and any other URL is refused."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import weasyprint
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_DIR = (Path(__file__).resolve().parents[2] / "static").resolve()


class LocalOnly(URLFetcher):  # type: ignore[misc]
    """Serves `/static/...` from disk and refuses everything else: no third-party fetch, and
    no server-side request forgery through a report."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        prefix = "file:///static/"
        if url.startswith(prefix):
            path = (STATIC_DIR / url[len(prefix) :].split("?")[0]).resolve()
            if path.is_relative_to(STATIC_DIR) and path.is_file():
                return URLFetcherResponse(
                    url, path.read_bytes(), headers={"Content-Type": _mime(path)}
                )
        raise ValueError(f"not fetched for a PDF: {url[:80]}")


def _mime(path: Path) -> str:
    return {
        ".css": "text/css",
        ".svg": "image/svg+xml",
        ".png": "image/png",
        ".jpg": "image/jpeg",
        ".webp": "image/webp",
    }.get(path.suffix, "application/octet-stream")


def html_to_pdf(html: str) -> bytes:
    """The PDF of a report page. Links in the page such as `/static/report.css` resolve
    against `file:///` and so are read from `static/`."""
    doc = weasyprint.HTML(string=html, base_url="file:///", url_fetcher=LocalOnly())
    pdf: bytes = doc.write_pdf()
    return pdf


async def html_to_pdf_async(html: str) -> bytes:
    """Off the event loop: a long report takes a second or more to lay out."""
    return await asyncio.to_thread(html_to_pdf, html)
