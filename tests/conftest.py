"""Shared fixtures: the repository paths, freshly built workbooks, and the LibreOffice oracle."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # make ``tests.support`` importable however pytest is started
    sys.path.insert(0, str(ROOT))

SAMPLES = ROOT / "samples"
TEMPLATES = ROOT / "workbook_templates"
SAMPLE_DATA = sorted((SAMPLES / "data").glob("*.yaml"))


@pytest.fixture(scope="session")
def built_samples(tmp_path_factory) -> dict[str, Path]:
    """Every sample data file turned into a workbook with ``new`` (once per session)."""
    from cchc_xl.commands.new import new_workbook

    out = tmp_path_factory.mktemp("samples")
    paths = {}
    for data in SAMPLE_DATA:
        path = out / f"{data.stem}.xlsx"
        new_workbook(data, path)
        paths[data.stem] = path
    return paths


IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
ORACLE_MARKERS = ("libreoffice", "gnumeric")


@pytest.fixture(scope="session")
def soffice() -> str:
    from tests.support.libreoffice import ensure_libreoffice

    try:
        return ensure_libreoffice()
    except RuntimeError as exc:  # pragma: no cover - CI installs it; say why when it cannot
        if IN_CI:
            pytest.fail(f"LibreOffice unavailable in CI: {exc}")
        pytest.skip(f"LibreOffice unavailable: {exc}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI a skipped oracle test is a failure: a green run must mean the engines were really compared."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and any(item.get_closest_marker(m) for m in ORACLE_MARKERS):
        report.outcome = "failed"
        report.longrepr = f"oracle test skipped in CI (CI=true): {report.longrepr}"
