"""The 0-10 questions and the dilemma deck: each opened, voted on and closed or revealed as the
file says. A named question's votes are given back by the same participants; an anonymous
question (and a card) exists in the file only as figures, so its votes are given by members of
each group in join order. A group the small-group guard hid gets what the total leaves after
the shown groups: the report cannot tell the hidden groups apart, and neither can this."""

from __future__ import annotations

from server.domain.commands import (
    AddCard,
    CastVote,
    ChooseSide,
    CloseQuestion,
    CreateQuestion,
    OpenQuestion,
    RevealCard,
    RevealQuestion,
    ShowCard,
)
from server.domain.dilemmas import Side
from server.exchange.plan import Builder, Doc, expand
from server.service import new_id


def _shares(entries: list[Doc], hidden_values: list[list[int]]) -> list[list[int]]:
    """Each group's values: its own histogram, or its n of what the hidden groups share."""
    rest = sorted(v for values in hidden_values for v in values)
    out: list[list[int]] = []
    for g in entries:
        if g["histogram"] is not None:
            out.append(expand(g["histogram"]))
        else:
            out.append(rest[: g["n"]])
            rest = rest[g["n"] :]
    return out


def _anonymous(b: Builder, path: str, question_id: str, r: Doc) -> None:
    shown = [x for g in r["groups"] if g["histogram"] is not None for x in expand(g["histogram"])]
    rest = expand(r["total_histogram"])
    for v in shown:
        rest.remove(v)  # `validate` made sure the shown groups fit in the total
    values = _shares(r["groups"], [rest])
    sizes = [(g["group"], g["n"]) for g in r["groups"]]
    comments = list(r["comments"])
    for gi, (people, mine) in enumerate(zip(b.voters(sizes, path), values, strict=True)):
        group = r["groups"][gi]["group"]
        for person, value in zip(people, mine, strict=True):
            comment = comments.pop(0) if comments else None
            b.in_group(
                f"{path}.groups[{gi}]",
                person,
                group,
                person.actor,
                CastVote(question_id, value, comment),
            )


def _named(b: Builder, path: str, question_id: str, r: Doc) -> None:
    comments = list(r["comments"])
    for vi, v in enumerate(r["votes"]):
        person = b.by_ref[v["participant"]]
        comment = comments.pop(0) if comments else None
        if v["by_facilitator"]:  # recorded for someone in the room without a device
            actor = b.facilitator
            vote = CastVote(question_id, v["value"], comment, on_behalf_of=person.actor.id)
        else:
            actor, vote = person.actor, CastVote(question_id, v["value"], comment)
        b.in_group(f"{path}.votes[{vi}]", person, v["group"], actor, vote)


def question_steps(b: Builder, w: Doc) -> None:
    fac = b.facilitator
    for qi, q in enumerate(w["questions"]):
        path = f"questions[{qi}]"
        qid = new_id()
        b.add(
            path,
            fac,
            CreateQuestion(
                qid,
                q["text"],
                q["low_label"],
                q["high_label"],
                q["ask_comment"],
                q["anonymous"],
                q["min_group"],
            ),
        )
        if q["status"] == "draft":
            continue
        b.add(f"{path}.status", fac, OpenQuestion(qid))
        if q["result"] is not None:
            (_anonymous if q["anonymous"] else _named)(b, f"{path}.result", qid, q["result"])
        if q["status"] == "closed":
            b.add(f"{path}.status", fac, CloseQuestion(qid))
        elif q["status"] == "revealed":
            b.add(f"{path}.status", fac, RevealQuestion(qid))


def _sides(over: int, under: int) -> list[int]:
    """Sides as numbers (0 over, 1 under), so `_shares` can deal them out like votes."""
    return [0] * over + [1] * under


SIDES: tuple[Side, Side] = ("over", "under")


def _choices(b: Builder, path: str, card_id: str, r: Doc) -> None:
    over, under = r["over"], r["under"]
    for g in r["groups"]:
        if g["over"] is not None:
            over, under = over - g["over"], under - g["under"]
    entries = [
        {
            "n": g["n"],
            "histogram": None if g["over"] is None else [g["over"], g["under"]],
        }
        for g in r["groups"]
    ]
    values = _shares(entries, [_sides(over, under)])
    sizes = [(g["group"], g["n"]) for g in r["groups"]]
    for gi, (people, mine) in enumerate(zip(b.voters(sizes, path), values, strict=True)):
        group = r["groups"][gi]["group"]
        for person, side in zip(people, mine, strict=True):
            b.in_group(
                f"{path}.groups[{gi}]",
                person,
                group,
                person.actor,
                ChooseSide(card_id, SIDES[side]),
            )


def card_steps(b: Builder, w: Doc) -> None:
    fac = b.facilitator
    for di, d in enumerate(w["dilemmas"]):
        path = f"dilemmas[{di}]"
        card_id = new_id()
        b.add(path, fac, AddCard(card_id, d["text"]))
        if d["status"] == "waiting":
            continue
        b.add(f"{path}.status", fac, ShowCard(card_id))
        if d["result"] is not None:
            _choices(b, f"{path}.result", card_id, d["result"])
        if d["status"] == "revealed":
            b.add(f"{path}.status", fac, RevealCard(card_id))
