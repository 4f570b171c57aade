"""The characters no text the plan keeps may hold, for the plan file and for what people write in Slack.

A module of its own so that the write path's checks (bot.services.update_checks) need not import the plan
file's pydantic models (models.planfile) to share the one pattern."""

from __future__ import annotations

import re

# Control characters but tab and line breaks, C1 controls, and bidi embeddings, overrides and isolates:
# they can hide or reorder text where it is shown, and PostgreSQL cannot store NUL at all.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
