"""Compare two xlsx packages part by part, XlsxWriter-style: XML parsed, volatile content stripped.

Each caller declares what it ignores (whole parts, or elements by tag in a part). A difference names the
part and the first element that differs, with its attributes, so a failure says where to look.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from defusedxml import ElementTree as ET

# Content that changes from run to run without meaning anything: file times and the application stamp.
VOLATILE = {
    "docProps/core.xml": ("{http://purl.org/dc/terms/}created", "{http://purl.org/dc/terms/}modified"),
    "docProps/app.xml": ("{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}AppVersion",),
}


def _strip(part: str, root, ignore_tags: tuple[str, ...]) -> None:
    drop = VOLATILE.get(part, ()) + ignore_tags
    for parent in root.iter():
        for child in list(parent):
            if child.tag in drop or any(child.tag.endswith("}" + t) for t in ignore_tags):
                parent.remove(child)


def _describe(el) -> str:
    attrs = " ".join(f'{re.sub(r"{.*}", "", k)}="{v}"' for k, v in sorted(el.attrib.items()))
    return f"<{re.sub(r'{.*}', '', el.tag)}{' ' + attrs if attrs else ''}>"


def _first_difference(a, b, path: str = "") -> str | None:
    here = f"{path}/{_describe(a)}"
    if a.tag != b.tag or a.attrib != b.attrib:
        return f"{here} ≠ {_describe(b)}"
    if (a.text or "").strip() != (b.text or "").strip():
        return f"{here} text {a.text!r} ≠ {b.text!r}"
    ka, kb = list(a), list(b)
    for x, y in zip(ka, kb, strict=False):
        found = _first_difference(x, y, here)
        if found:
            return found
    if len(ka) != len(kb):
        extra = (ka if len(ka) > len(kb) else kb)[min(len(ka), len(kb))]
        return f"{here}: {len(ka)} children ≠ {len(kb)} (first extra {_describe(extra)})"
    return None


def compare_xlsx(got: Path, expected: Path, ignore_parts: tuple[str, ...] = (),
                 ignore_elements: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """Differences between two packages, one line per part: ``part: where it first differs``."""
    ignore_elements = ignore_elements or {}
    out: list[str] = []
    with zipfile.ZipFile(got) as zg, zipfile.ZipFile(expected) as ze:
        pg = {n for n in zg.namelist() if n not in ignore_parts}
        pe = {n for n in ze.namelist() if n not in ignore_parts}
        out += [f"{n}: only in the output" for n in sorted(pg - pe)]
        out += [f"{n}: missing from the output" for n in sorted(pe - pg)]
        for name in sorted(pg & pe):
            a, b = zg.read(name), ze.read(name)
            if a == b:
                continue
            if not name.endswith((".xml", ".rels", ".vml")):
                out.append(f"{name}: binary content differs")
                continue
            ra, rb = ET.fromstring(a), ET.fromstring(b)
            _strip(name, ra, ignore_elements.get(name, ()))
            _strip(name, rb, ignore_elements.get(name, ()))
            found = _first_difference(ra, rb)
            if found:
                out.append(f"{name}: {found}")
    return out
