"""The monthly digest as a board paper: Markdown or a self-contained HTML page, readable on its own.

Pure and Slack-free: a `Digest` in, a string out. Both formats are rendered from the same outline, so they
say the same things in the same order: the title (board, meeting date), the plan and authority, when it
was posted, then the headline, exceptions, completions, status moves, what falls due before the meeting,
and one section per area.

Every piece of plan or user text is untrusted. Control characters (escape sequences, bidi overrides) are
dropped and whitespace folded, then the text is escaped for its format: `html.escape(quote=True)` in
HTML, and in Markdown every character that could change the structure (table pipes, emphasis, code,
headings, list markers, link brackets, raw HTML) is backslash-escaped or written as an entity.
"""

from __future__ import annotations

import base64
import html
from datetime import datetime

from bot.services.digest import Digest
from bot.services.digest_outline import (
    HOW_TO_READ,
    _Block,
    _Cell,
    _Chart,
    _paper,
    _Para,
    _Section,
    _Status,
    chart_alt,
    chart_png,
    chart_title,
    outline,
)
from bot.services.digest_text import (
    AWAITING_NOTE,
    NONE,
    STALE_NOTE,
    _html,
    clean_text,
    long_date,
    markdown_escape,
    short_date,
)

__all__ = [
    "clean_text",
    "long_date",
    "markdown_escape",
    "outline",
    "short_date",
    "to_html",
    "to_markdown",
    "AWAITING_NOTE",
    "NONE",
    "STALE_NOTE",
    "HOW_TO_READ",
    "chart_alt",
    "chart_png",
    "chart_title",
]


# ---- Markdown --------------------------------------------------------------------------------------------


def _md_cell(c: _Cell, *, line_start: bool = False) -> str:
    if isinstance(c, _Status):
        word = f"**{markdown_escape(c.word, line_start=False)}**"
        return f"{word} ({markdown_escape(c.note, line_start=False)})" if c.note else word
    return markdown_escape(c, line_start=line_start) or "—"


def _md_block(b: _Block, d: Digest | None = None) -> str:
    if isinstance(b, _Chart):
        return f"*Chart:* {markdown_escape(chart_alt(b, d), line_start=False)}" if d is not None else ""
    if isinstance(b, _Para):
        if b.label:
            return f"**{markdown_escape(b.label)}:** {_md_cell(b.value, line_start=False)}"
        return _md_cell(b.value, line_start=True)
    lines = [
        "| " + " | ".join(markdown_escape(h) for h in b.headers) + " |",
        "|" + "|".join(" --- " for _ in b.headers) + "|",
    ]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in b.rows]
    return "\n".join(lines)


def _md_section(s: _Section, level: int, out: list[str], d: Digest) -> None:
    out.append(f"{'#' * level} {markdown_escape(s.title)}")
    if s.empty:
        out.append(NONE)
    out += [_md_block(b, d) for b in s.blocks]
    for sub in s.subsections:
        _md_section(sub, level + 1, out, d)


def to_markdown(
    digest: Digest, *, posted_at: datetime | None = None, late: bool = False, tz: str | None = None
) -> str:
    """The digest as a Markdown board paper (GFM tables); all plan and user text escaped."""
    paper = _paper(digest, posted_at, late, tz)
    out = [f"# {markdown_escape(paper.title)}"]
    # Two trailing spaces: the preamble lines stay one block but print on separate lines.
    out.append("  \n".join(_md_block(p) for p in paper.preamble))
    for s in paper.sections:
        _md_section(s, 2, out, digest)
    return "\n\n".join(out) + "\n"


# ---- HTML ------------------------------------------------------------------------------------------------

_BADGE = {
    "complete": "blue",
    "on track": "green",
    "at risk": "amber",
    "off track": "red",
    "overdue": "red",
    "not started": "grey",
    "green": "green",
    "amber": "amber",
    "red": "red",
}

_STYLE = """
body { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; line-height: 1.4; color: #111;
       margin: 2em auto; max-width: 60em; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .3em; }
h2 { font-size: 1.3em; border-bottom: 1px solid #999; padding-bottom: .2em; margin-top: 1.6em; }
h3 { font-size: 1.1em; margin-top: 1.2em; }
.meta p { margin: .1em 0; }
table { border-collapse: collapse; width: 100%; margin: .5em 0 1em; }
th, td { border: 1px solid #999; padding: .3em .5em; text-align: left; vertical-align: top; }
th { background: #eee; }
.status { display: inline-block; padding: 0 .4em; border: 1px solid #333; border-radius: .3em;
          font-weight: bold; white-space: nowrap; }
.status-blue { background: #cfe2ff; }
.status-green { background: #d1e7dd; }
.status-amber { background: #ffe5b4; }
.status-red { background: #f8d0d0; }
.status-grey, .status-unknown { background: #eee; }
figure { margin: 1em 0; }
figure img { max-width: 100%; height: auto; }
figcaption { font-size: .9em; color: #333; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  .status { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
""".strip()

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'"


def _html_cell(c: _Cell) -> str:
    if isinstance(c, _Status):
        cls = _BADGE.get(clean_text(c.word), "unknown")
        badge = f'<span class="status status-{cls}">{_html(c.word)}</span>'
        return f"{badge} ({_html(c.note)})" if c.note else badge
    return _html(c) or "—"


def _html_block(b: _Block, d: Digest | None = None) -> str:
    if isinstance(b, _Chart):
        if d is None:
            return ""
        alt = _html(chart_alt(b, d))
        # A data URI: the page stands alone, and the CSP allows images from data: only.
        png = base64.b64encode(chart_png(b, d)).decode("ascii")
        return (
            f'<figure>\n<img src="data:image/png;base64,{png}" alt="{alt}" width="800" height="360">\n'
            f"<figcaption>{alt}</figcaption>\n</figure>"
        )
    if isinstance(b, _Para):
        value = _html_cell(b.value)
        return f"<p><strong>{_html(b.label)}:</strong> {value}</p>" if b.label else f"<p>{value}</p>"
    head = "".join(f'<th scope="col">{_html(h)}</th>' for h in b.headers)
    body = "\n".join("<tr>" + "".join(f"<td>{_html_cell(c)}</td>" for c in row) + "</tr>" for row in b.rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def _html_section(s: _Section, level: int, out: list[str], d: Digest) -> None:
    out.append("<section>")
    out.append(f"<h{level}>{_html(s.title)}</h{level}>")
    if s.empty:
        out.append(f"<p>{NONE}</p>")
    out += [_html_block(b, d) for b in s.blocks]
    for sub in s.subsections:
        _html_section(sub, level + 1, out, d)
    out.append("</section>")


def to_html(
    digest: Digest, *, posted_at: datetime | None = None, late: bool = False, tz: str | None = None
) -> str:
    """The digest as a self-contained, print-friendly HTML page: no scripts, no external resources."""
    paper = _paper(digest, posted_at, late, tz)
    title = _html(paper.title)
    out = [
        "<!doctype html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(_CSP, quote=True)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>\n{_STYLE}\n</style>",
        "</head>",
        "<body>",
        "<main>",
        '<header class="meta">',
        f"<h1>{title}</h1>",
    ]
    out += [_html_block(p) for p in paper.preamble]
    out.append("</header>")
    for s in paper.sections:
        _html_section(s, 2, out, digest)
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"
