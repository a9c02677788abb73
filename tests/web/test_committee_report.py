"""The committee report through Starlette's TestClient: a committee with three meetings stored
the way live sessions store them (two seeded workshops and a third that asks the same 0-10
question in other case and spacing), its figures checked against SQL over the votes, backlog
and sprint tables; the line chart with its table, the sprint evaluation as frozen, English, the
PDF's text, the published link without names, and who may see it.

The seeded app is shared by the module (seeding is the slow part); no test changes the data
except the last, which only publishes a link.
"""

from __future__ import annotations

import itertools
import json
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
from starlette.testclient import TestClient

from server.domain.backlog_commands import AddMeeting
from server.domain.commands import (
    Actor,
    CastVote,
    CloseQuestion,
    Command,
    CreateQuestion,
    JoinWorkshop,
    OpenQuestion,
    RevealQuestion,
)
from server.service import Service, new_id
from tests.report_seed import NAMED_QUESTION, OPEN_QUESTION, PEOPLE, QUESTION, seed_workshop
from tests.support import SECRET
from tests.web.running import OTHER, csrf, login, running_app

COMMITTEE = "Opgaveudvalg for mobilitet"  # as the seed names it
# The third meeting asks QUESTION again in other case and spacing, with its own votes.
AGAIN = "  i hvor HØJ grad kan   visionen fungere som endeligt forslag? "
THIRD_VOTES = (
    ("Politiker", 9), ("Politiker", 10), ("Politiker", 8), ("Borger", 6), ("Borger", 7), ("Borger", 5)
)  # fmt: skip
TITLES = ("Visionsværksted 2030", "Andet møde", "Tredje møde")  # in date order


# --- reading a page as a user sees it -------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str]

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return re.sub(r"\s+", " ", " ".join(parts)).strip()

    def all(self, tag: str) -> list[Element]:
        found: list[Element] = []
        for c in self.children:
            if isinstance(c, Element):
                if c.tag == tag:
                    found.append(c)
                found.extend(c.all(tag))
        return found

    def classed(self, name: str) -> list[Element]:
        found: list[Element] = []
        for c in self.children:
            if isinstance(c, Element):
                if name in c.attrs.get("class", "").split():
                    found.append(c)
                found.extend(c.classed(name))
        return found


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.root = Element("#root", {}, [])
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = Element(tag, {k: v or "" for k, v in attrs}, [])
        self.stack[-1].children.append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}, []))

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


HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def first_heading(el: Element) -> Element | None:
    for c in el.children:
        if isinstance(c, Element):
            found = c if c.tag in HEADINGS else first_heading(c)
            if found is not None:
                return found
    return None


def section(page: Element, heading: str) -> Element:
    """The <section> or <article> whose first heading says `heading`."""
    for s in page.all("section") + page.all("article"):
        h = first_heading(s)
        if h is not None and h.text() == heading:
            return s
    raise AssertionError(f"no section headed {heading!r}")


def rows(table: Element) -> dict[str, list[str]]:
    """A table's body and foot rows: the row header's text -> the cells' texts."""
    out = {}
    for tr in table.all("tr"):
        th, tds = tr.all("th"), tr.all("td")
        if th and tds:
            out[th[0].text()] = [td.text() for td in tds]
    return out


def decimal(value: float, locale: str = "da") -> str:
    """One decimal, halves up: a decimal comma in Danish, a point in English."""
    d = Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return str(d).replace(".", ",") if locale == "da" else str(d)


def key(text: str) -> str:
    return " ".join(text.split()).casefold()


# --- the app, its database and the committee ---------------------------------------------------


@dataclass
class App:
    client: TestClient  # the facilitator's browser, logged in
    db: Path
    committee_id: str
    meetings: tuple[str, ...]  # workshop ids, in date order

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.db) as conn:
            return list(conn.execute(query, params))

    def browser(self) -> TestClient:
        """Someone else's browser on the same running app: its own cookies, no login."""
        return TestClient(self.client.app)

    def page(self, query: str = "") -> Element:
        r = self.client.get(f"/f/committees/{self.committee_id}/report{query}")
        assert r.status_code == 200, r.text[:500]
        return parse(r.text)

    def votes(self, meeting: str, text: str) -> list[tuple[int, str]]:
        """(value, group) of every vote on the revealed question with these words."""
        found = self.sql(
            "SELECT q.text, v.value, v.group_name FROM votes v JOIN questions q"
            " ON q.id = v.question_id WHERE v.workshop_id = ? AND q.status = 'revealed'",
            meeting,
        )
        return [(value, group) for t, value, group in found if key(t) == key(text)]


async def third_meeting(service: Service, fid: str, committee_id: str) -> str:
    """A meeting that asks QUESTION again, in other words' case and spacing."""
    state = await service.create_workshop(
        facilitator_id=fid,
        title=TITLES[2],
        date="2027-01-15",
        groups=["Politiker", "Borger"],
        board_title="Idébank",
        column_title="Idéer",
    )
    fac = Actor("facilitator", fid)

    async def do(workshop_id: str, actor: Actor, command: Command) -> None:
        result = await service.execute(workshop_id, actor, new_id(), command)
        assert result.ok, (command, result.error_code)

    q = new_id()
    await do(state.id, fac, CreateQuestion(q, AGAIN))
    await do(state.id, fac, OpenQuestion(q))
    for group, value in THIRD_VOTES:
        person = Actor("participant", new_id())
        await do(state.id, person, JoinWorkshop(person.id, None, group))
        await do(state.id, person, CastVote(q, value))
    await do(state.id, fac, CloseQuestion(q))
    await do(state.id, fac, RevealQuestion(q))
    await do(committee_id, fac, AddMeeting(state.id, TITLES[2], "2027-01-15"))
    return state.id


async def seed(service: Service, fid: str) -> tuple[str, tuple[str, ...]]:
    first = await seed_workshop(service, fid, TITLES[0])
    second = await seed_workshop(
        service, fid, TITLES[1], committee_id=first.committee_id, date="2026-12-10"
    )
    third = await third_meeting(service, fid, first.committee_id)
    return first.committee_id, (first.workshop_id, second.workshop_id, third)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    with running_app(tmp_path_factory.mktemp("committee_report")) as r:
        assert r.client.portal is not None
        committee_id, meetings = r.client.portal.call(seed, r.service, r.facilitator_id)
        yield App(r.client, r.db, committee_id, meetings)


# --- the figures ----------------------------------------------------------------------------


def test_meetings_in_date_order_counted_by_group(app: App) -> None:
    page = app.page()
    assert [h.text() for h in page.all("h1")] == [f"Udvalgsrapport {COMMITTEE}"]
    table = section(page, "Møder").all("table")[0]
    got = rows(table)
    assert list(got) == [f"{i}. {t}" for i, t in enumerate(TITLES, start=1)]
    for (title, cells), wid in zip(got.items(), app.meetings, strict=True):
        stored = app.sql(
            "SELECT group_name, COUNT(*) FROM participants WHERE workshop_id = ? AND NOT kicked"
            " GROUP BY group_name",
            wid,
        )
        assert cells[1] == str(sum(n for _, n in stored)), title
        for group, n in stored:
            assert f"{group} {n}" in cells[2]
    assert "20. nov. 2026" in got[f"1. {TITLES[0]}"][0]


def test_a_repeated_question_has_the_means_the_votes_give_at_each_meeting(app: App) -> None:
    page = app.page()
    q = section(page, QUESTION)  # headed by the words as first asked
    table = q.all("table")[0]
    assert table.all("caption")[0].text() == f"Gennemsnitligt svar på hvert møde: {QUESTION}"
    heads = [th.text() for th in table.all("thead")[0].all("th")]
    # All voters, then the groups shown at some meeting, in the meetings' order: Politiker
    # only at the third (at the seeded meetings the one Medarbejder hides the next smallest
    # group, Politiker, too, so no vote can be worked out from the total).
    assert heads == [
        "Møde", "Dato", "Antal stemmer", "Gennemsnit", "Median (midterste svar)",
        "Politiker: gennemsnit", "Borger: gennemsnit",
    ]  # fmt: skip
    got = rows(table)
    assert list(got) == [f"{i}. {t}" for i, t in enumerate(TITLES, start=1)]
    for (title, cells), wid in zip(got.items(), app.meetings, strict=True):
        votes = app.votes(wid, QUESTION)
        values = [v for v, _ in votes]
        assert cells[1:4] == [
            str(len(values)),
            decimal(statistics.fmean(values)),
            decimal(statistics.median(values)),
        ], title
        borger = [v for v, g in votes if g == "Borger"]
        assert cells[5].startswith(decimal(statistics.fmean(borger))), title
        assert f"({len(borger)} stemmer)" in cells[5]
        politiker = [v for v, g in votes if g == "Politiker"]
        if wid == app.meetings[2]:
            assert cells[4].startswith(decimal(statistics.fmean(politiker)))
        else:
            assert cells[4] == "For få svar til at vise"
    assert "Aldrig stemmer nok til at vise: Medarbejder." in q.text()
    # No names anywhere in the report, though the seeded people joined with names.
    text = page.text()
    assert not any(name and name in text for name, *_ in PEOPLE)


def test_the_line_chart_is_accessible_and_says_what_the_table_says(app: App) -> None:
    q = section(app.page(), QUESTION)
    [svg] = q.all("svg")[:1]
    assert svg.attrs["role"] == "img"
    labelled = svg.attrs["aria-labelledby"].split()
    assert [svg.all("title")[0].attrs["id"], svg.all("desc")[0].attrs["id"]] == labelled
    assert QUESTION in svg.all("title")[0].text()
    assert "Stillet på 3 møder." in svg.all("desc")[0].text()
    # Drawn with all voters last, on top.
    lines = svg.classed("series")[::-1]
    assert [g.attrs["data-series"] for g in lines] == ["", "Politiker", "Borger"]
    # Each line has its own shape (the mark's path) and colour: not colour alone.
    marks = [g.all("path")[0] for g in lines]
    assert len({m.attrs["fill"] for m in marks}) == 3
    assert len({re.sub(r"[-0-9.,]+", "#", m.attrs["d"]) for m in marks}) == 3
    # One mark per shown figure; every mark labelled with the table's value.
    assert [len(g.all("path")) for g in lines] == [3, 1, 3]
    labels = [t.text() for t in svg.classed("value-label")]
    table = rows(q.all("table")[0])
    for cells in table.values():
        assert cells[2] in labels
    assert [t.text() for t in svg.classed("meeting-number")] == ["1", "2", "3"]
    legend = [li.text() for li in q.classed("legend")[0].all("li")]
    assert legend == ["Alle, der stemte", "Politiker", "Borger"]


def test_only_questions_shown_at_two_meetings_or_more_are_series(app: App) -> None:
    page = app.page()
    questions = section(page, "Gentagne spørgsmål")
    assert [h.text() for h in questions.all("h3")] == [QUESTION, NAMED_QUESTION]
    named = rows(section(page, NAMED_QUESTION).all("table")[0])
    assert list(named) == [f"1. {TITLES[0]}", f"2. {TITLES[1]}"]
    assert OPEN_QUESTION not in page.text()


def test_backlog_progress_equals_the_backlog_tables(app: App) -> None:
    items = app.sql(
        "SELECT b.estimate, b.status, s.status FROM backlog_items b LEFT JOIN sprints s"
        " ON s.workshop_id = b.workshop_id AND s.id = b.sprint_id WHERE b.workshop_id = ?",
        app.committee_id,
    )
    where: dict[str, list[int | None]] = {}
    for estimate, status, sprint in items:
        place = {None: "backlog", "planning": "planned", "closed": "closed"}.get(sprint, status)
        where.setdefault(place, []).append(estimate)
    page = parse(app.client.get(f"/f/committees/{app.committee_id}/report").text)
    progress = section(page, "Fremdrift i backloggen")
    table = progress.all("table")[0]
    by_place = {tr.attrs["data-place"]: tr for tr in table.all("tr") if "data-place" in tr.attrs}

    def cells(place: str) -> list[str]:
        return [td.text() for td in by_place[place].all("td")]

    for place in ("backlog", "planned", "todo", "doing", "done", "closed"):
        es = where.get(place, [])
        points = sum(e or 0 for e in es)
        assert cells(place)[0] == str(len(es)), place
        assert cells(place)[1] == f"{points} point", place  # "point" is also the plural
    assert cells("total")[0] == str(len(items))
    assert cells("total")[1] == f"{sum(e or 0 for e, _, _ in items)} point"
    done = [e for e, status, sprint in items if status == "done" and sprint is not None]
    assert cells("done_overall")[:2] == [str(len(done)), f"{sum(e or 0 for e in done)} point"]
    # The seeded figures, so the test above is about something: one closed sprint, one item
    # done in it, two ideas waiting in the backlog.
    assert (len(where["closed"]), len(where["backlog"])) == (1, 2)
    [(report,)] = app.sql("SELECT report FROM sprints WHERE workshop_id = ?", app.committee_id)
    frozen = json.loads(report)
    sprints = rows(section(progress, "Planlagt og færdigt pr. sprint").all("table")[0])
    assert sprints[frozen["name"]][3:5] == [
        f"{frozen['planned_total']} point",
        f"{frozen['done_total']} point",
    ]
    assert "låst rapport" in sprints[frozen["name"]][1]


def test_the_sprint_evaluation_is_the_frozen_report(app: App) -> None:
    [(report,)] = app.sql("SELECT report FROM sprints WHERE workshop_id = ?", app.committee_id)
    frozen = json.loads(report)
    evaluation = section(app.page(), frozen["name"])
    assert evaluation.tag == "article"
    goals = rows(evaluation.all("table")[0])
    labels = {"met": "✓ Nået", "partly": "◐ Delvist nået", "not_met": "✗ Ikke nået"}
    assert goals == {
        g["text"]: [labels[g["evaluation"]], g["note"] or "–"] for g in frozen["goals"]
    }
    facts = evaluation.all("dl")[0].text()
    assert f"Planlagt {frozen['planned_total']} point" in facts
    assert f"Gennemført {frozen['done_total']} point" in facts
    assert "Færdige opgaver 1 af 2" in facts
    assert "Lukket 5. dec. 2026" in facts


def test_english_with_lang_en(app: App) -> None:
    page = app.page("?lang=en")
    assert page.all("html")[0].attrs["lang"] == "en"
    assert [h.text() for h in page.all("h2")][1:] == [
        "Meetings",
        "Repeated questions",
        "Backlog progress",
        "Sprint evaluations",
        "Read-only link",
    ]
    values = [v for v, _ in app.votes(app.meetings[2], QUESTION)]
    table = rows(section(page, QUESTION).all("table")[0])
    assert table[f"3. {TITLES[2]}"][2] == decimal(statistics.fmean(values), "en")
    assert "." in decimal(statistics.fmean(values), "en")
    assert "Jan 15, 2027" in table[f"3. {TITLES[2]}"][0]


def test_the_headings_are_in_order(app: App) -> None:
    html = app.client.get(f"/f/committees/{app.committee_id}/report").text
    levels = [int(n) for n in re.findall(r"<h([1-6])\b", html)]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
    for table in parse(html).all("table"):
        assert table.all("caption")
        assert all(th.attrs.get("scope") in ("col", "row") for th in table.all("th"))


def test_the_pdf_carries_the_name_headings_and_means(app: App, tmp_path: Path) -> None:
    r = app.client.get(f"/f/committees/{app.committee_id}/report.pdf")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("attachment;")
    assert r.content.startswith(b"%PDF")
    (tmp_path / "r.pdf").write_bytes(r.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    flat = re.sub(r"\s+", " ", text)
    assert COMMITTEE in flat
    for heading in (
        "Møder",
        "Gentagne spørgsmål",
        "Fremdrift i backloggen",
        "Evaluering af sprints",
    ):
        assert heading in flat
    values = [v for v, _ in app.votes(app.meetings[2], QUESTION)]
    assert decimal(statistics.fmean(values)) in flat
    assert "Hent som PDF" not in flat  # the screen's header is not in the PDF


def test_the_committee_page_links_to_the_report(app: App) -> None:
    page = app.client.get(f"/f/workshops/{app.committee_id}").text
    assert f'href="/f/committees/{app.committee_id}/report">Rapport</a>' in page


def test_a_new_committee_s_report_says_what_is_not_there_yet(app: App) -> None:
    r = app.client.post(
        "/f/committees",
        data={"csrf": csrf(app.client), "name": "Nyt udvalg", "unit": "hours"},
    )
    assert r.status_code == 200 and r.url.path.startswith("/f/workshops/")
    committee_id = r.url.path.rsplit("/", 1)[1]
    page = parse(app.client.get(f"/f/committees/{committee_id}/report").text)
    text = page.text()
    assert "0 møder." in text and "Estimater er i timer." in text
    for empty in (
        "Der er endnu ikke føjet en workshop til udvalget som møde.",
        "Intet spørgsmål er endnu stillet og vist på mere end ét møde.",
        "Udvalget har endnu ingen sprints.",
        "Ingen sprint er lukket endnu.",
    ):
        assert empty in text
    assert rows(section(page, "Fremdrift i backloggen").all("table")[0])["Alle opgaver"] == [
        "0",
        "0 timer",
        "0",
    ]


# --- who may see it -------------------------------------------------------------------------


def test_only_the_committee_s_facilitator_sees_it(app: App) -> None:
    paths = [
        f"/f/committees/{app.committee_id}/report",
        f"/f/committees/{app.committee_id}/report.pdf",
    ]
    stranger = app.browser()
    for path in paths:
        r = stranger.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login"
    login(stranger, OTHER)
    for path in paths:
        assert stranger.get(path).status_code == 404
    # A meeting is a workshop, not a committee; an unknown id is nothing.
    for wid in (app.meetings[0], "nothing-here"):
        assert app.client.get(f"/f/committees/{wid}/report").status_code == 404
        assert app.client.get(f"/f/committees/{wid}/report.pdf").status_code == 404


def test_the_published_link_shows_the_report_without_names(app: App) -> None:
    base = f"/f/workshops/{app.committee_id}/report"
    r = app.client.post(
        f"{base}/publish",
        data={"csrf": csrf(app.client, "/f")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    [(link,)] = app.sql("SELECT report_link FROM workshops WHERE id = ?", app.committee_id)
    assert link
    from itsdangerous import URLSafeSerializer

    from server.web.reports import SALT  # the published link's token, as lane A signs it

    token = URLSafeSerializer(SECRET, salt=SALT).dumps([app.committee_id, link])
    r = app.browser().get(f"/r/{token}")
    assert r.status_code == 200
    page = parse(r.text)
    assert "Rapporten er offentliggjort uden navne." in page.text()
    assert f"/f/workshops/{app.committee_id}" not in r.text
    assert not any(name and name in r.text for name, *_ in PEOPLE)
    assert rows(section(page, QUESTION).all("table")[0]) == rows(
        section(app.page(), QUESTION).all("table")[0]
    )


def test_the_facilitator_publishes_and_withdraws_from_the_report_page(app: App) -> None:
    page = app.page()
    (form,) = [f for f in page.all("form") if f.attrs.get("action", "").endswith("/publish")]
    token = form.all("input")[0].attrs["value"]
    r = app.client.post(form.attrs["action"], data={"csrf": token})  # back on this page
    assert r.status_code == 200 and r.url.path == f"/f/committees/{app.committee_id}/report"
    published = parse(r.text)
    (field,) = [i for i in published.all("input") if i.attrs.get("id") == "public-link"]
    url = field.attrs["value"]
    stranger = app.browser()
    assert stranger.get(url).status_code == 200
    (withdraw,) = [
        f for f in published.all("form") if f.attrs.get("action", "").endswith("/unpublish")
    ]
    assert app.client.post(withdraw.attrs["action"], data={"csrf": token}).status_code == 200
    assert stranger.get(url).status_code == 404
