"""The report's figures on a stored workshop, checked against what SQL over the stored rows
gives (never against the seed's own numbers), on both databases."""

from __future__ import annotations

import statistics

import sqlalchemy as sa

from server.domain.report import workshop_report
from server.service import Service
from server.store import projections
from server.store.tables import dots, notes, participants, votes
from tests.report_seed import seed_workshop


async def test_the_report_figures_are_what_the_stored_rows_give(service: Service) -> None:
    seeded = await seed_workshop(service, "fac1")
    w, ids = seeded.workshop_id, seeded.ids
    async with service.db.read() as conn:
        state = await projections.load_state(conn, w)
        committee = await projections.load_state(conn, seeded.committee_id)
        rows = (
            await conn.execute(sa.select(participants).where(participants.c.workshop_id == w))
        ).all()
        vision = [
            r.value
            for r in await conn.execute(
                sa.select(votes).where(votes.c.question_id == ids["q-vision"])
            )
        ]
        by_group = {
            g: [
                r.value
                for r in await conn.execute(
                    sa.select(votes).where(
                        votes.c.question_id == ids["q-vision"], votes.c.group_name == g
                    )
                )
            ]
            for g in ("Politiker", "Borger", "Medarbejder")
        }
        shown_notes = (
            await conn.execute(
                sa.select(sa.func.count())
                .select_from(notes)
                .where(notes.c.workshop_id == w, notes.c.hidden.is_(False))
            )
        ).scalar_one()
        bike_dots = (
            await conn.execute(
                sa.select(sa.func.sum(dots.c.placed)).where(dots.c.note_id == ids["n-bike"])
            )
        ).scalar_one()
    assert state is not None
    report = workshop_report(state, committee)

    # The cover: participants counted by group; no names unless asked for.
    assert report.participants == len(rows)
    for g in report.groups:
        assert g.participants == sum(1 for r in rows if r.group_name == g.group)
    assert report.people is None
    named = workshop_report(state, committee, names=True).people
    assert named is not None and {p.name for p in named} == {
        r.display_name for r in rows if r.display_name
    }
    assert workshop_report(state, committee, audience="public", names=True).people is None

    # Boards: every note not hidden, authors only where the board shows them.
    listed = [
        n
        for b in report.boards
        for col in b.columns
        for n in (*col.loose, *(x for cl in col.clusters for x in cl.notes))
    ]
    assert len(listed) == shown_notes
    assert all("skjulte" not in n.text for n in listed)
    ideas, negative = report.boards
    assert negative.columns[0].loose[0].author is None  # the board hides authors
    assert ideas.columns[0].clusters[0].title == "Mobilitet"
    bike = next(n for n in listed if n.id == ids["n-bike"])
    assert bike.author == "Anne Politiker" and bike.dots == bike_dots
    assert bike.merged == ("Cykelstier til skolerne",) and bike.to_backlog
    assert ideas.ranking[0].text == bike.text and ideas.ranking[0].dots == bike_dots

    # 0-10: the revealed question's figures equal the stored votes'; the open one shows none.
    q = next(s for s in report.questions if s.question.id == ids["q-vision"])
    assert q.results is not None and q.votes == len(vision)
    assert q.results.total.mean == statistics.fmean(vision)
    assert q.results.total.median == statistics.median(vision)
    assert list(q.results.total.histogram) == [vision.count(v) for v in range(11)]
    for split in q.results.groups:
        assert split.n == len(by_group[split.group])
        if split.figures is not None:
            assert split.figures.mean == statistics.fmean(by_group[split.group])
    hidden = {s.group for s in q.results.groups if s.figures is None}
    assert "Medarbejder" in hidden  # one voter: the small-group guard
    assert q.results.comments == ("Mere om trafikken",)
    still_open = next(s for s in report.questions if s.question.id == ids["q-open"])
    assert still_open.results is None and still_open.votes is None  # 1 vote, not revealed

    # Over/under: the revealed card's split; the other only its count.
    revealed, shown = report.dilemmas
    assert revealed.total is not None and revealed.total.n == len(rows)
    assert shown.split is None and shown.choices is None  # 1 choice, not revealed

    # The hall: openings per station and quiz completions.
    opened = {s.title: s.opened for s in report.hall.stations}
    assert opened["Program"] == 4 and opened["Spilleregler"] == 1 and opened["Musik"] == 1
    assert [(z.title, z.completed) for z in report.hall.quizzes] == [("Kaffequiz", 2)]
    assert [p.text for p in report.programme] == ["Velkomst", "Idébank", "Afstemning"]

    # The committee: the closed sprint's outcome and where the idea went.
    assert report.committee is not None
    (sprint,) = report.committee.sprints
    assert sprint.name == "Sprint 1" and sprint.done_total == 5 and sprint.planned_total == 13
    assert [goal.evaluation for goal in sprint.goals] == ["met", "partly"]
    (idea,) = report.committee.ideas
    assert (idea.item, idea.status, idea.sprint) == (
        "Flere cykelstier langs Mølleåen",
        "done",
        "Sprint 1",
    )


async def test_the_same_data_gives_the_same_report(service: Service) -> None:
    seeded = await seed_workshop(service, "fac1")
    async with service.db.read() as conn:
        one = await projections.load_state(conn, seeded.workshop_id)
        c = await projections.load_state(conn, seeded.committee_id)
    async with service.db.read() as conn:
        two = await projections.load_state(conn, seeded.workshop_id)
    assert one is not None and two is not None
    assert workshop_report(one, c) == workshop_report(two, c)
