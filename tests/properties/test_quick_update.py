"""The quick update syntax: any text gives a result (never an exception) that says only true things."""

from __future__ import annotations

import re

from hypothesis import assume, given
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


# ---------------------------------------------------------------- words not understood

LONG_STATUS_WORDS = sorted(k for k in STATUS_SYNONYMS if " " not in k and len(k) >= 5)


def slips(word: str) -> list[str]:
    """Every one-key slip of a word: a letter dropped, doubled, swapped with the next, or replaced."""
    out = set()
    for i in range(len(word)):
        out.add(word[:i] + word[i + 1 :])
        out.add(word[:i] + word[i] + word[i:])
        if i + 1 < len(word):
            out.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
        for c in "aeiourstnk":
            out.add(word[:i] + c + word[i + 1 :])
    return sorted(
        w for w in out if w != word and w not in STATUS_SYNONYMS and len(w) >= 4 and not inflected(w)
    )


def inflected(word: str) -> bool:
    """ "completes", "greens": a status word's stem with -s or -es, read as a word of its own."""
    return word.endswith("s") and any(k.startswith((word[:-1], word[:-2])) for k in LONG_STATUS_WORDS)


STATUS_SLIPS = st.sampled_from(LONG_STATUS_WORDS).flatmap(lambda w: st.sampled_from(slips(w)))
TWO_WORD_SLIPS = st.sampled_from(sorted(k for k in STATUS_SYNONYMS if " " in k)).flatmap(
    lambda k: st.sampled_from([(k.split()[0], s) for s in slips(k.split()[1]) if s.isalpha()])
)
MALFORMED_PERCENTS = st.builds(
    lambda n, shape: shape.format(n=n),
    st.integers(0, 100),
    st.sampled_from(["{n}o%", "%{n}", "{n}%%", "{n},5%", "{n}pcent", "{n}percnt", "{n}%age", "{n} percnt"]),
)


@EXAMPLES
@given(STATUS_SLIPS, st.integers(0, 100), NOTE_WORDS, st.booleans())
def test_a_slip_in_a_status_word_is_not_understood_and_never_becomes_the_note(slip, percent, note, first):
    parts = [slip, f"{percent}%"] if first else [f"{percent}%", slip]
    result = parse_quick_update(" ".join(["M-05", *parts, *note]))
    assert result.unclear == [slip] and result.problems  # a problem: the handler opens the form
    assert result.status is None and result.percent == percent
    assert result.note == " ".join(note)  # the rest is still read, without the word
    assert f"did not understand “{slip}”" in result.problems[0]


@EXAMPLES
@given(TWO_WORD_SLIPS, st.integers(0, 100), NOTE_WORDS)
def test_a_slip_in_a_two_word_status_names_the_mistyped_word(pair, percent, note):
    first, slip = pair
    result = parse_quick_update(f"M-05 {first} {slip} {percent}% {' '.join(note)}")
    assert result.unclear == [slip] and result.status is None and result.percent == percent
    assert result.note == " ".join(note)


@EXAMPLES
@given(MALFORMED_PERCENTS, st.sampled_from(STATUS_WORDS), NOTE_WORDS)
def test_a_malformed_percent_is_not_understood_and_the_status_is_still_read(typed, status, note):
    result = parse_quick_update(f"M-05 {status} {typed} {' '.join(note)}")
    assert result.unclear == [typed] and result.problems
    assert result.percent is None and result.status is STATUS_SYNONYMS[status]
    assert result.note == " ".join(note)


# Words an ordinary note starts with, some of them one letter from a short status (read/red, gone/done).
ORDINARY = [
    "finishes",
    "completes",
    "greens",
    "read",
    "gone",
    "grew",
    "glue",
    "bed",
    "on",
    "at",
    "not",
    "off",
    "the",
    "3",
    "12",
    "staff",
    "workshops",
    "audits",
    "panel",
    "on time",
    "at last",
    "not yet",
    "off site",
    "80 pages",
    "2 posts",
]


@EXAMPLES
@given(
    st.sampled_from(STATUS_WORDS), st.integers(0, 100), st.sampled_from(ORDINARY), NOTE_WORDS, st.booleans()
)
def test_ordinary_notes_are_kept_as_typed(status, percent, start, note, with_status):
    # Right after the code, a bare number is the percent ("M-07 60"): tests/e2e/test_owners_form.py.
    assume(with_status or not start.split()[0].isdigit())
    lead = f"M-05 {status} {percent}%" if with_status else "M-05"
    text = f"{lead} {start} {' '.join(note)}"
    result = parse_quick_update(text)
    assert result.unclear == [] and result.problems == []
    assert result.note == f"{start} {' '.join(note)}"


@EXAMPLES
@given(STATUS_SLIPS, MALFORMED_PERCENTS)
def test_once_a_status_and_percent_are_read_such_words_are_note_text(slip, typed):
    """Only the leading part is guessed at: after a status and a percent, anything is the note."""
    result = parse_quick_update(f"M-05 green 60% {slip} {typed}")
    assert result.unclear == [] and result.note == f"{slip} {typed}"


@EXAMPLES
@given(st.one_of(command_text, any_text.map(slack_escaped)))
def test_a_word_not_understood_always_comes_with_a_problem_naming_it(text):
    result = parse_quick_update(text)
    for word in result.unclear:
        assert word in unescape_slack(text)
        assert any(f"“{word}”" in p for p in result.problems)
