"""When the digest and the owners' reminders go out unless the plan (or a setting) says otherwise.

One place for the defaults the plan file, the database columns, the schedule and the meetings view all
fall back to: five clear working days before the board for the digest, three for the reminders, at 09:00
local time.
"""

from __future__ import annotations

from datetime import time

DIGEST_WORKING_DAYS = 5
REMINDER_WORKING_DAYS = 3
DIGEST_TIME = time(9, 0)
