"""Owner and delegate changes: admins only, people found by key, name or mention, refusals said plainly."""

from __future__ import annotations

from datetime import date

from bot.services.updates import DelegateChange, OwnerChange
from bot.usecases import admin
from bot.usecases.results import Refused
from tests.usecases.support import CHAIR, IRO, STRANGER, Who


def test_an_admin_gives_a_milestone_a_new_owner(sessions, who: Who) -> None:
    change = admin.change_owner(sessions, admin.OwnerRequest(who(CHAIR), "M-05", "practice-lead"))
    assert isinstance(change, OwnerChange)
    assert change.changed and change.before_owner and change.after_owner
    assert change.before_owner.startswith("Alex Morgan") and change.after_owner.startswith("Drew Lawson")
    again = admin.change_owner(sessions, admin.OwnerRequest(who(CHAIR), "M-05", "Drew Lawson"))
    assert isinstance(again, OwnerChange) and not again.changed


def test_someone_not_an_admin_is_refused_and_nothing_changes(sessions, who: Who) -> None:
    refused = admin.change_owner(sessions, admin.OwnerRequest(who(IRO), "M-05", "practice-lead"))
    assert isinstance(refused, Refused)
    kept = admin.change_owner(sessions, admin.OwnerRequest(who(CHAIR), "M-05", "iro-ops"))
    assert isinstance(kept, OwnerChange) and not kept.changed


def test_a_stranger_is_told_how_to_get_added(sessions, who: Who) -> None:
    refused = admin.change_owner(sessions, admin.OwnerRequest(who(STRANGER), "M-05", "practice-lead"))
    assert isinstance(refused, Refused) and "Ask a plan admin to add your Slack account" in refused.reason


def test_a_deployment_admin_counts_as_an_admin(sessions, who: Who) -> None:
    asker = who(IRO, admin_ids=frozenset({IRO}))
    change = admin.change_owner(sessions, admin.OwnerRequest(asker, "M-05", "practice-lead"))
    assert isinstance(change, OwnerChange) and change.changed


def test_nobody_matching_is_refused_with_the_text_quoted(sessions, who: Who) -> None:
    refused = admin.change_owner(sessions, admin.OwnerRequest(who(CHAIR), "M-05", "Nobody Atall"))
    assert refused == Refused("Nobody in the plan matches “Nobody Atall”: use their @name, key or full name.")


def test_cover_is_set_until_a_day_and_then_ended(sessions, who: Who) -> None:
    req = admin.DelegateRequest(who(CHAIR), "practice-lead", "iro-ops", date(2020, 3, 31))
    change = admin.change_delegate(sessions, req)
    assert isinstance(change, DelegateChange)
    assert change.person_name.startswith("Drew Lawson") and (change.after_delegate or "").startswith("Alex")
    assert change.after_until == date(2020, 3, 31)
    ended = admin.change_delegate(sessions, admin.DelegateRequest(who(CHAIR), "practice-lead", None))
    assert isinstance(ended, DelegateChange) and ended.after_delegate is None


def test_cover_by_someone_not_an_admin_is_refused(sessions, who: Who) -> None:
    refused = admin.change_delegate(sessions, admin.DelegateRequest(who(IRO), "iro-ops", "practice-lead"))
    assert isinstance(refused, Refused)
