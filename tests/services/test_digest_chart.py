"""The BRAG chart of a digest: drawn without noise in the logs."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from bot.services.digest import BragPoint
from bot.services.digest_chart import _figure, brag_chart_png
from tests.services.test_digest_export import digest


def test_the_brag_chart_is_drawn_without_logging_anything(caplog: pytest.LogCaptureFixture) -> None:
    """Month labels such as "Dec 26" could be dates: drawn as categories, matplotlib logs a line per
    rating at INFO, which `qib tick` prints to the operator each time a digest goes out."""
    points = [
        BragPoint(meeting_on=date(2026, month, 8), counts={"on track": 2, "at risk": 1, "overdue": month % 3})
        for month in (10, 11, 12)
    ]
    brag_chart_png(digest(brag_history=points[:1]))  # matplotlib's first use (its font cache) aside
    with caplog.at_level(logging.INFO):
        png = brag_chart_png(digest(brag_history=points))
    assert png.startswith(b"\x89PNG")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO] == []


def test_each_bar_is_labelled_with_its_meetings_day_month_and_year() -> None:
    """ "Dec 26" for a meeting in December 2026 reads as the 26th of December: the day and the year in full."""
    points = [BragPoint(meeting_on=date(2026, month, 8), counts={"on track": 2}) for month in (11, 12)]
    axes = _figure(digest(brag_history=points)).axes[0]
    assert [t.get_text() for t in axes.get_xticklabels()] == ["8 Nov\n2026", "8 Dec\n2026"]
