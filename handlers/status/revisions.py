"""A milestone's revised due dates, as the status replies show them beside its due date."""

from __future__ import annotations

from bot.services.queries import MilestoneRow
from handlers import blocks as bk
from handlers.words import full_day


def revision_lines(r: MilestoneRow) -> str:
    """Under a milestone's due date: the plan's own date, once a revised one was approved, and a date
    awaiting the chair's approval, each on a line of its own (empty when there is neither)."""
    lines = ""
    if r.baseline_due is not None and r.baseline_due != r.due:
        lines += f"\nrevised from {full_day(r.baseline_due)}"
    if r.due_requested is not None:
        lines += f"\n{awaiting_approval(r)}"
    return lines


def awaiting_approval(r: MilestoneRow) -> str:
    """ "Revised date awaiting approval: Fri 15 Jan 2027 because ..." (empty when none is asked for)."""
    if r.due_requested is None:
        return ""
    why = f" because {bk.esc(bk.clip(r.due_request_reason, 200))}" if r.due_request_reason else ""
    return f"Revised date awaiting approval: {full_day(r.due_requested)}{why}"
