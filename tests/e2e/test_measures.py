"""Measures through Slack: one-line recording, refusal, the replace button, the list and the chart upload."""

from __future__ import annotations

from sqlalchemy import select

from models import Measure, MeasureValue
from qib_testing.people import BOARD, CHAIR, IRO, IRO_2, PRACTICE_LEAD


def values(bot, code: str = "KPI-3") -> list[tuple[str, float, str]]:
    with bot.deps.sessions() as db:
        rows = db.execute(
            select(MeasureValue.period, MeasureValue.value, MeasureValue.source)
            .join(Measure, Measure.id == MeasureValue.measure_id)
            .where(Measure.code == code)
            .order_by(MeasureValue.id)
        ).all()
    return [tuple(r) for r in rows]


def test_an_owner_records_a_value_in_one_line(bot):
    [reply] = bot.command("measure KPI-3 1 for 2019-12 One review slipped past its date", user=IRO)
    assert reply["text"] == "Saved: KPI-3 1 for Dec 2019."
    assert values(bot) == [("2020-01", 0, "import"), ("2019-12", 1, "slack")]


def test_someone_else_is_refused_and_nothing_is_saved(bot):
    [reply] = bot.command("measure KPI-3 1 for 2019-12", user=PRACTICE_LEAD)
    assert "Only the owner of KPI-3 (Alex Morgan), their delegate or a plan admin" in reply["text"]
    assert values(bot) == [("2020-01", 0, "import")]


def test_the_delegate_records_for_the_owner(bot):
    [reply] = bot.command("measure kpi-3 2 for dec 2019", user=IRO_2)
    assert reply["text"] == "Saved: KPI-3 2 for Dec 2019."


def test_a_second_value_for_the_month_asks_first_then_keeps_both(bot):
    [ask] = bot.command("measure KPI-3 2", user=IRO)  # the last complete month, January, has 0
    assert ask["text"].startswith("KPI-3 already has 0 for Jan 2020. Replace it with 2?")
    [button] = ask["blocks"][1]["elements"]
    assert values(bot) == [("2020-01", 0, "import")]
    status, _ = bot.click(button["action_id"], button["value"], user=IRO)
    assert status == 200
    [done] = bot.slack.wait_for("response_url", predicate=lambda c: c.args.get("replace_original") is True)
    assert done.args["text"] == "Saved: KPI-3 2 for Jan 2020 (replacing 0, which stays in the history)."
    assert values(bot) == [("2020-01", 0, "import"), ("2020-01", 2, "slack")]


def test_a_note_with_a_childs_details_is_not_saved(bot):
    [reply] = bot.command("measure KPI-3 1 for 2019-12 carer of NHS 943 476 5919", user=IRO)
    assert reply["text"].startswith("Nothing was saved: The note looks like it holds an NHS number")
    assert "943" not in reply["text"]
    assert values(bot) == [("2020-01", 0, "import")]


def test_measures_lists_latest_value_target_and_rag(bot):
    bot.command("measure KPI-3 3 for 2019-12", user=IRO)
    [reply] = bot.command("measures AFI-5")
    text = "\n".join(b["text"]["text"] for b in reply["blocks"] if b["type"] == "section")
    assert "*KPI-3* Foster carer reviews out of timescale" in text
    assert "*0* in Jan 2020 (green) · target 0 (lower is better)" in text
    assert "`█▁`" in text and "−3 (better) since Dec 2019" in text
    assert "KPI-1" not in text


def test_a_chart_is_uploaded_into_the_conversation(bot):
    bot.command("measure KPI-3 3 for 2019-11", user=IRO)
    bot.command("measure KPI-3 1 for 2019-12", user=IRO)
    [reply] = bot.command("measures KPI-3 chart", user=CHAIR)
    assert reply["text"] == "The trend chart of KPI-3 is posted in this conversation."
    [url] = bot.slack.calls_to("files.getUploadURLExternal")
    assert url.args["filename"] == "KPI-3.png"
    assert url.args["alt_txt"].startswith("Trend chart of KPI-3 Foster carer reviews out of timescale")
    [upload] = bot.slack.calls_to("upload")
    [done] = bot.slack.calls_to("files.completeUploadExternal")
    assert done.args["channel_id"] == BOARD and done.args["files"][0]["id"] == url.response["file_id"]
    png = bot.slack.uploaded(url.response["file_id"])
    assert png is not None and png.startswith(b"\x89PNG") and 1_000 < len(png) < 300_000
    assert upload.args["bytes"] == len(png) == int(url.args["length"])
    [posted] = [m for m in bot.slack.messages(BOARD) if m.get("files")]
    assert posted["files"][0]["alt_txt"] == url.args["alt_txt"]


def test_a_chart_of_a_measure_without_values_says_so(bot):
    [reply] = bot.command("measures KPI-1 chart")
    assert reply["text"] == "KPI-1 has no values yet, so there is no trend to draw."
    assert bot.slack.calls_to("files.getUploadURLExternal") == []


def test_status_of_an_area_shows_its_measures_under_its_milestones(bot):
    [reply] = bot.command("status AFI-5")
    texts = [b.get("text", {}).get("text", "") for b in reply["blocks"]]
    measures_at = texts.index("*Measures*")
    assert any("M-" in t for t in texts[:measures_at])  # the milestones come first
    assert "*KPI-3* Foster carer reviews out of timescale" in texts[measures_at + 1]
    assert "Measures: KPI-3 0 (green)" in reply["text"]


def record_state(value: str, period: str | None = None, note: str | None = None, *ticks: str) -> dict:
    return {
        "value": {"value": {"type": "plain_text_input", "value": value}},
        "period": {"value": {"type": "plain_text_input", "value": period}},
        "note": {"value": {"type": "plain_text_input", "value": note}},
        "options": {"value": {"type": "checkboxes", "selected_options": [{"value": t} for t in ticks]}},
    }


def test_the_home_tab_lists_the_owners_measures_with_record_buttons_that_open_the_form(bot):
    home = bot.open_home(user=IRO)
    [kpi3] = [b for b in home["blocks"] if "*KPI-3*" in b.get("text", {}).get("text", "")]
    assert kpi3["accessory"]["action_id"] == "record_measure" and kpi3["accessory"]["value"] == "KPI-3"
    assert not any("*KPI-1*" in b.get("text", {}).get("text", "") for b in home["blocks"])  # not theirs
    bot.click("record_measure", "KPI-3", user=IRO, trigger_id="trig.home")
    [opened] = bot.slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["private_metadata"] == "KPI-3"
    [period] = [b for b in view["blocks"] if b.get("block_id") == "period"]
    assert period["element"]["initial_value"] == "2020-01"


def test_the_form_saves_and_asks_before_replacing(bot):
    assert bot.command("measure KPI-3", user=IRO) == []  # no value typed: the form opens
    [opened] = bot.slack.wait_for("views.open")
    view = {**opened.args["view"], "id": opened.response["view"]["id"]}
    status, body = bot.submit(view, record_state("4", "2020-01"), user=IRO)
    assert status == 200 and "Tick Replace to replace it" in body
    assert values(bot) == [("2020-01", 0, "import")]
    status, body = bot.submit(view, record_state("4", "2020-01", None, "replace"), user=IRO)
    assert status == 200 and body in ("", "{}")
    assert values(bot) == [("2020-01", 0, "import"), ("2020-01", 4, "slack")]
    status, body = bot.submit(view, record_state("many", "2019-12"), user=IRO)
    assert "Give the value as a number" in body


def test_words_that_match_no_measure_are_echoed_escaped_once(bot):
    [reply] = bot.command("measures <!channel> & co")
    assert reply["text"] == "No measures for “&lt;!channel&gt; &amp; co”. `/qib measures` lists them all."
