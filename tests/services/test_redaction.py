from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from bot.services.errors import InvalidInput, NotAllowed, NotFound
from bot.services.privacy import PersonalDataRefused
from bot.services.redaction import redact_update, scrub
from bot.services.redaction_refs import parse_reference, update_reference
from models import AuditEvent, Person, ProgressUpdate
from tests.services.test_updates import person_id, record

NOW = datetime(2020, 2, 13, 10, 0, tzinfo=UTC)
LONG = "Plan for Tyler Robson drifted after the change of social worker; " * 8


def test_references_are_short_stable_and_forgiving_to_type():
    assert update_reference(1234) == "U-1234"
    assert [parse_reference(t) for t in ("U-1234", "u1234", " U-0012 ", "M-07", "U-", "1234")] == [
        1234,
        1234,
        12,
        None,
        None,
        None,
    ]


def test_scrub_replaces_whole_escaped_folded_and_clipped_copies():
    original = "Tyler  Robson & his <sister>"
    data = {
        "raw": f"Note: {original}",
        "escaped": "Tyler  Robson &amp; his &lt;sister&gt;",
        "folded": "Blockers: Tyler Robson & his <sister> — x",
        "clipped": "Reason: Tyler  Robson & his <si…",
        "other": ["untouched", 3],
    }
    out = scrub(data, [original], "[R]")
    assert out == {
        "raw": "Note: [R]",
        "escaped": "[R]",
        "folded": "Blockers: [R] — x",
        "clipped": "Reason: [R]",
        "other": ["untouched", 3],
    }
    assert data["raw"] == f"Note: {original}"  # a copy: the input is not changed


def _redact(db, durham, reference, *, by="head-csc", reason="child's name"):
    return redact_update(
        db=db,
        plan_id=durham,
        reference=reference,
        reason=reason,
        actor_id=person_id(db, durham, by),
        requested_by=None,
        now=NOW,
    )


def _saved(sessions, durham) -> str:
    with sessions.begin() as db:
        result = record(
            db,
            durham,
            "M-07",
            "sm-safeguarding",
            note=LONG,
            blockers="Tyler Robson's mum",
            confirm_not_personal=True,
            override_reason="checked",
        )
    return update_reference(result.update_id)


def test_the_privacy_officer_can_redact_and_every_text_field_gets_the_marker(sessions, durham):
    ref = _saved(sessions, durham)
    with sessions.begin() as db:
        db.execute(update(Person).where(Person.key == "perf-manager").values(is_privacy_officer=True))
    with sessions.begin() as db:
        done = _redact(db, durham, ref, by="perf-manager")
    assert done.marker == "[redacted 2020-02-13 by Robin Marsh: child's name]"
    assert done.kinds == ["person_name"]
    with sessions() as db:
        row = db.get(ProgressUpdate, parse_reference(ref))
        assert row is not None
        assert (row.note, row.blockers, row.next_steps) == (done.marker, done.marker, None)
        audit = db.scalars(select(AuditEvent).where(AuditEvent.action == "redact")).one()
        assert "Tyler" not in str(audit.after)


def test_a_redaction_also_marks_the_decision_asked_of_the_board(sessions, durham):
    with sessions.begin() as db:
        result = record(
            db,
            durham,
            "M-07",
            "sm-safeguarding",
            note="Planning",
            decision="Agree extra support for Tyler Robson",
            confirm_not_personal=True,
            override_reason="checked",
        )
    ref = update_reference(result.update_id)
    with sessions.begin() as db:
        done = _redact(db, durham, ref)
    with sessions() as db:
        row = db.get(ProgressUpdate, parse_reference(ref))
        assert row is not None and row.decision == done.marker


def test_an_owner_who_is_not_admin_cannot_redact(sessions, durham):
    ref = _saved(sessions, durham)
    with sessions.begin() as db, pytest.raises(NotAllowed):
        _redact(db, durham, ref, by="sm-safeguarding")


def test_a_redaction_reason_may_not_carry_a_hard_identifier(sessions, durham):
    ref = _saved(sessions, durham)
    with sessions.begin() as db, pytest.raises(PersonalDataRefused):
        _redact(db, durham, ref, reason="NHS 943 476 5919 was in it")


def test_an_update_is_redacted_once_and_unknown_ones_are_not_found(sessions, durham):
    ref = _saved(sessions, durham)
    with sessions.begin() as db:
        _redact(db, durham, ref)
    with sessions.begin() as db, pytest.raises(InvalidInput, match="redacted already"):
        _redact(db, durham, ref)
    with sessions.begin() as db, pytest.raises(NotFound):
        _redact(db, durham, "U-999999")
