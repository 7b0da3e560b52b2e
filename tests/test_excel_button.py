"""The Kiểm tra button: the xlwings adapter against a fake book, and the VBA fallback run for real.

The fake implements only the xlwings subset ``cchc_xl.excel`` uses (book.fullname/sheets/app/api,
sheet.range/name/visible/clear/delete/api, range.value/color/note/add_note/formula/clear_contents).
The VBA tier is executed in LibreOffice headless through UNO by "pressing" the form buttons; the
highlights are then read back with openpyxl and compared with what the Python validator reports.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from cchc_xl.adapters import excel
from cchc_xl.commands.new import new_workbook
from cchc_xl.commands.validate import validate_file
from cchc_xl.engine.rules import rules_for
from cchc_xl.messages import say
from cchc_xl.model.layout import CHECK_SHEET
from cchc_xl.ooxml.vba import build_xlsm

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "data" / "hoang-truong-nam-2023.yaml"
HIGHLIGHT_ARGB = "FFFFC7CE"
CLEAN = {"form": "phu-luc-01b",
         "meta": {"tinh": "Thanh Hóa", "huyen": "Hoằng Hóa", "xa": "Hoằng Trường", "ky": "nam", "nam": 2023},
         "values": {"1.1": 1, "1.1.3": 17}}


# ------------------------------------------------------------------------------------- fake xlwings


class FakeNote:
    def __init__(self, cell: FakeRange, text: str) -> None:
        self.cell, self.text = cell, text

    def delete(self) -> None:
        self.cell.sheet.notes.pop(self.cell.key, None)


class FakeRange:
    def __init__(self, sheet: FakeSheet, address: str) -> None:
        self.sheet, self.address = sheet, address.replace("$", "")
        self.key = self.address

    def _cells(self) -> list[list[str]]:
        first, _, last = self.address.partition(":")
        last = last or first
        (c1, r1), (c2, r2) = _split(first), _split(last)
        return [[f"{get_column_letter(c)}{r}" for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]

    @property
    def value(self):
        grid = [[self.sheet.values.get(a) for a in row] for row in self._cells()]
        if len(grid) == 1 and len(grid[0]) == 1:
            return grid[0][0]
        return grid[0] if len(grid) == 1 else grid

    @value.setter
    def value(self, data) -> None:
        rows = data if isinstance(data, list) and data and isinstance(data[0], list) else [
            data if isinstance(data, list) else [data]]
        col, row = _split(self.address.partition(":")[0])
        for i, line in enumerate(rows):
            for j, v in enumerate(line):
                self.sheet.values[f"{get_column_letter(col + j)}{row + i}"] = v

    def clear_contents(self) -> None:
        for row in self._cells():
            for a in row:
                self.sheet.values.pop(a, None)

    @property
    def color(self):
        return self.sheet.colors.get(self.key)

    @color.setter
    def color(self, value) -> None:
        if value is None:
            self.sheet.colors.pop(self.key, None)
        else:
            self.sheet.colors[self.key] = tuple(value)

    @property
    def note(self):
        return self.sheet.notes.get(self.key)

    def add_note(self, text: str) -> FakeNote:
        assert self.key not in self.sheet.notes, "xlwings refuses a second note"
        note = self.sheet.notes[self.key] = FakeNote(self, text)
        return note

    @property
    def formula(self):
        return self.sheet.formulas.get(self.key)

    @formula.setter
    def formula(self, text: str) -> None:
        self.sheet.formulas[self.key] = text


def _split(address: str) -> tuple[int, int]:
    from openpyxl.utils import column_index_from_string

    m = re.fullmatch(r"([A-Z]+)(\d+)", address)
    assert m, address
    return column_index_from_string(m.group(1)), int(m.group(2))


class FakeSheetApi:
    def __init__(self, protected: bool) -> None:
        self.ProtectContents = protected
        self.calls: list[tuple] = []

    def Unprotect(self, password: str) -> None:
        self.calls.append(("Unprotect", password))
        self.ProtectContents = False

    def Protect(self, *args) -> None:
        self.calls.append(("Protect", *args))
        self.ProtectContents = True


class FakeSheet:
    def __init__(self, book: FakeBook, name: str, protected: bool = False) -> None:
        self.book, self.name = book, name
        self.values: dict[str, object] = {}
        self.colors: dict[str, tuple[int, int, int]] = {}
        self.notes: dict[str, FakeNote] = {}
        self.formulas: dict[str, str] = {}
        self.visible = True
        self.api = FakeSheetApi(protected)

    def range(self, address: str) -> FakeRange:
        return FakeRange(self, address)

    def clear(self) -> None:
        self.values.clear()
        self.formulas.clear()

    def delete(self) -> None:
        self.book.sheet_list.remove(self)

    def activate(self) -> None:
        self.book.active_sheet = self


class FakeSheets:
    def __init__(self, book: FakeBook) -> None:
        self.book = book

    def __iter__(self):
        return iter(list(self.book.sheet_list))

    def __len__(self) -> int:
        return len(self.book.sheet_list)

    def __getitem__(self, key):
        if isinstance(key, int):
            return self.book.sheet_list[key]
        return next(s for s in self.book.sheet_list if s.name == key)

    @property
    def active(self) -> FakeSheet:
        return self.book.active_sheet

    def add(self, name: str, after: FakeSheet | None = None) -> FakeSheet:
        sheet = FakeSheet(self.book, name)
        index = self.book.sheet_list.index(after) + 1 if after else len(self.book.sheet_list)
        self.book.sheet_list.insert(index, sheet)
        self.book.active_sheet = sheet  # Excel activates a new sheet
        return sheet


class FakeApp:
    def __init__(self) -> None:
        self.status_bar: str | bool = False
        self.alerts: list[tuple[str, str]] = []

    def alert(self, prompt: str, title: str | None = None) -> None:
        self.alerts.append((prompt, title or ""))


class FakeBookApi:
    """Excel's Workbook COM object, reduced to SaveCopyAs (copies the file Excel would write)."""

    def __init__(self, live_copy: Path) -> None:
        self.live_copy, self.saved_copies = live_copy, []

    def SaveCopyAs(self, path: str) -> None:
        self.saved_copies.append(path)
        shutil.copyfile(self.live_copy, path)


class FakeBook:
    def __init__(self, path: Path, api: object | None = None) -> None:
        self.fullname = str(path)
        self.app = FakeApp()
        if api is not None:
            self.api = api
        wb = openpyxl.load_workbook(path) if path.is_file() else None
        names = wb.sheetnames if wb else ["Thông tin", "Phụ lục", "Chấm điểm", CHECK_SHEET]
        self.sheet_list = [FakeSheet(self, n, protected=True) for n in names]
        self.active_sheet = self.sheet_list[0]
        self.sheets = FakeSheets(self)


# ------------------------------------------------------------------------------------------ helpers


def _expected_cells(result) -> set[tuple[str, str]]:
    """What the Kiểm tra sheet's column F lists for every violated rule: the cells both tiers mark."""
    report = result.report
    names = {r.id: r.names for r in rules_for(report.form, report.framework)}
    cells = set()
    for f in result.findings:
        for name in names.get(f.rule, ()):
            if name in report.cells:
                cells.add((report.cells[name].sheet, report.cells[name].address))
    return cells


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "hoang-truong.xlsx"
    new_workbook(SAMPLE, path)
    return path


# -------------------------------------------------------------------------------- adapter (fake book)


def test_validate_button_marks_cells_notes_results_and_summary(sample: Path) -> None:
    book = FakeBook(sample)
    stat = book.sheets["Phụ lục"]
    result = validate_file(sample)
    assert result.errors and result.warnings  # the sample keeps the source's inconsistencies

    summary = excel.validate_button(book)

    expected_summary = say("excel-summary", errors=result.errors, warnings=result.warnings,
                           sheet=excel.RESULTS_SHEET)
    assert summary == expected_summary
    assert book.app.status_bar == expected_summary and book.app.alerts == [(expected_summary, "Kiểm tra")]
    marked = {(s.name, a) for s in book.sheets for a, c in s.colors.items() if c == excel.HIGHLIGHT}
    pointed = {(f.sheet, f.cell) for f in result.findings if f.cell}
    assert marked == _expected_cells(result) | pointed
    for sheet, address in marked:
        note = book.sheets[sheet].notes[address].text
        assert any(f.message in note for f in result.findings)
    results = book.sheets[excel.RESULTS_SHEET]
    rows = [results.range(f"A{r}:E{r}").value for r in range(4, 4 + len(result.findings))]
    assert [row[2] for row in rows] == [f.rule for f in result.findings]
    assert [row[4] for row in rows] == [f.message for f in result.findings]
    assert results.range(f"A{4 + len(result.findings)}").value is None
    first = result.findings[0]
    assert results.formulas["D4"] == f"=HYPERLINK(\"#'{first.sheet}'!{first.cell}\",\"{first.sheet}!{first.cell}\")"
    ledger = book.sheets[excel.LEDGER_SHEET]
    assert ledger.visible is False and book.active_sheet.name == excel.RESULTS_SHEET
    assert ledger.range("B1:E1").value == [expected_summary, "python", result.errors, result.warnings]
    # protection lifted for formatting and put back with the template's options
    assert stat.api.calls[0] == ("Unprotect", "") and stat.api.calls[-1][0] == "Protect"
    assert stat.api.ProtectContents is True
    assert book.sheets[CHECK_SHEET].api.calls == []  # a sheet with nothing to mark is left alone


def test_clear_button_restores_exactly_what_was_changed(sample: Path) -> None:
    book = FakeBook(sample)
    stat = book.sheets["Phụ lục"]
    result = validate_file(sample)
    cells = sorted(a for s, a in _expected_cells(result) if s == "Phụ lục")
    yellow, user_note_cell, untouched = (255, 242, 204), cells[1], "B2"
    stat.colors[cells[0]] = yellow  # an input cell's own fill
    stat.colors[untouched] = (1, 2, 3)
    stat.notes[user_note_cell] = FakeNote(stat.range(user_note_cell), "ghi chú của cán bộ")
    before_colors, before_notes = dict(stat.colors), {a: n.text for a, n in stat.notes.items()}

    excel.validate_button(book)
    excel.validate_button(book)  # pressing twice must not record the highlight as "original"
    assert stat.colors[cells[0]] == excel.HIGHLIGHT
    assert stat.notes[user_note_cell].text == "ghi chú của cán bộ"  # never replaced
    message = excel.clear_button(book)

    assert message == say("excel-cleared", count=len(_expected_cells(result) | {
        (f.sheet, f.cell) for f in result.findings if f.cell}))
    assert stat.colors == before_colors
    assert {a: n.text for a, n in stat.notes.items()} == before_notes
    assert excel.RESULTS_SHEET not in [s.name for s in book.sheets]
    assert book.sheets[excel.LEDGER_SHEET].range("A2:D2").value == [None, None, None, None]


def test_clear_leaves_a_cell_the_user_recoloured(sample: Path) -> None:
    book = FakeBook(sample)
    excel.validate_button(book)
    stat = book.sheets["Phụ lục"]
    recoloured = next(a for a, c in stat.colors.items() if c == excel.HIGHLIGHT)
    stat.colors[recoloured] = (0, 176, 80)
    excel.clear_button(book)
    assert stat.colors == {recoloured: (0, 176, 80)}


def test_unsaved_book_is_validated_from_a_copy_excel_saves(sample: Path, tmp_path: Path) -> None:
    live = tmp_path / "live.xlsx"
    new_workbook(CLEAN, live)  # what Excel holds in memory: the clean figures
    api = FakeBookApi(live)
    book = FakeBook(sample, api=api)  # the file on disk still has the errors
    before = sample.read_bytes()
    assert excel.validate_button(book) == say("check-summary-ok")
    assert len(api.saved_copies) == 1 and not Path(api.saved_copies[0]).exists()  # temporary, removed
    assert sample.read_bytes() == before  # the adapter saves nothing over the workbook
    assert not [a for s in book.sheets for a, c in s.colors.items() if c == excel.HIGHLIGHT]


def test_never_raises_and_says_why(tmp_path: Path) -> None:
    book = FakeBook(tmp_path / "never-saved.xlsm")
    summary = excel.validate_button(book)
    assert summary == say("excel-failed", detail="FileNotFoundError: " + say("excel-not-saved"))
    assert book.app.status_bar == summary


def test_unusable_workbook_reports_its_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    book = FakeBook(tmp_path / "missing.xlsx")
    book.fullname = str(bad)
    summary = excel.validate_button(book)
    assert summary == say("excel-failed", detail=validate_file(bad).unusable.message)


def test_caller_is_used_without_a_book(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import xlwings

    book = FakeBook(sample)
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: book))
    assert excel.validate_button() == book.app.status_bar
    assert excel.clear_button() == book.app.status_bar


# ------------------------------------------------------------------------- VBA fallback, really run


def _fills(path: Path) -> dict[tuple[str, str], str]:
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        if ws.title == excel.LEDGER_SHEET:
            continue
        for row in ws.iter_rows():
            for cell in row:
                if cell.fill is not None and cell.fill.fill_type:
                    out[(ws.title, cell.coordinate)] = str(cell.fill.fgColor.rgb)
    return out


def _ledger_summary(path: Path) -> list[object]:
    wb = openpyxl.load_workbook(path)
    ws = wb[excel.LEDGER_SHEET]
    return [ws.cell(1, c).value for c in range(2, 6)]


def _rendered_rules(path: Path) -> set[str]:
    ws = openpyxl.load_workbook(path)[CHECK_SHEET]
    return {ws.cell(r, 2).value for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value is not None}


@pytest.fixture(scope="module")
def sample_xlsm() -> Path:
    """The committed sample staff open (``make samples`` rebuilds it; a test below checks it is current)."""
    from tests.conftest import SAMPLES

    return SAMPLES / "hoang-truong-nam-2023.xlsm"


@pytest.mark.parametrize("stem", ["hoang-truong-nam-2023", "le-hong-6thang-2022"])
def test_committed_sample_xlsm_is_current(stem: str, tmp_path: Path) -> None:
    from cchc_xl.commands.new import new_xlsm_workbook
    from cchc_xl.ooxml.vba import xlsm_differences
    from tests.conftest import SAMPLES

    fresh = tmp_path / f"{stem}.xlsm"
    new_xlsm_workbook(SAMPLES / "data" / f"{stem}.yaml", fresh)
    assert xlsm_differences(SAMPLES / f"{stem}.xlsm", fresh) == []


@pytest.mark.libreoffice
def test_vba_fallback_marks_what_the_validator_reports(soffice: str, sample_xlsm: Path, tmp_path: Path) -> None:
    from tests.support.libreoffice import press_buttons

    result = validate_file(sample_xlsm)
    rendered = _rendered_rules(sample_xlsm)
    shown = [f for f in result.findings if f.rule in rendered]
    assert shown, "the sample must violate rules the Kiểm tra sheet renders"
    out = press_buttons(sample_xlsm, [("Phụ lục", "btnKiemTra")], tmp_path / "checked.xlsm")

    marked = {k for k, rgb in _fills(out).items() if rgb == HIGHLIGHT_ARGB}
    assert marked == _expected_cells(result)
    errors = sum(f.severity == "error" for f in shown)
    warnings = len(shown) - errors
    assert _ledger_summary(out) == [say("excel-summary", errors=errors, warnings=warnings, sheet=CHECK_SHEET),
                                    "vba", errors, warnings]


@pytest.mark.libreoffice
def test_vba_fallback_on_a_clean_workbook_reports_none(soffice: str, tmp_path: Path) -> None:
    from tests.support.libreoffice import press_buttons

    clean = tmp_path / "clean.xlsx"
    new_workbook(CLEAN, clean)
    path = build_xlsm(clean, tmp_path / "clean.xlsm")
    assert validate_file(path).findings == []
    out = press_buttons(path, [("Chấm điểm", "btnKiemTra")], tmp_path / "checked.xlsm")
    assert not [k for k, rgb in _fills(out).items() if rgb == HIGHLIGHT_ARGB]
    assert _ledger_summary(out) == [say("check-summary-ok"), "vba", 0, 0]


@pytest.mark.libreoffice
def test_clear_removes_every_highlight_it_added_and_nothing_else(
    soffice: str, sample_xlsm: Path, tmp_path: Path
) -> None:
    from tests.support.libreoffice import press_buttons, run_macro

    baseline = _fills(run_macro(sample_xlsm, None, tmp_path / "baseline.xlsm"))
    assert baseline.get(("Phụ lục", "D58")) == "FFFFF2CC"  # a yellow input cell the check will mark
    out = press_buttons(sample_xlsm, [("Phụ lục", "btnKiemTra"), ("Phụ lục", "btnKiemTra"),
                                      ("Chấm điểm", "btnXoaDanhDau")], tmp_path / "cleared.xlsm")
    assert _fills(out) == baseline
    count = len(_expected_cells(validate_file(sample_xlsm)))
    assert _ledger_summary(out)[:2] == [say("excel-cleared", count=count), "vba"]
