"""The board channel as Slack knows it: a plan may name its channel (`#qib-board`), but Slack answers
with ids, so thread and history look-ups must use the id or every update would start a new thread.

A name is looked up once per process through `conversations.list` (public channels, and private ones
the bot is in, archived ones left out) and the id is kept. A name the bot cannot see is logged in one
line and asked about again only after RETRY_MISS, so a wrong setting does not cost a page-through of
the workspace on every update.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("qib.channels")

CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{6,}")
PAGE = 200  # Slack suggests no more than 200 a page
MAX_PAGES = 250  # 50,000 channels: a bound, so a cursor that never ends cannot loop for ever
RETRY_MISS = 300.0  # seconds before a name the bot could not see is looked up again


class ChannelNotVisible(Exception):
    """The configured board channel is not one the bot can see (a typo, archived, or private without
    the bot in it)."""

    def __init__(self, channel: str) -> None:
        super().__init__(channel)
        self.channel = channel

    @property
    def advice(self) -> str:
        return (
            f"I can't see the board channel {self.channel}: invite me to it (`/invite @qib` there) or set "
            "the plan's `channel` to a channel I am in."
        )


def is_channel_id(channel: str) -> bool:
    return CHANNEL_ID.fullmatch(channel) is not None


@dataclass
class ChannelIds:
    """Channel names resolved to ids, for the life of the process (one per Deps)."""

    clock: Callable[[], float] = time.monotonic
    look_up_names: bool = True  # False in the console, which answers posts under the name as given
    _ids: dict[str, str] = field(default_factory=dict)
    _misses: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def resolve(self, client: Any, channel: str) -> str:
        """The id of `channel` (an id comes back as it is); raises ChannelNotVisible."""
        channel = channel.strip()
        if is_channel_id(channel) or not self.look_up_names:
            return channel
        name = channel.removeprefix("#").lower()
        # One look-up at a time: many updates arriving together wait for the first one's answer.
        with self._lock:
            if name in self._ids:
                return self._ids[name]
            missed = self._misses.get(name)
            if missed is not None and self.clock() - missed < RETRY_MISS:
                raise ChannelNotVisible(channel)
            found = _look_up(client, name)
            if found is None:
                self._misses[name] = self.clock()
                log.warning(
                    "board channel %s is not a channel the bot can see: invite the bot to it or set the "
                    "plan's channel to its id",
                    channel,
                )
                raise ChannelNotVisible(channel)
            self._misses.pop(name, None)
            self._ids[name] = found
            log.info("board channel %s is %s", channel, found)
            return found


def _look_up(client: Any, name: str) -> str | None:
    cursor = ""
    for _ in range(MAX_PAGES):
        answer = client.conversations_list(
            types="public_channel,private_channel", exclude_archived=True, limit=PAGE, cursor=cursor or None
        )
        for found in answer.get("channels") or []:
            if str(found.get("name", "")).lower() == name:
                return str(found["id"])
        cursor = str((answer.get("response_metadata") or {}).get("next_cursor") or "")
        if not cursor:
            return None
    return None
