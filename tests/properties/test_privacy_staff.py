"""The plan's staff only ever take findings away from the personal-data screen: text with no finding
when nobody is staff has none whoever is. An update's screen reads the plan's people only when the text
has a finding without them (bot.services.updates._screened), so this is what keeps that shortcut safe."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from bot.services.privacy import find_personal_data
from bot.services.privacy_words import Staff
from tests.properties.strategies import examples

TODAY = date(2026, 11, 30)
# Names that are staff in some draws and children in others, words around them that the rules read
# (family and carer words, ages, schools, titles, possessives), and dates, numbers and contacts.
NAMES = [
    "Sam",
    "Carter",
    "Jordan",
    "Lee",
    "Alex",
    "Morgan",
    "Priya",
    "Shah",
    "Stanley",
    "Brandon",
    "Kowalski",
]
WORDS = [
    "the", "met", "with", "and", "audit", "of", "plans", "foster", "carer", "mother", "brother", "aged",
    "age", "years", "year", "7", "12", "(9)", "girl", "boy", "baby", "son", "born", "on", "Primary",
    "School", "Academy", "St", "attends", "Mrs", "Dr", "Mr", "'s", ",", ".", "IRO", "manager", "team",
    "01/02/2015", "3 March 2019", "2019-03-03", "07700 900123", "sam.carter@council.gov.uk",
    "x@example.com", "DH1 5ZA", "943 476 5919", "AB123456C", "case", "ref", "12345678", "Durham",
    "Seaham", "review", "Summer", "Term", "Road", "Virtual",
]  # fmt: skip
word = st.one_of(st.sampled_from(NAMES), st.sampled_from(WORDS))
text = st.lists(word, min_size=1, max_size=14).map(" ".join)
person = st.tuples(
    st.lists(st.sampled_from(NAMES), min_size=1, max_size=2).map(" ".join),
    st.sampled_from([None, "IRO", "Foster carer reviews manager", "Head of Service", "Primary lead"]),
    st.sampled_from([None, "sam.carter@council.gov.uk", "x@example.com"]),
)
staff = st.lists(person, max_size=5).map(Staff.of)


@given(text=text, staff=staff)
@examples(300)
def test_text_with_no_finding_without_staff_has_none_with_them(text, staff):
    if not find_personal_data(text, today=TODAY):
        assert find_personal_data(text, staff=staff, today=TODAY) == []


@given(text=text, staff=staff)
@examples(300)
def test_staff_never_add_a_finding(text, staff):
    without = {(f.kind, f.start, f.end) for f in find_personal_data(text, today=TODAY)}
    spans = [(s, e) for _, s, e in without]
    for f in find_personal_data(text, staff=staff, today=TODAY):
        # A finding with staff is one without them, or sits where a finding without them was (a soft
        # one shown once the hard one over it is taken away by staff: an email of the plan's own).
        assert (f.kind, f.start, f.end) in without or any(f.start < e and s < f.end for s, e in spans)
