"""Checks shared by recording, correcting and reassigning updates: the milestone (locked), the clock,
the key, and each field as typed, refused with a message fit to show and the field it is about."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from bot.services.errors import InvalidInput, NotFound
from bot.services.people import Actor, is_active_delegate
from bot.services.wording import full_day, person_label
from models import Milestone, Person, Plan
from models.codes import code_key
from models.control import CONTROL
from models.vocab import Source, Status, parse_status

MAX_TEXT_CHARS = 3000  # Slack's plain_text_input maximum
MAX_URL_CHARS = 2000  # ProgressUpdate.evidence_url
MAX_KEY_CHARS = 255  # ProgressUpdate.idempotency_key

TEXT_LABELS = {
    "note": "The note",
    "next_steps": "The next steps",
    "blockers": "The blockers",
    "decision": "The decision needed",
    "reopen_reason": "The reason for reopening",
    "override_reason": "The reason for saving over the personal data check",
}


def lock_milestone(db: Session, plan_id: int, code: str) -> Milestone:
    """The milestone, its row locked until the caller's transaction ends (a no-op on SQLite)."""
    return lock(db, find_milestone_id(db, plan_id, code))


def lock(db: Session, milestone_id: int) -> Milestone:
    return db.scalars(
        select(Milestone)
        .where(Milestone.id == milestone_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def lock_with_plan(db: Session, plan_id: int, code: str) -> tuple[Milestone, Plan]:
    """The milestone a code names, locked, with its area and plan loaded in the same statement (an
    update needs all three: the plan's time zone, the area for its announcement)."""
    query = (
        select(Milestone, Plan)
        .join(Plan, Plan.id == Milestone.plan_id)
        .options(joinedload(Milestone.area, innerjoin=True))
        .with_for_update(of=Milestone)
        .execution_options(populate_existing=True)
    )
    found = db.execute(query.where(Milestone.plan_id == plan_id, Milestone.code == (code or "").strip()))
    row = found.unique().one_or_none()
    if row is None:
        row = db.execute(query.where(Milestone.id == find_milestone_id(db, plan_id, code))).unique().one()
    return row[0], row[1]


def find_milestone_id(db: Session, plan_id: int, code: str) -> int:
    """The id of the milestone a code names ("M-07", "m7"), or NotFound."""
    wanted = (code or "").strip()
    milestone_id = db.scalar(
        select(Milestone.id).where(Milestone.plan_id == plan_id, Milestone.code == wanted)
    )
    if milestone_id is None:
        key = code_key(wanted)
        if key is not None:
            same = [
                mid
                for mid, other in db.execute(
                    select(Milestone.id, Milestone.code).where(Milestone.plan_id == plan_id)
                )
                if code_key(other) == key
            ]
            milestone_id = same[0] if len(same) == 1 else None  # two codes with one key: exact only
    if milestone_id is None:
        raise NotFound(f"There is no milestone {wanted or '(blank)'} in this plan.")
    return milestone_id


def check_key(key: str) -> str:
    if not isinstance(key, str) or not CONTROL.sub("", key).strip():
        raise ValueError("an idempotency key is required (the modal's view id, the command's trigger id)")
    key = CONTROL.sub("", key).strip()
    if len(key) > MAX_KEY_CHARS:
        raise ValueError(f"the idempotency key is longer than {MAX_KEY_CHARS} characters")
    return key


def check_now(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")


def check_source(source: str) -> str:
    try:
        return Source(source).value
    except ValueError:
        raise ValueError(f"unknown update source {source!r}") from None


def check_status(status: str | None) -> Status | None:
    if status is None or not str(status).strip():
        return None
    try:
        return parse_status(str(status))
    except ValueError:
        raise InvalidInput(
            f'"{str(status).strip()[:40]}" is not a status. Use not started, on track (green), '
            "at risk (amber), off track (red) or complete (blue).",
            field="status",
        ) from None


def check_percent(percent: int | None) -> int | None:
    if percent is None:
        return None
    if isinstance(percent, bool) or not isinstance(percent, int):
        raise InvalidInput("Percent complete must be a whole number from 0 to 100.", field="percent")
    if not 0 <= percent <= 100:
        raise InvalidInput(
            f"Percent complete must be from 0 to 100 (the update says {percent}%).", field="percent"
        )
    return percent


def clean_text(value: str | None, field: str) -> str | None:
    """Trimmed text, None when blank; control characters dropped (PostgreSQL refuses NUL, and a plan
    file refuses them all, so an export of the plan must not carry any)."""
    if value is None:
        return None
    text = CONTROL.sub("", str(value)).strip()
    if not text:
        return None
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(
            f"{TEXT_LABELS[field]} is {len(text):,} characters long; the most Slack takes is "
            f"{MAX_TEXT_CHARS:,}. Shorten it, or put the detail in a document and link it as evidence.",
            field=field,
        )
    return text


def check_url(value: str | None) -> str | None:
    if value is None:
        return None
    url = str(value).replace("\x00", "").strip()
    if not url:
        return None
    problem = (
        "The evidence link must be a web address starting with https:// (or http://), "
        "such as a SharePoint or intranet page."
    )
    if len(url) > MAX_URL_CHARS:
        raise InvalidInput(
            f"The evidence link is longer than {MAX_URL_CHARS:,} characters.", field="evidence_url"
        )
    if any(c.isspace() for c in url) or CONTROL.search(url):
        raise InvalidInput(problem, field="evidence_url")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise InvalidInput(problem, field="evidence_url") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise InvalidInput(problem, field="evidence_url")
    return url


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/London")


def label(person: Person | None) -> str | None:
    if person is None:
        return None
    return person_label(person.name, person.role)


def owner_phrase(owner: Person | None) -> str:
    return f", {label(owner)}," if owner is not None else ""


def day(d: date) -> str:
    return full_day(d)


def not_yours(code: str, owner: Person | None, actor: Actor, today: date) -> str:
    if owner is None:
        return f"{code} has no owner yet; ask an admin to update it or to give it an owner."
    message = f"{code} is owned by {label(owner)}; ask them or an admin to update it."
    if (
        owner.delegate_id == actor.person_id
        and owner.delegate_until is not None
        and not is_active_delegate(actor, owner.delegate_id, owner.delegate_until, today)
    ):
        message = f"Your cover for {owner.name} ended on {day(owner.delegate_until)}. " + message
    return message
