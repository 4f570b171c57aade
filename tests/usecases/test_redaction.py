"""/qib redact as one call: the privacy officer or an admin redacts; anyone else is refused."""

from __future__ import annotations

from sqlalchemy import update

from bot.services.redaction import Redacted
from bot.services.redaction_refs import update_reference
from bot.usecases import redaction
from bot.usecases.results import Refused
from models import Person
from tests.services.test_updates import record
from tests.usecases.support import CHAIR, STRANGER, Who

SM_SAFEGUARDING = "U0QIB0005"


def _saved(sessions, durham: int) -> str:
    with sessions.begin() as db:
        result = record(db, durham, "M-07", "sm-safeguarding", note="Planning for Tyler Robson drifted",
                        confirm_not_personal=True, override_reason="checked")  # fmt: skip
    return update_reference(result.update_id)


def test_an_admin_redacts_an_update(sessions, durham: int, who: Who) -> None:
    ref = _saved(sessions, durham)
    done = redaction.redact(sessions, redaction.RedactRequest(who(CHAIR), ref, "child's name"))
    assert isinstance(done, Redacted)
    assert (done.reference, done.milestone_code) == (ref, "M-07")
    assert done.marker.startswith("[redacted 2020-02-03 by Sam Carter")


def test_the_privacy_officer_may_redact_too(sessions, durham: int, who: Who) -> None:
    ref = _saved(sessions, durham)
    with sessions.begin() as db:
        db.execute(update(Person).where(Person.key == "sm-safeguarding").values(is_privacy_officer=True))
    done = redaction.redact(sessions, redaction.RedactRequest(who(SM_SAFEGUARDING), ref, "child's name"))
    assert isinstance(done, Redacted)


def test_the_owner_who_wrote_it_is_refused_and_so_is_a_stranger(sessions, durham: int, who: Who) -> None:
    ref = _saved(sessions, durham)
    for user in (SM_SAFEGUARDING, STRANGER):
        refused = redaction.redact(sessions, redaction.RedactRequest(who(user), ref, "child's name"))
        assert isinstance(refused, Refused)


def test_twice_is_refused_and_an_unknown_reference_is_not_found(sessions, durham: int, who: Who) -> None:
    ref = _saved(sessions, durham)
    assert isinstance(redaction.redact(sessions, redaction.RedactRequest(who(CHAIR), ref, "name")), Redacted)
    again = redaction.redact(sessions, redaction.RedactRequest(who(CHAIR), ref, "name"))
    assert isinstance(again, Refused) and "redacted already" in again.reason
    unknown = redaction.redact(sessions, redaction.RedactRequest(who(CHAIR), "U-99999", "name"))
    assert isinstance(unknown, Refused)


def test_a_reason_with_a_hard_identifier_is_refused(sessions, durham: int, who: Who) -> None:
    ref = _saved(sessions, durham)
    refused = redaction.redact(
        sessions, redaction.RedactRequest(who(CHAIR), ref, "NHS 943 476 5919 was in it")
    )
    assert isinstance(refused, Refused)
