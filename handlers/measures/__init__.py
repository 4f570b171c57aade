"""/qib measure (record a value) and /qib measures (read them, or upload a trend chart)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.services.errors import DomainError, InvalidInput, NotFound
from bot.services.measure_charts import alt_text, chart_for, render_png
from bot.services.measures import Recorded, read_measures, record_value, select_measures
from bot.services.periods import period_label
from bot.services.privacy import PersonalDataSuspected
from handlers.blocks import Reply
from handlers.commands.router import subcommand
from handlers.context import Ask, actor_of, ask_from, form_plan
from handlers.measures.modal import CALLBACK, FIELDS, measure_code, read_record_form, record_modal
from handlers.measures.parse import parse_measure_text
from handlers.measures.render import (
    RECORD_BUTTON,
    REPLACE_BUTTON,
    chart_posted,
    measures_reply,
    recorded_reply,
)

log = logging.getLogger("qib.measures")

USAGE = "Write `/qib measure KPI-3 88%` (add `for 2020-01` to name the period, then a note if you like)."


def register(app: App) -> None:
    app.action(REPLACE_BUTTON)(on_replace)
    app.action(RECORD_BUTTON)(on_record_button)
    app.view(CALLBACK)(on_record_submit)


@subcommand("measure", "/qib measure KPI-3 88% [for 2020-01] [note]", "record a measure's value", order=22)
def measure_command(ask: Ask, args: str) -> Reply:
    return Reply(**_record(ask, args, replace=False))


def _record(ask: Ask, args: str, *, replace: bool) -> dict[str, Any]:
    typed = parse_measure_text(args)
    if typed.code and typed.value is None and not typed.problem and ask.trigger_id and not replace:
        open_record_modal(ask, typed.code)
        return {"text": "", "visibility": "none"}
    if typed.problem or typed.code is None or typed.value is None:
        return {"text": f"{typed.problem or 'Which measure, and what value?'} {USAGE}"}
    actor = actor_of(ask)
    try:
        with ask.deps.sessions.begin() as db:
            result: Recorded = record_value(
                db=db,
                plan_id=ask.plan_id,
                code=typed.code,
                author_id=actor.person_id,
                value=typed.value,
                period_text=typed.period,
                note=typed.note,
                now=ask.now,
                source=ask.deps.source,
                replace=replace,
                extra_admin_slack_ids=ask.settings.admin_ids,
            )
    except (InvalidInput, NotFound) as exc:  # NotAllowed goes to the app's error handler, as elsewhere
        return {"text": f"Nothing was saved: {exc.message}"}
    reply = recorded_reply(result, args)
    return {"text": reply.text, "blocks": reply.blocks}


def on_replace(ack: Ack, body: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
    """The confirmation button: the same line again, this time replacing the period's value."""
    ack()
    ask = ask_from(context, client, user_id=body["user"]["id"], channel_id=None, surface="action")
    reply = _record(ask, body["actions"][0].get("value") or "", replace=True)
    respond(**Reply(**reply).payload(), replace_original=True)


@subcommand(
    "measures",
    "/qib measures [area, priority, code or words] [chart]",
    "performance measures: latest value, target, RAG, change, trend",
    order=21,
)
def measures_command(ask: Ask, args: str) -> Reply:
    words = args.split()
    if words and words[-1].lower() == "chart":
        return _chart(ask, " ".join(words[:-1]))
    with ask.deps.sessions() as db:
        view = read_measures(db=db, plan_id=ask.plan_id, today=ask.today())
    return measures_reply(select_measures(view, args), asked=args.strip())


def _chart(ask: Ask, code: str) -> Reply:
    if not code.strip():
        return Reply(text="Which measure? `/qib measures KPI-3 chart`")
    if not ask.channel_id:
        return Reply(text="Ask for a chart in a channel or a direct message, where I can post it.")
    with ask.deps.sessions() as db:
        data = chart_for(db=db, plan_id=ask.plan_id, code=code, today=ask.today())
    if not data.values:
        return Reply(text=f"{data.code} has no values yet, so there is no trend to draw.")
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
    with ask.deps.sessions() as db:
        found = select_measures(read_measures(db=db, plan_id=ask.plan_id, today=ask.today()), code)
    if len(found) != 1 or found[0].code != code.strip().upper():
        raise NotFound(f"There is no measure {code.strip().upper()}. `/qib measures` lists them.")
    ask.client.views_open(
        trigger_id=ask.trigger_id, view=record_modal(found[0], notice=notice, plan_id=form_plan(ask))
    )


def on_record_button(ack: Ack, body: dict[str, Any], context: Any, client: Any) -> None:
    ack()
    ask = ask_from(
        context, client, user_id=body["user"]["id"], channel_id=None, trigger_id=body.get("trigger_id"),
        surface="action",
    )  # fmt: skip
    open_record_modal(ask, body["actions"][0].get("value") or "")


def on_record_submit(ack: Ack, body: dict[str, Any], context: Any, client: Any, view: dict[str, Any]) -> None:
    form, errors = read_record_form(view.get("state", {}).get("values", {}))
    if errors:
        ack(response_action="errors", errors=errors)
        return
    ask = ask_from(context, client, user_id=body["user"]["id"], channel_id=None, surface="action")
    try:
        actor = actor_of(ask)
        with ask.deps.sessions.begin() as db:
            result = record_value(
                db=db,
                plan_id=ask.plan_id,
                code=measure_code(view.get("private_metadata") or ""),
                author_id=actor.person_id,
                now=ask.now,
                source=ask.deps.source,
                extra_admin_slack_ids=ask.settings.admin_ids,
                **form,
            )
    except PersonalDataSuspected as exc:
        ack(
            response_action="errors",
            errors={"note": exc.message[:300], "options": "Tick this only if it is not."},
        )
        return
    except InvalidInput as exc:
        field = exc.field if exc.field in FIELDS else "value"
        ack(response_action="errors", errors={field: exc.message[:300]})
        return
    except DomainError as exc:
        ack(response_action="errors", errors={"value": exc.message[:300]})
        return
    if not result.saved:
        had = recorded_reply(result, "").text.split("?")[0]
        ack(response_action="errors", errors={"options": f"{had}? Tick Replace to replace it."[:300]})
        return
    ack()
    client.chat_postMessage(channel=ask.user_id, text=recorded_reply(result, "").text)
