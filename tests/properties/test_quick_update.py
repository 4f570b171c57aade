"""The quick update syntax: any text gives a result (never an exception) that says only true things."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.services import quick
from bot.services.quick import QuickUpdate, parse_quick_update
from bot.services.text import unescape_slack
from models.vocab import STATUS_SYNONYMS, Status
from tests.properties.strategies import any_text, command_text, examples, slack_escaped, words

EXAMPLES = examples(300)
CODE = re.compile(r"[A-Z]{1,3}-[0-9]{2,3}")


def check(result: QuickUpdate, text: str) -> None:
    assert isinstance(result, QuickUpdate)
    assert result.code is None or CODE.fullmatch(result.code)
    assert result.status is None or isinstance(result.status, Status)
    assert result.percent is None or 0 <= result.percent <= 100
    assert result.note is None or (result.note == result.note.strip() and result.note)
    if result.note is not None:
        assert result.note in text  # the parser takes text as typed: nothing undone, nothing added
    if result.evidence_url is not None:
        assert result.note and result.evidence_url in result.note
    assert ("milestone" in result.missing) == (result.code is None and result.phrase is None)
    assert ("status" in result.missing) == (result.status is None)
    assert ("percent" in result.missing) == (result.percent is None)
    assert ("note" in result.missing) == (result.note is None)
    assert all(isinstance(p, str) and p for p in result.problems)


@EXAMPLES
@given(st.one_of(command_text, any_text.map(slack_escaped)))
def test_any_text_gives_a_result(text):
    check(parse_quick_update(text), text)


@EXAMPLES
@given(st.one_of(command_text, any_text.map(slack_escaped)))
def test_the_parser_itself_never_needs_its_last_resort(text):
    """parse_quick_update swallows any exception; the parser under it must not raise in the first place."""
    check(quick._parse(text, frozenset({"M"})), text)


@examples(50)
@given(st.text(alphabet="M0123456789%- ", max_size=20_000))
def test_very_long_input_is_read_quickly(text):
    check(parse_quick_update(text), text)


# "60% complete" is a percent, not a status (quick._DONE_WORDS): those words are left out here.
STATUS_WORDS = sorted(k for k in STATUS_SYNONYMS if k not in quick._DONE_WORDS)
NOTE_WORDS = st.lists(
    st.sampled_from(["Workshops", "held", "backlog", "cleared", "for", "March", "IROs"]),
    min_size=1,
    max_size=6,
)


@EXAMPLES
@given(
    st.integers(1, 99),
    st.sampled_from(STATUS_WORDS),
    st.integers(0, 100),
    NOTE_WORDS,
    st.permutations([0, 1, 2]),
    st.sampled_from(["M-{n:02d}", "m{n}", "M{n}", "m-{n}", "M-0{n}"]),
)
def test_a_well_formed_update_reads_back_whatever_the_order(number, status, percent, note, order, style):
    code = style.format(n=number)
    parts = [code, status, f"{percent}%"]
    text = " ".join(parts[i] for i in order) + " " + " ".join(note)
    result = parse_quick_update(text)
    assert result.code == f"M-{number:02d}"
    assert result.status is STATUS_SYNONYMS[status]
    assert result.percent == percent
    assert result.note == " ".join(note)
    assert result.problems == []


@EXAMPLES
@given(words)
def test_slack_escaping_is_undone_exactly_once(text):
    assert unescape_slack(slack_escaped(text)) == text
    assert unescape_slack(slack_escaped(slack_escaped(text))) == slack_escaped(text)
