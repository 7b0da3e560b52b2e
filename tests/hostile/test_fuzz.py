"""Fuzz: mutate the XML of a good workbook (attributes, element order, numbers, names, deletions, cuts) and
hold every command to its promises: exit 0, 1 or 2 (never 3), no traceback, no internal error, the input
unchanged, a Vietnamese reason when refused."""

from __future__ import annotations

import contextlib
import io
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_xl.cli import main
from tests.hostile import damage as d
from tests.hostile.helpers import VIETNAMESE, sha

BASE_PARTS = d.members(d.BASE)
TARGETS = [d.sheet_part(d.BASE, d.STAT), d.sheet_part(d.BASE, d.INFO), d.sheet_part(d.BASE, d.SCORE),
           "xl/workbook.xml", "xl/sharedStrings.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"]
VALUES = st.one_of(
    st.integers(-5, 2_000_000).map(str),
    st.sampled_from(["", "A1", "XFD1048576", "D0", "ZZZ99", "#REF!", "1e308", "NaN", "s", "str", "inlineStr",
                     "shared", "'Phụ lục'!$D$8", "[1]X!A1", "-1", "99999999999"]),
    st.text(alphabet="abcĐđăâêôơư0123456789 !$:'.", max_size=12),
)
_ATTR = re.compile(rb'(\s[\w:]+=")([^"]*)(")')
_ROW = re.compile(rb"<row\b[^>]*?(?:/>|>.*?</row>)", re.S)
_CELL = re.compile(rb"<c\b[^>]*?(?:/>|>.*?</c>)", re.S)
_V = re.compile(rb"(<v>)([^<]*)(</v>)")
_NAME = re.compile(rb"(<definedName\b[^>]*>)([^<]*)(</definedName>)")


def _pick(data, pattern: re.Pattern, xml: bytes):
    found = list(pattern.finditer(xml))
    return data.draw(st.sampled_from(found)) if found else None


def mutate(data, xml: bytes) -> bytes:
    kind = data.draw(st.sampled_from(["attribute", "swap", "number", "name", "delete", "cut", "duplicate"]))
    if kind == "attribute" and (m := _pick(data, _ATTR, xml)):
        return xml[:m.start(2)] + data.draw(VALUES).encode() + xml[m.end(2):]
    if kind == "swap":
        rows = list(_ROW.finditer(xml))
        if len(rows) >= 2:
            i, j = sorted(data.draw(st.lists(st.integers(0, len(rows) - 1), min_size=2, max_size=2, unique=True)))
            a, b = rows[i], rows[j]
            return xml[:a.start()] + b.group(0) + xml[a.end():b.start()] + a.group(0) + xml[b.end():]
    if kind == "number" and (m := _pick(data, _V, xml)):
        return xml[:m.start(2)] + data.draw(VALUES).encode() + xml[m.end(2):]
    if kind == "name" and (m := _pick(data, _NAME, xml)):
        return xml[:m.start(2)] + data.draw(VALUES).encode() + xml[m.end(2):]
    if kind == "delete" and (m := _pick(data, _CELL, xml) or _pick(data, _ROW, xml)):
        return xml[:m.start()] + xml[m.end():]
    if kind == "duplicate" and (m := _pick(data, _CELL, xml)):
        return xml[:m.end()] + m.group(0) + xml[m.end():]
    if kind == "cut":
        return xml[: data.draw(st.integers(0, len(xml)))]
    return xml


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_xml_keeps_every_promise(data):
    parts = dict(BASE_PARTS)
    for _ in range(data.draw(st.integers(1, 3))):
        target = data.draw(st.sampled_from(TARGETS))
        parts[target] = mutate(data, parts[target])
    with tempfile.TemporaryDirectory() as tmp:
        path = d.write_members(Path(tmp) / "xa.xlsx", parts)
        before = sha(path)
        for args in (["validate", str(path)], ["show", str(path)],
                     ["recompute", str(path), "-o", str(Path(tmp) / "r.xlsx")]):
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                rc = main(args)
            text = out.getvalue() + err.getvalue()
            assert rc in (0, 1, 2), (args[0], rc, text[-1500:])
            assert "Traceback" not in text and "Lỗi nội bộ" not in text, text[-1500:]
            if rc == 2:
                assert VIETNAMESE & set(text.lower()), text
        assert sha(path) == before
