"""The digest as a board paper (Markdown and HTML): content, order, and untrusted text made inert."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from typing import Any

import pytest

from bot.services.digest import Digest, DigestArea, DigestChange, DigestRow, Headline
from bot.services.digest_export import clean_text, markdown_escape, short_date, to_html, to_markdown

BOARD = "Social Care Quality Improvement Board"
TITLE = f"{BOARD} — digest for the meeting on Thursday 20 February 2020"
POSTED = datetime(2020, 2, 14, 9, 5, tzinfo=UTC)

INJECTIONS = {
    "script": "<script>alert(1)</script>",
    "channel": "Heads up <!channel> please",
    "link": "[click](https://evil.example)",
    "table": "| broken | table |",
    "control": "red\x1b[31m alert\x00 \u202eevil\x07 line\r\nbreak\x7f",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def row(code: str = "M1", **kw: Any) -> DigestRow:
    values: dict[str, Any] = dict(
        code=code,
        title="The timeliness of foster carers’ reviews.",
        area_code="A1",
        owner="Jane Smith",
        owner_role="Head of Service",
        due=date(2020, 2, 7),
        health="overdue",
        percent=40,
        stale=False,
        reason="Venue not confirmed",
        kind=None,
    )
    values.update(kw)
    return DigestRow(**values)


def change(code: str = "M3", **kw: Any) -> DigestChange:
    values: dict[str, Any] = dict(
        code=code,
        title="Audit of supervision",
        from_status="on track",
        to_status="complete",
        completed=True,
        by="Sam Lee",
    )
    values.update(kw)
    return DigestChange(**values)


def area(code: str = "A1", **kw: Any) -> DigestArea:
    values: dict[str, Any] = dict(
        code=code,
        title="Foster care",
        description="Recruit and keep foster carers.",
        health="at risk",
        milestones=2,
        complete=1,
        overdue=1,
        stale=0,
        percent_complete=70.0,
        rows=[row("M1"), row("M3", health="complete", percent=100, title="Audit of supervision")],
    )
    values.update(kw)
    return DigestArea(**values)


def headline(**kw: Any) -> Headline:
    values: dict[str, Any] = dict(
        milestones=10,
        complete=3,
        share_complete=30.0,
        percent_complete=52.5,
        counts={"overdue": 1, "off track": 0, "at risk": 1, "not started": 2, "on track": 3, "complete": 3},
    )
    values.update(kw)
    return Headline(**values)


def digest(**kw: Any) -> Digest:
    values: dict[str, Any] = dict(
        plan_title="Durham Children's Services Improvement Plan",
        authority="Durham County Council",
        board_name=BOARD,
        meeting_on=date(2020, 2, 20),
        meeting_local="Thu 20 Feb 2020, 10:00",
        previous_meeting=date(2020, 1, 16),
        generated_at=datetime(2020, 2, 14, 9, 0, tzinfo=UTC),
        headline=headline(),
        last_headline=None,
        health="at risk",
        exceptions=[
            row("M1", kind="overdue"),
            row("M2", health="on track", stale=True, kind="stale", reason=None),
        ],
        completions=[change("M3")],
        moves=[
            change(
                "M4",
                title="Return home interviews",
                from_status="on track",
                to_status="at risk",
                completed=False,
                by="Ann Bell",
            )
        ],
        due_before_meeting=[row("M5", health="on track", due=date(2020, 2, 18), title="Care leavers’ offer")],
        areas=[
            area("A1"),
            area("A2", title="Care leavers", health="on track", rows=[row("M5", health="on track")]),
        ],
    )
    values.update(kw)
    return Digest(**values)


def empty_digest() -> Digest:
    return digest(exceptions=[], completions=[], moves=[], due_before_meeting=[], areas=[], health=None)


def evil_digest(text: str) -> Digest:
    """Every piece of plan and user text set to `text`."""
    r = row(text, title=text, owner=text, owner_role=text, reason=text, area_code=text)
    c = change(text, title=text, by=text)
    return digest(
        plan_title=text,
        authority=text,
        board_name=text,
        meeting_local=text,
        exceptions=[r],
        completions=[c],
        moves=[c.model_copy(update={"completed": False})],
        due_before_meeting=[r],
        areas=[area(text, title=text, description=text, rows=[r])],
    )


# ---- helpers -------------------------------------------------------------------------------------------

VOID = {"meta", "br", "hr", "img", "input", "link"}


class _Checker(HTMLParser):
    """Checks nesting, counts tags and attributes, and collects the text as a browser would read it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.opened: dict[str, int] = {}
        self.closed: dict[str, int] = {}
        self.attrs: set[str] = set()
        self.text: list[str] = []
        self.decls: list[str] = []
        self.comments: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.decls.append(decl)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.opened[tag] = self.opened.get(tag, 0) + 1
        self.attrs.update(name for name, _ in attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self.closed[tag] = self.closed.get(tag, 0) + 1
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_html(page: str) -> _Checker:
    checker = _Checker()
    checker.feed(page)
    checker.close()
    return checker


def cells(line: str) -> list[str]:
    """A Markdown table row split on its unescaped pipes (a pipe after an odd run of backslashes is text)."""
    parts, current, i = [], "", 0
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line):
            current += line[i : i + 2]
            i += 2
            continue
        if ch == "|":
            parts.append(current)
            current = ""
        else:
            current += ch
        i += 1
    parts.append(current)
    return parts[1:-1]


def md_tables(md: str) -> list[list[str]]:
    tables: list[list[str]] = []
    current: list[str] = []
    for line in md.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return tables


def positions(text: str, markers: list[str]) -> list[int]:
    found = [text.find(m) for m in markers]
    assert all(p >= 0 for p in found), dict(zip(markers, found, strict=True))
    return found


# ---- title, preamble, dates ------------------------------------------------------------------------------


def test_markdown_is_titled_with_the_board_and_the_meeting_date():
    md = to_markdown(digest(), posted_at=POSTED)
    assert md.splitlines()[0] == f"# {TITLE}"
    assert "**Plan:** Durham Children's Services Improvement Plan" in md
    assert "**Authority:** Durham County Council" in md
    assert "**Meeting:** Thu 20 Feb 2020, 10:00" in md
    assert "**Last meeting:** Thu 16 Jan 2020" in md


def test_html_is_titled_with_the_board_and_the_meeting_date():
    page = to_html(digest(), posted_at=POSTED)
    assert f"<title>{TITLE}</title>" in page
    assert f"<h1>{TITLE}</h1>" in page
    text = " ".join(check_html(page).text)
    assert "Durham Children&#x27;s" not in text and "Durham Children's Services Improvement Plan" in text
    assert "Durham County Council" in text


@pytest.mark.parametrize("render", [to_markdown, to_html])
def test_posted_time_is_local_and_late_is_said(render):
    assert "Fri 14 Feb 2020 at 09:05 GMT" in render(digest(), posted_at=POSTED)
    assert "posted late" not in render(digest(), posted_at=POSTED)
    assert "Fri 14 Feb 2020 at 09:05 GMT (posted late)" in render(digest(), posted_at=POSTED, late=True)
    summer = datetime(2020, 6, 10, 8, 0, tzinfo=UTC)
    assert "Wed 10 Jun 2020 at 09:00 BST" in render(digest(), posted_at=summer)
    assert "Wed 10 Jun 2020 at 04:00 EDT" in render(digest(), posted_at=summer, tz="America/New_York")


@pytest.mark.parametrize("render", [to_markdown, to_html])
def test_an_unposted_digest_says_when_it_was_prepared(render):
    out = render(digest())
    assert "Prepared" in out and "Fri 14 Feb 2020 at 09:00 GMT (not posted)" in out
    assert "Posted" not in out


@pytest.mark.parametrize("render", [to_markdown, to_html])
def test_a_naive_posted_at_is_taken_as_utc(render):
    assert "Wed 10 Jun 2020 at 09:00 BST" in render(digest(), posted_at=datetime(2020, 6, 10, 8, 0))


@pytest.mark.parametrize("render", [to_markdown, to_html])
def test_a_meeting_on_a_bank_holiday_is_noted(render):
    assert "bank holiday" not in render(digest())
    assert "the meeting date is a bank holiday" in render(digest(meeting_on_bank_holiday=True))


def test_dates_are_for_people():
    assert short_date(date(2020, 2, 7)) == "Fri 7 Feb 2020"
    assert short_date(None) == "no date"


# ---- content and order -----------------------------------------------------------------------------------

MD_ORDER = [
    "## Headline",
    "## Decisions for the board",
    "## Exceptions",
    "## Completed since the last board",
    "## The month ahead",
    "## Risks and blockers",
    "## Areas in detail",
    "### A1: Foster care",
    "### A2: Care leavers",
]
HTML_ORDER = [
    "<h2>Headline</h2>",
    "<h2>Decisions for the board</h2>",
    "<h2>Exceptions</h2>",
    "<h2>Completed since the last board</h2>",
    "<h2>The month ahead</h2>",
    "<h2>Risks and blockers</h2>",
    "<h2>Areas in detail</h2>",
    "<h3>A1: Foster care</h3>",
    "<h3>A2: Care leavers</h3>",
]


@pytest.mark.parametrize(("render", "order"), [(to_markdown, MD_ORDER), (to_html, HTML_ORDER)])
def test_sections_come_in_board_paper_order(render, order):
    found = positions(render(digest(), posted_at=POSTED), order)
    assert found == sorted(found)


@pytest.mark.parametrize(("render", "order"), [(to_markdown, MD_ORDER[:7]), (to_html, HTML_ORDER[:7])])
def test_empty_sections_say_none(render, order):
    out = render(empty_digest())
    positions(out, order)
    none = "None" if render is to_markdown else "<p>None</p>"
    for title in (order[1], order[3], order[5], order[6]):
        after = out[out.index(title) + len(title) :].lstrip()
        assert after.startswith(none), title
    assert "Nothing off track, at risk or overdue." in out


def test_the_measures_section_is_absent_until_the_plan_has_measures():
    assert "Measures" not in to_markdown(digest()) and "Measures" not in to_html(digest())


def test_headline_gives_brag_counts_with_no_worst_wins_status_or_average():
    md = to_markdown(digest())
    assert "**Complete:** 3 of 10 milestones (30%)" in md
    assert "Average progress" not in md and "Overall status" not in md
    assert "**Since the last board:** 1 completed since the last board" in md
    assert "| **overdue** | 1 | — | — |" in md and "| **on track** (green) | 3 | — | — |" in md
    assert "this is the first digest" in md
    brag = [line.split("|")[1].strip() for line in md_tables(md)[0][2:]]
    assert brag == [
        "**complete** (blue)",
        "**on track** (green)",
        "**at risk** (amber)",
        "**off track** (red)",
        "**not started**",
        "**overdue**",
    ]


@pytest.mark.parametrize("render", [to_markdown, to_html])
def test_headline_gives_the_change_since_the_last_board_beside_each_count(render):
    d = digest(last_headline=headline(complete=1, counts={"overdue": 2, "complete": 1, "on track": 3}))
    out = render(d)
    assert "At the last board" in out
    md = to_markdown(d)
    assert "| **complete** (blue) | 3 | 1 | +2 |" in md
    assert "| **overdue** | 1 | 2 | -1 |" in md
    assert "| **on track** (green) | 3 | 3 | no change |" in md


def test_each_area_is_rated_now_and_at_the_last_board():
    md = to_markdown(digest(last_area_health={"A1": "on track", "A2": None}))
    assert "| A1: Foster care | **at risk** | **on track** |" in md
    assert "| A2: Care leavers | **on track** | not rated |" in md


def test_completions_say_on_time_or_late():
    d = digest(
        completions=[
            change("M3", due=date(2020, 2, 7), done_on=date(2020, 2, 3), on_time=True),
            change("M6", due=date(2020, 1, 31), done_on=date(2020, 2, 3), on_time=False),
        ]
    )
    assert d.change == "2 completed since the last board, 1 on time, 1 late"
    md = to_markdown(d)
    assert "| M3 | Audit of supervision | Mon 3 Feb 2020 (on time) | Fri 7 Feb 2020 |" in md
    assert "| M6 | Audit of supervision | Mon 3 Feb 2020 (late) | Fri 31 Jan 2020 |" in md


def test_exceptions_give_code_title_rating_owner_due_reason_and_recovery():
    md = to_markdown(digest(exceptions=[row("M1", kind="overdue", recovery="Book the venue")]))
    assert (
        "| M1 | The timeliness of foster carers’ reviews. | **overdue** | Jane Smith (Head of Service) "
        "| Fri 7 Feb 2020 | Venue not confirmed | Book the venue |"
    ) in md


def test_an_older_digest_with_stale_exceptions_renders_without_them():
    md = to_markdown(digest())  # M2 is a "stale" exception, as digests listed them before
    exceptions = md[md.index("## Exceptions") : md.index("## Completed")]
    assert "| M1 |" in exceptions and "| M2 |" not in exceptions


def test_items_awaiting_an_update_are_a_line_of_their_own_and_keep_their_rating():
    d = digest(
        exceptions=[row("M1", kind="at risk", health="at risk")],
        awaiting_update=["M1", "M7"],
        awaiting_since=date(2020, 2, 10),
    )
    md = to_markdown(d)
    assert "| M1 | The timeliness of foster carers’ reviews. | **at risk** (awaiting an update) |" in md
    assert "**Awaiting an update (since the reminders on Mon 10 Feb 2020) (2):** M1, M7" in md


def test_completions_carry_their_impact_and_evidence():
    c = change("M3", impact="9 of 10 reviews within 5 working days", evidence_url="https://x.example/a")
    md = to_markdown(digest(completions=[c]))
    assert "9 of 10 reviews within 5 working days | https://x.example/a |" in md


def test_area_has_status_figures_and_a_milestone_table():
    md = to_markdown(digest())
    a1 = md[md.index("### A1: Foster care") : md.index("### A2")]
    assert "Recruit and keep foster carers." in a1
    assert "**Status:** **at risk**" in a1
    assert "2 milestones, 1 complete, 1 overdue" in a1 and "average progress" not in a1
    assert "| Code | Milestone | Owner | Due | Status | Progress |" in a1
    assert (
        "| M3 | Audit of supervision | Jane Smith (Head of Service) | Fri 7 Feb 2020 | **complete** | 100% |"
        in a1
    )


@pytest.mark.parametrize("render", [to_markdown, to_html])
def test_an_area_without_milestones_says_so(render):
    out = render(digest(areas=[area(rows=[], milestones=0, complete=0, overdue=0, health=None)]))
    assert "no milestones to rate" in out
    assert "Milestones:" in out and "None" in out


def test_html_status_is_a_word_in_a_coloured_badge():
    page = to_html(digest())
    assert '<span class="status status-red">overdue</span>' in page
    assert '<span class="status status-amber">at risk</span>' in page
    assert '<span class="status status-blue">complete</span>' in page
    odd = to_html(digest(areas=[area(health="<b>weird</b>")]))
    assert '<span class="status status-unknown">&lt;b&gt;weird&lt;/b&gt;</span>' in odd


def test_every_status_badge_carries_its_word():
    checker = _Badges()
    checker.feed(to_html(digest()))
    assert checker.badges and all(word.strip() for word in checker.badges)


class _Badges(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.badges: list[str] = []
        self._in = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in = tag == "span" and "status" in (dict(attrs).get("class") or "")
        if self._in:
            self.badges.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in = False

    def handle_data(self, data: str) -> None:
        if self._in:
            self.badges[-1] += data


@pytest.mark.parametrize("render", [to_markdown, to_html])
def test_a_frozen_digest_renders_as_it_was(render):
    d = digest()
    again = Digest.model_validate(d.model_dump(mode="json"))
    assert render(again, posted_at=POSTED) == render(d, posted_at=POSTED)


# ---- HTML document ---------------------------------------------------------------------------------------


def test_html_is_a_self_contained_document():
    page = to_html(digest(), posted_at=POSTED)
    assert page.startswith("<!doctype html>\n")
    assert '<meta charset="utf-8">' in page
    assert "<style>" in page and "@media print" in page
    lowered = page.lower()
    for bad in (
        "<script",
        "<link",
        "<img",
        "<iframe",
        "src=",
        "href=",
        "url(",
        "@import",
        "http://",
        "https://",
    ):
        assert bad not in lowered, bad


@pytest.mark.parametrize("d", [digest(), empty_digest()])
def test_html_is_well_formed(d):
    checker = check_html(to_html(d, posted_at=POSTED))
    assert checker.errors == []
    assert checker.stack == []
    assert checker.decls == ["doctype html"]
    for tag in (
        "html",
        "head",
        "body",
        "main",
        "section",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "p",
        "span",
        "h1",
        "h2",
        "title",
        "style",
    ):
        assert checker.opened.get(tag, 0) == checker.closed.get(tag, 0), tag
    assert checker.opened["html"] == 1 and checker.opened["body"] == 1


def test_html_table_rows_have_as_many_cells_as_headers():
    page = to_html(digest())
    for table in re.findall(r"<table>.*?</table>", page, flags=re.S):
        headers = table.count("<th ")
        for tr in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
            if "<td>" in tr:
                assert tr.count("<td>") == headers


# ---- untrusted text --------------------------------------------------------------------------------------

ALLOWED_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "main",
    "header",
    "section",
    "h1",
    "h2",
    "h3",
    "p",
    "strong",
    "span",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRS = {"lang", "charset", "http-equiv", "content", "name", "class", "scope"}


@pytest.mark.parametrize("text", INJECTIONS.values(), ids=INJECTIONS.keys())
def test_html_makes_untrusted_text_inert(text):
    page = to_html(evil_digest(text), posted_at=POSTED)
    checker = check_html(page)
    assert checker.errors == [] and checker.stack == []
    assert set(checker.opened) <= ALLOWED_TAGS
    assert checker.attrs <= ALLOWED_ATTRS
    assert checker.comments == []
    for tag in ("table", "tr", "td"):
        assert checker.opened.get(tag, 0) == checker.closed.get(tag, 0)
    assert "<script" not in page and "<!channel>" not in page and "href" not in page
    assert not _CONTROL.search(page)
    # Not dropped: a reader sees the text as it was typed (control characters aside).
    shown = "".join(checker.text)
    assert shown.count(clean_text(text)) >= 10


@pytest.mark.parametrize("text", INJECTIONS.values(), ids=INJECTIONS.keys())
def test_markdown_makes_untrusted_text_inert(text):
    md = to_markdown(evil_digest(text), posted_at=POSTED)
    assert "<" not in md and ">" not in md  # no raw HTML, autolinks or <!channel>
    assert not _CONTROL.search(md.replace("\n", ""))
    assert not re.search(r"(?<!\\)[\[\]`*_~#]", re.sub(r"\*\*[A-Za-z ]+:?\*\*|^#+ ", "", md, flags=re.M))
    assert "](" not in md.replace("\\](", "")
    for table in md_tables(md):
        width = len(cells(table[0]))
        assert all(len(cells(line)) == width for line in table), table


def test_markdown_tables_survive_pipes_in_plan_text():
    md = to_markdown(digest(exceptions=[row(reason="| broken | table |", title="a|b")]))
    exceptions = md_tables(md)[2]
    assert len(cells(exceptions[2])) == 7
    assert r"\| broken \| table \|" in exceptions[2] and r"a\|b" in exceptions[2]


def test_markdown_link_cannot_be_forged():
    md = to_markdown(digest(exceptions=[row(reason="[click](https://evil.example)")]))
    assert r"\[click\](https://evil.example)" in md


def test_markdown_slack_mentions_and_html_are_entities():
    md = to_markdown(digest(board_name="<!channel> <script>alert(1)</script> & co"))
    assert md.splitlines()[0].startswith("# &lt;!channel&gt; &lt;script&gt;alert(1)&lt;/script&gt; &amp; co")


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("# heading", r"\# heading"),
        ("- item", r"\- item"),
        ("+ item", r"\+ item"),
        ("1. item", r"1\. item"),
        ("12) item", r"12\) item"),
        ("=====", r"\====="),
        ("> quote", "&gt; quote"),
        ("*bold* _it_ `code` ~strike~", r"\*bold\* \_it\_ \`code\` \~strike\~"),
        (r"back\slash", r"back\\slash"),
        ("a\tb\nc\r\nd", "a b c d"),
        ("bell\x07 esc\x1b[0m rtl\u202e", r"bell esc\[0m rtl"),
        ("&amp;", "&amp;amp;"),
    ],
)
def test_markdown_escape(text, escaped):
    assert markdown_escape(text) == escaped


def test_markdown_escape_mid_line_leaves_list_markers_alone():
    assert markdown_escape("+3 complete", line_start=False) == "+3 complete"
    assert markdown_escape("+3 complete") == r"\+3 complete"


def test_a_description_that_looks_like_markdown_stays_a_paragraph():
    md = to_markdown(digest(areas=[area(description="# Not a heading\n- not a list\n---")]))
    assert "\n\n" + r"\# Not a heading - not a list ---" + "\n\n" in md  # one line, so only its start matters


def test_a_digest_stored_before_the_paper_still_renders_everywhere():
    from bot.services.digest_docx import to_docx
    from handlers.digest.render import digest_message

    stored = digest().model_dump(mode="json")
    new_fields = {"timezone", "protective_marking", "awaiting_update", "awaiting_since", "decisions", "risks",
                  "priorities", "next_meeting", "month_ahead", "dates_ahead", "last_area_health",
                  "brag_history", "paper"}  # fmt: skip
    for name in new_fields:
        stored.pop(name)
    old = Digest.model_validate(stored)
    assert not old.paper and old.timezone is None
    md = to_markdown(old, posted_at=POSTED)
    assert "Fri 14 Feb 2020 at 09:05 GMT" in md and "## The month ahead" in md
    assert "| M5 | Care leavers’ offer |" in md  # "due before the meeting" stands in for the month ahead
    assert "Care leavers’ offer" in str(digest_message(old).blocks)
    assert to_docx(old, posted_at=POSTED).startswith(b"PK")
