from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.planfile import read_plan_file
from bot.services.privacy import (
    PersonalDataRefused,
    check_update_fields,
    find_personal_data,
    mask,
    nhs_check_digit_ok,
)
from seeds import DURHAM


def kinds(text: str) -> list[str]:
    return [f.kind for f in find_personal_data(text)]


def with_check_digit(nine: str) -> str | None:
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return None if check == 10 else nine + str(check)


# ------------------------------------------------------------ NHS numbers


@pytest.mark.parametrize(
    "text",
    [
        "Discussed 943 476 5919 at panel",
        "NHS no. 9434765919",
        "ref 943-476-5919.",
        "(4010232137)",
    ],
)
def test_nhs_number_in_a_note_is_caught(text):
    [finding] = find_personal_data(text)
    assert finding.kind == "nhs_number"
    assert finding.reason == "an NHS number (10 digits passing the mod-11 check)"
    assert "5919" not in finding.masked and "2137" not in finding.masked


@pytest.mark.parametrize("text", ["943 476 5918", "9434765910", "401-023-2130", "1234567890"])
def test_ten_digits_failing_the_check_digit_are_not_an_nhs_number(text):
    assert "nhs_number" not in kinds(text)


def test_digits_inside_a_longer_number_or_in_another_grouping_are_not_an_nhs_number():
    assert "nhs_number" not in kinds("19434765919") and kinds("9434765919X") == []
    assert kinds("call 0191 383 3000 or 03000 26 0000") == []  # listed in allowed_contacts.txt
    assert "nhs_number" not in kinds("0000000000 and 1111111111 are placeholders")


@pytest.mark.parametrize("text", ["Budget code 1234567890 (no check)", "see 9434765910", "file 2048811"])
def test_a_run_of_seven_or_more_digits_on_its_own_is_a_case_reference(text):
    assert kinds(text) == ["case_number"]


@given(st.from_regex(r"[0-9]{9}", fullmatch=True))
def test_every_number_with_a_valid_check_digit_is_caught(nine):
    number = with_check_digit(nine)
    if number is None or len(set(number)) == 1:
        return
    assert nhs_check_digit_ok(number)
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    assert kinds(f"see {spaced} today") == ["nhs_number"]
    assert kinds(f"see {number} today") == ["nhs_number"]


@given(st.from_regex(r"[0-9]{10}", fullmatch=True))
def test_no_number_failing_the_check_digit_is_caught(number):
    if not nhs_check_digit_ok(number):
        assert "nhs_number" not in kinds(f"see {number} today")


# ------------------------------------------------------------ dates of birth


@pytest.mark.parametrize(
    "text",
    [
        "DOB 12/03/2012",
        "dob: 12.03.12",
        "D.O.B. 3 May 2015",
        "date of birth 2012-03-12",
        "Date of birth is 12th March 2012",
        "born 12/03/2012",
        "born on 1 March 2019",
        "born on March 1, 2019",
        "DOB 120312",
        "DOB 12 March",
    ],
)
def test_a_date_next_to_a_birth_cue_is_a_date_of_birth(text):
    assert kinds(text) == ["date_of_birth"]


@pytest.mark.parametrize(
    "text",
    [
        "Recording of date of birth on Liquidlogic improved",
        "The steering group was born out of the review",
        "due 31/03/2020",
        "2020-03-31",
        "born in 2012",
        "The NHS was born on 5 July 1948",
        "DOB 31/02/2012",
    ],
)
def test_dates_without_a_birth_cue_or_that_are_no_date_are_not_flagged(text):
    assert kinds(text) == []


# ------------------------------------------------------------ postcodes


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Home visit at DH1 5UQ", "DH• •••"),
        ("sw1a 1aa", "sw•• •••"),
        ("Office: M1 1AE.", "M• •••"),
        ("EC1A1BB", "EC•••••"),
        ("near W1A 0AX", "W1• •••"),
    ],
)
def test_uk_postcodes_are_caught_and_masked(text, masked):
    [finding] = find_personal_data(text)
    assert finding.kind == "postcode" and finding.masked == masked


@pytest.mark.parametrize(
    "text",
    ["SP1 2nd workshop", "the B1 4th floor", "DH1 is our district", "QQ1 5UQ", "M-07 60% done"],
)
def test_postcode_lookalikes_are_not_flagged(text):
    assert kinds(text) == []


# ------------------------------------------------------------ case references and names


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("case no 1234567", "case_number"),
        ("Case No. 123456", "case_number"),
        ("case number: 998877", "case_number"),
        ("case ref CR/2020/1234", "case_number"),
        ("LL ID 1234567", "record_id"),
        ("Liquidlogic ID: 998877", "record_id"),
        ("child's name: Jane Smith", "child_name"),
        ("child’s name is Kai", "child_name"),
        ("young person's name - Ola", "child_name"),
    ],
)
def test_case_references_and_childrens_names_are_caught(text, kind):
    assert kinds(text) == [kind]


@pytest.mark.parametrize(
    "text",
    [
        "case no longer open to the team",
        "case numbers have fallen",
        "Plans now use the child's name rather than 'the child'",
        "Liquidlogic supports the effective recording of supervision conversations",
        "case ref 12 in the sample",
    ],
)
def test_talk_about_cases_and_names_is_not_flagged(text):
    assert kinds(text) == []


# ------------------------------------------------------------ ordinary plan text


@pytest.mark.parametrize(
    "text",
    [
        "Workshops held; phase two booked for March",
        "60%",
        "2020-03-31",
        "M-07",
        "Protocol for young people aged 16 and 17 year olds who are homeless amended",
        "Section 17 assessments reviewed",
        "Q3 2020/21 performance report shows 85% of reviews in timescale",
        "AFI-5, SP-1 and SP-2 reported to the board on 20/02/2020",
    ],
)
def test_ordinary_plan_text_is_not_flagged(text):
    assert kinds(text) == []


def test_nothing_in_the_durham_plan_looks_like_personal_data():
    doc = read_plan_file(DURHAM)
    texts = [a.description for a in doc.areas] + [p.title for p in doc.priorities]
    for m in doc.milestones:
        texts.append(m.title)
        for u in m.updates:
            texts += [u.note or "", u.next_steps or "", u.blockers or ""]
    flagged = {t: kinds(t) for t in texts if kinds(t)}
    assert flagged == {}


@given(st.text(max_size=300))
def test_any_text_can_be_checked(text):
    for finding in find_personal_data(text):
        assert 0 <= finding.start < finding.end <= len(text)
        assert finding.masked != text[finding.start : finding.end] or len(finding.masked) <= 2


# ------------------------------------------------------------ fields and the message


def test_masking_keeps_the_shape_but_not_the_value():
    assert mask("943 476 5919") == "94• ••• ••••"
    assert mask("DH1 5UQ") == "DH• •••"
    assert mask("Kai") == "K••"


def test_findings_are_reported_field_by_field():
    found = check_update_fields({"note": "DOB 12/03/2012", "next_steps": None, "blockers": "DH1 5UQ"})
    assert [(field, f.kind) for field, f in found] == [("note", "date_of_birth"), ("blockers", "postcode")]


def test_the_message_names_the_field_and_why_without_the_data():
    found = check_update_fields({"note": "child 943 476 5919, DOB 12/03/2012", "next_steps": "Visit DH1 5UQ"})
    error = PersonalDataRefused(found)
    assert error.field == "note"
    assert error.message == (
        "The note holds an NHS number and a date of birth; the next steps hold a postcode, which must "
        "never be in Slack. Remove it and save again: this cannot be overridden (an NHS number, a date "
        "of birth, an address or a case reference identifies a child on its own)."
    )
    assert error.kinds == ["nhs_number", "date_of_birth", "postcode"]
    assert "5919" not in error.message and "5UQ" not in error.message
