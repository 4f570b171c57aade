"""Screening messages: hard identifiers stop a message and are audited without its text."""

from __future__ import annotations

from sqlalchemy import select

from bot.usecases import screening
from models import AuditEvent
from tests.usecases.support import IRO, Who

NHS_AND_DOB = "<@UQIB> status M-05, NHS 943 476 5919 and DOB 14/03/2012 for Jayden"


def test_a_hard_identifier_stops_the_message_and_is_audited_without_it(sessions, who: Who) -> None:
    stopped = screening.screen(sessions, screening.Message(who(IRO), NHS_AND_DOB, "mention", "C1"))
    assert stopped is not None and "nhs_number" in stopped.kinds
    with sessions() as db:
        audit = db.scalars(select(AuditEvent).where(AuditEvent.action == "personal_data_message")).one()
    assert "943" not in str(audit.after) and "Jayden" not in str(audit.after)


def test_an_ordinary_question_passes(sessions, who: Who) -> None:
    assert screening.screen(sessions, screening.Message(who(IRO), "what's overdue?", "dm", None)) is None


def test_a_screen_that_fails_lets_the_message_through(who: Who) -> None:
    def broken() -> object:
        raise RuntimeError("database gone")

    assert screening.screen(broken, screening.Message(who(IRO), NHS_AND_DOB, "dm", None)) is None  # type: ignore[arg-type]
