"""Before the first request: the kept answers of every plan served, the board paper included.

`qib run` calls it once the app is built and before it forks its workers (bot.workers), so that every
worker starts with them (and shares their pages). It is an optimisation only: a plan it cannot warm is
logged and served as before, building what it needs on its first requests.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.deps import Deps
from bot.logs import log_unexpected
from bot.services import queries, search
from bot.services.errors import NotFound
from bot.services.warm import keep_plan
from bot.settings import Settings
from bot.usecases import board_paper

log = logging.getLogger("qib.warm")


def warm_up(deps: Deps, settings: Settings, now: datetime) -> float:
    """Keep every served plan's common answers as of `now`; the seconds it took."""
    started = time.perf_counter()
    search.prepare()  # the stemmer too, before the fork, like the answers
    for plan_id in deps.plan_ids():
        try:
            _warm_plan(deps, settings, plan_id, now)
        except Exception as exc:  # the bot serves without them: say which plan and why
            log_unexpected(log, f"could not prepare the answers of plan {plan_id} at start-up", exc)
    return time.perf_counter() - started


def _warm_plan(deps: Deps, settings: Settings, plan_id: int, now: datetime) -> None:
    today = now.astimezone(ZoneInfo(deps.timezone_of(plan_id))).date()
    with deps.sessions() as db:
        keep_plan(db, plan_id, today, now)
        try:
            board_paper.preview_in(db, plan_id, settings, now)  # /qib summary and digest preview
        except NotFound:  # no board within the year: the summary is the chair's view of the plan
            queries.chair_summary(db=db, plan_id=plan_id, today=today, now=now)
