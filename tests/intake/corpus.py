"""Build appendix files the way communes make them, each with the truth it must yield.

Every builder writes one file and returns a :class:`Variant`: where each printed row is (the location the
importer reports: ``sheet!B12`` / ``bảng 2, dòng 5``), the code it is, and the value printed there. The
figures are the seeds' own (``samples/data/*.yaml``). Layout knobs cover what clerks do by hand: a title
block and a merged two-row header at any row, reordered columns, an extra "Kỳ trước" column holding
*different* numbers, the header repeated mid-table, rows without STT, labels retyped with typos or without
diacritics, labels in TCVN3 (.VnTime) and VNI (VNI-Times), numbers typed as text, an extra row the form
does not have, one sheet for seven Biểu mẫu or seven Word tables.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from cchc_xl.model import vnencoding
from cchc_xl.model.catalog import Form, load_form
from cchc_xl.model.numbers import format_vn

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "samples" / "data"
EXTRA_LABEL = "Số cuộc họp giao ban về CCHC"  # a row no form has
EXTRA_VALUE = 4
EXTRA_STT = "1.3.4"


@dataclass
class Truth:
    where: str
    code: str | None  # None: a row the form does not have
    value: object  # as printed (None when blank)


@dataclass
class Variant:
    name: str
    path: Path
    form: str
    rows: list[Truth] = field(default_factory=list)
    libreoffice: bool = False

    @property
    def printed(self) -> dict[str, object]:
        """code → printed value, for rows of the form that print a value."""
        return {t.code: t.value for t in self.rows if t.code and t.value is not None}


# ------------------------------------------------------------------------------------------ figures
def figures(stem: str) -> dict[str, object]:
    """code → the value the seed prints (values, stated figures of derived rows, text)."""
    doc = yaml.safe_load((DATA / f"{stem}.yaml").read_text(encoding="utf-8"))
    out: dict[str, object] = {}
    for key in ("values", "stated", "text"):
        out.update({str(k): v for k, v in (doc.get(key) or {}).items() if k != "total"})
    return out


SEED_004 = "hoang-truong-nam-2023"
SEED_001 = "le-hong-6thang-2022"


# ---------------------------------------------------------------------------------------- label edits
def strip_diacritics(text: str) -> str:
    s = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in s if not unicodedata.combining(c)))


def typo(text: str) -> str:
    """One transposition inside the longest word (what a fast typist does)."""
    words = text.split(" ")
    i = max(range(len(words)), key=lambda k: len(words[k]))
    w = words[i]
    if len(w) >= 4:
        words[i] = w[0] + w[2] + w[1] + w[3:]
    return " ".join(words)


def _inverse(table: dict[str, str]) -> dict[str, str]:
    inv: dict[str, str] = {}
    for seq, uni in sorted(table.items(), key=lambda kv: len(kv[0])):
        inv.setdefault(uni, seq)
    return inv


def to_tcvn3(text: str) -> str:
    """Unicode → how Excel stores .VnTime keystrokes (capitals TCVN3 cannot write are lower-cased)."""
    high = {u: chr(0x80 + i) for i, u in enumerate(vnencoding._TCVN3_HIGH) if 0x80 + i != 0xA0}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch.isascii() or ch in "…–—“”":
            out.append(ch)
            continue
        b = high.get(ch) or high.get(ch.lower())
        if b is None:
            raise ValueError(ch)
        byte = ord(b)
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(b)
    return "".join(out)


def to_vni(text: str) -> str:
    inv = _inverse(vnencoding._vni_map())
    return "".join(inv.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


# ------------------------------------------------------------------------------------------- rows
@dataclass
class Row:
    stt: str
    label: str
    unit: str
    value: object
    code: str | None
    section: str | None = None
    previous: object = None


def form_rows(form: Form, values: dict[str, object], *, text_numbers: bool = False, no_stt: bool = False,
              label_edit=None, extra_after: str | None = None) -> list[Row]:
    rows = []
    for n, ind in enumerate(form.indicators):
        v = values.get(ind.code)
        if text_numbers and isinstance(v, int | float) and not isinstance(v, bool):
            v = format_vn(v) + ("%" if ind.kind == "percent" else "")
        printed = ind.printed
        label = ind.label if label_edit is None else label_edit(n, ind.label)
        prev = None
        if isinstance(values.get(ind.code), int) and ind.kind in ("count", "amount"):
            prev = values[ind.code] + 7  # a different number: picking Kỳ trước would be caught
        rows.append(Row("" if no_stt else printed, label, ind.unit, v, ind.code, ind.section, prev))
        if extra_after == ind.code:
            rows.append(Row("" if no_stt else EXTRA_STT, EXTRA_LABEL, "Cuộc", EXTRA_VALUE, None, ind.section))
    return rows


# ------------------------------------------------------------------------------------------- xlsx
HEAD_LINES = {
    "phu-luc-01b": ["UBND HUYỆN HOẰNG HÓA", "UBND XÃ HOẰNG TRƯỜNG", "Phụ lục 01b",
                    "THỐNG KÊ SỐ LIỆU VỀ KẾT QUẢ THỰC HIỆN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH NĂM 2023"],
    "hai-duong-bieu-mau-2022": ["UBND HUYỆN THANH MIỆN", "UBND XÃ LÊ HỒNG", "PHỤ LỤC",
                                "Thống kê số liệu về kết quả thực hiện công tác CCHC 6 tháng đầu năm 2022",
                                "(Kèm theo Báo cáo số 165/BC-UBND ngày 13/6/2022)"],
}


def write_xlsx(path: Path, form: Form, rows: list[Row], *, header_row: int = 9, order=("stt", "label", "unit",
               "value", "note"), previous: bool = False, two_row: bool = True, repeat_every: int = 0,
               font: str | None = None, sections: bool = False, value_header: str = "Số liệu",
               sheet_per_section: bool = False) -> list[Truth]:
    """One sheet: title block, header at ``header_row`` (1-based), rows; returns the truth."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Phu luc"
    cols = list(order)
    if previous:
        cols.insert(cols.index("value"), "previous")
    letter = {c: i + 1 for i, c in enumerate(cols)}
    heads = {"stt": "STT", "label": "Chỉ tiêu thống kê", "unit": "Đơn vị tính", "value": value_header,
             "note": "Ghi chú", "previous": "Kỳ trước"}
    style = Font(name=font) if font else None
    r = 1
    for line in HEAD_LINES.get(form.id, ["UBND XÃ AN BÌNH", f"{form.name}: {form.title}"]):
        ws.cell(r, 1, line)
        r += 1
    r = max(r, header_row - (1 if sections else 0))

    def header(at: int) -> int:
        if two_row:
            for c in cols:
                if c in ("unit", "value", "previous"):
                    ws.cell(at + 1, letter[c], heads[c])
                else:
                    ws.cell(at, letter[c], heads[c])
                    ws.merge_cells(start_row=at, start_column=letter[c], end_row=at + 1, end_column=letter[c])
            group = sorted(letter[c] for c in cols if c in ("unit", "value", "previous"))
            ws.cell(at, group[0], "Kết quả thống kê")
            if group == list(range(group[0], group[-1] + 1)) and len(group) > 1:
                ws.merge_cells(start_row=at, start_column=group[0], end_row=at, end_column=group[-1])
            return at + 2
        for c in cols:
            ws.cell(at, letter[c], heads[c])
        return at + 1

    truth: list[Truth] = []
    section = None
    since = 0
    if not sections:
        r = header(r)
    for row in rows:
        if sections and row.section != section:
            section = row.section
            sec = next(s for s in form.sections if s.id == section)
            if sheet_per_section and section != rows[0].section:
                ws = wb.create_sheet(sec.title)  # one Biểu mẫu per sheet, each with its own header
                r = 2
            r += 1 if section != rows[0].section else 0
            ws.cell(r, 1, f"{sec.title}: {sec.subtitle}")
            r = header(r + 1)
            since = 0
        if repeat_every and since and since % repeat_every == 0:
            r = header(r)
        since += 1
        values = {"stt": row.stt, "label": row.label, "unit": row.unit, "value": row.value, "note": None,
                  "previous": row.previous}
        for c in cols:
            v = values[c]
            if v is not None and v != "":
                cell = ws.cell(r, letter[c], v)
                if style is not None and c == "label":
                    cell.font = style
        truth.append(Truth(f"{ws.title}!{chr(64 + letter['label'])}{r}", row.code, row.value))
        r += 1
    ws.cell(r + 2, letter["label"], "NGƯỜI LẬP BIỂU")
    ws.cell(r + 2, letter["value"] if letter["value"] > letter["label"] else letter["label"] + 2, "CHỦ TỊCH")
    wb.save(path)
    return truth


# ------------------------------------------------------------------------------------------- docx
def write_docx(path: Path, form: Form, tables: list[list[Row]], *, font: str | None = None,
               merged_trong_do: bool = True, repeat_every: int = 0, title_per_table: bool = True) -> list[Truth]:
    """A narrative Word report with the appendix as one Word table per list of rows."""
    import docx
    from docx.shared import Pt

    doc = docx.Document()
    for line in HEAD_LINES[form.id][:2]:
        doc.add_paragraph(line)
    doc.add_paragraph("BÁO CÁO")
    doc.add_paragraph("Kết quả thực hiện công tác cải cách hành chính — nội dung tường thuật của xã ...")
    doc.add_paragraph("Người lập: cán bộ văn phòng")
    for line in HEAD_LINES[form.id][2:]:
        doc.add_paragraph(line)
    truth: list[Truth] = []
    for t_index, rows in enumerate(tables, start=1):
        if title_per_table and rows and rows[0].section:
            sec = next(s for s in form.sections if s.id == rows[0].section)
            doc.add_paragraph(sec.title)
            doc.add_paragraph(sec.subtitle)
        table = doc.add_table(rows=0, cols=5)

        def header(table=table):
            a = table.add_row().cells
            b = table.add_row().cells
            a[0].text, a[1].text, a[2].text, a[4].text = "STT", "Chỉ tiêu thống kê", "Kết quả thống kê", "Ghi chú"
            b[2].text, b[3].text = "Đơn vị tính", "Số liệu"
            a[2].merge(a[3])
            for k in (0, 1, 4):
                a[k].merge(b[k])

        header()
        since = 0
        for row in rows:
            if repeat_every and since and since % repeat_every == 0:
                header()
            since += 1
            cells = table.add_row().cells
            index = len(table.rows)
            stt = row.stt
            if stt == "Trong đó" and merged_trong_do:
                stt = "Trong đó:"
            cells[0].text = stt
            cells[1].text = row.label
            cells[2].text = row.unit
            cells[3].text = "" if row.value is None else str(row.value)
            if font:
                for k in (1,):
                    for run in cells[k].paragraphs[0].runs:
                        run.font.name = font
                        run.font.size = Pt(12)
            truth.append(Truth(f"bảng {t_index}, dòng {index}", row.code, row.value))
        doc.add_paragraph("")
    doc.add_paragraph("Nơi nhận: — UBND huyện; — Lưu VT.")
    doc.save(path)
    return truth


# --------------------------------------------------------------------------------------- LibreOffice
def convert(src: Path, fmt: str) -> Path:
    """``src`` saved as ``fmt`` (xls, ods) by LibreOffice headless, beside it."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("soffice not found")
    with tempfile.TemporaryDirectory(prefix="cchc_lo_profile_") as profile:
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                        "--convert-to", fmt, "--outdir", str(src.parent), str(src)],
                       check=True, capture_output=True, timeout=180)
    out = src.with_suffix("." + fmt)
    if not out.is_file():
        raise RuntimeError(f"LibreOffice produced no {fmt}")
    return out


# ----------------------------------------------------------------------------------------- variants
def _every(k: int, edit):
    return lambda n, label: edit(label) if n % k == 0 else label


def _sections(rows: list[Row]) -> list[list[Row]]:
    out: list[list[Row]] = []
    for row in rows:
        if not out or out[-1][0].section != row.section:
            out.append([])
        out[-1].append(row)
    return out


def build_corpus(folder: Path, libreoffice: bool = False) -> list[Variant]:
    """Every layout variant written into ``folder`` (the LibreOffice-saved ones only when asked)."""
    folder.mkdir(parents=True, exist_ok=True)
    f01b, fhd = load_form("phu-luc-01b"), load_form("hai-duong-bieu-mau-2022")
    v004, v001 = figures(SEED_004), figures(SEED_001)
    out: list[Variant] = []

    def xlsx(name, form, rows, **kw):
        path = folder / f"{name}.xlsx"
        out.append(Variant(name, path, form.id, write_xlsx(path, form, rows, **kw)))
        return out[-1]

    def docx_(name, form, tables, **kw):
        path = folder / f"{name}.docx"
        out.append(Variant(name, path, form.id, write_docx(path, form, tables, **kw)))
        return out[-1]

    docx_("w004-phu-luc-word", f01b, [form_rows(f01b, v004)], repeat_every=30)
    docx_("w001-bay-bang-word", fhd, _sections(form_rows(fhd, v001)))
    xlsx("x001-mot-trang", fhd, form_rows(fhd, v001), sections=True)
    xlsx("x001-mot-trang-khong-tieu-de-bieu", fhd, form_rows(fhd, v001), two_row=False)
    xlsx("x004-tieu-de-dong-9", f01b, form_rows(f01b, v004), header_row=9)
    reordered = xlsx("x004-cot-dao-ky-truoc", f01b, form_rows(f01b, v004), header_row=12,
                     order=("label", "stt", "note", "unit", "value"), previous=True)
    xlsx("x004-tcvn3", f01b, form_rows(f01b, v004, label_edit=lambda n, s: to_tcvn3(s)), font=".VnTime")
    docx_("w004-vni-word", f01b, [form_rows(f01b, v004, label_edit=lambda n, s: to_vni(s))], font="VNI-Times")
    docx_("w001-tcvn3-word", fhd, _sections(form_rows(fhd, v001, label_edit=lambda n, s: to_tcvn3(s))),
          font=".VnTime")
    xlsx("x004-go-sai-khong-dau", f01b, form_rows(
        f01b, v004, label_edit=lambda n, s: typo(s) if n % 3 == 0 else (strip_diacritics(s) if n % 3 == 1 else s)))
    xlsx("x001-khong-dau", fhd, form_rows(fhd, v001, label_edit=lambda n, s: strip_diacritics(s)), sections=True)
    xlsx("x004-khong-stt", f01b, form_rows(f01b, v004, no_stt=True))
    xlsx("x004-dong-thua", f01b, form_rows(f01b, v004, extra_after="1.3.3"))
    xlsx("x004-lap-tieu-de", f01b, form_rows(f01b, v004), two_row=False, repeat_every=20)
    xlsx("x004-so-dang-chu", f01b, form_rows(f01b, v004, text_numbers=True))
    xlsx("x001-moi-bieu-mot-trang", fhd, form_rows(fhd, v001), sections=True, sheet_per_section=True,
         two_row=False)
    xlsx("x001-ky-nay", fhd, form_rows(fhd, v001, text_numbers=True), sections=True, previous=True,
         value_header="Kỳ này")
    traps = form_rows(f01b, v004)
    at = {r.code: n for n, r in enumerate(traps)}
    traps[at["1.4.1"]].stt = "1.4.3"  # STT mistyped, label right: the label decides
    traps[at["3.2.4"]].label = "Tỷ lệ TTHC có quy trình ISO"  # retyped beyond recognition: listed, left blank
    traps.insert(at["1.3.3"] + 1, Row("1.3.4", "Số nhiệm vụ đã hoàn thành trước hạn", "Nhiệm vụ", 3, None))
    traps.insert(at["2.5"] + 2, Row("", "Số văn bản đã ban hành", "Văn bản", 9, None))  # vague, no STT
    xlsx("x004-bay", f01b, traps)
    if libreoffice:
        for fmt in ("xls", "ods"):
            path = convert(reordered.path, fmt)
            out.append(Variant(f"{reordered.name}-{fmt}", path, f01b.id, reordered.rows, libreoffice=True))
        tcvn = next(v for v in out if v.name == "x004-tcvn3")
        path = convert(tcvn.path, "xls")
        out.append(Variant("x004-tcvn3-xls", path, f01b.id, tcvn.rows, libreoffice=True))
    return out
