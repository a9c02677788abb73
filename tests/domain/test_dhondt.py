"""d'Hondt for task committees: the allocation per party, and ties reported, never guessed."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.dhondt import allocate
from server.domain.errors import DomainError

GENTOFTE = [("C", 13), ("A", 2), ("V", 1), ("B", 1), ("Ø", 1), ("F", 1)]


def test_gentofte_council_five_seats_all_go_to_the_largest_party() -> None:
    a = allocate(GENTOFTE, 5)
    assert a.seats == {"C": 5, "A": 0, "V": 0, "B": 0, "Ø": 0, "F": 0}
    assert [w.quotient for w in a.awards] == [
        Fraction(13),
        Fraction(13, 2),
        Fraction(13, 3),
        Fraction(13, 4),
        Fraction(13, 5),
    ]
    assert a.tie is None


def test_seventh_seat_goes_to_a_with_two_over_c_with_thirteen_sevenths() -> None:
    a = allocate(GENTOFTE, 7)
    assert a.seats["C"] == 6 and a.seats["A"] == 1
    assert a.awards[-1].party == "A" and a.awards[-1].quotient == 2


def test_a_tie_for_the_last_seat_is_reported_for_drawing_lots() -> None:
    # Thirteen seats follow from the numbers; for the fourteenth, C (13/13), A (2/2) and the
    # four one-seat parties all stand at exactly 1.
    a = allocate(GENTOFTE, 14)
    assert a.decided == 13
    assert a.tie is not None
    assert a.tie.seats == 1
    assert a.tie.parties == ("C", "A", "V", "B", "Ø", "F")
    assert a.tie.quotient == 1


def test_equal_parties_sharing_exactly_the_seats_left_is_no_tie() -> None:
    a = allocate([("X", 3), ("Y", 3)], 2)
    assert a.seats == {"X": 1, "Y": 1}
    assert a.tie is None
    assert a.awards[0].tied_with == ("Y",)


def test_equal_parties_with_one_seat_left_tie() -> None:
    a = allocate([("X", 3), ("Y", 3)], 1)
    assert a.seats == {"X": 0, "Y": 0}
    assert a.tie is not None and a.tie.parties == ("X", "Y") and a.tie.seats == 1


@pytest.mark.parametrize(
    ("council", "seats", "code"),
    [
        ([], 1, "committee.parties"),
        ([("A", 1), ("A", 2)], 1, "committee.party_twice"),
        ([("A", -1)], 1, "committee.party_seats"),
        ([("A", 3)], 0, "committee.seats"),
        ([("A", 3)], 4, "committee.seats"),
    ],
)
def test_nonsense_is_refused(council: list[tuple[str, int]], seats: int, code: str) -> None:
    with pytest.raises(DomainError) as e:
        allocate(council, seats)
    assert e.value.code == code


@given(
    st.lists(st.integers(0, 30), min_size=1, max_size=8).filter(lambda xs: sum(xs) > 0),
    st.integers(1, 40),
)
def test_seats_given_never_exceed_the_committee_and_are_monotone_in_size(
    sizes: list[int], seats: int
) -> None:
    council = [(f"P{i}", n) for i, n in enumerate(sizes)]
    seats = min(seats, sum(sizes))
    a = allocate(council, seats)
    assert a.decided + (a.tie.seats if a.tie else 0) == seats
    # A larger party never gets fewer sure seats than a smaller one.
    for p, n in council:
        for q, m in council:
            if n > m:
                assert a.seats[p] >= a.seats[q]
