"""A month on the Durham plan, played as the board sees it: owners update in Slack (signed requests into
the real bot), the scheduler posts the March digest, and the paper reads the same in Slack, in
`/qib digest show` and in the Markdown, HTML and Word exports, however the plan changes afterwards."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from docx import Document
from sqlalchemy import select

from bot.services.digest import frozen_digest
from bot.services.digest_docx import to_docx
from bot.services.digest_export import to_html, to_markdown
from bot.usecases.board_paper import meeting_schedule
from models import Measure, MeasureValue, Milestone, ProgressUpdate
from models.db import make_sessionmaker
from models.measures import measure_area, measure_priority
from qib_testing.people import CHAIR, IRO, PRACTICE_LEAD, SAFEGUARDING, YPS
from tests.e2e.test_scheduler import scheduler
from tests.e2e.test_updates import open_modal, state
from tests.snapshot import ArrangedOnce

CHANNEL = "#qib-board"
CHANNEL_ID = "C0QIBBOARD"  # what Slack answers for it: the scheduler posts to the resolved id
MEASURE_NOTE = "One review slipped past its date"
FEB, MARCH, APRIL = date(2020, 2, 20), date(2020, 3, 19), date(2020, 4, 16)
IMPACT = "9 of 10 reviews within 5 working days, 4 of 10 at the October audit"
DECISION = "Fund an earlier supplier slot or accept 31 July"
QUICK_DECISION = "Approve agency cover for two practice educators"
BLOCKERS = "The training supplier cannot deliver before July"


def _when(sched, meeting: date):
    """When the reminders and the digest for this meeting go out, by the plan's own rule."""
    rule = sched.rule()
    [m] = rule.meetings(meeting, meeting)
    return meeting_schedule(rule, m)


@pytest.fixture(scope="module")
def played() -> ArrangedOnce:
    """The months this module's worker has played (with and without measures), for its later tests."""
    return ArrangedOnce()


@pytest.fixture
def month(bot, engine, database_url, played):
    """The February digest, then March's reminders, owners' updates, and the March digest."""
    played.once("month", engine, bot.slack, lambda: _play_month(bot, engine, database_url), bot=bot)


def _play_month(bot, engine, database_url, *, measures: bool = True) -> None:
    sched = scheduler(engine, database_url, bot.slack)
    sched.tick(_when(sched, FEB).digest_at)
    march = _when(sched, MARCH)
    sched.tick(march.reminder_at)
    bot.clock[0] = march.reminder_at + timedelta(hours=2)
    # On track, by quick syntax.
    [saved] = bot.command("update M-12 on track 80% Drop-ins running weekly", user=YPS)
    assert saved["text"].startswith("Saved: M-12")
    # At risk, with blockers and a decision for the board, through the update form.
    view = open_modal(bot, user=SAFEGUARDING)
    values = state("M-06", "at risk", "60", "The supplier has slipped")
    values["blockers"] = {"value": BLOCKERS}
    values["next_steps"] = {"value": "Ask two other suppliers for dates"}
    values["decision"] = {"value": DECISION}
    status, _ = bot.submit(view, values, user=SAFEGUARDING, view_id="VPAPER1")
    assert status == 200
    # Off track, with a decision asked for in the quick syntax.
    [saved] = bot.command(
        f"update M-10 off track 30% Two educators left; recovery: recruit two educators. decision: {QUICK_DECISION}",
        user=PRACTICE_LEAD,
    )
    assert saved["text"].startswith("Saved: M-10")
    # Complete, with its impact and the evidence.
    [saved] = bot.command(f"update M-09 complete 100% {IMPACT} https://evidence.example/audit", user=CHAIR)
    assert saved["text"].startswith("Saved: M-09")
    # February's foster carer reviews: one out of timescale (January's was none).
    if measures:
        [saved] = bot.command(f"measure KPI-3 1 for 2020-02 {MEASURE_NOTE}", user=IRO)
        assert "KPI-3" in saved["text"]
    else:
        with make_sessionmaker(engine).begin() as db:
            for table in (MeasureValue.__table__, measure_area, measure_priority, Measure.__table__):
                db.execute(table.delete())
    # The performance manager (M-08, M-20) says nothing.
    bot.slack.reset()
    report = sched.tick(march.digest_at)
    assert report.posted == ["digest 2020-03-19"]


def _digest_call(bot):
    return next(
        c
        for c in bot.slack.calls_to("chat.postMessage")
        if c.args.get("channel") in (CHANNEL, CHANNEL_ID) and not c.args.get("thread_ts")
    )


def _frozen(bot):
    with bot.deps.sessions() as db:
        return frozen_digest(db=db, plan_id=bot.deps.plan_id(), meeting_on=MARCH)


def test_the_quick_syntax_and_the_form_record_a_decision_for_the_board(bot, month):
    with bot.deps.sessions() as db:
        rows = dict(
            db.execute(
                select(Milestone.code, ProgressUpdate.decision)
                .join(Milestone, Milestone.id == ProgressUpdate.milestone_id)
                .where(ProgressUpdate.decision.is_not(None))
            ).all()
        )
    assert rows == {"M-06": DECISION, "M-10": QUICK_DECISION}


def test_exceptions_are_exactly_the_at_risk_off_track_and_overdue_items(bot, month):
    d = _frozen(bot).digest
    assert [(e.code, e.kind) for e in d.exceptions] == [("M-10", "off track"), ("M-06", "at risk")]
    m06 = d.exceptions[1]
    assert (
        "The supplier has slipped" in (m06.reason or "")
        and m06.recovery == "Ask two other suppliers for dates"
    )
    blocks = str(_digest_call(bot).args["blocks"])
    exceptions = blocks[blocks.index("*Exceptions (2)*") : blocks.index("Completed since the last board")]
    assert "M-06" in exceptions and "M-10" in exceptions
    assert not re.search(r"\*M-(08|20|12|03)\*", exceptions)


def test_the_silent_owners_items_are_awaiting_an_update_not_exceptions(bot, month):
    d = _frozen(bot).digest
    assert {"M-08", "M-20"} <= set(d.awaiting_update)
    assert not {"M-06", "M-09", "M-10", "M-12"} & set(d.awaiting_update)
    assert d.awaiting_since == date(2020, 3, 6)
    assert "Awaiting an update (" in str(_digest_call(bot).args["blocks"])


def test_the_headline_counts_brag_with_the_change_since_the_february_board(bot, month):
    d = _frozen(bot).digest
    brag = {k: (n, then) for k, n, then in d.brag()}
    assert brag["complete"] == (12, 11) and brag["at risk"] == (1, 0) and brag["off track"] == (1, 0)
    assert d.health is None and d.change == "1 completed since the last board, 1 on time, 0 late"
    assert [p.meeting_on for p in d.brag_history] == [FEB, MARCH]
    assert d.last_area_health is not None


def test_impact_and_decisions_appear_in_slack_show_and_every_export(bot, month, tmp_path):
    frozen = _frozen(bot)
    slack_text = str(_digest_call(bot).args["blocks"])
    [shown] = bot.command("digest show 2020-03-19")
    md = to_markdown(frozen.digest, posted_at=frozen.posted_at)
    page = to_html(frozen.digest, posted_at=frozen.posted_at)
    docx_text = "\n".join(_docx_texts(to_docx(frozen.digest, posted_at=frozen.posted_at)))
    for name, out in (("slack", slack_text), ("show", str(shown["blocks"])), ("md", md), ("html", page)):
        assert IMPACT in out, name
        assert DECISION in out and QUICK_DECISION in out, name
        assert BLOCKERS in out, name
    for text in (IMPACT, DECISION, QUICK_DECISION, BLOCKERS, "https://evidence.example/audit"):
        assert text in docx_text


def test_show_and_exports_use_the_plans_clock(bot, month):
    [shown] = bot.command("digest show 2020-03-19")
    assert "As posted on Wed 11 Mar 2020 at 09:00 GMT" in str(shown["blocks"][0])
    frozen = _frozen(bot)
    assert "Wed 11 Mar 2020 at 09:00 GMT" in to_markdown(frozen.digest, posted_at=frozen.posted_at)


def test_the_month_ahead_lists_what_is_due_before_the_next_board(bot, month):
    d = _frozen(bot).digest
    assert d.next_meeting == APRIL
    assert [r.code for r in d.month_ahead] == ["M-03", "M-06", "M-12"]  # all due 31 March
    assert [e.what for e in d.dates_ahead] == [
        "Owner reminders for the next board",
        "Digest for the next board",
        "Board meeting, 10:00",
    ]
    assert d.dates_ahead[-1].on == APRIL
    blocks = str(_digest_call(bot).args["blocks"])
    ahead = blocks[blocks.index("The month ahead") : blocks.index("Risks and blockers")]
    assert all(f"*M-{n}*" in ahead for n in ("03", "06", "12")) and "*M-08*" not in ahead
    assert "Thu 16 Apr 2020: Board meeting" in ahead


def test_strategic_priorities_are_counted_through_their_areas(bot, month):
    d = _frozen(bot).digest
    assert d.priorities and all(p.milestones > 0 for p in d.priorities)
    assert sum(p.milestones for p in d.priorities) >= 22


def test_the_brag_chart_is_uploaded_in_the_digest_thread_with_alt_text(bot, month):
    brag = [u for u in bot.slack.uploads() if u.filename.startswith("brag-")]
    february, upload = brag  # one chart per digest, each in its own thread
    assert february.thread_ts != upload.thread_ts
    assert upload.thread_ts == _digest_call(bot).response["ts"]
    assert upload.data is not None and upload.data.startswith(b"\x89PNG")
    assert upload.alt_txt and "20 Feb 2020" in upload.alt_txt and "19 Mar 2020" in upload.alt_txt
    page = to_html(_frozen(bot).digest)
    assert f'<img src="data:image/png;base64,{base64.b64encode(upload.data).decode()}"' in page


def test_the_word_paper_has_the_headings_tables_and_picture_the_html_has(bot, month, tmp_path):
    frozen = _frozen(bot)
    data = to_docx(frozen.digest, posted_at=frozen.posted_at)
    doc = Document(io.BytesIO(data))
    page = to_html(frozen.digest, posted_at=frozen.posted_at)
    h2 = [_unescape(t) for t in re.findall(r"<h2>(.*?)</h2>", page)]
    h3 = [_unescape(t) for t in re.findall(r"<h3>(.*?)</h3>", page)]
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == h2
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 2"] == h3
    assert len(doc.tables) == page.count("<table>")
    for table in doc.tables:
        header = table.rows[0]._tr
        assert header.xpath("./w:trPr/w:tblHeader"), "every table repeats its header row"
        assert all(run.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)
    brag, *measures = doc.inline_shapes
    assert "Milestones by rating" in brag._inline.docPr.get("descr")
    assert len(measures) == page.count("<figure>") - 1
    section = doc.sections[0]
    assert section.header.paragraphs[0].text == "OFFICIAL"
    assert "PAGE" in section.footer._element.xml and "NUMPAGES" in section.footer._element.xml


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed here")
def test_libreoffice_converts_the_word_paper_to_pdf(bot, month, tmp_path):
    frozen = _frozen(bot)
    src = tmp_path / "paper.docx"
    src.write_bytes(to_docx(frozen.digest, posted_at=frozen.posted_at))
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(src)],
        capture_output=True,
        timeout=180,
    )  # fmt: skip
    pdf = tmp_path / "paper.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


def test_a_posted_paper_re_exports_identically_whatever_happens_to_the_plan(bot, month, engine):
    frozen = _frozen(bot)
    before = (
        to_markdown(frozen.digest, posted_at=frozen.posted_at),
        to_html(frozen.digest, posted_at=frozen.posted_at),
        to_docx(frozen.digest, posted_at=frozen.posted_at),
    )
    bot.clock[0] = datetime(2020, 3, 13, 10, tzinfo=UTC)
    [saved] = bot.command("update M-06 complete 100% Training delivered early", user=SAFEGUARDING)
    assert saved["text"].startswith("Saved: M-06")
    with make_sessionmaker(engine).begin() as db:
        db.execute(Milestone.__table__.update().values(title="Renamed later"))
    again = _frozen(bot)
    after = (
        to_markdown(again.digest, posted_at=again.posted_at),
        to_html(again.digest, posted_at=again.posted_at),
        to_docx(again.digest, posted_at=again.posted_at),
    )
    assert after == before
    assert "Renamed later" not in before[0]
    with zipfile.ZipFile(io.BytesIO(after[2])) as z:
        assert any(n.startswith("word/media/") for n in z.namelist())  # the chart, frozen with it


def _docx_texts(data: bytes) -> list[str]:
    doc = Document(io.BytesIO(data))
    out = [p.text for p in doc.paragraphs]
    out += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return out


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_qib_digest_export_writes_the_word_paper(bot, month, database_url, tmp_path):
    import os
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "QIB_"))}
    env["DATABASE_URL"] = database_url
    out = tmp_path / "march.docx"
    args = ["digest", "export", "--meeting", "2020-03-19", "--format", "docx"]
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args, "--output", str(out)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    frozen = _frozen(bot)
    assert out.read_bytes() == to_docx(frozen.digest, posted_at=frozen.posted_at)
    refused = subprocess.run([sys.executable, "-m", "bot", *args], env=env, capture_output=True, text=True)
    assert refused.returncode != 0 and "--output" in refused.stderr


# ---- measures ---------------------------------------------------------------------------------------------


def _order(text: str, *titles: str) -> list[int]:
    return [text.index(t) for t in titles]


def test_the_march_paper_shows_each_measure_in_slack_show_and_every_export(bot, month):
    frozen = _frozen(bot)
    [kpi3] = [m for m in frozen.digest.measures if m.code == "KPI-3"]
    assert (kpi3.latest_period, kpi3.latest_value, kpi3.target, kpi3.rag) == ("2020-02", 1, 0, "amber")
    assert kpi3.since_board == "+1 (worse) since Jan 2020"
    assert (kpi3.periods, kpi3.values) == (["2020-01", "2020-02"], [0, 1])
    slack_text = str(_digest_call(bot).args["blocks"])
    [shown] = bot.command("digest show 2020-03-19")
    md = to_markdown(frozen.digest, posted_at=frozen.posted_at)
    page = to_html(frozen.digest, posted_at=frozen.posted_at)
    docx_text = "\n".join(_docx_texts(to_docx(frozen.digest, posted_at=frozen.posted_at)))
    for name, out in (("slack", slack_text), ("show", str(shown["blocks"])), ("md", md), ("html", page)):
        assert "KPI-3" in out and "+1 (worse) since Jan 2020" in out, name
        completed, measures, ahead = _order(
            out, "Completed since the last board", "Measures", "The month ahead"
        )
        assert completed < measures < ahead, name
    assert "*KPI-3* Foster carer reviews out of timescale: 1 (Feb 2020) · target 0" in slack_text
    assert "| KPI-3 | Foster carer reviews out of timescale | 1 (Feb 2020) | 0 | **amber** |" in md
    assert '<span class="status status-amber">amber</span>' in page
    assert "1 (Feb 2020)" in docx_text and "+1 (worse) since Jan 2020" in docx_text


def test_each_measures_chart_is_uploaded_in_the_march_thread_and_embedded_in_the_paper(bot, month):
    march_ts = _digest_call(bot).response["ts"]
    [upload] = [u for u in bot.slack.uploads() if u.filename == "kpi-3-2020-03-19.png"]
    assert upload.thread_ts == march_ts and upload.data is not None and upload.data.startswith(b"\x89PNG")
    assert upload.alt_txt and upload.alt_txt.startswith("Trend chart of KPI-3 Foster carer reviews")
    assert "Feb 2020 (1, amber)" in upload.alt_txt
    frozen = _frozen(bot)
    page = to_html(frozen.digest, posted_at=frozen.posted_at)
    assert f'<img src="data:image/png;base64,{base64.b64encode(upload.data).decode()}"' in page
    doc = Document(io.BytesIO(to_docx(frozen.digest, posted_at=frozen.posted_at)))
    descr = [s._inline.docPr.get("descr") for s in doc.inline_shapes]
    assert upload.alt_txt in descr


def test_a_re_export_after_a_later_measure_value_is_identical(bot, month):
    frozen = _frozen(bot)
    before = (
        to_markdown(frozen.digest, posted_at=frozen.posted_at),
        to_html(frozen.digest, posted_at=frozen.posted_at),
        to_docx(frozen.digest, posted_at=frozen.posted_at),
    )
    bot.clock[0] = datetime(2020, 4, 2, 10, tzinfo=UTC)
    [saved] = bot.command("measure KPI-3 4 for 2020-03", user=IRO)
    assert "KPI-3" in saved["text"]
    [saved] = bot.command("measure KPI-3 3 for 2020-02", user=IRO)  # a correction asks first
    again = _frozen(bot)
    assert [m.values for m in again.digest.measures if m.code == "KPI-3"] == [[0, 1]]
    after = (
        to_markdown(again.digest, posted_at=again.posted_at),
        to_html(again.digest, posted_at=again.posted_at),
        to_docx(again.digest, posted_at=again.posted_at),
    )
    assert after == before


@pytest.fixture
def month_without_measures(bot, engine, database_url, played):
    def play() -> None:
        _play_month(bot, engine, database_url, measures=False)

    played.once("without measures", engine, bot.slack, play, bot=bot)


def test_a_plan_without_measures_has_no_measures_section(bot, month_without_measures):
    frozen = _frozen(bot)
    assert frozen.digest.measures == []
    slack_text = str(_digest_call(bot).args["blocks"])
    [shown] = bot.command("digest show 2020-03-19")
    md = to_markdown(frozen.digest, posted_at=frozen.posted_at)
    page = to_html(frozen.digest, posted_at=frozen.posted_at)
    data = to_docx(frozen.digest, posted_at=frozen.posted_at)
    headings = [p.text for p in Document(io.BytesIO(data)).paragraphs if p.style.name.startswith("Heading")]
    for name, out in (("slack", slack_text), ("show", str(shown["blocks"])), ("md", md), ("html", page)):
        assert "Measures" not in out and "KPI-" not in out, name
    assert "Measures" not in headings and "Completed since the last board" in headings
    march = [u.filename for u in bot.slack.uploads() if u.filename.endswith("2020-03-19.png")]
    assert march == ["brag-2020-03-19.png"]  # the BRAG chart, and no measure's


def test_a_digest_stored_before_measures_still_renders(bot, month):
    frozen = _frozen(bot)
    stored = frozen.digest.model_dump(mode="json")
    del stored["measures"]
    older = type(frozen.digest).model_validate(stored)
    assert older.measures == []
    assert "## Measures" not in to_markdown(older) and "<h2>Measures</h2>" not in to_html(older)
    assert "## Measures" in to_markdown(frozen.digest)


def test_summary_is_the_march_paper_in_brief_in_the_papers_order(bot, month):
    [reply] = bot.command("summary", user=CHAIR)
    blocks = reply["blocks"]
    texts = [json.dumps(b) for b in blocks]
    assert reply["text"].startswith("Board summary: 12 of ")
    assert len(blocks) <= 50 and all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)

    def at(title: str) -> int:
        return next(i for i, t in enumerate(texts) if title in t)

    sections = ["*Headline*", "*Decisions for the board (2)*", "*Exceptions (2)*"]
    sections += [
        "*Completed since the last board (1)*",
        "*Measures (",
        "*The month ahead: due before the next",
    ]
    assert [at(t) for t in sections] == sorted(at(t) for t in sections)
    assert DECISION[:60] in texts[at("*Decisions")] and "M-10" in texts[at("*Exceptions")]
    assert "Impact: 9 of 10 reviews" in texts[at("*Completed since")]
    assert "*KPI-3* Foster carer reviews out of timescale: 1 (Feb 2020)" in texts[at("*Measures (")]
    assert "*M-03*" in texts[at("*The month ahead")]


def test_summary_of_a_plan_without_measures_has_no_measures_section(bot, month_without_measures):
    [reply] = bot.command("summary", user=CHAIR)
    blocks = json.dumps(reply["blocks"])
    assert "*Completed since the last board (1)*" in blocks and "Measures" not in blocks
