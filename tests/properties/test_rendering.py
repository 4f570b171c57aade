"""Rendering, pure: escaping makes any text inert, and `fit` keeps any list within Slack's limits while
counting exactly what it left out."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.services.text import mrkdwn_escape, mrkdwn_unescape, terminal_safe
from handlers import blocks as bk
from handlers.status.render import packed
from qib_testing.slack_standin import check_message, check_view
from tests.properties.strategies import WORDS, examples
from tests.security.inert import CONTROL, findings

texts = st.one_of(st.text(max_size=200), st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join))


@examples(300)
@given(texts)
def test_escaped_text_is_inert_and_reads_back(text):
    escaped = mrkdwn_escape(text)
    assert "<" not in escaped and ">" not in escaped and not CONTROL.search(escaped)
    assert mrkdwn_unescape(escaped) == terminal_safe(text)
    assert (
        findings({"text": escaped, "blocks": [bk.section(escaped), bk.header(text), bk.context(escaped)]})
        == []
    )
    assert not CONTROL.search(terminal_safe(text))


def entries(n_min: int = 0) -> st.SearchStrategy[list[str]]:
    return st.lists(
        # One line each, as titles are: the test counts entries by the blank lines `packed` puts between them.
        st.builds(
            lambda t, n: f"*M-{n}* {bk.esc(' '.join(t.splitlines()))}",
            st.text(max_size=700),
            st.integers(0, 99),
        ),
        min_size=n_min,
        max_size=60,
    )


MORE = re.compile(r"…and ([0-9]+) more")


visible = st.text(min_size=1, max_size=300).filter(lambda t: terminal_safe(t).strip())


@examples(150)
@given(entries(), st.integers(0, 20_000), visible, st.booleans())
def test_fit_keeps_a_message_within_limits_and_counts_what_it_hides(lines, beyond, headline, with_note):
    """A list as the status answers build it: a header, a headline, the first entries, "…and N more"."""
    blocks = [bk.header(headline), bk.section(bk.esc(headline)), *packed(lines)]
    if with_note and beyond:
        blocks.append(bk.context(f"…and {beyond} more not shown. Narrow it down."))
    else:
        beyond = 0
    blocks.append(bk.context("Ask about one area."))
    out = bk.fit(blocks)
    reply = bk.Reply(text=headline, blocks=out)
    assert check_message(reply.payload()) == []
    shown = sum(b["text"]["text"].count("\n\n") + 1 for b in out[2:] if b["type"] == "section")
    noted = sum(int(n) for b in out if b["type"] == "context" for n in MORE.findall(b["elements"][0]["text"]))
    if lines:
        assert shown + noted == len(lines) + beyond
    assert all("_qib_list" not in b for b in out)


@examples(60)
@given(st.lists(visible, max_size=150))
def test_fit_keeps_a_home_tab_within_its_100_blocks(lines):
    blocks = [bk.header("Home"), *[bk.section(bk.esc(t)) for t in lines], bk.context("end")]
    view = {"type": "home", "blocks": bk.fit(blocks, limit=bk.MAX_VIEW_BLOCKS)}
    assert check_view(view) == []
