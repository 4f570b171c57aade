"""The bot as Slack sees it: the real WSGI app over real HTTP on port 0, driven with signed requests;
what it sends to Slack lands in the stand-in, whose Block Kit check runs on every payload. The fixtures
that start one (`slack`, `bot`, `make_bot`) are in tests/conftest.py."""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from bot.app import create_app, make_client
from bot.deps import Deps
from bot.http import QibWsgi, make_server, run_until_closed
from bot.settings import Settings
from models.db import make_sessionmaker
from qib_testing.people import BOARD, CHAIR, SECRET, TEAM
from qib_testing.slack_standin import (
    JSON,
    FakeSlack,
    SignedClient,
    block_actions_payload,
    event_body,
    interactive_body,
    slash_command_body,
    view_submission_payload,
)

NOW = datetime(2020, 2, 3, 9, 30, tzinfo=UTC)  # a Monday, between the January and February boards
LOOP_TIMEOUT = 0.05  # seconds the server's loop waits on its sockets: how long closing it takes at most


def bot_settings(database_url: str, slack: FakeSlack, **extra: Any) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SECRET,
        slack_api_url=slack.base_url,
        **extra,
    )


@dataclass
class Bot:
    """A running bot and ways to reach it the way Slack does."""

    slack: FakeSlack
    http: SignedClient
    deps: Deps
    clock: list[datetime]
    app: Any = None  # the Bolt app behind the WSGI layer
    _n: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def command(self, text: str, *, user: str = CHAIR, channel: str = BOARD) -> list[dict[str, Any]]:
        """Run /qib and return what came back to its response_url."""
        name = f"cmd{next(self._n)}"
        body = slash_command_body(
            text,
            user_id=user,
            channel_id=channel,
            team_id=TEAM,
            response_url=self.slack.response_url(name),
            trigger_id=f"trig.{name}",
        )
        status, _, _ = self.http.post("/slack/events", body)
        assert status == 200
        return self.responses(name)

    def responses(self, name: str) -> list[dict[str, Any]]:
        return [c.args for c in self.slack.calls_to("response_url") if c.path.endswith(f"/{name}")]

    def event(self, event: dict[str, Any], **kwargs: Any) -> tuple[int, str]:
        status, _, text = self.http.post("/slack/events", event_body(event, team_id=TEAM, **kwargs), JSON)
        return status, text

    def mention(self, text: str, *, user: str = CHAIR, channel: str = BOARD) -> str:
        ts = f"1580720000.{next(self._n):06d}"
        status, _ = self.event(
            {
                "type": "app_mention",
                "user": user,
                "text": f"<@UBOT111> {text}",
                "ts": ts,
                "channel": channel,
                "event_ts": ts,
            }
        )
        assert status == 200
        return ts

    def dm(self, text: str, *, user: str = CHAIR) -> None:
        ts = f"1580720000.{next(self._n):06d}"
        status, _ = self.event(
            {
                "type": "message",
                "user": user,
                "text": text,
                "ts": ts,
                "channel": f"D{user}",
                "event_ts": ts,
                "channel_type": "im",
            }
        )
        assert status == 200

    def open_home(self, *, user: str = CHAIR) -> dict[str, Any]:
        self.event(
            {
                "type": "app_home_opened",
                "user": user,
                "channel": f"D{user}",
                "tab": "home",
                "event_ts": "1580720000.000001",
            }
        )
        return self.slack.wait_for("views.publish", predicate=lambda c: c.args.get("user_id") == user)[
            -1
        ].args["view"]

    def click(
        self, action_id: str, value: str = "", *, user: str = CHAIR, view: dict | None = None, **kwargs: Any
    ) -> tuple[int, str]:
        payload = block_actions_payload(
            action_id,
            value=value,
            user_id=user,
            team_id=TEAM,
            view=view,
            response_url=self.slack.response_url(f"act{next(self._n)}"),
            **kwargs,
        )
        status, _, text = self.http.post("/slack/events", interactive_body(payload))
        return status, text

    def submit(
        self,
        view: dict[str, Any],
        values: dict[str, dict[str, Any]],
        *,
        user: str = CHAIR,
        view_id: str | None = None,
    ) -> tuple[int, str]:
        payload = view_submission_payload(
            view["callback_id"],
            values,
            user_id=user,
            team_id=TEAM,
            private_metadata=view.get("private_metadata", ""),
            view_id=view_id or view.get("id", "V111"),
            blocks=view.get("blocks"),
        )
        status, _, text = self.http.post("/slack/events", interactive_body(payload))
        return status, text


@contextlib.contextmanager
def serve_bot(
    database_url: str, engine: Engine, fake: FakeSlack, *, plan: str | None = None, **settings: Any
) -> Iterator[Bot]:
    """The real WSGI app on port 0, with a short loop timeout so it stops in milliseconds."""
    config = bot_settings(database_url, fake, **settings)
    clock = [NOW]
    deps = Deps(engine=engine, sessions=make_sessionmaker(engine), clock=lambda: clock[0], plan_selector=plan)
    app = create_app(config, deps, client=make_client(config), process_before_response=True)
    server = make_server(
        QibWsgi(app, deps, signing_secret=SECRET, max_body_bytes=config.max_body_bytes),
        host="127.0.0.1",
        port=0,
        threads=4,
    )
    # Set here, not passed in: waitress reads asyncore_loop_timeout as a whole number of seconds, so
    # 0.05 became 0 and the loop polled its sockets without waiting, a core's worth of CPU per bot.
    server.adj.asyncore_loop_timeout = LOOP_TIMEOUT
    thread = threading.Thread(target=run_until_closed, args=(server,), daemon=True)
    thread.start()
    try:
        yield Bot(
            slack=fake,
            http=SignedClient(f"http://127.0.0.1:{server.effective_port}", SECRET),
            deps=deps,
            clock=clock,
            app=app,
        )
    finally:
        server.close()
        thread.join(5)
