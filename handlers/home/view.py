"""Building the Home tab for one person."""

from __future__ import annotations

from typing import Any

from handlers import blocks as bk
from handlers.context import Ask


def home_view(ask: Ask) -> dict[str, Any]:
    blocks = [
        bk.header("Quality Improvement Plan"),
        bk.section("Ask me with `/qib help`, mention me in the board's channel, or send me a message."),
    ]
    return {"type": "home", "blocks": bk.fit(blocks, limit=bk.MAX_VIEW_BLOCKS)}
