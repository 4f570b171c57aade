"""The console: the same Bolt app and handlers, driven in-process from a terminal or a script.

Requests are dispatched like Socket Mode frames (unsigned, in-process); what the bot sends to Slack
is caught by an in-process Web API that answers like Slack and prints it as text or JSON.
"""

from __future__ import annotations

import contextlib
import json
import re
import shlex
import sys
import threading
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from slack_bolt import App, BoltRequest
from sqlalchemy import select

from bot.app import Workspace, create_app
from bot.channels import ChannelIds
from bot.console_clock import ConsoleClock, parse_advance
from bot.console_render import render_outgoing
from bot.console_slack import (
    BOARD_CHANNEL,
    BOT_USER,
    TEAM,
    ConsoleSlack,
    Outgoing,
    console_authorize,
    console_middleware,
)
from bot.deps import Deps
from bot.scheduler import Scheduler
from bot.services.errors import DomainError
from bot.services.text import slack_escape, terminal_safe
from bot.settings import Settings
from handlers.errors import friendly_message
from models import Person
from models.vocab import Source

HELP = """\
Type what you would type in Slack:
  /qib <command>        a slash command (try /qib help)
  @qib <question>       a mention in the board's channel, answered in a thread
  <anything else>       a direct message to the bot
  :home                 open the App Home tab
  :as <person>          act as someone from the plan (key, name or Slack id); :who lists them
  :click <action_id> [value]   press a button or pick an option in the last message or view
  :submit field=value ...      submit the open modal (fields keep what they were pre-filled with)
  :tick                 run the scheduler once at the console's clock (see --now)
  :advance 2d           move the console's clock on (w, d, h, m); :advance to 2020-02-12T09:00
  :now                  what the console's clock says
  :help                 this help;  :quit  leave"""


class Console:
    def __init__(
        self,
        settings: Settings,
        deps: Deps,
        *,
        user: str | None = None,
        as_json: bool = False,
        out: TextIO = sys.stdout,
        notice: str | None = None,
    ) -> None:
        self.slack = ConsoleSlack()
        deps.channel_ids = ChannelIds(look_up_names=False)  # no workspace here: the name is the channel
        deps.source = Source.CONSOLE  # what is written here is recorded as written in the console
        self.deps = deps
        self.settings = settings
        self.out = out
        self.as_json = as_json
        self.app: App = create_app(
            settings,
            deps,
            client=self.slack.client(),
            authorize=console_authorize,
            process_before_response=True,
            workspace=Workspace(team_id=TEAM),  # the console's own, whatever SLACK_TEAM_ID says
        )
        self.app.use(console_middleware(self.slack))
        self.people = self._load_people()
        self.user = self._find(user) if user else self._default_user()
        self._ids = self.slack.ids
        self._shown = 0
        self.notice = notice  # why the clock is not the real one, said when the console starts
        self._lock = threading.RLock()  # the background tick and typed lines take turns

    # ------------------------------------------------------------------ people

    def _load_people(self) -> list[Person]:
        """Everyone in the plans served, once each: a Slack id in two plans is one person in Slack."""
        with self.deps.sessions() as db:
            rows = db.scalars(
                select(Person)
                .where(Person.plan_id.in_(self.deps.plan_ids()))
                .order_by(Person.plan_id, Person.position)
            )
            people: dict[str, Person] = {}
            for p in rows:
                people.setdefault(p.slack_user_id or f"#{p.id}", p)
            return list(people.values())

    def _timezone(self) -> str:
        """The console's clock reads in the first plan's time zone (the only one's, when one is served)."""
        return self.deps.timezone_of(self.deps.plan_ids()[0])

    def _default_user(self) -> Person:
        chairs = [p for p in self.people if p.is_chair and p.slack_user_id]
        anyone = [p for p in self.people if p.slack_user_id]
        if not (chairs or anyone):
            raise SystemExit(
                "qib: nobody in the plan has a Slack user id; add slack_user_id to the plan file"
            )
        return (chairs or anyone)[0]

    def _find(self, who: str) -> Person:
        wanted = who.strip().lstrip("@").lower()
        for p in self.people:
            if wanted in {p.key.lower(), p.name.lower(), (p.slack_user_id or "").lower()}:
                if not p.slack_user_id:
                    raise ValueError(f"{p.name} has no Slack user id in the plan")
                return p
        raise ValueError(f'nobody called "{who}" in the plan (try :who)')

    # ------------------------------------------------------------------ input

    def run_line(self, line: str) -> bool:
        """Handle one line; False means quit."""
        with self._lock:
            return self._run_line(line)

    def _run_line(self, line: str) -> bool:
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        try:
            if line.startswith(":"):
                return self._meta(line)
            if line.startswith("/qib"):
                self._dispatch(self._command(as_slack_sends(line[4:].strip())))
            elif line.startswith("@qib"):
                text = f"<@{BOT_USER}> {as_slack_sends(line[4:].strip())}"
                self._dispatch(self._event("app_mention", text, BOARD_CHANNEL))
            else:
                dm = f"D{self.user.slack_user_id}"
                self._dispatch(self._event("message", as_slack_sends(line), dm, channel_type="im"))
        except (ValueError, DomainError) as exc:
            self._say(f"! {exc}")
        except Exception as exc:  # a console must survive a bad line; the app's own errors are handled inside
            self._say(f"! {friendly_message(exc)[0]}")
        return True

    def _meta(self, line: str) -> bool:
        word, _, rest = line[1:].partition(" ")
        if word in {"q", "quit", "exit"}:
            return False
        if word == "help":
            self._say(HELP)
        elif word == "as":
            self.user = self._find(rest)
            self._say(
                f"you are now {self.user.name} ({self.user.role or 'no role'}, {self.user.slack_user_id})"
            )
        elif word == "who":
            for p in self.people:
                roles = ", ".join(r for r, on in (("chair", p.is_chair), ("admin", p.is_admin)) if on)
                self._say(f"  {p.key:<18} {p.name:<20} {p.role or ''} {f'[{roles}]' if roles else ''}")
        elif word == "home":
            self._dispatch(
                self._envelope(
                    {
                        "type": "app_home_opened",
                        "user": self.user.slack_user_id,
                        "channel": f"D{self.user.slack_user_id}",
                        "tab": "home",
                        "event_ts": self._ts(),
                    }
                )
            )
        elif word == "tick":
            self._tick()
        elif word == "advance":
            self._advance(rest)
        elif word == "now":
            self._say(f"the console's clock: {self._local_now():%a %-d %b %Y %H:%M}")
        elif word == "click":
            self._dispatch(self._click(*shlex.split(rest)))
        elif word == "submit":
            self._dispatch(self._submit(shlex.split(rest)))
        else:
            self._say(f"! unknown :{word} (try :help)")
        return True

    def _tick(self, *, quiet: bool = False) -> None:
        """Run the scheduler once at the console's clock: reminders and digests land here, not in Slack."""
        report = Scheduler(self.deps, self.settings, self.slack.client(), worker="console").tick()
        self._dispatch_outbox()
        done = report.posted + [f"skipped {s}" for s in report.skipped] + report.problems
        if done or not quiet:
            self._say("tick: " + ("; ".join(done) if done else "nothing due"))

    def _local_now(self) -> datetime:
        return self.deps.clock().astimezone(ZoneInfo(self._timezone()))

    def _advance(self, text: str) -> None:
        """Move the console's clock on; the scheduler sees the new time at its next tick (or :tick)."""
        clock = self.deps.clock
        if not isinstance(clock, ConsoleClock):
            raise ValueError("this console's clock cannot be moved")
        clock.move_to(parse_advance(text, self._timezone(), clock()))
        self._say(f"the console's clock: {self._local_now():%a %-d %b %Y %H:%M}")

    def start_ticking(self, stop: threading.Event, every: float = 60.0) -> threading.Thread:
        """Tick the scheduler every `every` seconds of real time, saying something only when it posts."""

        def run() -> None:
            while not stop.wait(every):
                with self._lock:
                    try:
                        self._tick(quiet=True)
                    except Exception as exc:  # the console must survive a failing tick, like the bot
                        self._say(f"! tick: {friendly_message(exc)[0]}")

        thread = threading.Thread(target=run, name="qib-console-tick", daemon=True)
        thread.start()
        return thread

    # ------------------------------------------------------------------ payloads, as Slack would send them

    def _ts(self) -> str:
        return self._ids.ts()

    def _command(self, text: str) -> dict[str, Any]:
        return {
            "token": "console",
            "team_id": TEAM,
            "team_domain": "console",
            "channel_id": BOARD_CHANNEL,
            "channel_name": "board",
            "user_id": self.user.slack_user_id,
            "user_name": self.user.key,
            "command": "/qib",
            "text": text,
            "api_app_id": "ACONSOLE",
            "is_enterprise_install": "false",
            "response_url": self._ids.response_url(),
            "trigger_id": self._ids.trigger(),
        }

    def _envelope(self, event: dict[str, Any]) -> dict[str, Any]:
        return {
            "token": "console",
            "team_id": TEAM,
            "api_app_id": "ACONSOLE",
            "type": "event_callback",
            "event_id": self._ids.event(),
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        }

    def _event(self, kind: str, text: str, channel: str, **extra: Any) -> dict[str, Any]:
        ts = self._ts()
        return self._envelope(
            {
                "type": kind,
                "user": self.user.slack_user_id,
                "text": text,
                "ts": ts,
                "channel": channel,
                "event_ts": ts,
                **extra,
            }
        )

    def _last_with(self, action_id: str) -> tuple[Outgoing, dict[str, Any]]:
        for item in reversed(self.slack.outbox):
            for element in _elements(item.payload.get("blocks", [])):
                if element.get("action_id") == action_id:
                    return item, element
        raise ValueError(f'no button or menu "{action_id}" in the recent messages')

    def _click(self, action_id: str = "", value: str | None = None) -> dict[str, Any]:
        if not action_id:
            raise ValueError("usage: :click <action_id> [value]")
        item, element = self._last_with(action_id)
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": element.get("_block_id", ""),
            "type": element.get("type"),
            "action_ts": self._ts(),
        }
        if element.get("type") in {"static_select", "overflow"}:
            options = [
                o
                for g in element.get("option_groups", [{"options": element.get("options", [])}])
                for o in g["options"]
            ]
            chosen = next((o for o in options if value in {o["value"], o["text"]["text"]}), None)
            if chosen is None:
                raise ValueError(f"pick one of: {', '.join(o['value'] for o in options)}")
            action["selected_option"] = chosen
        else:
            action["value"] = value if value is not None else element.get("value", "")
        body: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": self.user.slack_user_id},
            "api_app_id": "ACONSOLE",
            "trigger_id": self._ids.trigger(),
            "actions": [action],
        }
        if item.where in {"modal", "home"}:
            body["view"] = {**item.payload, "state": {"values": _state(item.payload, {})}}
            body["container"] = {"type": "view", "view_id": item.payload.get("id")}
        else:
            body["response_url"] = self._ids.response_url()
            body["container"] = {"type": "message", "channel_id": BOARD_CHANNEL, "message_ts": self._ts()}
            body["channel"] = {"id": BOARD_CHANNEL}
            body["message"] = item.payload
        return body

    def _submit(self, pairs: list[str]) -> dict[str, Any]:
        modal = next((o for o in reversed(self.slack.outbox) if o.where == "modal"), None)
        if modal is None:
            raise ValueError("no modal is open")
        given: dict[str, str] = {}
        for pair in pairs:
            name, sep, value = pair.partition("=")
            if not sep:
                raise ValueError(f'"{pair}" is not field=value')
            given[name] = value
        view = modal.payload
        return {
            "type": "view_submission",
            "team": {"id": TEAM},
            "user": {"id": self.user.slack_user_id},
            "api_app_id": "ACONSOLE",
            "trigger_id": self._ids.trigger(),
            "view": {**view, "state": {"values": _state(view, given)}, "hash": self._ts()},
        }

    # ------------------------------------------------------------------ output

    def _dispatch(self, body: dict[str, Any]) -> None:
        response = self.app.dispatch(BoltRequest(body=body, mode="socket_mode"))
        if response.body and response.body not in {"", "{}"}:
            try:
                ack = json.loads(response.body)
            except ValueError:
                ack = {"text": response.body}
            if ack.get("response_action") == "errors":
                self._print("errors", {"errors": ack.get("errors", {})})
            elif ack.get("response_action") in {"update", "push"} and ack.get("view"):
                # As in Slack: an updated view keeps its id, a pushed one gets a new one.
                same = (body.get("view") or {}).get("id") if ack["response_action"] == "update" else None
                view_id = same or self._ids.view()
                self.slack.outbox.append(Outgoing("modal", "response_action", {**ack["view"], "id": view_id}))
            elif ack.get("text") or ack.get("blocks"):
                self.slack.outbox.append(Outgoing("ephemeral", "ack", ack))
        self._dispatch_outbox()

    def _dispatch_outbox(self) -> None:
        for item in self.slack.outbox[self._shown :]:
            self._print(item.where, item.payload, item.method)
        self._shown = len(self.slack.outbox)

    def _print(self, where: str, payload: dict[str, Any], method: str = "ack") -> None:
        if self.as_json:
            self.out.write(
                json.dumps({"where": where, "method": method, "payload": payload}, default=str) + "\n"
            )
        elif where == "errors":
            for name, message in payload["errors"].items():
                self.out.write(terminal_safe(f"! {name}: {message}") + "\n")
        else:
            self.out.write(render_outgoing(where, payload) + "\n\n")
        self.out.flush()

    def _say(self, text: str) -> None:
        if not self.as_json:  # names and roles come from the plan: no escape sequences to the terminal
            self.out.write(terminal_safe(text) + "\n")
            self.out.flush()

    # ------------------------------------------------------------------ loop

    def loop(self, lines: Iterable[str] | None = None, *, interactive: bool = False) -> None:
        if interactive:
            self._say(
                f"qib console: you are {self.user.name} ({self.user.role}). :help for help, :quit to leave."
            )
        if self.notice:
            self._say(self.notice)
        stop = threading.Event()
        if interactive and self.settings.scheduler:
            self.start_ticking(stop)
        source = lines if lines is not None else _read_lines(interactive)
        try:
            for line in source:
                if not self.run_line(line):
                    break
        finally:
            stop.set()


# What Slack's composer turns into markup of its own: a user, channel or group picked from the list, and a
# link. Typed in the console, these stand for that markup; everything else is text, escaped as Slack does.
_SLACK_MARKUP = re.compile(r"<(?:[@#][UWC][A-Z0-9]+|(?:https?|mailto):[^<>\s]+)(?:\|[^<>]*)?>")


def as_slack_sends(typed: str) -> str:
    """Typed text as Slack delivers it in a command or a message: &, < and > escaped, mentions and links
    made with the composer (written <@U123>, <#C123|name>, <https://...>) kept as markup."""
    out, at = [], 0
    for m in _SLACK_MARKUP.finditer(typed):
        out += [slack_escape(typed[at : m.start()]), m.group(0)]
        at = m.end()
    return "".join([*out, slack_escape(typed[at:])])


def _read_lines(interactive: bool) -> Iterable[str]:
    if not interactive:
        yield from sys.stdin
        return
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (line editing and history when it is there)
    while True:
        try:
            yield input("qib> ")
        except EOFError:
            print()
            return


def _elements(blocks: list[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    for b in blocks:
        if b.get("accessory"):
            yield {**b["accessory"], "_block_id": b.get("block_id", "")}
        for e in b.get("elements", []) if b.get("type") == "actions" else []:
            yield {**e, "_block_id": b.get("block_id", "")}
        if b.get("type") == "input" and b.get("element", {}).get("action_id"):
            yield {**b["element"], "_block_id": b.get("block_id", "")}


def _state(view: dict[str, Any], given: dict[str, str]) -> dict[str, Any]:
    """view.state.values as Slack builds it: pre-filled values, overridden by what was typed."""
    values: dict[str, Any] = {}
    for b in view.get("blocks", []):
        if b.get("type") != "input":
            continue
        el = b.get("element", {})
        block_id, action_id = b.get("block_id", ""), el.get("action_id", "")
        typed = given.get(block_id, given.get(action_id))
        if el.get("type") == "static_select":
            options = [
                o for g in el.get("option_groups", [{"options": el.get("options", [])}]) for o in g["options"]
            ]
            chosen = el.get("initial_option")
            if typed is not None:
                chosen = next(
                    (o for o in options if typed.lower() in {o["value"].lower(), o["text"]["text"].lower()}),
                    None,
                )
                if chosen is None:
                    raise ValueError(f"{block_id}: pick one of: {', '.join(o['value'] for o in options)}")
            values[block_id] = {action_id: {"type": "static_select", "selected_option": chosen}}
        elif el.get("type") == "checkboxes":
            ticked = typed is not None and typed.lower() in {"yes", "y", "true", "1", "on"}
            values[block_id] = {
                action_id: {"type": "checkboxes", "selected_options": el.get("options", []) if ticked else []}
            }
        elif el.get("type") == "datepicker":
            picked = typed if typed is not None else el.get("initial_date")
            values[block_id] = {action_id: {"type": "datepicker", "selected_date": picked or None}}
        else:
            value = typed if typed is not None else el.get("initial_value")
            values[block_id] = {action_id: {"type": el.get("type", "plain_text_input"), "value": value}}
    return values
