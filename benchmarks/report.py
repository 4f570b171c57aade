"""The benchmark's verdicts against the issue's targets, and its results as a short Markdown report."""

from __future__ import annotations

from typing import Any

from benchmarks.counts import WARM_STATEMENTS

LABELS = {
    "ack": "/qib, ack only",
    "qib": "/qib, ack + respond",
    "status": "/qib status",
    "status_area": "/qib status AREA-CODE",
    "status_words": "/qib status area words",
    "summary": "/qib summary",
    "mine": "/qib mine",
    "update": "/qib update (quick, saves)",
    "home": "App Home opened",
    "digest": "/qib digest preview",
    "question": "a question in words",
    "submit": "update modal submission",
}
# Each bot request and the floor it is compared with.
FLOOR_OF = {
    "status": "qib",
    "status_area": "qib",
    "status_words": "qib",
    "summary": "qib",
    "mine": "qib",
    "update": "qib",
    "digest": "qib",
    "question": "qib",
    "home": "home",
}
# The targets of the speed issue: answers at most 2x the bare Bolt app's median, p99 under 150 ms at the
# steady rate, and at 16 in flight at least half its throughput.
ANSWERS = ("status", "status_area", "summary", "mine", "home", "question")
RATIO_TARGET = 2.0
P99_TARGET_MS = 150
THROUGHPUT_SHARE = 0.5
UPDATE_P99_MS = 200
PREVIEW_MEDIAN_MS = 100
DIGEST_TARGET_MS = 250
ACK_WINDOW_MS = 3000
BURST_P99_MS = 1500
MEMORY_TARGET_MB = 250


def find(results: dict[str, Any], target: str, scenario: str, mode: str) -> dict[str, Any] | None:
    """The first run of this scenario (the floor's /qib runs twice at a steady rate: first and last)."""
    for r in results.get("results", []):
        if r["target"] == target and r["scenario"] == scenario and r["mode"] == mode:
            return r
    return None


def paired_floor(results: dict[str, Any], scenario: str) -> dict[str, Any] | None:
    """The floor measured beside this scenario, its requests alternating with the bot's in one step."""
    for r in results.get("results", []):
        if r["target"] == "floor" and r["settings"].get("paired_with") == scenario:
            return r
    return None


def ratios(results: dict[str, Any], scenario: str, mode: str) -> tuple[float | None, float | None]:
    bot = find(results, "bot", scenario, mode)
    floor = (mode == "steady" and paired_floor(results, scenario)) or find(
        results, "floor", FLOOR_OF.get(scenario, "qib"), mode
    )
    if not bot or not floor or not bot["answer_ms"] or not floor["answer_ms"]:
        return None, None
    return (
        round(bot["answer_ms"]["median"] / floor["answer_ms"]["median"], 2),
        round(bot["answer_ms"]["p95"] / floor["answer_ms"]["p95"], 2),
    )


def _label(r: dict[str, Any]) -> str:
    label = LABELS.get(r["scenario"], r["scenario"])
    beside = r["settings"].get("paired_with")
    if r["target"] == "floor" and beside:
        return (
            f"{label} (beside the bot's)"
            if beside == r["scenario"]
            else f"{label} (beside {LABELS.get(beside, beside)})"
        )
    return label


def verdicts(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of the issue: what was measured, and whether it was met."""
    out: list[dict[str, Any]] = []

    def add(name: str, measured: str, met: bool) -> None:
        out.append({"target": name, "measured": measured, "met": met})

    for scenario in ANSWERS:
        _answer_verdicts(results, scenario, add)
    update = find(results, "bot", "update", "steady")
    if update and update["answer_ms"]:
        add(
            f"quick update: p99 under {UPDATE_P99_MS} ms, commit included",
            f"{update['answer_ms']['p99']} ms, {update['errors']} errors",
            update["answer_ms"]["p99"] < UPDATE_P99_MS and update["errors"] == 0,
        )
    preview = find(results, "bot", "digest", "steady")
    if preview and preview["answer_ms"]:
        add(
            f"digest preview: median under {PREVIEW_MEDIAN_MS} ms at the steady rate",
            f"{preview['answer_ms']['median']} ms, {preview['errors']} errors",
            preview["answer_ms"]["median"] < PREVIEW_MEDIAN_MS and preview["errors"] == 0,
        )
    digest = results.get("digest_build")
    if digest:
        ms = digest["ms"]
        add(
            f"digest build (no posting): p95 under {DIGEST_TARGET_MS} ms",
            f"median {ms['median']} ms, p95 {ms['p95']} ms, max {ms['max']} ms",
            ms["p95"] < DIGEST_TARGET_MS,
        )
    for burst in results.get("bursts", []):
        if burst["target"] == "bot":
            _burst_verdicts(burst, add)
    memory = results.get("memory_mb", {})
    if memory.get("bot_peak") is not None:
        add(
            f"bot process peak memory under {MEMORY_TARGET_MB} MB",
            f"{memory['bot_peak']} MB (VmHWM)",
            memory["bot_peak"] < MEMORY_TARGET_MB,
        )
    counts = results.get("statement_counts")
    if counts:
        add(
            "SQL statements per request do not grow with the plan",
            "constant" if not counts["growth"] else "; ".join(counts["growth"]),
            not counts["growth"],
        )
    cache = (counts or {}).get("cache") or {}
    if cache:
        warm = {name: max(sizes.values(), key=lambda c: c["warm"])["warm"] for name, sizes in cache.items()}
        over = {name: n for name, n in warm.items() if n > WARM_STATEMENTS}
        add(
            f"SQL statements per request on a warm cache: {WARM_STATEMENTS}",
            "all " + str(WARM_STATEMENTS)
            if not over
            else ", ".join(f"{name} {n}" for name, n in sorted(over.items())),
            not over,
        )
    return out


def _answer_verdicts(results: dict[str, Any], scenario: str, add: Any) -> None:
    run = find(results, "bot", scenario, "steady")
    if run is None or not run["answer_ms"]:
        add(f"{LABELS[scenario]}: measured", "no answers", False)
        return
    median_ratio, _ = ratios(results, scenario, "steady")
    add(
        f"{LABELS[scenario]}: median at most {RATIO_TARGET:g}x the floor",
        f"{median_ratio}x ({run['answer_ms']['median']} ms)",
        median_ratio is not None and median_ratio <= RATIO_TARGET,
    )
    add(
        f"{LABELS[scenario]}: p99 under {P99_TARGET_MS} ms",
        f"{run['answer_ms']['p99']} ms, {run['errors']} errors",
        run["answer_ms"]["p99"] < P99_TARGET_MS and run["errors"] == 0,
    )
    busy = find(results, "bot", scenario, "concurrent")
    floor = find(results, "floor", FLOOR_OF[scenario], "concurrent")
    if busy and floor and floor["throughput_per_s"]:
        share = round(busy["throughput_per_s"] / floor["throughput_per_s"], 2)
        add(
            f"{LABELS[scenario]}: at 16 in flight, at least {THROUGHPUT_SHARE:g} of the floor's throughput",
            f"{share} ({busy['throughput_per_s']}/s vs {floor['throughput_per_s']}/s, {busy['errors']} errors)",
            share >= THROUGHPUT_SHARE and busy["errors"] == 0,
        )


def _burst_verdicts(burst: dict[str, Any], add: Any) -> None:
    n = burst["requests"]
    first = burst["first"]
    replay = burst.get("replay") or {}
    add(
        f"{n} concurrent update submissions: every one acked within 3 s",
        f"{burst['acked_within_3s']} of {n} (max {first['ack_ms'].get('max')} ms, {first['errors']} errors)",
        burst["acked_within_3s"] == n and first["errors"] == 0,
    )
    p99 = first["ack_ms"].get("p99")
    add(
        f"{n} concurrent update submissions: ack p99 under {BURST_P99_MS} ms",
        f"{p99} ms",
        p99 is not None and p99 < BURST_P99_MS,
    )
    add(
        f"{n} concurrent update submissions: every one recorded, none twice",
        f"{burst.get('recorded')} recorded, {burst.get('recorded_twice')} twice"
        + (f"; replayed: {replay.get('errors', 0)} errors" if replay else ""),
        burst.get("recorded") == n and burst.get("recorded_twice") == 0 and not replay.get("errors"),
    )
    add(
        f"{n} concurrent update submissions: every one announced in the board channel, none twice",
        f"{burst.get('announced')} announced, {burst.get('announced_twice')} twice, "
        f"the last {burst.get('posts_settled_s')} s after the burst",
        burst.get("announced") == n and burst.get("announced_twice") == 0,
    )


def _ms(d: dict[str, float], key: str) -> str:
    value = d.get(key)
    return "" if value is None else f"{value:g}"


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    plan = results.get("plan", {})
    lines = [
        "# qib-bot benchmark",
        "",
        f"Run {results['generated_at']}{' (quick: NOT the real size)' if results.get('quick') else ''}, "
        f"commit {m.get('commit', '?')}, total {results['timings_s'].get('total', '?')} s.",
        f"Machine: {m.get('cores')} cores ({m.get('cpu', 'unknown CPU')}), {m.get('memory_gib', '?')} GiB; "
        f"{m.get('platform')}; Python {m.get('python')}; PostgreSQL {results.get('postgresql', '?')}; "
        + ", ".join(f"{k} {v}" for k, v in m.get("versions", {}).items())
        + ".",
        f"Plan (seed {plan.get('seed')}, today {plan.get('today')}): {plan.get('areas')} areas, "
        f"{plan.get('priorities')} priorities, {plan.get('milestones')} milestones, {plan.get('people')} people, "
        f"{plan.get('updates_imported')} progress updates over {plan.get('months')} months, "
        f"{plan.get('meetings')} board meetings. Bot, floor, load generator and PostgreSQL share the machine; "
        f"the bot runs as deployed, `qib run --http --workers {results.get('bot_workers', 1)}` (one worker "
        "process per core), the floor in one process.",
        "",
        "Times in ms from sending the signed request: *ack* until the HTTP answer, *answer* until what the "
        "person sees reaches Slack (the response_url post; views.publish for App Home; for a modal "
        "submission the ack). x floor: the bot's answer over the bare Bolt app's in the same run "
        "(ack + one respond() for slash commands, one views.publish for App Home).",
        "",
    ]
    steady = [r for r in results.get("results", []) if r["mode"] == "steady"]
    if steady:
        rate = steady[0]["settings"].get("rate")
        lines += [
            f"## Steady rate ({rate:g} requests/s; the digest preview at 2/s)",
            "",
            "| request | server | n | err | ack median | ack p99 | answer median | p95 | p99 | max | median x floor | p95 x floor |",
            "| --- | --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |",
        ]
        for r in steady:
            median_ratio, p95_ratio = (
                ratios(results, r["scenario"], "steady") if r["target"] == "bot" else (None, None)
            )
            a, b = r["ack_ms"], r["answer_ms"]
            lines.append(
                f"| {_label(r)} | {r['target']} | {r['requests']} | {r['errors']} | "
                f"{_ms(a, 'median')} | {_ms(a, 'p99')} | {_ms(b, 'median')} | {_ms(b, 'p95')} | {_ms(b, 'p99')} | "
                f"{_ms(b, 'max')} | {'' if median_ratio is None else median_ratio} | {'' if p95_ratio is None else p95_ratio} |"
            )
        lines.append("")
    busy = [r for r in results.get("results", []) if r["mode"] == "concurrent"]
    if busy:
        s = busy[0]["settings"]
        lines += [
            f"## Full concurrency ({s.get('workers')} in flight, {s.get('seconds'):g} s each)",
            "",
            "| request | server | n | err | answers/s | ack median | answer median | p95 | p99 | max | median x floor |",
            "| --- | --- | --: | --: | --: | --: | --: | --: | --: | --: | --: |",
        ]
        for r in busy:
            median_ratio, _ = (
                ratios(results, r["scenario"], "concurrent") if r["target"] == "bot" else (None, None)
            )
            a, b = r["ack_ms"], r["answer_ms"]
            lines.append(
                f"| {LABELS.get(r['scenario'], r['scenario'])} | {r['target']} | {r['requests']} | {r['errors']} | "
                f"{r['throughput_per_s']:g} | {_ms(a, 'median')} | {_ms(b, 'median')} | {_ms(b, 'p95')} | "
                f"{_ms(b, 'p99')} | {_ms(b, 'max')} | {'' if median_ratio is None else median_ratio} |"
            )
        lines.append("")
    settled = [r for r in results.get("results", []) if r.get("posts_settled_s") is not None]
    if settled:
        waits = ", ".join(f"{r['posts_settled_s']} s after its {r['mode']} step" for r in settled)
        lines += [
            "The outbox posted the last of the quick updates' announcements (one per update) "
            f"{waits}; the next step began once it had stopped posting.",
            "",
        ]
    bursts = results.get("bursts", [])
    if bursts:
        lines += [
            "## Update submissions all at once",
            "",
            "| server | sent | err | acked < 3 s | ack median | p99 | max | recorded | twice | replay err | replay ack max |",
            "| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |",
        ]
        for b in bursts:
            f, rp = b["first"], b.get("replay") or {}
            lines.append(
                f"| {b['target']} | {b['requests']} | {f['errors']} | {b['acked_within_3s']} | "
                f"{_ms(f['ack_ms'], 'median')} | {_ms(f['ack_ms'], 'p99')} | {_ms(f['ack_ms'], 'max')} | "
                f"{b.get('recorded', '')} | {b.get('recorded_twice', '')} | {rp.get('errors', '')} | "
                f"{_ms(rp.get('ack_ms', {}), 'max')} |"
            )
        lines.append("")
    digest = results.get("digest_build")
    if digest:
        ms = digest["ms"]
        lines += [
            "## Digest build, in-process, nothing posted",
            "",
            f"{digest['runs']} builds for the meeting on {digest['meeting_on']} ({digest['exceptions']} exceptions, "
            f"{digest['rows']} milestone rows in {digest['areas']} areas): median {ms['median']} ms, "
            f"p95 {ms['p95']} ms, max {ms['max']} ms.",
            "",
        ]
    cpu = results.get("cpu_during_load")
    if cpu:
        shares = ", ".join(f"{k} {v}%" for k, v in cpu["percent_of_machine"].items())
        lines += [
            f"CPU during the load, as shares of the whole machine: {shares}. Load average "
            f"{' '.join(cpu['loadavg_start'])} at the start, {' '.join(cpu['loadavg_end'])} at the end. "
            'PostgreSQL counts every database on the server; "other" is work that is not this benchmark\'s.',
            "",
        ]
    memory = results.get("memory_mb", {})
    if memory:
        lines += [
            f"Peak memory (VmHWM): bot {memory.get('bot_peak')} MB (at start {memory.get('bot_at_start')} MB), "
            f"floor {memory.get('floor_peak')} MB."
            + (
                f" The bot ran {results['bot_workers']} worker processes: the figure is the largest; "
                f"added up with their parent's, {memory.get('bot_together')} MB (the pages they share with "
                "the parent counted in each)."
                if results.get("bot_workers", 1) > 1
                else ""
            ),
            "",
        ]
    counts = results.get("statement_counts")
    if counts:
        sizes = counts["sizes"]
        lines += [
            "## SQL statements per request",
            "",
            "| request | " + " | ".join(f"{n} milestones" for n in sizes) + " |",
            "| --- | " + " | ".join("--:" for _ in sizes) + " |",
        ]
        for name, by_size in counts["counts"].items():
            lines.append(
                f"| {name} | "
                + " | ".join(str(by_size.get(str(n), by_size.get(n, ""))) for n in sizes)
                + " |"
            )
        lines.append("")
    verdicts = results.get("verdicts", [])
    if verdicts:
        lines += ["## Targets", "", "| target | measured | met |", "| --- | --- | --- |"]
        lines += [
            f"| {v['target']} | {v['measured']} | {'yes' if v['met'] else '**no**'} |" for v in verdicts
        ]
        lines.append("")
    timings = results.get("timings_s", {})
    if timings:
        lines.append("Step times (s): " + ", ".join(f"{k} {v}" for k, v in timings.items()) + ".")
        lines.append("")
    return "\n".join(lines)
