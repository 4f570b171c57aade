"""The chair's list of milestones awaiting an update, in the order a council numbers them."""

from __future__ import annotations

from datetime import date

from bot.scheduler.reminders import awaiting_text
from bot.services.queries.results import MilestoneRow, PersonRef
from bot.services.reminders import ReminderBatch, ReminderItem
from bot.services.status import Health
from models.vocab import Status

LEE = PersonRef(key="lee", name="Lee Wong", role="Service Manager", slack_user_id="U0LEE")


def _row(code: str) -> MilestoneRow:
    return MilestoneRow(code=code, title="Action", area_code="A", area_title="Leadership", priority_code=None,
                        owner_key="lee", owner_name="Lee Wong", owner_role=None, owner_slack_id="U0LEE",
                        due=date(2026, 6, 30), status=Status.ON_TRACK, health=Health.ON_TRACK, percent=10,
                        last_update_at=None, last_update_age_days=None, stale=True, reason=None,
                        overdue_days=0)  # fmt: skip


def test_the_chairs_list_counts_2_before_10_and_a2_before_a10() -> None:
    codes = ["50", "10", "2", "A10.1", "A2.1", "A1.10", "A1.2"]
    batch = ReminderBatch(person=LEE, items=[ReminderItem(_row(c), None) for c in codes], board_name="Board",
                          meeting_on=date(2026, 5, 14), digest_on=date(2026, 5, 6), today=date(2026, 5, 5))  # fmt: skip
    listed = [line.split(":")[0] for line in awaiting_text([batch], date(2026, 5, 14)).splitlines()[1:]]
    assert listed == ["2", "10", "50", "A1.2", "A1.10", "A2.1", "A10.1"]
