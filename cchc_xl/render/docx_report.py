"""Render a :class:`~cchc_xl.commands.report.ReportDocument` to .docx with python-docx, built in code.

No template .docx with Jinja tags: tags split across Word runs and curly quotes are the recurring bugs of
template engines, and the layout of Nghị định 30/2020/NĐ-CP (Phụ lục I) is simple enough to write
directly: A4, margins top/bottom 20 mm, left 30 mm, right 18 mm; Times New Roman; the two-column header
(issuing body and Số on the left, Quốc hiệu, Tiêu ngữ and the place/date on the right) with the short
rules under the issuing body and the Tiêu ngữ; the document type and trích yếu centred; body 14 pt
justified with a first-line indent; Nơi nhận (12/11 pt) beside the signer; the page number centred at
the top from page 2; annexes on new pages with tables whose header row repeats.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from cchc_xl.commands.report import Annex, ReportDocument, Table
from cchc_xl.messages import say
from cchc_xl.ooxml.reader import atomic_output

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 12
PAGE_W, PAGE_H = 21.0, 29.7
MARGINS = {"top": 2.0, "bottom": 2.0, "left": 3.0, "right": 1.8}  # cm, within the decree's ranges
TEXT_W = PAGE_W - MARGINS["left"] - MARGINS["right"]
HEADER_LEFT, HEADER_RIGHT = 5.8, TEXT_W - 5.8
_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}


def write_docx(doc: ReportDocument, path: str | Path, force: bool = False) -> Path:
    """Write ``doc`` to ``path`` atomically (never replacing a file without ``force``)."""
    word = build_docx(doc)
    with atomic_output(path, force=force) as tmp:
        word.save(str(tmp))
    return Path(path)


def build_docx(doc: ReportDocument):
    word = Document()
    _styles(word)
    section = word.sections[0]
    _page(section)
    body = word.element.body
    for p in list(body.iterchildren()):  # python-docx's default document starts with one empty paragraph
        if p.tag == qn("w:p"):
            body.remove(p)
    _header(word, doc)
    for block in doc.body:
        _block(word, block)
    _signature(word, doc)
    for annex in doc.annexes:
        _annex(word, annex)
    _page_numbers(section)
    props = word.core_properties
    props.title = f"{doc.doc_type} {doc.subject}".strip()
    props.author = props.last_modified_by = " ".join(doc.issuer.split()).title()
    props.language = "vi-VN"
    props.comments = ""
    return word


# ------------------------------------------------------------------------------------------- styling


def _styles(word) -> None:
    normal = word.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    pf = normal.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(6)
    pf.line_spacing = 1.15
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    rpr.append(lang)


def _page(section) -> None:
    section.page_width, section.page_height = Cm(PAGE_W), Cm(PAGE_H)
    section.top_margin, section.bottom_margin = Cm(MARGINS["top"]), Cm(MARGINS["bottom"])
    section.left_margin, section.right_margin = Cm(MARGINS["left"]), Cm(MARGINS["right"])
    section.header_distance = Cm(1.0)
    section.footer_distance = Cm(1.0)


def _para(container, text: str = "", *, size: float = BODY_PT, bold: bool = False, italic: bool = False,
          align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: float | None = None, after: float = 6, before: float = 0,
          keep_next: bool = False, highlight: bool = False):
    p = container.add_paragraph()
    pf = p.paragraph_format
    pf.alignment = align
    pf.space_after = Pt(after)
    pf.space_before = Pt(before)
    if indent is not None:
        pf.first_line_indent = Cm(indent)
    if keep_next:
        pf.keep_with_next = True
    lines = text.split("\n")
    for i, line in enumerate(lines):
        run = p.add_run(line)
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.italic = italic
        if highlight:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        if i < len(lines) - 1:
            run.add_break(WD_BREAK.LINE)
    return p


def _rule(container, length_cm: float, width_cm: float, after: float = 4) -> None:
    """A short centred horizontal rule (the lines under the issuing body, Tiêu ngữ and trích yếu)."""
    p = container.add_paragraph()
    pf = p.paragraph_format
    side = max(0.0, (width_cm - length_cm) / 2)
    pf.left_indent, pf.right_indent = Cm(side), Cm(side)
    pf.space_before, pf.space_after = Pt(0), Pt(after)
    pf.line_spacing = Pt(2)
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(k), v)
    borders.append(top)
    ppr.append(borders)
    run = p.add_run("")
    run.font.size = Pt(2)


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _widths(table, widths: tuple[float, ...]) -> None:
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths, strict=False):
        col.set(qn("w:w"), str(int(Cm(w).twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths, strict=False):
            cell.width = Cm(w)


def _first(cell):
    """The cell's first paragraph, emptied (python-docx cells start with one)."""
    p = cell.paragraphs[0]
    p._p.getparent().remove(p._p)
    return cell


# ------------------------------------------------------------------------------------------- header


def _header(word, doc: ReportDocument) -> None:
    table = word.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _widths(table, (HEADER_LEFT, HEADER_RIGHT))
    left, right = _first(table.cell(0, 0)), _first(table.cell(0, 1))
    if doc.issuer_parent:
        _para(left, doc.issuer_parent, size=13, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _para(left, doc.issuer, size=13, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _rule(left, 2.2, HEADER_LEFT)
    _para(right, say("report-quoc-hieu"), size=13, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _para(right, say("report-tieu-ngu"), size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _rule(right, 6.0, HEADER_RIGHT)
    number, place = _first(table.cell(1, 0)), _first(table.cell(1, 1))
    _para(number, doc.number, size=13, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _para(place, doc.place_date, size=14, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _para(word, "", after=6)
    _para(word, doc.doc_type, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0, keep_next=True)
    _para(word, doc.subject, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0, keep_next=True)
    _rule(word, 3.5, TEXT_W, after=10)


# --------------------------------------------------------------------------------------------- body


def _block(container, block) -> None:
    if isinstance(block, Table):
        _table(container, block)
        return
    style = block.style
    if style == "heading1":
        _para(container, block.text, bold=True, indent=1.0, before=6, keep_next=True)
    elif style == "heading2":
        _para(container, block.text, bold=True, indent=1.0, keep_next=True)
    elif style == "heading3":
        _para(container, block.text, italic=True, bold=True, indent=1.0, keep_next=True)
    elif style == "bullet":
        _para(container, "- " + block.text, indent=1.0)
    elif style == "placeholder":
        _para(container, block.text, italic=True, indent=1.0, highlight=True)
    elif style == "title":
        _para(container, block.text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    elif style == "subtitle":
        _para(container, block.text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    elif style == "note":
        _para(container, block.text, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
    else:
        _para(container, block.text, indent=1.0)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)
    cant = OxmlElement("w:cantSplit")
    tr_pr.append(cant)


def _table(container, t: Table) -> None:
    ncol = len(t.header)
    table = container.add_table(rows=1, cols=ncol)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, t.header, strict=True):
        # keep-with-next: a header row never stays alone at the foot of a page
        _para(_first(cell), text, size=TABLE_PT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0,
              keep_next=True)
    _repeat_header(table.rows[0])
    for row in t.rows:
        cells = table.add_row().cells
        tr_pr = cells[0]._tc.getparent().get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if row.style == "section":
            merged = cells[0].merge(cells[-1])
            for p in list(merged.paragraphs):
                p._p.getparent().remove(p._p)
            _para(merged, row.cells[0], size=TABLE_PT, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, after=0)
            continue
        for i, (cell, text) in enumerate(zip(cells, row.cells, strict=False)):
            align = _ALIGN.get(t.align[i] if i < len(t.align) else "left", WD_ALIGN_PARAGRAPH.LEFT)
            _para(_first(cell), text, size=TABLE_PT, bold=row.style in ("group", "total"), align=align, after=0)
    _widths(table, t.widths)
    _para(container, "", after=4)


# ---------------------------------------------------------------------------------------- signature


def _signature(word, doc: ReportDocument) -> None:
    # The signature never stands alone on a page: the closing sentence keeps with it.
    if word.paragraphs:
        word.paragraphs[-1].paragraph_format.keep_with_next = True
    _para(word, "", after=0, keep_next=True)
    table = word.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, (7.5, TEXT_W - 7.5))
    left, right = _first(table.cell(0, 0)), _first(table.cell(0, 1))
    p = _para(left, say("report-recipients"), size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT,
              after=0)
    p.paragraph_format.keep_with_next = True
    for r in doc.recipients:
        _para(left, "- " + r, size=11, align=WD_ALIGN_PARAGRAPH.LEFT, after=0)
    _para(right, doc.signer_authority, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _para(right, doc.signer_title, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    for _ in range(4):  # room for the signature and the seal
        _para(right, "", after=0)
    _para(right, doc.signer_name, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


# ------------------------------------------------------------------------------------------ annexes


def _annex(word, annex: Annex) -> None:
    p = _para(word, annex.title.upper(), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    p.paragraph_format.page_break_before = True
    for i, line in enumerate(annex.subtitle):
        italic = line.startswith("(")
        _para(word, line, bold=not italic and i == 0, italic=italic or i > 0, align=WD_ALIGN_PARAGRAPH.CENTER,
              size=13, after=0 if i < len(annex.subtitle) - 1 else 8)
    for block in annex.blocks:
        _block(word, block)


def _page_numbers(section) -> None:
    """NĐ 30: the page number centred in the top margin, not shown on the first page."""
    section.different_first_page_header_footer = True
    header = section.header
    p = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    run.font.size = Pt(13)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


__all__ = ["WD_SECTION", "build_docx", "write_docx"]
