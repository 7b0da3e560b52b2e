"""Tests for the headless LibreOffice helper in tests/support/libreoffice.py.

Each workbook is written by XlsxWriter with deliberately wrong cached formula values, so a
correct result can only come from LibreOffice actually recalculating on load.
"""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

# tests/ has no __init__.py; make ``tests.support`` importable however pytest is started.
_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from tests.support import libreoffice  # noqa: E402
from tests.support.libreoffice import ensure_libreoffice, recalc_xlsx, run_macro  # noqa: E402

WRONG = 99  # cached value planted in every formula cell


@pytest.fixture(scope="module")
def soffice() -> str:
    try:
        return ensure_libreoffice()
    except RuntimeError as exc:
        pytest.skip(f"LibreOffice unavailable: {exc}")


def write_product_workbook(path: Path, a: float, b: float) -> Path:
    """A1=a, A2=b, A3 = =A1*A2 cached as the wrong value 99."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("Sheet1")
        ws.write_number("A1", a)
        ws.write_number("A2", b)
        ws.write_formula("A3", "=A1*A2", None, WRONG)
    return path


def cell_value(path: Path, cell: str, sheet: str = "Sheet1") -> object:
    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        return wb[sheet][cell].value
    finally:
        wb.close()


@pytest.mark.libreoffice
def test_recalc_replaces_wrong_cached_value(soffice: str, tmp_path: Path) -> None:
    src = write_product_workbook(tmp_path / "in" / "product.xlsx", 2, 3)
    assert cell_value(src, "A3") == WRONG  # the premise: the cache really is wrong

    [out] = recalc_xlsx([src], tmp_path / "out")

    assert out == tmp_path / "out" / "product.xlsx"
    assert cell_value(out, "A3") == 6


@pytest.mark.libreoffice
def test_recalc_batch_with_duplicate_stems(soffice: str, tmp_path: Path) -> None:
    specs = [
        (tmp_path / "a" / "report.xlsx", 2, 3),
        (tmp_path / "b" / "report.xlsx", 4, 5),  # same stem, different directory
        (tmp_path / "a" / "second.xlsx", 6, 7),
        (tmp_path / "a" / "third.xlsx", 8, 9),
        (tmp_path / "a" / "Báo cáo xã.xlsx", 10, 11),
    ]
    inputs = [write_product_workbook(path, a, b) for path, a, b in specs]

    outputs = recalc_xlsx(inputs, tmp_path / "out")

    assert len(outputs) == len(inputs)
    assert len(set(outputs)) == len(outputs)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in outputs)
    for out, (src, a, b) in zip(outputs, specs, strict=True):
        assert out.stem.startswith(src.stem)
        assert cell_value(out, "A3") == a * b, out.name
    assert outputs[0].name == "report.xlsx"
    assert outputs[1].name == "report-2.xlsx"


@pytest.mark.libreoffice
def test_recalc_vietnamese_sheet_and_defined_name(soffice: str, tmp_path: Path) -> None:
    src = tmp_path / "kiem_tra.xlsx"
    with xlsxwriter.Workbook(src) as wb:
        ws = wb.add_worksheet("Kiểm tra")
        ws.write_string("A2", "Số thủ tục")
        ws.write_number("B2", 21)
        ws.write_formula("B3", "=CT_1_1*2", None, WRONG)
        wb.define_name("CT_1_1", "='Kiểm tra'!$B$2")

    [out] = recalc_xlsx([src], tmp_path / "out")

    assert cell_value(out, "B3", sheet="Kiểm tra") == 42
    wb = openpyxl.load_workbook(out)
    try:
        assert "CT_1_1" in wb.defined_names
        assert wb["Kiểm tra"]["B3"].value == "=CT_1_1*2"
    finally:
        wb.close()


@pytest.mark.libreoffice
def test_run_macro_none_round_trips_values(soffice: str, tmp_path: Path) -> None:
    try:
        ensure_libreoffice(with_uno=True)
    except RuntimeError as exc:
        pytest.skip(f"LibreOffice UNO bridge unavailable: {exc}")
    src = tmp_path / "round trip.xlsx"
    with xlsxwriter.Workbook(src) as wb:
        ws = wb.add_worksheet("Kiểm tra")
        ws.write_string("A1", "Xã Thanh Hóa")
        ws.write_number("A2", 2.5)
        ws.write_number("A3", 4)
        ws.write_formula("A4", "=A2*A3", None, WRONG)

    out = run_macro(src, None, tmp_path / "out" / "round trip.xlsx")

    assert out == tmp_path / "out" / "round trip.xlsx"
    wb = openpyxl.load_workbook(out, data_only=True)
    try:
        ws = wb["Kiểm tra"]
        assert [ws[c].value for c in ("A1", "A2", "A3", "A4")] == ["Xã Thanh Hóa", 2.5, 4, 10]
    finally:
        wb.close()


@pytest.mark.libreoffice
def test_run_macro_reports_missing_macro(soffice: str, tmp_path: Path) -> None:
    try:
        ensure_libreoffice(with_uno=True)
    except RuntimeError as exc:
        pytest.skip(f"LibreOffice UNO bridge unavailable: {exc}")
    src = write_product_workbook(tmp_path / "plain.xlsx", 1, 1)

    with pytest.raises(RuntimeError, match=r"NoSuch\.Macro"):
        run_macro(src, "NoSuch.Macro", tmp_path / "out.xlsx", timeout=60)


@pytest.mark.libreoffice
def test_recalc_retries_files_a_batch_dropped(
    soffice: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulate the observed early stop: the batch call silently skips its last file."""
    real_run = libreoffice._run_process_group
    calls: list[list[str]] = []

    def flaky_run(cmd, timeout, log_path):  # type: ignore[no-untyped-def]
        cmd = list(cmd)
        calls.append(cmd)
        if len(calls) == 1:
            cmd = cmd[:-1]
        return real_run(cmd, timeout, log_path)

    monkeypatch.setattr(libreoffice, "_run_process_group", flaky_run)
    inputs = [write_product_workbook(tmp_path / f"f{i}.xlsx", i, 10) for i in range(3)]

    outputs = recalc_xlsx(inputs, tmp_path / "out")

    assert len(calls) == 2  # one batch call, one individual retry
    assert [cell_value(out, "A3") for out in outputs] == [0, 10, 20]


@pytest.mark.libreoffice
def test_recalc_names_inputs_without_output(soffice: str, tmp_path: Path) -> None:
    good = write_product_workbook(tmp_path / "good.xlsx", 2, 3)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not a workbook")

    with pytest.raises(RuntimeError, match=r"1 of 2 workbook\(s\)[\s\S]*broken\.xlsx"):
        recalc_xlsx([good, broken], tmp_path / "out", timeout=60)


def test_ensure_libreoffice_explains_when_it_cannot_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(libreoffice, "soffice_path", lambda: None)
    monkeypatch.setattr(libreoffice.os, "geteuid", lambda: 1000)

    with pytest.raises(RuntimeError, match="apt-get install libreoffice-calc-nogui python3-uno"):
        ensure_libreoffice()


def test_ensure_libreoffice_installs_with_apt_as_root(monkeypatch: pytest.MonkeyPatch) -> None:
    installed: list[bool] = []
    commands: list[list[str]] = []

    def fake_run(cmd, **kwargs):  # type: ignore[no-untyped-def]
        commands.append(list(cmd))
        assert kwargs["env"]["DEBIAN_FRONTEND"] == "noninteractive"
        if "install" in cmd:
            installed.append(True)
        return libreoffice.subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(libreoffice, "soffice_path", lambda: "/usr/bin/soffice" if installed else None)
    monkeypatch.setattr(libreoffice.shutil, "which", lambda name: "/usr/bin/apt-get")
    monkeypatch.setattr(libreoffice.os, "geteuid", lambda: 0)
    monkeypatch.setattr(libreoffice.subprocess, "run", fake_run)

    assert ensure_libreoffice() == "/usr/bin/soffice"
    assert commands == [
        ["/usr/bin/apt-get", "update"],
        ["/usr/bin/apt-get", "install", "-y", "-q", "libreoffice-calc-nogui", "python3-uno"],
    ]
