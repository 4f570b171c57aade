"""Runtime commands of `qib`: run (Socket Mode, HTTP or console), console, tick and digest.

Each command imports what it runs when it runs, so `qib --help` and `qib db upgrade` load neither Bolt
nor the handlers."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from typing import TYPE_CHECKING, Any

from bot.cli_plan import CliError, seed_if_empty, write_output

if TYPE_CHECKING:
    from bot.settings import Settings


def add_commands(sub: Any) -> None:
    run = sub.add_parser(
        "run", help="start the bot: Socket Mode, HTTP (--http) or, without Slack settings, the console"
    )
    run.add_argument("--http", action="store_true", help="serve Slack's requests over HTTP on /slack/events")
    run.add_argument("--host", help="HTTP mode: address to listen on (default QIB_HOST or 0.0.0.0)")
    run.add_argument("--port", type=int, help="HTTP mode: port (default QIB_PORT or 3000)")
    run.add_argument(
        "--workers",
        type=int,
        choices=range(1, 33),
        metavar="N",
        help="HTTP mode: worker processes sharing the port, one per core (default QIB_HTTP_WORKERS or 1)",
    )
    run.set_defaults(func=cmd_run)

    con = sub.add_parser("console", help="talk to the bot in the terminal, over the same handlers as Slack")
    con.add_argument("--as", dest="user", help="act as this person (key, name or Slack id from the plan)")
    con.add_argument(
        "--now",
        help="pretend it is this date and time (ISO, plan time zone unless an offset is given); "
        "`now` for the real clock (default: the day the plan file describes, if that is past)",
    )
    con.add_argument("--json", action="store_true", help="print each outgoing Slack payload as one JSON line")
    con.set_defaults(func=cmd_console)

    tick = sub.add_parser(
        "tick", help="post the reminders and digests that are due now (for cron), then exit"
    )
    tick.add_argument(
        "--now", help="pretend it is this date and time (ISO, plan time zone unless an offset is given)"
    )
    tick.add_argument(
        "--dry-run",
        action="store_true",
        help="print what would be posted, change nothing (needs no Slack settings)",
    )
    tick.add_argument("-v", "--verbose", action="store_true", help='say "nothing due" when nothing is')
    tick.set_defaults(func=cmd_tick)

    dig = sub.add_parser(
        "digest", help="preview the next digest, or export one that was posted as a board paper"
    )
    dig.add_argument(
        "action", nargs="?", choices=["export"], help="export: write a posted digest as a board paper"
    )
    dig.add_argument("--preview", action="store_true", help="print the next digest as it would be posted now")
    dig.add_argument(
        "--meeting", help="the meeting date (YYYY-MM-DD); default the next (preview) or latest (export)"
    )
    dig.add_argument(
        "--format", choices=["md", "html", "docx"], default="md", help="export format (default md)"
    )
    dig.add_argument("--output", "-o", help="write to this file instead of standard output")
    dig.add_argument("--now", help="preview as of this date and time")
    dig.set_defaults(func=cmd_digest)


def configure_logging(settings: Settings) -> None:
    from bot.logs import formatter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(settings.log_format))
    logging.basicConfig(level=settings.log_level, handlers=[handler])
    # Bolt and slack_sdk log request and response bodies at DEBUG: never let them through.
    for noisy in ("slack_bolt", "slack_sdk", "qib.bolt", "waitress.queue"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, logging.getLevelName(settings.log_level)))


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.modes import choose_mode

    mode = choose_mode(settings, want_http=args.http)
    if mode == "console":
        return cmd_console(argparse.Namespace(user=None, now=None, json=False), settings)
    configure_logging(settings)
    from bot.deps import WEB_STATEMENT_TIMEOUT_MS, build_deps

    deps = build_deps(settings, statement_timeout_ms=WEB_STATEMENT_TIMEOUT_MS)
    deps.plan_ids()  # fail now, with a clear line, if there is no plan to serve
    from bot.app import WorkspaceUnknown, create_app  # the app and its handlers: once there is a plan

    try:
        app = create_app(settings, deps)  # learns its workspace from Slack unless SLACK_TEAM_ID says
    except WorkspaceUnknown as exc:
        raise CliError(str(exc)) from None
    from bot.heap import freeze_start_up_heap
    from bot.usecases.warm_up import warm_up

    took = warm_up(deps, settings, deps.clock())  # before the fork: every worker starts with them
    logging.getLogger("qib.warm").info("answers prepared in %.2f s", took)
    freeze_start_up_heap()
    host = args.host or settings.qib_host
    port = args.port if args.port is not None else settings.qib_port
    workers = args.workers or settings.qib_http_workers
    if mode == "http" and workers > 1:
        from bot.workers import Workers, bind

        deps.engine.dispose()  # each worker opens its own connections
        sock = bind(host, port)
        logging.getLogger("qib.http").info(
            "listening on http://%s:%s/slack/events, %s worker processes",
            host,
            sock.getsockname()[1],
            workers,
        )
        return Workers(workers, lambda i: _serve(app, deps, settings, mode, host, port, sock, i == 0)).run()
    return _serve(app, deps, settings, mode, host, port, None, True)


def _serve(
    app: Any, deps: Any, settings: Settings, mode: str, host: str, port: int, sock: Any, first: bool
) -> int:
    """One serving process: its outbox worker thread, the scheduler (in the first worker only), and HTTP
    or Socket Mode until told to stop."""
    from bot.outbox_worker import Courier, start_courier

    stop = threading.Event()
    start_courier(Courier(deps, settings, app.client), stop)  # posts what saves queued, off the ack path
    if settings.scheduler and first:
        from bot.scheduler import Scheduler, start_in_background

        start_in_background(Scheduler(deps, settings, app.client), stop)
    if mode == "http":
        from bot.http import serve

        serve(
            app,
            deps,
            host=host,
            port=port,
            max_body_bytes=settings.max_body_bytes,
            signing_secret=settings.secret("slack_signing_secret") or "",
            on_stop=stop.set,
            sock=sock,
        )
        return 0
    from bot.socket_mode import run_socket_mode

    run_socket_mode(app, settings, stop=stop)
    return 0


def cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    from bot.deps import build_deps

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    deps = build_deps(settings)
    seed_if_empty(deps.sessions)
    deps.clock, notice = _console_clock(args.now, deps)
    from bot.console import Console  # the app and its handlers: only once the database is open

    try:
        console = Console(settings, deps, user=args.user, as_json=args.json, notice=notice)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    interactive = sys.stdin.isatty() and not args.json
    console.loop(interactive=interactive)
    return 0


def _console_clock(text: str | None, deps: Any) -> tuple[Any, str | None]:
    """--now pins it; otherwise a plan that describes a past day starts the clock on that day."""
    from bot.console_clock import console_clock
    from models import Plan

    first = deps.plan_ids()[0]  # with several plans, the clock follows the first
    with deps.sessions() as db:
        plan = db.get(Plan, first)
        as_at = plan.as_at if plan is not None else None
    try:
        return console_clock(text, tz=deps.timezone_of(first), as_at=as_at)
    except ValueError as exc:
        raise CliError(str(exc)) from None


def _clock(text: str | None, deps: Any, settings: Settings) -> Any:
    """--now pins the clock; a time without an offset is read in the plan's time zone (the first plan's,
    as the console's clock does), so `--now 2026-05-06T17:00` is 17:00 where the board meets."""
    from bot.console_clock import now_from
    from bot.deps import utc_now
    from bot.services.errors import NotFound

    if not text:
        return utc_now
    try:
        tz = deps.timezone_of(deps.plan_ids()[0])
    except NotFound:  # no plan yet: the command says so itself
        tz = settings.timezone
    try:
        return now_from(text, tz) or utc_now
    except ValueError as exc:
        raise CliError(str(exc)) from None


def cmd_tick(args: argparse.Namespace, settings: Settings) -> int:
    from bot.deps import build_deps

    if args.dry_run:
        return _dry_run_tick(args, settings)
    if settings.slack_bot_token is None:
        raise CliError(
            "qib tick posts to Slack: set SLACK_BOT_TOKEN (or see what it would post with --dry-run)"
        )
    configure_logging(settings)
    deps = build_deps(settings)
    deps.clock = _clock(args.now, deps, settings)
    from bot.scheduler import Scheduler  # the renderers and the outbox's deliveries, not the app
    from bot.slack_client import make_client

    report = Scheduler(deps, settings, make_client(settings)).tick()
    for line in report.posted:
        print(f"posted {line}")
    for line in report.skipped:
        print(f"skipped {line}: the meeting had already started")
    for line in report.problems:
        print(f"problem: {line}", file=sys.stderr)
    if args.verbose and not (report.posted or report.skipped or report.problems):
        print("nothing due")  # under cron, silence means all is well
    return 1 if report.problems else 0


def _dry_run_tick(args: argparse.Namespace, settings: Settings) -> int:
    from bot.deps import build_deps
    from bot.dry_run import dry_run_tick

    configure_logging(settings)
    logging.getLogger("qib.scheduler").setLevel(logging.ERROR)  # its "posted" lines would not be true
    deps = build_deps(settings)
    deps.clock = _clock(args.now, deps, settings)
    report, shown = dry_run_tick(deps, settings)
    for text in shown:
        print(text + "\n")
    for line in report.posted:
        print(f"would post {line}")
    for line in report.skipped:
        print(f"would skip {line}: the meeting had already started")
    for line in report.problems:
        print(f"problem: {line}", file=sys.stderr)
    if not (report.posted or report.skipped or report.problems):
        print("nothing due: nothing would be posted")
    print("dry run: nothing was posted and nothing was recorded")
    return 1 if report.problems else 0


def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import date

    from bot.deps import build_deps

    meeting = None
    if args.meeting:
        try:
            meeting = date.fromisoformat(args.meeting)
        except ValueError:
            raise CliError(f'--meeting "{args.meeting}" is not a date like 2020-02-20') from None
    deps = build_deps(settings)
    deps.clock = _clock(args.now, deps, settings)
    if args.action == "export":
        from bot.services.digest import frozen_digest
        from bot.services.digest_export import to_html, to_markdown

        with deps.sessions() as db:
            frozen = frozen_digest(db=db, plan_id=deps.plan_id(), meeting_on=meeting)
        if args.format == "docx":
            from bot.services.digest_docx import to_docx

            if not args.output:
                raise CliError("a Word document needs a file: add --output paper.docx")
            data = to_docx(frozen.digest, posted_at=frozen.posted_at, late=frozen.late, tz=deps.timezone())
            with open(args.output, "wb") as out:
                out.write(data)
            print(f"wrote {args.output}")
            return 0
        render = to_html if args.format == "html" else to_markdown
        # The paper's own clock: the timezone frozen with it; older digests take the plan's.
        text = render(frozen.digest, posted_at=frozen.posted_at, late=frozen.late, tz=deps.timezone())
    elif args.preview:
        text = _preview(deps, settings, meeting, pinned=bool(args.now))
    else:
        raise CliError(
            "say what to do: qib digest --preview, or qib digest export --meeting DATE --format md|html|docx"
        )
    if args.output:
        write_output(args.output, text)
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def _preview(deps: Any, settings: Settings, meeting: Any, *, pinned: bool) -> str:
    """The digest as it would be posted: for a named meeting, at that meeting's digest instant.

    A past meeting's paper built from today's state would be neither what was posted nor what will
    be; so without --now the clock is the digest's own time, and every part is labelled a preview.
    """
    from zoneinfo import ZoneInfo

    from bot.console_render import render_outgoing
    from bot.usecases import board_paper
    from handlers.digest.render import digest_message

    now = deps.clock()
    rule, found = board_paper.upcoming(deps, settings, now, meeting)
    if meeting is not None and not pinned:
        now = board_paper.meeting_schedule(rule, found).digest_at
    reply = digest_message(board_paper.build(deps, rule, found, now))
    when = now.astimezone(ZoneInfo(rule.tz))
    head = f"preview, not posted: the digest for the meeting on {found.on}, as at {when:%Y-%m-%d %H:%M %Z}"
    parts = [render_outgoing(f"{head}; the board channel would see this", reply.payload())]
    parts += [
        render_outgoing("preview: a reply in the digest's thread", {"blocks": blocks})
        for blocks in reply.thread_blocks
    ]
    return "\n\n".join(parts) + "\n"
