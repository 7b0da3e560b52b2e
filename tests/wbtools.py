"""Test helpers that damage workbooks the ways staff and other tools do (without going through our checks)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from cchc_xl.ooxml.reader import workbook_index
from cchc_xl.ooxml.writer import CellWrite, write_cells


def raw_write(src: Path, dst: Path, values: dict[str, object]) -> Path:
    """Write raw values into named cells (a constant over a formula, text in a number cell, …)."""
    names = workbook_index(src).names
    write_cells(src, dst, {names[name]: CellWrite(value) for name, value in values.items()})
    return dst


def rewrite_part(src: Path, dst: Path, part: str, edit) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                data = edit(data)
            zout.writestr(info, data)
    return dst


def rename_sheet(src: Path, dst: Path, old: str, new: str) -> Path:
    """Rename a sheet the way Excel does: the sheet entry and every defined name that points at it."""

    def edit(xml: bytes) -> bytes:
        xml = xml.replace(f'name="{old}"'.encode(), f'name="{new}"'.encode())
        return xml.replace(f"'{old}'!".encode(), f"'{new}'!".encode())

    return rewrite_part(src, dst, "xl/workbook.xml", edit)


def insert_rows(src: Path, dst: Path, sheet: str, before_row: int, count: int = 1) -> Path:
    """Insert rows with openpyxl and move the defined names below them, as Excel would."""
    import openpyxl

    wb = openpyxl.load_workbook(src)
    wb[sheet].insert_rows(before_row, count)
    for _name, dn in list(wb.defined_names.items()):
        m = re.match(r"^'(.+)'!\$([A-Z]+)\$(\d+)$", dn.attr_text)
        if m and m.group(1) == sheet and int(m.group(3)) >= before_row:
            dn.attr_text = f"'{sheet}'!${m.group(2)}${int(m.group(3)) + count}"
    wb.save(dst)
    return dst
