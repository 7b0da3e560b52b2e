"""Open a file a commune sent in any layout (.xlsx/.xlsm/.xls/.ods/.docx) as grids, safely.

Every file passes :func:`cchc_xl.safety.sniff` first (lock files, empty, encrypted, truncated, zip and XML
bombs). The verdicts that only say "not an .xlsx" are accepted here when the content really is the
format named: an OLE2 workbook (.xls), an OpenDocument spreadsheet (.ods) or a Word document (.docx), whose
zip is checked against the same decompression caps before a reader opens it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from cchc_xl.errors import UnusableInput
from cchc_xl.messages import say
from cchc_xl.ooxml.safety import Limits, sniff
from cchc_xl.sources.docx_tables import read_docx
from cchc_xl.sources.grid import Grid
from cchc_xl.sources.tabular import read_grids

FORMATS = (".xlsx", ".xlsm", ".xls", ".ods", ".docx")


def _zip_ok(path: Path, limits: Limits) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > limits.max_members:
                return False
            total = 0
            for info in infos:
                if info.file_size > limits.max_part_bytes:
                    return False
                total += info.file_size
            return total <= limits.max_total_bytes
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _bad(path: Path, detail: str) -> UnusableInput:
    return UnusableInput("unreadable-foreign", say("import-unreadable", path=path.name, detail=detail), str(path))


def gate(path: str | Path, limits: Limits | None = None) -> str:
    """The format of ``path`` ('xlsx', 'xlsm', 'xls', 'ods', 'docx'), or UnusableInput in Vietnamese."""
    p = Path(path)
    limits = limits or Limits()
    try:
        return sniff(p, limits)
    except UnusableInput as exc:
        suffix = p.suffix.lower()
        if exc.kind == "legacy-xls":
            return "xls"
        if exc.kind == "not-a-workbook" and suffix in (".ods", ".docx"):
            if not _zip_ok(p, limits):
                raise _bad(p, "tệp nén hỏng hoặc quá lớn khi giải nén") from None
            with zipfile.ZipFile(p) as zf:
                names = set(zf.namelist())
                mimetype = zf.read("mimetype")[:60] if "mimetype" in names else b""
            if suffix == ".ods" and mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
                return "ods"
            if suffix == ".docx" and "word/document.xml" in names:
                return "docx"
        raise


def read_foreign(path: str | Path) -> tuple[str, list[Grid], list[str], list[str]]:
    """(format, grids, paragraphs of a Word body, sheets skipped as too large)."""
    fmt = gate(path)
    try:
        if fmt == "docx":
            grids, paragraphs = read_docx(path)
            return fmt, grids, paragraphs, []
        grids, skipped = read_grids(path, fmt)
        return fmt, grids, [], skipped
    except UnusableInput:
        raise
    except Exception as exc:  # a damaged file a reader chokes on: one sentence, never a traceback
        raise _bad(Path(path), type(exc).__name__) from None
