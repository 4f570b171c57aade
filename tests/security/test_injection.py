"""Text injection: mentions, links, entities, Markdown and control characters in notes, milestone titles,
area descriptions, people's names and plan files come out inert wherever the bot shows them.

The plan is the Durham seed re-imported from a plan file whose text carries the payloads (so they
arrive the way plan text does), plus control characters written straight into the database (as old
data or another tool might leave them), plus notes given in Slack both ways Slack sends text: a
command (where what Slack sends is already escaped and `<...>` is live) and a modal (raw).
"""

from __future__ import annotations

import html.parser
import io
import json
import re
from datetime import UTC, datetime

import pytest
import yaml
from sqlalchemy import select, update

from bot.app import make_client
from bot.console import Console
from bot.deps import Deps
from bot.scheduler import Scheduler
from bot.services.digest import frozen_digest
from bot.services.digest_export import to_html, to_markdown
from bot.services.planfile import dump_yaml, export_plan, import_plan, parse_plan_text
from bot.services.text import unescape_slack
from models import Area, Board, Milestone, Person, Plan, Priority
from models.db import make_sessionmaker
from qib_testing.bots import bot_settings
from qib_testing.people import CHAIR, IRO, IRO_2, PRACTICE_LEAD
from seeds import DURHAM
from tests.e2e.test_scheduler import DIGEST_TIME, REMINDER_TIME
from tests.security.inert import CONTROL, findings, scan_calls
from tests.snapshot import ArrangedOnce

# The mailto is a staff address of the plan: any other email address is personal data and refused.
LIVE = "<!channel> <!everyone> <!here> <@U123> <#C999> <!subteam^S1> <https://evil.example|click> <mailto:alex.morgan@example.gov.uk|mail>"
MARKUP = "&lt;b&gt; &amp; *bold* _x_ `tick` ```fence``` ~strike~ > quote"
CONTROLS = "\x1b[31mRED\x1b[0m \u202egnp.exe\u202c \x07\x08\x7f\u2066iso\u2069"
EVIL = f"{LIVE} {MARKUP}"
NOTE_BY_COMMAND = (
    "<!channel> <@U123> <https://evil.example|click> &lt;!everyone&gt; &amp;lt; *bold* _x_ `tick`"
)
NOTE_BY_MODAL = f"{EVIL} {CONTROLS}"
SLACK_FLAVOURED = re.compile(r"<[!@#]|<https?:|<mailto:")


def evil_plan_text() -> str:
    data = yaml.safe_load(DURHAM.read_text(encoding="utf-8"))
    for a in data["areas"]:
        a["title"] = f"{a['title']} {LIVE[:120]}"[:200]
        a["description"] = f"{a['description']} {EVIL}"
    for p in data["priorities"]:
        p["title"] = f"{p['title'][:60]} {EVIL}"
        p["period"] = "<!here> *now*"
    for p in data["people"]:
        p["name"] = f"{p['name']} {LIVE[:100]} *x*"
        p["role"] = f"{p.get('role') or 'role'}"[:60] + f" {MARKUP}"
    for m in data["milestones"]:
        m["title"] = f"{m['title'][:80]} {EVIL}"
        for u in m.get("updates", []):
            u["note"] = f"{u.get('note', '')[:100]} {EVIL}"
            u["blockers"] = f"blocked by {LIVE}"
    data["board"]["name"] = f"Board {LIVE[:100]}"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


@pytest.fixture(scope="module")
def arranged() -> ArrangedOnce:
    """The plan full of injections and its two notes, arranged by the first evil of this module's worker."""
    return ArrangedOnce()


@pytest.fixture
def evil(bot, sessions, engine, arranged):
    """The bot, serving a plan full of injections; notes given by command and by modal."""

    def arrange() -> None:
        with sessions.begin() as db:
            import_plan(
                db, parse_plan_text(evil_plan_text(), "evil.yaml"), now=datetime(2020, 2, 2, tzinfo=UTC)
            )
            db.execute(update(Plan).values(title=Plan.title + " " + LIVE[:60] + " " + CONTROLS[:20]))
            db.execute(
                update(Area).values(title=Area.title + CONTROLS[:14], description=Area.description + CONTROLS)
            )
            db.execute(update(Milestone).values(title=Milestone.title + " " + CONTROLS))
            db.execute(update(Person).values(name=Person.name + CONTROLS[:20]))
            db.execute(update(Priority).values(title=Priority.title + CONTROLS[:20]))
            db.execute(update(Board).values(name=Board.name + CONTROLS[:20]))
        [saved] = bot.command(
            f"update M-05 at risk 35% {NOTE_BY_COMMAND} ; recovery: weekly checks", user=IRO
        )
        assert saved["text"].startswith("Saved: M-05"), saved
        view = {"callback_id": "qib_update", "id": "VEVIL1", "private_metadata": "{}"}
        status, text = bot.submit(
            view,
            {
                "milestone": {"m": {"type": "static_select", "selected_option": {"value": "M-05"}}},
                "status": {"s": {"type": "static_select", "selected_option": {"value": "off track"}}},
                "percent": {"value": "36"},
                "note": {"value": NOTE_BY_MODAL},
                "blockers": {"value": NOTE_BY_MODAL},
                "next_steps": {"value": NOTE_BY_MODAL},
                "evidence_url": {"value": "https://example.gov.uk/a?b=<!channel>&c=<@U1>"},
            },
            user=IRO_2,
        )
        assert (status, text) == (200, ""), text
        bot.slack.wait_for("chat.postMessage", count=3)  # thread parent, the line, the receipt

    arranged.once("evil", engine, bot.slack, arrange, bot=bot)
    return bot


def assert_inert(bot) -> None:
    problems = scan_calls(bot.slack.calls)
    assert problems == [], "\n".join(problems[:40])


def all_sent(bot) -> str:
    return json.dumps([c.args for c in bot.slack.calls], ensure_ascii=False)


# ------------------------------------------------------------------ Slack surfaces


COMMANDS = [
    "status",
    "status AFI-1",
    "status M-05",
    "status management oversight",
    "status evil",  # several matches: the choices list
    "status <!channel>",  # nothing matches: the text is echoed back
    "history M-05",
    "summary",
    "mine",
    "overdue",
    "due 400",
    "stale",
    "priority",
    "priority SP-1",
    "meetings",
    "help",
    "digest preview",
    "digest <!channel> <@U123>",  # refused: echoes what was typed
    "owner M-06 <!channel>",  # nobody matches
    "owner M-06 sm-resources",
    "delegate practice-lead perf-manager",
    "meeting move <!channel> <@U9>",
    "frobnicate <!channel>",
]


def test_command_responses_are_inert(evil):
    for text in COMMANDS:
        evil.command(text, user=CHAIR)
    assert_inert(evil)
    sent = all_sent(evil)
    assert "&lt;!channel&gt;" in sent and "*bold*" in sent  # the text is there, made inert, not dropped


def test_refusals_that_name_people_are_inert(evil):
    evil.command("update M-05 on track 40% not mine", user=PRACTICE_LEAD)  # "owned by <name>"
    evil.command("meeting cancel 2020-03-19", user=IRO)  # "ask <chair's name>"
    evil.command("digest preview", user=IRO)
    evil.command("update M-05 complete 100%", user=IRO)  # needs a note: the form or a message
    assert_inert(evil)


def test_the_board_thread_announcements_and_receipts_are_inert(evil):
    evil.command(
        f"update M-05 off track 37% {NOTE_BY_COMMAND} again; recovery: cover", user=IRO
    )  # off track: broadcast
    assert_inert(evil)
    posts = evil.slack.calls_to("chat.postMessage")
    assert any(p.args.get("thread_ts") for p in posts)


def test_mentions_and_direct_messages_are_inert(evil):
    for question in (
        "how are we doing on management oversight?",
        "what's overdue?",
        "summary",
        "history of M-05",
        "status of M-05 <!channel>",
    ):
        evil.mention(question)
        evil.dm(question, user=IRO)
    evil.slack.wait_for("chat.postMessage", count=13)
    assert_inert(evil)


def test_app_home_is_inert(evil):
    for user in (IRO, IRO_2, CHAIR, "U0NOBODY01"):
        evil.open_home(user=user)
    assert_inert(evil)


def test_the_update_form_is_inert(evil):
    evil.command("update", user=IRO)
    evil.command("update M-05", user=IRO)
    evil.command("update management oversight on track 50% <!channel>", user=CHAIR)  # confirm the match
    evil.command("update <!channel> on track 50%", user=IRO)  # no match: says what was typed
    evil.click("update_milestone", "M-05", user=IRO_2)
    evil.slack.wait_for("views.open", count=5)
    assert_inert(evil)


def test_the_digest_its_thread_reminders_and_show_are_inert(evil, database_url, engine):
    settings = bot_settings(evil.slack and database_url, evil.slack)
    sched = Scheduler(evil.deps, settings, make_client(settings))
    sched.tick(REMINDER_TIME)
    sched.tick(DIGEST_TIME)
    evil.command("digest show", user=IRO)
    evil.command("digest show 2020-02-20", user=CHAIR)
    posts = evil.slack.calls_to("chat.postMessage")
    assert sum(1 for p in posts if p.args.get("thread_ts")) >= 6  # one reply per area
    assert sum(1 for p in posts if str(p.args.get("channel", "")).startswith("U0QIB")) >= 5  # reminders
    assert_inert(evil)


def test_a_channel_problem_told_to_the_chair_is_inert(evil, database_url):
    with evil.deps.sessions.begin() as db:
        db.execute(update(Plan).values(channel="<!channel> <#C1|board>"))
    evil.slack.fail("chat.postMessage", status=200, error="channel_not_found", times=None)
    settings = bot_settings(database_url, evil.slack)
    Scheduler(evil.deps, settings, make_client(settings)).tick(DIGEST_TIME)
    told = [
        c
        for c in evil.slack.calls_to("chat.postMessage")
        if c.args.get("channel") == CHAIR and "could not post" in c.args["text"]
    ]
    assert told
    assert_inert(evil)


# ------------------------------------------------------------------ exports and the console


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_digest_exports_are_inert(evil, database_url):
    settings = bot_settings(database_url, evil.slack)
    Scheduler(evil.deps, settings, make_client(settings)).tick(DIGEST_TIME)
    with evil.deps.sessions() as db:
        frozen = frozen_digest(db=db, plan_id=evil.deps.plan_id(), meeting_on=None)
    md = to_markdown(frozen.digest, posted_at=frozen.posted_at)
    assert not CONTROL.search(md)
    assert not SLACK_FLAVOURED.search(md) and "<" not in md and ">" not in md.replace("&gt;", "")
    assert "\\*bold\\*" in md and "\\_x\\_" in md and "\\`tick\\`" in md
    assert not re.search(r"(?<!\\)\*bold(?<!\\)\*", md)
    page = to_html(frozen.digest, posted_at=frozen.posted_at)
    assert not CONTROL.search(page)
    parser = _Tags()
    parser.feed(page)
    assert parser.tags <= {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "main",
        "header",
        "h1",
        "h2",
        "h3",
        "p",
        "strong",
        "section",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "span",
        "figure",  # the BRAG chart: an <img> from a data: URI, drawn from counts and dates only
        "img",
        "figcaption",
    }
    assert "<!channel>" in "".join(parser.text)  # shown as text


CONSOLE_LINES = [
    "/qib status",
    "/qib status AFI-1",
    "/qib status M-05",
    "/qib history M-05",
    "/qib summary",
    "/qib mine",
    "/qib digest preview",
    "/qib update M-05",
    "@qib how are we doing on management oversight?",
    ":home",
    ":who",
    ":as iro-ops",
    "/qib update M-05 on track 40% <!channel> \x1b[2J",
    ":tick",
]


def test_the_console_text_output_has_no_control_characters(evil, database_url):
    out = io.StringIO()
    deps = Deps(
        engine=evil.deps.engine,
        sessions=make_sessionmaker(evil.deps.engine),
        clock=lambda: DIGEST_TIME,
        source="console",
    )
    Console(bot_settings(database_url, evil.slack), deps, user=CHAIR, out=out).loop(CONSOLE_LINES)
    text = out.getvalue()
    assert "Children" in text and "&lt;!channel&gt;" not in text  # shown as a person reads it
    bad = [f"line {n}: {line!r}" for n, line in enumerate(text.splitlines()) if CONTROL.search(line)]
    assert bad == []


def test_the_console_json_output_is_inert(evil, database_url):
    out = io.StringIO()
    deps = Deps(
        engine=evil.deps.engine,
        sessions=make_sessionmaker(evil.deps.engine),
        clock=lambda: DIGEST_TIME,
        source="console",
    )
    Console(bot_settings(database_url, evil.slack), deps, user=CHAIR, out=out, as_json=True).loop(
        CONSOLE_LINES
    )
    raw = out.getvalue()
    assert not CONTROL.search(raw)  # JSON escapes them, and a terminal shows the escapes
    problems = []
    for line in raw.splitlines():
        item = json.loads(line)
        message = item["where"] not in ("modal", "home")
        problems += [f"{item['method']} {f}" for f in findings(item["payload"], message=message)]
    assert problems == []


def test_cli_plan_and_import_output_have_no_control_characters(
    evil, monkeypatch, capsys, tmp_path, database_url
):
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    for name in ("QIB_PLAN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert main(["plan"]) == 0
    out, err = capsys.readouterr()
    assert "M-05" in out
    assert [line for line in (out + err).splitlines() if CONTROL.search(line)] == []
    with evil.deps.sessions() as db:
        data = export_plan(db, evil.deps.plan_id())
    for m in data["milestones"]:
        m["title"] = f"{m['title'][:20]} changed {CONTROLS}"
    data["people"][0]["name"] = f"Renamed {CONTROLS}"
    (tmp_path / "evil.yaml").write_text(dump_yaml(data), encoding="utf-8")
    code = main(["import", "--dry-run", str(tmp_path / "evil.yaml")])
    out, err = capsys.readouterr()
    assert code in (0, 1)  # the changes listed, or the file refused with the reason
    assert "M-05" in out + err
    assert [line for line in (out + err).splitlines() if CONTROL.search(line)] == []


def test_what_was_typed_is_kept_exactly(evil):
    """Inert is not mangled: the stored notes are what the person typed, as they typed it."""
    from models import ProgressUpdate

    with evil.deps.sessions() as db:
        notes = list(
            db.scalars(
                select(ProgressUpdate.note)
                .where(ProgressUpdate.source == "slack")
                .order_by(ProgressUpdate.id)
            )
        )
    assert notes[0] == unescape_slack(NOTE_BY_COMMAND)
    assert notes[0].startswith("<!channel> <@U123> click (https://evil.example) <!everyone> &lt; *bold*")
    assert notes[1].startswith(EVIL)


def test_control_characters_typed_in_slack_are_not_kept_so_the_plan_still_exports_and_imports(evil, sessions):
    """A plan file refuses control characters; a note given in Slack must not smuggle them into an export."""
    from models import ProgressUpdate

    with evil.deps.sessions() as db:
        stored = list(db.scalars(select(ProgressUpdate.note).where(ProgressUpdate.source == "slack")))
    assert stored and not any(CONTROL.search(n or "") for n in stored)
    with evil.deps.sessions.begin() as db:  # the plan's own text had them put in behind the importer's back
        for model, column in (
            (Plan, Plan.title),
            (Area, Area.title),
            (Area, Area.description),
            (Milestone, Milestone.title),
            (Person, Person.name),
            (Priority, Priority.title),
            (Board, Board.name),
        ):
            for row in db.scalars(select(model)):
                setattr(row, column.key, CONTROL.sub("", getattr(row, column.key)).strip())
        data = export_plan(db, evil.deps.plan_id())
    doc = parse_plan_text(dump_yaml(data), "export.yaml")
    with sessions.begin() as db:
        report = import_plan(db, doc, now=datetime(2020, 2, 4, tzinfo=UTC))
    assert not report.created and report.changes == []
