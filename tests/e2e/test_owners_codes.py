"""Codes in any council's style (M1-2, 1.1, M0.1) work in the plan format and in every command."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from bot.services.planfile import import_plan, parse_plan_text
from models.db import make_sessionmaker
from qib_testing.bots import Bot, serve_bot
from qib_testing.people import CHAIR, IRO
from qib_testing.slack_standin import FakeSlack
from seeds import DURHAM
from tests.conftest import SEED_TIME, empty_all_tables
from tests.e2e.test_updates import history, open_modal

RENAMED = {"M-05": "M1-2", "M-06": "M0-1", "M-16": "1.1", "M-07": "10.3"}


def plan_text() -> str:
    text = DURHAM.read_text(encoding="utf-8")
    for old, new in RENAMED.items():
        text = text.replace(f"code: {old}", f"code: '{new}'").replace(f"({old})", f"({new})")
    return text


@pytest.fixture
def styled(database_url: str, engine: Engine, slack: FakeSlack) -> Iterator[Bot]:
    sessions = make_sessionmaker(engine)
    with sessions.begin() as db:
        import_plan(db, parse_plan_text(plan_text(), "styled.yaml"), now=SEED_TIME)
    try:
        with serve_bot(database_url, engine, slack) as running:
            yield running
    finally:
        empty_all_tables(engine)


def test_the_plan_format_takes_dotted_and_two_part_codes():
    doc = parse_plan_text(plan_text(), "styled.yaml")
    codes = {m.code for m in doc.milestones}
    assert {"M1-2", "M0-1", "1.1"} <= codes


def test_a_two_part_code_is_recognised_by_the_quick_update(styled):
    [reply] = styled.command("update M1-2 on track 20% Checklist agreed", user=IRO)
    assert reply["text"].startswith("Saved: M1-2")
    assert history(styled, "M1-2") == [("on track", 20, "Checklist agreed", "slack")]
    assert [h[3] for h in history(styled, "M0-1")] == ["import"]  # the other two-part code is untouched


def test_codes_match_with_any_separator_case_and_leading_zeros(styled):
    [reply] = styled.command("update m1.02 on track 30% second", user=IRO)
    assert reply["text"].startswith("Saved: M1-2")
    view = open_modal(styled, "update 1-1", user=IRO)  # M-16 became "1.1", and it is complete
    select = next(b for b in view["blocks"] if b.get("block_id") == "milestone")["element"]
    assert select["initial_option"]["value"] == "1.1"
    assert "Which milestone" not in str(view["blocks"])


def test_history_finds_a_dotted_code(styled):
    styled.command("update M1-2 on track 20% Checklist agreed", user=IRO)
    [reply] = styled.command("history m1.2", user=IRO)
    assert "Checklist agreed" in reply["text"] + str(reply.get("blocks"))


@pytest.mark.parametrize(
    "text", ["correct", "withdraw", "correct xyz", "withdraw U-x", "owner 1.1", "redact U-1"]
)
def test_a_hint_names_no_milestone_code_from_another_plan(styled, text):
    """The plan has no M-07: a hint shows where a code goes (CODE), not a code of the example plan."""
    [reply] = styled.command(text, user=CHAIR)
    assert "`/qib " in reply["text"] and "CODE" in reply["text"]
    assert "M-07" not in reply["text"]
