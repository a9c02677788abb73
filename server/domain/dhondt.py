"""The d'Hondt method, as Gentofte appoints a task committee's political members: each
committee seat goes to the party with the highest quotient seats / (won + 1).

A tie for the last seats cannot be settled by arithmetic: in Danish municipal practice it is
settled by drawing lots (lodtrækning), so the method reports it instead of picking, with the
quotient that makes it a tie. Quotients are kept as fractions so that
13/6 and 2/1 compare exactly and a tie is a tie, never a rounding accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from server.domain.errors import DomainError

MAX_PARTIES = 30
MAX_SEATS = 101  # the largest Danish council has 55 members; leave room


@dataclass(frozen=True)
class Award:
    """One seat given, in order: which party and the quotient that won it."""

    seat: int  # 1-based
    party: str
    quotient: Fraction
    tied_with: tuple[str, ...] = ()  # others with the same quotient who also got a seat by it


@dataclass(frozen=True)
class Tie:
    """The last `seats` seats, contested by `parties` at the same quotient: drawn by lot."""

    seats: int
    parties: tuple[str, ...]
    quotient: Fraction


@dataclass(frozen=True)
class Allocation:
    seats: dict[str, int]  # every party, in the order given, with the seats it surely has
    awards: tuple[Award, ...]
    tie: Tie | None  # None: the whole allocation follows from the numbers

    @property
    def decided(self) -> int:
        return sum(self.seats.values())


def allocate(council: list[tuple[str, int]], committee_seats: int) -> Allocation:
    """`council`: (party, seats on the council) in the order to show; `committee_seats`: how
    many political seats the committee has. Refuses nonsense with a DomainError."""
    names = [p for p, _ in council]
    if not council or len(council) > MAX_PARTIES:
        raise DomainError("committee.parties", max=MAX_PARTIES)
    if len(set(names)) != len(names):
        raise DomainError("committee.party_twice")
    if any(type(n) is not int or n < 0 or n > MAX_SEATS for _, n in council):
        raise DomainError("committee.party_seats", max=MAX_SEATS)
    total = sum(n for _, n in council)
    if type(committee_seats) is not int or not 1 <= committee_seats <= min(total, MAX_SEATS):
        raise DomainError("committee.seats", max=min(total, MAX_SEATS))
    won = dict.fromkeys(names, 0)
    base = dict(council)
    awards: list[Award] = []
    left = committee_seats
    while left > 0:
        quotients = {p: Fraction(base[p], won[p] + 1) for p in names if base[p] > 0}
        best = max(quotients.values())
        tied = tuple(p for p in names if quotients.get(p) == best)
        if len(tied) > left:
            return Allocation(won, tuple(awards), Tie(left, tied, best))
        for p in tied:
            won[p] += 1
            awards.append(Award(len(awards) + 1, p, best, tuple(q for q in tied if q != p)))
        left -= len(tied)
    return Allocation(won, tuple(awards), None)
