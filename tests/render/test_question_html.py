"""What each viewer receives about 0-10 questions in HTML, on a page load and live: the same
rule as for JSON (invariant 5). Shared renderings are made for a viewer without an id, so only
a rendering for the voter may say "Din stemme"."""

from __future__ import annotations

import re

import pytest

from server.domain.commands import (
    CastVote,
    CloseQuestion,
    CreateQuestion,
    KickParticipant,
    OpenQuestion,
    RevealQuestion,
)
from server.domain.snapshot import Position, Snapshot
from server.domain.workshop import WorkshopState
from server.realtime.source import Viewer
from server.render import board_html, question_html
from server.render.board_view import BoardView
from server.render.figures import chart, one_decimal
from server.render.live import LiveRenderer
from server.render.templating import render
from tests.domain.kit import FAC, P1, P2, P3, SCREEN, Session
from tests.render.voting import DRAFT_TEXT, PARTICIPANTS, TEXT, viewer, voting

# What only a revealed result shows.
RESULT_MARKS = ('-results"', 'class="histogram"', "histogram-table", 'class="figures"', "by-person")


def html_viewer(role: str, actor_id: str = "", locale: str = "da") -> Viewer:
    return viewer(role, actor_id, "html", locale)  # type: ignore[arg-type]


def page(state: WorkshopState, v: Viewer) -> str:
    template = "screen.html" if v.role == "screen" else "workshop.html"
    return render(
        template,
        v.locale,
        state=state,
        view=BoardView(state, v),
        seq=1,
        epoch="e1",
        role=v.role,
        me=v.actor_id,
        join_url="https://samskab.example/w/ABC234",
        csrf="token",
        request_path="/",
    )


def shared() -> list[Viewer]:
    """The renderings made once per role (`live.audience`): nobody's own things in them."""
    return [html_viewer("participant"), html_viewer("screen"), html_viewer("facilitator")]


def checked(html: str) -> list[str]:
    return re.findall(r'name="value" value="(\d+)" required checked', html)


def assert_nothing_early(html: str, state: WorkshopState, v: Viewer) -> None:
    for mark in RESULT_MARKS:
        assert mark not in html, (v, mark)
    own = state.votes.get(("q1", v.actor_id)) if v.role == "participant" else None
    for pid in PARTICIPANTS:
        if own is None or pid != v.actor_id:
            assert f"hemmelig-{pid}-" not in html, (v, pid)
    if own is None:
        assert "Din stemme" not in html and checked(html) == [], v
    else:
        assert re.findall(r"Din stemme: (\d+)", html) in ([], [str(own.value)])
        assert checked(html) in ([], [str(own.value)])


@pytest.mark.parametrize("anonymous", [True, False])
@pytest.mark.parametrize("seed", range(3))
def test_before_the_reveal_no_rendering_shows_a_value_but_the_voters_own(
    seed: int, anonymous: bool
) -> None:
    w = voting(seed, anonymous=anonymous)
    people = [html_viewer("participant", pid) for pid in PARTICIPANTS]
    for i in w.before_reveal():
        batch, state = [w.s.log[i]], w.s.states[i]
        for v in [*shared(), *people]:
            assert_nothing_early(question_html.events_html(batch, state, v), state, v)
            assert_nothing_early(board_html.events_html(batch, state, v), state, v)
    last = w.s.states[w.reveal_at - 1]
    for v in [*shared(), *people, html_viewer("screen", SCREEN.id)]:
        html = page(last, v)
        assert 'id="questions"' in html and 'id="question-q1"' in html
        assert_nothing_early(html, last, v)
        assert_nothing_early(board_html.snapshot_html(last, v), last, v)


def test_a_participant_gets_the_vote_form_and_only_their_own_page_shows_their_vote() -> None:
    s = Session()
    s.do(FAC, CreateQuestion("q1", TEXT, ask_comment=True))
    s.do(FAC, OpenQuestion("q1"))
    s.do(P1, CastVote("q1", 7, "Mere om trafikken"))
    ida = page(s.state, html_viewer("participant", P1.id))
    bo = page(s.state, html_viewer("participant", P2.id))
    for html in (ida, bo):
        form = html.split("data-vote", 1)[1].split("</form>", 1)[0]
        assert len(re.findall(r'type="radio" id="question-q1-value-\d+" name="value"', form)) == 11
        assert 'name="type" value="vote.cast"' in html.split("data-vote", 1)[0][-400:] + form
        assert 'aria-describedby="question-q1-ends"' in form
        assert '<legend class="visually-hidden">' + TEXT in form
        assert 'name="comment"' in form and "Afgiv stemme" in form
        assert "0 = I lav grad" in form and "10 = I høj grad" in form
        assert "1 af 3 har stemt" in html
    assert "Din stemme: 7" in ida and checked(ida) == ["7"] and "Mere om trafikken" in ida
    assert "Din stemme" not in bo and checked(bo) == [] and "Mere om trafikken" not in bo
    en = page(s.state, html_viewer("participant", P1.id, "en"))
    assert "Your vote: 7" in en and ">Vote</button>" in en and "1 of 3 has voted" in en


def test_a_vote_moves_only_the_count_for_others_and_the_card_for_the_voter() -> None:
    s = Session()
    s.do(FAC, CreateQuestion("q1", TEXT))
    s.do(FAC, OpenQuestion("q1"))
    s.do(P1, CastVote("q1", 7))
    batch = s.log[-1:]
    assert question_html.personal(batch, s.state) == {P1.id}
    other = question_html.events_html(batch, s.state, html_viewer("participant"))
    assert re.findall(r'hx-target="([^"]+)"', other) == ["#question-q1-count"]
    assert "1 af 3 har stemt" in other
    fac = question_html.events_html(batch, s.state, html_viewer("facilitator"))
    assert re.findall(r'hx-target="([^"]+)"', fac) == [
        "#question-q1-count",
        "#question-q1-missing",
    ]
    assert "Bo (Politiker)" in fac and "Ida" not in fac
    mine = question_html.events_html(batch, s.state, html_viewer("participant", P1.id))
    assert re.findall(r'hx-target="([^"]+)"', mine) == ["#question-q1"]
    assert "Din stemme: 7" in mine


def test_the_hub_renders_a_shared_batch_for_nobody_and_the_voters_for_themselves() -> None:
    """As `Hub._deliver` does: `personal` names who gets their own rendering."""
    s = Session()
    s.do(FAC, CreateQuestion("q1", TEXT))
    s.do(FAC, OpenQuestion("q1"))
    s.do(P1, CastVote("q1", 7))
    s.do(P2, CastVote("q1", 3))
    s.do(FAC, RevealQuestion("q1"))
    batch = [e for e in s.log if e.type in ("question.closed", "question.revealed")]
    r = LiveRenderer()
    personal = r.personal(batch, s.state)
    assert personal == {P1.id, P2.id}
    for pid, own in ((P1.id, "7"), (P2.id, "3"), (P3.id, None)):
        who = r.audience(html_viewer("participant", pid), personal)
        html = r.events(batch, "e1", s.state, who)
        assert "question-q1-results" in html
        assert re.findall(r"Din stemme: (\d+)", html) == ([own] if own else [])


def test_lifecycle_events_re_render_the_card_and_name_its_voters() -> None:
    s = Session()
    s.do(FAC, CreateQuestion("q1", TEXT))
    s.do(FAC, CreateQuestion("q2", "Et andet spørgsmål"))
    s.do(FAC, OpenQuestion("q1"))
    s.do(FAC, OpenQuestion("q2"))
    s.do(P1, CastVote("q1", 7))
    s.do(P2, CastVote("q2", 5))
    s.do(FAC, CloseQuestion("q1"))
    closed = s.log[-1:]
    assert question_html.personal(closed, s.state) == {P1.id}
    html = question_html.events_html(closed, s.state, html_viewer("participant"))
    assert re.findall(r'hx-target="([^"]+)"', html) == ["#question-q1"]
    assert "Afstemningen er lukket." in html and "data-vote" not in html


def test_opening_a_draft_brings_the_section_to_everyone_with_every_voter_named() -> None:
    s = Session()
    s.do(FAC, CreateQuestion("q1", TEXT))
    s.do(FAC, OpenQuestion("q1"))
    s.do(P1, CastVote("q1", 7))
    s.do(FAC, CreateQuestion("q2", DRAFT_TEXT))
    created = s.log[-1:]
    assert question_html.events_html(created, s.state, html_viewer("participant")) == ""
    assert question_html.events_html(created, s.state, html_viewer("screen")) == ""
    fac = question_html.events_html(created, s.state, html_viewer("facilitator"))
    assert 'hx-target="#questions"' in fac and DRAFT_TEXT in fac
    s.do(FAC, OpenQuestion("q2"))
    opened = s.log[-1:]
    assert question_html.personal(opened, s.state) == {P1.id}
    html = question_html.events_html(opened, s.state, html_viewer("participant"))
    assert html.startswith('<hx-partial hx-target="#questions" hx-swap="outerMorph">')
    assert DRAFT_TEXT in html and "Din stemme" not in html
    assert 'hx-target="#question-status" hx-swap="textContent"' in html
    assert "Afstemningen er åben: " + DRAFT_TEXT in html
    mine = question_html.events_html(opened, s.state, html_viewer("participant", P1.id))
    assert "Din stemme: 7" in mine


def test_drafts_are_shown_only_to_the_facilitator_and_an_empty_section_is_hidden() -> None:
    s = Session()
    s.do(FAC, CreateQuestion("q1", DRAFT_TEXT))
    for v in (html_viewer("participant", P1.id), html_viewer("screen", SCREEN.id)):
        html = page(s.state, v)
        assert DRAFT_TEXT not in html and 'id="question-q1"' not in html
        assert re.search(r'<section id="questions"[^>]* hidden>', html)
    fac = page(s.state, html_viewer("facilitator", FAC.id))
    assert DRAFT_TEXT in fac and not re.search(r'<section id="questions"[^>]* hidden>', fac)
    card = fac.split('id="question-q1"', 1)[1]
    for form_type in ("question.open", "question.edit"):
        assert f'name="type" value="{form_type}"' in card
    assert 'name="type" value="question.create"' in fac
    assert 'name="type" value="participant.add"' in fac


@pytest.mark.parametrize("anonymous", [True, False])
def test_after_the_reveal_everyone_sees_the_results_and_only_named_ones_by_person(
    anonymous: bool,
) -> None:
    w = voting(2, anonymous=anonymous)
    state = w.s.state
    votes = state.votes_on("q1")
    mean = sum(v.value for v in votes) / len(votes)
    reveal = w.s.log[w.reveal_at :]
    for v in [*shared(), html_viewer("participant", P1.id)]:
        for html in (page(state, v), question_html.events_html(reveal, state, v)):
            results = html.split('id="question-q1-results"', 1)[1]
            assert '<svg class="histogram" role="img" aria-labelledby=' in results
            assert results.count('class="histogram-table"') == 1
            assert results.count('<dl class="figures">') == 1
            assert f"<dd>{one_decimal(mean, 'da')}</dd>" in results
            assert "," in one_decimal(mean, "da") or mean == int(mean)
            for vote in votes:
                if vote.comment:
                    assert vote.comment in results
            named_table = "by-person" in results
            assert named_table == (v.role == "facilitator" and not anonymous)
            if named_table:
                for vote in votes:
                    name = state.participants[vote.voter_id].display_name or "anonym"
                    assert f'<th scope="row">{name}</th>' in results
            else:
                assert "Deltager" not in results and "Karl" not in results
    announce = question_html.events_html(reveal, state, html_viewer("screen"))
    assert "Resultatet er vist: " + TEXT in announce


def test_the_facilitator_controls_follow_the_status() -> None:
    s = Session()
    s.do(FAC, CreateQuestion("q1", TEXT))
    fac = html_viewer("facilitator", FAC.id)

    def types() -> list[str]:
        card = page(s.state, fac).split('id="question-q1"', 1)[1]
        return re.findall(r'name="type" value="(question\.[a-z]+)"', card)

    assert types() == ["question.open", "question.edit"]
    s.do(FAC, OpenQuestion("q1"))
    assert types() == ["question.close", "question.reveal"]
    s.do(FAC, CloseQuestion("q1"))
    assert types() == ["question.reveal", "question.open"]
    s.do(FAC, RevealQuestion("q1"))
    assert types() == ["question.open"]


def test_the_facilitator_sees_who_has_not_voted_and_records_votes_for_the_room() -> None:
    w = voting(0, anonymous=True, reveal=False)
    s = w.s
    s.do(FAC, OpenQuestion("q1"))
    s.do(P1, CastVote("q1", 4))
    html = page(s.state, html_viewer("facilitator", FAC.id))
    missing = html.split('id="question-q1-missing"', 1)[1].split("</ul>", 1)[0]
    assert "Alle har stemt." in missing  # the walk had everyone vote
    behalf = html.split('name="on_behalf_of"', 1)[1].split("</form>", 1)[0]
    assert 'value="r1">Karl uden telefon (Politiker)' in behalf
    assert "Ida" not in behalf  # only people in the room without a device
    assert " selected" not in behalf


def test_people_joining_or_leaving_move_the_counts() -> None:
    s = Session()
    s.do(FAC, CreateQuestion("q1", TEXT))
    s.do(FAC, OpenQuestion("q1"))
    s.do(FAC, KickParticipant(P3.id))
    batch = s.log[-1:]
    html = question_html.events_html(batch, s.state, html_viewer("participant"))
    assert re.findall(r'hx-target="([^"]+)"', html) == ["#question-q1-count"]
    assert "0 af 2 har stemt" in html
    fac = question_html.events_html(batch, s.state, html_viewer("facilitator"))
    assert 'hx-target="#questions"' in fac


def test_a_snapshot_brings_the_questions_section() -> None:
    s = Session()
    s.do(FAC, CreateQuestion("q1", TEXT))
    s.do(FAC, OpenQuestion("q1"))
    s.do(P1, CastVote("q1", 9))
    snap = Snapshot(s.state, Position(s.seq, "e1"))
    for pid, own in ((P1.id, True), (P2.id, False)):
        text = LiveRenderer().snapshot(snap, html_viewer("participant", pid))
        assert 'hx-target=\\"#questions\\"' in text
        assert ("Din stemme: 9" in text) is own


def test_numbers_are_shown_in_the_viewers_language_with_one_decimal() -> None:
    assert one_decimal(7.25, "da") == "7,3"
    assert one_decimal(7.25, "en") == "7.3"
    assert one_decimal(5.0, "da") == "5,0"
    assert one_decimal(None, "da") == "–"


def test_the_histogram_scales_to_the_tallest_bar() -> None:
    c = chart((0, 1, 4, 0, 0, 0, 0, 0, 0, 0, 2))
    assert [b.value for b in c.bars] == list(range(11))
    tallest = c.bars[2]
    assert tallest.y + tallest.height == c.baseline
    assert c.bars[1].height * 4 == pytest.approx(tallest.height, abs=0.2)
    assert c.bars[0].height == 0
    assert all(a.x < b.x for a, b in zip(c.bars, c.bars[1:], strict=False))
    assert c.bars[-1].x + c.bars[-1].width <= c.right


def test_the_voting_walk_ends_revealed_with_everyones_last_vote() -> None:
    """Guard the helper the tests above lean on."""
    w = voting(3, anonymous=True)
    assert w.s.state.questions["q1"].status == "revealed"
    assert w.s.state.questions["q2"].status == "draft"
    assert {v.voter_id for v in w.s.state.votes_on("q1")} == set(PARTICIPANTS)
    assert w.s.log[w.reveal_at].type == "question.revealed"
