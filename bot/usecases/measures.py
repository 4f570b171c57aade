"""Performance measures: read them, draw one's trend, and record a value (owner, delegate or admin)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from bot.services.errors import InvalidInput, NotFound
from bot.services.measure_charts import ChartData, chart_for
from bot.services.measures import MeasureView, Recorded, read_measures, record_value, select_measures
from bot.services.privacy import PersonalDataSuspected
from bot.usecases.base import Asker, Sessions, refusing, require_actor
from models.vocab import Source


@dataclass(frozen=True)
class RecordRequest:
    who: Asker
    code: str
    value: float
    period_text: str | None = None  # "2020-01", "jan 2020", "Q1 2020"; None: the last complete period
    note: str | None = None
    replace: bool = False  # a period that has a value already gets a new one only when asked
    confirm_not_personal: bool = False
    source: Source = Source.SLACK


@dataclass(frozen=True)
class NotSaved:
    """The value was not saved because of what was typed (not who typed it): `field` is the form field at
    fault, `personal_data` says the note looked like a child's details (confirmable, unless hard)."""

    reason: str
    field: str | None = None
    personal_data: bool = False
    also: dict[str, str] = dataclasses.field(default_factory=dict)


def list_measures(sessions: Sessions, who: Asker, wanted: str) -> tuple[MeasureView, ...]:
    """The measures matching a code, an area or priority code, or words in their titles (all if blank)."""
    with sessions() as db:
        return select_measures(read_measures(db=db, plan_id=who.plan_id, today=who.today), wanted)


@refusing
def find_measure(sessions: Sessions, who: Asker, code: str) -> MeasureView:
    """Exactly the measure with this code, for the form that records its value."""
    found = list_measures(sessions, who, code)
    if len(found) != 1 or found[0].code != code.strip().upper():
        raise NotFound(f"There is no measure {code.strip().upper()}. `/qib measures` lists them.")
    return found[0]


@refusing
def chart(sessions: Sessions, who: Asker, code: str) -> ChartData:
    """One measure's values and the board's meetings over their span, to draw."""
    with sessions() as db:
        return chart_for(db=db, plan_id=who.plan_id, code=code, today=who.today)


@refusing
def record(sessions: Sessions, req: RecordRequest) -> Recorded | NotSaved:
    """Record a value. Not allowed (or not in the plan) is Refused; a problem with what was typed is NotSaved;
    a period that already has a value comes back unsaved (Recorded.saved false) to be confirmed."""
    with sessions() as db:
        actor = require_actor(db, req.who)
    try:
        with sessions.begin() as db:
            return record_value(
                db=db,
                plan_id=req.who.plan_id,
                code=req.code,
                author_id=actor.person_id,
                value=req.value,
                period_text=req.period_text,
                note=req.note,
                now=req.who.now,
                source=req.source,
                replace=req.replace,
                confirm_not_personal=req.confirm_not_personal,
                extra_admin_slack_ids=req.who.admin_ids,
            )
    except PersonalDataSuspected as exc:
        return NotSaved(exc.message, field="note", personal_data=True)
    except (InvalidInput, NotFound) as exc:
        return NotSaved(exc.message, field=getattr(exc, "field", None), also=getattr(exc, "also", {}))
