"""The replies to /qib owner and /qib delegate, and the reading of what was typed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.services.errors import InvalidInput
from bot.services.updates import DelegateChange, OwnerChange
from bot.usecases.base import Asker
from handlers.admin import delegate_reply, owner_reply, parse_delegate
from tests.handlers.blockcheck import valid_reply

WHO = Asker("U0QIB0001", 1, datetime(2020, 2, 3, 9, 30, tzinfo=UTC), date(2020, 2, 3))


def _owner(changed: bool, before: str | None = "Alex Morgan") -> OwnerChange:
    return OwnerChange(
        milestone_code="M-05",
        milestone_title="Reviews <on time> & *well*",
        before_owner=before,
        after_owner="Drew Lawson",
        before_slack_id="U2",
        after_slack_id="U6",
        changed_by="Sam Carter",
        changed=changed,
    )


def test_an_owner_change_says_who_had_it_and_escapes_the_title() -> None:
    reply = valid_reply(owner_reply(_owner(True, before=None)))
    assert reply.text == "M-05 Reviews <on time> & *well* is now owned by Drew Lawson (was nobody)."
    assert "&lt;on time&gt; &amp;" in reply.blocks[0]["text"]["text"]


def test_no_change_says_so() -> None:
    assert valid_reply(owner_reply(_owner(False))).text == "M-05 is already owned by Drew Lawson."


def _delegate(after: str | None, until: date | None) -> DelegateChange:
    return DelegateChange(
        person_key="iro-ops",
        person_name="Alex Morgan",
        before_delegate="Jordan Ellis",
        after_delegate=after,
        before_until=None,
        after_until=until,
        changed=True,
    )


def test_cover_replies_say_until_when_or_that_it_ended() -> None:
    until = valid_reply(delegate_reply(_delegate("Drew Lawson", date(2020, 3, 31))))
    assert until.text == "Drew Lawson now covers for Alex Morgan until Tue 31 Mar 2020."
    assert valid_reply(delegate_reply(_delegate(None, None))).text == "Nobody covers for Alex Morgan now."


def test_delegate_text_is_read_into_a_request() -> None:
    req = parse_delegate(WHO, "<@U0QIB0002|alex> <@U0QIB0006> until 2020-03-31")
    assert (req.person, req.cover, req.until) == ("<@U0QIB0002|alex>", "<@U0QIB0006>", date(2020, 3, 31))
    assert parse_delegate(WHO, "iro-ops none").cover is None


@pytest.mark.parametrize("text", ["iro-ops", "a b c", "a b until someday"])
def test_unreadable_delegate_text_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_delegate(WHO, text)


def test_the_delegate_usage_gives_a_date_four_weeks_on_not_a_date_long_gone() -> None:
    later = Asker("U0QIB0001", 1, datetime(2026, 7, 10, 9, 0, tzinfo=UTC), date(2026, 7, 10))
    with pytest.raises(InvalidInput) as raised:
        parse_delegate(later, "kim")
    assert "`/qib delegate @alex @jordan until 2026-08-07`" in raised.value.message
    with pytest.raises(InvalidInput) as raised:
        parse_delegate(later, "kim raj until soon")
    assert raised.value.message == "“soon” is not a date: write it like 2026-08-07."
