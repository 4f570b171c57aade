"""Every answer's plain-text fallback (what notifications, screen readers and some clients show) states the
same facts as its blocks: the same status word and the same due phrase for each milestone."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.services.queries import (
    AreaDetail,
    AreaRef,
    AreaSummary,
    BoardCalendar,
    Figures,
    MilestoneDetail,
    MilestoneList,
    MilestoneRow,
    OwnedMilestone,
    PersonInfo,
    PersonMilestones,
)
from bot.services.reminders import ReminderBatch, ReminderItem
from bot.services.status import Health, health
from handlers.blocks import Reply
from handlers.digest.render import reminder_message
from handlers.status import milestone, render
from models.vocab import Status
from tests.properties.strategies import examples

TITLE = st.text(alphabet="abcdefghij ", min_size=1, max_size=30).map(lambda t: "Title " + " ".join(t.split()))


@st.composite
def rows(draw: Any) -> tuple[date, list[MilestoneRow]]:
    today = draw(st.dates(date(2019, 1, 1), date(2031, 12, 31)))
    n = draw(st.integers(1, 8))
    out = []
    for i in range(n):
        status = draw(st.sampled_from(list(Status)))
        due = draw(st.one_of(st.none(), st.integers(-400, 400).map(lambda k: today + timedelta(days=k))))
        h = health(status, due, today)
        out.append(
            MilestoneRow(
                code=f"M-{i + 1}",
                title=draw(TITLE),
                area_code="AFI-1",
                area_title="Area",
                priority_code=None,
                owner_key="o",
                owner_name="Owner",
                owner_role=None,
                owner_slack_id="U1",
                due=due,
                status=status,
                health=h,
                percent=100 if status is Status.COMPLETE else draw(st.integers(0, 99)),
                last_update_at=None,
                last_update_age_days=None,
                stale=False,
                reason=None,
                overdue_days=(today - due).days if h is Health.OVERDUE and due else 0,
            )
        )
    return today, out


def _calendar(today: date) -> BoardCalendar:
    return BoardCalendar(today=today, timezone="Europe/London", board_name="QIB", previous=None, next=None)


def _figures(n: int) -> Figures:
    return Figures(n, 0, {h: 0 for h in Health}, 0.0, 0.0, 0, 0, None)


def _block_text(reply: Reply) -> str:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(reply.blocks)
    return "\n".join(found)


def _from_text(reply: Reply, code: str) -> tuple[str, str]:
    m = re.search(
        rf"^{re.escape(code)} [A-Za-z ]+: (?P<status>[a-z ]+), \d+%, (?P<due>[^\n]+)$", reply.text, re.M
    )
    assert m, f"{code} is missing from the fallback text:\n{reply.text}"
    return m["status"], m["due"]


def _from_blocks(reply: Reply, code: str) -> tuple[str, str]:
    m = re.search(
        rf"\*{re.escape(code)}\* [A-Za-z ]+\n:[a-z_]+: (?P<status>[a-z ]+) · \d+% · (?P<due>[^·\n]+?)(?: · |\n|$)",
        _block_text(reply),
    )
    assert m, f"{code} is missing from the blocks"
    return m["status"], m["due"]


def _same_words(reply: Reply, shown: list[MilestoneRow]) -> None:
    for row in shown:
        assert _from_text(reply, row.code) == _from_blocks(reply, row.code)


@examples(150)
@given(rows())
def test_an_area_answer_says_the_same_status_and_due_in_text_and_blocks(case):
    today, ms = case
    area = AreaSummary("AFI-1", "Area", "The area.", None, _figures(len(ms)))
    _same_words(render.area_reply(AreaDetail(area, [], ms, _calendar(today))), ms)


@examples(150)
@given(rows())
def test_a_list_answer_says_the_same_status_and_due_in_text_and_blocks(case):
    today, ms = case
    _same_words(render.overdue_reply(MilestoneList("overdue", ms, _calendar(today))), ms)
    _same_words(render.list_reply("Due", "Nothing.", ms, today), ms)


@examples(150)
@given(rows())
def test_mine_and_the_reminder_say_the_same_status_and_due_in_text_and_blocks(case):
    today, ms = case
    person = PersonInfo(1, "o", "Owner", None, "U1", None, False, False, None, None)
    items = [OwnedMilestone(r, None) for r in ms]
    _same_words(render.mine_reply(PersonMilestones(person, [], items, _calendar(today))), ms)
    batch = ReminderBatch(person.ref, [ReminderItem(r, None) for r in ms], "QIB", today, today, today)
    reply = reminder_message(batch)
    for row in ms:  # the reminder's text lists codes only; it must not contradict the blocks
        status, due = _from_blocks(reply, row.code)
        assert status == row.health.value and ("overdue" in due) == (row.health is Health.OVERDUE)
        assert "overdue" not in reply.text


@examples(150)
@given(rows())
def test_one_milestone_says_the_same_status_and_due_in_text_and_fields(case):
    today, ms = case
    for row in ms:
        detail = MilestoneDetail(row, AreaRef("AFI-1", "Area", "x"), None, None, None, [], _calendar(today))
        reply = milestone.milestone_reply(detail)
        blocks = _block_text(reply)
        status, due = _from_text(reply, row.code)
        assert "*Status*\n:" in blocks and f" {status}, {row.percent}%" in blocks
        assert f"*Due*\n{due}" in blocks


def test_a_complete_milestone_is_not_called_overdue_in_the_fallback_text():
    """`/qib status AFI-5` on 12 Feb 2020: M-16 is complete; its text said "43 days overdue"."""
    today = date(2020, 2, 12)
    row = MilestoneRow(
        "M-16", "Title", "AFI-5", "Area", None, None, None, None, None, date(2019, 12, 31),
        Status.COMPLETE, Health.COMPLETE, 100, None, None, False, None, 0,
    )  # fmt: skip
    text = render.milestone_text(row, today)
    assert "overdue" not in text and text.endswith("complete, 100%, was due Tue 31 Dec 2019")
