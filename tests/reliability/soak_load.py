"""The soak's load: mixed Slack traffic against several bot processes, for a while.

    python -m tests.reliability.soak_load --bots URL,URL --slack-port PORT --seconds 60 --out FILE

Each worker plays people at work: questions (/qib status, summary, mine, ...), @mentions and DMs,
the App Home, quick updates, modal submissions, Slack's redeliveries of all of those (with
X-Slack-Retry-Num), and health checks. A modal that stays open (the database was down, or the save
could not be confirmed) is submitted again later, as a person would. Every request is written to the
--out file as one JSON line: what was sent, to which bot, the HTTP answer, how long it took, and for
updates the idempotency key and (modals) what the person was told; quick updates are told on their
response_url, which the test reads from its Slack stand-in.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from qib_testing.people import BOARD, CHAIR, TEAM
from qib_testing.slack_standin import JSON, SignedClient, event_body, interactive_body, slash_command_body
from qib_testing.slack_standin.signer import view_submission_payload
from tests.reliability.outcomes import modal_outcome, modal_state

PEOPLE = ["U0QIB0001", "U0QIB0002", "U0QIB0003", "U0QIB0005", "U0QIB0006", "U0QIB0008", "U0QIB0011"]
QUESTIONS = [
    "status", "status M-05", "status foster carer reviews", "summary", "mine", "overdue", "due 30",
    "stale", "priority", "priority SP-1", "history M-05", "meetings", "help", "digest show",
]  # fmt: skip
MENTIONS = ["how are we doing on foster carer reviews?", "what's overdue?", "summary", "what do I own?"]
STATUSES = ["on track", "at risk", "off track"]
RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
# How often each kind of request comes, out of 100.
MIX = [
    ("command", 30),
    ("mention", 8),
    ("dm", 4),
    ("home", 4),
    ("quick_update", 20),
    ("modal_update", 16),
    ("replay", 10),
    ("healthz", 8),
]


class Load:
    def __init__(self, args: argparse.Namespace) -> None:
        self.bots = [SignedClient(url, args.secret, timeout=20) for url in args.bots.split(",")]
        self.urls = args.bots.split(",")
        self.response_base = f"http://127.0.0.1:{args.slack_port}/response/"
        self.deadline = time.monotonic() + args.seconds
        self.milestones = args.milestones.split(",")
        self.rng = random.Random(args.seed)
        self.pause = args.pause
        self.ids = itertools.count(1)
        self.lock = threading.Lock()
        self.out = open(args.out, "w", encoding="utf-8")  # noqa: SIM115 (closed in run())
        self.replayable: list[dict[str, Any]] = []
        self.open_modals: list[dict[str, Any]] = []  # modals a person still has to submit again

    # ------------------------------------------------------------------ recording

    def write(self, record: dict[str, Any]) -> None:
        with self.lock:
            self.out.write(json.dumps(record) + "\n")

    def post(self, kind: str, payload: str, ctype: str, headers: dict[str, str] | None = None, **extra: Any):
        bot = self.rng.randrange(len(self.bots))
        started = time.monotonic()
        try:
            status, _, text = self.bots[bot].post("/slack/events", payload, ctype, headers=headers)
        except (OSError, urllib.error.URLError) as exc:
            status, text = f"error:{type(exc).__name__}", ""
        record = {
            "kind": kind,
            "bot": bot,
            "status": status,
            "ms": round((time.monotonic() - started) * 1000),
        }
        record.update(extra)
        return record, text

    # ------------------------------------------------------------------ what people do

    def command(self) -> None:
        n = next(self.ids)
        body = slash_command_body(
            self.rng.choice(QUESTIONS), user_id=self.rng.choice(PEOPLE), channel_id=BOARD, team_id=TEAM,
            response_url=f"{self.response_base}q{n}", trigger_id=f"trig.soak.q{n}",
        )  # fmt: skip
        record, _ = self.post("command", body, "application/x-www-form-urlencoded", name=f"q{n}")
        self.write(record)

    def event(self, kind: str) -> None:
        n = next(self.ids)
        ts = f"1580720000.{n:06d}"
        user = self.rng.choice(PEOPLE)
        if kind == "mention":
            event = {"type": "app_mention", "user": user, "text": f"<@UBOT111> {self.rng.choice(MENTIONS)}",
                     "ts": ts, "channel": BOARD, "event_ts": ts}  # fmt: skip
        elif kind == "dm":
            event = {"type": "message", "user": user, "text": self.rng.choice(MENTIONS), "ts": ts,
                     "channel": f"D{user}", "event_ts": ts, "channel_type": "im"}  # fmt: skip
        else:
            event = {
                "type": "app_home_opened",
                "user": user,
                "channel": f"D{user}",
                "tab": "home",
                "event_ts": ts,
            }
        body = event_body(event, team_id=TEAM, event_id=f"EvSOAK{n}")
        record, _ = self.post(kind, body, JSON)
        self.write(record)
        self.remember({"kind": kind, "body": body, "content_type": JSON})

    def quick_update(self) -> None:
        n = next(self.ids)
        code = self.rng.choice(self.milestones)
        text = f"update {code} {self.rng.choice(STATUSES)} {self.rng.randrange(5, 95)}% soak note {n}; recovery: soak plan"
        name = f"u{n}"
        body = slash_command_body(
            text, user_id=CHAIR, channel_id=BOARD, team_id=TEAM, response_url=f"{self.response_base}{name}",
            trigger_id=f"trig.soak.{name}",
        )  # fmt: skip
        key = f"command:trig.soak.{name}"
        record, _ = self.post("quick_update", body, "application/x-www-form-urlencoded", key=key, name=name)
        record.update(body=body, content_type="application/x-www-form-urlencoded")
        self.write(record)
        self.remember({"kind": "quick_update", "body": body, "content_type": "application/x-www-form-urlencoded",
                       "key": key, "name": name})  # fmt: skip

    def modal_update(self, again: dict[str, Any] | None = None) -> None:
        if again is None:
            n = next(self.ids)
            view_id = f"VSOAK{n}"
            values = modal_state(
                self.rng.choice(self.milestones), self.rng.choice(STATUSES), str(self.rng.randrange(5, 95)),
                f"soak modal note {n}",
            )  # fmt: skip
            payload = view_submission_payload(
                "qib_update", values, user_id=CHAIR, team_id=TEAM, view_id=view_id
            )
            again = {"kind": "modal_update", "body": interactive_body(payload),
                     "content_type": "application/x-www-form-urlencoded", "key": f"view:{view_id}", "tries": 0}  # fmt: skip
            self.remember(again)
        record, text = self.post("modal_update", again["body"], again["content_type"], key=again["key"])
        if again["tries"] == 0:
            record.update(body=again["body"], content_type=again["content_type"])
        record["told"] = (
            modal_outcome(record["status"], text) if isinstance(record["status"], int) else "unknown"
        )
        record["resubmitted"] = again["tries"] > 0
        self.write(record)
        if record["told"] != "saved" and again["tries"] < 50:
            again["tries"] += 1
            again["after"] = time.monotonic() + 1.0
            with self.lock:
                self.open_modals.append(again)

    def replay(self) -> None:
        """Slack redelivering something it already sent: same body, marked as a retry."""
        with self.lock:
            if not self.replayable:
                return
            old = self.rng.choice(self.replayable)
        record, text = self.post("replay", old["body"], old["content_type"], headers=RETRY, of=old["kind"])
        if "key" in old:
            record["key"] = old["key"]
        if "name" in old:
            record["name"] = old["name"]
        if old["kind"] == "modal_update" and isinstance(record["status"], int):
            record["told"] = modal_outcome(record["status"], text)
        self.write(record)

    def healthz(self) -> None:
        bot = self.rng.randrange(len(self.urls))
        started = time.monotonic()
        try:
            with urllib.request.urlopen(self.urls[bot] + "/healthz", timeout=20) as response:  # noqa: S310
                status: Any = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError as exc:
            status = f"error:{type(exc).__name__}"
        self.write(
            {
                "kind": "healthz",
                "bot": bot,
                "status": status,
                "ms": round((time.monotonic() - started) * 1000),
            }
        )

    def remember(self, request: dict[str, Any]) -> None:
        with self.lock:
            self.replayable.append(request)
            if len(self.replayable) > 500:
                self.replayable.pop(0)

    # ------------------------------------------------------------------ running

    def worker(self) -> None:
        kinds = [k for k, weight in MIX for _ in range(weight)]
        while time.monotonic() < self.deadline:
            due = None
            with self.lock:
                for modal in self.open_modals:
                    if modal["after"] <= time.monotonic():
                        due = modal
                        self.open_modals.remove(modal)
                        break
            if due is not None:
                self.modal_update(due)
                continue
            kind = self.rng.choice(kinds)
            try:
                self.act(kind)
            except Exception as exc:  # a bug in the load itself: counted in the report, never silent
                self.write({"kind": "load_error", "bot": None, "status": f"error:{exc!r}", "ms": 0})
            time.sleep(self.rng.uniform(0, 2 * self.pause))

    def act(self, kind: str) -> None:
        if kind == "command":
            self.command()
        elif kind in ("mention", "dm", "home"):
            self.event(kind)
        elif kind == "quick_update":
            self.quick_update()
        elif kind == "modal_update":
            self.modal_update()
        elif kind == "replay":
            self.replay()
        else:
            self.healthz()

    def finish_open_modals(self, patience: float = 60) -> None:
        """After the run: people with a form still open submit it until it is saved."""
        give_up = time.monotonic() + patience
        while time.monotonic() < give_up:
            with self.lock:
                pending, self.open_modals = self.open_modals, []
            if not pending:
                return
            for modal in pending:
                self.modal_update(modal)
            time.sleep(0.5)

    def run(self, workers: int) -> None:
        threads = [threading.Thread(target=self.worker, name=f"load-{i}") for i in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.finish_open_modals()
        self.out.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bots", required=True, help="comma-separated base URLs of the bot processes")
    parser.add_argument(
        "--slack-port", required=True, type=int, help="the Slack stand-in's port (response_urls)"
    )
    parser.add_argument("--secret", default="test-signing-secret")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=6)
    parser.add_argument("--pause", type=float, default=0.1, help="mean think time of a worker, seconds")
    parser.add_argument("--milestones", default="M-05")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    Load(args).run(args.workers)


if __name__ == "__main__":
    main()
