"""The owner-change use case: admins only, the person as typed, both owners named for the handler."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services.ownership import OwnerChange
from bot.usecases.ownership import change_owner
from bot.usecases.results import Refused
from bot.usecases.updates import Caller

NOW = datetime(2020, 2, 10, 10, 0, tzinfo=UTC)
CHAIR, IRO, PRACTICE_LEAD, STRANGER = "U0QIB0001", "U0QIB0002", "U0QIB0006", "U0NOBODY"


def caller(plan: int, user: str) -> Caller:
    return Caller(user_id=user, plan_id=plan, now=NOW, today=NOW.date())


def test_an_admin_changes_the_owner_and_both_are_named(sessions, durham):
    change = change_owner(sessions, caller(durham, CHAIR), "M-05", f"<@{PRACTICE_LEAD}|drew>")
    assert isinstance(change, OwnerChange) and change.changed
    assert (change.before_slack_id, change.after_slack_id) == (IRO, PRACTICE_LEAD)
    again = change_owner(sessions, caller(durham, CHAIR), "m5", "Drew Lawson")
    assert isinstance(again, OwnerChange) and not again.changed


def test_refusals_say_why(sessions, durham):
    assert "Only a plan admin" in change_owner(sessions, caller(durham, IRO), "M-05", "Drew Lawson").reason
    nobody = change_owner(sessions, caller(durham, CHAIR), "M-05", "Zed")
    assert isinstance(nobody, Refused) and "Nobody in the plan matches “Zed”" in nobody.reason
    stranger = change_owner(sessions, caller(durham, STRANGER), "M-05", "Drew Lawson")
    assert isinstance(stranger, Refused) and "not in the plan's list of people" in stranger.reason
    missing = change_owner(sessions, caller(durham, CHAIR), "M-99", "Drew Lawson")
    assert isinstance(missing, Refused) and "no milestone M-99" in missing.reason
