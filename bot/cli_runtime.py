"""Runtime commands of `qib`: run (Socket Mode, HTTP or console)."""

from __future__ import annotations

import argparse
from typing import Any

from bot.settings import Settings


def add_commands(sub: Any) -> None:
    run = sub.add_parser("run", help="start the bot (Socket Mode, HTTP or console, from the settings)")
    run.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli import cmd_plan, seed_if_empty
    from bot.deps import open_database

    _, sessions = open_database(settings)
    seed_if_empty(sessions)
    return cmd_plan(argparse.Namespace(list=False), settings)
