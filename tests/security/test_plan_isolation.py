"""With several plans in one database, each surface shows only the selected plan (QIB_PLAN).

The second plan is the Durham file with every piece of text changed to carry a marker, so any of its
data leaking into the Durham plan's output (or the other way round) is visible.
"""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, datetime

import pytest
import yaml

from bot.app import make_client
from bot.cli import main
from bot.console import Console
from bot.deps import Deps
from bot.scheduler import Scheduler
from bot.services.planfile import import_plan, parse_plan_text
from models.db import make_sessionmaker
from qib_testing.bots import bot_settings
from qib_testing.people import CHAIR, IRO
from seeds import DURHAM
from tests.e2e.test_scheduler import DIGEST_TIME
from tests.snapshot import ArrangedOnce

DURHAM_TITLE = "Children's Social Care Quality Improvement Plan"
OTHER_TITLE = "Otherborough Improvement Plan"
OTHER_MARKS = ("OTHERPLAN", "Otherborough", "Otto Other")
DURHAM_MARKS = ("Durham County Council", "Alex Morgan", "IROs increase scrutiny", "Management oversight")


def other_plan_text() -> str:
    data = yaml.safe_load(DURHAM.read_text(encoding="utf-8"))
    data["plan"].update(title=OTHER_TITLE, authority="Otherborough Council")
    for a in data["areas"]:
        a["title"], a["description"] = f"OTHERPLAN area {a['code']}", f"OTHERPLAN description of {a['code']}"
    for p in data["priorities"]:
        p["title"] = f"OTHERPLAN priority {p['code']}"
    for i, p in enumerate(data["people"]):
        p["name"], p["role"] = f"Otto Other {i}", f"OTHERPLAN role {i}"
        p.pop("email", None)
    for m in data["milestones"]:
        m["title"] = f"OTHERPLAN milestone {m['code']}"
        for u in m.get("updates", []):
            u["note"] = f"OTHERPLAN note {u['key']}"
            u["key"] = f"other-{u['key']}"
    data["board"]["name"] = "OTHERPLAN Board"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.fixture(scope="module")
def arranged() -> ArrangedOnce:
    """The two plans and their posted digests, arranged by the first two_plans of this module's worker."""
    return ArrangedOnce()


@pytest.fixture
def two_plans(sessions, durham, engine, database_url, slack, arranged) -> tuple[int, int]:
    def arrange() -> tuple[int, int]:
        with sessions.begin() as db:
            other = import_plan(
                db, parse_plan_text(other_plan_text()), now=datetime(2020, 2, 1, tzinfo=UTC)
            ).plan_id
        for selector in (DURHAM_TITLE, str(other)):
            settings = bot_settings(database_url, slack)
            deps = Deps(engine=engine, sessions=make_sessionmaker(engine), plan_selector=selector)
            report = Scheduler(deps, settings, make_client(settings)).tick(DIGEST_TIME)
            assert "digest 2020-02-20" in report.posted
        slack.reset()
        return durham, other

    return arranged.once("two plans", engine, slack, arrange)


def assert_only(text: str, *, mine: tuple[str, ...], theirs: tuple[str, ...]) -> None:
    assert any(m in text for m in mine), "the output shows nothing of the selected plan"
    for mark in theirs:
        assert mark not in text, f"{mark!r} from the other plan"


def cli(
    monkeypatch, capsys, tmp_path, database_url: str, plan: str | None, *argv: str
) -> tuple[int, str, str]:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in [k for k in os.environ if k.startswith(("SLACK_", "QIB_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("DATABASE_URL", database_url)
    if plan is not None:
        monkeypatch.setenv("QIB_PLAN", plan)
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


CLI_COMMANDS = [
    ("export",),
    ("plan",),
    ("digest", "export", "--meeting", "2020-02-20", "--format", "md"),
    ("digest", "export", "--meeting", "2020-02-20", "--format", "html"),
    ("digest", "export", "--format", "md"),
    ("digest", "--preview", "--now", "2020-02-10T09:00"),
]


@pytest.mark.parametrize("argv", CLI_COMMANDS, ids=" ".join)
def test_cli_exports_show_only_the_selected_plan(
    two_plans, monkeypatch, capsys, tmp_path, database_url, argv
):
    _, other = two_plans
    for selector, mine, theirs in (
        (DURHAM_TITLE, DURHAM_MARKS, OTHER_MARKS),
        (str(other), OTHER_MARKS, DURHAM_MARKS),
        (OTHER_TITLE, OTHER_MARKS, DURHAM_MARKS),
    ):
        code, out, err = cli(monkeypatch, capsys, tmp_path, database_url, selector, *argv)
        assert code == 0, err
        assert_only(out, mine=mine, theirs=theirs)


def test_without_qib_plan_the_cli_refuses_to_guess(two_plans, monkeypatch, capsys, tmp_path, database_url):
    for argv in CLI_COMMANDS:
        code, out, err = cli(monkeypatch, capsys, tmp_path, database_url, None, *argv)
        assert code != 0
        assert "holds 2 plans" in err and "QIB_PLAN" in err
        assert_only(err, mine=("QIB_PLAN",), theirs=OTHER_MARKS + DURHAM_MARKS)
        assert out == ""


CONSOLE_LINES = [
    "/qib status",
    "/qib status M-05",
    "/qib status AFI-1",
    "/qib summary",
    "/qib mine",
    "/qib overdue",
    "/qib stale",
    "/qib priority SP-1",
    "/qib history M-05",
    "/qib meetings",
    "/qib digest show 2020-02-20",
    "/qib digest preview",
    "@qib how are we doing on AFI-1?",
    "what do I own?",
    ":home",
    ":who",
    "/qib update M-05 on track 40% console isolation check",
    ":tick",
]


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_the_console_shows_only_the_selected_plan(two_plans, engine, database_url, slack, as_json):
    _, other = two_plans
    for selector, mine, theirs in (
        (DURHAM_TITLE, DURHAM_MARKS, OTHER_MARKS),
        (str(other), OTHER_MARKS, DURHAM_MARKS),
    ):
        deps = Deps(
            engine=engine,
            sessions=make_sessionmaker(engine),
            plan_selector=selector,
            clock=lambda: datetime(2020, 2, 3, 9, 30, tzinfo=UTC),
            source="console",
        )
        out = io.StringIO()
        console = Console(bot_settings(database_url, slack), deps, user=CHAIR, as_json=as_json, out=out)
        console.loop(CONSOLE_LINES)
        text = out.getvalue()
        if as_json:
            lines = [json.loads(line) for line in text.splitlines()]
            assert lines and all({"where", "method", "payload"} <= set(line) for line in lines)
        assert_only(text, mine=mine, theirs=theirs)


def test_slack_serves_only_the_selected_plan(two_plans, make_bot):
    _, other = two_plans
    for selector, mine, theirs in (
        (DURHAM_TITLE, DURHAM_MARKS, OTHER_MARKS),
        (str(other), OTHER_MARKS, DURHAM_MARKS),
    ):
        with make_bot(plan=selector) as bot:
            bot.slack.reset()
            for text in (
                "status",
                "status M-05",
                "summary",
                "history M-05",
                "digest show 2020-02-20",
                "digest preview",
                "mine",
            ):
                bot.command(text, user=CHAIR)
            bot.command("update M-05 on track 45% isolation check", user=IRO)
            bot.mention("how are we doing on AFI-1?")
            bot.slack.wait_for("chat.postMessage", count=1, predicate=lambda c: c.args.get("thread_ts"))
            bot.open_home(user=IRO)
            sent = json.dumps([c.args for c in bot.slack.calls], ensure_ascii=False)
            assert_only(sent, mine=mine, theirs=theirs)


def test_an_update_through_one_plans_bot_changes_only_that_plan(two_plans, make_bot):
    from sqlalchemy import select

    from models import Milestone

    durham, other = two_plans
    with make_bot(plan=str(other)) as bot:
        bot.command("update M-05 on track 55% only the other plan", user=IRO)
    with bot.deps.sessions() as db:
        percents = dict(
            db.execute(select(Milestone.plan_id, Milestone.percent).where(Milestone.code == "M-05")).all()
        )
    assert percents[other] == 55 and percents[durham] != 55
