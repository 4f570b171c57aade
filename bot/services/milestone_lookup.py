"""Finding the milestone a quick update names: by its code in any spelling, else by words of its title."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.services.read_model import cached
from bot.services.search import MAX_CHOICES, search
from models import Area, Milestone, Priority
from models.codes import code_key


@cached
def plan_codes(*, db: Session, plan_id: int) -> list[str]:
    """The plan's milestone codes, for parse_quick_update to know them in any spelling; kept in the
    read model, as they change only when the plan does."""
    return list(db.scalars(select(Milestone.code).where(Milestone.plan_id == plan_id).order_by(Milestone.id)))


def resolve_milestone(
    db: Session, plan_id: int, candidate_code: str | None, phrase: str | None, *, limit: int = MAX_CHOICES
) -> list[tuple[str, str]]:
    """The milestones a quick update may mean, best first, as (code, title).

    A code that matches (M-07, m7, M7 and m-7 are all M-07; m1.2 is M1-2) wins outright. Otherwise the phrase goes
    to the plan search (bot.services.search), so that the words that find a milestone in
    `/qib status` find the same one here; an area or priority it finds stands for its milestones.
    One pair back is a clear match; several are for the user to choose from; none, nothing found.
    """
    if candidate_code:
        ordered = select(Milestone.code, Milestone.title).order_by(Milestone.position, Milestone.id)
        wanted = candidate_code.strip().casefold()
        exact = [
            (c, t)
            for c, t in db.execute(
                ordered.where(Milestone.plan_id == plan_id, func.lower(Milestone.code) == wanted.lower())
            )
            if c.casefold() == wanted
        ]
        if exact:  # the code as the plan spells it: one indexed row, not the whole plan
            return exact
        rows = db.execute(ordered.where(Milestone.plan_id == plan_id)).all()
        key = code_key(candidate_code)
        by_key = [(c, t) for c, t in rows if key is not None and code_key(c) == key]
        if by_key:
            return by_key
    if not phrase or not phrase.strip():
        return []
    found = search(db, plan_id, phrase)
    hits = [found.match] if found.match is not None else list(found.choices)
    out: dict[str, str] = {}
    for hit in hits:
        if hit.kind == "milestone":
            out.setdefault(hit.code, hit.title)
            continue
        column = Area.code if hit.kind == "area" else Priority.code
        target = Milestone.area if hit.kind == "area" else Milestone.priority
        members = db.execute(
            select(Milestone.code, Milestone.title)
            .join(target)
            .where(Milestone.plan_id == plan_id, column == hit.code)
            .order_by(Milestone.position, Milestone.id)
        ).all()
        for code, title in _closest(phrase, [(c, t) for c, t in members]):
            out.setdefault(code, title)
    return list(out.items())[:limit]


_WORD = re.compile(r"[a-z0-9]+")
_SMALL_WORDS = {"a", "an", "and", "for", "from", "in", "of", "on", "the", "to", "with"}


def _word_set(text: str) -> set[str]:
    words = set()
    for w in _WORD.findall(text.casefold().replace("’", "'").replace("'s", "")):
        if w in _SMALL_WORDS:
            continue
        words.add(w[:-1] if len(w) > 4 and w.endswith("s") and not w.endswith("ss") else w)
    return words


def _closest(phrase: str, milestones: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Of an area's (or priority's) milestones, those whose titles share most words with the phrase;
    all of them when none shares a word ("foster carer reviews" names the area, not a title)."""
    asked = _word_set(phrase)
    shared = [len(asked & _word_set(title)) for _, title in milestones]
    best = max(shared, default=0)
    if best == 0:
        return milestones
    return [m for m, n in zip(milestones, shared, strict=True) if n == best]
