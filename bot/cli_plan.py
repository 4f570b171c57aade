"""The plan-file commands of `qib`: db upgrade, import, export, seed and plan; and what every command
shares (CliError, write_output)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.settings import Settings


class CliError(Exception):
    """Printed to stderr as one line; the command exits non-zero."""


def write_output(path: str | Path, text: str) -> None:
    """Write a whole output file, or raise CliError naming what is wrong (nothing is left half-written)."""
    target = Path(path)
    if target.is_dir():
        raise CliError(f"cannot write {target}: it is a folder; give a file name")
    if not target.parent.is_dir():
        raise CliError(f"cannot write {target}: the folder {target.parent} does not exist")
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot write {target}: {exc.strerror or exc}") from None


def add_commands(sub: Any) -> None:
    db = sub.add_parser("db", help="database schema").add_subparsers(title="db commands", metavar="ACTION")
    up = db.add_parser("upgrade", help="apply the migrations (every other command does this by itself)")
    up.set_defaults(func=cmd_db_upgrade)

    imp = sub.add_parser("import", help="create or update a plan from a YAML plan file (idempotent)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="print what would change, change nothing")
    imp.set_defaults(func=cmd_import)

    exp = sub.add_parser("export", help="write the whole plan, with every progress update, as YAML")
    exp.add_argument("file", type=Path, nargs="?", help="output file (default: standard output)")
    exp.set_defaults(func=cmd_export)

    seed = sub.add_parser("seed", help="load the Durham 2019 plan into an empty database")
    seed.set_defaults(func=cmd_seed)

    plan = sub.add_parser("plan", help="a readable summary of the plan")
    plan.add_argument("--list", action="store_true", help="list the plans in the database")
    plan.set_defaults(func=cmd_plan)


def _now() -> datetime:
    from bot.deps import utc_now

    return utc_now()


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from bot.deps import open_database
    from models.db import current_revision

    engine, _ = open_database(settings)
    print(f"database at revision {current_revision(engine)}")
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.deps import open_database
    from bot.services.planfile import import_plan, read_plan_file
    from bot.services.text import terminal_safe

    doc = read_plan_file(args.file)
    _, sessions = open_database(settings)
    progress = _progress_printer(len(doc.milestones))
    with sessions.begin() as db:
        report = import_plan(db, doc, now=_now(), actor=f"qib import {args.file.name}", progress=progress)
        if args.dry_run:
            db.rollback()
    verb = "would change" if args.dry_run else "changed"
    if report.created:
        print(
            f"{'would create' if args.dry_run else 'created'} plan {terminal_safe(doc.plan.title)}: "
            f"{len(doc.areas)} areas, {len(doc.priorities)} priorities, {len(doc.people)} people, "
            f"{len(doc.milestones)} milestones"
        )
    elif report.changes:
        print(f"{verb} {len(report.changes)} thing(s):")
        for line in report.changes:
            print(f"  {terminal_safe(line)}")
    else:
        print("no changes")
    for note in report.notes:
        print(f"note: {terminal_safe(note)}")
    return 0


def _progress_printer(total: int) -> Any:
    if total < 500 or not sys.stderr.isatty():
        return None

    def show(done: int, of: int) -> None:
        print(f"\rimporting milestones {done}/{of}", end="" if done < of else "\n", file=sys.stderr)

    return show


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.deps import build_deps

    deps = build_deps(settings)  # first: a database that cannot be opened is said before the rest loads
    from bot.services.planfile import dump_yaml, export_plan

    with deps.sessions() as db:
        text = dump_yaml(export_plan(db, deps.plan_id()))
    if args.file:
        write_output(args.file, text)
        print(f"wrote {args.file}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    from bot.deps import open_database

    _, sessions = open_database(settings)
    loaded = seed_if_empty(sessions)
    print("loaded the Durham 2019 plan" if loaded else "the database already holds a plan; nothing loaded")
    return 0


def seed_if_empty(sessions: Any) -> bool:
    from sqlalchemy import select

    from bot.services.planfile import import_plan, read_plan_file
    from models import Plan
    from seeds import DURHAM

    with sessions.begin() as db:
        if db.scalar(select(Plan.id).limit(1)) is not None:
            return False
        import_plan(db, read_plan_file(DURHAM), now=_now(), actor="qib seed")
    return True


def cmd_plan(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import select

    from bot.deps import build_deps
    from bot.services.text import terminal_safe
    from models import Plan

    deps = build_deps(settings)  # first: a database that cannot be opened is said before the rest loads
    from bot.services.planfile import export_plan

    with deps.sessions() as db:
        if args.list:
            for p in db.execute(select(Plan.id, Plan.title, Plan.authority).order_by(Plan.id)):
                print(terminal_safe(f"{p.id}  {p.title} ({p.authority})"))
            return 0
        print(render_plan_text(export_plan(db, deps.plan_id())))
    return 0


def render_plan_text(plan: dict[str, Any]) -> str:
    """The plan for a terminal: areas with their milestones, owners, due dates and status."""
    from bot.services.text import terminal_safe

    people = {p["key"]: p for p in plan["people"]}
    lines = [f"{plan['plan']['title']} - {plan['plan']['authority']}"]
    if "inspection" in plan:
        i = plan["inspection"]
        lines.append(f"Inspection: {i['type']} {i['start']} to {i['end']}")
        lines += [f"  {j['area']}: {j['grade']}" for j in i.get("judgements", [])]
    if "board" in plan:
        b = plan["board"]
        chair = people.get(b.get("chair", ""), {}).get("name", "no chair")
        lines.append(f"Board: {b['name']} ({b['rrule']} at {b['time']}), chaired by {chair}")
    lines.append("")
    lines.append("Strategic priorities:" if plan["priorities"] else "Strategic priorities: none")
    lines += [
        f"  {p['code']}  {p['title']}  (areas {', '.join(p.get('areas', []))})" for p in plan["priorities"]
    ]
    lines.append("")
    lines.append("Areas for improvement, with their milestones:" if plan["areas"] else "Areas: none")
    for area in plan["areas"]:
        lines.append("")
        lines.append(f"{area['code']}  {area['title']}")
        lines.append(f"      {area['description']}")
        for m in (m for m in plan["milestones"] if m["area"] == area["code"]):
            owner = people.get(m.get("owner", ""), {})
            who = owner.get("role") or owner.get("name") or "no owner"
            due = m.get("due", "no date")
            lines.append(
                f"  {m['code']:<6} {m['status']:<12} {m['percent']:>3}%  due {due}  {m['title']}  [{who}]"
            )
    return terminal_safe("\n".join(lines))
