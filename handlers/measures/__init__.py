"""/qib measure (record a value) and /qib measures (read them, or upload a trend chart)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.services.measure_charts import ChartData, alt_text, render_png
from bot.services.measures import Recorded
from bot.services.periods import period_label
from bot.usecases import measures
from bot.usecases.measures import NotSaved
from bot.usecases.results import Refused
from handlers.blocks import Reply
from handlers.commands.router import Router
from handlers.context import Ask, ask_from, form_plan
from handlers.measures.modal import CALLBACK, FIELDS, measure_code, read_record_form, record_modal
from handlers.measures.parse import parse_measure_text
from handlers.measures.render import (
    RECORD_BUTTON,
    REPLACE_BUTTON,
    chart_posted,
    measures_reply,
    recorded_reply,
)
from handlers.outcomes import ok, refuse

if TYPE_CHECKING:
    from slack_bolt import Ack, App

log = logging.getLogger("qib.measures")

USAGE = "Write `/qib measure KPI-3 88%` (add `for 2020-01` to name the period, then a note if you like)."


def register(app: App, router: Router) -> None:
    router.add(
        "measure",
        "/qib measure KPI-3 88% [for 2020-01] [note]",
        "record a measure's value",
        measure_command,
        order=22,
    )
    router.add(
        "measures",
        "/qib measures [area, priority, code or words] [chart]",
        "performance measures: latest value, target, RAG, change, trend",
        measures_command,
        order=21,
    )
    app.action(REPLACE_BUTTON)(on_replace)
    app.action(RECORD_BUTTON)(on_record_button)
    app.view(CALLBACK)(on_record_submit)


def measure_command(ask: Ask, args: str) -> Reply:
    return _record(ask, args, replace=False)


def _record(ask: Ask, args: str, *, replace: bool) -> Reply:
    typed = parse_measure_text(args)
    if typed.code and typed.value is None and not typed.problem and ask.trigger_id and not replace:
        open_record_modal(ask, typed.code)
        return Reply.nothing()
    if typed.problem or typed.code is None or typed.value is None:
        return Reply(text=f"{typed.problem or 'Which measure, and what value?'} {USAGE}")
    request = measures.RecordRequest(
        ask.asker(),
        typed.code,
        typed.value,
        typed.period,
        typed.note,
        replace=replace,
        source=ask.deps.source,
    )
    return record_reply(measures.record(ask.deps.sessions, request), args)


def record_reply(result: Recorded | NotSaved | Refused, args: str) -> Reply:
    """Not allowed goes to the app's error reply, as elsewhere; a problem with the input is said here."""
    if isinstance(result, Refused):
        refuse(result)
    if isinstance(result, NotSaved):
        return Reply(text=f"Nothing was saved: {result.reason}")
    return recorded_reply(result, args)


def on_replace(ack: Ack, body: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
    """The confirmation button: the same line again, this time replacing the period's value."""
    ack()
    ask = ask_from(context, client, user_id=context.user_id, channel_id=None, surface="action")
    reply = _record(ask, body["actions"][0].get("value") or "", replace=True)
    respond(**reply.payload(), replace_original=True)


def measures_command(ask: Ask, args: str) -> Reply:
    words = args.split()
    if words and words[-1].lower() == "chart":
        return _chart(ask, " ".join(words[:-1]))
    return measures_reply(measures.list_measures(ask.deps.sessions, ask.asker(), args), asked=args.strip())


def _chart(ask: Ask, code: str) -> Reply:
    if not code.strip():
        return Reply(text="Which measure? `/qib measures KPI-3 chart`")
    if not ask.channel_id:
        return Reply(text="Ask for a chart in a channel or a direct message, where I can post it.")
    data = ok(measures.chart(ask.deps.sessions, ask.asker(), code))
    if not data.values:
        return Reply(text=f"{data.code} has no values yet, so there is no trend to draw.")
    return _upload_chart(ask, data)


def _upload_chart(ask: Ask, data: ChartData) -> Reply:
    try:
        ask.client.files_upload_v2(
            channel=ask.channel_id,
            file=render_png(data),
            filename=f"{data.code}.png",
            title=f"{data.code} {data.title}"[:250],
            alt_txt=alt_text(data)[:1000],
            initial_comment=f"{data.code} trend to {period_label(data.periods[-1])}",
        )
    except (SlackApiError, SlackRequestError, OSError) as exc:
        log.warning("could not upload a chart: %s", type(exc).__name__)
        return Reply(text=f"I could not upload the chart of {data.code} here; try again in a moment.")
    return chart_posted(data.code)


def open_record_modal(ask: Ask, code: str, *, notice: str | None = None) -> None:
    found = ok(measures.find_measure(ask.deps.sessions, ask.asker(), code))
    ask.client.views_open(
        trigger_id=ask.trigger_id, view=record_modal(found, notice=notice, plan_id=form_plan(ask))
    )


def on_record_button(ack: Ack, body: dict[str, Any], context: Any, client: Any) -> None:
    ack()
    ask = ask_from(
        context, client, user_id=context.user_id, channel_id=None, trigger_id=body.get("trigger_id"),
        surface="action",
    )  # fmt: skip
    open_record_modal(ask, body["actions"][0].get("value") or "")


def on_record_submit(ack: Ack, body: dict[str, Any], context: Any, client: Any, view: dict[str, Any]) -> None:
    form, errors = read_record_form(view.get("state", {}).get("values", {}))
    if errors:
        ack(response_action="errors", errors=errors)
        return
    ask = ask_from(context, client, user_id=context.user_id, channel_id=None, surface="action")
    code = measure_code(view.get("private_metadata") or "")
    request = measures.RecordRequest(who=ask.asker(), code=code, source=ask.deps.source, **form)
    result = measures.record(ask.deps.sessions, request)
    errors = form_errors(result)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    ack()
    assert isinstance(result, Recorded)
    client.chat_postMessage(channel=ask.user_id, text=recorded_reply(result, "").text)


def form_errors(result: Recorded | NotSaved | Refused) -> dict[str, str]:
    """The form's inline errors for a result that saved nothing; none when it was saved."""
    if isinstance(result, Refused):
        return {"value": result.reason[:300]}
    if isinstance(result, NotSaved) and result.personal_data:
        return {"note": result.reason[:300], "options": "Tick this only if it is not."}
    if isinstance(result, NotSaved):
        return {result.field if result.field in FIELDS else "value": result.reason[:300]}
    if not result.saved:
        had = recorded_reply(result, "").text.split("?")[0]
        return {"options": f"{had}? Tick Replace to replace it."[:300]}
    return {}
