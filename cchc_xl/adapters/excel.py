"""The Excel side of the Kiểm tra button when Python is available (xlwings): a thin adapter.

The workbook's VBA (``cchc_xl/macros/CchcKiemTra.bas``) calls ``RunPython`` with :func:`validate_button` or
:func:`clear_button` when the xlwings add-in is loaded. :func:`validate_button` validates the live workbook
with the same engine as ``cchc-xl validate`` — on a copy Excel saves of the open book (so unsaved edits
count), or on the file itself when the book cannot make a copy — and writes back through the xlwings
object model: a fill and a note on every offending cell, the sheet "Kết quả kiểm tra" with one row per
finding and a link to its cell, and a Vietnamese summary in the status bar and a message. It never saves
the workbook.

Every highlight is recorded, with the cell's original fill, on the very hidden sheet ``CCHC_DanhDau`` —
the ledger the VBA fallback keeps too — so either tier's "Xóa đánh dấu" restores exactly what was
changed. Excel is only touched through the small functions at the bottom (the xlwings subset a fake book
implements in the tests); everything else is plain Python.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cchc_xl.messages import say

LEDGER_SHEET = "CCHC_DanhDau"
RESULTS_SHEET = "Kết quả kiểm tra"
HIGHLIGHT = (255, 199, 206)  # the same light red as the VBA tier (RGB(255, 199, 206))
NO_FILL = -4142  # Excel's xlNone, as the ledger records "no fill"
TIER = "python"
RESULTS_FIRST_ROW = 4


@dataclass(frozen=True)
class Mark:
    """One highlighted cell and the messages its note shows."""

    sheet: str
    address: str  # absolute, "$D$43"
    messages: tuple[str, ...]


# ------------------------------------------------------------------------------------------ buttons


def validate_button(book=None) -> str:
    """Validate the calling workbook and mark what is wrong; return the summary shown to the user."""
    book = book if book is not None else _caller()
    try:
        clear_marks(book)
        with tempfile.TemporaryDirectory(prefix="cchc_xl_excel_") as tmp:
            path = _snapshot(book, Path(tmp))
            from cchc_xl.commands.validate import validate_file

            result = validate_file(path)
        if result.status == "unusable":
            summary = say("excel-failed", detail=result.unusable.message if result.unusable else "")
        else:
            marks = marks_for(result)
            _write_marks(book, marks)
            _write_results(book, result.findings)
            summary = summary_text(result.errors, result.warnings)
        _record_summary(book, summary, result.errors, result.warnings)
    except Exception as exc:  # the button must never end in a Python traceback dialog
        summary = say("excel-failed", detail=f"{type(exc).__name__}: {exc}")
        _safely(_record_summary, book, summary, -1, -1)
    _safely(_announce, book, summary)
    return summary


def clear_button(book=None) -> str:
    """Undo every highlight and note the buttons added; return the message shown."""
    book = book if book is not None else _caller()
    try:
        restored = clear_marks(book)
        _delete_sheet(book, RESULTS_SHEET)
        summary = say("excel-cleared", count=restored)
        _record_summary(book, summary, -1, -1)
    except Exception as exc:
        summary = say("excel-failed", detail=f"{type(exc).__name__}: {exc}")
    _safely(_announce, book, summary)
    return summary


def summary_text(errors: int, warnings: int) -> str:
    if not errors and not warnings:
        return say("check-summary-ok")
    return say("excel-summary", errors=errors, warnings=warnings, sheet=RESULTS_SHEET)


# ------------------------------------------------------------------------------------------- logic


def marks_for(result) -> list[Mark]:
    """The cells to highlight: every cell each violated rule reads (as the Kiểm tra sheet's column F
    lists them, so both tiers mark the same cells) plus the cell a finding points at."""
    report = result.report
    names = _rule_names(report)
    by_cell: dict[tuple[str, str], list[str]] = {}
    for finding in result.findings:
        cells = []
        for name in names.get(finding.rule, ()):
            ref = report.cells.get(name)
            if ref is not None:
                cells.append((ref.sheet, _absolute(ref.address)))
        if finding.sheet and finding.cell:
            cells.append((finding.sheet, _absolute(finding.cell)))
        for key in dict.fromkeys(cells):
            by_cell.setdefault(key, []).append(finding.message)
    return [Mark(sheet, address, tuple(dict.fromkeys(messages))) for (sheet, address), messages in by_cell.items()]


def _rule_names(report) -> dict[str, tuple[str, ...]]:
    from cchc_xl.engine.rules import rules_for

    return {rule.id: rule.names for rule in rules_for(report.form, report.framework)}


def _absolute(address: str) -> str:
    address = address.replace("$", "")
    letters = address.rstrip("0123456789")
    return f"${letters}${address[len(letters):]}"


def _colour_code(colour: tuple[int, int, int] | None) -> int:
    """An xlwings RGB tuple as Excel's Interior.Color (BGR long), or NO_FILL — the VBA ledger's format."""
    if colour is None:
        return NO_FILL
    r, g, b = colour
    return r + 256 * g + 65536 * b


def _colour_of(code: int) -> tuple[int, int, int] | None:
    if code == NO_FILL or code < 0:
        return None
    return code & 0xFF, (code >> 8) & 0xFF, (code >> 16) & 0xFF


def clear_marks(book) -> int:
    """Restore the recorded cells that still carry our highlight, delete our notes; empty the ledger."""
    rows = _ledger_rows(book)
    restored = 0
    with _Unprotected(book) as unprotect:
        for sheet_name, address, fill, noted in rows:
            if sheet_name not in _sheet_names(book):
                continue
            sheet = book.sheets[sheet_name]
            cell = sheet.range(address)
            if _same_colour(cell.color, HIGHLIGHT):
                unprotect(sheet)
                cell.color = _colour_of(fill)
                restored += 1
            if noted and cell.note is not None:
                unprotect(sheet)
                cell.note.delete()
    _clear_ledger(book, len(rows))
    return restored


def _write_marks(book, marks: Iterable[Mark]) -> None:
    rows = []
    with _Unprotected(book) as unprotect:
        for mark in marks:
            if mark.sheet not in _sheet_names(book):
                continue
            sheet = book.sheets[mark.sheet]
            cell = sheet.range(mark.address)
            unprotect(sheet)
            original = _colour_code(cell.color)
            noted = cell.note is None  # a note the user wrote stays theirs: never replaced or deleted
            cell.color = HIGHLIGHT
            if noted:
                cell.add_note("\n".join(mark.messages))
            rows.append([mark.sheet, mark.address, original, 1 if noted else 0])
    if rows:
        _ledger(book).range("A2").value = rows


def _write_results(book, findings) -> None:
    sheet = _results_sheet(book)
    sheet.range("A1").value = say("excel-results-title")
    sheet.range("A3").value = [[say("excel-results-col-stt"), say("excel-results-col-severity"),
                                say("excel-results-col-rule"), say("excel-results-col-cell"),
                                say("excel-results-col-message")]]
    from cchc_xl.engine.rules import SEVERITY_LABELS

    for index, finding in enumerate(findings):
        row = RESULTS_FIRST_ROW + index
        sheet.range(f"A{row}").value = [[index + 1, SEVERITY_LABELS.get(finding.severity, finding.severity),
                                         finding.rule, None, finding.message]]
        if finding.sheet and finding.cell:
            target = "#'" + finding.sheet.replace("'", "''") + "'!" + finding.cell
            label = f"{finding.sheet}!{finding.cell}"
            sheet.range(f"D{row}").formula = f'=HYPERLINK("{target}","{label}")'
    _safely(sheet.activate)  # the summary sends the user here


# ----------------------------------------------------------------------------------- Excel access


def _caller():
    import xlwings

    return xlwings.Book.caller()


def _snapshot(book, directory: Path) -> Path:
    """A file holding what the open workbook holds now: a copy Excel saves (unsaved edits included,
    the open book untouched), else the workbook's own file when it has one."""
    name = Path(book.fullname).name or "workbook.xlsm"
    copy = directory / ("snapshot" + (Path(name).suffix or ".xlsm"))
    try:
        book.api.SaveCopyAs(str(copy))
        if copy.is_file():
            return copy
    except Exception:  # not Excel on Windows/macOS (or no api): fall back to the saved file
        pass
    path = Path(book.fullname)
    if path.is_file():
        return path
    raise FileNotFoundError(say("excel-not-saved"))


def _sheet_names(book) -> list[str]:
    return [sheet.name for sheet in book.sheets]


def _ledger(book):
    if LEDGER_SHEET in _sheet_names(book):
        return book.sheets[LEDGER_SHEET]
    active = book.sheets.active
    sheet = book.sheets.add(LEDGER_SHEET, after=book.sheets[len(book.sheets) - 1])
    sheet.range("A1").value = "cchc-xl"
    sheet.visible = False
    _safely(active.activate)
    return sheet


def _ledger_rows(book) -> list[tuple[str, str, int, bool]]:
    if LEDGER_SHEET not in _sheet_names(book):
        return []
    sheet = book.sheets[LEDGER_SHEET]
    rows = []
    row = 2
    while True:
        values = sheet.range(f"A{row}:D{row}").value
        if not values or not values[1]:
            break
        fill = int(values[2]) if isinstance(values[2], int | float) else NO_FILL
        rows.append((str(values[0]), str(values[1]), fill, bool(values[3])))
        row += 1
    return rows


def _clear_ledger(book, count: int) -> None:
    if count and LEDGER_SHEET in _sheet_names(book):
        book.sheets[LEDGER_SHEET].range(f"A2:D{count + 1}").clear_contents()


def _record_summary(book, summary: str, errors: int, warnings: int) -> None:
    _ledger(book).range("B1").value = [[summary, TIER, errors, warnings]]


def _results_sheet(book):
    if RESULTS_SHEET in _sheet_names(book):
        sheet = book.sheets[RESULTS_SHEET]
        sheet.clear()
        return sheet
    return book.sheets.add(RESULTS_SHEET, after=book.sheets[len(book.sheets) - 1])


def _delete_sheet(book, name: str) -> None:
    if name in _sheet_names(book):
        book.sheets[name].delete()


def _announce(book, summary: str) -> None:
    book.app.status_bar = summary
    _safely(book.app.alert, summary, say("excel-title"))


def _same_colour(a, b) -> bool:
    return a is not None and tuple(a) == tuple(b)


def _safely(func, *args) -> None:
    try:
        func(*args)
    except Exception:  # feedback is best effort: the work is done and recorded on the ledger
        pass


class _Unprotected:
    """Lift the template's password-less sheet protection while formatting; protect again on exit."""

    def __init__(self, book):
        self.book = book
        self.lifted: list = []

    def __enter__(self):
        return self.lift

    def lift(self, sheet) -> None:
        if any(s.name == sheet.name for s in self.lifted):
            return
        try:
            protected = bool(sheet.api.ProtectContents)
        except Exception:  # no COM object (another engine): nothing to lift
            return
        if protected:
            sheet.api.Unprotect("")
            self.lifted.append(sheet)

    def __exit__(self, *exc) -> None:
        for sheet in self.lifted:
            # Protect(Password, DrawingObjects, Contents, Scenarios, UserInterfaceOnly,
            #         AllowFormattingCells, AllowFormattingColumns, AllowFormattingRows): the template's options.
            _safely(sheet.api.Protect, "", True, True, True, False, False, True, True)
