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

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.services.digest import Digest, DigestArea, DigestChange, DigestRow
from bot.services.wording import person_label

__all__ = ["clean_text", "long_date", "markdown_escape", "short_date", "to_html", "to_markdown"]

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


_Block = _Para | _Table


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


def _headline(d: Digest) -> _Section:
    h = d.headline
    blocks: list[_Block] = [
        _Para("Complete", f"{_number(h.share_complete)}% ({h.complete} of {h.milestones} milestones)"),
        _Para("Average progress", f"{_number(h.percent_complete)}%"),
        _Para("Change since the last meeting", d.change),
    ]
    if d.health is not None:
        blocks.append(_Para("Overall status", _Status(d.health)))
    last = d.last_headline
    if last is None:
        blocks.append(_Table(("Status", "Milestones"), [(_Status(k), str(n)) for k, n in h.counts.items()]))
    else:
        keys = list(h.counts) + [k for k in last.counts if k not in h.counts]
        blocks.append(
            _Table(
                ("Status", "Milestones", "At the last digest"),
                [(_Status(k), str(h.counts.get(k, 0)), str(last.counts.get(k, 0))) for k in keys],
            )
        )
    return _Section("Headline", blocks)


def _exceptions(rows: Sequence[DigestRow]) -> _Section:
    if not rows:
        return _Section("Exceptions", empty=True)
    return _Section(
        "Exceptions",
        [
            _Table(
                ("Code", "Milestone", "Status", "Owner", "Due", "Reason"),
                [
                    (
                        r.code,
                        r.title,
                        _row_status(r),
                        _owner(r.owner, r.owner_role),
                        short_date(r.due),
                        r.reason or "No reason given",
                    )
                    for r in rows
                ],
            )
        ],
    )


def _completions(changes: Sequence[DigestChange]) -> _Section:
    title = "Completed since the last meeting"
    if not changes:
        return _Section(title, empty=True)
    return _Section(
        title,
        [
            _Table(
                ("Code", "Milestone", "Updated by"), [(c.code, c.title, c.by or "Unknown") for c in changes]
            )
        ],
    )


def _moves(changes: Sequence[DigestChange]) -> _Section:
    title = "Status changes since the last meeting"
    if not changes:
        return _Section(title, empty=True)
    return _Section(
        title,
        [
            _Table(
                ("Code", "Milestone", "From", "To", "Updated by"),
                [
                    (
                        c.code,
                        c.title,
                        _Status(c.from_status) if c.from_status else "not rated before",
                        _Status(c.to_status),
                        c.by or "Unknown",
                    )
                    for c in changes
                ],
            )
        ],
    )


def _due(rows: Sequence[DigestRow]) -> _Section:
    title = "Due before the meeting"
    if not rows:
        return _Section(title, empty=True)
    return _Section(title, [_milestone_table(rows)])


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
            f"{a.stale} with {STALE_NOTE}; "
            f"average progress {_number(a.percent_complete)}%",
        )
    )
    if a.rows:
        blocks.append(_milestone_table(a.rows))
    else:
        blocks.append(_Para("Milestones", NONE))
    return _Section(f"{a.code}: {a.title}", blocks)


def _areas(areas: Sequence[DigestArea]) -> _Section:
    if not areas:
        return _Section("Areas", empty=True)
    return _Section("Areas", subsections=[_area(a) for a in areas])


def _paper(d: Digest, posted_at: datetime | None, late: bool, tz: str) -> _Paper:
    preamble = [
        _Para("Plan", d.plan_title),
        _Para("Authority", d.authority),
        _Para("Meeting", d.meeting_local or long_date(d.meeting_on)),
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
    preamble += [_Para("Redacted", note) for note in d.redactions]
    return _Paper(
        title=f"{d.board_name} — digest for the meeting on {long_date(d.meeting_on)}",
        preamble=preamble,
        sections=[
            _headline(d),
            _exceptions(d.exceptions),
            _completions(d.completions),
            _moves(d.moves),
            _due(d.due_before_meeting),
            _areas(d.areas),
        ],
    )


# ---- Markdown --------------------------------------------------------------------------------------------


def _md_cell(c: _Cell, *, line_start: bool = False) -> str:
    if isinstance(c, _Status):
        word = f"**{markdown_escape(c.word, line_start=False)}**"
        return f"{word} ({markdown_escape(c.note, line_start=False)})" if c.note else word
    return markdown_escape(c, line_start=line_start) or "—"


def _md_block(b: _Block) -> str:
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


def _md_section(s: _Section, level: int, out: list[str]) -> None:
    out.append(f"{'#' * level} {markdown_escape(s.title)}")
    if s.empty:
        out.append(NONE)
    out += [_md_block(b) for b in s.blocks]
    for sub in s.subsections:
        _md_section(sub, level + 1, out)


def to_markdown(
    digest: Digest, *, posted_at: datetime | None = None, late: bool = False, tz: str = "Europe/London"
) -> str:
    """The digest as a Markdown board paper (GFM tables); all plan and user text escaped."""
    paper = _paper(digest, posted_at, late, tz)
    out = [f"# {markdown_escape(paper.title)}"]
    # Two trailing spaces: the preamble lines stay one block but print on separate lines.
    out.append("  \n".join(_md_block(p) for p in paper.preamble))
    for s in paper.sections:
        _md_section(s, 2, out)
    return "\n\n".join(out) + "\n"


# ---- HTML ------------------------------------------------------------------------------------------------

_BADGE = {
    "complete": "blue",
    "on track": "green",
    "at risk": "amber",
    "off track": "red",
    "overdue": "red",
    "not started": "grey",
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
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  .status { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
""".strip()

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'; base-uri 'none'"


def _html_cell(c: _Cell) -> str:
    if isinstance(c, _Status):
        cls = _BADGE.get(clean_text(c.word), "unknown")
        badge = f'<span class="status status-{cls}">{_html(c.word)}</span>'
        return f"{badge} ({_html(c.note)})" if c.note else badge
    return _html(c) or "—"


def _html_block(b: _Block) -> str:
    if isinstance(b, _Para):
        value = _html_cell(b.value)
        return f"<p><strong>{_html(b.label)}:</strong> {value}</p>" if b.label else f"<p>{value}</p>"
    head = "".join(f'<th scope="col">{_html(h)}</th>' for h in b.headers)
    body = "\n".join("<tr>" + "".join(f"<td>{_html_cell(c)}</td>" for c in row) + "</tr>" for row in b.rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def _html_section(s: _Section, level: int, out: list[str]) -> None:
    out.append("<section>")
    out.append(f"<h{level}>{_html(s.title)}</h{level}>")
    if s.empty:
        out.append(f"<p>{NONE}</p>")
    out += [_html_block(b) for b in s.blocks]
    for sub in s.subsections:
        _html_section(sub, level + 1, out)
    out.append("</section>")


def to_html(
    digest: Digest, *, posted_at: datetime | None = None, late: bool = False, tz: str = "Europe/London"
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
        _html_section(s, 2, out)
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"
