"""Status queries and the chair's summary: the plan as the board reads it, Slack-free.

Every query takes the session, the plan and the local date (``today``, in the plan's timezone) as
keyword arguments and returns frozen dataclasses, never ORM rows, so the Slack, console and CLI
renderers share them.

Each query runs a fixed, small number of SQL statements whatever the size of the plan: the plan and
board (one), the meeting overrides (one), then one statement per kind of thing shown (milestones, the
updates since the last meeting, ...). Nothing is lazy-loaded and nothing is queried per milestone or per
area. The latest update of a milestone (for the reason behind its rating) is a correlated
``ORDER BY at DESC, id DESC LIMIT 1`` on the ``(milestone_id, at, id)`` index.
"""

from __future__ import annotations

from bot.services.queries.context import board_calendar
from bot.services.queries.owned import milestones_for
from bot.services.queries.people import find_person, person_by_slack_id
from bot.services.queries.results import (
    DEFAULT_DUE_SOON_DAYS,
    REASON_MAX_CHARS,
    AreaDetail,
    AreaRef,
    AreaSummary,
    BoardCalendar,
    ChairSummary,
    Change,
    DueSoon,
    ExceptionItem,
    ExceptionKind,
    Figures,
    MilestoneDetail,
    MilestoneList,
    MilestoneRow,
    OwnedMilestone,
    PersonInfo,
    PersonMilestones,
    PersonRef,
    PlanInfo,
    PlanOverview,
    PriorityRef,
    PriorityReport,
    PriorityView,
    RatedList,
    UpdateEntry,
)
from bot.services.queries.summary import chair_summary, chair_summary_and_rows, changes, milestone_rows
from bot.services.queries.views import (
    area_detail,
    by_priority,
    by_rating,
    due_soon,
    milestone_detail,
    overdue,
    plan_overview,
    stale,
)
from bot.services.read_model import cached

# Kept answers: the entry points status, summary, mine, App Home and the questions call are answered from
# the per-process read model while the plan's revision stands (bot/services/read_model.py).
board_calendar = cached(board_calendar)
plan_overview = cached(plan_overview)
area_detail = cached(area_detail)
milestone_detail = cached(milestone_detail)
milestones_for = cached(milestones_for)
overdue = cached(overdue)
due_soon = cached(due_soon)
by_rating = cached(by_rating)
stale = cached(stale)
by_priority = cached(by_priority)
changes = cached(changes)
chair_summary = cached(chair_summary)
chair_summary_and_rows = cached(chair_summary_and_rows)
milestone_rows = cached(milestone_rows)

__all__ = [
    "DEFAULT_DUE_SOON_DAYS",
    "REASON_MAX_CHARS",
    "AreaDetail",
    "AreaRef",
    "AreaSummary",
    "BoardCalendar",
    "Change",
    "ChairSummary",
    "DueSoon",
    "ExceptionKind",
    "ExceptionItem",
    "Figures",
    "MilestoneDetail",
    "MilestoneList",
    "MilestoneRow",
    "OwnedMilestone",
    "PersonInfo",
    "PersonMilestones",
    "PersonRef",
    "PlanInfo",
    "PlanOverview",
    "PriorityRef",
    "PriorityReport",
    "PriorityView",
    "RatedList",
    "UpdateEntry",
    "area_detail",
    "board_calendar",
    "by_priority",
    "by_rating",
    "changes",
    "chair_summary",
    "chair_summary_and_rows",
    "due_soon",
    "find_person",
    "milestone_detail",
    "milestone_rows",
    "milestones_for",
    "overdue",
    "person_by_slack_id",
    "plan_overview",
    "stale",
]
