"""What an operator watches, on GET /metrics in Prometheus' text format (prometheus_client).

Labels are from small fixed sets (kinds of request, outcomes, kinds of post): never a user, a channel
or any text, so the metrics carry no personal data and their number stays bounded.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder

# Slack wants the HTTP answer within 3 seconds; past 2.5 the margin is gone.
SLOW_ACK_SECONDS = 2.5

REQUESTS = Counter(
    "qib_requests", "Slack requests answered over HTTP, by kind and outcome", ["kind", "outcome"]
)
LATENCY = Histogram(
    "qib_request_seconds",
    "Time to answer Slack's HTTP request (the ack), by kind",
    ["kind"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 5.0, 10.0),
)
SLOW_ACKS = Counter("qib_slow_acks", f"HTTP answers to Slack slower than {SLOW_ACK_SECONDS} s", ["kind"])
SCHEDULED = Counter(
    "qib_scheduled_posts",
    "Scheduled posts (digest, reminders, action-plan reminder): due, posted, failed or skipped",
    ["kind", "outcome"],
)
TICKS = Counter("qib_scheduler_ticks", "Scheduler ticks, by outcome", ["outcome"])
LAST_TICK = Gauge("qib_scheduler_last_tick_timestamp_seconds", "When the scheduler last finished a tick")
OUTBOX = Counter(
    "qib_outbox_messages",
    "Outbox rows handled by the worker: posted, retried later, or given up",
    ["outcome"],
)
OUTBOX_BACKLOG = Gauge("qib_outbox_backlog", "Outbox rows not yet posted (waiting, claimed or backing off)")
PENDING_EDITS = Gauge(
    "qib_redaction_edits_pending", "Slack edits a redaction still has to make (the outbox backlog)"
)

KINDS = {
    "command",
    "event",
    "block_actions",
    "view_submission",
    "view_closed",
    "block_suggestion",
    "shortcut",
    "message_action",
    "url_verification",
}


def request_kind(body: dict[str, Any]) -> str:
    """The kind of a verified Slack request, from its body as Bolt reads it (a form's payload already
    decoded), from a fixed set (anything else is "other")."""
    if "command" in body:
        return "command"
    kind = body.get("type")
    kind = "event" if kind == "event_callback" else str(kind or "other")
    return kind if kind in KINDS else "other"


def outcome(status: str) -> str:
    code = status.split(" ", 1)[0]
    return {"401": "refused", "400": "malformed", "413": "too_large", "404": "not_found"}.get(
        code, "ok" if code.startswith("2") else ("error" if code.startswith("5") else "other")
    )


def observe_request(kind: str, status: str, seconds: float) -> None:
    REQUESTS.labels(kind, outcome(status)).inc()
    LATENCY.labels(kind).observe(seconds)
    if seconds > SLOW_ACK_SECONDS:
        SLOW_ACKS.labels(kind).inc()


def exposition(accept: str | None = None) -> tuple[bytes, str]:
    """The page for GET /metrics and its content type, in the format the scraper asks for (Accept)."""
    encode, content_type = choose_encoder(accept or "")
    return encode(REGISTRY), content_type
