"""The committed sample inputs `make demo` imports: a Word report and a legacy TCVN3 .xls."""

from __future__ import annotations

from pathlib import Path

from cchc_xl.commands.import_file import import_file
from cchc_xl.ooxml.reader import read_report

from .corpus import SEED_001, SEED_004, figures

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "intake"


def _check(path: Path, stem: str, tmp_path) -> None:
    result = import_file(path, tmp_path / "o.xlsx")
    assert result.exit_code == 0
    report = read_report(tmp_path / "o.xlsx")
    for ind in report.form.inputs:
        printed = figures(stem).get(ind.code)
        if isinstance(printed, int | float):
            assert report.values.get(ind.code) == printed, ind.code
        elif isinstance(printed, str):
            assert str(report.values.get(ind.code)) in (printed, str(int(printed)) if printed.isdigit() else printed)


def test_word_report_sample_imports_every_figure(tmp_path):
    _check(SAMPLES / "bao-cao-hoang-truong-2023.docx", SEED_004, tmp_path)


def test_legacy_tcvn3_xls_sample_imports_every_figure(tmp_path):
    result = import_file(SAMPLES / "le-hong-6thang-2022-tcvn3.xls", None)
    assert result.format == "xls" and result.encodings == ("tcvn3",) and result.tables == 7
    _check(SAMPLES / "le-hong-6thang-2022-tcvn3.xls", SEED_001, tmp_path)
