"""What the workshop report's template needs, and the page rendered from it.

Every figure comes from `server.domain.report.workshop_report` (what the audience may see, the
small-group guard, the anonymity of boards); this module only formats it for one language:
numbers with `one_decimal`, dates with Babel, histograms with the same geometry as the live
views. Nothing here reads a clock, so identical data gives byte-identical HTML (and PDF text).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from babel.dates import format_date

from server.domain.dilemmas import Counts
from server.domain.questions import DEFAULT_MIN_GROUP, Figures
from server.domain.report import BoardSection, WorkshopReport
from server.render.dilemma_view import percent
from server.render.figures import Chart, chart, one_decimal
from server.render.templating import render

EXPORTS = ("json", "notes", "questions", "votes", "dilemmas")


@dataclass(frozen=True)
class Controls:
    """The facilitator's tools at the top of the page (never in print, never in the PDF or the
    public page): downloads, lane B's exports, and publishing the read-only link."""

    csrf: str
    pdf: str
    other_language: str  # the same page in the other language
    names: str  # the page with names (or without, when they are shown)
    exports: tuple[tuple[str, str], ...]  # (kind, url): the template names each kind
    publish: str  # POST: publish (again: a new link, the old one stops working)
    unpublish: str  # POST: revoke
    public_url: str | None  # the published link, None while not published
    back: str  # the workshop's live page
    lang: str | None  # the `?lang=` asked for, kept across the publish forms


@dataclass(frozen=True)
class PublicTools:
    """The published page's own links: its PDF and the other language."""

    pdf: str
    other_language: str


def facilitator_controls(
    workshop_id: str,
    *,
    csrf: str,
    locale: str,
    lang: str | None,
    names: bool,
    public_url: str | None,
) -> Controls:
    base = f"/f/workshops/{workshop_id}"
    other = "en" if locale == "da" else "da"
    return Controls(
        csrf=csrf,
        pdf=base + "/report.pdf" + _query(lang=lang, names=names),
        other_language=base + "/report" + _query(lang=other, names=names),
        names=base + "/report" + _query(lang=lang, names=not names),
        exports=tuple((kind, export_url(workshop_id, kind)) for kind in EXPORTS),
        publish=base + "/report/publish",
        unpublish=base + "/report/unpublish",
        public_url=public_url,
        back=base,
        lang=lang,
    )


def public_tools(path: str, locale: str, lang: str | None) -> PublicTools:
    """`path`: the public page's own path (`/r/<token>`)."""
    other = "en" if locale == "da" else "da"
    return PublicTools(pdf=path + ".pdf" + _query(lang=lang), other_language=path + _query(other))


def export_url(workshop_id: str, kind: str) -> str:
    """Lane B's exports: the full JSON, and one CSV per entity."""
    base = f"/f/workshops/{workshop_id}"
    return base + "/export.json" if kind == "json" else f"{base}/export/{kind}.csv"


def _query(lang: str | None = None, names: bool = False) -> str:
    parts = ([f"lang={lang}"] if lang else []) + (["names=1"] if names else [])
    return "?" + "&".join(parts) if parts else ""


@dataclass(frozen=True)
class ReportView:
    """The report in one language, with the formatting the template asks for."""

    report: WorkshopReport
    locale: str

    dilemma_min_group = DEFAULT_MIN_GROUP  # the dilemma split's guard (no per-card setting)

    @property
    def public(self) -> bool:
        return self.report.audience == "public"

    def date(self, iso: str) -> str:
        """A stored ISO date in the report's language ("20. november 2026"); as stored if it is
        not one."""
        try:
            day = datetime.date.fromisoformat(iso)
        except ValueError:
            return iso
        return format_date(day, format="long", locale=self.locale)

    def decimal(self, value: float | None) -> str:
        return one_decimal(value, self.locale)

    def chart(self, figures: Figures) -> Chart:
        """The live views' histogram geometry, so the report draws the same SVG."""
        return chart(figures.histogram)

    def over_percent(self, counts: Counts) -> int:
        return percent(counts.over, counts.n)

    def ranked_boards(self) -> list[BoardSection]:
        """The boards that held a dot vote with at least one dot placed."""
        return [b for b in self.report.boards if b.ranking]

    @property
    def voted_dots(self) -> bool:
        return any(b.ranking for b in self.report.boards)


def slug(title: str) -> str:
    """A file name from a title: "Visionsværksted 2030" -> "visionsvaerksted-2030"."""
    text = title.lower()
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("ß", "ss")):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60].strip("-")
    return text or "workshop"


def pdf_filename(title: str, locale: str) -> str:
    return f"{slug(title)}-{'report' if locale == 'en' else 'rapport'}.pdf"


def render_report(
    view: ReportView,
    *,
    controls: Controls | None = None,
    tools: PublicTools | None = None,
) -> str:
    """The report page. Without controls or tools it is the PDF's HTML: the report alone."""
    return render(
        "report.html", view.locale, r=view.report, rv=view, controls=controls, tools=tools
    )


def render_missing(locale: str) -> str:
    """The one page every unusable published link gets: bad signature, unknown workshop,
    revoked or replaced link alike, so a guess learns nothing."""
    return render("partials/report_missing.html", locale)
