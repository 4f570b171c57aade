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

Such words are listed in `unclear` and explained in `problems`; reading goes on after them, so the rest
of the leading part (`80% done`) still fills the form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz.distance import OSA

from bot.services.milestone_lookup import plan_codes, resolve_milestone  # the finding half, re-exported
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
_TRAILING = ":;,."
_SEPARATORS = {"-", "–", "—", ":", "|", ";", ",", "/"}
_CODE = re.compile(r"([A-Za-z]{1,3})-?0*([0-9]{1,3})")
_PERCENT = re.compile(r"([0-9]{1,4}(?:\.[0-9]+)?)\s?(?:%|percent|pc)")
_NUMBER = re.compile(r"[0-9]{1,4}(?:\.[0-9]+)?")
_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_LEADING_WORDS = {"update", "upd"}
_TWO_WORD_STATUSES = {k for k in STATUS_SYNONYMS if " " in k}
_DONE_WORDS = {"done", "complete", "completed", "finished"}


def normalise_code(prefix: str, number: str | int, width: int = 2) -> str:
    """M, 7 -> "M-07": upper-case prefix, a hyphen, the number padded to `width` digits."""
    return f"{prefix.upper()}-{int(number):0{width}d}"


def _bare(token: str) -> str:
    return token.rstrip(_TRAILING).lower()


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


_STATUS_FIRST_WORDS = {k.split(" ", 1)[0]: k for k in _TWO_WORD_STATUSES}  # on -> "on track"...
_GUESSABLE_STATUSES = sorted(k for k in STATUS_SYNONYMS if " " not in k and len(k) >= 5)
_GLUED_UNIT = re.compile(r"[0-9]{1,4}(?:[.,][0-9]+)?([a-z%]+)")


def _unit_like(unit: str) -> bool:
    """A misspelt percent sign or word: "%%", "pcent", "percnt", "prc"."""
    return (
        "%" in unit
        or unit in ("pct", "per", "perc", "prc")
        or OSA.distance(unit, "percent", score_cutoff=2) <= 2
    )


def _near_status(word: str) -> str | None:
    """The status word `word` is one slip away from (see the module docstring), or None."""
    word = word.lower()
    if len(word) < 4 or word in STATUS_SYNONYMS or not word.replace("-", "").isalpha():
        return None
    for known in _GUESSABLE_STATUSES:
        if word.endswith("s") and (known.startswith(word[:-1]) or known.startswith(word[:-2])):
            continue  # "finishes", "completes", "greens": words of their own, not slips
        allowed = 2 if len(known) >= 8 and len(word) >= 6 else 1
        if OSA.distance(word, known, score_cutoff=allowed) <= allowed:
            return known
    return None


def _unclear_at(
    words: list[str], i: int, *, want_status: bool, want_percent: bool
) -> tuple[str, str, int] | None:
    """A mistyped status or percent starting at word i: (the word not understood, what it seems to
    mean, how many words it takes), or None when word i is ordinary text."""
    bare = words[i].rstrip(_TRAILING)
    lower = bare.lower()
    if want_status:
        two = _STATUS_FIRST_WORDS.get(lower)
        if two is not None and i + 1 < len(words) and not words[i].endswith(tuple(_TRAILING)):
            second = words[i + 1].rstrip(_TRAILING)
            rest = two.split(" ", 1)[1]
            if (
                second.isalpha()
                and len(second) >= 3
                and OSA.distance(second.lower(), rest, score_cutoff=1) <= 1
            ):
                return second, two, 2
        near = _near_status(lower)
        if near is not None:
            return bare, near, 1
    if want_percent and any(c.isdigit() for c in lower):
        glued = _GLUED_UNIT.fullmatch(lower)
        if "%" in lower or (glued is not None and _unit_like(glued.group(1))):
            return bare, "a percent", 1
        if _NUMBER.fullmatch(bare) and i + 1 < len(words):
            unit = _bare(words[i + 1])
            if unit.isalpha() and _unit_like(unit) or set(unit) == {"%"}:
                return f"{bare} {words[i + 1].rstrip(_TRAILING)}", "a percent", 2
    return None


_BARE_PERCENT = re.compile(r"[0-9]{1,3}")
_NEXT = re.compile(r"(?:^|[\s;,.])(?:recovery(?: action)?|next(?: steps?)?)\s*:\s*", re.IGNORECASE)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}


def _date_at(words: list[str], i: int, today: date | None) -> tuple[date | None, str, int] | None:
    """A date starting at word i: 2020-04-30, 30/04/2020, 30 Apr, 30 April 2020; (date or None when
    it names no real day, as typed, word count). A day and month without a year is the next such day."""
    one = words[i].rstrip(_TRAILING)
    m = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", one) or None
    if m:
        return _real(int(m[1]), int(m[2]), int(m[3])), one, 1
    m = re.fullmatch(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{2,4})", one)
    if m:
        year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
        return _real(year, int(m[2]), int(m[1])), one, 1
    if re.fullmatch(r"[0-9]{1,2}", one) and i + 1 < len(words):
        month = _MONTHS.get(_bare(words[i + 1])[:3])
        if month is None or not _bare(words[i + 1]).isalpha():
            return None
        if i + 2 < len(words) and re.fullmatch(r"[0-9]{4}", words[i + 2].rstrip(_TRAILING)):
            typed = " ".join(w.rstrip(_TRAILING) for w in words[i : i + 3])
            return _real(int(words[i + 2].rstrip(_TRAILING)), month, int(one)), typed, 3
        typed = " ".join(w.rstrip(_TRAILING) for w in words[i : i + 2])
        year = today.year if today else date.today().year
        when = _real(year, month, int(one))
        if when is not None and today is not None and when < today:
            when = _real(year + 1, month, int(one))
        return when, typed, 2
    return None


def _real(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _percent_value(typed: str) -> float:
    return float(re.sub(r"[^0-9.]", "", typed) or "nan")


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
    codes = list(plan_codes)
    if codes:
        code_prefixes = frozenset(
            key[0] for key in map(code_key, codes) if key is not None and key[0].isalpha()
        )
    # No catch-all here: a parser bug must surface (the property tests feed it any text), not be
    # turned into a "could not read" that hides it.
    return _parse(text, code_prefixes, today, _known(codes))


def _known(codes: list[str]) -> dict[tuple[str, ...], str]:
    """Key -> code, for keys only one of the plan's codes has (an ambiguous spelling finds neither)."""
    seen: dict[tuple[str, ...], list[str]] = {}
    for code in codes:
        key = code_key(code)
        if key is not None:
            seen.setdefault(key, []).append(code)
    return {key: found[0] for key, found in seen.items() if len(found) == 1}


def _parse(
    text: str,
    code_prefixes: frozenset[str],
    today: date | None = None,
    known: dict[tuple[str, ...], str] | None = None,
) -> QuickUpdate:
    result = QuickUpdate()
    if not isinstance(text, str):
        text = ""
    text = text[:MAX_INPUT_CHARS]  # as typed: the handler undid Slack's escaping, once
    spans = [m.span() for m in _TOKEN.finditer(text)]
    words = [text[a:b] for a, b in spans]
    prefixes = frozenset(p.upper() for p in code_prefixes)

    i = 0
    if words and _bare(words[0]) in _LEADING_WORDS:
        i = 1
    phrase: list[str] = []
    phrase_open = True  # a title phrase may start only once, and only before a code is found
    note_start: int | None = None
    percent_typed: str | None = None
    after_percent = False
    while i < len(words):
        word = words[i]
        bare = word.rstrip(_TRAILING)
        just_after_percent, after_percent = after_percent, False
        code = _code_of(word, prefixes, known or {})
        if code is not None:
            if result.code is None:
                result.code, result.code_typed = code, bare
                phrase_open = False
                i += 1
                continue
            if code == result.code:
                i += 1
                continue
            result.problems.append(
                f"Two milestone codes given ({result.code_typed} and {bare}); "
                f"I used {result.code_typed}: send one update per milestone."
            )
            note_start = i
            break
        status = _status_at(words, i)
        if status is not None and just_after_percent and bare.lower() in _DONE_WORDS:
            # "60% done" is a percent, not the status done; "100% complete" is both.
            if result.percent == 100 and result.status is None:
                result.status, result.status_typed = Status.COMPLETE, bare
            i += 1
            continue
        if status is not None:
            typed = " ".join(words[i : i + status[1]]).rstrip(_TRAILING)
            if result.status is None or status[0] == result.status:
                if result.status is None:
                    result.status, result.status_typed = status[0], typed
                phrase_open = phrase_open and not phrase
                i += status[1]
                continue
            result.problems.append(
                f'Two statuses given ("{result.status_typed}" and "{typed}"); I used "{result.status_typed}".'
            )
            note_start = i
            break
        percent = _percent_at(words, i)
        unclear = (
            None
            if percent is not None
            else _unclear_at(words, i, want_status=result.status is None, want_percent=percent_typed is None)
        )
        if unclear is not None:
            typed, meant, count = unclear
            result.unclear.append(typed)
            guess = "" if meant == "a percent" else f" (did you mean “{meant}”?)"
            what = "percent" if meant == "a percent" else "status"
            result.problems.append(f"I did not understand “{typed}”{guess}: check the {what} below.")
            phrase_open = phrase_open and not phrase
            i += count
            continue
        if percent is not None:
            typed, count = percent
            if percent_typed is None:
                percent_typed = typed
                value = _percent_value(typed)
                if 0 <= value <= 100:
                    result.percent = int(round(value))
                else:
                    result.problems.append(f"{typed} is not a percent from 0 to 100.")
                phrase_open = phrase_open and not phrase
                after_percent = True
                i += count
                continue
            result.problems.append(
                f"Two percents given ({percent_typed} and {typed}); I used {percent_typed}."
            )
            note_start = i
            break
        if (
            percent_typed is None
            and _BARE_PERCENT.fullmatch(bare)
            and (result.code is not None or result.status is not None)
            and int(bare) <= 100
        ):
            # "M-07 60", "ontrack 55 working group met": a bare number after the code or status is a percent.
            percent_typed = f"{bare}%"
            result.percent = int(bare)
            phrase_open = phrase_open and not phrase
            after_percent = True
            i += 1
            continue
        if bare.lower() == "due" and result.due_typed is None and i + 1 < len(words):
            when = _date_at(words, i + 1, today)
            if when is not None:
                result.due, result.due_typed = when[0], when[1]
                if when[0] is None:
                    result.problems.append(
                        f"“{when[1]}” is not a date I can read: check the revised due date."
                    )
                phrase_open = phrase_open and not phrase
                i += 1 + when[2]
                if i < len(words) and _bare(words[i]) in ("because", "as", "reason"):
                    result.due_reason = text[spans[i + 1][0] :].strip() if i + 1 < len(words) else None
                    break
                continue
        if word in _SEPARATORS:
            if phrase:
                phrase_open = False
            i += 1
            continue
        if result.code is None and phrase_open:
            # Words naming the milestone, up to a status, a percent or a separator.
            if bare:
                phrase.append(bare)
            if word[-1:] in ":;":
                phrase_open = False
            i += 1
            continue
        note_start = i
        break

    if phrase:
        result.phrase = " ".join(phrase).strip() or None
    if note_start is not None:
        note = text[spans[note_start][0] :].strip()
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

    if result.code is None and result.phrase is None:
        result.missing.append("milestone")
    if result.status is None:
        result.missing.append("status")
    if result.percent is None:
        result.missing.append("percent")
    if result.note is None:
        result.missing.append("note")
    return result


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
