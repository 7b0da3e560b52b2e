"""Render a :class:`~cchc_xl.commands.diff.DiffResult`: text for a terminal or a pipe, JSON, and an XLSX report.

Rendering only reads the result; the counts come from the result's one summary (daff's DiffSummary idea),
so the one-line summary, the sections and the exit code never disagree. Text is grouped by section of the
form (Biểu mẫu N, or the top-level code group), with Vietnamese labels and aligned columns; colour is applied
with ANSI codes (:mod:`cchc_xl.render.style`) only when the caller says the output is a terminal. The XLSX report is for readers who
never use a terminal: a summary sheet and a side-by-side sheet in the official row order, changed cells
highlighted, the old value in a cell comment, and a daff-style action column ("->", "+++", "---") that reads
without colour.
"""

from __future__ import annotations

import json
from pathlib import Path

import xlsxwriter

from cchc_xl.commands.diff import APPRAISED, KINDS, SELF, Change, DiffResult
from cchc_xl.messages import say
from cchc_xl.model.numbers import format_vn
from cchc_xl.ooxml.reader import atomic_output
from cchc_xl.render.printing import row_height, setup_xlsxwriter
from cchc_xl.render.style import style as ansi

_COLOURS = {"value": "yellow", "derived": "cyan", "formula": "red", "type": "magenta", "added": "green",
            "removed": "red", "structure": "blue", "metadata": "blue", "scores": "yellow", "note": "white",
            "validation": "red", "other": "white"}
_VALUE_KINDS = ("value", "derived", "formula", "type", "scores", "added", "removed")
LABEL_WIDTH = 48
VALUE_WIDTH = 16


# --------------------------------------------------------------------------------------------- summary


def summary_line(result: DiffResult) -> str:
    """The one line printed first, e.g. "12 chỉ tiêu thay đổi, 1 công thức bị ghi đè, 2 lỗi mới"."""
    if not result.different:
        return say("diff-no-difference", old=_name(result.old), new=_name(result.new))
    s = result.summary
    formulas = [c for c in result.changes if c.kind == "formula"]
    overwritten = sum(1 for c in formulas if c.overwritten)
    validation = [c for c in result.changes if c.kind == "validation"]

    def count(detail: str, severity: str) -> int:
        return sum(1 for c in validation if c.detail == detail and c.severity == severity)

    parts = [
        ("diff-summary-scores-mode" if result.mode == "scores" else "diff-summary-scores", s["scores"]),
        ("diff-summary-value", s["value"]),
        ("diff-summary-formula-overwritten", overwritten),
        ("diff-summary-formula", len(formulas) - overwritten),
        ("diff-summary-type", s["type"]),
        ("diff-summary-errors-new", count("new", "error")),
        ("diff-summary-errors-fixed", count("fixed", "error")),
        ("diff-summary-warnings-new", count("new", "warning")),
        ("diff-summary-warnings-fixed", count("fixed", "warning")),
        ("diff-summary-added", s["added"]),
        ("diff-summary-removed", s["removed"]),
        ("diff-summary-structure", s["structure"]),
        ("diff-summary-derived", s["derived"]),
        ("diff-summary-metadata", s["metadata"]),
        ("diff-summary-note", s["note"]),
        ("diff-summary-other", s["other"]),
    ]
    return ", ".join(say(key, n=n) for key, n in parts if n)


def _name(path: str) -> str:
    return Path(path).name if ("/" in path or "\\" in path) else path


# ------------------------------------------------------------------------------------------------ text


def show_value(v: object) -> str:
    """A value as text: numbers the Vietnamese way, text in quotes (so "12,5" and 12,5 differ), blank."""
    if v is None:
        return "(trống)"
    if isinstance(v, str):
        return f"\"{v}\""
    if hasattr(v, "strftime"):
        return v.strftime("%d/%m/%Y")  # type: ignore[union-attr]
    return format_vn(v)


def _delta(c: Change) -> str:
    if c.abs_change is None:
        return ""
    sign = "+" if c.abs_change > 0 else ""
    text = f"{sign}{format_vn(c.abs_change)}"
    if c.rel_change is not None:
        text += f" ({sign}{format_vn(round(c.rel_change * 100, 2))}%)"
    return text


def _clip(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _label(c: Change) -> str:
    label = c.label
    if c.column:
        label = f"{label} [{say('diff-column-' + c.column)}]"
    return label


def render_text(result: DiffResult, *, show_all: bool = False, color: bool = False) -> str:
    """The text report. ``color`` only when stdout is a terminal (the caller decides)."""

    def style(text: str, **kw: object) -> str:
        return ansi(text, **kw) if color else text  # type: ignore[arg-type]

    lines = [style(summary_line(result), bold=True)]
    if not result.different:
        return "\n".join(lines)
    shown = result.visible(show_all)
    # With --all, derived changes are listed under the first shown input that caused them.
    under: dict[tuple[str | None, str | None], list[Change]] = {}
    placed: set[int] = set()
    if show_all:
        inputs = {(c.column, c.code) for c in shown if c.kind in ("value", "type", "scores", "added", "removed")}
        for c in shown:
            if c.kind == "derived" and c.caused_by:
                cause = next(((c.column, s) for s in c.caused_by if (c.column, s) in inputs), None)
                if cause is not None:
                    under.setdefault(cause, []).append(c)
                    placed.add(id(c))
    rows = [c for c in shown if id(c) not in placed]
    # Group by section in order of first appearance (evidence notes join their field's scores).
    first: dict[str, int] = {}
    for c in rows:
        first.setdefault(c.section, len(first))
    rows.sort(key=lambda c: first[c.section])
    all_rows = [*rows, *(d for ds in under.values() for d in ds)]
    code_w = min(max((len(c.code or "") for c in all_rows), default=4), 14)
    tag_w = max(len(say("diff-kind-" + k)) for k in KINDS)
    cell_kinds = (*_VALUE_KINDS, "note", "metadata", "other")
    old_w = min(max((len(show_value(c.old)) for c in all_rows if c.kind in cell_kinds), default=4), VALUE_WIDTH)

    def line(c: Change, indent: str = "  ") -> list[str]:
        tag = style(f"{say('diff-kind-' + c.kind):<{tag_w}}", fg=_COLOURS[c.kind])
        if c.kind == "structure":
            return [f"{indent}{tag}  {c.detail}"]
        if c.kind == "validation":
            state = say("diff-validation-" + (c.detail or "new"))
            sev = say("diff-severity-" + (c.severity or "error"))
            where = f" [{c.sheet}!{c.cell_new or c.cell_old}]" if c.sheet and (c.cell_new or c.cell_old) else ""
            return [f"{indent}{tag}  {sev}, {state}: {c.label}{where}"]
        where = c.cell_new or c.cell_old or ""
        if c.kind == "other":
            where = f"{c.sheet}!{c.cell_old or '—'}→{c.cell_new or '—'}"
            head = f"{indent}{tag}  {where:<{code_w + LABEL_WIDTH + 1}}"
        else:
            head = f"{indent}{tag}  {(c.code or ''):<{code_w}} {_clip(_label(c), LABEL_WIDTH):<{LABEL_WIDTH}}"
        old = _clip(show_value(c.old), VALUE_WIDTH) if c.kind != "formula" or c.old is None else _clip(
            show_value(c.old), 60)
        new = _clip(show_value(c.new), VALUE_WIDTH) if c.kind != "formula" else _clip(show_value(c.new), 60)
        text = f"{head}  {style(f'{old:>{old_w}}', fg='red')} → {style(new, fg='green')}"
        extra = _delta(c)
        if c.caused_by:
            extra = (extra + "  " if extra else "") + say("diff-caused-by", codes=", ".join(c.caused_by))
        if c.kind not in ("metadata", "other") and where:
            extra = (extra + "  " if extra else "") + f"[{c.sheet}!{where}]" if c.sheet else extra
        out = [text + (f"  {extra}" if extra else "")]
        if c.kind == "formula" and c.detail:
            out.append(f"{indent}{' ' * (tag_w + 2)}{c.detail}")
        return out

    section = None
    for c in rows:
        if c.section != section:
            section = c.section
            lines.append("")
            lines.append(style(section or "—", bold=True, underline=True))
        lines.extend(line(c))
        for d in under.get((c.column, c.code), []) if c.kind in ("value", "type", "scores", "added",
                                                                 "removed") else []:
            lines.extend(line(d, indent="      ↳ "))
    hidden = len(result.changes) - len(shown)
    if hidden:
        lines.append("")
        lines.append(say("diff-hidden-derived", n=hidden))
    for remark in result.remarks:
        lines.append(remark)
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------ JSON


def render_json(result: DiffResult) -> str:
    """The JSON document (every change, derived ones included; see README "Diff" for the keys)."""
    return json.dumps(result.to_json(), ensure_ascii=False, indent=1)


# ------------------------------------------------------------------------------------------------ XLSX


def write_xlsx(result: DiffResult, target: str | Path, *, force: bool = False, show_all: bool = True) -> Path:
    """Write the XLSX report atomically (refuses to replace ``target`` without ``force``)."""
    with atomic_output(target, force=force) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False,
                                            "strings_to_numbers": False})
        try:
            fmt = _formats(wb)
            _summary_sheet(wb, fmt, result, show_all)
            _side_sheet(wb, fmt, result)
        finally:
            wb.close()
    return Path(target)


def _formats(wb) -> dict:
    base = {"font_name": "Times New Roman", "font_size": 12, "valign": "vcenter", "text_wrap": True}
    cell = {**base, "border": 1}
    return {
        "title": wb.add_format({**base, "bold": True, "font_size": 14}),
        "plain": wb.add_format(base),
        "bold": wb.add_format({**base, "bold": True}),
        "header": wb.add_format({**cell, "bold": True, "bg_color": "#D9E1F2", "align": "center"}),
        "cell": wb.add_format(cell),
        "num": wb.add_format({**cell, "num_format": "#,##0.###"}),
        "section": wb.add_format({**cell, "bold": True, "bg_color": "#EDEDED"}),
        "changed": wb.add_format({**cell, "bg_color": "#FFC7CE", "num_format": "#,##0.###"}),
        "added": wb.add_format({**cell, "bg_color": "#C6EFCE", "num_format": "#,##0.###"}),
        "removed": wb.add_format({**cell, "bg_color": "#D9D9D9", "font_strikeout": True,
                                  "num_format": "#,##0.###"}),
        "action": wb.add_format({**cell, "align": "center", "bold": True}),
    }


def _write(ws, row: int, col: int, value: object, style) -> None:
    """Numbers as numbers, everything else as text (never a formula, whatever it starts with)."""
    if value is None:
        ws.write_blank(row, col, None, style)
    elif isinstance(value, bool):
        ws.write_string(row, col, str(value), style)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, style)
    elif hasattr(value, "strftime"):
        ws.write_string(row, col, value.strftime("%d/%m/%Y"), style)  # type: ignore[union-attr]
    else:
        ws.write_string(row, col, str(value), style)


def _summary_sheet(wb, fmt: dict, result: DiffResult, show_all: bool) -> None:
    ws = wb.add_worksheet(say("diff-xlsx-summary-sheet"))
    widths = (11, 11, 36, 11, 7, 7, 13, 13, 10, 9, 32)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    last = len(widths) - 1
    # title lines span the page (a wrapped text in the narrow first column would overprint the rows below)
    for r, (text, style) in enumerate(((say("diff-xlsx-title"), fmt["title"]),
                                       (say("diff-xlsx-old", path=result.old), fmt["plain"]),
                                       (say("diff-xlsx-new", path=result.new), fmt["plain"]),
                                       (summary_line(result), fmt["bold"]))):
        ws.merge_range(r, 0, r, last, text, style)
        ws.set_row(r, row_height([(text, sum(widths))]))
    row = 5
    for kind in KINDS:
        ws.merge_range(row, 0, row, 1, say("diff-kind-" + kind), fmt["cell"])
        ws.write_number(row, 2, result.summary.get(kind, 0), fmt["num"])
        row += 1
    for remark in result.remarks:
        ws.merge_range(row, 0, row, last, remark, fmt["plain"])
        ws.set_row(row, row_height([(remark, sum(widths))]))
        row += 1
    row += 1
    headers = say("diff-xlsx-headers").split("|")
    for col, text in enumerate(headers):
        ws.write_string(row, col, text, fmt["header"])
    first = row
    row += 1
    for c in result.visible(show_all):
        rel = None if c.rel_change is None else round(c.rel_change * 100, 2)
        remark = c.detail if c.kind in ("structure", "formula") else ""
        if c.kind == "validation":
            remark = f"{say('diff-severity-' + (c.severity or 'error'))}, {say('diff-validation-' + c.detail)}"
        if c.caused_by:
            remark = say("diff-caused-by", codes=", ".join(c.caused_by))
        values = (say("diff-kind-" + c.kind), c.code, _label(c), c.sheet, c.cell_old, c.cell_new, c.old, c.new,
                  c.abs_change, rel, remark)
        for col, value in enumerate(values):
            _write(ws, row, col, value, fmt["num"] if isinstance(value, int | float) else fmt["cell"])
        ws.set_row(row, row_height([(v if isinstance(v, str) else "", widths[i]) for i, v in enumerate(values)]))
        row += 1
    ws.set_row(first, row_height([(t, widths[i]) for i, t in enumerate(headers)]))
    ws.autofilter(first, 0, max(row - 1, first), len(headers) - 1)
    ws.freeze_panes(first + 1, 0)
    setup_xlsxwriter(ws, landscape=True, header=(first, first))
    ws.activate()


def _side_sheet(wb, fmt: dict, result: DiffResult) -> None:
    """Indicators in the official row order, old and new side by side, changed cells highlighted."""
    ws = wb.add_worksheet(say("diff-xlsx-side-sheet"))
    for col, width in enumerate(_SIDE_WIDTHS):
        ws.set_column(col, col, width)
    headers = say("diff-xlsx-side-headers").split("|")
    legend = say("diff-xlsx-legend")
    ws.merge_range(0, 0, 0, len(headers) - 1, legend, fmt["plain"])
    ws.set_row(0, row_height([(legend, sum(_SIDE_WIDTHS))]))
    for col, text in enumerate(headers):
        ws.write_string(2, col, text, fmt["header"])
    ws.set_row(2, row_height([(t, _SIDE_WIDTHS[i]) for i, t in enumerate(headers)]))
    ws.freeze_panes(3, 3)
    setup_xlsxwriter(ws, landscape=False, header=(2, 2))
    row = 3
    if result.sides is None:
        return
    old, new = result.sides
    by_key = {}
    for c in result.changes:
        if c.kind in _VALUE_KINDS:
            by_key.setdefault((c.column, c.code), c)
    if result.mode == "files":
        form = new.report.form
        sections = {s.id: s for s in form.sections}
        current = None
        codes = [i.code for i in form.indicators]
        codes += [c for c in old.indicators if c not in form.by_code]
        codes += [c for c in new.indicators if c not in form.by_code and c not in codes]
        for code in codes:
            ind = form.by_code.get(code)
            if ind is not None and ind.section and ind.section != current:
                current = ind.section
                s = sections[ind.section]
                ws.merge_range(row, 0, row, len(headers) - 1, f"{s.title}: {s.subtitle}", fmt["section"])
                ws.set_row(row, row_height([(f"{s.title}: {s.subtitle}", sum(_SIDE_WIDTHS))]))
                row += 1
            a, b = old.indicators.get(code), new.indicators.get(code)
            entry = b or a
            label = ind.label if ind is not None else (entry.label if entry else code)
            stt = (ind.printed if ind is not None else code) or ""
            unit = ind.unit if ind is not None else ""
            has_cell = ind.has_cell if ind is not None else True
            row = _side_row(ws, fmt, row, by_key.get((None, code)), stt, label, unit, code,
                            a.value if a else None, b.value if b else None, has_cell, a is not None, b is not None)
        row += 1
        ws.merge_range(row, 0, row, len(headers) - 1, say("diff-xlsx-scores-block"), fmt["section"])
        row += 1
        for column in (SELF, APPRAISED):
            for (col, code), b in new.scores.items():
                if col != column:
                    continue
                a = old.scores.get((col, code))
                row = _side_row(ws, fmt, row, by_key.get((column, code)), code,
                                f"{b.label} [{say('diff-column-' + column)}]", "", code, a.value if a else None,
                                b.value, True, a is not None, True)
    else:
        for (col, code), own in old.scores.items():
            if col != SELF:
                continue
            appr = new.scores.get((APPRAISED, code))
            row = _side_row(ws, fmt, row, by_key.get((None, code)), code, own.label, "", code, own.value,
                            appr.value if appr else None, True, True, appr is not None)


_SIDE_WIDTHS = (7, 8, 44, 10, 13, 13, 12, 12)


def _side_row(ws, fmt, row, change: Change | None, stt, label, unit, code, old, new, has_cell, in_old,
              in_new) -> int:
    action = ""
    style = fmt["num"]
    if change is not None:
        action, style = {"added": ("+++", fmt["added"]), "removed": ("---", fmt["removed"])}.get(
            change.kind, ("->", fmt["changed"]))
    ws.write_string(row, 0, action, fmt["action"])
    ws.write_string(row, 1, str(stt), fmt["cell"])
    ws.write_string(row, 2, str(label), fmt["cell"])
    ws.write_string(row, 3, str(unit), fmt["cell"])
    if has_cell:
        _write(ws, row, 4, old, fmt["num"] if in_old else fmt["removed"])
        _write(ws, row, 5, new, style if change is not None else fmt["num"])
        if change is not None and in_old:
            ws.write_comment(row, 5, say("diff-xlsx-comment", value=show_value(change.old)),
                             {"x_scale": 1.6, "y_scale": 0.8})
        _write(ws, row, 6, change.abs_change if change is not None else None, fmt["num"])
    else:
        for col in (4, 5, 6):
            ws.write_blank(row, col, None, fmt["cell"])
    ws.write_string(row, 7, str(code), fmt["cell"])
    ws.set_row(row, row_height([(str(label), _SIDE_WIDTHS[2]), (str(unit), _SIDE_WIDTHS[3]),
                                (str(code), _SIDE_WIDTHS[7]), (str(stt), _SIDE_WIDTHS[1])]))
    return row + 1
