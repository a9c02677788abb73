"""The facilitator's Markdown (rules, information, help-line and intros) as safe HTML.

markdown-it-py renders CommonMark with tables and strike-through, with raw HTML off (typed HTML
stays text) and images off (an image from outside would tell another server who looks, so
`![x](url)` becomes a plain link). nh3 then sanitises the result against an allow-list; nothing
here escapes by hand. Links may only be absolute http(s), mailto or tel addresses and open in a new tab with
rel="noopener noreferrer nofollow". Headings are moved down two levels, so a `# Title` in a
station sits under the station's own heading.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "s",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
_SCHEMES = {"http", "https", "mailto", "tel"}
_REL = "noopener noreferrer nofollow"
_HEADING_SHIFT = 2


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.disable("image")
    return md


_MD = _parser()


def _shift_headings(tokens: list[Token]) -> None:
    for t in tokens:
        if t.type in ("heading_open", "heading_close"):
            level = min(6, int(t.tag[1]) + _HEADING_SHIFT)
            t.tag = f"h{level}"


@lru_cache(maxsize=512)
def _render(text: str) -> str:
    tokens = _MD.parse(text)
    _shift_headings(tokens)
    html = _MD.renderer.render(tokens, _MD.options, {})
    return nh3.clean(
        html,
        tags=_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        url_relative="deny",
        link_rel=_REL,
        set_tag_attribute_values={"a": {"target": "_blank"}},
        strip_comments=True,
    )


def markdown(text: str) -> Markup:
    """`text` (Markdown, as typed) as sanitised HTML, safe to put into a page."""
    if not text.strip():
        return Markup("")
    return Markup(_render(text))  # noqa: S704 - sanitised by nh3 against an allow-list above
