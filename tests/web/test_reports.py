"""The workshop report through Starlette's TestClient, against a seeded workshop stored the way
a live session stores it: the figures on the page equal what this test computes from the
database with SQL, anonymity holds (hidden notes, boards without authors, names only on
request, never in public), the PDF's text carries the same, and the published read-only link
works from a browser without a login until it is withdrawn or replaced.

The seeded app is shared by the module (seeding is the slow part); the tests that publish
leave the figures alone, and each says what it expects of the link itself.
"""

from __future__ import annotations

import re
import sqlite3
import statistics
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from itsdangerous import URLSafeSerializer
from starlette.testclient import TestClient

from server.settings import Settings
from tests.report_seed import NAMED_QUESTION, QUESTION, Seeded, seed_workshop
from tests.support import SECRET
from tests.web.running import OTHER, csrf, login, running_app

# --- reading a page as a user sees it -------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str]

    def text(self) -> str:
        parts: list[str] = []
        for c in self.children:
            parts.append(c if isinstance(c, str) else c.text())
        return re.sub(r"\s+", " ", " ".join(parts)).strip()

    def all(self, tag: str) -> list[Element]:
        found: list[Element] = []
        for c in self.children:
            if isinstance(c, Element):
                if c.tag == tag:
                    found.append(c)
                found.extend(c.all(tag))
        return found

    def find(self, element_id: str) -> Element | None:
        for c in self.children:
            if isinstance(c, Element):
                if c.attrs.get("id") == element_id:
                    return c
                hit = c.find(element_id)
                if hit is not None:
                    return hit
        return None

    def by_id(self, element_id: str) -> Element:
        hit = self.find(element_id)
        assert hit is not None, f"no #{element_id}"
        return hit


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {}, [])
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = Element(tag, {k: v or "" for k, v in attrs}, [])
        self.stack[-1].children.append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    tree = _Tree()
    tree.feed(html)
    return tree.root


def section_with_heading(page: Element, heading: str) -> Element:
    """The <section> whose first heading says `heading`."""
    for s in page.all("section"):
        for h in ("h2", "h3", "h4", "h5"):
            hs = s.all(h)
            if hs and hs[0].text() == heading:
                return s
    raise AssertionError(f"no section headed {heading!r}")


def danish(value: float) -> str:
    """One decimal, halves up, with a decimal comma: what a Danish reader expects."""
    d = Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return str(d).replace(".", ",")


# --- the app, its database and the seeded workshop ------------------------------------------


@dataclass
class App:
    client: TestClient  # the facilitator's browser, logged in
    settings: Settings
    db: Path
    seeded: Seeded

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.db) as conn:
            return list(conn.execute(query, params))

    def browser(self) -> TestClient:
        """Someone else's browser on the same running app: its own cookies, no login."""
        return TestClient(self.client.app)

    @property
    def wid(self) -> str:
        return self.seeded.workshop_id

    def report(self, query: str = "") -> str:
        r = self.client.get(f"/f/workshops/{self.wid}/report{query}")
        assert r.status_code == 200, r.text[:500]
        assert r.headers["content-type"].startswith("text/html")
        return r.text


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    with running_app(tmp_path_factory.mktemp("reports")) as r:
        assert r.client.portal is not None
        seeded = r.client.portal.call(seed_workshop, r.service, r.facilitator_id)
        yield App(r.client, r.settings, r.db, seeded)


def published_token(app: App, page: str) -> str:
    m = re.search(r'id="public-link" type="text" readonly value="[^"]*/r/([^"]+)"', page)
    assert m, "no public link on the page"
    return m.group(1)


def publish(app: App) -> str:
    r = app.client.post(
        f"/f/workshops/{app.wid}/report/publish",
        data={"csrf": csrf(app.client, f"/f/workshops/{app.wid}/report")},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/f/workshops/{app.wid}/report"
    return published_token(app, app.report())


def unpublish(app: App) -> None:
    r = app.client.post(
        f"/f/workshops/{app.wid}/report/unpublish",
        data={"csrf": csrf(app.client, f"/f/workshops/{app.wid}/report")},
        follow_redirects=False,
    )
    assert r.status_code == 303


# --- the figures ----------------------------------------------------------------------------


def test_the_question_figures_equal_what_the_database_gives(app: App) -> None:
    q = app.seeded.ids["q-vision"]
    values = [v for (v,) in app.sql("SELECT value FROM votes WHERE question_id = ?", q)]
    per_group = dict(
        app.sql(
            "SELECT group_name, COUNT(*) FROM votes WHERE question_id = ? GROUP BY group_name", q
        )
    )
    page = parse(app.report())
    section = section_with_heading(page, QUESTION)
    figures = {
        dt.text(): dd.text()
        for div in section.all("dl")[0].all("div")
        for dt, dd in [(div.all("dt")[0], div.all("dd")[0])]
    }
    assert figures["Antal stemmer"] == str(len(values))
    assert figures["Gennemsnit"] == danish(statistics.fmean(values))
    assert figures["Median (midterste svar)"] == danish(statistics.median(values))
    assert "," in figures["Gennemsnit"]  # a Danish decimal comma
    # The same histogram as the live view: one bar per value that got votes.
    svg = section.all("svg")[0]
    bars = [int(t.text()) for t in svg.all("text") if "count" in t.attrs.get("class", "")]
    assert bars == [values.count(v) for v in range(11)]
    groups = section_with_heading(section, "Fordelt på grupper")
    for group, n in per_group.items():
        shown = section_with_heading(groups, group)
        assert f"{n} stemme" in shown.text()
    # Medarbejder has one voter: hidden by the small-group guard, which says why.
    alone = section_with_heading(groups, "Medarbejder")
    assert per_group["Medarbejder"] == 1
    assert "For få svar til at vise" in alone.text() and not alone.all("svg")
    assert "mindst 3" in groups.text()
    # A shown group's figures are the group's own.
    borger = [v for (v,) in app.sql(
        "SELECT value FROM votes WHERE question_id = ? AND group_name = 'Borger'", q
    )]  # fmt: skip
    assert danish(statistics.fmean(borger)) in section_with_heading(groups, "Borger").text()
    comments = [c for (c,) in app.sql(
        "SELECT comment FROM votes WHERE question_id = ? AND comment IS NOT NULL", q
    )]  # fmt: skip
    assert comments and all(c in section.text() for c in comments)


def test_participants_dots_and_notes_as_stored(app: App) -> None:
    page = parse(app.report())
    cover = section_with_heading(page, "Om workshoppen")
    rows = {
        tr.all("th")[0].text(): tr.all("td")[0].text()
        for tr in cover.all("table")[0].all("tr")
        if tr.all("td")
    }
    stored = app.sql(
        "SELECT group_name, COUNT(*) FROM participants WHERE workshop_id = ? AND NOT kicked"
        " GROUP BY group_name",
        app.wid,
    )
    assert stored and all(rows[g] == str(n) for g, n in stored)
    assert rows["I alt"] == str(sum(n for _, n in stored))

    top_note, top_dots = app.sql(
        "SELECT note_id, SUM(placed) FROM dots WHERE workshop_id = ? GROUP BY note_id"
        " ORDER BY 2 DESC LIMIT 1",
        app.wid,
    )[0]
    (text,) = app.sql("SELECT text FROM notes WHERE id = ?", top_note)[0]
    ranking = section_with_heading(page, "Prikafstemninger").all("tbody")[0].all("tr")[0]
    assert [c.text() for c in ranking.children if isinstance(c, Element)] == [
        "1.",
        text,
        str(top_dots),
    ]

    boards = section_with_heading(page, "Tavler")
    (hidden,) = app.sql("SELECT text FROM notes WHERE workshop_id = ? AND hidden", app.wid)[0]
    assert hidden not in page.text()
    # The idea bank shows authors; the negative brainstorm does not.
    ideas = section_with_heading(boards, "Idébank")
    assert "Anne Politiker" in ideas.text() and "Mobilitet" in ideas.text()
    (neg_text, neg_author) = app.sql(
        "SELECT text, author_name FROM notes WHERE board_id = ?", app.seeded.negative_board
    )[0]
    negative = section_with_heading(boards, "Negativ brainstorm")
    assert neg_text in negative.text() and neg_author not in negative.text()
    assert "Skrevet af" not in negative.text()


def test_names_only_when_the_facilitator_asks(app: App) -> None:
    # Bent wrote only the hidden note, and Erik's note was merged: neither is an author.
    plain = app.report()
    assert "Bent Politiker" not in plain and "Erik Borger" not in plain
    named = parse(app.report("?names=1"))
    people = section_with_heading(named, "Om workshoppen").all("table")[1]
    names = [tr.all("th")[0].text() for tr in people.all("tbody")[0].all("tr")]
    assert "Bent Politiker" in names and "Erik Borger" in names
    stored = {n for (n,) in app.sql(
        "SELECT display_name FROM participants WHERE workshop_id = ?", app.wid
    )}  # fmt: skip
    assert None in stored  # somebody joined as "anonym": not listed, and no empty row
    assert set(names) == stored - {None}
    assert "anonym" not in people.text()


def test_unrevealed_and_revealed_cards_and_questions(app: App) -> None:
    page = parse(app.report())
    still_open = section_with_heading(page, "Stemmes der stadig om")
    assert "ikke afsløret" in still_open.text() and not still_open.all("svg")
    named = section_with_heading(page, NAMED_QUESTION)
    assert named.all("svg")
    cards = section_with_heading(page, "Over eller under stregen")
    shown = section_with_heading(cards, "Skal biler ud af midtbyen?")
    over, under = app.sql(
        "SELECT SUM(side = 'over'), SUM(side = 'under') FROM dilemma_choices WHERE card_id = ?",
        app.seeded.ids["d-1"],
    )[0]
    assert f"Over stregen: {over}" in shown.text() and f"Under stregen: {under}" in shown.text()
    assert "For få valg til at vise" in shown.text()  # Medarbejder chose alone
    waiting = section_with_heading(cards, "Skal skolerne lægges sammen?")
    assert "ikke afsløret" in waiting.text() and "Over stregen" not in waiting.text()


def test_hall_programme_and_committee(app: App) -> None:
    page = parse(app.report())
    programme = section_with_heading(page, "Program")
    assert "09:30" in programme.text() and "Velkomst" in programme.text()
    hall = section_with_heading(page, "Byrådssalen")
    rows = {
        tr.all("th")[0].text(): tr.all("td")[-1].text() for tr in hall.all("tbody")[0].all("tr")
    }
    opened = dict(app.sql(
        "SELECT station_id, COUNT(*) FROM hall_opens WHERE workshop_id = ?"
        " GROUP BY station_id", app.wid,
    ))  # fmt: skip
    assert rows["Program"] == str(opened["s-prog"]) and rows["Spilleregler"] == "1"
    quizzes = hall.all("table")[1]
    assert "Kaffequiz" in quizzes.text() and quizzes.all("td")[-1].text() == "2"
    committee = section_with_heading(page, "Opgaveudvalget: Opgaveudvalg for mobilitet")
    text = committee.text()
    assert "Sprint 1" in text and "Cykelstier planlagt" in text and "Nået" in text
    assert "Delvist nået" in text and "Linjeføring vedtaget" in text
    assert "Flere cykelstier langs Mølleåen" in text


def test_english_when_asked_and_identical_for_identical_data(app: App) -> None:
    english = app.report("?lang=en")
    assert '<html lang="en">' in english
    page = parse(english)
    for heading in ("About the workshop", "Boards", "0-10 questions", "The hall"):
        assert section_with_heading(page, heading)
    q = section_with_heading(page, QUESTION)
    assert "6.3" in q.text()  # the English decimal point
    assert app.report("?lang=en") == english
    assert app.report() == app.report()
    assert app.report("?names=1") == app.report("?names=1")


def test_the_pdf_has_the_headings_and_figures(app: App, tmp_path: Path) -> None:
    r = app.client.get(f"/f/workshops/{app.wid}/report.pdf")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == (
        'attachment; filename="visionsvaerksted-2030-rapport.pdf"'
    )
    assert "content-security-policy" in r.headers
    (tmp_path / "r.pdf").write_bytes(r.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    values = [v for (v,) in app.sql(
        "SELECT value FROM votes WHERE question_id = ?", app.seeded.ids["q-vision"]
    )]  # fmt: skip
    flat = re.sub(r"\s+", " ", text)
    for heading in (
        "Visionsværksted 2030",
        "Om workshoppen",
        "Tavler",
        "Byrådssalen",
        "Gennemsnit",
    ):
        assert heading in flat
    assert danish(statistics.fmean(values)) in flat
    assert "Hent som PDF" not in flat and "Offentliggør" not in flat  # no controls in the PDF


# --- who may see it -------------------------------------------------------------------------


def test_only_the_owner_sees_the_report(app: App) -> None:
    nobody = app.browser()
    for path in ("/report", "/report.pdf"):
        r = nobody.get(f"/f/workshops/{app.wid}{path}", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login"
    other = app.browser()
    login(other, OTHER)
    for path in ("/report", "/report.pdf"):
        r = other.get(f"/f/workshops/{app.wid}{path}")
        assert r.status_code == 404 and "Visionsværksted" not in r.text
    # A participant of the workshop, joined in their browser, gets no facilitator page.
    (code,) = app.sql("SELECT join_code FROM workshops WHERE id = ?", app.wid)[0]
    participant = app.browser()
    r = participant.post(
        f"/w/{code}/join",
        data={"csrf": csrf(participant, f"/w/{code}"), "display_name": "Gitte", "group": "Borger"},
    )
    assert r.status_code == 200
    r = participant.get(f"/f/workshops/{app.wid}/report", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    token = csrf(participant, f"/w/{code}")
    r = participant.post(
        f"/f/workshops/{app.wid}/report/publish", data={"csrf": token}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/login"
    # The committee's own stream has the committee report (lane C), not this one.
    committee = app.seeded.committee_id
    r = app.client.get(f"/f/workshops/{committee}/report", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/f/committees/{committee}/report"


def test_publishing_needs_the_csrf_token_and_stores_nothing_without(app: App) -> None:
    before = app.sql("SELECT COUNT(*), MAX(seq) FROM events WHERE workshop_id = ?", app.wid)
    link = app.sql("SELECT report_link FROM workshops WHERE id = ?", app.wid)
    for path in ("publish", "unpublish"):
        r = app.client.post(f"/f/workshops/{app.wid}/report/{path}", data={"csrf": "forged"})
        assert r.status_code == 403
        r = app.client.post(f"/f/workshops/{app.wid}/report/{path}")
        assert r.status_code == 403
    assert app.sql("SELECT COUNT(*), MAX(seq) FROM events WHERE workshop_id = ?", app.wid) == before
    assert app.sql("SELECT report_link FROM workshops WHERE id = ?", app.wid) == link


def test_the_published_link_from_publish_to_revoke(app: App) -> None:
    token = publish(app)
    page = app.report()
    assert "Træk linket tilbage" in page
    stranger = app.browser()
    for query in ("", "?names=1"):
        r = stranger.get(f"/r/{token}{query}")
        assert r.status_code == 200, r.text[:300]
        assert r.headers["x-robots-tag"] == "noindex"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["cache-control"] == "no-store"
        assert "content-security-policy" in r.headers
        public = parse(r.text)
        assert "Bent Politiker" not in r.text and "Erik Borger" not in r.text
        # No author either, although the idea bank shows them in the room and to the
        # facilitator: a published link may travel beyond the room that saw the names.
        assert "Anne Politiker" in page and "Anne Politiker" not in r.text
        assert 'name="csrf"' not in r.text and "/f/workshops" not in r.text
        values = [v for (v,) in app.sql(
            "SELECT value FROM votes WHERE question_id = ?", app.seeded.ids["q-vision"]
        )]  # fmt: skip
        assert danish(statistics.fmean(values)) in section_with_heading(public, QUESTION).text()
    r = stranger.get(f"/r/{token}?lang=en")
    assert r.status_code == 200 and "About the workshop" in r.text
    pdf = stranger.get(f"/r/{token}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["cache-control"] == "no-store"

    # A tampered token: one character of the signature changed, or the payload swapped.
    payload, signature = token.rsplit(".", 1)
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    missing = stranger.get("/r/not-a-token")
    assert missing.status_code == 404
    elsewhere = URLSafeSerializer(SECRET, salt="samskab-report-link")
    made_up = (
        elsewhere.dumps(["no-such-workshop", "x"]),  # signed right, but no such workshop
        URLSafeSerializer("another secret", salt="samskab-report-link").dumps([app.wid, "x"]),
        "æøå." + signature,
        "x" * 2000,
    )
    for bad in (f"{payload}.{flipped}", f"{payload}x.{signature}", token[:-2], *made_up):
        r = stranger.get(f"/r/{bad}")
        assert r.status_code == 404 and r.text == missing.text
        assert r.headers["cache-control"] == "no-store"
        assert stranger.get(f"/r/{bad}.pdf").status_code == 404

    # Publishing again replaces the link: the old one stops working.
    newer = publish(app)
    assert newer != token
    assert stranger.get(f"/r/{token}").status_code == 404
    assert stranger.get(f"/r/{newer}").status_code == 200

    # Withdrawn: the same 404 page as a made-up link, and no PDF either.
    unpublish(app)
    for gone in (f"/r/{newer}", f"/r/{newer}.pdf", f"/r/{token}"):
        r = stranger.get(gone)
        assert r.status_code == 404
    assert stranger.get(f"/r/{newer}").text == missing.text
    assert 'id="public-link"' not in app.report()
    # Withdrawing again is harmless.
    unpublish(app)
    assert app.client.get(f"/f/workshops/{app.wid}/report").status_code == 200


def test_the_facilitator_page_has_the_downloads_and_exports(app: App) -> None:
    page = app.report()
    base = f"/f/workshops/{app.wid}"
    for href in (
        f"{base}/report.pdf",
        f"{base}/report?lang=en",
        f"{base}/report?names=1",
        f"{base}/export.json",
        f"{base}/export/notes.csv",
        f"{base}/export/questions.csv",
        f"{base}/export/votes.csv",
        f"{base}/export/dilemmas.csv",
    ):
        assert f'href="{href}"' in page, href
    tree = parse(page)
    assert len(tree.all("h1")) == 1
    for table in tree.all("table"):
        assert table.all("caption"), table.text()[:80]
        assert all(th.attrs.get("scope") in ("col", "row") for th in table.all("th"))
