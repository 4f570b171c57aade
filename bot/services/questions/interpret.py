"""A question in plain words -> an intent. Pure and Slack-free: text, the plan's local date and the
plan's own codes and people in, a typed intent out.

The rules run from the most specific to the least: a subcommand typed as such, a greeting, help,
history, performance measures (once the plan has any: "how many foster carer reviews are out of
timescale", "latest on KPI-3"), changes, decisions, due dates, stale, ownership, ratings, meetings, the
summary, then a code, and last whatever words are left as a topic for search.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from bot.services.questions import intents as q
from bot.services.questions.dates import MONTHS, UNITS, find_date, find_window
from models.codes import normal_code

__all__ = ["PlanTerms", "interpret", "normalise", "typed_command"]


@dataclass(frozen=True)
class PlanTerms:
    """What the interpreter needs to know of the plan: its codes and its people's names, as stored."""

    codes: tuple[str, ...] = ()
    people: tuple[str, ...] = ()  # names ("Alex Morgan") and keys ("iro-ops")
    commands: frozenset[str] = frozenset()  # the /qib subcommands there are
    measures: tuple[str, ...] = ()  # the performance measures' codes ("KPI-3"), apart from the plan's
    _names: tuple[tuple[str, re.Pattern[str]], ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        """The names to look for, read once: the terms are kept and shared (bot.services.read_model), so
        they never change after they are made."""
        names: dict[str, str] = {}
        for person in self.people:
            full = person.casefold()
            names[full] = person
            for part in re.split(r"[\s-]+", full):
                if len(part) > 2:
                    names.setdefault(part, person)
        longest_first = sorted(names, key=len, reverse=True)
        patterns = tuple((name, re.compile(rf"\b{re.escape(name)}\b")) for name in longest_first)
        object.__setattr__(self, "_names", patterns)

    def name_in(self, text: str) -> str | None:
        """The person named in the text (a full name, a first name or a surname), as typed. The longest
        name found wins; a plain substring test first spares the hundreds of names not in the text."""
        for name, pattern in self._names:
            if name in text and pattern.search(text):
                return name
        return None


_MENTION = re.compile(r"<[@!#][^>]*>")
_LEADING_MENTIONS = re.compile(r"^\s*(<[@!#][^>]*>[\s,:]*)+")
_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_PUNCT = re.compile(r"[?!,;:\"“”()]+|\.(?=\s|$)")
# Short forms of the subcommands, for the command line and questions alike (one table).
ALIASES = {
    "": "help",
    "?": "help",
    "h": "help",
    "s": "status",
    "st": "status",
    "sum": "summary",
    "me": "mine",
    "my": "mine",
    "late": "overdue",
    "u": "update",
    "upd": "update",
    "hist": "history",
}

_GREETING = re.compile(
    r"^(hi|hello|hey|hiya|morning|good (morning|afternoon|evening)|thanks|thank you|cheers|yo)"
    r"( there)?( qib| bot)?$"
)
_GREETING_LEAD = re.compile(r"^(hi|hello|hey|hiya|morning|good (morning|afternoon)) (there )?(qib )?")
_HELP = re.compile(
    r"^(help|\?|commands?|what can you do|what can i ask( you)?|how do (i|you) use (you|this|qib)|"
    r"what do you do|usage|instructions)( please)?$|\bhelp me\b|\bwhat commands\b"
)
_HISTORY = re.compile(
    r"\b(?:history|log|timeline|audit trail|trail|updates)\s+(?:of|for|on|to)\s+(.+)$|^(.+?)\s+history$|"
    r"\bwhat (?:has )?happened (?:to|with)\s+(.+)$"
)
_CHANGES = re.compile(
    r"\b(chang|what'?s new|whats new|moved|movement|progress since|updated since|updates since|"
    r"since (the )?last (board|meeting)|since we last met)"
)
_DECISIONS = re.compile(r"\b(decision|decide|sign ?off|sign-off|approv|escalat|the board needs? to)")
_STALE = re.compile(
    r"\b(stale|hasn'?t updated|haven'?t updated|hasnt updated|havent updated|not (been )?updated|"
    r"no updates?|awaiting (an )?updates?|waiting (for|on) (an )?updates?|out of date|needs? (an )?updat|"
    r"missing updates?|chase|chasing|not reported|who hasn'?t|who havent|who has not|gone quiet|silent)"
)
_DUE = re.compile(
    r"\b(due|deadlines?|coming up|falls? due|falling due|expected|deliver(ed|y)? by|scheduled|upcoming|"
    r"before the (next )?(board|meeting)|ahead of the (next )?(board|meeting)|to be done by|"
    r"what'?s next|finish(es|ing)? (by|in|this|next))\b"
)
_MINE = re.compile(
    r"\b(mine|my (own )?(milestones?|actions?|items?|things|stuff|tasks?|work|bits)|what do i own|"
    r"what i own|assigned to me|i'?m responsible|am i responsible|i own|do i have|have i got|"
    r"my updates?|for me|i need to)\b|^me$"
)
_OWNER_WORDS = re.compile(
    r"\b(own|owns|owned|owning|owner|responsible|assigned|actions?|milestones?|items?|tasks?|"
    r"working on|doing|leads?|leading|in charge)\b|'s\b"
)
_RATINGS: list[tuple[re.Pattern[str], tuple[q.Rating, ...]]] = [
    # Red is significant risk or late: off track and overdue alike.
    (re.compile(r"\b(reds?|rag red|significant risk)\b"), ("off track", "overdue")),
    (re.compile(r"\b(off[ -]?track|offtrack|failing)\b"), ("off track",)),
    (re.compile(r"\b(ambers?|at[ -]risk|risky|in danger|risks?)\b"), ("at risk",)),
    (re.compile(r"\b(greens?|on[ -]?track|going well)\b"), ("on track",)),
    (
        re.compile(r"\b(blues?|complete|completed|done|finished|delivered|closed|achieved)\b"),
        ("complete",),
    ),
    (
        re.compile(
            r"\b(not started|not begun|yet to start|(haven'?t|hasn'?t|has not|have not) (yet )?started)\b"
        ),
        ("not started",),
    ),
]
_OVERDUE = re.compile(r"\b(overdue|over due|late|past (its |their )?due|behind|slipped|slipping|missed)\b")
_MEETINGS = re.compile(
    r"\b(meetings?|when (does|do|is|will) (the )?(board|we) (meet|next)|next board|board dates?|"
    r"when is the (next )?board|when do we meet|schedule of (the )?board)\b"
)
_SUMMARY = re.compile(
    r"\b(summary|summarise|summarize|overview|headlines?|board view|big picture|overall|rag|"
    r"how are we doing|how are things|hows it going|how is it going|how'?s the plan|where are we|"
    r"position|dashboard|report|whole plan|the plan)\b"
)
_MEASURE = re.compile(
    r"\b(kpis?|measures?|performance|indicators?|metrics?|figures?|numbers|stats|statistics|"
    r"(with)?in timescales?|out of timescales?|timescales?)\b"
)
_MEASURE_FILLER = re.compile(
    r"\b(how many|how much|how|many|much|are|is|were|was|our|the|we|us|what|whats|what's|which|show|me|"
    r"give|tell|latest|kpis?|measures?|performance|indicators?|metrics?|figures?|numbers|stats|statistics|"
    r"doing|for|on|about|with|all|any|there|do|does|have|has|a|an|please|current|currently|now|today|"
    r"looking|going|data|key|see|get|can|i|you|and)\b"
)
_PRIORITIES = re.compile(r"\b(strategic )?priorit(y|ies)\b")

_LEADING = re.compile(
    r"^(how (are|r) we doing (on|with) |how are things (on|with) |how'?s it going (on|with) |hows it going (on|with) |"
    r"how are we getting on (on|with) |where are we (on|with) |how far along is |how far is |"
    r"i'?d like to know |i want to know |let me know |any news on |do we have |"
    r"please |can you |could you |would you |tell me |show me |give me |list |what is |what'?s |whats |"
    r"what are |what about |how about |how is |how'?s |hows |how are |status (of|on|for) |status |updates? on |"
    r"progress (on|of|with) |news on |latest on |the |on |about |re |regarding |where is |where'?s |is |are )+"
)
_TRAILING = re.compile(
    r"( (going|doing|getting on|coming along|progressing|looking|please|now|then|at the moment|"
    r"currently|so far|today))+$"
)
_FILLER_ONLY = re.compile(
    r"^(please|can you|could you|the|a|an|and|of|on|is|are|what|whats|what's|how|show|me|tell|"
    r"list|all|any|our|us|we|it|please|things|stuff|actions?|milestones?|items?|do|does|doing|i|you|"
    r"which|ones?|there|that|those|these|now|today|many|how many|for|board|\s)*$"
)
# A code in any number of parts (`M-07`, `A1.2.3`, `1.2.3`), read whole: it never stops short of a
# separator followed by more of the code (`A1.2.3` is not `A1.2`).
_CODE_SHAPE = re.compile(
    r"(?<![\w.])([a-z]{1,5}[\s_-]*\d{1,4}(?:[.-]\d{1,3})*|\d{1,2}(?:\.\d{1,2})+)(?![\w]|[.-]\w)"
)


def normalise(text: str) -> str:
    """Lower case, mentions and most punctuation gone, curly apostrophes straightened, one space."""
    text = _MENTION.sub(" ", text).replace("’", "'").replace("‘", "'")
    text = _PUNCT.sub(" ", text.casefold())
    return " ".join(text.split())


def as_typed(topic: str, typed: str) -> str:
    """The words of ``typed`` that read as ``topic`` (which is normalised), as the person wrote them:
    what a reply quotes back, so "how is R&D going?" is quoted as “R&D”, not “r d”. The longest such run
    of words wins (it keeps the punctuation typed around them); a question mark ends a question, not a
    topic. Without such a run, the topic itself."""
    words = typed.split()
    best: list[str] = []
    for i in range(len(words)):
        for j in range(len(words), i, -1):
            if j - i > len(best) and normalise(" ".join(words[i:j])) == topic:
                best = words[i:j]
                break
    if not best:
        return topic
    return " ".join(best).rstrip("?").rstrip() or topic


@lru_cache(maxsize=256)
def _code_index(codes: tuple[str, ...]) -> dict[str, str]:
    """Each code's spellings -> the code: "M-07" is also "m7" and "m07"; "1.1" only itself."""
    index: dict[str, str] = {}
    for code in codes:
        index[code.casefold()] = code
        if code[:1].isalpha():
            index[normal_code(code)] = code
    return index


def find_code(text: str, codes: Iterable[str]) -> str | None:
    """The first of the plan's codes the text names, in any of its spellings."""
    index = _code_index(tuple(codes))
    for match in _CODE_SHAPE.finditer(text):
        raw = match.group(1)
        for key in (raw, raw.replace(" ", ""), normal_code(raw) if raw[:1].isalpha() else raw):
            if key in index:
                return index[key]
    tokens = text.split()
    for i, token in enumerate(tokens):
        token = token.strip("'")
        if token in index and not _a_figure(tokens, i) and not _a_word(tokens, i, text):
            return index[token]
    return None


# Codes a plan may give that are also English words (areas lettered A, B, C... I), and the nouns that name
# a code as such.
# fmt: off
_ENGLISH_WORDS = frozenset({
    "a", "i", "an", "as", "at", "be", "by", "do", "go", "if", "in", "is", "it", "me", "my", "no", "of", "on",
    "or", "so", "to", "up", "us", "we",
})
_CODE_NOUNS = frozenset({
    "area", "areas", "priority", "priorities", "milestone", "milestones", "action", "actions", "item", "code",
    "section", "theme", "strand",
})
# fmt: on


def _a_word(tokens: list[str], i: int, text: str) -> bool:
    """`give me a summary`: in a plan lettering its areas A, B, C, the word "a" is area A only when named as
    a code (`area a`) or when it is all the question is about (`how is a doing?`)."""
    word = tokens[i].strip("'")
    if word not in _ENGLISH_WORDS or (i > 0 and tokens[i - 1] in _CODE_NOUNS):
        return False
    return _topic(text) != word


def _a_figure(tokens: list[str], i: int) -> bool:
    """`next 60 days`, `15 may`, `may 30`, `60%`, `top 10`: a number that counts or dates something, which a plan
    numbering its milestones 1, 2, 30... must not read as a code."""
    if not tokens[i].strip("'").isdigit():
        return False
    after = tokens[i + 1].strip("?!.,;:'") if i + 1 < len(tokens) else ""
    before = tokens[i - 1].strip("?!.,;:'") if i > 0 else ""
    return (
        after in UNITS
        or after in MONTHS
        or before in MONTHS
        or after in ("%", "percent", "working", "most", "biggest", "worst", "oldest", "latest")
        or before in ("top", "first", "last")
    )


def _topic(text: str) -> str:
    previous = None
    while text != previous:
        previous = text
        text = _LEADING.sub("", text).strip()
        text = _TRAILING.sub("", text).strip()
    return text


def interpret(text: str, today: date, terms: PlanTerms = PlanTerms()) -> q.Intent:
    """What the question asks for. Never raises: nothing recognised is a status question about its
    words (which search answers, or the fallback explains), or NotUnderstood when no words are left."""
    # The bot's own mention leads a mention event; any other (`owner M-07 <@U123>`) is part of the text.
    raw = " ".join(_LEADING_MENTIONS.sub("", text).split()).removeprefix("/qib").strip()
    clean = normalise(raw)
    if not clean:
        return q.Help()
    typed = _as_command(clean, raw, today, terms)
    if typed is not None:
        return typed
    if _GREETING.match(clean):
        return q.Greeting()
    clean = _GREETING_LEAD.sub("", clean).strip() or clean
    person = _USER_MENTION.search(raw)
    if person and _OWNER_WORDS.search(clean) and not find_code(clean, terms.codes):
        return q.Owned(who=person.group(0))
    return _question(clean, today, terms)


def typed_command(text: str, today: date, commands: frozenset[str]) -> q.Intent | None:
    """The intent of a subcommand typed as such whose reading needs nothing of the plan (`summary`,
    `update M-05 on track`, `status` alone), else None: the caller can skip loading the plan's words."""
    raw = " ".join(_LEADING_MENTIONS.sub("", text).split()).removeprefix("/qib").strip()
    clean = normalise(raw)
    first, _, rest = clean.partition(" ")
    name = ALIASES.get(first, first)
    if not clean or name not in commands or (rest and name == "priority"):
        return None
    return _as_command(clean, raw, today, PlanTerms(commands=commands))


def _as_command(clean: str, raw: str, today: date, terms: PlanTerms) -> q.Intent | None:
    """`status red`, `due in march`, `history M-07`, `update M-05 ...`: a subcommand typed as such.
    Subcommands that take free text (an update's note) get it as typed, case and all."""
    first, _, rest = clean.partition(" ")
    name = ALIASES.get(first, first)
    if name not in terms.commands or (name == "update" and re.match(r"(on|about|for) (?!track\b)", rest)):
        return None  # "update on M-16" asks for one, it does not give one
    rest = rest.strip()
    if name == "help":
        return q.Help()
    raw_rest = raw.split(maxsplit=1)[1].strip() if len(raw.split(maxsplit=1)) > 1 else ""
    if rest and (given := _with_argument(name, rest, raw_rest, today)) is not None:
        return given
    simple: dict[str, q.Intent] = {
        "status": q.Status(),
        "due": q.Due(),
        "summary": q.Summary(),
        "mine": q.Owned(mine=True),
        "overdue": q.Overdue(),
        "stale": q.Stale(),
        "meetings": q.Meetings(),
    }
    if name in simple and (not rest or _FILLER_ONLY.match(rest) or rest == "please"):
        return simple[name]
    if name == "priority":
        return q.Priorities(find_code(rest, terms.codes) or rest) if rest else q.Priorities()
    return q.Command(name, raw_rest)


def _with_argument(name: str, rest: str, raw_rest: str, today: date) -> q.Intent | None:
    """`status red`, `status of fostering`, `due in march`, `history M-07`: a subcommand with words."""
    if name == "status" and rest:
        # Read without the plan's codes (search finds them): "status red" is a rating, not a topic.
        ratings = _ratings(rest)
        if ratings and _FILLER_ONLY.match(_strip_ratings(rest)):
            return q.ByRating(ratings)
        return q.Status(re.sub(r"^(of|on|for|about)\s+", "", raw_rest, flags=re.IGNORECASE).rstrip("?!. "))
    if name == "due" and rest:
        if re.fullmatch(r"\d{1,4}( days?)?", rest):
            return q.Command("due", rest)  # `/qib due 14`: the subcommand's own reading
        return _due(rest, today) or q.Command("due", raw_rest)  # not a window: the subcommand says so
    if name == "history" and rest:
        return _history(re.sub(r"^(of|for|on|to) ", "", rest))
    return None


def _ratings(text: str) -> frozenset[q.Rating]:
    found: set[q.Rating] = {
        rating for pattern, ratings in _RATINGS if pattern.search(text) for rating in ratings
    }
    if _OVERDUE.search(text):
        found.add("overdue")
    return frozenset(found)


def _strip_ratings(text: str) -> str:
    for pattern, _ in _RATINGS:
        text = pattern.sub(" ", text)
    text = _OVERDUE.sub(" ", text)
    return " ".join(text.split())


def _due(text: str, today: date) -> q.Due | None:
    if re.search(r"\b(before|ahead of|by) the (next )?(board|meeting)\b", text):
        return q.Due()
    if re.fullmatch(r"\d{1,4}( days?)?", text):
        n = int(text.split()[0])
        return q.Due(frm=today, until=today + timedelta(days=n)) if n <= 3650 else None
    window = find_window(text, today)
    if window is None:
        return None
    return q.Due(frm=window.frm, until=window.until, reading=window.reading)


def _history(topic: str) -> q.History:
    """History of a code, upper-cased as codes are written (the history subcommand finds it in any
    spelling, so this needs nothing of the plan), or of words."""
    topic = _topic(topic)
    return q.History(topic.upper() if _CODE_SHAPE.fullmatch(topic) else topic)


def _measure(clean: str, code: str | None, measures: tuple[str, ...]) -> q.Measure | None:
    """A measure's code names it; words about measures ("KPIs", "in timescale", "figures") ask for
    those the remaining words select (an area or priority code among them), or all of them."""
    if not code and (named := find_code(clean, measures)):
        return q.Measure(named)
    if not _MEASURE.search(clean):
        return None
    if code:
        return q.Measure(code)
    words = _MEASURE_FILLER.sub(" ", _topic(clean)).replace("timescales", "timescale")
    return q.Measure(" ".join(words.split()))


def _question(clean: str, today: date, terms: PlanTerms) -> q.Intent:
    if _HELP.search(clean):
        return q.Help()
    if m := _HISTORY.search(clean):
        return _history(next(g for g in m.groups() if g))
    code = find_code(clean, terms.codes)
    if terms.measures and (measure := _measure(clean, code, terms.measures)):
        return measure
    if code:
        return _about_code(clean, code)
    return _listing(clean, today, terms) or _about_topic(clean)


def _listing(clean: str, today: date, terms: PlanTerms) -> q.Intent | None:
    """A question naming no code that asks for a list: stale, changes, decisions, mine, overdue, due..."""
    if _STALE.search(clean):
        return q.Stale()
    if _CHANGES.search(clean):
        return _changes(clean, today)
    if _DECISIONS.search(clean):
        return q.Decisions()
    if _MINE.search(clean):
        return q.Owned(mine=True)
    if _OVERDUE.search(clean) and not _ratings(_OVERDUE.sub(" ", clean)):
        return q.Overdue()
    if _DUE.search(clean):
        return _due(clean, today) or q.Due()
    if (who := terms.name_in(clean)) and _OWNER_WORDS.search(clean):
        return q.Owned(who=who)
    ratings = _ratings(clean)
    if ratings:
        return q.Overdue() if ratings == {"overdue"} else q.ByRating(ratings)
    if _MEETINGS.search(clean):
        return q.Meetings()
    return None


def _changes(clean: str, today: date) -> q.Changes:
    since = re.search(r"\bsince (.+)$", clean)
    if since and not re.match(r"(the )?last (board|meeting)|we last met", since[1]):
        found = find_date(since[1], today, past=True)
        if found:
            return q.Changes(since=found[0], reading=found[1])
    return q.Changes()


def _about_code(clean: str, code: str) -> q.Intent:
    if _PRIORITIES.search(clean) and code.casefold().startswith("sp"):
        return q.Priorities(code)
    return q.Status(code)


def _about_topic(clean: str) -> q.Intent:
    if _PRIORITIES.search(clean) and _FILLER_ONLY.match(_PRIORITIES.sub(" ", clean)):
        return q.Priorities()
    topic = _topic(clean)
    if _SUMMARY.search(clean) and (
        not topic or _SUMMARY.fullmatch(topic) or _FILLER_ONLY.match(_SUMMARY.sub(" ", topic))
    ):
        return q.Summary()
    if not topic or _FILLER_ONLY.match(topic):
        return q.NotUnderstood(clean, topic)
    return q.Status(topic)
