"""A task committee's page in HTML: a closed sprint's report rendered from its frozen JSON alone
(byte for byte the same after any later change to its items), charts and their tables showing
exactly the burndown and velocity figures computed from the log, user text escaped everywhere,
what each role may do, and the live partials a batch produces (the same for everyone)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from server.domain import events as ev
from server.domain.backlog import Committee
from server.domain.backlog_commands import (
    AddItem,
    ChangeCapacityRule,
    CloseSprint,
    CreateSprint,
    EditItem,
    MoveItem,
    PlanItem,
    RemoveItem,
    ReopenPlanning,
    StartSprint,
    UnplanItem,
)
from server.domain.burndown import burndown, sprint_burndown, velocity
from server.domain.decide import decide
from server.domain.errors import DomainError
from server.domain.workshop import WorkshopState
from server.realtime.source import Viewer
from server.realtime.wire import CommandRequest, parse_client_message
from server.render import backlog_html
from server.render.backlog_charts import burndown_chart, velocity_chart
from server.render.backlog_view import BacklogView, ReportView
from server.render.templating import render
from tests.domain.backlog_kit import (
    S1_BURNDOWN,
    S2_BURNDOWN,
    committee,
    committee_in,
    item,
    judged,
    moved,
    sprint,
    two_sprints,
)
from tests.domain.kit import FAC, P1, P2, Session

FACILITATOR = Viewer("facilitator", "html", "en", FAC.id)
MEMBER = Viewer("participant", "html", "en", P1.id)
SCREEN = Viewer("screen", "html", "en", "")
TODAY = "2026-11-22"
HOSTILE = '<script>window.__xss=1</script><img src=x onerror="alert(1)">'


def page(state: WorkshopState, viewer: Viewer = MEMBER, today: str = TODAY) -> str:
    return render(
        "committee.html",
        viewer.locale,
        state=state,
        bv=BacklogView(state, viewer, today=today),
        seq=1,
        epoch="e1",
        role=viewer.role,
        me=viewer.actor_id,
        join_url="http://localhost/w/ABC234",
        csrf="token",
        request_path="/w/ABC234",
    )


def report_html(state: WorkshopState, sprint_id: str, locale: str = "en") -> str:
    report = committee_in_state(state).sprints[sprint_id].report
    assert report is not None
    return render("partials/committee_report.html", locale, rv=ReportView(report, locale))


def committee_in_state(state: WorkshopState) -> Committee:
    assert state.committee is not None
    return state.committee


def article(html: str, element_id: str) -> str:
    """One <article> of a page, as rendered (they do not nest)."""
    m = re.search(rf'<article id="{element_id}".*?</article>', html, re.DOTALL)
    assert m, element_id
    return m.group(0)


def days_drawn(html: str) -> list[tuple[str, int]]:
    return [(d, int(r)) for d, r in re.findall(r'data-day="([^"]+)" data-remaining="(\d+)"', html)]


def table_rows(html: str, caption: str) -> list[tuple[str, str]]:
    m = re.search(rf"<caption>{re.escape(caption)}</caption>(.*?)</table>", html, re.DOTALL)
    assert m, caption
    return re.findall(r'<th scope="row">([^<]*)</th><td>([^<]*)</td>', m.group(1))


# --- the frozen report ------------------------------------------------------------------------


def test_a_closed_sprint_s_report_is_byte_identical_after_later_edits_to_its_items() -> None:
    s = two_sprints()
    before = report_html(s.state, "s1")
    page_before = article(page(s.state), "report-s1")
    assert page_before == before.strip()
    # Everything that could touch the sprint's items afterwards: renamed, re-estimated, moved
    # in the backlog, planned elsewhere, removed; the capacity rule changed.
    s.do(P1, EditItem("c", "Omdøbt efter lukningen", "Ny tekst", 7, ("Ida",), ("unge",)))
    s.do(P1, EditItem("f", "Også omdøbt", "", 9, (), ()))
    s.do(P2, MoveItem("f", 0))
    sprint(s, "s3", "2026-11-16", "2026-11-20", capacity=40)
    s.do(P1, PlanItem("s3", "c"))
    s.do(FAC, RemoveItem("f"))
    s.do(FAC, ChangeCapacityRule("refuse"))
    s.do(FAC, StartSprint("s3", "2026-11-16"))
    moved(s, "c", "done", "2026-11-17")
    assert report_html(s.state, "s1") == before
    assert article(page(s.state), "report-s1") == page_before
    assert "Omdøbt" not in page_before and "Også omdøbt" not in page(s.state).split("report-s1")[1]


def test_the_report_says_what_the_sprint_was_at_its_close() -> None:
    s = two_sprints()
    html = report_html(s.state, "s1")
    assert "Sprint s1" in html and "Nov 2, 2026" in html and "Nov 7, 2026" in html
    assert "18 points" in html and "10 points" in html and "20 points" in html  # planned, done
    assert "Borgmesteren bad om e" in html  # why planning was re-opened
    assert re.search(r"Met</span> Høring af unge<span class=\"eval-note\">Godt arbejde", html)
    rows = re.findall(r'<th scope="row">(Opgave \w)</th><td>([^<]*)</td><td>([^<]*)</td>', html)
    assert rows == [
        ("Opgave a", "3 points", "Done"),
        ("Opgave b", "5 points", "Done"),
        ("Opgave d", "8 points", "Doing"),
        ("Opgave e", "2 points", "Done"),
    ]
    assert "Opgave c" not in html  # unplanned at the re-opening: not in the report


def test_a_report_is_rendered_from_its_json_alone() -> None:
    """No state at all: only the frozen JSON, so nothing current can leak in."""
    s = two_sprints()
    report = committee_in(s).sprints["s2"].report
    assert report is not None
    copy = {
        **report,
        "items": [{"id": "x", "title": "Kun i rapporten", "estimate": 4, "status": "todo"}],
    }
    html = render("partials/committee_report.html", "en", rv=ReportView(copy, "en"))
    assert "Kun i rapporten" in html and "Opgave d" not in html


# --- charts equal the figures from the log ------------------------------------------------------


def test_report_burndowns_draw_and_tabulate_the_figures_from_the_log() -> None:
    s = two_sprints()
    for sprint_id, expected in (("s1", S1_BURNDOWN), ("s2", S2_BURNDOWN)):
        assert burndown(s.log, sprint_id) == expected
        html = report_html(s.state, sprint_id)
        assert days_drawn(html) == expected
        rv = ReportView(committee_in(s).sprints[sprint_id].report or {}, "en")
        chart = rv.chart()
        assert chart is not None
        assert [(p.day, p.remaining) for p in chart.points] == expected
        rows = table_rows(html, f"Burndown of Sprint {sprint_id}")
        assert [int(left.split()[0]) for _, left in rows] == [r for _, r in expected]
        assert len(rows) == len(expected)


def test_the_running_sprint_s_burndown_so_far_equals_the_log_s() -> None:
    s = committee()
    for item_id, estimate in (("a", 3), ("b", 5), ("c", 2)):
        item(s, item_id, estimate)
    sprint(s, "s1", "2026-11-16", "2026-11-29")
    for item_id in "abc":
        s.do(P1, PlanItem("s1", item_id))
    s.do(FAC, StartSprint("s1", "2026-11-16"))
    moved(s, "a", "done", "2026-11-17")
    moved(s, "b", "doing", "2026-11-18")
    moved(s, "c", "done", "2026-11-20")
    expected = burndown(s.log, "s1", TODAY)
    assert expected == sprint_burndown(committee_in(s).sprints["s1"], TODAY)
    assert expected[0] == ("2026-11-16", 10) and expected[-1] == (TODAY, 5)
    board = render("partials/committee_board.html", "en", bv=BacklogView(s.state, MEMBER, TODAY))
    assert days_drawn(board) == expected
    assert 'id="board-remaining">Remaining: 5 points of 10 points.' in board
    chart = burndown_chart(expected, "2026-11-29", "en")
    assert chart is not None and chart.ideal is not None
    assert chart.ideal[2] == chart.right  # the plan reaches nothing left on the planned end
    assert chart.last.x < chart.right  # today is before the end: the line stops at today


def test_the_velocity_draws_and_tabulates_the_done_totals_from_the_log() -> None:
    s = two_sprints()
    expected = velocity(s.log)
    assert expected == [("s1", "Sprint s1", 10), ("s2", "Sprint s2", 8)]
    html = render("partials/committee_velocity.html", "en", bv=BacklogView(s.state, MEMBER))
    drawn = re.findall(r'data-sprint-id="([^"]+)" data-done="(\d+)"', html)
    assert [(i, int(n)) for i, n in drawn] == [(i, n) for i, _, n in expected]
    rows = table_rows(html, "Done per sprint")
    assert rows == [("1. Sprint s1", "10 points"), ("2. Sprint s2", "8 points")]
    assert "On average 9.0 points per sprint." in html
    chart = velocity_chart(expected)
    assert chart is not None and chart.bars[0].height > chart.bars[1].height > 0


def test_no_chart_before_a_sprint_starts_or_closes() -> None:
    assert burndown_chart([], "2026-11-22", "en") is None
    assert velocity_chart([]) is None
    s = committee()
    html = page(s.state)
    assert "The velocity shows once a sprint has closed." in html and "<svg" not in html


# --- user text is text --------------------------------------------------------------------------


def test_user_text_is_escaped_everywhere() -> None:
    s = committee()
    s.do(P1, AddItem("x", HOSTILE, HOSTILE, 3, (HOSTILE[:60],), ("<b>tag</b>",)))
    s.do(P1, AddItem("y", "Anden opgave", estimate=2))
    s.do(FAC, CreateSprint("s1", HOSTILE[:80], (HOSTILE,), ("g1",), "2026-11-16", "2026-11-20", 9))
    sprint(s, "s2", "2026-11-23", "2026-11-27")
    s.do(P1, PlanItem("s1", "x"))
    s.do(FAC, StartSprint("s1", "2026-11-16"))
    s.do(FAC, ReopenPlanning("s1", HOSTILE[:300], "2026-11-17"))
    s.do(FAC, StartSprint("s1", "2026-11-17"))
    s.do(FAC, CloseSprint("s1", (("x", "s2"),), (("g1", "met", HOSTILE),), "2026-11-18"))
    s.do(P1, PlanItem("s2", "y"))
    s.do(FAC, StartSprint("s2", "2026-11-23"))
    for viewer in (FACILITATOR, MEMBER, SCREEN):
        html = page(s.state, viewer) + backlog_html.events_html(s.log[-12:], s.state, viewer)
        assert "<script>window" not in html and "<img src=x" not in html and "<b>tag" not in html
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    announced = backlog_html.events_html(s.log[-12:], s.state, MEMBER)
    assert '<hx-partial hx-target="#committee-status" hx-swap="textContent">' in announced
    assert "&lt;script&gt;" in announced


# --- what each role may do ------------------------------------------------------------------------


def planning_and_running() -> Session:
    """A committee with a closed sprint, one running (a and b on its board) and one planned."""
    s = two_sprints()
    item(s, "g", 3)
    item(s, "h", None)
    goals = ("Høring af unge", "Forslag til byrådet")
    # Goal ids as the server makes them (the kit's have a dash, which no client may send).
    s.do(
        FAC,
        CreateSprint("s3", "Sprint s3", goals, ("s3g0", "s3g1"), "2026-11-16", "2026-11-29", 10),
    )
    s.do(P1, PlanItem("s3", "g"))
    s.do(FAC, StartSprint("s3", "2026-11-16"))
    s.do(
        FAC, CreateSprint("s4", "Sprint s4", goals, ("s4g0", "s4g1"), "2026-11-30", "2026-12-12", 4)
    )
    s.do(P1, PlanItem("s4", "f"))
    return s


FACILITATOR_ONLY = ("sprint.start", "sprint.close", "sprint.reopen", "sprint.create", "item.remove")
MEMBERS = ("item.add", "item.edit", "item.move", "sprint.plan", "sprint.unplan", "item.status")


@pytest.mark.parametrize(
    ("viewer", "may", "may_not"),
    [
        (FACILITATOR, FACILITATOR_ONLY + MEMBERS, ()),
        (MEMBER, MEMBERS, FACILITATOR_ONLY),
        (SCREEN, (), FACILITATOR_ONLY + MEMBERS),
    ],
)
def test_each_role_gets_the_controls_it_may_use(
    viewer: Viewer, may: tuple[str, ...], may_not: tuple[str, ...]
) -> None:
    html = page(planning_and_running().state, viewer)
    for t in may:
        assert f'name="type" value="{t}"' in html, t
    for t in may_not:
        assert f'name="type" value="{t}"' not in html, t
    if viewer.role == "screen":
        assert "hx-ws:send" not in html and "drag-handle" not in html


def test_planning_shows_the_total_against_the_capacity_and_the_over_warning() -> None:
    s = committee(capacity_rule="warn")
    for item_id, estimate in (("a", 8), ("b", 5), ("c", None)):
        item(s, item_id, estimate)
    sprint(s, "s1", capacity=10)
    s.do(P1, PlanItem("s1", "a"))
    html = page(s.state)
    assert (
        '<p id="planned-s1" class="planned-total" role="status">Planned 8 of 10 points.</p>' in html
    )
    assert '<meter id="meter-s1" min="0" max="10" high="10" value="8"' in html
    assert 'id="plan-s1-b"' in html and 'id="plan-s1-c"' not in html  # c is not estimated
    assert "Estimate it in the backlog to plan it." in html
    s.do(P2, PlanItem("s1", "b"))
    html = page(s.state)
    assert 'Planned 13 of 10 points. <strong class="over-text">3 points over capacity.' in html
    assert "The committee only warns" in html and "sprint-plan is-over" in html
    s.do(P2, UnplanItem("b"))
    s.do(FAC, ChangeCapacityRule("refuse"))
    html = page(s.state)
    assert "An item that would take the plan over the capacity is refused." in html


def test_the_sprint_board_s_keyboard_moves_name_their_column_and_place() -> None:
    s = planning_and_running()
    item(s, "k", 1)
    html = render("partials/committee_board.html", "en", bv=BacklogView(s.state, MEMBER, TODAY))
    g = re.search(r'<li id="card-g".*?</li>', html, re.DOTALL)
    assert g
    card = g.group(0)
    assert 'aria-label="Move to Doing: Opgave g"' in card and "aria-disabled" in card
    assert re.search(
        r'value="item.status">.*?value="doing">\s*<button id="card-right-g" type="submit"',
        card,
        re.DOTALL,
    )
    assert re.search(
        r'<button id="card-left-g" type="button" class="secondary" aria-disabled="true"', card
    )


def test_a_test_group_shows_its_guidance_and_its_size() -> None:
    s = committee(test_group=True)
    html = page(s.state)
    assert "100-day test group, 2-4 members" in html
    assert "The group has 3 members." in html  # p1, p2, p3
    assert "Seats by d'Hondt" not in html


def test_the_committee_s_d_hondt_allocation_is_summed_up_with_its_tie() -> None:
    s = committee(seats=14)
    html = page(s.state, FACILITATOR)
    assert "Seats by d'Hondt: C 12, A 1 · tie drawn by lot" in html
    assert 'class="dhondt-tie"' in html and "drawn by lot" in html


# --- live -------------------------------------------------------------------------------------------


def test_a_batch_re_renders_only_the_parts_it_touched_and_is_the_same_for_everyone() -> None:
    s = committee()
    start = s.seq
    item(s, "a", 3)
    html = backlog_html.events_html(s.log[start:], s.state, MEMBER)
    targets = re.findall(r'hx-target="#([\w-]+)" hx-swap="(\w+)"', html)
    assert targets == [
        ("backlog", "outerMorph"),
        ("planning", "outerMorph"),
        ("committee-status", "textContent"),
    ]
    assert "New item: Opgave a." in html
    sprint(s, "s1")
    s.do(P1, PlanItem("s1", "a"))
    s.do(FAC, StartSprint("s1", "2026-11-02"))
    start = s.seq
    moved(s, "a", "doing", "2026-11-03")
    html = backlog_html.events_html(s.log[start:], s.state, MEMBER)
    assert re.findall(r'hx-target="#([\w-]+)"', html) == ["sprint-board", "committee-status"]
    assert "Opgave a moved to Doing." in html
    assert backlog_html.personal(s.log, s.state) == frozenset()
    s.do(FAC, CloseSprint("s1", (("a", None),), judged(s, "s1"), "2026-11-04"))
    html = backlog_html.events_html(s.log[-1:], s.state, MEMBER)
    assert re.findall(r'hx-target="#([\w-]+)"', html) == [
        "backlog", "planning", "sprint-board", "reports", "velocity", "committee-status",
    ]  # fmt: skip


def test_the_snapshot_renders_every_part_and_nothing_for_a_plain_workshop() -> None:
    s = planning_and_running()
    html = backlog_html.snapshot_html(s.state, FACILITATOR)
    assert re.findall(r'hx-target="#([\w-]+)"', html) == [
        "committee-head", "backlog", "planning", "sprint-board", "reports", "velocity",
        "participants",
    ]  # fmt: skip
    # Each partial's root is its target, as on the page.
    for name in backlog_html.SECTIONS:
        assert f'hx-target="#{name}" hx-swap="outerMorph"><' in html
        assert re.search(rf'hx-swap="outerMorph">(<section|<div) id="{name}"', html), name
    plain = Session()
    assert backlog_html.snapshot_html(plain.state, MEMBER) == ""
    assert backlog_html.events_html(plain.log, plain.state, MEMBER) == ""


def test_the_page_s_ids_are_unique() -> None:
    for viewer in (FACILITATOR, MEMBER):
        html = page(planning_and_running().state, viewer)
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_events_for_other_streams_render_nothing_here() -> None:
    assert backlog_html.touched([]) == set()
    assert ev.NOTE_ADDED not in backlog_html.TOUCHES


# --- every form the page shows is a message the server takes ----------------------------------


class _Forms(HTMLParser):
    """The page's socket forms, each as the values hx-ws sends: hidden fields as they are, a
    visible field's default (or something typed into a required empty one), the first choice
    of each radio group. Forms whose only button does nothing (the end of a line) are left out."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.form: dict[str, str] | None = None
        self.submittable = False
        self.field: tuple[str, bool] | None = None  # a textarea's or select's name, required
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "hx-ws:send" in a and "hidden" not in a:
            self.form, self.submittable = {}, False
        if self.form is None:
            return
        name = a.get("name", "")
        if tag == "button" and a.get("type") == "submit":
            self.submittable = True
        elif tag == "input" and name and not (a.get("type") == "radio" and name in self.form):
            typed = a.get("type", "text")
            filler = {"number": "1", "date": "2026-11-30"}.get(typed, "Skrevet")
            value = a.get("value", "")
            self.form[name] = value if value or "required" not in a else filler
        elif tag in ("textarea", "select") and name:
            self.field, self.text = (name, "required" in a), ""
            self.form[name] = ""
        elif tag == "option" and self.field and not self.form[self.field[0]]:
            self.form[self.field[0]] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self.field:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if self.form is None:
            return
        if tag == "textarea" and self.field:
            name, required = self.field
            self.form[name] = self.text or ("Skrevet" if required else "")
            self.field = None
        elif tag == "select":
            self.field = None
        elif tag == "form":
            if self.submittable:
                self.forms.append(self.form)
            self.form = None


def test_every_form_on_the_page_sends_a_message_the_server_accepts() -> None:
    s = planning_and_running()
    item(s, "k", 1)
    parser = _Forms()
    parser.feed(page(s.state, FACILITATOR))
    kinds = {f["type"] for f in parser.forms}
    assert kinds >= set(FACILITATOR_ONLY + MEMBERS) | {"sprint.edit", "committee.capacity_rule"}
    ids = iter(range(10**6))
    refused: dict[str, str] = {}
    for values in parser.forms:
        body: dict[str, object] = dict(values, command_id="form-check-0001")
        if isinstance(body.get("index"), str):
            body["index"] = int(str(body["index"]))  # as static/app.js types it
        msg = parse_client_message(json.dumps(body), lambda: f"new{next(ids)}", today=lambda: TODAY)
        assert isinstance(msg, CommandRequest), values
        try:
            decide(s.state, FAC, msg.command)
        except DomainError as e:
            refused[values["type"]] = e.code
    # Only what the state itself forbids: starting a sprint while another runs.
    assert refused == {"sprint.start": "sprint.another_running"}
