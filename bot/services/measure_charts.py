"""Trend charts of a measure: its values, the target line, the amber band and the board meetings.

`chart_data` turns the same MeasureView the text is built from into plain series (what a test compares);
`render_png` (for Slack) and `render_svg` (for the HTML paper) only draw them. Drawing uses matplotlib's
object API on an Agg canvas: no display, no pyplot global state shared between threads, and no date or
random id in the output, so the same data gives the same file.
"""

from __future__ import annotations

import calendar as months
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.calendar import Override, meetings_between
from bot.services.errors import NotFound
from bot.services.measures import MeasureView, format_value, read_measures
from bot.services.periods import period_end, period_label
from models import Board, MeetingOverride, Plan

if TYPE_CHECKING:
    from matplotlib.figure import Figure

COLOURS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828", "line": "#1f4e79", "board": "#6d6d6d"}


@dataclass(frozen=True)
class ChartData:
    code: str
    title: str
    unit: str
    direction: str
    target: float
    amber: tuple[float, float]  # the band that is amber: from target to amber_within short of it
    periods: tuple[str, ...]
    values: tuple[float, ...]
    rag: str
    meetings: tuple[tuple[float, date], ...]  # x position (period index, fractional) and the meeting's date


def chart_data(view: MeasureView, meetings: Sequence[date]) -> ChartData:
    periods = tuple(p.period for p in view.points)
    short = -view.amber_within if view.direction == "up" else view.amber_within
    band = tuple(sorted((view.target, view.target + short)))
    return ChartData(
        code=view.code,
        title=view.title,
        unit=view.unit,
        direction=view.direction,
        target=view.target,
        amber=(band[0], band[1]),
        periods=periods,
        values=tuple(p.value for p in view.points),
        rag=view.rag.value,
        meetings=tuple((x, d) for d in meetings if (x := _position(periods, d)) is not None),
    )


def _position(periods: Sequence[str], day: date) -> float | None:
    """Where a date falls on the x axis of periods 0..n-1 (a period's point is drawn at its end)."""
    for i, period in enumerate(periods):
        end = period_end(period)
        start = date(end.year, end.month - (2 if "Q" in period else 0), 1)
        if start <= day <= end:
            days = (end - start).days + 1
            return i - 1 + ((day - start).days + 1) / days
    return None


def chart_for(*, db: Session, plan_id: int, code: str, today: date) -> ChartData:
    """The chart of one measure: the measures' read plus the board's meetings over the values' span."""
    view = read_measures(db=db, plan_id=plan_id, today=today)
    found = next((m for m in view.measures if m.code.upper() == code.strip().upper()), None)
    if found is None:
        raise NotFound(f"There is no measure {code.strip().upper()}. `/qib measures` lists them.")
    meetings: list[date] = []
    if found.points:
        first = period_end(found.points[0].period).replace(day=1)
        meetings = _meetings(db, plan_id, first, period_end(found.points[-1].period))
    return chart_data(found, meetings)


def board_meetings(db: Session, plan_id: int, frm: date, to: date) -> list[date]:
    """The board's meetings between two dates, for marking them on a chart."""
    return _meetings(db, plan_id, frm, to)


def _meetings(db: Session, plan_id: int, frm: date, to: date) -> list[date]:
    board = db.execute(
        select(Board.rrule, Board.start, Board.time, Board.timezone, Plan.timezone)
        .join(Plan, Plan.id == Board.plan_id)
        .where(Board.plan_id == plan_id)
    ).one_or_none()
    if board is None:
        return []
    rrule, start, at, board_tz, plan_tz = board
    overrides = [
        Override(on=o.on, action=o.action, to=o.to, at=o.at)
        for o in db.execute(
            select(MeetingOverride.on, MeetingOverride.action, MeetingOverride.to, MeetingOverride.at)
            .join(Board, Board.id == MeetingOverride.board_id)
            .where(Board.plan_id == plan_id)
        )
    ]
    return [m.on for m in meetings_between(rrule, start, at, board_tz or plan_tz, overrides, frm, to)]


def alt_text(data: ChartData) -> str:
    """What the chart shows, in words, for people who cannot see it (Slack's alt text, the paper's <title>)."""
    better = "higher" if data.direction == "up" else "lower"
    head = f"Trend chart of {data.code} {data.title}, target {format_value(data.target, data.unit)} ({better} is better)"
    if not data.values:
        return f"{head}: no values recorded yet."
    first, last = data.values[0], data.values[-1]
    return (
        f"{head}: {len(data.values)} value(s) from {period_label(data.periods[0])} "
        f"({format_value(first, data.unit)}) to {period_label(data.periods[-1])} "
        f"({format_value(last, data.unit)}, {data.rag}); {len(data.meetings)} board meeting(s) marked."
    )


def _figure(data: ChartData) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 3.6), dpi=100)
    ax = fig.add_subplot()
    xs = list(range(len(data.values)))
    ax.axhspan(data.amber[0], data.amber[1], color=COLOURS["amber"], alpha=0.25, lw=0, label="amber")
    ax.axhline(data.target, color=COLOURS["green"], lw=1.5, ls="--", label="target")
    if data.values:
        ax.plot(xs, data.values, color=COLOURS["line"], lw=2, marker="o", label=data.code)
    for x, day in data.meetings:
        ax.axvline(x, color=COLOURS["board"], lw=0.8, ls=":")
        ax.annotate(
            f"board {day.day} {months.month_abbr[day.month]}",
            (x, 1),
            xycoords=("data", "axes fraction"),
            rotation=90,
            fontsize=7,
            va="top",
            ha="right",
            color=COLOURS["board"],
        )
    ax.set_xticks(xs, [period_label(p) for p in data.periods], fontsize=8)
    if data.unit == "percent":
        ax.set_ylim(0, 100)
    ax.set_ylabel({"percent": "%", "days": "days"}.get(data.unit, data.unit))
    ax.set_title(f"{data.code} {data.title}"[:90], fontsize=10)
    ax.legend(loc="lower left", fontsize=7, frameon=False)
    tight_layout(fig)
    return fig


def tight_layout(fig: Figure) -> None:
    """`fig.tight_layout()`, then no layout engine: tight_layout leaves a placeholder engine on the figure,
    and with one set `savefig` draws the whole figure once more, unseen, before it draws it into the file."""
    fig.tight_layout()
    fig.set_layout_engine(None)


def render_png(data: ChartData) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _figure(data)
    FigureCanvasAgg(fig)
    out = io.BytesIO()
    fig.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def render_svg(data: ChartData) -> str:
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    with matplotlib.rc_context({"svg.hashsalt": f"qib-{data.code}", "svg.fonttype": "none"}):
        fig = _figure(data)
        FigureCanvasSVG(fig)
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    svg = out.getvalue()
    # The paper's screen readers get the same words as Slack's alt text.
    title = alt_text(data).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _titled(svg, title)


def _titled(svg: str, title: str) -> str:
    start = svg.index("<svg")
    end = svg.index(">", start) + 1
    return f"{svg[:end]}\n <title>{title}</title>{svg[end:]}"
