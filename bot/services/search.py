"""Find an area, milestone or strategic priority from what someone typed.

``search(db, plan_id, "how are we doing on fostr carer reveiws?")`` answers with one clear match, a
short "did you mean" list, or nothing. Codes win outright ("M-07", "m7", "m 07", "afi5", "SP-1").
Otherwise the words left after dropping filler ("how are we doing on", "status of", punctuation) are
matched word by word against each entry's title, description, area and owner (name and role), each
word tolerating typos (rapidfuzz ratio) and in any order. A word that is rare in the plan counts for
more than one that is everywhere ("children"). An area whose own milestones are its only close rivals
is a clear match: "foster carer reviews" is area AFI-5, not a choice between AFI-5 and M-16.

Three statements for a code (areas, priorities, and the few milestones whose code could be the one
typed), one more for words (every milestone with its owner), whatever the plan's size.
"""

from __future__ import annotations

import math
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, Literal

from rapidfuzz import fuzz, process
from sqlalchemy.orm import Session

from bot.services.read_model import cached
from bot.services.search_entries import Entry, HitKind, entries_for
from models.codes import normal_code

__all__ = ["MAX_CHOICES", "Hit", "SearchResult", "normalise_code", "prepare", "search"]

#: At most this many entries in a "did you mean" list.
MAX_CHOICES = 8

# Scoring knobs. A score is the weighted share of the query's words found in an entry (0..1) plus a
# small bonus for how much of the entry's title the query accounts for (0..TITLE_BONUS).
MIN_WORD_SIMILARITY = 80  # rapidfuzz ratio at which a typed word counts as a word of the entry
MIN_SCORE = 0.6  # below this an entry is not a candidate at all
CLEAR_MARGIN = 0.08  # the best must beat the next by this much to be a clear match
AREA_MARGIN = 0.15  # an area this close to the best absorbs its own milestones
CHOICE_WINDOW = 0.3  # choices are the candidates within this of the best
TITLE_BONUS = 0.1
UNKNOWN_WORD_WEIGHT = 0.5  # a word found nowhere in the plan counts this much of the plan's average word
GENERIC_WEIGHT = 0.3  # a generic word ("services", "work") is weak evidence, found or not

# Words that name no subject on their own: "adult services" is about adults, not any "service". Kept as
# typed; `_generic()` stems them when the first search needs them.
GENERIC_WORDS = (
    "service",
    "services",
    "work",
    "team",
    "teams",
    "support",
    "plan",
    "plans",
    "session",
    "sessions",
    "process",
    "processes",
    "activity",
    "activities",
    "programme",
    "programmes",
    "group",
    "groups",
    "thing",
    "things",
    "stuff",
    "piece",
    "bit",
    "matter",
    "matters",
    "issue",
    "issues",
    "action",
    "actions",
    "task",
    "tasks",
    "project",
    "projects",
)

FILLER = frozenset(
    [
        "a",
        "about",
        "all",
        "an",
        "and",
        "any",
        "anything",
        "are",
        "as",
        "at",
        "be",
        "been",
        "being",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "for",
        "from",
        "going",
        "got",
        "has",
        "have",
        "how",
        "i",
        "in",
        "into",
        "is",
        "it",
        "its",
        "let",
        "lets",
        "look",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "please",
        "progress",
        "qib",
        "say",
        "see",
        "show",
        "so",
        "status",
        "tell",
        "that",
        "the",
        "their",
        "them",
        "there",
        "these",
        "this",
        "those",
        "to",
        "up",
        "update",
        "updates",
        "us",
        "wanted",
        "was",
        "we",
        "were",
        "what",
        "whats",
        "where",
        "which",
        "who",
        "with",
        "would",
        "you",
        "your",
        "latest",
        "news",
        "current",
        "currently",
        "re",
        "regarding",
        "give",
        "check",
        "item",
        "items",
        "milestone",
        "milestones",
        "area",
        "areas",
        "priority",
        "priorities",
        "amp",  # Slack escapes & < > in message text
        "lt",
        "gt",
    ]
)

_WORD = re.compile(r"[0-9a-z]+(?:'[0-9a-z]+)*")
_CODE_IN_TEXT = re.compile(r"(?<![0-9a-z])([a-z]{0,5}[\s_-]*\d{1,4}(?:[.-][0-9a-z]{1,4})*)(?![0-9a-z])")
_LEADING_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")
#: All that was typed is one code-shaped word with a number in it: "ZZ-9", "m1.4", "15".
_ONE_CODE = re.compile(r"(?=[^\s]*\d)[A-Za-z0-9]+(?:[-.][A-Za-z0-9]+)*")


@dataclass(frozen=True, slots=True)
class Hit:
    kind: HitKind
    code: str
    title: str
    area_code: str | None  # the milestone's area; the area's own code for an area
    score: float


@dataclass(frozen=True, slots=True)
class SearchResult:
    kind: Literal["match", "choices", "none"]
    text: str  # what was typed
    words: tuple[str, ...]  # the words searched for, filler dropped
    match: Hit | None = None
    choices: list[Hit] = field(default_factory=list)


#: "M-07", "m7", "m 07" and "M07" all become "m-7"; "AFI-5" "afi-5"; "M1-2" and "m1.2" "m-1-2" (not
#: "M-12"). One rule everywhere: models.codes.normal_code, under the name search has always exported.
normalise_code = normal_code


# A Snowball stemmer keeps the word it is stemming on itself: two threads stemming at once (waitress
# answers on several) get each other's stems, or an IndexError. Stems are cached, so the lock is rare.
_STEMMING = threading.Lock()


@cache
def _stemmer() -> Any:
    """Snowball's English stemmer, made on the first search: `import snowballstemmer` loads the stemmers
    of thirty languages, which a `qib` command or tick that never searches has no reason to pay for."""
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def prepare() -> None:
    """Load the stemmer now: `qib run` does, before it forks, so no worker's first search waits for it."""
    _generic()


@cache
def _generic() -> frozenset[str]:
    """GENERIC_WORDS as stems, the form the words of a search are compared in."""
    with _STEMMING:
        return frozenset(_stemmer().stemWords(list(GENERIC_WORDS)))


@lru_cache(maxsize=65536)
def _normal_word(raw: str) -> str:
    """The word's English stem (Snowball): supervision, supervisions and supervising meet; fostered and
    fostering are foster. Filler is checked before stemming, so it is listed as people type it."""
    word = raw.removesuffix("'s").removesuffix("s'").replace("'", "")
    if word in FILLER or word.isdigit():
        return word
    with _STEMMING:
        return str(_stemmer().stemWord(word))


def _words(text: str) -> list[str]:
    """Lower-case words, apostrophes and possessives dropped, each taken to its stem."""
    words = (_normal_word(raw) for raw in _WORD.findall(text.casefold().replace("’", "'")))
    return [w for w in words if w]


@lru_cache(maxsize=16384)
def _content_words(text: str) -> tuple[str, ...]:
    """The words that say what the text is about (cached: titles, names and roles repeat)."""
    return tuple(w for w in _words(text) if w not in FILLER)


def _code_candidates(text: str) -> list[str]:
    """Every spelling in the text that could be a code, normalised ("M-07 and afi 5" -> m7, afi5, ...)."""
    candidates = [normalise_code(text)]
    candidates += [normalise_code(spelled) for spelled in _CODE_IN_TEXT.findall(text.casefold())]
    candidates += [normalise_code(token) for token in text.split()]
    return [c for c in dict.fromkeys(candidates) if c]


def _hit(entry: Entry, score: float) -> Hit:
    return Hit(entry.kind, entry.code, entry.title, entry.area_code, round(score, 3))


def _by_code(text: str, entries: list[Entry]) -> list[Entry]:
    """Entries whose code appears in the text, in any of its spellings ("M-07", "m7", "afi 5")."""
    codes: dict[str, Entry] = {normalise_code(e.code): e for e in entries}
    found: list[Entry] = []
    for key in _code_candidates(text):
        entry = codes.get(key)
        if entry is not None and entry not in found:
            found.append(entry)
    return found


@lru_cache(maxsize=4)
def _vocabulary(
    texts: tuple[tuple[tuple[str | None, float], ...], ...],
) -> tuple[dict[str, dict[int, float]], list[str], float]:
    """Word -> entry index -> field weight, and the words, for the entries' texts (read-only).

    Kept for the texts it was built from (they are the key, so any change to a title, an owner or a
    description builds it afresh): searching the same plan again only has to look words up.
    """
    vocabulary: dict[str, dict[int, float]] = defaultdict(dict)
    for i, fields in enumerate(texts):
        for text, weight in fields:
            if not text:
                continue
            for word in _content_words(text):
                seen = vocabulary[word]
                if seen.get(i, 0.0) < weight:
                    seen[i] = weight
    n = len(texts)
    mean_idf = sum(math.log(1 + n / len(seen)) for seen in vocabulary.values()) / max(1, len(vocabulary))
    return dict(vocabulary), list(vocabulary), mean_idf


def _score(words: list[str], entries: list[Entry]) -> list[tuple[float, Entry]]:
    vocabulary, vocab, mean_idf = _vocabulary(tuple(e.texts for e in entries))

    per_word: list[dict[int, float]] = []  # for each query word: entry index -> similarity (0..1)
    matched_vocab: list[set[str]] = []
    for word in words:
        if len(word) <= 3:  # short words and numbers must be exact: "16" is not "17"
            similar = [(word, 100.0)] if word in vocabulary else []
        else:
            similar = [
                (choice, score)
                for choice, score, _ in process.extract(
                    word, vocab, scorer=fuzz.ratio, score_cutoff=MIN_WORD_SIMILARITY, limit=None
                )
            ]
        best: dict[int, float] = {}
        for choice, score in similar:
            for i, weight in vocabulary[choice].items():
                value = weight * score / 100
                if value > best.get(i, 0.0):
                    best[i] = value
        per_word.append(best)
        matched_vocab.append({choice for choice, _ in similar})

    n = len(entries)
    if not any(per_word):
        return []
    # A word the plan never uses counts as much as half the plan's average word, so one shared word
    # cannot carry a question about something the plan does not cover ("adult services").
    idf = [
        (math.log(1 + n / len(best)) if best else UNKNOWN_WORD_WEIGHT * mean_idf)
        * (GENERIC_WEIGHT if word in _generic() else 1.0)
        for word, best in zip(words, per_word, strict=True)
    ]
    total = sum(idf)

    scored: list[tuple[float, Entry]] = []
    touched = {i for best in per_word for i in best}
    all_matched = set().union(*matched_vocab)
    for i in touched:
        entry = entries[i]
        coverage = sum(weight * best.get(i, 0.0) for weight, best in zip(idf, per_word, strict=True)) / total
        title_words = set(_content_words(entry.title))
        title_share = len(title_words & all_matched) / len(title_words) if title_words else 0
        scored.append((coverage + TITLE_BONUS * title_share, entry))
    scored.sort(key=lambda pair: -pair[0])
    return scored


def _area_over_its_milestones(
    scored: list[tuple[float, Entry]], close: list[tuple[float, Entry]], best_score: float
) -> tuple[float, Entry] | None:
    """An area whose own milestones are its only close rivals is what was meant."""
    for score, entry in scored:
        if score < best_score - AREA_MARGIN:
            break
        if entry.kind == "area" and all(
            e is entry or (e.kind == "milestone" and e.area_id == entry.area_id) for _, e in close
        ):
            return score, entry
    return None


def search(db: Session, plan_id: int, text: str) -> SearchResult:
    """One clear match, a few choices, or none, for a code or a few words about an area or milestone.
    Kept in the read model per text typed while the plan's revision stands."""
    return _search(db=db, plan_id=plan_id, text=text)


@cached
def _search(*, db: Session, plan_id: int, text: str) -> SearchResult:
    words = list(_content_words(text))
    found = entries_for(db, plan_id, _code_candidates(text))
    entries = found.areas_and_priorities()
    by_code = _by_code(text, entries + found.milestones_by_code())
    if len(by_code) == 1:
        return SearchResult("match", text, tuple(words), match=_hit(by_code[0], 1.0))
    if by_code:
        return SearchResult(
            "choices", text, tuple(words), choices=[_hit(e, 1.0) for e in by_code[:MAX_CHOICES]]
        )
    if not words or _ONE_CODE.fullmatch(text.strip()):
        # A code that is no code of the plan ("ZZ-9") is not searched for as words: its number alone
        # would find any title with that number in it.
        return SearchResult("none", text, tuple(words))

    entries += found.milestones()
    scored = [(s, e) for s, e in _score(words, entries) if s >= MIN_SCORE]
    if not scored:
        return SearchResult("none", text, tuple(words))
    best_score, best = scored[0]
    close = [(s, e) for s, e in scored if s >= best_score - CLEAR_MARGIN]
    if len(close) == 1:
        return SearchResult("match", text, tuple(words), match=_hit(best, best_score))

    area = _area_over_its_milestones(scored, close, best_score)
    if area is not None:
        return SearchResult("match", text, tuple(words), match=_hit(area[1], area[0]))

    choices = [_hit(e, s) for s, e in scored if s >= best_score - CHOICE_WINDOW][:MAX_CHOICES]
    return SearchResult("choices", text, tuple(words), choices=choices)
