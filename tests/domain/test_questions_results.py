"""What a revealed 0-10 question shows: the figures (checked against an independent computation)
and the results, with everyone's figures, each group's beside them (hidden below `min_group`)
and the comments without names."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from server.domain.commands import CastVote, RevealQuestion, UpdateParticipant
from server.domain.questions import (
    HIGHEST,
    LOWEST,
    Figures,
    GroupFigures,
    Question,
    Results,
    Vote,
    figures,
    results,
)
from tests.domain.kit import FAC, P1, P2, P3, Session
from tests.domain.question_kit import ROOM, join, member, opened, vote, with_room_participant

# --- figures against an independent computation --------------------------------------------------


def _quantile(xs: list[int], p: Fraction) -> Fraction:
    """Linear interpolation between the closest ranks ("inclusive", numpy's default)."""
    h = (len(xs) - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def _check(values: list[int]) -> None:
    f = figures(values)
    xs = sorted(values)
    n = len(xs)
    mean = Fraction(sum(xs), n)
    variance = sum((x - mean) ** 2 for x in xs) / n
    median = (Fraction(xs[(n - 1) // 2]) + xs[n // 2]) / 2
    q1, q3 = _quantile(xs, Fraction(1, 4)), _quantile(xs, Fraction(3, 4))

    assert f.n == n
    assert f.histogram == tuple(sum(1 for x in xs if x == v) for v in range(11))
    assert len(f.histogram) == HIGHEST - LOWEST + 1
    assert sum(f.histogram) == n
    assert f.low is not None and f.high is not None
    assert (f.low, f.high) == (xs[0], xs[-1])
    assert f.mean is not None and f.stdev is not None and f.median is not None
    assert math.isclose(f.mean, mean, rel_tol=1e-12, abs_tol=1e-12)
    assert math.isclose(f.stdev, math.sqrt(variance), rel_tol=1e-12, abs_tol=1e-12)
    # Halves and quarters of small integers are exact in binary: these compare exactly.
    assert f.median == float(median)
    assert f.q1 is not None and f.q3 is not None
    assert (f.q1, f.q3) == (float(q1), float(q3))
    assert f.iqr == float(q3 - q1) == f.q3 - f.q1
    assert f.low <= f.q1 <= f.median <= f.q3 <= f.high


votes_0_to_10 = st.integers(min_value=LOWEST, max_value=HIGHEST)
many_equal = st.builds(lambda v, k: [v] * k, votes_0_to_10, st.integers(1, 60))


@settings(max_examples=200, deadline=None, database=None)
@given(st.one_of(st.lists(votes_0_to_10, min_size=1, max_size=80), many_equal))
@example([7])
@example([0])
@example([10])
@example([4] * 50)
@example([0, 10])
@example([1, 2, 3, 4])
@example([0, 0, 0, 10])
def test_figures_match_an_independent_computation(values: list[int]) -> None:
    _check(values)


def test_figures_of_one_value() -> None:
    assert figures([7]) == Figures(
        n=1,
        histogram=(0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0),
        mean=7.0,
        median=7.0,
        stdev=0.0,
        low=7,
        high=7,
        q1=7.0,
        q3=7.0,
    )
    assert figures([7]).iqr == 0.0


def test_figures_of_many_equal_values() -> None:
    f = figures([3] * 12)
    assert (f.n, f.histogram[3], f.mean, f.median, f.stdev, f.iqr) == (12, 12, 3.0, 3.0, 0.0, 0.0)


def test_figures_of_a_small_hand_worked_example() -> None:
    f = figures([8, 2, 5, 10])  # sorted 2 5 8 10
    assert (f.mean, f.median, f.low, f.high) == (6.25, 6.5, 2, 10)
    assert (f.q1, f.q3, f.iqr) == (4.25, 8.5, 4.25)  # 2+0.75*3, 8+0.25*2
    assert f.stdev == pytest.approx(math.sqrt(((2 - 6.25) ** 2 + 1.25**2 + 1.75**2 + 3.75**2) / 4))


def test_figures_of_no_votes() -> None:
    f = figures([])
    assert f == Figures(0, (0,) * 11, None, None, None, None, None, None, None)
    assert f.iqr is None


# --- results ----------------------------------------------------------------------------------


def crowd(min_group: int | None = None, ask_comment: bool = False) -> Session:
    """An open question; Borger p1, p3, b4, b5 and Politiker p2, k6 have joined."""
    s = opened(min_group=min_group, ask_comment=ask_comment)
    join(s, "Borger", "b4", "b5")
    join(s, "Politiker", "k6")
    return s


def revealed(s: Session, question_id: str = "q1") -> Results:
    s.do(FAC, RevealQuestion(question_id))
    q = s.state.questions[question_id]
    assert q.revealed
    return results(q, s.state.votes_on(question_id), s.state.groups)


def split(r: Results) -> list[tuple[str, int, bool]]:
    return [(g.group, g.n, g.figures is not None) for g in r.groups]


def test_groups_come_in_the_workshops_order_and_small_ones_are_hidden() -> None:
    s = crowd()
    for actor, value in ((P1, 2), (P3, 4), (member("b4"), 9), (P2, 10)):  # Borger first
        vote(s, actor, value)
    r = revealed(s)
    assert s.state.groups == ("Politiker", "Borger")
    # Politiker alone is below k, and Borger shown would give it away (total minus Borger):
    # so Borger is hidden too.
    assert split(r) == [("Politiker", 1, False), ("Borger", 3, False)]
    # The total is everyone's, the hidden group included.
    assert r.total == figures([2, 4, 9, 10])
    assert r.question == s.state.questions["q1"]


def test_a_group_with_exactly_min_group_votes_is_shown() -> None:
    s = crowd(min_group=2)
    vote(s, P2, 1)
    vote(s, member("k6"), 3)
    vote(s, P1, 5)
    r = revealed(s)
    assert split(r) == [("Politiker", 2, False), ("Borger", 1, False)]  # see the test above
    vote_more = crowd(min_group=2)
    for actor, value in ((P2, 1), (member("k6"), 3), (P1, 5), (P3, 6)):
        vote(vote_more, actor, value)
    r = revealed(vote_more)
    assert split(r) == [("Politiker", 2, True), ("Borger", 2, True)]
    assert r.groups[0].figures == figures([1, 3])


def test_a_group_nobody_in_voted_is_listed_with_n_zero() -> None:
    s = crowd(min_group=1)
    vote(s, P1, 5)
    r = revealed(s)
    assert split(r) == [("Politiker", 0, False), ("Borger", 1, True)]
    assert r.total.n == 1


def test_when_every_group_is_small_only_the_total_is_shown() -> None:
    s = crowd(min_group=5)
    for actor, value in ((P1, 1), (P2, 2), (P3, 3)):
        vote(s, actor, value)
    r = revealed(s)
    assert split(r) == [("Politiker", 1, False), ("Borger", 2, False)]
    assert r.total == figures([1, 2, 3])


def test_the_latest_vote_counts_once() -> None:
    s = crowd(min_group=1)
    vote(s, P1, 1)
    vote(s, P1, 6)
    vote(s, P2, 8)
    r = revealed(s)
    assert r.total == figures([6, 8])


def test_votes_recorded_for_someone_in_the_room_count_in_their_group() -> None:
    s = crowd(min_group=2)
    with_room_participant(s, group="Politiker")
    vote(s, P2, 7)
    s.do(FAC, CastVote("q1", 3, on_behalf_of=ROOM))
    r = revealed(s)
    assert r.groups[0] == GroupFigures("Politiker", 2, figures([7, 3]))


def test_a_vote_keeps_the_group_the_voter_had_when_voting() -> None:
    s = crowd(min_group=1)
    vote(s, P1, 4)  # as Borger
    s.do(P1, UpdateParticipant("Ida", "Politiker"))
    vote(s, P2, 9)
    r = revealed(s)
    assert s.state.participants[P1.id].group == "Politiker"
    assert s.state.votes[("q1", P1.id)].group == "Borger"
    assert [(g.group, g.n) for g in r.groups] == [("Politiker", 1), ("Borger", 1)]
    assert r.groups[1].figures == figures([4])


def test_voting_again_after_changing_group_counts_in_the_new_group() -> None:
    s = crowd(min_group=1)
    vote(s, P1, 4)
    s.do(P1, UpdateParticipant("Ida", "Politiker"))
    vote(s, P1, 5)
    r = revealed(s)
    assert [(g.group, g.n) for g in r.groups] == [("Politiker", 1), ("Borger", 0)]


def test_comments_come_in_log_order_without_who_wrote_them() -> None:
    s = crowd(ask_comment=True)
    vote(s, P3, 2, comment="Først fra p3")
    vote(s, P1, 6, comment="Fra Ida")
    vote(s, P2, 9)  # no comment
    vote(s, P3, 3, comment="p3 igen")  # a changed vote moves to its new place in the log
    r = revealed(s)
    assert r.comments == ("Fra Ida", "p3 igen")
    assert set(Results.__dataclass_fields__) == {"question", "total", "groups", "comments"}
    assert "Ida" not in repr((r.total, r.groups))
    assert all(isinstance(c, str) for c in r.comments)


def test_results_use_only_this_questions_votes() -> None:
    q1 = Question("q1", "?", "lav", "høj", False, True, 1, 0, "revealed")
    votes = [
        Vote("q1", "p1", 3, None, "Borger", False, 5),
        Vote("q2", "p1", 10, "andet", "Borger", False, 6),
        Vote("q2", "p2", 0, None, "Politiker", False, 7),
    ]
    r = results(q1, votes, ("Politiker", "Borger"))
    assert r.total == figures([3])
    assert r.comments == ()
    assert split(r) == [("Politiker", 0, False), ("Borger", 1, True)]


def test_a_group_outside_the_workshops_list_comes_after_them_sorted() -> None:
    q = Question("q1", "?", "lav", "høj", False, True, 1, 0, "revealed")
    votes = [
        Vote("q1", "a", 3, None, "Zeta", False, 5),
        Vote("q1", "b", 4, None, "Borger", False, 6),
        Vote("q1", "c", 5, None, "Alfa", False, 7),
    ]
    r = results(q, votes, ("Politiker", "Borger"))
    assert [g.group for g in r.groups] == ["Politiker", "Borger", "Alfa", "Zeta"]


def test_a_hidden_group_cannot_be_worked_out_from_what_is_shown() -> None:
    """Bo is the only politician who voted: his group is hidden, but the room can subtract."""
    s = crowd()
    for pid, value in (("p1", 5), ("p3", 6), ("b4", 7)):
        vote(s, member(pid), value)
    vote(s, P2, 0)  # Bo
    r = revealed(s)
    shown = [g.figures for g in r.groups if g.figures is not None]
    rest = [r.total.histogram[v] - sum(f.histogram[v] for f in shown) for v in range(11)]
    assert rest != list(figures([0]).histogram)
