"""The personal-data screen's cheap gates (bot/services/privacy_gates.py) never drop a finding: on text
mixing names, dates, digits, cue words and look-alike letters, the screen finds exactly what it finds with
every gate open; and the plan file's hard-only screen finds exactly the hard part of the whole screen."""

from __future__ import annotations

import re
from datetime import date
from unittest import mock

from hypothesis import given
from hypothesis import strategies as st

from bot.services import privacy_gates
from bot.services.privacy import _names, find_hard_personal_data, find_personal_data
from bot.services.privacy_words import NO_STAFF, Staff
from tests.properties.strategies import examples

TODAY = date(2024, 6, 1)
STAFF = Staff.of([("Alex Morgan", "Independent Reviewing Officer", "alex.morgan@durham.gov.uk")])

PIECES = [
    # names, titles, possessives, schools
    "Jayden", "Smith", "Jayden Smith", "Brandon Kowalski", "O'Neill", "Smith-Jones", "Mr Smith", "Mrs. Patel",
    "Jayden's", "Alex Morgan", "Morgan's", "St Mary's Primary", "Seaham School", "Stanley Road", "Summer Term",
    "ILACS", "DfE", "M-07", "AFI-1", "Ofsted", "Durham",
    # cue words
    "girl", "boy", "baby", "son", "daughter", "young person", "young  person", "YP", "cyp", "child", "pupil",
    "toddler", "born", "DOB", "d.o.b.", "date of birth", "birthday", "aged", "age", "years old", "yrs", "y/o",
    "case no", "case number", "Case Ref", "ref", "LCS", "Liquidlogic", "Mosaic", "EHM", "client ID",
    "child's name is", "person no.", "attends", "his", "her", "mum", "foster carer", "nan", "called",
    "number", "of", "on", "is", "was", "the", "a", "reviews", "person", "reason", "season",
    # dates and numbers
    "12/03/2015", "3.5.19", "2015-03-12", "3 May 2016", "3rd of May, 2016", "May 3rd, 2016", "Sept 4",
    "20150312", "120315", "2020", "1990", "7", "14", "16 and 17", "9 of 10", "60%", "£1234567",
    "1234567", "943 476 5919", "9434765919", "0000000000", "07700 900123", "+44 7700 900123",
    "0191 383 3000", "DH1 5ZA", "SP1 2nd", "GIR 0AA", "AB 12 34 56 C", "CR/2020/1234", "LL123456",
    "EHM-004512", "U-1234", "a@b.co", "alex.morgan@durham.gov.uk", "jo@example.org.", "@",
    # letters and digits that case-fold or look like others
    "ſon", "K", "İ", "ß", "é", "١٢", "²", "ＡＢ", "\u00a0", "\u2019s", "'s", "’",
]  # fmt: skip
SEPARATORS = ["", " ", " ", " ", ", ", ": ", "(", ")", "-", "\n", ".", "\u00a0"]

CUES = ["girl", "son", "ſon", "SON", "baby", "young person", "DOB", "born", "case no", "LCS", "Zoe", "Young"]
DATES = ["12/03/2015", "3 May 2016", "2015-03-12", "20150312", "9999999", "9/9/2019", "Zoe, 9", "a@b.co"]
near = st.tuples(st.sampled_from(CUES), st.sampled_from(SEPARATORS), st.sampled_from(DATES))
pieces = st.one_of(
    st.sampled_from(PIECES),
    near.map("".join),
    near.map(lambda t: t[2] + t[1] + t[0]),
    st.from_regex(r"[0-9]{1,10}", fullmatch=True),
    st.text(alphabet="abcDEFjsSo0123456789/-.' @:ſKİ", max_size=8),
)
texts = st.lists(st.tuples(pieces, st.sampled_from(SEPARATORS)), max_size=12).map(
    lambda parts: "".join(p + s for p, s in parts)
)
staffs = st.sampled_from([NO_STAFF, STAFF])


def gates_open():
    """Every gate says "it may": the rules all run, as they did before there were gates."""
    always = mock.Mock(return_value=True)
    return mock.patch.multiple(
        privacy_gates, has_digit=always, has_capital=always, has_at_sign=always, may_hold_a_word=always
    )


@examples(300)
@given(texts, staffs)
def test_the_gates_never_drop_a_finding(text, staff):
    found = find_personal_data(text, staff=staff, today=TODAY)
    hard = find_hard_personal_data(text, staff=staff, today=TODAY)
    soft = list(_names(staff).findings(text))
    with gates_open():
        assert find_personal_data(text, staff=staff, today=TODAY) == found
        assert find_hard_personal_data(text, staff=staff, today=TODAY) == hard
        assert list(_names(staff).findings(text)) == soft


@examples(300)
@given(texts, staffs)
def test_the_plan_files_screen_finds_the_hard_part_of_the_whole_screen(text, staff):
    whole = find_personal_data(text, staff=staff, today=TODAY)
    assert find_hard_personal_data(text, staff=staff, today=TODAY) == [f for f in whole if f.hard]


@examples(100)
@given(
    st.one_of(st.text(max_size=40), st.text(alphabet="sſSkKKiİıIoOn -", max_size=12)),
    st.lists(st.text(alphabet="skion", max_size=4), max_size=4),
)
def test_a_word_gate_says_no_only_when_no_case_insensitive_match_exists(text, words):
    words = [w.lower() for w in words]
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None
    if pattern is not None and pattern.search(text):
        assert privacy_gates.may_hold_a_word(text, words)
