"""The opened-once package: one zip open per file per command, one formula reader, bounded sheets."""

from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from cchc_xl.commands.validate import validate_file
from cchc_xl.ooxml import package as pk
from cchc_xl.ooxml.package import MAX_COLS, MAX_ROWS, Package, col_letters, scan_sheet, shift_formula
from tests.hostile import damage as d
from tests.hostile.helpers import assert_clean, run_capped


def _count_zip_opens(monkeypatch) -> list[str]:
    opened: list[str] = []
    real = zipfile.ZipFile.__init__

    def counting(self, file, mode="r", *args, **kwargs):
        if mode == "r":  # reading; the template built in memory once per process is written, not read
            opened.append(getattr(file, "name", None) or str(type(file)))
        return real(self, file, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "__init__", counting)
    return opened


def test_one_validate_opens_the_zip_once(monkeypatch):
    opened = _count_zip_opens(monkeypatch)
    before = pk.OPEN_COUNT[0]
    result = validate_file(d.BASE)
    assert result.status == "ok"
    assert pk.OPEN_COUNT[0] - before == 1
    assert len(opened) == 1  # main opened it 8 times


def test_one_diff_opens_each_zip_once(monkeypatch, tmp_path):
    from cchc_xl.commands.diff import diff_files

    other = d.other_commune(tmp_path / "khac.xlsx")
    opened = _count_zip_opens(monkeypatch)
    diff_files(d.BASE, other)
    assert len(opened) == 2  # main opened them 24 times


def test_shared_formulas_are_expanded_for_each_cell():
    xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           b'<row r="2"><c r="C2"><f t="shared" ref="C2:C4" si="0">A2+$B$1+B2</f><v>1</v></c></row>'
           b'<row r="3"><c r="C3"><f t="shared" si="0"/><v>2</v></c></row>'
           b'<row r="4"><c r="C4"><f t="shared" si="0"/><v>3</v></c><c r="D4"><f>"A1"&amp;A1</f></c></row>'
           b"</sheetData></worksheet>")
    f = scan_sheet(xml).formulas
    assert f[(1, 2)] == "=A2+$B$1+B2"
    assert f[(2, 2)] == "=A3+$B$1+B3"
    assert f[(3, 2)] == "=A4+$B$1+B4"
    assert f[(3, 3)] == '="A1"&A1'  # text in quotes is not a reference


def test_shift_formula_keeps_absolute_parts_and_sheet_names():
    assert shift_formula("SUM(D8:D10)+'Kiểm tra'!$C$5+E$2", 2, 1) == "SUM(E10:E12)+'Kiểm tra'!$C$5+F$2"


def test_cells_without_r_are_placed_as_excel_places_them():
    xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           b"<row><c><v>1</v></c><c><f>A1*2</f></c></row><row r=\"5\"><c r=\"C5\"/><c><f>C5</f></c></row>"
           b"</sheetData></worksheet>")
    scan = scan_sheet(xml)
    assert scan.formulas == {(0, 1): "=A1*2", (4, 3): "=C5"}
    assert (scan.max_row, scan.max_col, scan.cells) == (4, 3, 4)


def _sheet_with(cells: list[tuple[int, int]]) -> bytes:
    rows: dict[int, list[int]] = {}
    for r, c in sorted(set(cells)):
        rows.setdefault(r, []).append(c)
    body = b"".join(b'<row r="%d">%s</row>' % (r + 1, b"".join(
        b'<c r="%s%d"><v>1</v></c>' % (col_letters(c).encode(), r + 1) for c in cols)) for r, cols in rows.items())
    return (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<dimension ref="A1:XFD1048576"/><sheetData>' + body + b"</sheetData></worksheet>")


positions = st.lists(st.tuples(st.integers(0, 1_048_575), st.integers(0, 16_383)), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(positions)
def test_any_cell_position_leaves_calamine_a_bounded_sheet(cells):
    """Random cells up to XFD1048576: what calamine is handed is never larger than the bounds."""
    xml = _sheet_with(cells)
    scan = scan_sheet(xml)
    inside = {(r, c) for r, c in cells if r < MAX_ROWS and c < MAX_COLS}
    assert scan.far == len(set(cells)) - len(inside)
    cut = pk._cut(xml, scan)
    again = scan_sheet(cut)
    assert again.far == 0 and again.cells == len(inside)
    # and calamine, reading the cut part inside a real package, sees at most the bounded grid
    buf = io.BytesIO()
    src = d.members(d.BASE)
    src[d.sheet_part(d.BASE, d.STAT)] = cut
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in src.items():
            zf.writestr(name, data)
    wb = CalamineWorkbook.from_filelike(io.BytesIO(buf.getvalue()))
    grid = wb.get_sheet_by_name(d.STAT).to_python(skip_empty_area=False)
    assert len(grid) <= MAX_ROWS and all(len(row) <= MAX_COLS for row in grid)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 1_048_575), st.integers(0, 16_383)), min_size=1, max_size=3),
       st.sampled_from([d.STAT, d.INFO, d.SCORE, "Kiểm tra"]))
def test_far_cells_never_abort_nor_blow_memory_in_a_capped_process(tmp_path_factory, cells, sheet):
    """The whole CLI under a 700 MB address-space cap and a time budget, with far cells in any sheet."""
    path = tmp_path_factory.mktemp("xa") / "xa.xlsx"
    src = d.BASE
    for n, (r, c) in enumerate(cells):
        out = path.with_name(f"b{n}.xlsx")
        d.add_cell(src, out, sheet, f"{col_letters(c)}{r + 1}")
        src = out
    r = run_capped("validate", src, cap=700 * 2**20)
    assert_clean(r, (0, 1))
    assert r.seconds < 10


def test_package_reads_every_member_once_and_keeps_the_bytes(tmp_path):
    pkg = Package.open(d.BASE)
    with zipfile.ZipFile(d.BASE) as zf:
        assert {i.filename for i in zf.infolist()} == set(pkg.parts)
        assert all(pkg.parts[n] == zf.read(n) for n in zf.namelist())
    assert pkg.raw == d.BASE.read_bytes()
    assert pkg.calamine_bytes(pkg.sheet_names) is pkg.raw  # nothing to cut: calamine reads the file's bytes


def test_fast_scan_agrees_with_the_exact_scan_on_every_shipped_workbook():
    """The regex fast path and the expat scan are one reader: same cells, bounds and formulas."""
    from cchc_xl.errors import UnusableInput
    from tests.hostile.helpers import ROOT

    paths = [p for p in (ROOT / "samples").rglob("*.xls*") if not p.name.startswith("~$")]
    paths += list((ROOT / "workbook_templates").glob("*.xls*"))
    checked = 0
    for path in paths:
        try:
            pkg = Package.open(path)
        except UnusableInput:
            continue  # the province folder keeps a few damaged files on purpose
        for sheet in pkg.sheet_names:
            data = pkg.sheet_xml(sheet)
            fast = pk._fast_scan(data, MAX_ROWS, MAX_COLS, pk.MAX_CELLS)
            exact = pk.expat_scan(data)
            assert fast is not None, (path.name, sheet)
            assert pkg.formulas(sheet) == exact.formulas  # the lazy read of the package
            fast.formulas = pk._fast_formulas(data)
            assert (fast.cells, fast.max_row, fast.max_col, fast.formulas) == (
                exact.cells, exact.max_row, exact.max_col, exact.formulas), (path.name, sheet)
            checked += 1
    assert checked > 50
