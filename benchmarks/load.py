"""The load process: signed requests to the bot and the floor, timed until Slack would have seen the answer.

Run by benchmarks.run as a separate process (``python -m benchmarks.load --config FILE --out FILE``). It
starts a Slack sink (benchmarks.sink) and prints ``{"sink": PORT}`` on its first line, so the servers can
be started with SLACK_API_URL pointing at it; then it reads one JSON line on standard input naming the
servers (``{"targets": {"bot": URL, "floor": URL}}``), runs the scenarios of the config in order and
writes every result to --out.

Two times are taken for each request, both from the moment the request is sent:

* ack: until the HTTP answer (Slack's 3-second window);
* answer: until what the person sees reaches the sink: the response_url post of a slash command, the
  views.publish of the Home tab. For a modal submission the ack is the answer (the bot saves first).

Steady mode sends at a fixed rate (open loop: a slow answer does not delay the next request); full
concurrency keeps N requests in flight (each worker waits for its answer before sending again) for a
fixed time, and reports throughput as answers per second.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import math
import random
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from benchmarks.sink import Sink
from qib_testing.people import TEAM
from qib_testing.slack_standin.signer import (
    JSON,
    event_body,
    interactive_body,
    sign,
    slash_command_body,
    view_submission_payload,
)

FORM = "application/x-www-form-urlencoded"
CHANNEL = "CBENCHBOARD"
ANSWER_TIMEOUT = 30.0
ERROR_PREFIXES = ("Something went wrong", "The plan database is unavailable")


@dataclass
class Sample:
    ok: bool
    status: int
    ack_ms: float | None
    answer_ms: float | None
    error: str | None = None


@dataclass
class Request:
    """One request, ready to send: its body, and what to wait for."""

    body: str
    content_type: str
    wait_key: str | None  # the sink key of the answer; None when the ack is the answer
    check: Callable[[dict[str, Any]], str | None] = lambda _payload: None  # a problem, or None
    after: Callable[[], None] = lambda: None  # runs when it is done (frees a user for the next request)
    check_ack: Callable[[bytes], str | None] = lambda _body: None  # a problem with the HTTP answer, or None


@dataclass
class Result:
    scenario: str
    target: str
    mode: str
    requests: int = 0
    errors: int = 0
    elapsed_s: float = 0.0
    throughput_per_s: float = 0.0
    ack_ms: dict[str, float] = field(default_factory=dict)
    answer_ms: dict[str, float] = field(default_factory=dict)
    error_examples: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)


def percentiles(values: list[float]) -> dict[str, float]:
    """Median, p95, p99 and max by the nearest-rank method, in milliseconds, one decimal."""
    if not values:
        return {}
    ordered = sorted(values)

    def rank(q: float) -> float:
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]

    return {
        "median": round(rank(0.5), 1),
        "p95": round(rank(0.95), 1),
        "p99": round(rank(0.99), 1),
        "max": round(ordered[-1], 1),
        "mean": round(sum(ordered) / len(ordered), 1),
    }


class Driver:
    def __init__(self, sink: Sink, roster: dict[str, Any], secret: str, seed: int) -> None:
        self.sink = sink
        self.roster = roster
        self.secret = secret
        self.rng = random.Random(seed)
        self.rng_lock = threading.Lock()
        self.ids = itertools.count(1)
        # In every submission, so that a run on the database an earlier run left (--reuse) is no replay.
        self.tag = run_tag()
        self.busy_users: set[str] = set()
        self.users_lock = threading.Condition()
        self.owners = sorted(roster["open_owned"])
        # The quick syntax reads codes of up to three digits (M-07, M-123; bot.services.quick._CODE): a
        # typed M-1265 is taken for words and sent to the form. Quick updates use the codes it reads.
        self.quick_owned = {
            user: quick
            for user, codes in roster["open_owned"].items()
            if (quick := [c for c in codes if int(c.rsplit("-", 1)[-1]) < 1000])
        }
        self.quick_owners = sorted(self.quick_owned)
        self.admins = roster["admins"]

    # ------------------------------------------------------------------ sending

    def post(self, url: str, req: Request) -> Sample:
        parts = urlsplit(url)
        raw = req.body.encode("utf-8")
        headers = {"Content-Type": req.content_type, **sign(raw, self.secret)}
        waiter = self.sink.expect(req.wait_key) if req.wait_key else None
        start = time.perf_counter()
        status = 0
        try:
            conn = http.client.HTTPConnection(
                parts.hostname or "127.0.0.1", parts.port, timeout=ANSWER_TIMEOUT
            )
            try:
                conn.request("POST", parts.path, body=raw, headers=headers)
                response = conn.getresponse()
                ack_body = response.read()
                status = response.status
            finally:
                conn.close()
            acked = time.perf_counter()
            ack_ms = (acked - start) * 1000
            if status != 200:
                return Sample(False, status, ack_ms, None, f"HTTP {status}")
            problem = req.check_ack(ack_body)
            if waiter is None:
                return Sample(problem is None, status, ack_ms, ack_ms, problem)
            if not waiter.event.wait(ANSWER_TIMEOUT):
                assert req.wait_key is not None
                self.sink.forget(req.wait_key, waiter)
                return Sample(False, status, ack_ms, None, f"no answer within {ANSWER_TIMEOUT:g} s")
            assert waiter.arrival is not None
            answer_ms = (waiter.arrival.at - start) * 1000
            problem = req.check(waiter.arrival.payload)
            return Sample(problem is None, status, ack_ms, answer_ms, problem)
        except OSError as exc:
            if waiter is not None and req.wait_key:
                self.sink.forget(req.wait_key, waiter)
            return Sample(False, status, None, None, f"{type(exc).__name__}: {exc}")
        finally:
            req.after()

    # ------------------------------------------------------------------ what to send

    def pick(self, seq: list[Any]) -> Any:
        with self.rng_lock:
            return self.rng.choice(seq)

    def free_user(self, candidates: list[str]) -> str:
        """A user with no request of this kind in flight (answers are matched to requests by user)."""
        with self.users_lock:
            while True:
                with self.rng_lock:
                    start = self.rng.randrange(len(candidates))
                for i in range(len(candidates)):
                    user = candidates[(start + i) % len(candidates)]
                    if user not in self.busy_users:
                        self.busy_users.add(user)
                        return user
                self.users_lock.wait(0.05)

    def release(self, user: str) -> Callable[[], None]:
        def done() -> None:
            with self.users_lock:
                self.busy_users.discard(user)
                self.users_lock.notify_all()

        return done

    def command(self, text: str, user: str, check: Callable[[dict[str, Any]], str | None]) -> Request:
        key = f"c{next(self.ids)}"
        body = slash_command_body(
            text,
            user_id=user,
            channel_id=CHANNEL,
            team_id=TEAM,
            response_url=self.sink.response_url(key),
            trigger_id=f"bench.{time.time_ns()}.{key}",
        )
        return Request(body, FORM, f"response:{key}", check)

    def make(self, scenario: str, target: str) -> Request:
        r = self.roster
        if scenario == "home":
            user = self.free_user(r["people"])
            event = {
                "type": "app_home_opened",
                "user": user,
                "channel": f"D{user}",
                "tab": "home",
                "event_ts": f"{time.time():.6f}",
            }
            req = Request(event_body(event, team_id=TEAM), JSON, f"views.publish:{user}", _home_ok)
            req.after = self.release(user)
            return req
        if scenario == "submit":
            user = self.pick(self.owners)
            code = self.pick(r["open_owned"][user])
            n = next(self.ids)
            payload = view_submission_payload(
                "qib_update",
                update_state(code, n, self.tag),
                user_id=user,
                team_id=TEAM,
                view_id=f"VBENCH{self.tag.upper()}{n:06d}",
                private_metadata=form_metadata(code, r["plan_id"]),
            )
            return Request(interactive_body(payload), FORM, None, check_ack=_plain_ack)
        if target == "floor":
            req = self.command("ack" if scenario == "ack" else "status", self.pick(r["people"]), _no_error)
            if scenario == "ack":
                req.wait_key = None  # nothing is posted: the ack is all there is
            return req
        if scenario == "ack":
            raise ValueError("the pure-ack scenario is for the floor")
        if scenario == "status":
            return self.command("status", self.pick(r["people"]), _starts(r["title"]))
        if scenario == "status_area":
            code, _title = self.pick(r["areas"])
            return self.command(f"status {code}", self.pick(r["people"]), _starts(f"{code} "))
        if scenario == "status_words":
            code, title = self.pick(r["areas"])
            # Words may find the area or, as titles overlap, a "did you mean" list: either is an answer.
            return self.command(f"status {title.lower()}", self.pick(r["people"]), _no_error)
        if scenario == "question":
            return self.command("what is off track?", self.pick(r["people"]), _no_error)
        if scenario == "summary":
            return self.command("summary", self.pick(r["people"]), _starts("Board summary"))
        if scenario == "mine":
            return self.command("mine", self.pick(self.owners), _contains("milestone(s) for"))
        if scenario == "update":
            user = self.pick(self.quick_owners)
            code = self.pick(self.quick_owned[user])
            n = next(self.ids)
            with self.rng_lock:
                status = self.rng.choice(["on track", "on track", "at risk"])
                percent = self.rng.randint(10, 90)
            text = f"update {code} {status} {percent}% Benchmark progress note {n}"
            if status == "at risk":  # amber needs its reason (the note) and a recovery action
                text += f"; recovery: benchmark catch-up plan {n}"
            return self.command(text, user, _starts("Saved:"))
        if scenario == "digest":
            return self.command("digest preview", self.pick(self.admins), _starts("Preview:"))
        raise ValueError(f"unknown scenario {scenario}")

    # ------------------------------------------------------------------ modes

    def steady(
        self, url: str, scenario: str, target: str, rate: float, count: int
    ) -> tuple[list[Sample], float]:
        samples: list[Sample | None] = [None] * count
        with ThreadPoolExecutor(max_workers=128) as pool:
            start = time.perf_counter()
            for i in range(count):
                delay = start + i / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                req = self.make(scenario, target)

                def one(i: int = i, req: Request = req) -> None:
                    samples[i] = self.post(url, req)

                pool.submit(one)
        elapsed = time.perf_counter() - start
        return [s for s in samples if s is not None], elapsed

    def paired(
        self, urls: dict[str, str], scenarios: dict[str, str], rate: float, count: int
    ) -> dict[str, list[Sample]]:
        """``count`` requests to each target at ``rate`` each, sent alternately (floor, bot, floor, ...)
        so that both meet the machine in the same state: a ratio of two steps run a minute apart
        moves with whatever the machine did in between."""
        targets = list(urls)
        samples: list[Sample | None] = [None] * (count * len(targets))
        step = 1 / (rate * len(targets))
        with ThreadPoolExecutor(max_workers=128) as pool:
            start = time.perf_counter()
            for i in range(len(samples)):
                delay = start + i * step - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                target = targets[i % len(targets)]
                req = self.make(scenarios[target], target)

                def one(i: int = i, url: str = urls[target], req: Request = req) -> None:
                    samples[i] = self.post(url, req)

                pool.submit(one)
        return {t: [s for s in samples[k :: len(targets)] if s is not None] for k, t in enumerate(targets)}

    def concurrent(
        self, url: str, scenario: str, target: str, workers: int, seconds: float, limit: int
    ) -> tuple[list[Sample], float]:
        samples: list[Sample] = []
        lock = threading.Lock()
        deadline = time.perf_counter() + seconds
        sent = itertools.count()

        def work() -> None:
            while time.perf_counter() < deadline and next(sent) < limit:
                sample = self.post(url, self.make(scenario, target))
                with lock:
                    samples.append(sample)

        start = time.perf_counter()
        threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return samples, time.perf_counter() - start

    def burst(self, url: str, requests: list[Request]) -> tuple[list[Sample], float]:
        """Every request at once, each on its own connection (Slack does not queue them for us)."""
        samples: list[Sample | None] = [None] * len(requests)
        gate = threading.Barrier(len(requests) + 1)

        def one(i: int) -> None:
            gate.wait()
            samples[i] = self.post(url, requests[i])

        threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(len(requests))]
        for t in threads:
            t.start()
        start = time.perf_counter()
        gate.wait()
        for t in threads:
            t.join()
        return [s for s in samples if s is not None], time.perf_counter() - start


def run_tag() -> str:
    """Letters that differ from one run to the next (digits in a note could read as a case reference)."""
    t, letters = int(time.time()), []
    while t:
        t, d = divmod(t, 26)
        letters.append(chr(ord("a") + d))
    return "".join(letters)


def form_metadata(code: str, plan_id: int) -> str:
    """The private_metadata of the update form the bot opens for `code` (handlers.updates.modal), which
    Slack sends back with the submission."""
    return json.dumps({"milestone": code, "plan": plan_id})


def update_state(code: str, n: int, tag: str = "") -> dict[str, dict[str, Any]]:
    """The update modal's state.values, as Slack sends them on submission."""

    def select(value: str | None) -> dict[str, Any]:
        option = {"value": value, "text": {"type": "plain_text", "text": value}} if value else None
        return {"type": "static_select", "selected_option": option}

    return {
        "milestone": {"update_pick_milestone": select(code)},
        "status": {"value": select("on track")},
        "percent": {"value": str(10 + n % 80)},
        "note": {
            "value": f"Benchmark submission {n}{' of run ' + tag if tag else ''}: workshop held with the team"
        },
        "evidence_url": {"value": None},
        "next_steps": {"value": None},
        "blockers": {"value": None},
        "reopen_reason": {"value": None},
        "confirm": {"value": {"type": "checkboxes", "selected_options": []}},
    }


def _text(payload: dict[str, Any]) -> str:
    return str(payload.get("text") or "")


def _starts(prefix: str) -> Callable[[dict[str, Any]], str | None]:
    def check(payload: dict[str, Any]) -> str | None:
        text = _text(payload)
        return None if text.startswith(prefix) else f"unexpected answer: {text[:120]!r}"

    return check


def _no_error(payload: dict[str, Any]) -> str | None:
    text = _text(payload)
    return f"error answer: {text[:120]!r}" if not text or text.startswith(ERROR_PREFIXES) else None


def _contains(part: str) -> Callable[[dict[str, Any]], str | None]:
    def check(payload: dict[str, Any]) -> str | None:
        text = _text(payload)
        return None if part in text else f"unexpected answer: {text[:120]!r}"

    return check


def _plain_ack(body: bytes) -> str | None:
    """A modal submission is saved when it is acked with nothing; errors come back as response_action."""
    return None if b"response_action" not in body else f"refused: {body[:160].decode('utf-8', 'replace')}"


def _home_ok(payload: dict[str, Any]) -> str | None:
    view = payload.get("view") or {}
    return None if view.get("type") == "home" and view.get("blocks") else "views.publish without a Home view"


def summarise(result: Result, samples: list[Sample], elapsed: float) -> Result:
    result.requests = len(samples)
    result.errors = sum(1 for s in samples if not s.ok)
    result.elapsed_s = round(elapsed, 2)
    good = [s for s in samples if s.ok]
    result.throughput_per_s = round(len(good) / elapsed, 1) if elapsed > 0 else 0.0
    result.ack_ms = percentiles([s.ack_ms for s in samples if s.ack_ms is not None])
    result.answer_ms = percentiles([s.answer_ms for s in good if s.answer_ms is not None])
    seen: list[str] = []
    for s in samples:
        if s.error and s.error not in seen:
            seen.append(s.error)
    result.error_examples = seen[:5]
    return result


def run(config: dict[str, Any], targets: dict[str, str], sink: Sink) -> dict[str, Any]:
    driver = Driver(sink, config["roster"], config["secret"], config.get("seed", 1))
    out: dict[str, Any] = {"results": [], "bursts": []}
    cpu_start = time.process_time()
    for step in config["steps"]:
        target, scenario, mode = step["target"], step["scenario"], step["mode"]
        url = targets[target]
        print(f"load: {target} {scenario} {mode}", file=sys.stderr, flush=True)
        result = Result(scenario=scenario, target=target, mode=mode, settings=dict(step))
        if mode == "paired":  # the bot's scenario and the floor's, alternately, in one step
            floor = step["floor_scenario"]
            begun = time.perf_counter()
            both = driver.paired(
                {"floor": targets["floor"], "bot": url},
                {"floor": floor, "bot": scenario},
                step["rate"],
                step["count"],
            )
            elapsed = time.perf_counter() - begun
            paired = dict(step, paired_with=scenario)
            floor_result = Result(scenario=floor, target="floor", mode="steady", settings=paired)
            out["results"].append(asdict(summarise(floor_result, both["floor"], elapsed)))
            result = Result(scenario=scenario, target="bot", mode="steady", settings=paired)
            out["results"].append(asdict(summarise(result, both["bot"], elapsed)))
            continue
        if mode == "steady":
            samples, elapsed = driver.steady(url, scenario, target, step["rate"], step["count"])
        elif mode == "concurrent":
            samples, elapsed = driver.concurrent(
                url, scenario, target, step["workers"], step["seconds"], step.get("limit", 10**9)
            )
        elif mode == "burst":
            first = [driver.make(scenario, target) for _ in range(step["count"])]
            samples, elapsed = driver.burst(url, first)
            burst: dict[str, Any] = {
                "target": target,
                "requests": len(samples),
                "view_ids": _view_ids(first),
            }
            burst["first"] = asdict(summarise(Result(scenario, target, "burst"), samples, elapsed))
            burst["acked_within_3s"] = sum(
                1 for s in samples if s.ok and s.ack_ms is not None and s.ack_ms < 3000
            )
            if step.get("replay"):
                # Slack retries a submission it thinks failed: the same view id again, all at once.
                again = [Request(r.body, r.content_type, None, check_ack=_plain_ack) for r in first]
                replayed, replay_elapsed = driver.burst(url, again)
                burst["replay"] = asdict(
                    summarise(Result(scenario, target, "burst replay"), replayed, replay_elapsed)
                )
            burst["posts_settled_s"] = _posts_settled(sink)
            out["bursts"].append(burst)
            continue
        else:
            raise ValueError(f"unknown mode {mode}")
        out["results"].append(asdict(summarise(result, samples, elapsed)))
        if scenario in WRITES:
            # What a writing step queued (an announcement per update) is posted before the next step
            # starts, as after the burst: each step measures its own requests, not the outbox's work
            # for the step before. How long the posting went on is kept with the step's results.
            time.sleep(1.0)  # the outbox waits for a lull in requests before it posts
            out["results"][-1]["posts_settled_s"] = _posts_settled(sink)
        time.sleep(step.get("pause", 0.5))
    out["sink_counts"] = dict(sink.counts)
    out["announced"] = {str(k): n for k, n in sink.announced.items()}
    out["load_generator_cpu_s"] = round(time.process_time() - cpu_start, 2)
    return out


WRITES = {"update"}  # the scenarios that save: their announcements are posted by the bot's outbox


def _posts_settled(sink: Sink, quiet: float = 3.0, limit: float = 180.0) -> float:
    """Wait until the bot's outbox has stopped posting (no chat.postMessage for `quiet` seconds): the
    announcements come after the acks. Seconds until the last post."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        if time.perf_counter() - sink.last_post >= quiet:
            break
        time.sleep(0.2)
    return round(max(0.0, sink.last_post - start), 2)


def _view_ids(requests: list[Request]) -> list[str]:
    from urllib.parse import parse_qs

    ids = []
    for r in requests:
        payload = json.loads(parse_qs(r.body)["payload"][0])
        ids.append(payload["view"]["id"])
    return ids


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load")
    parser.add_argument("--config", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    with open(args.config, encoding="utf-8") as f:
        config = json.load(f)
    with Sink() as sink:
        print(json.dumps({"sink": sink.port}), flush=True)
        line = sys.stdin.readline()
        if not line.strip():
            return 1
        targets = json.loads(line)["targets"]
        out = run(config, targets, sink)
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=1)
    print(json.dumps({"done": True}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
