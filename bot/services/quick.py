"""The quick update syntax of the slash command, and finding the milestone it names.

    /qib update M-07 on track 60% Workshops held; phase two booked for March
    /qib update 60% m7 amber - venue still not confirmed
    /qib update foster carer reviews green 80% Backlog cleared

The leading part holds a milestone code (or, without one, a few words of its title), a status and a
percent, in any order; everything after that is the note. Parsing never raises: whatever it cannot
read is listed in `missing` and explained in `problems`, for the handler to ask about.

A word in the leading part that was surely meant as a status or a percent but cannot be read is "not
understood" rather than the start of the note, so that a typo never saves a note while silently
dropping the status or percent it was meant to carry (`M-05 on trak 80% done`). The rule is narrow, so
that ordinary notes still save as typed:

- a near-miss of a status: before any status was read, a word one edit (insertion, deletion,
  substitution or swap of neighbours) from a status word of five letters or more ("gren", "amebr",
  "compelte"; "off-trak"), or two edits from one of eight or more ("finshd"), and not itself a
  status word nor its stem ending in -s or -es ("finishes", "completes"); or "on", "at", "off" or
  "not" followed by a word one edit from the rest of that status ("on trak", "at rsik", "not
  strated"). Short status words (red, done, grey, blue) have too
  many English neighbours (read, gone, grew, glue) to guess at, so they are only read exactly;
- a malformed percent: before any percent was read, a word with a "%" that is not a percent from the
  syntax ("8o%", "80,5%", "%80"), or a number glued to a misspelt unit ("80pcent", "80percnt").
- a word where the status goes: after the code, before any status or percent, one word followed by
  a percent ("M-07 purple 10%"), which would otherwise start a note and drop the percent.

Such words are listed in `unclear` and explained in `problems`; reading goes on after them, so the rest
of the leading part (`80% done`) still fills the form.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from bot.services.milestone_lookup import plan_codes, resolve_milestone  # the finding half, re-exported
from bot.services.quick_words import NUMBER as _NUMBER
from bot.services.quick_words import TRAILING as _TRAILING
from bot.services.quick_words import bare_word as _bare
from bot.services.quick_words import date_at as _date_at
from bot.services.quick_words import percent_value as _percent_value
from bot.services.quick_words import unclear_at as _unclear_at
from models.codes import code_key
from models.vocab import STATUS_SYNONYMS, Status

MAX_INPUT_CHARS = 20_000


@dataclass
class QuickUpdate:
    """What a quick update says.

    `code` is the milestone code normalised to the usual style ("m7" -> "M-07"); the caller matches
    it (or, without a code, `phrase`) against the plan with `resolve_milestone`. `missing` names the
    parts not given ("milestone", "status", "percent", "note"); `problems` explains, in sentences, the
    parts that were given but could not be used (a second status, 150%); `unclear` holds the words,
    as typed, that look like a mistyped status or percent (see the module docstring).
    """

    code: str | None = None
    code_typed: str | None = None
    phrase: str | None = None
    status: Status | None = None
    status_typed: str | None = None
    percent: int | None = None
    note: str | None = None
    evidence_url: str | None = None
    decision: str | None = None  # after `decision:` in the note: what the board is asked to decide
    # The recovery action, from "recovery: ..." or "next steps: ..." after the note.
    next_steps: str | None = None
    # A revised due date ("due 30 Apr because ..."): the date as read, as typed, and its reason.
    due: date | None = None
    due_typed: str | None = None
    due_reason: str | None = None
    missing: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unclear: list[str] = field(default_factory=list)

    @property
    def has_milestone(self) -> bool:
        return self.code is not None or self.phrase is not None

    @property
    def has_change(self) -> bool:
        return (
            self.status is not None
            or self.percent is not None
            or self.note is not None
            or self.due is not None
        )


# ---------------------------------------------------------------- the parts

_TOKEN = re.compile(r"\S+")
_SEPARATORS = {"-", "–", "—", ":", "|", ";", ",", "/"}
_CODE = re.compile(r"([A-Za-z]{1,3})-?0*([0-9]{1,3})")
_PERCENT = re.compile(r"([0-9]{1,4}(?:\.[0-9]+)?)\s?(?:%|percent|pc)")
_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_LEADING_WORDS = {"update", "upd"}
_TWO_WORD_STATUSES = {k for k in STATUS_SYNONYMS if " " in k}
_DONE_WORDS = {"done", "complete", "completed", "finished"}


def normalise_code(prefix: str, number: str | int, width: int = 2) -> str:
    """M, 7 -> "M-07": upper-case prefix, a hyphen, the number padded to `width` digits."""
    return f"{prefix.upper()}-{int(number):0{width}d}"


def _code_of(token: str, prefixes: frozenset[str], known: dict[tuple[str, ...], str]) -> str | None:
    """The code a word names: one of the plan's own codes in any spelling ("m1.2" is M1-2), else a
    letters-and-number word with one of the plan's prefixes, in the usual style ("m7" -> "M-07")."""
    key = code_key(token.rstrip(_TRAILING))
    if key is not None and key in known:
        return known[key]
    m = _CODE.fullmatch(token.rstrip(_TRAILING))
    if m is None or m.group(1).upper() not in prefixes:
        return None
    return normalise_code(m.group(1), m.group(2))


def _status_at(words: list[str], i: int) -> tuple[Status, int] | None:
    """The status starting at word i and how many words it takes, or None."""
    if i + 1 < len(words):
        first = words[i].lower()
        second = _bare(words[i + 1])
        two = f"{first} {second}"
        if two in _TWO_WORD_STATUSES and not first.endswith(tuple(_TRAILING)):
            return STATUS_SYNONYMS[two], 2
    one = _bare(words[i])
    if one in STATUS_SYNONYMS:
        return STATUS_SYNONYMS[one], 1
    return None


def _percent_at(words: list[str], i: int) -> tuple[str, int] | None:
    """The percent starting at word i ("60%", "60 %", "60 percent", "60 per cent") as typed, and its
    word count."""
    one = words[i].rstrip(_TRAILING)
    if _PERCENT.fullmatch(one.lower()):
        return one, 1
    if i + 1 < len(words) and _NUMBER.fullmatch(one):
        unit = _bare(words[i + 1])
        if unit in ("%", "percent", "pc"):
            return f"{one}%", 2
        if unit == "per" and i + 2 < len(words) and _bare(words[i + 2]) == "cent":
            return f"{one}%", 3
    return None


_BARE_PERCENT = re.compile(r"[0-9]{1,3}")
_NEXT = re.compile(r"(?:^|[\s;,.])(?:recovery(?: action)?|next(?: steps?)?)\s*:\s*", re.IGNORECASE)
# ---------------------------------------------------------------- parsing


def parse_quick_update(
    text: str,
    *,
    code_prefixes: frozenset[str] = frozenset({"M"}),
    today: date | None = None,
    plan_codes: Iterable[str] = (),
) -> QuickUpdate:
    """Read a quick update; never raises, whatever the text.

    `plan_codes` are the plan's milestone codes: any of them, in any spelling (models.codes), is a
    code. `code_prefixes` are the letters a code starts with (upper case); with no plan codes, "M" by
    default, so "Q3" or "SP1" in the leading part is not taken for a milestone code.
    """
    codes = tuple(plan_codes)
    if codes:
        code_prefixes = _prefixes(codes)
    # No catch-all here: a parser bug must surface (the property tests feed it any text), not be
    # turned into a "could not read" that hides it.
    return _parse(text, code_prefixes, today, _known(codes))


@functools.lru_cache(maxsize=32)
def _prefixes(codes: tuple[str, ...]) -> frozenset[str]:
    """The letters the plan's codes start with (kept per list of codes: a plan has thousands)."""
    return frozenset(key[0] for key in map(code_key, codes) if key is not None and key[0].isalpha())


@functools.lru_cache(maxsize=32)
def _known(codes: tuple[str, ...]) -> dict[tuple[str, ...], str]:
    """Key -> code, for keys only one of the plan's codes has (an ambiguous spelling finds neither).
    Kept per list of codes; the parser only reads it."""
    seen: dict[tuple[str, ...], list[str]] = {}
    for code in codes:
        key = code_key(code)
        if key is not None:
            seen.setdefault(key, []).append(code)
    return {key: found[0] for key, found in seen.items() if len(found) == 1}


@dataclass
class _Reader:
    """Where the parser is in the leading part, and what it has read so far."""

    text: str
    spans: list[tuple[int, int]]
    words: list[str]
    prefixes: frozenset[str]
    known: dict[tuple[str, ...], str]
    today: date | None
    result: QuickUpdate = field(default_factory=QuickUpdate)
    i: int = 0
    phrase: list[str] = field(default_factory=list)
    phrase_open: bool = True  # a title phrase may start only once, and only before a code is found
    note_start: int | None = None
    percent_typed: str | None = None
    after_percent: bool = False
    just_after_percent: bool = False

    @property
    def word(self) -> str:
        return self.words[self.i]

    def took(self, count: int) -> bool:
        """Step past `count` words read as a status, percent or date: a title phrase ends there."""
        self.phrase_open = self.phrase_open and not self.phrase
        self.i += count
        return _GO

    def note_here(self) -> bool:
        self.note_start = self.i
        return _STOP


# A step reads the word at r.i: _GO (read, go on), _STOP (the leading part ends), None (not its kind).
_GO, _STOP = True, False


def _parse(
    text: str,
    code_prefixes: frozenset[str],
    today: date | None = None,
    known: dict[tuple[str, ...], str] | None = None,
) -> QuickUpdate:
    if not isinstance(text, str):
        text = ""
    text = text[:MAX_INPUT_CHARS]  # as typed: the handler undid Slack's escaping, once
    spans = [m.span() for m in _TOKEN.finditer(text)]
    words = [text[a:b] for a, b in spans]
    prefixes = frozenset(p.upper() for p in code_prefixes)
    r = _Reader(text, spans, words, prefixes, known or {}, today)
    if words and _bare(words[0]) in _LEADING_WORDS:
        r.i = 1
    while r.i < len(words):
        r.just_after_percent, r.after_percent = r.after_percent, False
        outcome = next((o for step in _STEPS if (o := step(r)) is not None), None)
        if outcome is None:
            outcome = r.note_here()
        if outcome is _STOP:
            break
    _read_note(r)
    _list_missing(r.result)
    return r.result


def _read_code(r: _Reader) -> bool | None:
    result, bare = r.result, r.word.rstrip(_TRAILING)
    if result.code is not None and bare.isascii() and bare.isdigit():
        return None  # after the code a bare number is a figure (the percent, or the note's), never a code
    code = _code_of(r.word, r.prefixes, r.known)
    if code is None:
        return None
    if result.code is None:
        result.code, result.code_typed = code, bare
        r.phrase_open = False
    if code == result.code:
        r.i += 1
        return _GO
    result.problems.append(
        f"Two milestone codes given ({result.code_typed} and {bare}); "
        f"I used {result.code_typed}: send one update per milestone."
    )
    return r.note_here()


def _read_status(r: _Reader) -> bool | None:
    status = _status_at(r.words, r.i)
    if status is None:
        return None
    result, bare = r.result, r.word.rstrip(_TRAILING)
    if r.just_after_percent and bare.lower() in _DONE_WORDS:
        # "60% done" is a percent, not the status done; "100% complete" is both.
        if result.percent == 100 and result.status is None:
            result.status, result.status_typed = Status.COMPLETE, bare
        r.i += 1
        return _GO
    typed = " ".join(r.words[r.i : r.i + status[1]]).rstrip(_TRAILING)
    if result.status is None:
        result.status, result.status_typed = status[0], typed
    if status[0] == result.status:
        return r.took(status[1])
    result.problems.append(
        f'Two statuses given ("{result.status_typed}" and "{typed}"); I used "{result.status_typed}".'
    )
    return r.note_here()


def _read_percent(r: _Reader) -> bool | None:
    percent = _percent_at(r.words, r.i)
    if percent is None:
        return _read_unclear(r)
    typed, count = percent
    result = r.result
    if r.percent_typed is not None:
        result.problems.append(
            f"Two percents given ({r.percent_typed} and {typed}); I used {r.percent_typed}."
        )
        return r.note_here()
    r.percent_typed = typed
    value = _percent_value(typed)
    if 0 <= value <= 100:
        result.percent = int(round(value))
    else:
        result.problems.append(f"{typed} is not a percent from 0 to 100.")
    r.after_percent = True
    return r.took(count)


def _read_unclear(r: _Reader) -> bool | None:
    result = r.result
    unclear = _unclear_at(
        r.words, r.i, want_status=result.status is None, want_percent=r.percent_typed is None
    )
    if unclear is None:
        unclear = _unknown_status_before_a_percent(r)
    if unclear is None:
        return None
    typed, meant, count = unclear
    result.unclear.append(typed)
    guess = "" if meant in ("a percent", "a status") else f" (did you mean “{meant}”?)"
    what = "percent" if meant == "a percent" else "status"
    result.problems.append(f"I did not understand “{typed}”{guess}: check the {what} below.")
    return r.took(count)


def _unknown_status_before_a_percent(r: _Reader) -> tuple[str, str, int] | None:
    """`M-07 purple 10%`: one word between the code and the first percent, where the status goes, is a
    status not understood, not the start of a note that would drop the percent."""
    word = r.word.rstrip(_TRAILING)
    if (
        r.result.code is not None
        and r.result.status is None
        and r.percent_typed is None
        and word.isalpha()
        and r.i + 1 < len(r.words)
        and _percent_at(r.words, r.i + 1) is not None
    ):
        return word, "a status", 1
    return None


def _read_bare_percent(r: _Reader) -> bool | None:
    """ "M-07 60", "ontrack 55 working group met": a bare number after the code or status is a percent."""
    bare, result = r.word.rstrip(_TRAILING), r.result
    if (
        r.percent_typed is None
        and _BARE_PERCENT.fullmatch(bare)
        and (result.code is not None or result.status is not None)
        and int(bare) <= 100
    ):
        r.percent_typed = f"{bare}%"
        result.percent = int(bare)
        r.after_percent = True
        return r.took(1)
    return None


def _read_due(r: _Reader) -> bool | None:
    """`due DATE`, and after it `because ...`: the revised due date and its reason (the rest of the text)."""
    result, words = r.result, r.words
    if r.word.rstrip(_TRAILING).lower() != "due" or result.due_typed is not None or r.i + 1 >= len(words):
        return None
    when = _date_at(words, r.i + 1, r.today)
    if when is None:
        return None
    result.due, result.due_typed = when[0], when[1]
    if when[0] is None:
        result.problems.append(f"“{when[1]}” is not a date I can read: check the revised due date.")
    r.took(1 + when[2])
    if r.i < len(words) and _bare(words[r.i]) in ("because", "as", "reason"):
        result.due_reason = r.text[r.spans[r.i + 1][0] :].strip() if r.i + 1 < len(words) else None
        return _STOP
    return _GO


def _read_separator(r: _Reader) -> bool | None:
    if r.word not in _SEPARATORS:
        return None
    if r.phrase:
        r.phrase_open = False
    r.i += 1
    return _GO


def _read_phrase_word(r: _Reader) -> bool | None:
    """Words naming the milestone, up to a status, a percent or a separator."""
    if r.result.code is not None or not r.phrase_open:
        return None
    bare = r.word.rstrip(_TRAILING)
    if bare:
        r.phrase.append(bare)
    if r.word[-1:] in ":;":
        r.phrase_open = False
    r.i += 1
    return _GO


_STEPS = (
    _read_code,
    _read_status,
    _read_percent,
    _read_bare_percent,
    _read_due,
    _read_separator,
    _read_phrase_word,
)


def _read_note(r: _Reader) -> None:
    """The phrase, and the note after the leading part with its decision, recovery action and link."""
    result = r.result
    if r.phrase:
        result.phrase = " ".join(r.phrase).strip() or None
    if r.note_start is not None:
        note = r.text[r.spans[r.note_start][0] :].strip()
        note = note.lstrip("".join(_SEPARATORS) + " ").strip()
        result.note = note or None
    if result.note:
        result.note, result.decision = _split_decision(result.note)
    if result.note:
        split = _NEXT.search(result.note)
        if split is not None:
            result.next_steps = result.note[split.end() :].strip() or None
            result.note = result.note[: split.start()].strip(" ;,.-") or None
    if result.note:
        url = _URL.search(result.note)
        if url:
            result.evidence_url = url.group(0).rstrip(".,;:)")


def _list_missing(result: QuickUpdate) -> None:
    if result.code is None and result.phrase is None:
        result.missing.append("milestone")
    if result.status is None:
        result.missing.append("status")
    if result.percent is None:
        result.missing.append("percent")
    if result.note is None:
        result.missing.append("note")


_DECISION = re.compile(r"(?:^|[\s.;,])decision(?: needed)?\s*:\s*", re.IGNORECASE)


def _split_decision(note: str) -> tuple[str | None, str | None]:
    """`Supplier slipped. decision: fund an earlier slot` -> the note and the decision asked of the board."""
    m = _DECISION.search(note)
    if m is None:
        return note, None
    before = note[: m.start()].strip().rstrip(".;,-").strip() or None
    after = note[m.end() :].strip() or None
    return (before, after) if after else (note, None)


__all__ = ["QuickUpdate", "normalise_code", "parse_quick_update", "plan_codes", "resolve_milestone"]
