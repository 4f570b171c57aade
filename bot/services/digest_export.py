"""The monthly digest as a board paper: Markdown or a self-contained HTML page, readable on its own.

Pure and Slack-free: a `Digest` in, a string out. Both formats are rendered from the same outline, so they
say the same things in the same order: the title (board, meeting date), the plan and authority, when it
was posted, then the headline, exceptions, completions, status moves, what falls due before the meeting,
and one section per area.

Every piece of plan or user text is untrusted. Control characters (escape sequences, bidi overrides) are
dropped and whitespace folded, then the text is escaped for its format: `html.escape(quote=True)` in
HTML, and in Markdown every character that could change the structure (table pipes, emphasis, code,
headings, list markers, link brackets, raw HTML) is backslash-escaped or written as an entity.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.services.digest import Digest, DigestArea, DigestChange, DigestMeasure, DigestRow
from bot.services.digest_chart import (
    brag_alt_text,
    brag_chart_png,
    charted_measures,
    measure_alt_text,
    measure_chart_png,
)
from bot.services.measures import format_value
from bot.services.periods import period_label
from bot.services.wording import person_label

__all__ = [
    "clean_text",
    "long_date",
    "markdown_escape",
    "outline",
    "short_date",
    "to_html",
    "to_markdown",
]

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

STALE_NOTE = "no update since the last meeting"
AWAITING_NOTE = "awaiting an update"
NONE = "None"

# C0/C1 controls (tab and newlines are folded as whitespace below), zero-width and bidi controls.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e"
    r"\u2060-\u2064\u2066-\u2069\ufeff]"
)
_SPACE = re.compile(r"\s+")
# Backslash-escapable in CommonMark/GFM and able to start emphasis, code, links, tables, headings, etc.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")
# At the start of a line these would make a list, quote, heading underline or thematic break.
_MD_LEADING = re.compile(r"^([-+=]|\d+(?=[.)]))")


# ---- text ------------------------------------------------------------------------------------------------


def clean_text(text: object) -> str:
    """Plan or user text on one line: control characters dropped, runs of whitespace folded to a space."""
    return _SPACE.sub(" ", _CONTROL.sub("", str(text))).strip()


def markdown_escape(text: object, *, line_start: bool = True) -> str:
    """Text made inert in Markdown (CommonMark/GFM), safe inside a table cell.

    & < > become entities (so no raw HTML, autolinks or Slack-style `<!channel>`) and punctuation that
    makes structure is backslash-escaped. With `line_start` (text that may begin a line), a leading list,
    quote or heading-underline marker is escaped too.
    """
    s = clean_text(text)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    m = _MD_LEADING.match(s) if line_start else None
    if m:
        s = s[: m.end()] + "\\" + s[m.end() :] if m.group(1)[0].isdigit() else "\\" + s
    return s


def _html(text: object) -> str:
    return html.escape(clean_text(text), quote=True)


# ---- dates -----------------------------------------------------------------------------------------------


def short_date(d: date | None) -> str:
    """`Fri 7 Feb 2020` (English whatever the locale); `no date` for None."""
    if d is None:
        return "no date"
    return f"{_DAYS[d.weekday()][:3]} {d.day} {_MONTHS[d.month - 1][:3]} {d.year}"


def long_date(d: date) -> str:
    """`Thursday 20 February 2020`."""
    return f"{_DAYS[d.weekday()]} {d.day} {_MONTHS[d.month - 1]} {d.year}"


def _local_moment(moment: datetime, tz: str) -> str:
    """`Fri 14 Feb 2020 at 09:00 GMT` in the given zone (a naive datetime is taken as UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    local = aware.astimezone(ZoneInfo(tz))
    return f"{short_date(local.date())} at {local:%H:%M} {local.tzname() or tz}"


def _number(x: float) -> str:
    """42.5 -> `42.5`, 25.0 -> `25`."""
    return f"{round(x, 1):g}"


# ---- the outline, shared by both formats -----------------------------------------------------------------


@dataclass(frozen=True)
class _Status:
    word: str
    note: str = ""


_Cell = str | _Status


@dataclass(frozen=True)
class _Para:
    label: str
    value: _Cell


@dataclass(frozen=True)
class _Table:
    headers: tuple[str, ...]
    rows: list[tuple[_Cell, ...]]


@dataclass(frozen=True)
class _Chart:
    name: str  # "brag": the BRAG-over-time chart; "measure": a measure's trend chart (its `code`)
    code: str = ""


_Block = _Para | _Table | _Chart


@dataclass
class _Section:
    title: str
    blocks: list[_Block] = field(default_factory=list)
    subsections: list[_Section] = field(default_factory=list)
    empty: bool = False  # says "None"


@dataclass
class _Paper:
    title: str
    preamble: list[_Para]
    sections: list[_Section]


_MILESTONE_HEADERS = ("Code", "Milestone", "Owner", "Due", "Status", "Progress")


def _owner(name: str | None, role: str | None) -> str:
    if not name:
        return f"{role} (no named owner)" if role else "No owner"
    return person_label(name, role)


def _row_status(r: DigestRow) -> _Status:
    """The milestone's rating, always; staleness is a note beside it, never in its place."""
    return _Status(r.health, STALE_NOTE if r.stale or r.kind == "stale" else "")


def _milestone_table(rows: Sequence[DigestRow]) -> _Table:
    return _Table(
        _MILESTONE_HEADERS,
        [
            (
                r.code,
                r.title,
                _owner(r.owner, r.owner_role),
                short_date(r.due),
                _row_status(r),
                f"{r.percent}%",
            )
            for r in rows
        ],
    )


HOW_TO_READ = (
    "Each milestone keeps its owner's rating: blue complete, green on track, amber at risk, red off "
    "track; overdue means past its due date and not complete. Exceptions are the items off track, at risk "
    "or overdue. Items with no update since the reminders went out are listed as awaiting an update."
)
_RATING = {
    "complete": "complete (blue)",
    "on track": "on track (green)",
    "at risk": "at risk (amber)",
    "off track": "off track (red)",
}


def _delta(now: int, then: int | None) -> str:
    if then is None:
        return "—"
    return f"{now - then:+d}" if now != then else "no change"


def _headline(d: Digest) -> _Section:
    h = d.headline
    brag = d.brag()
    first = d.last_headline is None
    blocks: list[_Block] = [
        _Para("Complete", f"{h.complete} of {h.milestones} milestones ({_number(h.share_complete)}%)"),
        _Para("Since the last board", d.change),
        _Table(
            ("Rating", "Milestones now", "At the last board", "Change"),
            [
                (
                    _Status(k, "" if k not in _RATING else _RATING[k].split(" (")[1].rstrip(")")),
                    str(n),
                    "—" if then is None else str(then),
                    _delta(n, then),
                )
                for k, n, then in brag
            ],
        ),
    ]
    if first:
        blocks.append(_Para("Note", "this is the first digest, so there is no earlier board to compare with"))
    if d.areas:
        last = d.last_area_health
        blocks.append(
            _Table(
                ("Area", "Rating now", "At the last board"),
                [
                    (
                        f"{a.code}: {a.title}",
                        _Status(a.health) if a.health else "no milestones",
                        _was(last, a.code),
                    )
                    for a in d.areas
                ],
            )
        )
    if d.brag_history:
        blocks.append(_Chart("brag"))
    return _Section("Headline", blocks)


def _was(last: dict[str, str | None] | None, code: str) -> _Cell:
    if last is None:
        return "—"
    rating = last.get(code)
    return _Status(rating) if rating else "not rated"


def _decisions(d: Digest) -> _Section:
    title = "Decisions for the board"
    if not d.decisions:
        return _Section(title, empty=True)
    return _Section(
        title,
        [
            _Table(
                ("Code", "Milestone", "Owner", "Decision needed", "Asked"),
                [
                    (x.code, x.title, _owner(x.owner, x.owner_role), x.decision, short_date(x.asked_on))
                    for x in d.decisions
                ],
            )
        ],
    )


def _exceptions(d: Digest) -> _Section:
    rows = [r for r in d.exceptions if r.kind != "stale"]  # older digests listed stale items here
    awaiting = set(d.awaiting_update)
    blocks: list[_Block] = []
    if rows:
        blocks.append(
            _Table(
                ("Code", "Milestone", "Rating", "Owner", "Due", "Reason", "Recovery action"),
                [
                    (
                        r.code,
                        r.title,
                        _Status(r.health, AWAITING_NOTE if r.code in awaiting else ""),
                        _owner(r.owner, r.owner_role),
                        short_date(r.due)
                        + (
                            f" (revised to {short_date(r.revised_due)}, awaiting approval)"
                            if r.revised_due
                            else ""
                        ),
                        "; ".join(
                            part
                            for part in (
                                r.reason,
                                f"Revised date requested: {r.revised_reason}"
                                if r.revised_due and r.revised_reason
                                else None,
                            )
                            if part
                        )
                        or "No reason given",
                        r.recovery or "None given",
                    )
                    for r in rows
                ],
            )
        )
    else:
        blocks.append(_Para("", "Nothing off track, at risk or overdue."))
    if d.awaiting_update:
        since = f" (since the reminders on {short_date(d.awaiting_since)})" if d.awaiting_since else ""
        blocks.append(
            _Para(f"Awaiting an update{since} ({len(d.awaiting_update)})", ", ".join(d.awaiting_update))
        )
    return _Section("Exceptions", blocks)


def _completions(changes: Sequence[DigestChange]) -> _Section:
    title = "Completed since the last board"
    if not changes:
        return _Section(title, empty=True)
    return _Section(
        title,
        [
            _Table(
                ("Code", "Milestone", "Completed", "Due", "Impact", "Evidence"),
                [
                    (
                        c.code,
                        c.title,
                        (short_date(c.done_on) if c.done_on else "—")
                        + ("" if c.on_time is None else (" (on time)" if c.on_time else " (late)")),
                        short_date(c.due),
                        c.impact or "None given",
                        c.evidence_url or "—",
                    )
                    for c in changes
                ],
            )
        ],
    )


def _measures(d: Digest) -> _Section | None:
    """Each measure's latest value against its target, and its trend chart; absent without measures."""
    if not d.measures:
        return None
    blocks: list[_Block] = [
        _Table(
            ("Code", "Measure", "Latest", "Target", "RAG", "Since the last board"),
            [
                (
                    m.code,
                    m.title,
                    (
                        f"{format_value(m.latest_value, m.unit)} ({period_label(m.latest_period)})"
                        if m.latest_value is not None and m.latest_period
                        else "no value yet"
                    ),
                    format_value(m.target, m.unit),
                    _Status(m.rag),
                    m.since_board or "—",
                )
                for m in d.measures
            ],
        )
    ]
    blocks += [_Chart("measure", m.code) for m in charted_measures(d)]
    return _Section("Measures", blocks)


def chart_png(b: _Chart, d: Digest) -> bytes:
    """The chart's PNG, drawn from the digest's own data."""
    if b.name == "measure":
        return measure_chart_png(_measure(d, b.code))
    return brag_chart_png(d)


def chart_alt(b: _Chart, d: Digest) -> str:
    if b.name == "measure":
        return measure_alt_text(_measure(d, b.code))
    return brag_alt_text(d)


def chart_title(b: _Chart, d: Digest) -> str:
    if b.name == "measure":
        m = _measure(d, b.code)
        return clean_text(f"{m.code} {m.title}: trend")
    return "Milestones by rating at each board meeting"


def _measure(d: Digest, code: str) -> DigestMeasure:
    return next(m for m in d.measures if m.code == code)


def _priorities(d: Digest) -> _Section | None:
    if not d.priorities:
        return None
    return _Section(
        "Strategic priorities",
        [
            _Table(
                ("Priority", "Through areas", "Complete", "Rating", "Milestones by rating"),
                [
                    (
                        f"{p.code}: {p.title}",
                        ", ".join(p.areas) or "—",
                        f"{p.complete} of {p.milestones}",
                        _Status(p.health) if p.health else "no milestones",
                        ", ".join(f"{n} {k}" for k, n in p.counts.items() if n) or "—",
                    )
                    for p in d.priorities
                ],
            )
        ],
    )


def _month_ahead(d: Digest) -> _Section:
    rows = d.month_ahead if d.paper else d.due_before_meeting
    upto = f"before the next board on {short_date(d.next_meeting)}" if d.next_meeting else "before the board"
    blocks: list[_Block] = []
    if rows:
        blocks.append(_Para("Due " + upto, f"{len(rows)} milestone{'s' if len(rows) != 1 else ''}"))
        blocks.append(_milestone_table(rows))
    else:
        blocks.append(_Para("Due " + upto, NONE))
    if d.dates_ahead:
        blocks.append(_Table(("Date", "What"), [(short_date(e.on), e.what) for e in d.dates_ahead]))
    return _Section("The month ahead", blocks)


def _risks(d: Digest) -> _Section:
    title = "Risks and blockers"
    if not d.risks:
        return _Section(title, empty=True)
    return _Section(
        title,
        [
            _Table(
                ("Code", "Milestone", "Rating", "Owner", "Risks and blockers"),
                [
                    (r.code, r.title, _Status(r.health), _owner(r.owner, r.owner_role), r.blockers)
                    for r in d.risks
                ],
            )
        ],
    )


def _area(a: DigestArea) -> _Section:
    blocks: list[_Block] = []
    if clean_text(a.description):
        blocks.append(_Para("", a.description))
    blocks.append(_Para("Status", _Status(a.health) if a.health else "no milestones to rate"))
    blocks.append(
        _Para(
            "Figures",
            f"{a.milestones} milestone{'s' if a.milestones != 1 else ''}, "
            f"{a.complete} complete, {a.overdue} overdue, "
            f"{a.stale} with {STALE_NOTE}",
        )
    )
    if a.rows:
        blocks.append(_milestone_table(a.rows))
    else:
        blocks.append(_Para("Milestones", NONE))
    return _Section(f"{a.code}: {a.title}", blocks)


def _areas(areas: Sequence[DigestArea]) -> _Section:
    if not areas:
        return _Section("Areas in detail", empty=True)
    return _Section("Areas in detail", subsections=[_area(a) for a in areas])


def _cover(d: Digest, posted_at: datetime | None, late: bool, tz: str) -> list[_Para]:
    preamble = [
        _Para("Protective marking", d.protective_marking),
        _Para("Plan", d.plan_title),
        _Para("Authority", d.authority),
        _Para("Meeting", (d.meeting_local or long_date(d.meeting_on)) + f" ({tz})"),
    ]
    if d.meeting_on_bank_holiday:
        preamble.append(_Para("Note", "the meeting date is a bank holiday"))
    if d.previous_meeting is not None:
        preamble.append(_Para("Last meeting", short_date(d.previous_meeting)))
    if posted_at is not None:
        preamble.append(_Para("Posted", _local_moment(posted_at, tz) + (" (posted late)" if late else "")))
    else:
        preamble.append(
            _Para(
                "Prepared",
                _local_moment(d.generated_at, tz)
                + (" (not posted; posted late)" if late else " (not posted)"),
            )
        )
    v = d.inspection
    if v is not None:
        when = f"{short_date(v.start)} to {short_date(v.end)}"
        if v.published:
            when += f", published {short_date(v.published)}"
        preamble.append(_Para("Inspection", f"{v.type_name}, {when}"))
        for j in v.judgements:
            preamble.append(_Para(j.area, j.grade_words))
    preamble += [_Para("Redacted", note) for note in d.redactions]
    preamble.append(_Para("How to read this paper", HOW_TO_READ))
    return preamble


def _paper(d: Digest, posted_at: datetime | None, late: bool, tz: str | None = None) -> _Paper:
    """The paper's sections in the board's order; measures (when the plan has any) after completions."""
    zone = d.timezone or tz or "Europe/London"
    sections = [_headline(d), _decisions(d), _exceptions(d), _completions(d.completions)]
    measures = _measures(d)
    if measures is not None:
        sections.append(measures)
    priorities = _priorities(d)
    if priorities is not None:
        sections.append(priorities)
    sections += [_month_ahead(d), _risks(d), _areas(d.areas)]
    return _Paper(
        title=f"{d.board_name} — digest for the meeting on {long_date(d.meeting_on)}",
        preamble=_cover(d, posted_at, late, zone),
        sections=sections,
    )


outline = _paper  # the shared outline, for the Word export


# ---- Markdown --------------------------------------------------------------------------------------------


def _md_cell(c: _Cell, *, line_start: bool = False) -> str:
    if isinstance(c, _Status):
        word = f"**{markdown_escape(c.word, line_start=False)}**"
        return f"{word} ({markdown_escape(c.note, line_start=False)})" if c.note else word
    return markdown_escape(c, line_start=line_start) or "—"


def _md_block(b: _Block, d: Digest | None = None) -> str:
    if isinstance(b, _Chart):
        return f"*Chart:* {markdown_escape(chart_alt(b, d), line_start=False)}" if d is not None else ""
    if isinstance(b, _Para):
        if b.label:
            return f"**{markdown_escape(b.label)}:** {_md_cell(b.value, line_start=False)}"
        return _md_cell(b.value, line_start=True)
    lines = [
        "| " + " | ".join(markdown_escape(h) for h in b.headers) + " |",
        "|" + "|".join(" --- " for _ in b.headers) + "|",
    ]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in b.rows]
    return "\n".join(lines)


def _md_section(s: _Section, level: int, out: list[str], d: Digest) -> None:
    out.append(f"{'#' * level} {markdown_escape(s.title)}")
    if s.empty:
        out.append(NONE)
    out += [_md_block(b, d) for b in s.blocks]
    for sub in s.subsections:
        _md_section(sub, level + 1, out, d)


def to_markdown(
    digest: Digest, *, posted_at: datetime | None = None, late: bool = False, tz: str | None = None
) -> str:
    """The digest as a Markdown board paper (GFM tables); all plan and user text escaped."""
    paper = _paper(digest, posted_at, late, tz)
    out = [f"# {markdown_escape(paper.title)}"]
    # Two trailing spaces: the preamble lines stay one block but print on separate lines.
    out.append("  \n".join(_md_block(p) for p in paper.preamble))
    for s in paper.sections:
        _md_section(s, 2, out, digest)
    return "\n\n".join(out) + "\n"


# ---- HTML ------------------------------------------------------------------------------------------------

_BADGE = {
    "complete": "blue",
    "on track": "green",
    "at risk": "amber",
    "off track": "red",
    "overdue": "red",
    "not started": "grey",
    "green": "green",
    "amber": "amber",
    "red": "red",
}

_STYLE = """
body { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; line-height: 1.4; color: #111;
       margin: 2em auto; max-width: 60em; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .3em; }
h2 { font-size: 1.3em; border-bottom: 1px solid #999; padding-bottom: .2em; margin-top: 1.6em; }
h3 { font-size: 1.1em; margin-top: 1.2em; }
.meta p { margin: .1em 0; }
table { border-collapse: collapse; width: 100%; margin: .5em 0 1em; }
th, td { border: 1px solid #999; padding: .3em .5em; text-align: left; vertical-align: top; }
th { background: #eee; }
.status { display: inline-block; padding: 0 .4em; border: 1px solid #333; border-radius: .3em;
          font-weight: bold; white-space: nowrap; }
.status-blue { background: #cfe2ff; }
.status-green { background: #d1e7dd; }
.status-amber { background: #ffe5b4; }
.status-red { background: #f8d0d0; }
.status-grey, .status-unknown { background: #eee; }
figure { margin: 1em 0; }
figure img { max-width: 100%; height: auto; }
figcaption { font-size: .9em; color: #333; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  .status { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
""".strip()

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'"


def _html_cell(c: _Cell) -> str:
    if isinstance(c, _Status):
        cls = _BADGE.get(clean_text(c.word), "unknown")
        badge = f'<span class="status status-{cls}">{_html(c.word)}</span>'
        return f"{badge} ({_html(c.note)})" if c.note else badge
    return _html(c) or "—"


def _html_block(b: _Block, d: Digest | None = None) -> str:
    if isinstance(b, _Chart):
        if d is None:
            return ""
        alt = _html(chart_alt(b, d))
        # A data URI: the page stands alone, and the CSP allows images from data: only.
        png = base64.b64encode(chart_png(b, d)).decode("ascii")
        return (
            f'<figure>\n<img src="data:image/png;base64,{png}" alt="{alt}" width="800" height="360">\n'
            f"<figcaption>{alt}</figcaption>\n</figure>"
        )
    if isinstance(b, _Para):
        value = _html_cell(b.value)
        return f"<p><strong>{_html(b.label)}:</strong> {value}</p>" if b.label else f"<p>{value}</p>"
    head = "".join(f'<th scope="col">{_html(h)}</th>' for h in b.headers)
    body = "\n".join("<tr>" + "".join(f"<td>{_html_cell(c)}</td>" for c in row) + "</tr>" for row in b.rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def _html_section(s: _Section, level: int, out: list[str], d: Digest) -> None:
    out.append("<section>")
    out.append(f"<h{level}>{_html(s.title)}</h{level}>")
    if s.empty:
        out.append(f"<p>{NONE}</p>")
    out += [_html_block(b, d) for b in s.blocks]
    for sub in s.subsections:
        _html_section(sub, level + 1, out, d)
    out.append("</section>")


def to_html(
    digest: Digest, *, posted_at: datetime | None = None, late: bool = False, tz: str | None = None
) -> str:
    """The digest as a self-contained, print-friendly HTML page: no scripts, no external resources."""
    paper = _paper(digest, posted_at, late, tz)
    title = _html(paper.title)
    out = [
        "<!doctype html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(_CSP, quote=True)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>\n{_STYLE}\n</style>",
        "</head>",
        "<body>",
        "<main>",
        '<header class="meta">',
        f"<h1>{title}</h1>",
    ]
    out += [_html_block(p) for p in paper.preamble]
    out.append("</header>")
    for s in paper.sections:
        _html_section(s, 2, out, digest)
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"
