"""The floor: a bare Bolt app on the bot's own HTTP server, with the bot's settings, doing nothing useful.

    python -m benchmarks.floor --port 0     # SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_API_URL as for the bot

It is served by ``bot.http.serve`` (waitress, the same threads and body limit) and built with the same
Bolt options as ``bot.app.create_app`` (signature checks, process_before_response=False, the same
WebClient with its retry handlers), so the only difference from the bot is the work in the listeners:

* ``/qib``: ack, then one respond() with a fixed message (``/qib ack`` only acks: the pure-ack floor);
* ``app_home_opened``: views.publish of a fixed Home tab;
* the update modal's submission: ack.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from slack_bolt import Ack, App, Respond

FIXED_VIEW = {
    "type": "home",
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*The plan*\nAll on track."}}],
}


def build_app(settings: Any) -> App:
    from bot.app import make_client
    from handlers.updates.modal import CALLBACK

    client = make_client(settings)
    app = App(
        client=client,
        token=client.token,
        signing_secret=settings.secret("slack_signing_secret") or "",
        token_verification_enabled=False,
        process_before_response=False,
        raise_error_for_unhandled_request=False,
        logger=logging.getLogger("qib.bolt"),
    )

    @app.command("/qib")
    def qib(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        if (command.get("text") or "").strip() == "ack":
            return
        respond(text="The plan is on track.", response_type="ephemeral", replace_original=False)

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: Any) -> None:
        client.views_publish(user_id=event["user"], view=FIXED_VIEW)

    @app.view(CALLBACK)
    def submitted(ack: Ack) -> None:
        ack()

    return app


class _NoDatabase:
    """What /healthz needs from Deps; the floor has no database, so its health check says so."""

    @property
    def engine(self) -> Any:
        raise RuntimeError("the floor has no database")


def main(argv: list[str] | None = None) -> int:
    from bot.cli_runtime import configure_logging
    from bot.http import serve
    from bot.settings import load_settings

    parser = argparse.ArgumentParser(prog="python -m benchmarks.floor")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    settings = load_settings()
    configure_logging(settings)
    app = build_app(settings)
    serve(
        app,
        _NoDatabase(),  # type: ignore[arg-type]
        host=args.host,
        port=args.port,
        max_body_bytes=settings.max_body_bytes,
        signing_secret=settings.secret("slack_signing_secret") or "",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
