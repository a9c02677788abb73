"""Burndown and velocity from the stored history: the figures `burndown` and `velocity` compute
by walking the event log equal the ones worked out by hand from the scenario
(`backlog_kit.two_sprints`), the ones `apply` kept in the state, and the frozen reports'."""

from __future__ import annotations

from server.domain.backlog_commands import PlanItem, SetItemStatus, StartSprint
from server.domain.burndown import (
    burndown,
    committee_velocity,
    days,
    last_day,
    record,
    sprint_burndown,
    velocity,
)
from tests.domain.backlog_kit import S1_BURNDOWN, S2_BURNDOWN, committee, item, sprint, two_sprints
from tests.domain.kit import FAC, P1


def test_the_log_gives_the_burndown_computed_by_hand() -> None:
    s = two_sprints()
    assert burndown(s.log, "s1") == S1_BURNDOWN  # closed on the 7th, before its end
    assert burndown(s.log, "s2") == S2_BURNDOWN  # closed on the 14th, after its end the 12th


def test_the_log_gives_the_velocity_computed_by_hand() -> None:
    s = two_sprints()
    assert velocity(s.log) == [("s1", "Sprint s1", 10), ("s2", "Sprint s2", 8)]


def test_the_state_and_the_frozen_reports_agree_with_the_log() -> None:
    s = two_sprints()
    c = s.state.committee
    assert c is not None
    for sprint_id in ("s1", "s2"):
        sp = c.sprints[sprint_id]
        assert sprint_burndown(sp) == burndown(s.log, sprint_id)
        assert sp.report is not None
        assert sp.report["burndown"] == [[d, r] for d, r in burndown(s.log, sprint_id)]
    assert committee_velocity(c) == velocity(s.log)
    assert [r for _, _, r in velocity(s.log)] == [
        c.sprints[k].report["done_total"]  # type: ignore[index]
        for k in ("s1", "s2")
    ]


def test_every_prefix_of_the_log_agrees_with_the_state_at_that_point() -> None:
    s = two_sprints()
    for i in range(1, len(s.log) + 1):
        c = s.states[i - 1].committee
        if c is None:
            continue
        for sp in c.sprints.values():
            assert sprint_burndown(sp) == burndown(s.log[:i], sp.id), s.log[i - 1]
        assert committee_velocity(c) == velocity(s.log[:i])


def test_a_running_sprint_is_cut_at_today_and_one_not_started_has_none() -> None:
    s = committee()
    for item_id, estimate in (("a", 3), ("b", 5)):
        item(s, item_id, estimate)
    sprint(s, "s1", "2026-11-02", "2026-11-08")
    sprint(s, "s2", "2026-11-09", "2026-11-12")
    s.do(P1, PlanItem("s1", "a"))
    s.do(P1, PlanItem("s1", "b"))
    assert burndown(s.log, "s1") == [] and burndown(s.log, "s2") == []
    s.do(FAC, StartSprint("s1", "2026-11-02"))
    s.do(P1, SetItemStatus("b", "done", 0, "2026-11-04"))
    s.do(P1, SetItemStatus("b", "doing", 0, "2026-11-04"))  # back out of Done the same day
    s.do(P1, SetItemStatus("a", "done", 0, "2026-11-05"))
    expected = [("2026-11-02", 8), ("2026-11-03", 8), ("2026-11-04", 8), ("2026-11-05", 5)]
    assert burndown(s.log, "s1", today="2026-11-05") == expected
    assert burndown(s.log, "s1")[-1] == ("2026-11-08", 5)
    assert len(burndown(s.log, "s1")) == 7
    assert s.state.committee is not None
    assert sprint_burndown(s.state.committee.sprints["s1"], "2026-11-05") == expected
    assert velocity(s.log) == []


def test_a_day_keeps_its_last_figure_and_dates_never_go_back() -> None:
    h = record((), "2026-11-02", 10)
    h = record(h, "2026-11-02", 8)
    assert h == (("2026-11-02", 8),)
    h = record(h, "2026-11-04", 5)
    h = record(h, "2026-11-03", 4)  # a clock stepping back counts as the last day
    assert h == (("2026-11-02", 8), ("2026-11-04", 4))
    assert days(h, "2026-11-02", "2026-11-05") == [
        ("2026-11-02", 8),
        ("2026-11-03", 8),
        ("2026-11-04", 4),
        ("2026-11-05", 4),
    ]
    assert days((), "2026-11-02", "2026-11-05") == []


def test_the_last_day_is_the_end_the_close_or_today_whichever_first() -> None:
    assert last_day("2026-11-02", "2026-11-08", None) == "2026-11-08"
    assert last_day("2026-11-02", "2026-11-08", "2026-11-06") == "2026-11-06"
    assert last_day("2026-11-02", "2026-11-08", "2026-11-10") == "2026-11-08"
    assert last_day("2026-11-02", "2026-11-08", None, "2026-11-03") == "2026-11-03"
    # Started after its planned end: the first day is shown.
    assert last_day("2026-11-10", "2026-11-08", None) == "2026-11-10"
