"""The BRAG-over-time chart: one stacked bar per board meeting (the last twelve), drawn from a digest.

Drawn with matplotlib's object API on an Agg canvas (no display, no pyplot state shared between
threads) from the frozen digest's own `brag_history`, so a digest re-exported a year later draws the
same chart. The PNG carries no software or time metadata, so drawing it twice gives the same bytes.
matplotlib is imported when a chart is drawn, not when the bot starts: it is half a second of every
`qib` command's start-up otherwise.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from bot.services import measure_charts
from bot.services.digest import BRAG, BRAG_COLOURS, Digest, DigestMeasure
from bot.services.status import Health

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "brag_alt_text",
    "brag_chart_png",
    "charted_measures",
    "has_brag_chart",
    "measure_alt_text",
    "measure_chart_png",
]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_LABELS: dict[Health, str] = {
    Health.COMPLETE: "Complete (blue)",
    Health.ON_TRACK: "On track (green)",
    Health.AT_RISK: "At risk (amber)",
    Health.OFF_TRACK: "Off track (red)",
    Health.NOT_STARTED: "Not started",
    Health.OVERDUE: "Overdue",
}


def has_brag_chart(d: Digest) -> bool:
    return bool(d.brag_history)


def brag_alt_text(d: Digest) -> str:
    """What the chart shows, in words, for screen readers and for Slack's alt text."""
    points = d.brag_history[-12:]
    if not points:
        return "No board meetings to chart."
    parts = []
    for p in points:
        counts = ", ".join(f"{p.counts.get(k, 0)} {k}" for k in BRAG if p.counts.get(k, 0))
        parts.append(f"{p.meeting_on.day} {_MONTHS[p.meeting_on.month - 1]} {p.meeting_on.year}: {counts}")
    return "Milestones by rating at each board meeting. " + "; ".join(parts) + "."


def _figure(d: Digest) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    points = d.brag_history[-12:]
    # "8 Dec" over "2026": "Dec 26" would read as the 26th of December.
    labels = [f"{p.meeting_on.day} {_MONTHS[p.meeting_on.month - 1]}\n{p.meeting_on.year}" for p in points]
    fig = Figure(figsize=(8, 3.6), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    bottoms = [0] * len(points)
    # Bars at positions, labelled after: labels such as "Dec 26" read as dates, and matplotlib logs each
    # bar of a category axis whose names could be dates.
    xs = list(range(len(points)))
    for key in BRAG:
        values = [p.counts.get(key, 0) for p in points]
        ax.bar(xs, values, bottom=bottoms, color=BRAG_COLOURS[key], label=_LABELS[key], width=0.6)
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    ax.set_xticks(xs, labels)
    ax.set_ylabel("Milestones")
    ax.set_title("Milestones by rating at each board meeting")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    measure_charts.tight_layout(fig)
    return fig


def brag_chart_png(d: Digest) -> bytes:
    out = io.BytesIO()
    _figure(d).savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


# ---- the measures' trend charts, from the series frozen with the digest ----------------------------------


def _measure_data(m: DigestMeasure) -> measure_charts.ChartData:
    return measure_charts.ChartData(
        code=m.code,
        title=m.title,
        unit=m.unit,
        direction=m.direction,
        target=m.target,
        amber=(m.amber[0], m.amber[1]),
        periods=tuple(m.periods),
        values=tuple(m.values),
        rag=m.rag,
        meetings=tuple((x, day) for x, day in m.meetings),
    )


def charted_measures(d: Digest) -> list[DigestMeasure]:
    """The measures with values to draw: a measure with none has a row in the paper but no chart."""
    return [m for m in d.measures if m.values]


def measure_alt_text(m: DigestMeasure) -> str:
    return measure_charts.alt_text(_measure_data(m))


def measure_chart_png(m: DigestMeasure) -> bytes:
    return measure_charts.render_png(_measure_data(m))
