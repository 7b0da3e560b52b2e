"""Render validation results: Vietnamese text grouped by sheet, JSON, and an annotated copy of the workbook.

The library returns data (``ValidationResult``); this module only formats it. The annotated copy is written
with openpyxl for viewing: it refuses workbooks whose pictures or charts openpyxl would drop, and asks Excel
to recalculate on open because openpyxl does not keep cached formula values.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path

from cchc_xl.commands.validate import ValidationResult
from cchc_xl.engine.rules import SEVERITY_LABELS
from cchc_xl.errors import OutputRefused
from cchc_xl.messages import say
from cchc_xl.ooxml.reader import atomic_output
from cchc_xl.render.style import style

RESULTS_SHEET = "Kết quả kiểm tra"
_LOSSY_PARTS = ("xl/media/", "xl/charts/", "xl/drawings/drawing", "xl/diagrams/")


def text_report(result: ValidationResult, color: bool = False) -> list[str]:
    """Lines for one file: a header, findings grouped by sheet, a summary."""

    name = Path(result.file).name
    if result.status == "unusable":
        return [f"{name}: " + say("validate-unusable", message=result.unusable.message)]  # type: ignore[union-attr]
    lines = []
    report = result.report
    labels = {}
    if report is not None:
        labels = {i.code: i.label for i in report.form.indicators}
        labels.update({c.code: c.label for c in report.framework.criteria})
    by_sheet: dict[str, list] = {}
    for f in result.findings:
        by_sheet.setdefault(f.sheet or say("validate-no-sheet"), []).append(f)
    summary = say("validate-summary", name=name, form=result.form, errors=result.errors, warnings=result.warnings)
    lines.append(style(summary, bold=True) if color else summary)
    for sheet, items in by_sheet.items():
        lines.append(f"  {sheet}:")
        for f in sorted(items, key=lambda x: (x.severity != "error", _row(x.cell))):
            tag = f"[{SEVERITY_LABELS[f.severity]}]"
            if color:
                tag = style(tag, fg="red" if f.severity == "error" else "yellow", bold=True)
            where = f"{f.cell or '—'}"
            code = f.codes[0] if f.codes else ""
            label = labels.get(code, "")
            head = f"    {tag} {where:<6} {code}" + (f" {label[:60]}" if label else "")
            lines.append(head)
            lines.append(f"           {f.message}")
    return lines


def _row(cell: str | None) -> int:
    digits = "".join(ch for ch in (cell or "") if ch.isdigit())
    return int(digits) if digits else 0


def _member_names(src: Path) -> list[str]:
    with zipfile.ZipFile(src) as zf:
        return zf.namelist()


def annotate(result: ValidationResult, out: str | Path, force: bool = False) -> Path:
    """Write a copy with offending cells highlighted, a comment on each, and a results sheet with links."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.hyperlink import Hyperlink

    from cchc_xl.ooxml.writer import shown_value
    from cchc_xl.render.printing import print_visible_columns_openpyxl, row_height, setup_openpyxl

    src = Path(result.file)
    report = result.report
    package = report.package if report is not None else None
    members = list(package.parts) if package is not None else _member_names(src)
    lossy = [n for n in members if n.startswith(_LOSSY_PARTS)]
    if lossy:
        raise OutputRefused(say("annotate-refused", name=src.name, parts=", ".join(lossy[:3])))
    keep_vba = (package.kind if package is not None else src.suffix.lower().lstrip(".")) == "xlsm"
    source = io.BytesIO(package.raw) if package is not None else src  # the bytes validated, not a re-read
    try:
        with warnings.catch_warnings():  # openpyxl warns about extensions it drops: never on stderr
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(source, keep_vba=keep_vba, rich_text=True)
    except Exception:  # openpyxl's own errors on packages it cannot model (no styles part, odd XML …)
        raise OutputRefused(say("annotate-unreadable", name=src.name)) from None
    # A formula found in a cell the template keeps for typed values (a DDE call, a HYPERLINK, an external
    # reference) is not copied: the copy holds the value it showed, as a constant.
    if report is not None:
        for name in report.input_formulas:
            ref = report.cells[name]
            if ref.sheet in wb.sheetnames:
                cell = wb[ref.sheet][ref.address]
                value = shown_value(report, name)
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"
    fills = {"error": PatternFill("solid", fgColor="FFC7CE"), "warning": PatternFill("solid", fgColor="FFEB9C")}
    for f in sorted(result.findings, key=lambda x: x.severity == "error"):  # errors painted last, they win
        if f.sheet in wb.sheetnames and f.cell:
            cell = wb[f.sheet][f.cell]
            cell.fill = fills.get(f.severity, fills["warning"])
            text = f"[{SEVERITY_LABELS[f.severity]}] {f.message}"
            previous = cell.comment.text + "\n" if cell.comment else ""
            cell.comment = Comment((previous + text)[:30000], "cchc-xl", width=420, height=160)
    if RESULTS_SHEET in wb.sheetnames:
        del wb[RESULTS_SHEET]
    ws = wb.create_sheet(RESULTS_SHEET, 0)
    ws.append([say("validate-summary", name=src.name, form=result.form, errors=result.errors,
                   warnings=result.warnings)])
    ws["A1"].data_type = "s"
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["Mức độ", "Quy tắc", "Chỉ tiêu", "Ô", "Nội dung"])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for f in result.findings:
        ws.append([SEVERITY_LABELS[f.severity], f.rule, ", ".join(f.codes), f"{f.sheet}!{f.cell}" if f.cell else "",
                   f.message])
        row = ws.max_row
        for col in (1, 2, 3, 4, 5):
            # Text stays text, even when it starts with "=": a sheet named "=calc|'x'" must not become a
            # formula (the shape of a DDE call) in the location column.
            ws.cell(row, col).data_type = "s"
        if f.sheet and f.cell:
            quoted = f.sheet.replace("'", "''")
            ws.cell(row, 4).hyperlink = Hyperlink(ref=ws.cell(row, 4).coordinate, location=f"'{quoted}'!{f.cell}")
            ws.cell(row, 4).font = Font(color="0563C1", underline="single")
    widths = (10, 24, 14, 16, 66)
    for col, width in zip("ABCDE", widths, strict=True):
        ws.column_dimensions[col].width = width
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=5)
    ws["A1"].alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[1].height = row_height([(ws["A1"].value, sum(widths))])
    thin = Side(style="thin")
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        ws.row_dimensions[row[0].row].height = row_height(
            [(c.value if isinstance(c.value, str) else "", w) for c, w in zip(row, widths, strict=False)])
    setup_openpyxl(ws, landscape=True, header_rows="2:2", freeze="A3")
    for other in wb.worksheets:  # the commune's own sheets keep their print setup; give one to any without
        if other is not ws and not other.page_setup.paperSize:
            setup_openpyxl(other, landscape=other.max_column > 8)
        print_visible_columns_openpyxl(other)
    wb.calculation.fullCalcOnLoad = True
    with atomic_output(out, force=force) as tmp:
        wb.save(tmp)
    return Path(out)
