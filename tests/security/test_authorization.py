"""Who may do what, from Slack, over real HTTP: every action times every role against a written table.

The roles, on the Durham plan as of Mon 3 Feb 2020:
- owner: Alex Morgan (iro-ops), who owns M-05;
- delegate: Jordan Ellis (iro-ops-2), who covers for Alex with no end date;
- member: Drew Lawson (practice-lead), in the plan, owns other milestones;
- chair: Sam Carter (head-csc), the board's chair, made chair only (not admin) for this table;
- admin: Casey Hughes (sm-resources), made a plan admin in the plan's data;
- admin by setting: Robin Marsh (perf-manager), listed in the ADMINS setting;
- unknown: a Slack user who is not in the plan's people (workspace members can still read status);
- unknown in ADMINS: a Slack user listed in ADMINS but not in the plan (changes need a plan person).
"""

from __future__ import annotations

import ast
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from bot.app import make_client
from bot.scheduler import Scheduler
from models import AuditEvent, MeetingOverride, Milestone, Person, Plan, ProgressUpdate
from qib_testing.bots import bot_settings
from qib_testing.people import ADMIN, ADMIN_BY_SETTING, CHAIR, IRO, IRO_2, PRACTICE_LEAD
from qib_testing.routes import subcommands
from tests.e2e.test_scheduler import DIGEST_TIME
from tests.snapshot import ArrangedOnce

ROOT = Path(__file__).resolve().parents[2]
UNKNOWN, UNKNOWN_IN_ADMINS = "U0NOBODY01", "U0NOBODY02"
SUBCOMMANDS = subcommands().names()  # the /qib table, as create_app builds it
USERS = {
    "owner": IRO,
    "delegate": IRO_2,
    "member": PRACTICE_LEAD,
    "chair": CHAIR,
    "admin": ADMIN,
    "admin by setting": ADMIN_BY_SETTING,
    "unknown": UNKNOWN,
    "unknown in ADMINS": UNKNOWN_IN_ADMINS,
}

# The intended policy, written out. Import and export are not here: they are CLI-only (see below).
INTENDED_TABLE = """
action               | owner | delegate | member | chair | admin | admin by setting | unknown | unknown in ADMINS
view status          | yes   | yes      | yes    | yes   | yes   | yes              | yes     | yes
update by command    | yes   | yes      | no     | no    | yes   | yes              | no      | no
update by form       | yes   | yes      | no     | no    | yes   | yes              | no      | no
form offers M-05     | yes   | yes      | no     | no    | yes   | yes              | no      | no
reassign owner       | no    | no       | no     | no    | yes   | yes              | no      | no
set delegate         | no    | no       | no     | no    | yes   | yes              | no      | no
move meeting         | no    | no       | no     | yes   | yes   | yes              | no      | no
cancel meeting       | no    | no       | no     | yes   | yes   | yes              | no      | no
add meeting          | no    | no       | no     | yes   | yes   | yes              | no      | no
preview digest       | no    | no       | no     | yes   | yes   | yes              | no      | no
show posted digest   | yes   | yes      | yes    | yes   | yes   | yes              | yes     | yes
"""


def intended() -> dict[str, dict[str, bool]]:
    header, *rows = [line for line in INTENDED_TABLE.strip().splitlines()]
    roles = [c.strip() for c in header.split("|")[1:]]
    table: dict[str, dict[str, bool]] = {}
    for row in rows:
        action, *cells = [c.strip() for c in row.split("|")]
        table[action] = {role: cell == "yes" for role, cell in zip(roles, cells, strict=True)}
    return table


def test_the_table_covers_every_role_and_every_action():
    table = intended()
    assert all(set(row) == set(USERS) for row in table.values())
    assert "meeting" in SUBCOMMANDS, "handlers/meetings is registered: /qib meeting is in the table"


# ------------------------------------------------------------------ driving the actions


def count(bot, model) -> int:
    with bot.deps.sessions() as db:
        return db.scalar(select(func.count(model.id))) or 0


def reply_text(replies: list[dict]) -> str:
    assert len(replies) == 1, replies  # allowed or not, the person is told exactly once
    return replies[0]["text"]


def form_state(code: str) -> dict:
    return {
        "milestone": {"update_pick_milestone": {"type": "static_select", "selected_option": {"value": code}}},
        "status": {"value": {"type": "static_select", "selected_option": {"value": "on track"}}},
        "percent": {"value": "30"},
        "note": {"value": "Matrix check through the form"},
        "confirm": {"value": {"type": "checkboxes", "selected_options": []}},
    }


def owner_key(bot, code: str) -> str | None:
    with bot.deps.sessions() as db:
        return db.scalar(
            select(Person.key).join(Milestone, Milestone.owner_id == Person.id).where(Milestone.code == code)
        )


def delegate_key(bot, key: str) -> str | None:
    with bot.deps.sessions() as db:
        person = db.scalar(select(Person).where(Person.key == key))
        if person is None or person.delegate_id is None:
            return None
        return db.get(Person, person.delegate_id).key


def override(bot, on: date) -> str | None:
    with bot.deps.sessions() as db:
        return db.scalar(select(MeetingOverride.action).where(MeetingOverride.on == on))


def run_all(bot, user: str) -> dict[str, bool]:
    """Try every action as `user`; True where it took effect, asserting a refusal changed nothing."""
    done: dict[str, bool] = {}

    text = reply_text(bot.command("status M-05", user=user))
    done["view status"] = text.startswith("M-05 IROs increase scrutiny")

    before = count(bot, ProgressUpdate)
    text = reply_text(bot.command("update M-05 on track 25% Matrix check by command", user=user))
    done["update by command"] = count(bot, ProgressUpdate) == before + 1 and text.startswith("Saved: M-05")

    before = count(bot, ProgressUpdate)
    view = {"callback_id": "qib_update", "id": f"VMATRIX{user}", "private_metadata": "{}"}
    status, body = bot.submit(view, form_state("M-05"), user=user)
    assert status == 200
    saved = count(bot, ProgressUpdate) == before + 1
    assert saved == (body == ""), body  # refused: the form shows why, on a field
    done["update by form"] = saved

    bot.slack.reset()
    replies = bot.command("update", user=user)
    opened = [c for c in bot.slack.calls_to("views.open")]
    assert bool(opened) != bool(replies), "either the form opens or the person is told why not"
    options = json.dumps(opened[0].args["view"]) if opened else ""
    done["form offers M-05"] = '"value": "M-05"' in options  # the choices are what the person may update

    text = reply_text(bot.command("owner M-06 perf-manager", user=user))
    done["reassign owner"] = owner_key(bot, "M-06") == "perf-manager"
    assert done["reassign owner"] == ("now owned by" in text), text

    text = reply_text(bot.command("delegate practice-lead perf-manager", user=user))
    done["set delegate"] = delegate_key(bot, "practice-lead") == "perf-manager"
    assert done["set delegate"] == ("now covers for" in text), text

    text = reply_text(bot.command("meeting move 2020-03-19 2020-03-26", user=user))
    done["move meeting"] = override(bot, date(2020, 3, 19)) == "moved"
    assert done["move meeting"] == text.startswith("Moved"), text

    text = reply_text(bot.command("meeting cancel 2020-04-16", user=user))
    done["cancel meeting"] = override(bot, date(2020, 4, 16)) == "cancelled"
    assert done["cancel meeting"] == text.startswith("Cancelled"), text

    text = reply_text(bot.command("meeting add 2020-03-05", user=user))
    done["add meeting"] = override(bot, date(2020, 3, 5)) is not None
    assert done["add meeting"] == text.startswith("Added"), text

    text = reply_text(bot.command("digest preview", user=user))
    done["preview digest"] = text.startswith("Preview: Social Care Quality Improvement Board digest")

    text = reply_text(bot.command("digest show 2020-02-20", user=user))
    done["show posted digest"] = text.startswith("Social Care Quality Improvement Board digest")
    return done


@pytest.fixture(scope="module")
def arranged() -> ArrangedOnce:
    """The roles and the posted digest, arranged by the first roles_bot of this module's worker."""
    return ArrangedOnce()


@pytest.fixture
def roles_bot(make_bot, engine, database_url, slack, arranged):
    """The Durham plan with the chair made chair-only, one admin in the data, one in ADMINS, a posted digest."""
    with make_bot(admins=f"{ADMIN_BY_SETTING},{UNKNOWN_IN_ADMINS}") as bot:

        def arrange() -> None:
            with bot.deps.sessions.begin() as db:
                db.execute(update(Person).where(Person.key == "head-csc").values(is_admin=False))
                db.execute(update(Person).where(Person.key == "sm-resources").values(is_admin=True))
            settings = bot_settings(database_url, slack)
            report = Scheduler(bot.deps, settings, make_client(settings)).tick(DIGEST_TIME)
            assert "digest 2020-02-20" in report.posted
            slack.reset()

        arranged.once("roles", engine, slack, arrange, bot=bot)
        yield bot


@pytest.mark.parametrize("role", list(USERS))
def test_each_role_can_do_exactly_what_the_table_says(roles_bot, role):
    table = intended()
    done = run_all(roles_bot, USERS[role])
    expected = {action: row[role] for action, row in table.items()}
    wrong = {a: ("allowed" if done[a] else "refused") for a in expected if done[a] != expected[a]}
    assert not wrong, f"{role}: {wrong}"


def test_a_delegate_whose_cover_has_ended_is_refused(roles_bot):
    with roles_bot.deps.sessions.begin() as db:
        db.execute(update(Person).where(Person.key == "iro-ops").values(delegate_until=date(2020, 2, 2)))
    before = count(roles_bot, ProgressUpdate)
    text = reply_text(roles_bot.command("update M-05 on track 25% after the cover ended", user=IRO_2))
    assert count(roles_bot, ProgressUpdate) == before
    assert "ended on" in text


# ------------------------------------------------------------------ import and export: CLI only

PLANFILE_MODULES = ("bot.services.planfile", "bot.cli", "bot.cli_plan")  # the CLI's plan-file commands
PLANFILE_NAMES = {
    "import_plan",
    "export_plan",
    "dump_yaml",
    "read_plan_file",
    "parse_plan_text",
    "cmd_import",
    "cmd_export",
}


def slack_reachable_sources() -> list[Path]:
    """Everything a Slack request can run: the handlers and the app, HTTP and Socket Mode glue."""
    return (
        sorted((ROOT / "handlers").rglob("*.py"))
        + sorted((ROOT / "bot" / "scheduler").rglob("*.py"))
        + sorted((ROOT / "bot" / "usecases").rglob("*.py"))
        + [ROOT / "bot" / name for name in ("app.py", "http.py", "socket_mode.py", "deps.py")]
    )


def test_no_slack_route_imports_or_calls_the_plan_file_functions():
    offenders = []
    for path in slack_reachable_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom):
                names = [a.name for a in node.names]
                if node.module in PLANFILE_MODULES:
                    names.append(node.module)
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names if a.name in PLANFILE_MODULES]
            elif isinstance(node, ast.Attribute):
                names = [node.attr]
            elif isinstance(node, ast.Name):
                names = [node.id]
            hits = PLANFILE_NAMES.intersection(names) | {n for n in names if n in PLANFILE_MODULES}
            if hits:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {sorted(hits)}")
    assert offenders == []


def test_no_subcommand_is_an_import_or_export():
    assert not {"import", "export", "seed", "load", "dump", "upload", "download"} & SUBCOMMANDS


@pytest.mark.parametrize(
    "text",
    ["import", "import seeds/durham_ilacs_2019.yaml", "export", "export plan.yaml", "plan export", "seed"],
)
def test_an_admin_asking_slack_to_import_or_export_gets_help_and_nothing_happens(
    roles_bot, monkeypatch, text
):
    called: list[str] = []
    import bot.services.planfile as planfile

    for name in ("import_plan", "export_plan", "dump_yaml", "read_plan_file", "parse_plan_text"):
        original = getattr(planfile, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            called.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(planfile, name, spy)
    plans, audits = count(roles_bot, Plan), count(roles_bot, AuditEvent)
    replies = roles_bot.command(text, user=ADMIN)
    roles_bot.mention(text, user=ADMIN)
    roles_bot.dm(text, user=ADMIN)
    roles_bot.slack.wait_for("chat.postMessage", count=2)
    assert called == []
    assert (count(roles_bot, Plan), count(roles_bot, AuditEvent)) == (plans, audits)
    sent = json.dumps([c.args for c in roles_bot.slack.calls])
    assert "version: 1" not in sent and "milestones:" not in sent  # no plan file came back
    assert reply_text(replies).startswith("qib-bot keeps the Quality Improvement Plan up to date")
