"""Tables in (CSV/XLSX/DataFrame → per-commune data documents): properties of the reader and the checks."""

from __future__ import annotations

import csv
import io
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_xl.commands.batch import slug
from cchc_xl.model.catalog import framework_for, load_form
from cchc_xl.sources.table import read_table, wide_rows

FORM = load_form("hai-duong-bieu-mau-2022")
FW = framework_for(FORM)
COUNT_CODES = [i.code for i in FORM.inputs if i.kind == "count"][:4]

good = st.one_of(st.integers(0, 10**6), st.integers(0, 10**6).map(str),
                 st.integers(1000, 10**6).map(lambda n: f"{n:,}".replace(",", ".")))  # "1.224" read as 1224
bad = st.sampled_from(["abc", "-3", "2,5", "1/2", "TRUE", "=SUM(A1)"])
cell = st.one_of(good.map(lambda v: ("ok", v)), bad.map(lambda v: ("bad", v)), st.just(("blank", "")))


def csv_text(rows: list[list[object]]) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(cell, min_size=len(COUNT_CODES), max_size=len(COUNT_CODES)), min_size=1, max_size=6))
def test_a_row_gets_a_document_exactly_when_all_its_cells_are_valid(tmp_path_factory, grid):
    header = ["ma_xa", "xa", *COUNT_CODES]
    body = [[str(100 + i), f"Xã {i}", *(v for _k, v in row)] for i, row in enumerate(grid)]
    path = tmp_path_factory.mktemp("t") / "ds.csv"
    path.write_text(csv_text([header, *body]), encoding="utf-8")
    rows = wide_rows(read_table(path), FORM, FW)
    assert len(rows) == len(grid)
    for n, (row, cells) in enumerate(zip(rows, grid, strict=True)):
        bad_cols = [c for c, (k, _v) in enumerate(cells) if k == "bad"]
        assert (row.doc is None) == bool(bad_cols)
        assert len(row.problems) == len(bad_cols)
        for p, c in zip(row.problems, bad_cols, strict=True):
            assert p.startswith(f"ds.csv, dòng {n + 2} (Xã {n}), cột {'CDEF'[c]} “{COUNT_CODES[c]}”: ")
        if row.doc is not None:
            assert set(row.doc["values"]) == {COUNT_CODES[c] for c, (k, _v) in enumerate(cells) if k == "ok"}
            assert row.doc["meta"] == {"ma_xa": str(100 + n), "xa": f"Xã {n}"}


@given(st.text(max_size=40))
def test_slug_is_always_a_safe_file_name_part(text):
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*|", slug(text))


def test_slug_keeps_vietnamese_letters_readable():
    assert slug("Hoằng Trường") == "hoang-truong" and slug("Quảng Đức") == "quang-duc"
