"""The hall editor's textarea formats: what each line means, which lines are refused (with
their line number), and that a station's content written out and read back is the same."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from server.domain.errors import DomainError
from server.domain.hall import MAX_QUIZ_OPTIONS
from server.domain.hall_text import (
    TIME,
    format_ids,
    format_items,
    format_links,
    format_milestones,
    format_quiz,
    parse_ids,
    parse_items,
    parse_links,
    parse_milestones,
    parse_quiz,
)


def refused(parse: Callable[[str], object], text: str) -> DomainError:
    with pytest.raises(DomainError) as e:
        parse(text)
    return e.value


# --- items ---------------------------------------------------------------------------------


def test_an_item_line_splits_off_a_leading_time_or_range() -> None:
    text = "09:30 Velkomst\r\n\n  9.45 - 10.15  Oplæg om visionen \n10:15–10:30 Kaffe\nFrokost"
    assert parse_items(text) == (
        ("09:30", "Velkomst"),
        ("9.45 - 10.15", "Oplæg om visionen"),
        ("10:15–10:30", "Kaffe"),
        ("", "Frokost"),
    )


def test_a_line_that_is_only_a_time_or_glued_to_one_is_all_text() -> None:
    assert parse_items("12:00\n12:00Frokost\nkl. 12 Frokost") == (
        ("", "12:00"),
        ("", "12:00Frokost"),
        ("", "kl. 12 Frokost"),
    )


def test_items_are_written_one_per_line_with_their_time_first() -> None:
    assert format_items((("09:30", "Velkomst"), ("", "Frokost"))) == "09:30 Velkomst\nFrokost"
    assert parse_items("") == () and format_items(()) == ""


# --- milestones ----------------------------------------------------------------------------


def test_a_milestone_line_has_a_when_a_text_and_maybe_a_done_mark() -> None:
    text = "[x] marts 2027 | Borgermøde\n[X]maj 2027|Høring\n[ ] Vedtagelse\n| Plan | B\n[] sidst"
    assert parse_milestones(text) == (
        ("marts 2027", "Borgermøde", True),
        ("maj 2027", "Høring", True),
        ("", "Vedtagelse", False),
        ("", "Plan | B", False),
        ("", "sidst", False),
    )


@pytest.mark.parametrize(
    ("text", "line"), [("marts |", 1), ("ok\n\n[x]", 3), ("a | b\n  [x] juni |  ", 2)]
)
def test_a_milestone_without_text_is_refused_with_its_line(text: str, line: int) -> None:
    e = refused(parse_milestones, text)
    assert (e.code, e.params) == ("hall.line_format", {"line": line, "field": "milestones"})


def test_milestone_texts_that_look_like_marks_or_bars_are_written_unambiguously() -> None:
    written = format_milestones(
        (("", "[x] er ikke et flueben", False), ("", "a | b", True), ("maj", "Høring", False))
    )
    assert written == "[ ] [x] er ikke et flueben\n[x] | a | b\nmaj | Høring"


# --- links ---------------------------------------------------------------------------------


def test_a_link_line_is_a_title_and_url_or_a_bare_url() -> None:
    text = (
        "Kommuneplanen | https://ltk.dk/plan\nhttps://ltk.dk/a|b\nA | B | http://x.dk\nwww.ltk.dk"
    )
    assert parse_links(text) == (
        ("Kommuneplanen", "https://ltk.dk/plan"),
        ("https://ltk.dk/a|b", "https://ltk.dk/a|b"),
        ("A | B", "http://x.dk"),
        ("www.ltk.dk", "www.ltk.dk"),  # refused by the rules as a url, not here
    )
    assert parse_links(" | https://x.dk") == (("https://x.dk", "https://x.dk"),)


def test_a_link_without_a_url_is_refused_with_its_line() -> None:
    e = refused(parse_links, "https://x.dk\nTitel |")
    assert (e.code, e.params) == ("hall.line_format", {"line": 2, "field": "links"})


def test_a_link_titled_by_its_url_is_written_bare() -> None:
    links = (("https://x.dk", "https://x.dk"), ("Plan", "https://p.dk"))
    assert format_links(links) == "https://x.dk\nPlan | https://p.dk"


# --- quiz ----------------------------------------------------------------------------------

QUIZ_TEXT = """Hvornår vedtages planen?
- I morgen
* Til foråret
-\tAldrig


Hvem bestemmer?
*  Kommunalbestyrelsen
- Borgmesteren
"""


def test_a_quiz_is_blocks_of_a_question_and_its_options() -> None:
    assert parse_quiz(QUIZ_TEXT) == (
        ("Hvornår vedtages planen?", ("I morgen", "Til foråret", "Aldrig"), 1),
        ("Hvem bestemmer?", ("Kommunalbestyrelsen", "Borgmesteren"), 0),
    )
    assert parse_quiz("\n\n") == ()


def test_a_quiz_is_written_back_as_it_is_typed() -> None:
    quiz = parse_quiz(QUIZ_TEXT)
    assert format_quiz(quiz) == (
        "Hvornår vedtages planen?\n- I morgen\n* Til foråret\n- Aldrig\n\n"
        "Hvem bestemmer?\n* Kommunalbestyrelsen\n- Borgmesteren"
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [("Spørgsmål\n- a\nb", 3), ("Q\n-a\n* b", 2), ("Q\n- a\n* b\n\nQ2\n* \n- c", 6)],
)
def test_an_option_line_without_its_mark_is_refused_with_its_line(text: str, line: int) -> None:
    e = refused(parse_quiz, text)
    assert (e.code, e.params) == ("hall.line_format", {"line": line, "field": "quiz"})


@pytest.mark.parametrize(
    "text",
    [
        "Q\n- a\n- b",  # no right answer
        "Q\n* a\n* b",  # two
        "Q\n* a",  # one option
        "Q",  # none
        "Q\n* a\n" + "\n".join(f"- {i}" for i in range(MAX_QUIZ_OPTIONS)),  # too many
    ],
)
def test_a_question_needs_options_and_exactly_one_right(text: str) -> None:
    e = refused(parse_quiz, text)
    assert (e.code, e.params) == ("hall.quiz_options", {"max": MAX_QUIZ_OPTIONS})


# --- image ids -----------------------------------------------------------------------------


def test_image_ids_come_as_a_json_list_or_separated_by_commas_and_spaces() -> None:
    assert parse_ids('["a1", " b2 ", ""]') == ("a1", "b2")
    assert parse_ids(" a1, b2\n c3 ,,") == ("a1", "b2", "c3")
    assert parse_ids("") == ()
    assert format_ids(("a1", "b2")) == "a1, b2"
    assert parse_ids(format_ids(("a1", "b2"))) == ("a1", "b2")


@pytest.mark.parametrize("text", ["[a1, b2]", '["a1", 2]', '[["a1"]]'])
def test_a_broken_json_list_of_ids_is_refused(text: str) -> None:
    e = refused(parse_ids, text)
    assert (e.code, e.params) == ("hall.line_format", {"line": 1, "field": "image_ids"})


# --- written out and read back -------------------------------------------------------------

# What the rules store: trimmed, single-line text (clean_text refuses control characters and,
# in a single line, line and paragraph separators).
line_text = (
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1)
    .map(str.strip)
    .filter(bool)
)
times = st.from_regex(TIME, fullmatch=True)
RANGE_START = re.compile(r"[ \t]*[-–]")


@st.composite
def items(draw: st.DrawFn) -> tuple[str, str]:
    time = draw(st.one_of(st.just(""), times))
    text = draw(line_text)
    # The two a line could not tell apart: a text that reads as a time (when the item has
    # none), and one that reads as the end of a range (when it has a time).
    assume(not parse_items(text)[0][0] if not time else not RANGE_START.match(text))
    return time, text


milestone = st.tuples(
    line_text.filter(lambda w: "|" not in w) | st.just(""), line_text, st.booleans()
)
url = st.from_regex(r"https?://[^\s|]+", fullmatch=True).filter(
    lambda u: not any(c.isspace() for c in u)
)
link = st.one_of(url.map(lambda u: (u, u)), st.tuples(line_text, url))


@st.composite
def questions(draw: st.DrawFn) -> tuple[str, tuple[str, ...], int]:
    options = draw(st.lists(line_text, min_size=2, max_size=MAX_QUIZ_OPTIONS))
    return draw(line_text), tuple(options), draw(st.integers(0, len(options) - 1))


@given(st.lists(items(), max_size=6).map(tuple))
def test_items_round_trip(value: tuple[tuple[str, str], ...]) -> None:
    assert parse_items(format_items(value)) == value


@given(st.lists(milestone, max_size=6).map(tuple))
def test_milestones_round_trip(value: tuple[tuple[str, str, bool], ...]) -> None:
    assert parse_milestones(format_milestones(value)) == value


@given(st.lists(link, max_size=6).map(tuple))
def test_links_round_trip(value: tuple[tuple[str, str], ...]) -> None:
    assert parse_links(format_links(value)) == value


@given(st.lists(questions(), max_size=4).map(tuple))
def test_quiz_round_trips(value: tuple[tuple[str, tuple[str, ...], int], ...]) -> None:
    assert parse_quiz(format_quiz(value)) == value


typed = st.text(st.sampled_from("09:3 .-–|[]xX*\tab\n\r"), max_size=60)


PAIRS: list[tuple[Callable[[str], tuple[Any, ...]], Callable[[Any], str]]] = [
    (parse_items, format_items),
    (parse_milestones, format_milestones),
    (parse_links, format_links),
    (parse_quiz, format_quiz),
]


@pytest.mark.parametrize(("parse", "write"), PAIRS, ids=["items", "milestones", "links", "quiz"])
@given(text=typed)
def test_whatever_is_typed_reads_the_same_after_one_round(
    parse: Callable[[str], tuple[Any, ...]], write: Callable[[Any], str], text: str
) -> None:
    """Any text a facilitator types (that is not refused) is one fixed point away from its
    written form: reading what was written gives what was read."""
    try:
        value = parse(text)
    except DomainError:
        return
    assert parse(write(value)) == value
