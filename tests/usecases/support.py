"""What use-case and renderer tests share: the clock and Durham's people by their (fictional) Slack ids."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from bot.usecases.base import Asker
from qib_testing.people import CHAIR, IRO, IRO_2, PRACTICE_LEAD

NOW = datetime(2020, 2, 3, 9, 30, tzinfo=UTC)  # a Monday, between the January and February boards
TODAY = date(2020, 2, 3)
STRANGER = "U0NOBODY"  # in no plan

__all__ = ["CHAIR", "IRO", "IRO_2", "NOW", "PRACTICE_LEAD", "STRANGER", "TODAY", "Who", "asker_for"]

Who = Callable[..., Asker]


def asker_for(plan_id: int) -> Who:
    """`who(IRO)`: that person asking about the plan, at NOW unless told."""

    def make(user: str, *, now: datetime = NOW, admin_ids: frozenset[str] = frozenset()) -> Asker:
        return Asker(user_id=user, plan_id=plan_id, now=now, today=now.date(), admin_ids=admin_ids)

    return make
