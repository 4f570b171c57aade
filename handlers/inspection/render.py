"""The inspection as Block Kit, pure: one set of words for /qib inspection, the digest's cover and App Home."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.services.inspection import ActionPlan, EarlierView, InspectionView, type_name
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.words import full_day

MAX_AREA_WORDS = 600
MAX_HISTORY = 40


def action_plan_line(plan: ActionPlan) -> str:
    """`Action plan to Ofsted: due Thu 30 Jan 2020, 8 working days left` (plain text, no markup)."""
    if plan.sent is not None:
        return f"Action plan to Ofsted: sent {full_day(plan.sent)} (due {full_day(plan.due)})"
    left = plan.working_days_left
    if left > 1:
        return f"Action plan to Ofsted: due {full_day(plan.due)}, {left} working days left"
    if left == 1:
        return f"Action plan to Ofsted: due {full_day(plan.due)}, 1 working day left"
    if left == 0 and plan.today == plan.due:
        return f"Action plan to Ofsted: due today, {full_day(plan.due)}"
    late = max(1, -left)
    return (
        f"Action plan to Ofsted: was due {full_day(plan.due)}, {late} working day{'s' if late != 1 else ''} "
        "ago, and is not recorded as sent"
    )


def when_line(v: InspectionView) -> str:
    parts = [f"{full_day(v.start)} to {full_day(v.end)}"]
    parts.append(f"published {full_day(v.published)}" if v.published else "publication date not recorded")
    if v.lead_inspector:
        parts.append(f"lead inspector {v.lead_inspector}")
    return " · ".join(parts)


def judgement_lines(v: InspectionView) -> list[str]:
    return [f"{j.area}: {j.grade_words}" for j in v.judgements]


def area_lines(v: InspectionView) -> list[str]:
    return [f"{a.code} {bk.clip(a.description, MAX_AREA_WORDS)}" for a in v.areas]


def inspection_blocks(v: InspectionView, *, areas: bool = True) -> list[dict[str, Any]]:
    """The inspection's facts as sections: what the digest's cover and /qib inspection both show."""
    blocks = [
        bk.section(f"*{bk.esc(v.type_name)}*\n{bk.esc(when_line(v))}"),
        bk.section(
            "*Judgements*\n" + "\n".join(f"• {bk.esc(line)}" for line in judgement_lines(v))
            if v.judgements
            else "*Judgements*\nNone recorded."
        ),
    ]
    if areas:
        blocks.append(
            bk.section(
                "*What needs to improve*\n"
                + "\n".join(f"{i}. {bk.esc(line)}" for i, line in enumerate(area_lines(v), 1))
                if v.areas
                else "*What needs to improve*\nNo areas for improvement."
            )
        )
    if v.action_plan is not None:
        icon = ":memo:" if v.action_plan.outstanding else ":white_check_mark:"
        blocks.append(bk.section(f"{icon} {bk.esc(action_plan_line(v.action_plan))}"))
    return blocks


def home_line(v: InspectionView) -> str:
    """One line for the App Home's header: the inspection, its overall grade, an outstanding action plan."""
    overall = next((j for j in v.judgements if j.area.strip().lower() == "overall effectiveness"), None)
    parts = [v.type_name + (f", published {full_day(v.published)}" if v.published else "")]
    if overall is not None:
        parts.append(f"overall effectiveness: {overall.grade_words}")
    if v.action_plan is not None and v.action_plan.outstanding:
        parts.append(action_plan_line(v.action_plan))
    return " · ".join(parts)


def inspection_text(v: InspectionView) -> list[str]:
    """The plain-text twin of `inspection_blocks`, line for line."""
    lines = [f"{v.type_name}: {when_line(v)}.", "Judgements: " + "; ".join(judgement_lines(v)) + "."]
    if v.areas:
        lines.append("What needs to improve: " + " ".join(area_lines(v)))
    if v.action_plan is not None:
        lines.append(action_plan_line(v.action_plan) + ".")
    return lines


def inspection_reply(v: InspectionView | None) -> Reply:
    if v is None:
        text = "The plan file names no inspection. Add an `inspection:` section (see docs/plan-file.md)."
        return Reply(text=text, blocks=[bk.section(bk.esc(text))])
    blocks = [
        bk.header(f"Inspection: {v.type_name}"),
        *inspection_blocks(v),
        bk.context("`/qib inspection history` lists the inspections and visits before this one."),
    ]
    return Reply(text=bk.clip("\n".join(inspection_text(v)), bk.MAX_FALLBACK), blocks=bk.fit(blocks))


def earlier_when(e: EarlierView) -> str:
    if e.start is None:
        year, month = (e.month or "0001-01").split("-")
        return f"{date(int(year), int(month), 1):%B %Y}"
    if e.end is not None and e.end != e.start:
        return f"{full_day(e.start)} to {full_day(e.end)}"
    return full_day(e.start)


def earlier_line(e: EarlierView) -> str:
    line = f"{earlier_when(e)}: {type_name(e.type)}"
    if e.published:
        line += f" (published {full_day(e.published)})"
    return line


def history_reply(history: list[EarlierView], today: date) -> Reply:
    blocks: list[dict[str, Any]] = [bk.header("Earlier inspections and visits")]
    shown = history[:MAX_HISTORY]
    for e in shown:
        body = f"*{bk.esc(earlier_line(e))}*"
        if e.outcome:
            body += f"\n{bk.esc(bk.clip(e.outcome, 1500))}"
        blocks.append(bk.section(body))
    if not history:
        blocks.append(bk.section("The plan file lists no earlier inspections (`earlier_inspections:`)."))
    if len(history) > len(shown):
        blocks.append(bk.context(f"…and {len(history) - len(shown)} more: `qib export` has them all."))
    text = "Earlier inspections and visits, newest first: " + (
        "; ".join(earlier_line(e) + (f": {e.outcome}" if e.outcome else "") for e in shown)
        or "none recorded."
    )
    return Reply(text=bk.clip(text, bk.MAX_FALLBACK), blocks=bk.fit(blocks))
