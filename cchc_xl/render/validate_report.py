"""Render validation results: Vietnamese text grouped by sheet, JSON, and an annotated copy of the workbook.

The library returns data (``ValidationResult``); this module only formats it. The annotated copy is written
with openpyxl for viewing: it refuses workbooks whose pictures or charts openpyxl would drop, and asks Excel
to recalculate on open because openpyxl does not keep cached formula values.
"""

from __future__ import annotations

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


def annotate(result: ValidationResult, out: str | Path, force: bool = False) -> Path:
    """Write a copy with offending cells highlighted, a comment on each, and a results sheet with links."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    src = Path(result.file)
    with zipfile.ZipFile(src) as zf:
        lossy = [n for n in zf.namelist() if n.startswith(_LOSSY_PARTS)]
    if lossy:
        raise OutputRefused(say("annotate-refused", name=src.name, parts=", ".join(lossy[:3])))
    keep_vba = src.suffix.lower() == ".xlsm"
    wb = openpyxl.load_workbook(src, keep_vba=keep_vba, rich_text=True)
    fills = {"error": PatternFill("solid", fgColor="FFC7CE"), "warning": PatternFill("solid", fgColor="FFEB9C")}
    for f in sorted(result.findings, key=lambda x: x.severity == "error"):  # errors painted last, they win
        if f.sheet in wb.sheetnames and f.cell:
            cell = wb[f.sheet][f.cell]
            cell.fill = fills[f.severity]
            text = f"[{SEVERITY_LABELS[f.severity]}] {f.message}"
            previous = cell.comment.text + "\n" if cell.comment else ""
            cell.comment = Comment((previous + text)[:30000], "cchc-xl", width=420, height=160)
    if RESULTS_SHEET in wb.sheetnames:
        del wb[RESULTS_SHEET]
    ws = wb.create_sheet(RESULTS_SHEET, 0)
    ws.append([say("validate-summary", name=src.name, form=result.form, errors=result.errors,
                   warnings=result.warnings)])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["Mức độ", "Quy tắc", "Chỉ tiêu", "Ô", "Nội dung"])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for f in result.findings:
        ws.append([SEVERITY_LABELS[f.severity], f.rule, ", ".join(f.codes), f"{f.sheet}!{f.cell}" if f.cell else "",
                   f.message])
        row = ws.max_row
        for col in (1, 2, 3, 5):
            ws.cell(row, col).data_type = "s"  # text stays text, even when it starts with "="
        if f.sheet and f.cell:
            ws.cell(row, 4).hyperlink = f"#'{f.sheet}'!{f.cell}"
            ws.cell(row, 4).font = Font(color="0563C1", underline="single")
    for col, width in zip("ABCDE", (10, 34, 18, 18, 110), strict=True):
        ws.column_dimensions[col].width = width
    wb.calculation.fullCalcOnLoad = True
    with atomic_output(out, force=force) as tmp:
        wb.save(tmp)
    return Path(out)
