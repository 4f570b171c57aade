"""What a milestone's status means today: overdue beats what it says, and how statuses roll up."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from models.vocab import Status


class Health(StrEnum):
    """A status as the board reads it: the stored status, except that late and unfinished is overdue."""

    OVERDUE = "overdue"
    OFF_TRACK = "off track"
    AT_RISK = "at risk"
    NOT_STARTED = "not started"
    ON_TRACK = "on track"
    COMPLETE = "complete"


# Worst first: the order exceptions are listed in and the order of the roll-up.
SEVERITY: dict[Health, int] = {h: i for i, h in enumerate(Health)}


def health(status: Status | str, due: date | None, today: date) -> Health:
    if status == Status.COMPLETE:
        return Health.COMPLETE
    if due is not None and due < today:
        return Health.OVERDUE
    return Health(status)


def roll_up(healths: Iterable[Health]) -> Health | None:
    """An area's status: worst milestone wins; all complete is complete; none at all is None.

    Not started only counts as worst when nothing is under way, so a mix of on track and not started
    reads on track.
    """
    items = list(healths)
    if not items:
        return None
    if all(h is Health.COMPLETE for h in items):
        return Health.COMPLETE
    live = [h for h in items if h is not Health.COMPLETE]
    worst = min(live, key=SEVERITY.__getitem__)
    if worst is Health.NOT_STARTED and any(h is Health.ON_TRACK for h in live):
        return Health.ON_TRACK
    if worst is Health.NOT_STARTED and len(live) < len(items):
        return Health.ON_TRACK  # some done, the rest not begun yet: progressing
    return worst


def is_stale(last_update_at_local_date: date | None, previous_meeting: date | None) -> bool:
    """No update since the previous board meeting (a milestone never updated is stale once a meeting passed)."""
    if previous_meeting is None:
        return False
    return last_update_at_local_date is None or last_update_at_local_date < previous_meeting
