"""A non-editable install carries its package data: catalogs and the VBA macros, so it builds .xlsm files."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                    "-w", str(out), str(ROOT)], check=True, capture_output=True, timeout=300)
    return next(out.glob("cchc_xl-*.whl"))


def test_wheel_carries_catalogs_and_macros(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "cchc_xl/macros/CchcKiemTra.bas" in names
    assert "cchc_xl/catalogs/forms/phu-luc-01b.yaml" in names
    assert "cchc_xl/catalogs/frameworks/chi-so-cchc-xa-hai-duong-2022.csv" in names


def test_installed_package_builds_an_xlsm_with_its_macros(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    out = tmp_path / "xa.xlsm"
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import cchc_xl, pathlib;"
        "assert pathlib.Path(cchc_xl.__file__).is_relative_to(sys.argv[1]), cchc_xl.__file__;"
        "from cchc_xl.cli import main; sys.exit(main(['new', '--xlsm', sys.argv[2], '-o', sys.argv[3]]))"
    )
    run = subprocess.run([sys.executable, "-c", code, str(site), str(ROOT / "samples/data/hoang-truong-nam-2023.yaml"),
                          str(out)], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": ""})
    assert run.returncode == 0, run.stderr
    with zipfile.ZipFile(out) as z:
        assert "xl/vbaProject.bin" in z.namelist()
        vba = z.read("xl/vbaProject.bin")
    assert b"KiemTra" in vba or "KiemTra".encode("utf-16-le") in vba
