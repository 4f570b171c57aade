from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.services import updates
from bot.services.errors import InvalidInput, NoChange, NotAllowed, NotFound
from bot.services.privacy import PersonalDataRefused, PersonalDataSuspected
from bot.services.updates import UpdateResult, reassign_owner, record_update, set_delegate
from models import AuditEvent, Milestone, Person, ProgressUpdate
from models.vocab import Status, parse_status

NOW = datetime(2020, 2, 10, 10, 0, tzinfo=UTC)  # a Monday, after the seed's February position
VALID_NHS = "943 476 5919"  # the NHS's own example number; it passes the mod-11 check


def person_id(db: Session, plan: int, key: str) -> int:
    return db.scalars(select(Person.id).where(Person.plan_id == plan, Person.key == key)).one()


def milestone(db: Session, plan: int, code: str) -> Milestone:
    return db.scalars(select(Milestone).where(Milestone.plan_id == plan, Milestone.code == code)).one()


def slack_updates(db: Session, plan: int, code: str) -> list[ProgressUpdate]:
    m = milestone(db, plan, code)
    return list(
        db.scalars(
            select(ProgressUpdate)
            .where(ProgressUpdate.milestone_id == m.id, ProgressUpdate.source == "slack")
            .order_by(ProgressUpdate.id)
        )
    )


_counter = iter(range(1_000_000))


def _amber_or_red(status: str | None) -> bool:
    try:
        return status is not None and parse_status(status) in (Status.AT_RISK, Status.OFF_TRACK)
    except ValueError:
        return False


def record(
    db: Session,
    plan: int,
    code: str,
    author: str,
    *,
    key: str | None = None,
    now: datetime = NOW,
    **fields: Any,
) -> UpdateResult:
    values: dict[str, Any] = {
        "status": None,
        "percent": None,
        "note": None,
        "evidence_url": None,
        "next_steps": None,
        "blockers": None,
    }
    values.update(fields)
    if _amber_or_red(values["status"]) and "next_steps" not in fields:
        # At risk and off track need a reason and a recovery action; tests about other things give both.
        values["next_steps"] = "Recovery plan agreed with the service manager."
        values["note"] = values["note"] or "Capacity gap in the team."
    return record_update(
        db=db,
        plan_id=plan,
        milestone_code=code,
        author_id=person_id(db, plan, author),
        source="slack",
        idempotency_key=key or f"view-{next(_counter)}",
        now=now,
        **values,
    )


# ------------------------------------------------------------ recording


def test_owner_update_appends_to_history_and_moves_the_milestone(sessions, durham):
    with sessions.begin() as db:
        result = record(
            db,
            durham,
            "M-07",
            "sm-safeguarding",
            status="amber",
            percent=40,
            note="Working group met twice; procedure draft delayed by staff absence.",
            next_steps="Draft to the March board.",
            blockers="Two members off sick.",
            key="view-1",
        )
    assert result.summary == "M-07: on track -> at risk, 25% -> 40%"
    assert (result.before_status, result.before_percent) == ("on track", 25)
    assert (result.after_status, result.after_percent) == ("at risk", 40)
    assert (result.area_code, result.area_title) == ("AFI-1", "Management oversight")
    assert result.milestone_title.startswith("Working group aligns")
    assert result.duplicate is False and result.announce is False
    with sessions() as db:
        m = milestone(db, durham, "M-07")
        assert (m.status, m.percent, m.last_update_at) == ("at risk", 40, NOW)
        [row] = slack_updates(db, durham, "M-07")
        assert row.id == result.update_id
        assert (row.previous_status, row.previous_percent) == ("on track", 25)
        assert (row.status, row.percent, row.idempotency_key) == ("at risk", 40, "view-1")
        assert row.blockers == "Two members off sick."
        assert row.author is not None and row.author.key == "sm-safeguarding"
        [audit] = db.scalars(select(AuditEvent).where(AuditEvent.action == "update")).all()
        assert (audit.entity, audit.entity_code, audit.actor) == ("milestone", "M-07", "Riley Bennett")
        assert audit.before == {"status": "on track", "percent": 25}
        assert audit.after == {"status": "at risk", "percent": 40, "update_id": row.id}


def test_missing_status_and_percent_keep_the_previous_values(sessions, durham):
    with sessions.begin() as db:
        result = record(db, durham, "M-07", "sm-safeguarding", note="Met again; nothing new to report.")
    assert result.summary == "M-07: on track, 25% (no change)"
    with sessions.begin() as db:
        result = record(db, durham, "M-07", "sm-safeguarding", percent=30)
    assert result.summary == "M-07: on track, 25% -> 30%"
    with sessions() as db:
        m = milestone(db, durham, "M-07")
        assert (m.status, m.percent) == ("on track", 30)


def test_history_is_appended_never_overwritten(sessions, durham):
    with sessions() as db:
        seeded = [(u.id, u.status, u.percent, u.note) for u in milestone(db, durham, "M-12").updates]
    for percent in (60, 70):
        with sessions.begin() as db:
            record(db, durham, "M-12", "yps-manager", percent=percent, note=f"At {percent}%.")
    with sessions() as db:
        rows = milestone(db, durham, "M-12").updates
        assert [(u.id, u.status, u.percent, u.note) for u in rows[:2]] == seeded
        assert [(u.previous_percent, u.percent) for u in rows[2:]] == [(50, 60), (60, 70)]


@pytest.mark.parametrize(
    ("word", "stored"),
    [("green", "on track"), ("AMBER", "at risk"), ("red", "off track"), ("Not-Started", "not started")],
)
def test_friendly_status_words_are_understood(sessions, durham, word, stored):
    with sessions.begin() as db:
        assert (
            record(db, durham, "M-07", "sm-safeguarding", status=word, note="Checked.").after_status == stored
        )


def test_unknown_milestone_is_not_found(sessions, durham):
    with sessions.begin() as db, pytest.raises(NotFound, match="no milestone M-99"):
        record(db, durham, "M-99", "head-csc", percent=10)


def test_other_ways_of_writing_a_code_find_the_milestone(sessions, durham):
    with sessions.begin() as db:
        assert record(db, durham, "m7", "sm-safeguarding", percent=30).milestone_code == "M-07"


def test_text_is_trimmed_and_blank_text_is_stored_as_nothing(sessions, durham):
    with sessions.begin() as db:
        record(db, durham, "M-07", "sm-safeguarding", note="  Met.\x00  ", next_steps="   ", blockers="")
    with sessions() as db:
        [row] = slack_updates(db, durham, "M-07")
        assert (row.note, row.next_steps, row.blockers) == ("Met.", None, None)


def test_naive_now_is_a_programming_error(sessions, durham):
    with sessions.begin() as db, pytest.raises(ValueError, match="aware"):
        record(db, durham, "M-07", "sm-safeguarding", percent=30, now=datetime(2020, 2, 10, 10))


# ------------------------------------------------------------ who may update


def test_owner_cannot_update_someone_elses_milestone(sessions, durham):
    with sessions.begin() as db, pytest.raises(NotAllowed) as caught:
        record(db, durham, "M-07", "iro-ops", percent=90)
    assert caught.value.message == (
        "M-07 is owned by Riley Bennett (Strategic Manager for Safeguarding and Professional Practice); "
        "ask them or an admin to update it."
    )
    with sessions() as db:
        assert slack_updates(db, durham, "M-07") == []


def test_owners_delegate_may_update_their_milestone(sessions, durham):
    with sessions.begin() as db:
        result = record(db, durham, "M-16", "iro-ops-2", note="Reviews still all in timescale in February.")
    assert result.author_name == "Jordan Ellis" and result.owner_name == "Alex Morgan"


def test_delegates_cover_ends_after_its_until_date(sessions, durham):
    with sessions.begin() as db:
        owner = db.get(Person, person_id(db, durham, "iro-ops"))
        assert owner is not None
        owner.delegate_until = date(2020, 2, 10)
    with sessions.begin() as db:  # the last day of cover still counts
        record(db, durham, "M-16", "iro-ops-2", note="Checked on the last day of cover.")
    with sessions.begin() as db, pytest.raises(NotAllowed) as caught:
        record(db, durham, "M-16", "iro-ops-2", note="A day late.", now=NOW + timedelta(days=1))
    assert caught.value.message.startswith(
        "Your cover for Alex Morgan ended on Mon 10 Feb 2020. M-16 is owned by"
    )


def test_a_delegate_cannot_update_milestones_of_other_owners(sessions, durham):
    with sessions.begin() as db, pytest.raises(NotAllowed):
        record(db, durham, "M-07", "iro-ops-2", percent=30)


def test_admin_may_update_any_milestone(sessions, durham):
    with sessions.begin() as db:
        assert record(db, durham, "M-07", "head-csc", percent=35).author_name == "Sam Carter"


def test_admins_named_in_settings_may_update_any_milestone(sessions, durham):
    with sessions.begin() as db:
        perf = db.get(Person, person_id(db, durham, "perf-manager"))
        assert perf is not None
        perf.slack_user_id = "U0PERF"
    with sessions.begin() as db, pytest.raises(NotAllowed):
        record(db, durham, "M-07", "perf-manager", percent=35)
    with sessions.begin() as db:
        result = record_update(
            db=db,
            plan_id=durham,
            milestone_code="M-07",
            author_id=person_id(db, durham, "perf-manager"),
            status=None,
            percent=35,
            note=None,
            evidence_url=None,
            next_steps=None,
            blockers=None,
            source="slack",
            idempotency_key="view-settings-admin",
            now=NOW,
            extra_admin_slack_ids=frozenset({"U0PERF"}),
        )
    assert result.after_percent == 35


def test_someone_outside_the_plan_cannot_update(sessions, durham):
    with sessions.begin() as db, pytest.raises(NotAllowed, match="not one of this plan's people"):
        record_update(
            db=db,
            plan_id=durham,
            milestone_code="M-07",
            author_id=987654,
            status=None,
            percent=30,
            note=None,
            evidence_url=None,
            next_steps=None,
            blockers=None,
            source="slack",
            idempotency_key="view-stranger",
            now=NOW,
        )


# ------------------------------------------------------------ the rules


@pytest.mark.parametrize("percent", [-1, 101, 1000])
def test_percent_must_be_from_0_to_100(sessions, durham, percent):
    with sessions.begin() as db, pytest.raises(InvalidInput) as caught:
        record(db, durham, "M-07", "sm-safeguarding", percent=percent)
    assert caught.value.field == "percent"
    assert f"{percent}%" in caught.value.message


def test_an_unknown_status_word_is_refused_with_the_choices(sessions, durham):
    with sessions.begin() as db, pytest.raises(InvalidInput) as caught:
        record(db, durham, "M-07", "sm-safeguarding", status="purple")
    assert caught.value.field == "status"
    assert '"purple" is not a status' in caught.value.message and "at risk (amber)" in caught.value.message


def test_marking_complete_needs_a_note_on_impact_or_evidence(sessions, durham):
    with sessions.begin() as db, pytest.raises(InvalidInput) as caught:
        record(db, durham, "M-07", "sm-safeguarding", status="done")
    assert caught.value.field == "note"
    assert "impact" in caught.value.message and "evidence" in caught.value.message
    with sessions.begin() as db:
        result = record(
            db, durham, "M-07", "sm-safeguarding", status="done", evidence_url="https://intranet.example/proc"
        )
    assert (result.after_status, result.after_percent) == ("complete", 100)


def test_complete_means_one_hundred_percent(sessions, durham):
    with sessions.begin() as db, pytest.raises(InvalidInput) as caught:
        record(db, durham, "M-07", "sm-safeguarding", status="complete", percent=80, note="Nearly.")
    assert caught.value.field == "percent"
    with sessions.begin() as db, pytest.raises(InvalidInput) as caught:
        record(db, durham, "M-16", "iro-ops", percent=90)
    assert caught.value.field == "percent" and "reopen" in caught.value.message


def test_reopening_a_complete_milestone_needs_a_reason(sessions, durham):
    with sessions.begin() as db, pytest.raises(InvalidInput) as caught:
        record(db, durham, "M-16", "iro-ops", status="at risk", percent=80)
    assert caught.value.field == "reopen_reason"
    with sessions.begin() as db:
        result = record(
            db,
            durham,
            "M-16",
            "iro-ops",
            status="at risk",
            percent=80,
            reopen_reason="February audit found four reviews out of timescale.",
        )
    assert result.reopened and result.summary == "M-16: complete -> at risk, 100% -> 80%"
    with sessions() as db:
        audit = db.scalars(select(AuditEvent).where(AuditEvent.action == "update")).one()
        assert audit.after is not None
        assert audit.after["reopen_reason"] == "February audit found four reviews out of timescale."


def test_a_delegate_cannot_reopen_a_complete_milestone(sessions, durham):
    with sessions.begin() as db, pytest.raises(NotAllowed) as caught:
        record(db, durham, "M-16", "iro-ops-2", status="on track", reopen_reason="Audit found a late review.")
    assert "only its owner, Alex Morgan (IRO Operations Manager), or an admin" in caught.value.message


@pytest.mark.parametrize(
    "url",
    [
        "ftp://files.example/x",
        "javascript:alert(1)",
        "www.example.org/report",
        "https://",
        "http://exa mple.org",
    ],
)
def test_evidence_link_must_be_a_web_address(sessions, durham, url):
    with sessions.begin() as db, pytest.raises(InvalidInput) as caught:
        record(db, durham, "M-07", "sm-safeguarding", evidence_url=url)
    assert caught.value.field == "evidence_url"


@pytest.mark.parametrize("field", ["note", "next_steps", "blockers"])
def test_text_longer_than_slack_takes_is_refused_kindly(sessions, durham, field):
    longest: dict[str, Any] = {field: "x" * 3000}
    too_long: dict[str, Any] = {field: "x" * 3001}
    with sessions.begin() as db:
        record(db, durham, "M-07", "sm-safeguarding", **longest)
    with sessions.begin() as db, pytest.raises(InvalidInput) as caught:
        record(db, durham, "M-07", "sm-safeguarding", **too_long)
    assert caught.value.field == field
    assert "3,001 characters" in caught.value.message and "3,000" in caught.value.message


# ------------------------------------------------------------ announcing


def test_moving_to_off_track_is_announced(sessions, durham):
    with sessions.begin() as db:
        first = record(db, durham, "M-07", "sm-safeguarding", status="red", note="Group disbanded.")
        again = record(db, durham, "M-07", "sm-safeguarding", note="Still off track.")
        routine = record(db, durham, "M-06", "sm-safeguarding", percent=45)
    assert first.announce and not again.announce and not routine.announce


def test_an_update_to_an_overdue_milestone_is_always_announced(sessions, durham):
    late = datetime(2020, 5, 1, 9, 0, tzinfo=UTC)  # M-07 was due on 30 April 2020
    with sessions.begin() as db:
        result = record(db, durham, "M-07", "sm-safeguarding", percent=90, now=late)
    assert result.announce and result.health.value == "overdue"


# ------------------------------------------------------------ exactly once


def test_replayed_submission_records_one_update(sessions, durham):
    with sessions.begin() as db:
        first = record(db, durham, "M-07", "sm-safeguarding", status="amber", percent=40, key="view-X")
    with sessions.begin() as db:
        again = record(db, durham, "M-07", "sm-safeguarding", status="amber", percent=40, key="view-X")
    assert not first.duplicate and again.duplicate
    assert again.update_id == first.update_id and again.summary == first.summary
    with sessions() as db:
        assert len(slack_updates(db, durham, "M-07")) == 1
        assert (
            db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "update")) == 1
        )
        assert milestone(db, durham, "M-07").percent == 40


def test_losing_the_insert_race_returns_the_update_that_won(sessions, durham, monkeypatch):
    with sessions.begin() as db:
        first = record(db, durham, "M-07", "sm-safeguarding", percent=40, key="view-race")
    # Pretend both up-front checks missed the other request's row: the unique constraint decides.
    monkeypatch.setattr(updates, "_already_recorded", lambda db, plan_id, key, digest: (None, True))
    monkeypatch.setattr(updates, "_refuse_no_change", lambda *args, **kwargs: None)
    with sessions.begin() as db:
        again = record(db, durham, "M-07", "sm-safeguarding", percent=40, key="view-race")
        assert again.duplicate and again.update_id == first.update_id
        # Giving way to the unique key (ON CONFLICT DO NOTHING) kept the transaction usable.
        later = record(db, durham, "M-07", "sm-safeguarding", percent=60, key="view-after-race")
    with sessions() as db:
        rows = slack_updates(db, durham, "M-07")
        assert [(u.idempotency_key, u.percent) for u in rows] == [("view-race", 40), ("view-after-race", 60)]
        assert rows[-1].id == later.update_id and rows[-1].previous_percent == 40


def test_a_key_reused_by_someone_else_for_another_milestone_is_a_new_update(sessions, durham):
    with sessions.begin() as db:
        first = record(db, durham, "M-05", "iro-ops", status="on track", percent=40, key="command:1")
    with sessions.begin() as db:
        other = record(db, durham, "M-07", "sm-safeguarding", status="amber", percent=30, key="command:1")
    assert not first.duplicate and not other.duplicate
    assert other.update_id != first.update_id
    assert (other.milestone_code, other.after_status, other.after_percent) == ("M-07", "at risk", 30)
    assert other.author_name == "Riley Bennett"
    with sessions() as db:
        assert [u.percent for u in slack_updates(db, durham, "M-05")] == [40]
        assert [u.percent for u in slack_updates(db, durham, "M-07")] == [30]
        assert milestone(db, durham, "M-07").percent == 30


def test_a_key_reused_by_another_person_for_the_same_milestone_is_a_new_update(sessions, durham):
    with sessions.begin() as db:
        first = record(db, durham, "M-07", "sm-safeguarding", percent=40, note="Met twice.", key="view:V1")
    # The head of service is an admin, allowed to update M-07 too. The very same content is not taken for
    # a replay of Riley's update (which would answer with it): it is refused as no change.
    with pytest.raises(NoChange), sessions.begin() as db:
        record(db, durham, "M-07", "head-csc", percent=40, note="Met twice.", key="view:V1")
    with sessions.begin() as db:
        other = record(
            db, durham, "M-07", "head-csc", percent=40, note="Met twice; I chaired.", key="view:V1"
        )
    assert not other.duplicate and other.update_id != first.update_id
    assert other.author_name != first.author_name
    with sessions() as db:
        rows = slack_updates(db, durham, "M-07")
        assert [u.author.key for u in rows if u.author] == ["sm-safeguarding", "head-csc"]
        assert len({u.idempotency_key for u in rows}) == 2


def test_a_key_reused_with_different_content_is_a_new_update(sessions, durham):
    with sessions.begin() as db:
        first = record(db, durham, "M-07", "sm-safeguarding", percent=40, key="view:V2")
    with sessions.begin() as db:
        changed = record(db, durham, "M-07", "sm-safeguarding", percent=50, key="view:V2")
        noted = record(
            db, durham, "M-07", "sm-safeguarding", percent=50, note="Now with a note.", key="view:V2"
        )
    assert not changed.duplicate and not noted.duplicate
    assert len({first.update_id, changed.update_id, noted.update_id}) == 3
    with sessions() as db:
        assert [(u.percent, u.note) for u in slack_updates(db, durham, "M-07")] == [
            (40, None),
            (50, None),
            (50, "Now with a note."),
        ]


def test_a_replay_of_a_request_stored_under_a_reused_key_is_still_saved_once(sessions, durham):
    with sessions.begin() as db:
        record(db, durham, "M-05", "iro-ops", percent=40, key="command:7")
        second = record(db, durham, "M-07", "sm-safeguarding", percent=30, key="command:7")
    with sessions.begin() as db:
        replay = record(db, durham, "M-07", "sm-safeguarding", percent=30, key="command:7")
    assert replay.duplicate and replay.update_id == second.update_id
    with sessions() as db:
        assert len(slack_updates(db, durham, "M-07")) == 1


def test_a_replay_is_recognised_whatever_whitespace_it_carries(sessions, durham):
    with sessions.begin() as db:
        first = record(db, durham, "M-07", "sm-safeguarding", note="Met twice.", key="view:V3")
        again = record(db, durham, "M-07", "sm-safeguarding", note="  Met twice.\n", key="view:V3")
    assert again.duplicate and again.update_id == first.update_id


def test_an_imported_update_with_the_same_key_is_not_taken_for_a_replay(sessions, durham):
    with sessions() as db:
        imported = db.scalar(select(ProgressUpdate).where(ProgressUpdate.idempotency_key == "import-M-01-1"))
        assert imported is not None and imported.request_digest is None
    with sessions.begin() as db:
        result = record(db, durham, "M-01", "sm-safeguarding", note="Still embedded.", key="import-M-01-1")
    assert not result.duplicate and result.note == "Still embedded."


def test_losing_the_insert_race_to_a_different_request_with_the_same_key_keeps_both(
    sessions, durham, monkeypatch
):
    with sessions.begin() as db:
        first = record(db, durham, "M-05", "iro-ops", percent=40, key="view-shared")
    # Both up-front checks missed the other request's row: the unique constraint refuses our key.
    monkeypatch.setattr(updates, "_already_recorded", lambda db, plan_id, key, digest: (None, True))
    with sessions.begin() as db:
        other = record(db, durham, "M-07", "sm-safeguarding", percent=30, key="view-shared")
    assert not other.duplicate and other.update_id != first.update_id
    with sessions() as db:
        [row] = slack_updates(db, durham, "M-07")
        assert row.idempotency_key.startswith("view-shared#") and row.percent == 30


def run_threads(count: int, target: Any) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            target(n)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    return errors


def test_two_submissions_of_one_key_at_once_record_one_update(sessions: sessionmaker[Session], durham):
    with sessions() as db:
        author = person_id(db, durham, "sm-safeguarding")
    results: list[UpdateResult] = []

    def submit(n: int) -> None:
        with sessions.begin() as db:
            results.append(
                record_update(
                    db=db,
                    plan_id=durham,
                    milestone_code="M-07",
                    author_id=author,
                    status="amber",
                    percent=40,
                    note="Same submission, delivered again.",
                    evidence_url=None,
                    next_steps="Recovery plan agreed.",
                    blockers=None,
                    source="slack",
                    idempotency_key="view-same",
                    now=NOW,
                )
            )

    assert run_threads(8, submit) == []
    assert len(results) == 8
    assert len({r.update_id for r in results}) == 1
    assert sum(not r.duplicate for r in results) == 1
    with sessions() as db:
        assert len(slack_updates(db, durham, "M-07")) == 1


def test_concurrent_updates_of_one_milestone_are_all_kept_in_order(sessions: sessionmaker[Session], durham):
    with sessions() as db:
        author = person_id(db, durham, "sm-safeguarding")
    statuses = ["on track", "at risk", "off track", "not started"]

    def submit(n: int) -> None:
        for j in range(5):
            with sessions.begin() as db:
                record_update(
                    db=db,
                    plan_id=durham,
                    milestone_code="M-07",
                    author_id=author,
                    status=statuses[(n + j) % 4],
                    percent=n * 10 + j,
                    note=f"thread {n} update {j}",
                    evidence_url=None,
                    next_steps="Recovery plan agreed.",
                    blockers=None,
                    source="slack",
                    idempotency_key=f"thread-{n}-{j}",
                    now=NOW + timedelta(seconds=j),
                )

    assert run_threads(8, submit) == []
    with sessions() as db:
        rows = slack_updates(db, durham, "M-07")
        assert len(rows) == 40
        assert len({r.idempotency_key for r in rows}) == 40
        assert (rows[0].previous_status, rows[0].previous_percent) == ("on track", 25)
        for before, after in zip(rows, rows[1:], strict=False):
            assert (after.previous_status, after.previous_percent) == (before.status, before.percent)
        m = milestone(db, durham, "M-07")
        assert (m.status, m.percent) == (rows[-1].status, rows[-1].percent)
        assert (
            db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "update")) == 40
        )


# ------------------------------------------------------------ personal data


def test_a_decision_needed_from_the_board_is_kept_with_the_update(sessions, durham):
    with sessions.begin() as db:
        record(db, durham, "M-07", "sm-safeguarding", status="at risk", decision="  Accept 31 July  ")
    with sessions() as db:
        [saved] = slack_updates(db, durham, "M-07")
        assert saved.decision == "Accept 31 July"


def test_an_nhs_number_in_a_decision_is_caught_on_that_field(sessions, durham):
    with sessions.begin() as db, pytest.raises(PersonalDataRefused) as caught:
        record(db, durham, "M-07", "sm-safeguarding", decision=f"Agree a placement for {VALID_NHS}")
    assert caught.value.field == "decision"
    with sessions() as db:
        assert slack_updates(db, durham, "M-07") == []


def test_nhs_number_in_a_note_is_caught(sessions, durham):
    with sessions.begin() as db, pytest.raises(PersonalDataRefused) as caught:
        record(db, durham, "M-07", "sm-safeguarding", note=f"Discussed child {VALID_NHS} at the group.")
    assert caught.value.field == "note"
    assert caught.value.message.startswith(
        "The note holds an NHS number, which must never be in Slack. Remove it and save again: this "
        "cannot be overridden"
    )
    assert VALID_NHS not in caught.value.message
    with sessions() as db:
        assert slack_updates(db, durham, "M-07") == []


def test_personal_data_in_several_fields_is_named_field_by_field(sessions, durham):
    with sessions.begin() as db, pytest.raises(PersonalDataRefused) as caught:
        record(
            db,
            durham,
            "M-07",
            "sm-safeguarding",
            note="Visit to DH1 5UQ",
            blockers="Waiting on case no 1234567",
        )
    assert caught.value.message.startswith("The note holds a postcode; the blockers hold a case number")
    assert caught.value.fields == ["note", "blockers"]


@pytest.mark.parametrize(
    "note",
    [
        f"NHS {VALID_NHS} and DOB 14/03/2012 for Jayden",
        "…case 1234567 in Liquidlogic",
        "Mum's mobile is 07700 900123",
    ],
)
def test_ticking_the_box_never_saves_a_hard_identifier(sessions, durham, note):
    with sessions.begin() as db, pytest.raises(PersonalDataRefused):
        record(
            db,
            durham,
            "M-07",
            "sm-safeguarding",
            note=note,
            confirm_not_personal=True,
            override_reason="It is not about a child",
        )
    with sessions() as db:
        assert slack_updates(db, durham, "M-07") == []
        assert db.scalars(select(AuditEvent).where(AuditEvent.action == "personal_data_override")).all() == []


@pytest.mark.parametrize(
    ("note", "kinds"),
    [
        ("…escalated drift on Jayden Smith's plan…", ["person_name"]),
        ("…7 year old girl in Seaham whose mum is Kerry Smith", ["child_age", "person_name"]),
        ("Jayden (aged 7) plan escalated by IRO", ["name_with_age"]),
    ],
)
def test_a_soft_identifier_needs_the_box_ticked(sessions, durham, note, kinds):
    with sessions.begin() as db, pytest.raises(PersonalDataSuspected) as caught:
        record(db, durham, "M-07", "sm-safeguarding", note=note)
    assert not isinstance(caught.value, PersonalDataRefused)
    assert caught.value.kinds == kinds
    assert "privacy officer" in caught.value.message


def test_a_ticked_box_without_a_reason_is_not_enough(sessions, durham):
    with sessions.begin() as db, pytest.raises(InvalidInput) as caught:
        record(
            db,
            durham,
            "M-07",
            "sm-safeguarding",
            note="Plan for Tyler Robson drifted.",
            confirm_not_personal=True,
        )
    assert caught.value.field == "override_reason"
    with sessions() as db:
        assert slack_updates(db, durham, "M-07") == []


def test_a_reason_carrying_a_hard_identifier_is_refused(sessions, durham):
    with sessions.begin() as db, pytest.raises(PersonalDataRefused) as caught:
        record(
            db,
            durham,
            "M-07",
            "sm-safeguarding",
            note="Plan for Tyler Robson drifted.",
            confirm_not_personal=True,
            override_reason="He is case 2048811, not a child",
        )
    assert caught.value.field == "override_reason"


def test_confirmed_soft_identifier_is_saved_and_the_override_audited_without_the_text(sessions, durham):
    note = "Kerry Smith from commissioning joined the panel."
    with sessions.begin() as db:
        result = record(
            db,
            durham,
            "M-07",
            "sm-safeguarding",
            percent=30,
            note=note,
            confirm_not_personal=True,
            override_reason="a commissioning officer, not a child",
        )
    assert result.override_kinds == ("person_name",)
    with sessions() as db:
        [row] = slack_updates(db, durham, "M-07")
        assert row.note == note
        override = db.scalars(select(AuditEvent).where(AuditEvent.action == "personal_data_override")).one()
        assert override.after == {
            "update_id": result.update_id,
            "fields": ["note"],
            "kinds": ["person_name"],
            "reason": "a commissioning officer, not a child",
        }
        assert override.entity_code == "M-07" and override.actor == "Riley Bennett"
        every_audit = json.dumps([[a.before, a.after] for a in db.scalars(select(AuditEvent))])
        assert "Kerry" not in every_audit


def test_staff_of_the_plan_are_not_personal_data(sessions, durham):
    with sessions.begin() as db:
        result = record(
            db,
            durham,
            "M-07",
            "sm-safeguarding",
            note="Alex Morgan's team and Jordan Ellis met riley.bennett@example.gov.uk at Seaham.",
        )
    assert result.override_kinds == ()


def test_a_clean_update_writes_no_override(sessions, durham):
    with sessions.begin() as db:
        record(db, durham, "M-07", "sm-safeguarding", note="Workshops held; phase two booked for March.")
    with sessions() as db:
        assert db.scalars(select(AuditEvent).where(AuditEvent.action == "personal_data_override")).all() == []


# ------------------------------------------------------------ owners and delegates


def test_admin_reassigns_an_owner_and_it_is_audited(sessions, durham):
    with sessions.begin() as db:
        change = reassign_owner(
            db=db,
            plan_id=durham,
            milestone_code="M-07",
            new_owner_id=person_id(db, durham, "practice-lead"),
            actor_id=person_id(db, durham, "head-csc"),
            now=NOW,
        )
    assert change.changed
    assert (
        change.before_owner == "Riley Bennett (Strategic Manager for Safeguarding and Professional Practice)"
    )
    assert change.after_owner == "Drew Lawson (Practice Lead, ASYE academy)"
    with sessions() as db:
        audit = db.scalars(select(AuditEvent).where(AuditEvent.action == "reassign_owner")).one()
        assert (audit.before, audit.after) == ({"owner": "sm-safeguarding"}, {"owner": "practice-lead"})
        assert audit.actor == "Sam Carter"
    with sessions.begin() as db:
        record(db, durham, "M-07", "practice-lead", percent=30)
    with sessions.begin() as db, pytest.raises(NotAllowed, match="owned by Drew Lawson"):
        record(db, durham, "M-07", "sm-safeguarding", percent=35)


def test_only_an_admin_can_reassign_an_owner(sessions, durham):
    with sessions.begin() as db, pytest.raises(NotAllowed, match="Only a plan admin"):
        reassign_owner(
            db=db,
            plan_id=durham,
            milestone_code="M-07",
            new_owner_id=person_id(db, durham, "practice-lead"),
            actor_id=person_id(db, durham, "sm-safeguarding"),
            now=NOW,
        )


def test_reassigning_to_the_same_owner_changes_nothing(sessions, durham):
    with sessions.begin() as db:
        change = reassign_owner(
            db=db,
            plan_id=durham,
            milestone_code="M-07",
            new_owner_id=person_id(db, durham, "sm-safeguarding"),
            actor_id=person_id(db, durham, "head-csc"),
            now=NOW,
        )
    assert not change.changed
    with sessions() as db:
        assert db.scalars(select(AuditEvent).where(AuditEvent.action == "reassign_owner")).all() == []


def test_admin_sets_a_delegate_until_a_date(sessions, durham):
    with sessions.begin() as db:
        change = set_delegate(
            db=db,
            plan_id=durham,
            person_id=person_id(db, durham, "sm-safeguarding"),
            delegate_id=person_id(db, durham, "sm-families"),
            until=date(2020, 2, 28),
            actor_id=person_id(db, durham, "head-csc"),
            now=NOW,
        )
    assert (
        change.changed and change.after_delegate == "Jesse Harper (Strategic Manager Children and Families)"
    )
    with sessions() as db:
        audit = db.scalars(select(AuditEvent).where(AuditEvent.action == "set_delegate")).one()
        assert audit.entity_code == "sm-safeguarding"
        assert audit.before == {"delegate": None, "until": None}
        assert audit.after == {"delegate": "sm-families", "until": "2020-02-28"}
    with sessions.begin() as db:
        record(db, durham, "M-07", "sm-families", percent=30)
    with sessions.begin() as db, pytest.raises(NotAllowed):
        record(db, durham, "M-07", "sm-families", percent=35, now=datetime(2020, 3, 2, 9, tzinfo=UTC))


def test_clearing_a_delegate_ends_the_cover(sessions, durham):
    with sessions.begin() as db:
        change = set_delegate(
            db=db,
            plan_id=durham,
            person_id=person_id(db, durham, "iro-ops"),
            delegate_id=None,
            until=date(2030, 1, 1),
            actor_id=person_id(db, durham, "head-csc"),
            now=NOW,
        )
    assert change.before_delegate is not None and change.after_delegate is None and change.after_until is None
    with sessions.begin() as db, pytest.raises(NotAllowed):
        record(db, durham, "M-16", "iro-ops-2", note="No longer covering.")


def test_only_an_admin_can_set_a_delegate(sessions, durham):
    with sessions.begin() as db, pytest.raises(NotAllowed, match="Only a plan admin"):
        set_delegate(
            db=db,
            plan_id=durham,
            person_id=person_id(db, durham, "iro-ops"),
            delegate_id=person_id(db, durham, "sm-resources"),
            until=None,
            actor_id=person_id(db, durham, "iro-ops"),
            now=NOW,
        )


def test_a_person_cannot_cover_for_themselves_or_for_the_past(sessions, durham):
    with sessions.begin() as db:
        iro = person_id(db, durham, "iro-ops")
        admin = person_id(db, durham, "head-csc")
        with pytest.raises(InvalidInput) as caught:
            set_delegate(
                db=db, plan_id=durham, person_id=iro, delegate_id=iro, until=None, actor_id=admin, now=NOW
            )
        assert caught.value.field == "delegate"
        with pytest.raises(InvalidInput) as caught:
            set_delegate(
                db=db,
                plan_id=durham,
                person_id=iro,
                delegate_id=person_id(db, durham, "sm-resources"),
                until=date(2020, 2, 9),
                actor_id=admin,
                now=NOW,
            )
        assert caught.value.field == "until" and "(Sun 9 Feb 2020)" in caught.value.message
