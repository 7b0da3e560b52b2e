"""A stray cell at XFD1048576 would make calamine allocate the whole sheet: such sheets are skipped, never read."""

from __future__ import annotations

from openpyxl import Workbook, load_workbook

from cchc_xl.cli import main
from cchc_xl.commands.import_file import import_file
from cchc_xl.sources.tabular import ooxml_extents

from .corpus import build_corpus


def test_sheet_with_a_far_away_cell_is_skipped_and_the_appendix_still_read(tmp_path):
    src = next(v for v in build_corpus(tmp_path / "c") if v.name == "x004-tieu-de-dong-9")
    wb = load_workbook(src.path)
    wb.create_sheet("Rac")["XFD1048576"] = "x"
    path = tmp_path / "xa-mot-o-xa.xlsx"
    wb.save(path)
    assert ooxml_extents(path)["Rac"] == (1048576, 16384)
    result = import_file(path, tmp_path / "o.xlsx")
    assert result.exit_code == 0 and result.values == 47


def test_only_a_huge_sheet_is_no_appendix_and_says_which_sheet(tmp_path, capsys):
    wb = Workbook()
    wb.active.title = "Rac"
    wb.active["A1"] = "STT"
    wb.active["XFD1048576"] = "x"
    path = tmp_path / "rac.xlsx"
    wb.save(path)
    assert main(["import", str(path), "-o", str(tmp_path / "o.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "Không tìm thấy bảng phụ lục" in err and "Rac" in err
