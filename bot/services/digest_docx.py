"""The board paper as a Word document, because council committee papers are Word documents.

Built with python-docx from the same outline as the Markdown and HTML exports, so it says the same
things in the same order: real Word headings (Heading 1-3, so the navigation pane and a table of contents
work), Word tables with a repeating header row, the BRAG chart as a picture with alt text, the protective
marking in the header and page numbers in the footer. Plan and user text is cleaned of control
characters; Word has no markup to escape.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from bot.services.digest import Digest
from bot.services.digest_outline import (
    _Block,
    _Cell,
    _Chart,
    _Para,
    _Section,
    _Status,
    chart_alt,
    chart_png,
    chart_title,
    outline,
)
from bot.services.digest_text import clean_text

__all__ = ["to_docx"]

# Fixed document properties: the same digest gives the same document, whenever it is exported.
_FIXED = datetime(2000, 1, 1)


def _cell_text(c: _Cell) -> str:
    if isinstance(c, _Status):
        return clean_text(c.word) + (f" ({clean_text(c.note)})" if c.note else "")
    return clean_text(c) or "—"


def _field(paragraph: Paragraph, code: str) -> None:
    """A Word field (PAGE, NUMPAGES): Word and LibreOffice fill in the number when they lay out."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    text = OxmlElement("w:t")
    text.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for el in (begin, instr, sep, text, end):
        run._r.append(el)


def _repeat_header(row: object) -> None:
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _block(doc: object, b: _Block, d: Digest) -> None:
    if isinstance(b, _Chart):
        doc.add_picture(io.BytesIO(chart_png(b, d)), width=Cm(16))  # type: ignore[attr-defined]
        inline = doc.inline_shapes[-1]._inline  # type: ignore[attr-defined]
        inline.docPr.set("descr", chart_alt(b, d))
        inline.docPr.set("title", chart_title(b, d))
        doc.add_paragraph(chart_alt(b, d), style="Caption")  # type: ignore[attr-defined]
        return
    if isinstance(b, _Para):
        p = doc.add_paragraph()  # type: ignore[attr-defined]
        if b.label:
            p.add_run(clean_text(b.label) + ": ").bold = True
        p.add_run(_cell_text(b.value))
        return
    table = doc.add_table(rows=1, cols=len(b.headers))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    head = table.rows[0]
    _repeat_header(head)
    for cell, title in zip(head.cells, b.headers, strict=True):
        cell.paragraphs[0].add_run(title).bold = True
    for row in b.rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = _cell_text(value)


def _section(doc: object, s: _Section, level: int, d: Digest) -> None:
    doc.add_heading(clean_text(s.title), level=level)  # type: ignore[attr-defined]
    if s.empty:
        doc.add_paragraph("None")  # type: ignore[attr-defined]
    for b in s.blocks:
        _block(doc, b, d)
    for sub in s.subsections:
        _section(doc, sub, min(level + 1, 9), d)


def to_docx(
    digest: Digest, *, posted_at: datetime | None = None, late: bool = False, tz: str | None = None
) -> bytes:
    """The digest as a .docx board paper."""
    paper = outline(digest, posted_at, late, tz)
    doc = Document()
    props = doc.core_properties
    props.title = clean_text(paper.title)
    props.author = "qib-bot"
    props.last_modified_by = "qib-bot"
    props.created = props.modified = _FIXED
    props.revision = 1
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    section = doc.sections[0]
    marking = section.header.paragraphs[0]
    marking.text = clean_text(digest.protective_marking).upper()
    marking.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")
    doc.add_heading(clean_text(paper.title), level=0)
    for p in paper.preamble:
        _block(doc, p, digest)
    for s in paper.sections:
        _section(doc, s, 1, digest)
    out = io.BytesIO()
    doc.save(out)
    return _fixed_zip(out.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same package with fixed entry times, so exporting twice gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
