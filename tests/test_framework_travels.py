"""The framework travels with the workbook (issue 11 item 3): a clerk's framework is used without --framework."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from cchc_xl.cli import cli
from cchc_xl.commands.consolidate import consolidate
from cchc_xl.commands.new import new_workbook
from cchc_xl.commands.validate import validate_file
from cchc_xl.ooxml.reader import read_report

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "cchc_xl" / "catalogs" / "frameworks" / "chi-so-cchc-xa-hai-duong-2022.csv"


def clerk_framework(folder: Path) -> Path:
    """The bundled framework with field 1 split into the clerk's own two sub-criteria (1.a, 1.b)."""
    rows = list(csv.DictReader(BUNDLED.open(encoding="utf-8")))
    out = [r for r in rows if not r["code"].startswith("1.")]
    out[1:1] = [{"code": "1.a", "label": "Kế hoạch và báo cáo", "max": "7", "parent": "1", "assessment": "tu_cham",
                 "note": ""},
                {"code": "1.b", "label": "Kiểm tra, tuyên truyền, sáng kiến", "max": "8", "parent": "1",
                 "assessment": "tu_cham", "note": ""}]
    path = folder / "khung-huyen.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(out)
    return path


def doc(xa: str) -> dict:
    appraised = {"1.a": 6, "1.b": 7, "2": 4.5, "3": 16, "4": 6, "5": 10, "6": 6, "7": 10, "8": 2, "9": 12, "10": 9}
    return {"form": "hai-duong-bieu-mau-2022", "meta": {"tinh": "Hải Dương", "huyen": "Tứ Kỳ", "xa": xa,
                                                        "ky": "nam", "nam": 2022}, "appraised": appraised}


def test_measured_clerk_framework_forgotten_after_new(tmp_path):
    khung = clerk_framework(tmp_path)
    path = tmp_path / "x.xlsx"
    new_workbook(doc("Quang Khải"), path, framework=str(khung))
    result = validate_file(path)  # no --framework: the one inside the workbook
    assert result.findings == []
    report = read_report(path)
    assert report.framework.id == "khung-huyen" and report.framework.criterion("1.a").label == "Kế hoạch và báo cáo"
    shown = CliRunner().invoke(cli, ["show", str(path)])
    assert "Kế hoạch và báo cáo" in shown.output and "Kế hoạch CCHC năm" not in shown.output
    folder = tmp_path / "xa"
    folder.mkdir()
    new_workbook(doc("Đại Hợp"), folder / "a.xlsx", framework=str(khung))
    new_workbook(doc("Tân Kỳ"), folder / "b.xlsx", framework=str(khung))
    run = consolidate(folder, jobs=1)
    assert all(u.errors == 0 and u.complete for u in run.units) and run.ranked == 2


def test_disagreeing_framework_is_reported_not_applied(tmp_path):
    path = tmp_path / "x.xlsx"
    new_workbook(doc("Quang Khải"), path, framework=str(clerk_framework(tmp_path)))
    result = validate_file(path, framework="chi-so-cchc-xa-hai-duong-2022")
    assert [f.rule for f in result.findings] == ["framework-differs"]
    assert "khung-huyen" in result.findings[0].message
    assert result.report.framework.id == "khung-huyen"
