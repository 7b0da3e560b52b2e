"""Print setup shared by every workbook cchc-xl writes: A4, orientation, fit to width, repeated headers,
and row heights estimated for wrapped text.

Neither Excel nor LibreOffice reliably grows a row to fit wrapped text when the file comes from a writer
(Excel never recomputes a height on open), so a long label or note would print over the next row. Rows
holding wrapped text therefore get an explicit height from :func:`row_height`, which estimates the lines a
text takes in a column of a given width (Times New Roman 12 pt: about 1.1 characters per width unit).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache

A4 = 9  # the paper code of OOXML / XlsxWriter
LINE_POINTS = 15.75  # one line of 12 pt text
CHARS_PER_UNIT = 1.2  # characters of 12 pt Times New Roman per column-width unit (LibreOffice PDF), conservative


def lines_needed(text: object, width: float) -> int:
    """Lines a wrapped text takes in a column ``width`` units wide (explicit line breaks kept)."""
    if text is None or text == "":
        return 1
    return _lines(str(text), width)


@lru_cache(maxsize=8192)  # labels, names and rank texts repeat on every row of the long tables
def _lines(text: str, width: float) -> int:
    per_line = max(1, int(width * CHARS_PER_UNIT) - 1)
    total = 0
    for part in text.split("\n"):
        words, line, count = part.split(" "), 0, 1
        for w in words:
            n = len(w)
            if line and line + 1 + n > per_line:
                count += 1
                line = 0
            while n > per_line:  # a word longer than the line breaks anywhere
                count += 1
                n -= per_line
            line = line + (1 if line else 0) + n
        total += count
    return total


def row_height(cells: Iterable[tuple[object, float]], minimum: float = LINE_POINTS + 2) -> float:
    """Height in points for a row whose cells hold (text, column width): the tallest cell decides."""
    lines = max((lines_needed(t, w) for t, w in cells), default=1)
    return max(minimum, math.ceil(lines * LINE_POINTS + 3))


def setup_xlsxwriter(ws, *, landscape: bool, header: tuple[int, int] | None = None,
                     repeat_cols: tuple[int, int] | None = None, fit_width: bool = True,
                     area: tuple[int, int, int, int] | None = None, footer: bool = True) -> None:
    """A4, the given orientation, fit to one page wide (any number of pages tall), header rows repeated,
    small margins, page numbers in the footer; ``area`` limits printing (hidden helper columns stay off)."""
    ws.set_paper(A4)
    ws.set_landscape() if landscape else ws.set_portrait()
    ws.set_margins(left=0.5, right=0.4, top=0.55, bottom=0.6)
    if fit_width:
        ws.fit_to_pages(1, 0)
    if header is not None:
        ws.repeat_rows(*header)
    if repeat_cols is not None:
        ws.repeat_columns(*repeat_cols)
    if area is not None:
        ws.print_area(*area)
    if footer:
        ws.set_footer("&C&\"Times New Roman\"&10Trang &P/&N")
    ws.center_horizontally()


def setup_openpyxl(ws, *, landscape: bool, header_rows: str | None = None, fit_width: bool = True,
                   freeze: str | None = None) -> None:
    """The same print setup for a sheet written with openpyxl (the annotated copy of ``validate``)."""
    ws.page_setup.paperSize = A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    if fit_width:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    ws.page_margins.left, ws.page_margins.right = 0.5, 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.55, 0.75
    ws.page_margins.footer = 0.3
    if header_rows:
        ws.print_title_rows = header_rows
    if freeze:
        ws.freeze_panes = freeze
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.print_options.horizontalCentered = True


def print_visible_columns_openpyxl(ws) -> None:
    """Limit printing to the columns left of the first hidden column (a hidden helper column, e.g. codes,
    then never prints, not even as text overflowing from it), unless the sheet has its own print area."""
    from openpyxl.utils import get_column_letter

    if ws.print_area:
        return
    hidden = sorted(c for d in ws.column_dimensions.values() if d.hidden and d.min
                    for c in range(d.min, (d.max or d.min) + 1) if c > 1)
    if hidden:
        ws.print_area = f"A1:{get_column_letter(hidden[0] - 1)}{max(ws.max_row, 1)}"
