"""/qib digest as calls: who may preview, and what is shown when nothing was posted."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.services.digest import Digest
from bot.usecases import digest
from bot.usecases.results import Refused
from models import ScheduledPost
from tests.services.test_digest_export import digest as a_digest
from tests.usecases.support import CHAIR, IRO, NOW, STRANGER, Who


def test_the_chair_previews_the_digest_built_for_now(sessions, who: Who) -> None:
    asked: list[datetime] = []

    def build(db: object, now: datetime) -> Digest:
        asked.append(now)
        return a_digest()

    assert isinstance(digest.preview(sessions, who(CHAIR), build), Digest)
    assert asked == [NOW]


def test_others_may_not_preview_and_nothing_is_built(sessions, who: Who) -> None:
    def build(db: object, now: datetime) -> Digest:
        raise AssertionError("built for someone who may not see it")

    refused = digest.preview(sessions, who(IRO), build)
    assert refused == Refused(digest.ONLY_CHAIR)
    assert isinstance(digest.preview(sessions, who(STRANGER), build), Refused)


def test_show_with_nothing_posted_says_so(sessions, who: Who) -> None:
    assert digest.show(sessions, digest.ShowRequest(who(IRO))) == Refused(
        "No digest has been posted for any meeting yet."
    )
    missing = digest.show(sessions, digest.ShowRequest(who(IRO), date(2020, 2, 20)))
    assert isinstance(missing, Refused) and "Thu 20 Feb 2020" in missing.reason


def test_show_gives_the_posted_digest_in_the_plans_time_zone(sessions, durham: int, who: Who) -> None:
    posted = datetime(2020, 2, 14, 9, 5, tzinfo=UTC)
    content = {"digest": a_digest().model_dump(mode="json"), "message": {"text": "The digest", "blocks": []}}
    with sessions.begin() as db:
        db.add(ScheduledPost(plan_id=durham, meeting_on=date(2020, 2, 20), kind="digest", due_at=posted,
                             claimed_at=posted, claimed_by="w1", posted_at=posted, content=content))  # fmt: skip
    shown = digest.show(sessions, digest.ShowRequest(who(IRO)))
    assert isinstance(shown, digest.Posted)
    assert (shown.frozen.meeting_on, shown.timezone) == (date(2020, 2, 20), "Europe/London")
