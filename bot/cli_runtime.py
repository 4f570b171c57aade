"""Runtime commands of `qib`: run (Socket Mode, HTTP or console) and console."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from bot.settings import Settings


def add_commands(sub: Any) -> None:
    run = sub.add_parser(
        "run", help="start the bot: Socket Mode, HTTP (--http) or, without Slack settings, the console"
    )
    run.add_argument("--http", action="store_true", help="serve Slack's requests over HTTP on /slack/events")
    run.add_argument("--host", help="HTTP mode: address to listen on (default QIB_HOST or 0.0.0.0)")
    run.add_argument("--port", type=int, help="HTTP mode: port (default QIB_PORT or 3000)")
    run.set_defaults(func=cmd_run)

    con = sub.add_parser("console", help="talk to the bot in the terminal, over the same handlers as Slack")
    con.add_argument("--as", dest="user", help="act as this person (key, name or Slack id from the plan)")
    con.add_argument(
        "--now", help="pretend it is this date and time (ISO, plan time zone unless an offset is given)"
    )
    con.add_argument("--json", action="store_true", help="print each outgoing Slack payload as one JSON line")
    con.set_defaults(func=cmd_console)


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Bolt and slack_sdk log request and response bodies at DEBUG: never let them through.
    for noisy in ("slack_bolt", "slack_sdk", "qib.bolt", "waitress.queue"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, logging.getLevelName(settings.log_level)))


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.modes import choose_mode

    mode = choose_mode(settings, want_http=args.http)
    if mode == "console":
        return cmd_console(argparse.Namespace(user=None, now=None, json=False), settings)
    configure_logging(settings)
    from bot.app import create_app
    from bot.deps import build_deps

    deps = build_deps(settings)
    deps.plan_id()  # fail now, with a clear line, if there is no plan to serve
    app = create_app(settings, deps)
    if mode == "http":
        from bot.http import serve

        serve(
            app,
            deps,
            host=args.host or settings.qib_host,
            port=args.port or settings.qib_port,
            max_body_bytes=settings.max_body_bytes,
        )
        return 0
    from bot.socket_mode import run_socket_mode

    run_socket_mode(app, settings)
    return 0


def cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli import seed_if_empty
    from bot.console import Console, now_from
    from bot.deps import build_deps, utc_now

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    deps = build_deps(settings, clock=now_from(args.now, settings.timezone) or utc_now)
    seed_if_empty(deps.sessions)
    try:
        console = Console(settings, deps, user=args.user, as_json=args.json)
    except ValueError as exc:
        from bot.cli import CliError

        raise CliError(str(exc)) from None
    interactive = sys.stdin.isatty() and not args.json
    console.loop(interactive=interactive)
    return 0
