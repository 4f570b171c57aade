"""The update use cases called directly: one Slack-free call per interaction, each outcome typed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.services.corrections import Corrected, Withdrawn
from bot.usecases.results import NeedsForm, Refused
from bot.usecases.updates import (
    Asker,
    DueAsked,
    PersonalData,
    Saved,
    Unavailable,
    Unchanged,
    Unconfirmed,
    UpdateInput,
    correct,
    editable,
    may_update,
    quick_update,
    start_correction,
    submit_form,
    withdraw,
)
from models import Milestone, ProgressUpdate
from tests.usecases.support import CHAIR, IRO, PRACTICE_LEAD, STRANGER

NOW = datetime(2020, 2, 10, 10, 0, tzinfo=UTC)


def caller(plan: int, user: str = IRO, now: datetime = NOW) -> Asker:
    return Asker(user_id=user, plan_id=plan, now=now, today=now.date())


def status_of(sessions, code: str) -> tuple[str, int, date | None, date | None]:
    with sessions() as db:
        m = db.scalars(select(Milestone).where(Milestone.code == code)).one()
        return m.status, m.percent, m.due, m.due_requested


def test_a_full_quick_line_with_a_typed_code_is_saved(sessions, durham):
    out = quick_update(sessions, caller(durham), "M-05 on track 20% Checklist agreed", "k1")
    assert isinstance(out, Saved) and out.update is not None
    assert out.update.summary == "M-05: not started -> on track, 0% -> 20%"
    again = quick_update(sessions, caller(durham), "M-05 on track 20% Checklist agreed", "k1")
    assert isinstance(again, Saved) and again.update is not None and again.update.duplicate


def test_a_quick_line_the_rules_refuse_continues_in_the_prefilled_form(sessions, durham):
    out = quick_update(sessions, caller(durham), "M-05 off track 10%", "k2")
    assert isinstance(out, NeedsForm) and out.code == "M-05"
    assert out.typed["status"] == "off track" and out.notice.startswith("Nothing was saved yet:")


def test_words_instead_of_a_code_ask_to_confirm_the_milestone_in_the_form(sessions, durham):
    out = quick_update(sessions, caller(durham), "management oversight on track 20%", "k3")
    assert isinstance(out, NeedsForm)


def test_someone_elses_milestone_is_refused_not_sent_to_the_form(sessions, durham):
    out = quick_update(sessions, caller(durham, PRACTICE_LEAD), "M-05 on track 20% Done", "k4")
    assert isinstance(out, Refused) and out.field is None and "owned by" in out.reason
    out = quick_update(sessions, caller(durham, STRANGER), "M-05 on track 20% Done", "k5")
    assert isinstance(out, Refused) and "not in the plan's list of people" in out.reason


def test_a_due_date_with_other_fields_saves_the_update_and_asks_for_the_date(sessions, durham):
    out = quick_update(
        sessions, caller(durham), "M-05 on track 30% due 30 Apr because the trainer moved the course", "k6"
    )
    assert isinstance(out, DueAsked)
    assert out.update is not None and out.update.after_percent == 30
    assert out.request.proposed == date(2020, 4, 30)
    status, percent, _due, requested = status_of(sessions, "M-05")
    assert (status, percent, requested) == ("on track", 30, date(2020, 4, 30))


def test_the_form_maps_each_refusal_to_its_field(sessions, durham):
    no_reason = submit_form(
        sessions, caller(durham), UpdateInput(code="M-05", status="at risk", percent=5), "v1"
    )
    assert isinstance(no_reason, Refused) and set(no_reason.also) == {"blockers", "next_steps"}
    nhs = submit_form(
        sessions, caller(durham), UpdateInput(code="M-05", status="on track", note="NHS 943 476 5919"), "v2"
    )
    assert isinstance(nhs, PersonalData) and not nhs.overridable and "note" in nhs.also
    submit_form(
        sessions, caller(durham), UpdateInput(code="M-05", status="on track", percent=10, note="A"), "v3"
    )
    same = submit_form(
        sessions, caller(durham), UpdateInput(code="M-05", status="on track", percent=10, note="A"), "v4"
    )
    assert isinstance(same, Unchanged) and same.field == "note"


def test_a_form_that_only_asks_for_a_date_saves_no_empty_update(sessions, durham):
    submit_form(
        sessions, caller(durham), UpdateInput(code="M-05", status="on track", percent=10, note="A"), "v5"
    )
    out = submit_form(
        sessions,
        caller(durham),
        UpdateInput(
            code="M-05", status="on track", percent=10, note="A", due=date(2020, 5, 1), due_reason="Trainer"
        ),
        "v6",
    )
    assert isinstance(out, Saved) and out.update is None and out.due is not None


def test_a_failure_at_commit_is_unconfirmed_and_before_it_unavailable(sessions, durham, monkeypatch):
    import bot.usecases.updates as usecase

    def broken(**_kw):
        raise OperationalError("SELECT", {}, Exception("gone"))

    monkeypatch.setattr(usecase, "record_update", broken)
    out = submit_form(sessions, caller(durham), UpdateInput(code="M-05", status="on track", percent=9), "v7")
    assert isinstance(out, Unavailable)

    class CommitFails:
        """A session factory whose transaction fails at COMMIT, after the work was done."""

        def __call__(self):
            return sessions()

        def begin(self):
            real = sessions.begin()

            class Ctx:
                def __enter__(self):
                    return real.__enter__()

                def __exit__(self, *exc):
                    real.__exit__(None, None, None)
                    if exc[0] is None:
                        raise OperationalError("COMMIT", {}, Exception("gone"))
                    return False

            return Ctx()

    monkeypatch.undo()
    out = submit_form(
        CommitFails(), caller(durham), UpdateInput(code="M-05", status="on track", percent=9), "v8"
    )
    assert isinstance(out, Unconfirmed) and "/qib history M-05" in out.message


def test_may_update_is_the_one_rule(sessions, durham):
    assert may_update(sessions, caller(durham, IRO), "M-05")
    assert not may_update(sessions, caller(durham, PRACTICE_LEAD), "M-05")
    assert may_update(sessions, caller(durham, CHAIR), "M-05")  # the chair is an admin in the seed
    assert not may_update(sessions, caller(durham, STRANGER), "M-05")


def _saved_id(sessions, durham) -> int:
    out = submit_form(
        sessions,
        caller(durham),
        UpdateInput(code="M-05", status="on track", percent=20, note="Old text"),
        "c0",
    )
    assert isinstance(out, Saved) and out.update is not None
    return out.update.update_id


def test_a_correction_replaces_the_update_and_keeps_its_time(sessions, durham):
    old = _saved_id(sessions, durham)
    form = start_correction(sessions, caller(durham), f"U-{old}")
    assert not isinstance(form, Refused) and form.typed["note"] == "Old text"
    later = caller(durham, now=NOW + timedelta(days=2))
    assert editable(sessions, later, "M-05") == frozenset({old})
    assert editable(sessions, caller(durham, PRACTICE_LEAD), "M-05") == frozenset()
    done = correct(
        sessions, later, f"U-{old}", UpdateInput(code="M-05", status="on track", percent=25, note="New"), "c1"
    )
    assert isinstance(done, Corrected) and done.reference == f"U-{old}"
    with sessions() as db:
        rows = db.scalars(
            select(ProgressUpdate).where(ProgressUpdate.shown()).order_by(ProgressUpdate.id)
        ).all()
        slack_rows = [r for r in rows if r.source == "slack"]
        assert [(r.note, r.at, r.corrects_id) for r in slack_rows] == [("New", NOW, old)]
    assert status_of(sessions, "M-05")[:2] == ("on track", 25)
    replay = correct(
        sessions, later, f"U-{old}", UpdateInput(code="M-05", status="on track", percent=25, note="New"), "c1"
    )
    assert isinstance(replay, Corrected) and replay.duplicate


def test_a_correction_is_checked_like_an_update(sessions, durham):
    old = _saved_id(sessions, durham)
    red = correct(
        sessions, caller(durham), f"U-{old}", UpdateInput(code="M-05", status="off track", percent=20), "c2"
    )
    assert isinstance(red, Refused) and "next_steps" in red.also
    same = correct(
        sessions,
        caller(durham),
        f"U-{old}",
        UpdateInput(code="M-05", status="on track", percent=20, note="Old text"),
        "c3",
    )
    assert isinstance(same, Refused) and "No change" in same.reason


def test_only_the_author_or_an_admin_within_7_days(sessions, durham):
    old = _saved_id(sessions, durham)
    other = withdraw(sessions, caller(durham, PRACTICE_LEAD), f"U-{old}")
    assert isinstance(other, Refused) and "Only the author" in other.reason
    late = withdraw(sessions, caller(durham, now=NOW + timedelta(days=7, minutes=1)), f"U-{old}")
    assert isinstance(late, Refused) and "7 days" in late.reason
    bad = withdraw(sessions, caller(durham), "M-05")
    assert isinstance(bad, Refused) and "not an update reference" in bad.reason
    by_admin = withdraw(sessions, caller(durham, CHAIR), f"U-{old}")
    assert isinstance(by_admin, Withdrawn)
    assert status_of(sessions, "M-05")[:2] == ("not started", 0)
    again = withdraw(sessions, caller(durham), f"U-{old}")
    assert isinstance(again, Refused) and "already corrected or withdrawn" in again.reason
