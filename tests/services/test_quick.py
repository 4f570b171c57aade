from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.quick import QuickUpdate, parse_quick_update, resolve_milestone
from bot.services.text import unescape_slack
from models.vocab import STATUS_SYNONYMS, Status


def test_the_documented_example_reads_in_full():
    q = parse_quick_update("update M-07 on track 60% Workshops held; phase two booked for March")
    assert (q.code, q.status, q.percent) == ("M-07", Status.ON_TRACK, 60)
    assert q.note == "Workshops held; phase two booked for March"
    assert q.missing == [] and q.problems == []


@pytest.mark.parametrize(
    ("text", "code", "status", "percent", "note"),
    [
        ("M-07 60% amber venue not confirmed", "M-07", Status.AT_RISK, 60, "venue not confirmed"),
        ("60% M-07 on track Workshops held", "M-07", Status.ON_TRACK, 60, "Workshops held"),
        ("m7 off track 10 % - trainer withdrew", "M-07", Status.OFF_TRACK, 10, "trainer withdrew"),
        ("M7: not started", "M-07", Status.NOT_STARTED, None, None),
        ("m-7 red: no venue", "M-07", Status.OFF_TRACK, None, "no venue"),
        ("M-16 100% done All reviews in timescale", "M-16", Status.COMPLETE, 100, "All reviews in timescale"),
        ("M-07 at risk 40 percent staff absence", "M-07", Status.AT_RISK, 40, "staff absence"),
        ("M-07 Workshops held", "M-07", None, None, "Workshops held"),
    ],
)
def test_parts_are_read_in_any_order(text, code, status, percent, note):
    q = parse_quick_update(text)
    assert (q.code, q.status, q.percent, q.note) == (code, status, percent, note)


@pytest.mark.parametrize("typed", ["M-07", "m7", "M7", "m-7", "M-7", "m07", "M-007"])
def test_code_forms_are_normalised(typed):
    q = parse_quick_update(f"{typed} green 50% ok")
    assert q.code == "M-07" and q.code_typed == typed


@pytest.mark.parametrize("word", sorted(STATUS_SYNONYMS))
def test_every_status_word_and_synonym_is_understood(word):
    assert parse_quick_update(f"M-07 {word} 50% ok").status is STATUS_SYNONYMS[word]


def test_a_title_phrase_stands_in_for_the_code():
    q = parse_quick_update("update foster carer reviews green 80% Backlog cleared")
    assert (q.code, q.phrase, q.status, q.percent) == (None, "foster carer reviews", Status.ON_TRACK, 80)
    assert q.note == "Backlog cleared"
    q = parse_quick_update("foster carer reviews: backlog cleared")
    assert (q.phrase, q.note) == ("foster carer reviews", "backlog cleared")
    assert q.missing == ["status", "percent"]


def test_sixty_percent_done_is_a_percent_not_the_status_done():
    q = parse_quick_update("M-07 60% done so far")
    assert (q.status, q.percent, q.note) == (None, 60, "so far")
    assert "status" in q.missing


def test_slack_escaping_is_undone_once_where_the_text_arrives_and_not_again_in_the_parser():
    q = parse_quick_update(unescape_slack("M-07 green 50% Q&amp;A held &lt;2 weeks&gt; ago; &amp;lt; stays"))
    assert q.note == "Q&A held <2 weeks> ago; &lt; stays"
    assert parse_quick_update("M-07 green 50% typed &amp; as is").note == "typed &amp; as is"


def test_links_slack_recognised_become_plain_text_and_evidence():
    q = parse_quick_update(
        unescape_slack("M-07 complete 100% Procedure signed off <https://intranet.example/p|the procedure>")
    )
    assert q.note == "Procedure signed off the procedure (https://intranet.example/p)"
    assert q.evidence_url == "https://intranet.example/p"
    assert unescape_slack("<https://a.example/x>") == "https://a.example/x"
    assert unescape_slack("<mailto:a@example.org|a@example.org>") == "a@example.org"


def test_what_is_missing_is_listed():
    assert parse_quick_update("").missing == ["milestone", "status", "percent", "note"]
    assert parse_quick_update("M-07").missing == ["status", "percent", "note"]
    assert parse_quick_update("green 40%").missing == ["milestone", "note"]


def test_contradictions_are_explained_and_the_first_value_kept():
    q = parse_quick_update("M-07 green red 50%")
    assert q.status is Status.ON_TRACK
    assert q.problems == ['Two statuses given ("green" and "red"); I used "green".']
    q = parse_quick_update("M-07 150% venue booked")
    assert q.percent is None and q.problems == ["150% is not a percent from 0 to 100."]
    q = parse_quick_update("M-07 M-08 green")
    assert q.code == "M-07" and "Two milestone codes" in q.problems[0]


def test_codes_of_other_shapes_are_not_milestones_unless_the_plan_uses_them():
    assert parse_quick_update("Q3 green 50% ok").code is None
    assert parse_quick_update("A1 green 50% ok", code_prefixes=frozenset({"A"})).code == "A-01"


def test_a_number_after_a_milestone_code_is_its_percent_even_where_the_plan_has_a_milestone_of_that_number():
    codes = ["1", "2", "3", "10", "50"]
    q = parse_quick_update("2 50", plan_codes=codes)
    assert (q.code, q.percent, q.problems) == ("2", 50, [])
    q = parse_quick_update("50 on track 10", plan_codes=codes)
    assert (q.code, q.status, q.percent, q.problems) == ("50", Status.ON_TRACK, 10, [])
    q = parse_quick_update("2 on track 50% 10 staff recruited", plan_codes=codes)
    assert (q.code, q.percent, q.note, q.problems) == ("2", 50, "10 staff recruited", [])
    q = parse_quick_update("1.1 on track 1 audit done", plan_codes=["1", "1.1"])
    assert (q.code, q.percent, q.note, q.problems) == ("1.1", 1, "audit done", [])


def test_a_second_milestone_code_with_letters_is_still_two_codes():
    q = parse_quick_update("2 M-08 green", plan_codes=["2", "M-08"])
    assert q.code == "2" and "Two milestone codes" in q.problems[0]


@settings(max_examples=300)
@given(st.text(max_size=400))
def test_any_text_gives_a_quick_update(text):
    assert isinstance(parse_quick_update(text), QuickUpdate)


parts = st.sampled_from(
    ["M-07", "m7", "on track", "off", "track", "60%", "60", "%", "done", "&amp;", "&lt;", "<", ">", "|", ":"]
)


@settings(max_examples=300)
@given(st.lists(st.one_of(parts, st.text(max_size=8)), max_size=12))
def test_any_mix_of_parts_gives_a_quick_update(pieces):
    q = parse_quick_update(" ".join(pieces))
    assert q.percent is None or 0 <= q.percent <= 100
    assert q.note is None or q.note.strip() == q.note and q.note


# ------------------------------------------------------------ finding the milestone


def test_a_code_in_any_form_resolves_to_the_plans_code(sessions, durham):
    with sessions() as db:
        for typed in ("M-07", "m7", "M-7", "m-07"):
            [(code, title)] = resolve_milestone(db, durham, typed, None)
            assert code == "M-07" and title.startswith("Working group")


def test_a_phrase_finds_milestones_by_their_title(sessions, durham):
    with sessions() as db:
        assert [c for c, _ in resolve_milestone(db, durham, None, "privat fostering framework")] == ["M-20"]
        assert [c for c, _ in resolve_milestone(db, durham, None, "peer support")] == ["M-10"]
        # Both titles speak of supervision and training: both come back, for the user to choose.
        assert [c for c, _ in resolve_milestone(db, durham, None, "supervision training")] == ["M-06", "M-07"]


def test_a_phrase_naming_an_area_offers_its_milestones(sessions, durham):
    with sessions() as db:
        assert [c for c, _ in resolve_milestone(db, durham, None, "foster carer reviews")] == ["M-16", "M-17"]
        assert [c for c, _ in resolve_milestone(db, durham, None, "children returning home")] == [
            "M-21",
            "M-22",
        ]


def test_an_unknown_code_falls_back_to_the_phrase_then_to_nothing(sessions, durham):
    with sessions() as db:
        assert [c for c, _ in resolve_milestone(db, durham, "M-99", "homeless protocol implemented")] == [
            "M-12"
        ]
        assert resolve_milestone(db, durham, "M-99", None) == []
        assert resolve_milestone(db, durham, None, "the and of") == []
        assert resolve_milestone(db, durham, None, "zebra crossing") == []


@pytest.mark.parametrize(
    ("text", "note", "decision"),
    [
        (
            "M-06 at risk 60% Supplier slipped. decision: fund an earlier slot or accept 31 July",
            "Supplier slipped",
            "fund an earlier slot or accept 31 July",
        ),
        ("M-06 at risk Decision needed: accept 31 July", None, "accept 31 July"),
        ("M-06 on track 60% Decisions were made at the panel", "Decisions were made at the panel", None),
        ("M-06 on track 60% nothing to decide: decision:", "nothing to decide: decision:", None),
    ],
)
def test_a_decision_for_the_board_is_split_from_the_note(text, note, decision):
    q = parse_quick_update(text)
    assert (q.note, q.decision) == (note, decision)


@pytest.mark.parametrize(
    ("text", "unclear", "note"),
    [
        ("M-07 purple 10%", ["purple"], None),
        ("M-07 Training 60 percent delivered", ["Training"], "delivered"),
        ("M-07 workshop held 60% of staff", [], "workshop held 60% of staff"),  # two words: a note
        ("M-07 on track 60% fine", [], "fine"),
    ],
)
def test_one_unknown_word_between_the_code_and_a_percent_is_a_status_not_understood(text, unclear, note):
    parsed = parse_quick_update(text, code_prefixes=frozenset({"M"}))
    assert (parsed.unclear, parsed.note) == (unclear, note)
