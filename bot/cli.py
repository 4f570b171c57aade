"""The `qib` command: its parser and the one place errors become exit codes. The commands are in
bot.cli_plan (database and plan files) and bot.cli_runtime (the bot's runtime modes)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence

from bot import cli_plan, cli_runtime
from bot.cli_plan import CliError


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from sqlalchemy.exc import OperationalError

    from bot.services.errors import DomainError
    from bot.services.text import terminal_safe
    from bot.settings import SettingsError, load_settings  # pydantic: not for --help or a mistyped command
    from models.db import DatabaseUnavailable, describe_connect_error

    url = ""
    try:
        settings = load_settings()
        url = settings.database_url
        status = int(args.func(args, settings) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's own flush at exit
        return status
    except (SettingsError, CliError) as exc:
        print(f"qib: {terminal_safe(str(exc))}", file=sys.stderr)
        return 2
    except DomainError as exc:  # the message can quote a plan file: no escape sequences to the terminal
        print(f"qib: {terminal_safe(str(exc))}", file=sys.stderr)
        return 1
    except DatabaseUnavailable as exc:
        print(f"qib: {terminal_safe(str(exc))}", file=sys.stderr)
        return 1
    except OperationalError as exc:  # the database went away part-way: one line, no traceback
        print(f"qib: {terminal_safe(describe_connect_error(url, exc))}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return _closed_pipe()
    except KeyboardInterrupt:
        return 130


def _closed_pipe() -> int:
    """`qib plan | head -1`: the reader went away, which is not an error worth a word.

    Standard output now points at /dev/null so the interpreter's last flush cannot complain, and the
    exit status is the shell's for a process ended by SIGPIPE (128 + 13).
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 128 + signal.SIGPIPE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qib", description="qib-bot: the Quality Improvement Plan, in Slack and in the terminal."
    )
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    cli_plan.add_commands(sub)
    cli_runtime.add_commands(sub)
    return parser
