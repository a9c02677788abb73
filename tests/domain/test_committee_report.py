"""The committee report's model, from meetings and a committee built with the domain kits:
repeated questions as series over the meetings (figures computed here from the votes cast),
the small-group guard, what counts as the same question, where the backlog's work is, and the
sprint evaluations read from the frozen reports."""

from __future__ import annotations

import statistics
from dataclasses import replace

from server.domain.backlog_commands import AddMeeting, CreateSprint, EditItem, PlanItem, StartSprint
from server.domain.commands import CloseQuestion, CreateQuestion, OpenQuestion, RevealQuestion
from server.domain.committee_report import Amount, committee_report, question_key
from server.domain.questions import results
from tests.domain.backlog_kit import committee, committee_in, item, moved, two_sprints
from tests.domain.kit import FAC, Session
from tests.domain.question_kit import join, member, vote

VISION = "I hvilken grad kan visionen fungere som endeligt forslag?"
GROUPS = ("Politiker", "Borger", "Medarbejder")


def meeting(
    workshop_id: str,
    date: str,
    questions: dict[str, dict[str, list[int]]],
    *,
    reveal: bool = True,
) -> Session:
    """A meeting on `date` that asks each question (text -> group -> the values voted in
    it, one fresh participant per vote) and reveals them."""
    s = Session(workshop_id)
    s.state = replace(s.state, title=f"Møde {workshop_id}", date=date, groups=GROUPS)
    voters: dict[str, list[str]] = {}
    for n, (text, by_group) in enumerate(questions.items()):
        qid = f"{workshop_id}-q{n}"
        s.do(FAC, CreateQuestion(qid, text))
        s.do(FAC, OpenQuestion(qid))
        for group, values in by_group.items():
            have = voters.setdefault(group, [])
            while len(have) < len(values):
                pid = f"{workshop_id}-{group}-{len(have)}"
                join(s, group, pid)
                have.append(pid)
            for pid, value in zip(have, values, strict=False):
                vote(s, member(pid), value, qid)
        s.do(FAC, CloseQuestion(qid))
        if reveal:
            s.do(FAC, RevealQuestion(qid))
    return s


def with_meetings(*meetings: Session) -> Session:
    c = committee()
    for m in meetings:
        c.do(FAC, AddMeeting(m.workshop_id, m.state.title, m.state.date))
    return c


def mean(values: list[int]) -> float:
    return sum(values) / len(values)


def test_a_question_asked_at_three_meetings_is_a_series_with_the_means_of_its_votes() -> None:
    votes = [
        {"Politiker": [8, 6, 9], "Borger": [3, 5, 7, 10]},
        {"Politiker": [7, 7, 8], "Borger": [5, 6, 6]},
        {"Politiker": [9, 8, 10, 9], "Borger": [6, 7, 8]},
    ]
    # Added out of date order: the report goes by date.
    m3 = meeting("w3", "2026-12-15", {VISION: votes[2]})
    m1 = meeting("w1", "2026-10-01", {VISION: votes[0]})
    m2 = meeting("w2", "2026-11-05", {VISION: votes[1]})
    c = with_meetings(m3, m1, m2)

    report = committee_report(c.state, [m3.state, m1.state, m2.state])

    assert [m.workshop_id for m in report.meetings] == ["w1", "w2", "w3"]
    assert [m.participants for m in report.meetings] == [3 + 7, 3 + 6, 3 + 7]
    first = {g.group: g.participants for g in report.meetings[0].groups}
    assert first == {"Politiker": 1 + 3, "Borger": 2 + 4, "Medarbejder": 0}
    [q] = report.questions
    assert q.text == VISION
    assert q.asked == (0, 1, 2)
    everyone = [p for p in q.everyone.points if p is not None]
    assert [p.title for p in everyone] == ["Møde w1", "Møde w2", "Møde w3"]
    assert [p.date for p in everyone] == ["2026-10-01", "2026-11-05", "2026-12-15"]
    for p, by_group in zip(everyone, votes, strict=True):
        cast = [v for values in by_group.values() for v in values]
        assert p.n == len(cast)
        assert p.mean == mean(cast)
        assert p.median == statistics.median(cast)
    assert [s.group for s in q.groups] == ["Politiker", "Borger"]
    for series in q.groups:
        assert series.group is not None
        got = [p.mean if p else None for p in series.points]
        assert got == [mean(v[series.group]) for v in votes]
        assert series.voters == tuple(len(v[series.group]) for v in votes)
    assert q.withheld == ()  # Medarbejder never voted: not withheld, simply absent


def test_a_group_under_the_guard_has_no_point_and_the_figures_are_those_of_results() -> None:
    m1 = meeting("w1", "2026-10-01", {VISION: {"Politiker": [2, 4, 9], "Borger": [5, 5, 6]}})
    # Medarbejder: one vote, under the guard (3) at both meetings.
    m2 = meeting(
        "w2",
        "2026-11-01",
        {VISION: {"Politiker": [1, 2, 3], "Borger": [8, 9, 9, 10], "Medarbejder": [4]}},
    )
    m3 = meeting("w3", "2026-12-01", {VISION: {"Borger": [7, 7, 7], "Medarbejder": [0]}})
    c = with_meetings(m1, m2, m3)

    [q] = committee_report(c.state, [m1.state, m2.state, m3.state]).questions

    assert "Medarbejder" not in [s.group for s in q.groups]
    assert q.withheld == ("Medarbejder",)
    for series in q.groups:
        for i, m in enumerate((m1, m2, m3)):
            [question] = m.state.questions_in_order()
            shown = results(question, m.state.votes_on(question.id), m.state.groups)
            g = next(g for g in shown.groups if g.group == series.group)
            point = series.points[i]
            if g.figures is None:
                assert point is None
                assert series.hidden(i) == (g.n > 0)
            else:
                assert point is not None and point.mean == g.figures.mean and point.n == g.n
    # The guard at the second meeting: Medarbejder's one vote hides it (and, so its vote
    # cannot be worked out from the total, the smallest group shown with it: Politiker).
    politiker = next(s for s in q.groups if s.group == "Politiker")
    assert politiker.points[1] is None and politiker.hidden(1)
    assert politiker.points[0] is not None and politiker.points[0].mean == 5.0
    # All voters are always shown: the guard is for groups.
    assert [p.n if p else None for p in q.everyone.points] == [6, 8, 4]


def test_questions_asked_once_or_not_revealed_are_no_series() -> None:
    m1 = meeting(
        "w1", "2026-10-01", {VISION: {"Borger": [5, 6, 7]}, "Kun én gang?": {"Borger": [1, 2, 3]}}
    )
    m2 = meeting("w2", "2026-11-01", {VISION: {"Borger": [4, 4, 4]}})
    m3 = meeting("w3", "2026-12-01", {"Kun én gang?": {"Borger": [9, 9, 9]}}, reveal=False)
    c = with_meetings(m1, m2, m3)

    report = committee_report(c.state, [m1.state, m2.state, m3.state])

    assert [q.text for q in report.questions] == [VISION]
    assert report.questions[0].asked == (0, 1)


def test_the_same_words_match_whatever_the_case_and_spacing() -> None:
    texts = [
        VISION,
        "  i HVILKEN grad   kan visionen\nfungere som endeligt forslag? ",
        VISION.upper(),
    ]
    meetings = [
        meeting(f"w{i}", f"2026-1{i}-01", {t: {"Borger": [i, i + 1, i + 2]}})
        for i, t in enumerate(texts)
    ]
    c = with_meetings(*meetings)

    [q] = committee_report(c.state, [m.state for m in meetings]).questions

    assert q.text == VISION  # as first asked
    assert q.asked == (0, 1, 2)
    assert [p.mean if p else None for p in q.everyone.points] == [1.0, 2.0, 3.0]
    assert question_key(texts[1]) == question_key(VISION)
    assert question_key("Skal vi?") != question_key("Skal vi")


def test_states_of_other_workshops_are_ignored_and_the_report_is_deterministic() -> None:
    m1 = meeting("w1", "2026-10-01", {VISION: {"Borger": [5, 6, 7]}})
    m2 = meeting("w2", "2026-10-01", {VISION: {"Borger": [4, 4, 4]}})  # same day: added order
    stranger = meeting("w9", "2026-01-01", {VISION: {"Borger": [0, 0, 0]}})
    c = with_meetings(m2, m1)

    a = committee_report(c.state, [m1.state, stranger.state, m2.state])
    b = committee_report(c.state, [m2.state, m1.state])

    assert a == b
    assert [m.workshop_id for m in a.meetings] == ["w2", "w1"]


def test_backlog_progress_counts_items_and_estimates_by_where_they_are() -> None:
    s = two_sprints()  # s1 and s2 closed; c (2) and f (4) back in the backlog
    item(s, "g", None)  # not estimated: stays in the backlog
    item(s, "h", 1)
    item(s, "i", 3)
    s.do(
        FAC,
        CreateSprint("s3", "Sprint s3", ("Videre",), ("s3-g0",), "2026-11-16", "2026-11-20", 20),
    )
    for item_id in ("c", "h", "i"):
        s.do(FAC, PlanItem("s3", item_id))
    s.do(FAC, StartSprint("s3", "2026-11-16"))
    moved(s, "c", "doing", "2026-11-17")
    moved(s, "h", "done", "2026-11-17")
    s.do(
        FAC, CreateSprint("s4", "Sprint s4", ("Sidst",), ("s4-g0",), "2026-11-23", "2026-11-27", 5)
    )
    s.do(FAC, PlanItem("s4", "f"))

    p = committee_report(s.state, []).progress

    def amount(a: Amount) -> tuple[int, int, int]:
        return (a.items, a.estimate, a.unestimated)

    assert amount(p.backlog) == (1, 0, 1)  # g
    assert amount(p.planned) == (1, 4, 0)  # f in s4
    assert amount(p.todo) == (1, 3, 0)  # i
    assert amount(p.doing) == (1, 2, 0)  # c
    assert amount(p.done) == (1, 1, 0)  # h
    assert amount(p.closed) == (4, 3 + 5 + 2 + 8, 0)  # a, b, e in s1; d in s2
    assert amount(p.done_overall) == (5, 3 + 5 + 2 + 8 + 1, 0)
    assert amount(p.total) == (9, 3 + 5 + 2 + 8 + 2 + 4 + 1 + 3, 1)
    rows = [(x.sprint_id, x.status, x.planned, x.done, x.frozen) for x in p.sprints]
    assert rows == [
        ("s1", "closed", 18, 10, True),  # a 3 + b 5 + d 8 + e 2 planned when it closed
        ("s2", "closed", 12, 8, True),
        ("s3", "running", 6, 1, False),
        ("s4", "planning", 4, 0, False),
    ]


def test_sprint_evaluations_are_read_from_the_frozen_reports() -> None:
    s = two_sprints()
    s.do(FAC, EditItem("a", "Omdøbt efter lukningen", "", 3, (), ()))  # changes no report

    [e1, e2] = committee_report(s.state, []).evaluations

    assert (e1.sprint_id, e1.name, e1.start, e1.end) == (
        "s1",
        "Sprint s1",
        "2026-11-02",
        "2026-11-08",
    )
    assert (e1.started_on, e1.closed_on) == ("2026-11-02", "2026-11-07")
    assert (e1.planned_total, e1.done_total, e1.capacity, e1.unit) == (18, 10, 20, "points")
    assert (e1.items, e1.items_done) == (4, 3)
    assert [(g.text, g.evaluation, g.note) for g in e1.goals] == [
        ("Høring af unge", "met", "Godt arbejde"),
        ("Forslag til byrådet", "met", ""),
    ]
    assert e1.reopened == 1
    assert e1.reopenings == (("2026-11-05", "Borgmesteren bad om e"),)
    assert [(g.text, g.evaluation) for g in e2.goals] == [("Afslutte d", "partly")]
    assert (e2.planned_total, e2.done_total, e2.reopened) == (12, 8, 0)
    frozen = committee_in(s).sprints["s1"].report
    assert frozen is not None and frozen["done_total"] == e1.done_total
