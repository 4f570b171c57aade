"""The board paper's outline: its sections and blocks (paragraphs, tables, charts), in the order the paper reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.services.digest import Digest, DigestArea, DigestChange, DigestMeasure, DigestRow
from bot.services.digest_chart import (
    brag_alt_text,
    brag_chart_png,
    charted_measures,
    measure_alt_text,
    measure_chart_png,
)
from bot.services.digest_model import DigestRowKind
from bot.services.digest_text import (
    AWAITING_NOTE,
    NONE,
    STALE_NOTE,
    _local_moment,
    _number,
    clean_text,
    long_date,
    short_date,
)
from bot.services.measures import format_value
from bot.services.periods import period_label
from bot.services.status import Health
from bot.services.wording import person_label

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
    return _Status(r.health, STALE_NOTE if r.stale or r.kind == DigestRowKind.STALE else "")


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

_RATING: dict[Health, str] = {
    Health.COMPLETE: "complete (blue)",
    Health.ON_TRACK: "on track (green)",
    Health.AT_RISK: "at risk (amber)",
    Health.OFF_TRACK: "off track (red)",
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
    rows = [r for r in d.exceptions if r.kind != DigestRowKind.STALE]  # older digests listed stale items here
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
