"""Countdown timers in HTML: the `#timer` partial on every page (participants, the facilitator,
the room screen), hidden when no timer runs; live re-renders for `timer.started` and
`timer.stopped` for every viewer; one polite sentence when a timer starts, never a ticking
live region; and the facilitator's start form with the open questions it may close."""

from __future__ import annotations

import json
import re

import pytest

from server.domain.commands import (
    CloseQuestion,
    CreateQuestion,
    OpenQuestion,
    StartTimer,
    StopTimer,
)
from server.domain.snapshot import Position, Snapshot
from server.render.board_view import BoardView
from server.render.live import LiveRenderer
from server.render.templating import clock, render
from server.render.timer_html import events_html
from tests.domain.kit import FAC, P1, Session
from tests.render.test_question_html import html_viewer, page

T0 = 1_790_000_000_000
ROLES = ("participant", "facilitator", "screen")


def start(s: Session, timer_id: str = "t1", seconds: int = 120, **kw: object) -> None:
    label = kw.get("label")
    close = kw.get("close_question_id")
    assert label is None or isinstance(label, str)
    assert close is None or isinstance(close, str)
    s.do(FAC, StartTimer(timer_id, seconds, label, close, T0))


def timer_tag(html: str) -> str:
    """The opening tag of `#timer`."""
    found = re.findall(r'<div id="timer"[^>]*>', html)
    assert len(found) == 1, found
    tag: str = found[0]
    return tag


def attrs(tag: str) -> dict[str, str]:
    return dict(re.findall(r'([a-z-]+)="([^"]*)"', tag))


def live_parts(batch_html: str) -> list[tuple[str, str]]:
    return re.findall(r'<hx-partial hx-target="([^"]+)" hx-swap="([^"]+)">', batch_html)


def test_clock_shows_minutes_and_seconds() -> None:
    assert [clock(s) for s in (0, 5, 59, 60, 120, 305, 3600)] == [
        "0:00",
        "0:05",
        "0:59",
        "1:00",
        "2:00",
        "5:05",
        "60:00",
    ]
    assert clock(-3) == "0:00"


@pytest.mark.parametrize("role", ROLES)
def test_without_a_timer_every_page_has_an_empty_hidden_timer(role: str) -> None:
    s = Session()
    html = page(s.state, html_viewer(role, P1.id if role == "participant" else FAC.id))
    assert '<div id="timer" class="timer" hidden></div>' in html
    assert "timer-remaining" not in html
    # The status region for "started" and "time is up" is there, empty, from the start.
    assert (
        '<div id="timer-status" class="visually-hidden" role="status" aria-live="polite">' in html
    )


@pytest.mark.parametrize("role", ROLES)
def test_a_running_timer_is_on_every_page_with_its_moments(role: str) -> None:
    s = Session()
    start(s, label="Tænk selv")
    html = page(s.state, html_viewer(role, P1.id if role == "participant" else FAC.id))
    tag = timer_tag(html)
    assert " hidden" not in tag
    a = attrs(tag)
    assert a["data-timer-id"] == "t1"
    assert a["data-started-at-ms"] == str(T0)
    assert a["data-ends-at-ms"] == str(T0 + 120_000)
    assert a["data-seconds"] == "120"
    assert a["data-label"] == "Tænk selv"
    assert a["data-label-done"] == "Tiden er gået"
    assert re.search(r'<span id="timer-remaining"[^>]*>2:00</span>', html)
    assert ">Tænk selv</p>" in html
    # The seconds ticking by are never a live region: only #timer-status speaks (politely).
    box = html[html.index('<div id="timer"') : html.index('<div id="timer-status"')]
    assert "aria-live" not in box and 'role="status"' not in box and 'role="alert"' not in box
    stop = 'name="type" value="timer.stop"'
    assert (stop in html) is (role == "facilitator")
    if role == "facilitator":
        assert '<input type="hidden" name="timer_id" value="t1">' in html


def test_the_screen_page_shows_the_timer_large_and_without_controls() -> None:
    s = Session()
    start(s, seconds=300)
    html = page(s.state, html_viewer("screen", FAC.id))
    assert 'class="screen"' in html  # body.screen: the large style
    assert re.search(r'<span id="timer-remaining"[^>]*>5:00</span>', html)
    assert "timer.start" not in html and "timer.stop" not in html


def test_a_label_is_text_never_markup() -> None:
    s = Session()
    start(s, label='<img src=x onerror="alert(1)">')
    html = page(s.state, html_viewer("participant", P1.id))
    assert "<img src=x" not in html
    assert "&lt;img src=x" in html


def test_a_stopped_timer_leaves_the_pages_and_one_at_zero_stays_until_stopped() -> None:
    s = Session()
    start(s, seconds=5)
    html = page(s.state, html_viewer("participant", P1.id))
    assert "data-ends-at-ms" in timer_tag(html)  # the state has no clock: zero is the client's
    s.do(FAC, StopTimer("t1"))
    html = page(s.state, html_viewer("participant", P1.id))
    assert timer_tag(html) == '<div id="timer" class="timer" hidden>'


def test_the_facilitator_form_sends_typed_fields_and_lists_only_open_questions() -> None:
    s = Session()
    s.do(FAC, CreateQuestion("q1", "Åbent spørgsmål"))
    s.do(FAC, CreateQuestion("q2", "Et udkast"))
    s.do(FAC, CreateQuestion("q3", "Lukket spørgsmål"))
    s.do(FAC, OpenQuestion("q1"))
    s.do(FAC, OpenQuestion("q3"))
    s.do(FAC, CloseQuestion("q3"))
    html = page(s.state, html_viewer("facilitator", FAC.id))
    form = html[html.index('id="timer-controls"') :]
    form = form[: form.index("</details>")]
    assert 'name="type" value="timer.start"' in form
    assert '<select id="timer-seconds" name="seconds">' in form
    assert re.findall(r'<option value="(\d+)"', form)[:5] == ["30", "60", "120", "180", "300"]
    assert '<option value="120" selected>2:00</option>' in form
    assert 'data-replaces="seconds" min="5" max="3600"' in form  # folded into seconds by app.js
    assert 'name="label" maxlength="60"' in form
    assert re.findall(r'<option value="(q\d)"', form) == ["q1"]
    assert '<option value="">Intet spørgsmål</option>' in form
    for role in ("participant", "screen"):
        other = page(s.state, html_viewer(role, P1.id if role == "participant" else ""))
        assert "timer-controls" not in other and "timer.start" not in other


@pytest.mark.parametrize("role", ROLES)
def test_timer_started_re_renders_the_timer_for_everyone_and_says_so_once(role: str) -> None:
    s = Session()
    before = len(s.log)
    start(s, label="Tænk selv")
    batch = s.log[before:]
    v = html_viewer(role, "")  # shared per role, as `live.audience` makes it
    html = events_html(batch, s.state, v)
    parts = live_parts(html)
    assert parts[:2] == [("#timer", "outerMorph"), ("#timer-status", "textContent")]
    assert "Nedtælling startet: Tænk selv, 2:00" in html
    assert f'data-ends-at-ms="{T0 + 120_000}"' in html
    assert ("timer.stop" in html) is (role == "facilitator")
    # Through the hub's renderer too: the parts are in the html `events` message.
    msg = json.loads(LiveRenderer().events(batch, "e1", s.state, v))
    assert msg["type"] == "events" and '<div id="timer"' in msg["content"]


def test_a_new_timer_replacing_a_running_one_is_one_re_render_and_one_sentence() -> None:
    s = Session()
    start(s, "t1")
    before = len(s.log)
    start(s, "t2", seconds=60)
    batch = s.log[before:]
    assert [e.type for e in batch] == ["timer.stopped", "timer.started"]
    html = events_html(batch, s.state, html_viewer("participant"))
    assert live_parts(html) == [("#timer", "outerMorph"), ("#timer-status", "textContent")]
    assert 'data-timer-id="t2"' in html and 'data-timer-id="t1"' not in html
    assert html.count("Nedtælling startet: 1:00") == 1


@pytest.mark.parametrize("role", ROLES)
def test_timer_stopped_hides_the_timer_for_everyone_without_a_word(role: str) -> None:
    s = Session()
    start(s)
    before = len(s.log)
    s.do(FAC, StopTimer("t1"))
    html = events_html(s.log[before:], s.state, html_viewer(role))
    assert live_parts(html) == [("#timer", "outerMorph")]
    assert '<div id="timer" class="timer" hidden></div>' in html


def test_other_batches_leave_the_timer_alone() -> None:
    s = Session()
    start(s)
    before = len(s.log)
    s.do(FAC, CreateQuestion("q1", "Spørgsmål"))
    s.do(FAC, OpenQuestion("q1"))
    batch = s.log[before:]
    for role in ("participant", "screen"):
        assert events_html(batch, s.state, html_viewer(role)) == ""
    # The facilitator's start form now offers the opened question.
    html = events_html(batch, s.state, html_viewer("facilitator"))
    assert live_parts(html) == [("#timer-controls", "outerMorph")]
    assert '<option value="q1">Spørgsmål</option>' in html


def test_a_timer_closing_its_question_at_zero_updates_the_facilitators_form() -> None:
    s = Session()
    s.do(FAC, CreateQuestion("q1", "Spørgsmål"))
    s.do(FAC, OpenQuestion("q1"))
    start(s, seconds=5, close_question_id="q1")
    before = len(s.log)
    s.do(FAC, CloseQuestion("q1"))  # as the timekeeper does at zero
    html = events_html(s.log[before:], s.state, html_viewer("facilitator"))
    assert live_parts(html) == [("#timer-controls", "outerMorph")]
    assert 'value="q1"' not in html


@pytest.mark.parametrize("role", ROLES)
def test_a_snapshot_brings_the_timer(role: str) -> None:
    s = Session()
    start(s, label="Forklar")
    snap = Snapshot(s.state, Position(s.seq, "e1"))
    msg = json.loads(LiveRenderer().snapshot(snap, html_viewer(role, FAC.id)))
    parts = live_parts(msg["content"])
    assert ("#timer", "outerMorph") in parts
    assert (("#timer-controls", "outerMorph") in parts) is (role == "facilitator")
    assert 'data-timer-id="t1"' in msg["content"]
    assert "#timer-status" not in msg["content"]  # a resync is not news


def test_english_pages_say_it_in_english() -> None:
    s = Session()
    start(s, label="Think alone")
    v = html_viewer("participant", P1.id, "en")
    html = page(s.state, v)
    assert 'data-label-done="Time is up"' in html
    before = len(s.log)
    start(s, "t2", seconds=90)
    html = events_html(s.log[before:], s.state, v)
    assert "Countdown started: 1:30" in html


def test_the_view_answers_what_the_templates_ask() -> None:
    s = Session()
    v = html_viewer("facilitator", FAC.id)
    assert BoardView(s.state, v).timer is None
    start(s)
    view = BoardView(s.state, v)
    assert view.timer is not None and view.timer.id == "t1"
    assert BoardView(s.state, html_viewer("participant", P1.id)).closable_questions() == []
    assert render("partials/timer_announce.html", "da", timer=view.timer) == (
        "Nedtælling startet: 2:00"
    )
