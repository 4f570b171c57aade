"""`make bench`: the bot against a bare Bolt floor on a large plan, on this machine, in one run.

    python -m benchmarks.run                 # the full run (about 7 minutes on 2 cores)
    python -m benchmarks.run --quick         # a small plan and short runs, to try the harness

Steps, each timed:

1. statement counts per request on plans of 10, 100 and 2,000 milestones (benchmarks.counts), in a
   database of their own; the run fails if any count grows with the plan;
2. a fresh PostgreSQL database (``qib_bench`` on QIB_BENCH_DATABASE_URL's server), migrated, with the
   synthetic large plan (benchmarks.generate) imported through the real importer, then ANALYZEd;
3. the digest build timed in this process (Scheduler.preview: the digest as data, nothing posted);
4. the load process (benchmarks.load, with its Slack sink), then the bot (``python -m bot run --http``,
   SCHEDULER=false) and the floor (benchmarks.floor) as real server processes pointed at the sink;
5. the scenarios, steady rate then full concurrency, bot and floor alternately, then 200 update
   submissions at once (and the same 200 again, as Slack's retries), checked against the database;
6. the bot's peak memory (VmHWM), then results/latest.json and results/latest.md, and the table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, make_url, select, text

from benchmarks import report
from benchmarks.generate import DEFAULT_SEED, LARGE, Size, local_today, plan_dict, roster

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SECRET = "bench-signing-secret"
LISTENING = re.compile(r"listening on http://([^:]+):(\d+)/slack/events")

COMMANDS = ["status", "status_area", "status_words", "question", "summary", "mine", "update"]
# The reads whose medians are held to the floor: each is measured beside it (alternate requests, one step).
PAIRED = {"status", "status_area", "status_words", "question", "summary", "mine"}


def steps(quick: bool) -> list[dict[str, Any]]:
    """The load plan: steady rate for latency, then full concurrency for throughput, then the burst."""
    rate, count = (8.0, 24) if quick else (8.0, 120)
    seconds = 2.0 if quick else 8.0
    workers = 16
    plan: list[dict[str, Any]] = []

    def steady(target: str, scenario: str, r: float = rate, n: int = count) -> None:
        plan.append({"target": target, "scenario": scenario, "mode": "steady", "rate": r, "count": n})

    def busy(target: str, scenario: str) -> None:
        plan.append(
            {
                "target": target,
                "scenario": scenario,
                "mode": "concurrent",
                "workers": workers,
                "seconds": seconds,
            }
        )

    def paired(scenario: str, floor: str) -> None:  # each read beside its floor, alternately
        plan.append(
            {
                "target": "bot",
                "scenario": scenario,
                "floor_scenario": floor,
                "mode": "paired",
                "rate": rate,
                "count": count,
            }
        )

    steady("floor", "ack")
    steady("floor", "qib")
    for scenario in COMMANDS:
        if scenario in PAIRED:
            paired(scenario, "qib")
        else:
            steady("bot", scenario)
    paired("home", "home")
    steady("bot", "digest", 2.0, 8 if quick else 30)
    steady("floor", "qib")  # the floor again at the end: did it drift during the run?

    busy("floor", "qib")
    for scenario in COMMANDS:
        if scenario != "status_words":
            busy("bot", scenario)
    busy("floor", "home")
    busy("bot", "home")
    busy("bot", "digest")

    burst = 20 if quick else 200
    plan.append({"target": "floor", "scenario": "submit", "mode": "burst", "count": burst})
    plan.append({"target": "bot", "scenario": "submit", "mode": "burst", "count": burst, "replay": True})
    return plan


# ---------------------------------------------------------------- the machine


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    try:
        meminfo = Path("/proc/meminfo").read_text()
        total_kb = int(re.search(r"MemTotal:\s+(\d+) kB", meminfo).group(1))  # type: ignore[union-attr]
        info["memory_gib"] = round(total_kb / 1024 / 1024, 1)
    except (OSError, AttributeError):
        pass
    try:
        cpu = Path("/proc/cpuinfo").read_text()
        model = re.search(r"model name\s*:\s*(.+)", cpu)
        if model:
            info["cpu"] = model.group(1).strip()
    except OSError:
        pass
    info["versions"] = {
        name: metadata.version(name)
        for name in ("slack-bolt", "slack-sdk", "SQLAlchemy", "psycopg", "waitress", "pydantic")
    }
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
        ).stdout
        info["commit"] = commit + ("+changes" if dirty.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        pass
    return info


# ---------------------------------------------------------------- databases


def fresh_database(server_url: str, name: str) -> str:
    """Drop and create `name` on the server; return its URL."""
    server = make_url(server_url)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    admin = create_engine(make_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# ---------------------------------------------------------------- processes


class Server:
    """A server process whose port is read from its "listening on" log line; its log goes to a file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self.proc = subprocess.Popen(
            argv, env=env, cwd=log_dir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        self.port: int | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        with open(self.log_path, "w", encoding="utf-8") as log:
            for line in self.proc.stderr:
                log.write(line)
                log.flush()
                found = LISTENING.search(line)
                if found and self.port is None:
                    self.port = int(found.group(2))
                    self._ready.set()
        self._ready.set()

    def wait_ready(self, timeout: float = 60) -> str:
        if not self._ready.wait(timeout) or self.port is None:
            raise RuntimeError(f"{self.name} did not start; see {self.log_path}")
        return f"http://127.0.0.1:{self.port}/slack/events"

    def peak_memory_mb(self) -> float | None:
        """VmHWM: the most resident memory one process has had, in MB; with worker processes, the
        largest of them (each holds its own kept answers)."""
        peaks = [p for pid in process_tree(self.proc.pid) if (p := _vm_hwm_mb(pid)) is not None]
        return max(peaks) if peaks else None

    def memory_together_mb(self) -> float | None:
        """The VmHWM of the process and its workers added up: an upper bound, since the pages the
        workers share with their parent (the code, the start-up heap) are counted in each."""
        peaks = [p for pid in process_tree(self.proc.pid) if (p := _vm_hwm_mb(pid)) is not None]
        return round(sum(peaks), 1) if peaks else None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._thread.join(5)


def process_tree(pid: int) -> list[int]:
    """The process and its children (the bot's worker processes)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return [pid, *(int(c) for c in children)]


def _vm_hwm_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    return round(int(found.group(1)) / 1024, 1) if found else None


def _jiffies(pid: int) -> int:
    """User + system CPU time of one process, in clock ticks (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0
    return int(fields[11]) + int(fields[12])


def _postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


class CpuShare:
    """Who used the machine's CPU between start() and stop(): ours, PostgreSQL's and everyone else's.

    Other people's work on the machine (a test suite, a build) shows as "other"; figures are shares of
    the whole machine (all cores), from /proc.
    """

    def __init__(self, processes: dict[str, int]) -> None:
        self.processes = processes

    @staticmethod
    def _machine() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = values[3] + values[4]
        return sum(values[:8]) - idle, sum(values[:8])

    def _ours(self) -> dict[str, int]:
        taken = {name: sum(_jiffies(p) for p in process_tree(pid)) for name, pid in self.processes.items()}
        taken["postgresql"] = sum(_jiffies(pid) for pid in _postgres_pids())
        return taken

    def start(self) -> None:
        self.loadavg_start = Path("/proc/loadavg").read_text().split()[:3]
        self.machine_start, self.ours_start = self._machine(), self._ours()

    def stop(self, **measured_elsewhere_s: float) -> dict[str, Any]:
        """Shares since start(); a process that has already exited reports its CPU seconds itself."""
        (busy1, total1), (busy0, total0) = self._machine(), self.machine_start
        ours = self._ours()
        tick = os.sysconf("SC_CLK_TCK")
        for name, seconds in measured_elsewhere_s.items():
            ours[name] = self.ours_start.get(name, 0) + round(seconds * tick)
        span = max(1, total1 - total0)
        shares = {name: round(100 * (ours[name] - self.ours_start.get(name, 0)) / span, 1) for name in ours}
        shares["machine busy"] = round(100 * (busy1 - busy0) / span, 1)
        shares["other"] = round(
            shares["machine busy"] - sum(v for k, v in shares.items() if k != "machine busy"), 1
        )
        return {
            "percent_of_machine": shares,
            "loadavg_start": self.loadavg_start,
            "loadavg_end": Path("/proc/loadavg").read_text().split()[:3],
        }


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "QIB_", "DATABASE_URL"))}
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra)
    return env


# ---------------------------------------------------------------- steps


def timed(label: str, timings: dict[str, float]) -> Any:
    class Timer:
        def __enter__(self) -> None:
            print(f"bench: {label}...", flush=True)
            self.start = time.perf_counter()

        def __exit__(self, *exc: object) -> None:
            timings[label] = round(time.perf_counter() - self.start, 1)
            print(f"bench: {label} took {timings[label]} s", flush=True)

    return Timer()


def statement_counts(server_url: str) -> dict[str, Any]:
    from benchmarks import counts
    from benchmarks.sink import Sink
    from models.db import make_engine, upgrade

    url = fresh_database(server_url, "qib_bench_counts")
    engine = make_engine(url)
    try:
        upgrade(engine)
        with Sink() as sink:
            plans = counts.build_plans(engine, sink)
            measured = counts.measure_plans(plans)
            cache = counts.measure_cache(plans)
    finally:
        engine.dispose()
        drop_database(server_url, "qib_bench_counts")
    return {
        "sizes": list(counts.SIZES),
        "counts": measured,
        "growth": counts.growth(measured),
        "cache": cache,
    }


def digest_build(url: str, runs: int) -> dict[str, Any]:
    """Scheduler.preview in this process: the digest as data for the next meeting, nothing posted. Each
    run builds it afresh (no answer kept from the run before, as after a write), and once more kept."""
    from benchmarks.load import percentiles
    from bot.deps import build_deps
    from bot.heap import freeze_start_up_heap
    from bot.scheduler import Scheduler
    from bot.services import read_model
    from bot.settings import Settings

    settings = Settings(_env_file=None, database_url=url, slack_bot_token="xoxb-bench", scheduler=False)
    deps = build_deps(settings)
    scheduler = Scheduler(deps, settings, client=None)  # type: ignore[arg-type]
    deps.plan_id()
    freeze_start_up_heap()  # as `qib run` does once it has started
    timings = []
    digest = None
    kept = []
    for _ in range(runs + 2):
        read_model.answers.clear()
        start = time.perf_counter()
        digest = scheduler.preview(datetime.now(UTC))
        timings.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        scheduler.preview(datetime.now(UTC))
        kept.append((time.perf_counter() - start) * 1000)
    deps.engine.dispose()
    assert digest is not None
    return {
        "runs": runs,
        "ms": percentiles(timings[2:]),
        "kept_ms": percentiles(kept[2:]),
        "exceptions": len(digest.exceptions),
        "areas": len(digest.areas),
        "rows": sum(len(a.rows) for a in digest.areas),
        "meeting_on": digest.meeting_on.isoformat(),
    }


def check_bursts(url: str, bursts: list[dict[str, Any]], announced: dict[str, int]) -> None:
    """For the bot's burst: was each submission recorded, and exactly once (after the replay too)? Was
    each announced in the board channel exactly once (the sink counts posts by their outbox row)?"""
    from models import OutboxMessage, ProgressUpdate

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            for burst in bursts:
                if burst["target"] != "bot":
                    continue
                keys = [f"view:{v}" for v in burst.pop("view_ids")]
                rows = conn.execute(
                    select(ProgressUpdate.idempotency_key, func.count())
                    .where(ProgressUpdate.idempotency_key.in_(keys))
                    .group_by(ProgressUpdate.idempotency_key)
                ).all()
                found = {k: n for k, n in rows}
                burst["recorded"] = sum(1 for k in keys if found.get(k, 0) >= 1)
                burst["recorded_twice"] = sum(1 for k in keys if found.get(k, 0) > 1)
                burst["missing"] = len(keys) - burst["recorded"]
                outbox_ids = conn.scalars(
                    select(OutboxMessage.id)
                    .join(ProgressUpdate, ProgressUpdate.id == OutboxMessage.subject_id)
                    .where(ProgressUpdate.idempotency_key.in_(keys))
                ).all()
                posts = [announced.get(str(i), 0) for i in outbox_ids]
                burst["announced"] = sum(1 for n in posts if n >= 1)
                burst["announced_twice"] = sum(1 for n in posts if n > 1)
            for burst in bursts:
                burst.pop("view_ids", None)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="a small plan and short runs (not for the README)"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--server",
        default=os.environ.get("QIB_BENCH_DATABASE_URL", DEFAULT_SERVER),
        help="PostgreSQL server URL; the run creates (and recreates) databases qib_bench and qib_bench_counts",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="where latest.json and latest.md go (default benchmarks/results; --quick: the logs)",
    )
    parser.add_argument("--skip-counts", action="store_true", help="leave out the statement counts")
    parser.add_argument(
        "--only",
        action="append",
        metavar="MODE_OR_SCENARIO",
        help="run only these load steps (steady, concurrent, burst, or a scenario such as mine); "
        "with the counts and the digest build left out, and the results written to the logs",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the qib_bench database the last run left (same --seed and size) instead of rebuilding it",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="the bot's HTTP worker processes, as docs/operations.md advises: one per core (default)",
    )
    args = parser.parse_args(argv)
    partial = bool(args.only) or args.reuse

    started = time.perf_counter()
    timings: dict[str, float] = {}
    results: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": machine(),
        "timings_s": timings,
    }
    size = Size(milestones=200, people=100, updates=5_000) if args.quick else LARGE
    log_dir = Path(tempfile.mkdtemp(prefix="qib-bench-"))
    print(f"bench: logs in {log_dir}", flush=True)

    if not (args.skip_counts or args.only):
        with timed("statement counts", timings):
            results["statement_counts"] = statement_counts(args.server)
        for line in results["statement_counts"]["growth"]:
            print(f"bench: GROWS WITH THE PLAN: {line}", flush=True)

    with timed("generate and import the large plan", timings):
        url = (
            make_url(args.server).set(database="qib_bench").render_as_string(hide_password=False)
            if args.reuse
            else fresh_database(args.server, "qib_bench")
        )
        from benchmarks.generate import load
        from bot.deps import open_database
        from bot.settings import Settings
        from models import Plan

        data = plan_dict(args.seed, size, today=local_today())
        people = roster(data)
        engine, sessions = open_database(Settings(_env_file=None, database_url=url))
        if not args.reuse:
            load(sessions, data)
        with sessions() as db:  # the forms the load submits carry it, as the bot's own forms do
            plan_id = db.scalar(select(Plan.id).where(Plan.title == people.title))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
            results["postgresql"] = conn.scalar(text("SHOW server_version"))
        engine.dispose()
        results["plan"] = {
            "seed": args.seed,
            "today": local_today().isoformat(),
            **{k: v for k, v in vars(size).items()},
            "updates_imported": people.updates,
        }
        del data

    if not args.only:
        with timed("digest build in-process", timings):
            results["digest_build"] = digest_build(url, 5 if args.quick else 20)

    config = {
        "secret": SECRET,
        "seed": args.seed,
        "roster": {
            "title": people.title,
            "plan_id": plan_id,
            "chair": people.chair,
            "admins": people.people[:4],
            "people": people.people,
            "open_owned": people.open_owned,
            "areas": people.areas,
        },
        "steps": [
            step
            for step in steps(args.quick)
            if not args.only
            or step["mode"].replace("paired", "steady") in args.only
            or step["scenario"] in args.only
        ],
    }
    config_path = log_dir / "load-config.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    out_path = log_dir / "load-results.json"

    servers: list[Server] = []
    load_proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.load", "--config", str(config_path), "--out", str(out_path)],
        env=child_env(),
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert load_proc.stdout is not None and load_proc.stdin is not None
        sink_port = json.loads(load_proc.stdout.readline())["sink"]
        common = {
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": f"http://127.0.0.1:{sink_port}/api/",
            "SCHEDULER": "false",
            "LOG_LEVEL": "INFO",
        }
        with timed("start the bot and the floor", timings):
            bot = Server(
                "bot",
                [sys.executable, "-m", "bot", "run", "--http", "--host", "127.0.0.1", "--port", "0"]
                + ["--workers", str(args.workers)],
                child_env(DATABASE_URL=url, **common),
                log_dir,
            )
            servers.append(bot)
            floor = Server(
                "floor",
                [sys.executable, "-m", "benchmarks.floor", "--host", "127.0.0.1", "--port", "0"],
                child_env(**common),
                log_dir,
            )
            servers.append(floor)
            targets = {"bot": bot.wait_ready(), "floor": floor.wait_ready()}
            results["memory_mb"] = {
                "bot_at_start": bot.peak_memory_mb(),
                "floor_at_start": floor.peak_memory_mb(),
            }
        cpu = CpuShare({"bot": bot.proc.pid, "floor": floor.proc.pid, "this": os.getpid()})
        loadavg = float(Path("/proc/loadavg").read_text().split()[0])
        if loadavg > 0.5:
            print(
                f"bench: WARNING: the machine is busy (load average {loadavg}); the figures will show it",
                flush=True,
            )
        with timed("load", timings):
            cpu.start()
            load_proc.stdin.write(json.dumps({"targets": targets}) + "\n")
            load_proc.stdin.flush()
            load_proc.stdout.readline()
            load_proc.wait(900)
            generator_cpu = (
                json.loads(out_path.read_text(encoding="utf-8")).get("load_generator_cpu_s", 0.0)
                if out_path.exists()
                else 0.0
            )
            results["cpu_during_load"] = cpu.stop(**{"load generator": generator_cpu})
        if load_proc.returncode != 0:
            raise RuntimeError(f"the load process failed ({load_proc.returncode}); see its output above")
        results["memory_mb"].update(
            bot_peak=bot.peak_memory_mb(),
            bot_together=bot.memory_together_mb(),
            floor_peak=floor.peak_memory_mb(),
        )
        results["bot_workers"] = args.workers
    finally:
        for server in servers:
            server.stop()
        if load_proc.poll() is None:
            load_proc.kill()

    load_results = json.loads(out_path.read_text(encoding="utf-8"))
    check_bursts(url, load_results["bursts"], load_results.get("announced", {}))
    results.update(load_results)
    results["timings_s"]["total"] = round(time.perf_counter() - started, 1)
    results["logs"] = str(log_dir)
    results["verdicts"] = report.verdicts(results)

    args.out = args.out or (log_dir if args.quick or partial else RESULTS)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = "quick" if args.quick else "partial" if partial else "latest"
    (args.out / f"{stem}.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    table = report.markdown(results)
    (args.out / f"{stem}.md").write_text(table, encoding="utf-8")
    print()
    print(table)
    print(f"bench: wrote {args.out / (stem + '.json')} and {args.out / (stem + '.md')}")
    growth = results.get("statement_counts", {}).get("growth", [])
    return 1 if growth else 0


if __name__ == "__main__":
    sys.exit(main())
