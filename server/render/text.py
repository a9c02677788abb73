"""User text into HTML: escaped first, then web addresses made into safe links."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# http(s) only: javascript:, data: and the like stay plain text.
_URL = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""


def linkify(text: str) -> Markup:
    """Escape `text` and turn http(s) addresses into links that open safely in a new tab."""
    out: list[str] = []
    last = 0
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(_TRAILING)
        end = m.start() + len(url)
        out.append(str(escape(text[last : m.start()])))
        u = escape(url)
        out.append(f'<a href="{u}" rel="noopener noreferrer nofollow ugc" target="_blank">{u}</a>')
        last = end
    out.append(str(escape(text[last:])))
    return Markup("".join(out))  # noqa: S704 - every user part above went through escape()
