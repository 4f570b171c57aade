"""Where are we, as calls: the plan, what typed words find, someone's own, overdue, due, stale, history."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.services.digest import Digest
from bot.services.errors import NotFound
from bot.usecases import status
from bot.usecases.results import Refused
from tests.services.test_digest_export import digest as a_digest
from tests.usecases.support import IRO, IRO_2, NOW, STRANGER, Who


def test_the_overview_counts_the_plan(sessions, who: Who) -> None:
    o = status.overview(sessions, who(IRO))
    assert o.totals.milestones == 22 and len(o.areas) > 1


@pytest.mark.parametrize(
    ("text", "kind", "code"),
    [
        ("foster carer reviews", status.AreaFound, "AFI-5"),
        ("reveiws fostr carer", status.AreaFound, "AFI-5"),
        ("m5", status.MilestoneFound, "M-05"),
        ("SP-2", status.PriorityFound, "SP-2"),
    ],
)
def test_typed_words_find_an_area_milestone_or_priority(
    sessions, who: Who, text: str, kind: type, code: str
) -> None:
    found = status.look_up(sessions, who(IRO), text)
    assert isinstance(found, kind)
    match found:
        case status.AreaFound(detail, _):
            assert detail.area.code == code
        case status.MilestoneFound(detail):
            assert detail.row.code == code
        case status.PriorityFound(report):
            assert [p.code for p in report.priorities] == [code]


def test_words_that_match_nothing_are_choices_to_explain(sessions, who: Who) -> None:
    found = status.look_up(sessions, who(IRO), "xylophone quantum")
    assert isinstance(found, status.Choices) and found.found.kind == "none"


def test_mine_for_the_owner_and_their_delegate_and_a_stranger_is_told(sessions, who: Who) -> None:
    own = status.mine(sessions, who(IRO))
    assert not isinstance(own, Refused) and {i.row.code for i in own.items} >= {"M-05"}
    covered = status.mine(sessions, who(IRO_2))
    assert not isinstance(covered, Refused) and [c.name for c in covered.covering_for] == ["Alex Morgan"]
    refused = status.mine(sessions, who(STRANGER))
    assert isinstance(refused, Refused) and "not in the plan's list of people" in refused.reason


def test_overdue_due_and_stale_follow_the_clock(sessions, who: Who) -> None:
    assert status.overdue(sessions, who(IRO)).rows == []
    later = who(IRO, now=datetime(2020, 4, 2, 9, 0, tzinfo=UTC))
    assert {"M-03", "M-06", "M-12"} <= {r.code for r in status.overdue(sessions, later).rows}
    within = status.due(sessions, who(IRO), 60)
    assert [r.code for r in within.rows] == ["M-03", "M-06", "M-12"] and within.basis == "days"
    assert status.due(sessions, who(IRO), None).basis == "next meeting"
    assert status.stale(sessions, who(IRO)).kind == "stale"


def test_priorities_and_history(sessions, who: Who) -> None:
    both = status.priorities(sessions, who(IRO), None)
    assert not isinstance(both, Refused) and len(both.priorities) == 2
    assert isinstance(status.priorities(sessions, who(IRO), "SP-9"), Refused)
    detail = status.history(sessions, who(IRO), "m16 please")
    assert not isinstance(detail, Refused) and detail.row.code == "M-16" and len(detail.history) == 2
    assert isinstance(status.history(sessions, who(IRO), "M-99"), Refused)


def test_the_summary_follows_the_paper_or_falls_back_without_a_board(sessions, who: Who) -> None:
    built: list[datetime] = []

    def paper(db: object, now: datetime) -> Digest:
        built.append(now)
        return a_digest()

    def no_board(db: object, now: datetime) -> Digest:
        raise NotFound("no board")

    with_paper = status.summary(sessions, who(IRO), paper)
    assert isinstance(with_paper, status.Paper) and built == [NOW]
    assert with_paper.calendar.next is not None and with_paper.calendar.next.on == date(2020, 2, 20)
    assert isinstance(status.summary(sessions, who(IRO), no_board), status.NoPaper)
