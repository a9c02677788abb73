"""The virtual council hall in HTML, per viewer (invariant 5): a participant's rendering holds
the rooms they may enter and nothing of a gated room they have not unlocked (only its title,
as locked); quiz answers are in the facilitators' HTML only; a call is its caller's and the
facilitators' business; shared renderings (one per role, `live.audience`) hold nobody's unlocks
or calls, and `personal` names everyone whose own hall differs. The facilitators' Markdown is
sanitised: no script, no event handler, no javascript: link survives."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from server.domain.commands import (
    AddAsset,
    AddRoom,
    AddStation,
    AnswerQuiz,
    CallMe,
    EditRoom,
    EditStation,
    ResolveCall,
    SetProgrammeItem,
    Spotlight,
    StationContent,
)
from server.domain.hall import HALL
from server.realtime.source import Viewer
from server.render import hall_html
from server.render.hall_view import HallView
from server.render.live import LiveRenderer
from server.render.markdown import markdown
from server.render.templating import render
from tests.domain.kit import FAC, P1, P2, Session

SECRET = "Hemmelig kaffe"
MUSIC = "musik1"
PICTURE = "billede1"
QUESTION = "Hvor mange sidder i byrådet?"
HOSTILE_MARKDOWN = (
    "# Regler\n\n"
    "<script>alert(1)</script>\n\n"
    '<img src=x onerror="alert(2)">\n\n'
    "[klik](javascript:alert(3)) [også](JAVASCRIPT:alert(4))\n\n"
    '<a href="javascript:alert(5)">rå</a>\n\n'
    '"><svg onload=alert(6)>\n\n'
    "![billede](https://example.org/spor.png)\n\n"
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    "[Kommunen](https://www.ltk.dk)"
)


def html(role: str, actor_id: str = "") -> Viewer:
    return Viewer(role, "html", "da", actor_id)  # type: ignore[arg-type]


def hall_of(s: Session, v: Viewer, preview: bool = False) -> str:
    return render("partials/hall.html", "da", hv=HallView(s.state, v, preview=preview))


class Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def tags_of(text: str) -> list[tuple[str, dict[str, str]]]:
    p = Tags()
    p.feed(text)
    return p.tags


def inert(text: str) -> None:
    """No script, no event handler attribute, no javascript: address in the markup."""
    for tag, attrs in tags_of(text):
        assert tag not in ("script", "svg", "iframe", "object", "embed"), (tag, attrs)
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for name in ("href", "src", "action", "formaction"):
            assert not attrs.get(name, "").strip().lower().startswith("javascript:"), attrs


def hall_with_a_gated_break_room() -> Session:
    """The hall: a programme, a help-line, a quiz leading to a break room (with a picture,
    music and a secret info station) and a door to an open group room."""
    s = Session()
    s.do(FAC, AddAsset(PICTURE, "image", "image/png", "kaffe.png", 100, 640, 480))
    s.do(FAC, AddAsset(MUSIC, "audio", "audio/mpeg", "pause.mp3", 100))
    s.do(FAC, AddRoom("pause", "Pauserummet", "break"))
    s.do(FAC, EditRoom("pause", "Pauserummet", PICTURE, MUSIC))
    s.do(FAC, AddRoom("gruppe", "Grupperum 1", "room"))
    s.do(FAC, AddStation("prog", HALL, "programme", "Dagens program", 2000, 3000))
    items = (("09:30", "Velkomst"), ("10:00", "Gruppearbejde"))
    s.do(FAC, EditStation("prog", "Dagens program", StationContent(items=items)))
    s.do(FAC, AddStation("quiz", HALL, "quiz", "Quiz om byrådet", 5000, 5000))
    quiz = ((QUESTION, ("19", "21", "25"), 1),)
    s.do(
        FAC,
        EditStation("quiz", "Quiz om byrådet", StationContent(quiz=quiz, target_room_id="pause")),
    )
    s.do(FAC, AddStation("hjaelp", HALL, "helpline", "Hjælpelinjen", 8000, 2000))
    s.do(FAC, EditStation("hjaelp", "Hjælpelinjen", StationContent(phone="+45 45 97 30 00")))
    s.do(FAC, AddStation("dor", HALL, "door", "Til grupperummet", 9000, 9000))
    s.do(FAC, EditStation("dor", "Til grupperummet", StationContent(target_room_id="gruppe")))
    s.do(FAC, AddStation("hemmelig", "pause", "info", SECRET, 5000, 5000))
    s.do(FAC, EditStation("hemmelig", SECRET, StationContent(body="Kaffen står *her*.")))
    return s


def test_a_gated_room_is_only_a_locked_title_until_the_participant_unlocks_it() -> None:
    s = hall_with_a_gated_break_room()
    for v in (html("participant", P1.id), html("participant"), html("facilitator", FAC.id)):
        out = hall_of(s, v)
        assert "Dagens program" in out and "Grupperum 1" in out
    for v in (html("participant", P1.id), html("participant")):
        out = hall_of(s, v)
        assert SECRET not in out and "Kaffen står" not in out and "hemmelig" not in out
        assert MUSIC not in out and PICTURE not in out and "<audio" not in out
        assert 'id="hall-room-pause"' not in out
        assert "Pauserummet" in out and "Låst" in out  # named, and said to be locked
    fac = hall_of(s, html("facilitator", FAC.id))
    assert SECRET in fac and f"/f/workshops/{s.workshop_id}/assets/{MUSIC}" in fac
    assert 'id="hall-room-pause"' in fac and "Låst" not in fac

    s.do(P1, AnswerQuiz("quiz", (1,)))
    p1 = hall_of(s, html("participant", P1.id))
    assert SECRET in p1 and 'id="hall-room-pause"' in p1
    assert f'src="/w/{s.state.join_code}/assets/{PICTURE}"' in p1
    audio = [a for t, a in tags_of(p1) if t == "audio"]
    assert len(audio) == 1 and "loop" in audio[0] and audio[0]["preload"] == "none"
    assert "autoplay" not in audio[0]
    assert "Du svarede rigtigt" in p1
    for v in (html("participant", P2.id), html("participant")):
        assert SECRET not in hall_of(s, v)  # p1's unlock is p1's alone
    # The facilitator's preview is a participant who has unlocked nothing, read-only.
    preview = hall_of(s, html("participant"), preview=True)
    assert SECRET not in preview and "Låst" in preview
    assert 'name="type" value="quiz.answer"' in preview and '<button type="submit"' not in preview
    assert f"/f/workshops/{s.workshop_id}/assets/" not in preview  # no asset shown yet


def test_no_quiz_answer_reaches_a_participant_or_the_room_screen() -> None:
    s = hall_with_a_gated_break_room()
    fac = hall_of(s, html("facilitator", FAC.id))
    assert "right-answer" in fac and "det rigtige svar" in fac
    editor = render("partials/hall_editor.html", "da", hv=HallView(s.state, html("facilitator")))
    assert "* 21" in editor  # the editor's textarea marks the right option
    for v in (html("participant", P1.id), html("participant"), html("screen")):
        out = hall_of(s, v)
        assert QUESTION in out
        assert "right-answer" not in out and "rigtige svar" not in out and "* 21" not in out
        assert hall_html.editor_html(s.state, v) == ""
    # The radios carry option indexes only, never which one is right.
    p = hall_of(s, html("participant", P1.id))
    radios = [a for t, a in tags_of(p) if t == "input" and a.get("type") == "radio"]
    assert [r["value"] for r in radios] == ["0", "1", "2"]
    assert all(set(r) == {"type", "name", "value", "required"} for r in radios)


def test_a_call_is_the_callers_and_the_facilitators_business() -> None:
    s = hall_with_a_gated_break_room()
    s.do(P1, CallMe("hjaelp", "c1", "Jeg kan ikke finde gruppen"))
    batch = s.log[-1:]
    r = LiveRenderer()
    personal = r.personal(batch, s.state)
    assert P1.id in personal and P2.id not in personal
    p1 = r.audience(html("participant", P1.id), personal)
    out = hall_html.events_html(batch, s.state, p1)
    assert "Vi ringer til dig" in out
    for v in (r.audience(html("participant", P2.id), personal), html("screen")):
        out = hall_html.events_html(batch, s.state, v)
        assert out == "" or ("Jeg kan ikke finde" not in out and "Vi ringer" not in out)
    fac = hall_html.events_html(batch, s.state, html("facilitator", FAC.id))
    assert 'hx-target="#hall-alert"' in fac and "Ida beder om at blive ringet op" in fac
    assert "Jeg kan ikke finde gruppen" in fac and "call.resolve" in fac
    # Once handled: the caller hears so, and the facilitators' list is empty again.
    s.do(FAC, ResolveCall("c1"))
    batch = s.log[-1:]
    personal = r.personal(batch, s.state)
    assert P1.id in personal
    out = hall_html.events_html(batch, s.state, html("participant", P1.id))
    assert "Din opringning er håndteret" in out and 'name="type" value="call.request"' in out
    fac = hall_html.events_html(batch, s.state, html("facilitator", FAC.id))
    assert "call.resolve" not in fac


def test_shared_renderings_hold_no_unlocks_and_personal_names_who_differs() -> None:
    s = hall_with_a_gated_break_room()
    s.do(P1, AnswerQuiz("quiz", (1,)))
    unlock = s.log[-1:]
    r = LiveRenderer()
    assert r.personal(unlock, s.state) >= {P1.id}
    own = hall_html.events_html(unlock, s.state, html("participant", P1.id))
    assert SECRET in own and 'hx-target="#hall-status"' in own and "Rigtigt svar" in own
    assert hall_html.events_html(unlock, s.state, html("participant")) == ""
    # A programme change re-renders the hall for everyone: p1 keeps their room in theirs.
    s.do(FAC, SetProgrammeItem("prog", 1))
    batch = s.log[-1:]
    personal = r.personal(batch, s.state)
    assert P1.id in personal and P2.id not in personal
    shared = hall_html.events_html(batch, s.state, r.audience(html("participant", P2.id), personal))
    assert SECRET not in shared and "Dagens program: nu Gruppearbejde" in shared
    current = re.findall(r'<li class="programme-item current" aria-current="step">', shared)
    assert len(current) == 1
    mine = hall_html.events_html(batch, s.state, r.audience(html("participant", P1.id), personal))
    assert SECRET in mine


def test_the_spotlight_is_announced_and_carried_for_the_script() -> None:
    s = hall_with_a_gated_break_room()
    s.do(FAC, Spotlight("prog"))
    batch = s.log[-1:]
    out = hall_html.events_html(batch, s.state, html("participant"))
    assert f'data-spotlight="prog" data-spotlight-seq="{s.seq}"' in out
    assert "Facilitatoren samler alle ved: Dagens program" in out
    assert "Saml alle her" not in out  # the button is the facilitators'
    fac = hall_html.events_html(batch, s.state, html("facilitator", FAC.id))
    assert "Stop med at samle alle her" in fac


def test_markdown_is_sanitised() -> None:
    out = str(markdown(HOSTILE_MARKDOWN))
    inert(out)
    assert "<table>" in out and "<h3>Regler</h3>" in out
    assert "<img" not in out  # no picture from another server
    links = [a for t, a in tags_of(out) if t == "a"]
    hrefs = [a.get("href") for a in links]
    assert "https://www.ltk.dk" in hrefs and "https://example.org/spor.png" in hrefs
    assert all(h is None or h.startswith("https://") for h in hrefs), hrefs
    assert all(a["rel"] == "noopener noreferrer nofollow" for a in links)
    # The same through a station, on every viewer's page.
    s = hall_with_a_gated_break_room()
    s.do(FAC, AddStation("regler", HALL, "rules", '"><svg onload=alert(7)>', 100, 100))
    s.do(
        FAC,
        EditStation("regler", "<script>alert(8)</script>", StationContent(body=HOSTILE_MARKDOWN)),
    )
    for v in (html("participant", P1.id), html("facilitator", FAC.id), html("screen")):
        page = hall_of(s, v)
        inert(page)
        assert "&lt;script&gt;alert(8)&lt;/script&gt;" in page
    inert(render("partials/hall_editor.html", "da", hv=HallView(s.state, html("facilitator"))))


def test_films_maps_plan_and_help_line_show_what_their_kind_holds() -> None:
    """A film with its captions (never autoplaying), maps as pictures with their names, the
    process plan with its done milestones, and the help-line's number as a phone link."""
    s = Session()
    s.do(FAC, AddAsset("film1", "video", "video/mp4", "byraad.mp4", 100))
    s.do(FAC, AddAsset("tekst1", "captions", "text/vtt", "byraad.vtt", 10))
    s.do(FAC, AddAsset("kort1", "image", "image/png", "kort.png", 100, 640, 480))
    s.do(FAC, AddStation("film", HALL, "films", "Film om byrådet", 1000, 1000))
    films = StationContent(
        links=(("Borgmesterens tale", "https://video.example.dk/tale"),),
        video_id="film1",
        captions_id="tekst1",
    )
    s.do(FAC, EditStation("film", "Film om byrådet", films))
    s.do(FAC, AddStation("kort", HALL, "maps", "Kort over byen", 3000, 1000))
    s.do(FAC, EditStation("kort", "Kort over byen", StationContent(image_ids=("kort1",))))
    s.do(FAC, AddStation("plan", HALL, "plan", "Procesplan", 5000, 1000))
    milestones = (("marts 2027", "Borgermøde", True), ("juni 2027", "Byrådet beslutter", False))
    s.do(FAC, EditStation("plan", "Procesplan", StationContent(milestones=milestones)))
    s.do(FAC, AddStation("hjaelp", HALL, "helpline", "Hjælpelinjen", 7000, 1000))
    s.do(FAC, EditStation("hjaelp", "Hjælpelinjen", StationContent(phone="+45 45 97 30 00")))
    page = hall_of(s, html("participant", P1.id))
    tags = tags_of(page)
    videos = [a for t, a in tags if t == "video"]
    assert len(videos) == 1 and "autoplay" not in videos[0] and "controls" in videos[0]
    assert videos[0]["src"].endswith("/assets/film1")
    (track,) = [a for t, a in tags if t == "track"]
    assert track["kind"] == "captions" and track["src"].endswith("/assets/tekst1")
    assert any(t == "a" and a.get("href") == "https://video.example.dk/tale" for t, a in tags)
    maps = [a for t, a in tags if t == "img" and a.get("src", "").endswith("/assets/kort1")]
    assert len(maps) == 1 and maps[0].get("alt")
    done = [a for t, a in tags if t == "li" and "milestone" in a.get("class", "").split()]
    assert ["done" in a["class"].split() for a in done] == [True, False]
    assert "Borgermøde" in page and "Byrådet beslutter" in page
    assert any(t == "a" and a.get("href", "").startswith("tel:+4545973000") for t, a in tags)
