"""Generator for a corpus of bad (and two good) workbooks, one file per case, for tests of cchc_xl.ooxml.safety.

``make_corpus(dir)`` writes every case into `dir` and returns ``{case: Path}``; ``EXPECTED[case]`` is the
``UnusableInput.kind`` that ``sniff`` must raise for it, or the string ``sniff`` must return.
All files are small (the largest is a few hundred KB); bombs rely on ratios and lying headers, not size.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import xlsxwriter

XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"

EXPECTED: dict[str, str] = {
    "lock-file": "lock-file",
    "libreoffice-lock": "lock-file",
    "empty-file": "empty-file",
    "pdf": "not-a-workbook",
    "csv": "not-a-workbook",
    "docx": "not-a-workbook",
    "truncated-zip": "truncated-zip",
    "bad-crc": "truncated-zip",
    "encrypted": "encrypted",
    "legacy-xls": "legacy-xls",
    "zip-bomb": "zip-bomb",
    "header-lies": "zip-bomb",
    "xml-bomb": "xml-bomb",
    "bad-xml": "bad-xml",
    "missing-part": "missing-part",
    "good-xlsx": "xlsx",
    "good-xlsm": "xlsm",
}

PASSWORD = "MatKhau@123"

BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets>
<sheet name="&lol9;" sheetId="1" r:id="rId1"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></sheets></workbook>
"""


# ----------------------------------------------------------------------------------------- good files


def good_xlsx_bytes(rows: int = 400) -> bytes:
    """A real workbook written by XlsxWriter (Vietnamese labels, numbers, a formula)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("Báo cáo")
    ws.write_row(0, 0, ["Mã", "Chỉ tiêu thống kê", "Số liệu"])
    for r in range(1, rows + 1):
        ws.write_row(r, 0, [f"{r}.1", f"Số hồ sơ tiếp nhận trong kỳ — dòng {r}", r * 7])
    ws.write_formula(rows + 1, 2, f"=SUM(C2:C{rows + 1})")
    wb.close()
    return buf.getvalue()


def rewrite_zip(
    data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """Copy a zip, replacing and adding members (deflated)."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def good_xlsm_bytes() -> bytes:
    """The good workbook with the main part declared macro-enabled (what makes Excel treat it as .xlsm)."""
    data = good_xlsx_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        ct = zf.read("[Content_Types].xml")
    assert XLSX_MAIN.encode() in ct
    return rewrite_zip(data, {"[Content_Types].xml": ct.replace(XLSX_MAIN.encode(), XLSM_MAIN.encode())})


# ----------------------------------------------------------------------------------------- OLE (CFB)


def cfb_bytes(streams: dict[str, bytes]) -> bytes:
    """A minimal Compound File Binary (v3, 512-byte sectors) holding root-level streams.

    Every stream is padded to at least 4096 bytes so it lives in regular sectors (no mini stream needed).
    Supports up to 3 streams and 127 sectors (one FAT sector) — plenty for test fixtures.
    """
    free, end, fatsect, nostream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    names = list(streams)
    assert 1 <= len(names) <= 3
    padded = {n: streams[n] + b"\0" * max(0, 4096 - len(streams[n])) for n in names}

    fat = [fatsect, end]  # sector 0 = FAT, sector 1 = directory
    starts, data = {}, bytearray()
    for n in names:
        body = padded[n] + b"\0" * (-len(padded[n]) % 512)
        count = len(body) // 512
        first = len(fat)
        starts[n] = first
        fat += [first + i + 1 for i in range(count - 1)] + [end]
        data += body
    assert len(fat) <= 128
    fat += [free] * (128 - len(fat))

    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x003E, 0x0003, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 76, 0, *([free] * 108))

    def entry(name: str, kind: int, left: int, right: int, child: int, start: int, size: int) -> bytes:
        e = bytearray(128)
        encoded = name.encode("utf-16-le")
        e[0 : len(encoded)] = encoded
        struct.pack_into("<HBB", e, 64, len(encoded) + 2 if name else 0, kind, 1 if name else 0)  # black
        struct.pack_into("<III", e, 68, left, right, child)
        struct.pack_into("<IQ", e, 116, start, size)
        return bytes(e)

    # Directory: root (id 0) -> child is the middle stream; siblings form a tiny balanced tree.
    # CFB orders siblings by name length, then upper-cased name.
    order = sorted(range(len(names)), key=lambda i: (len(names[i]), names[i].upper()))
    ids = {names[i]: pos + 1 for pos, i in enumerate(order)}
    ordered = [names[i] for i in order]
    mid = len(ordered) // 2
    links = {n: (nostream, nostream) for n in ordered}
    if len(ordered) >= 2:
        links[ordered[mid]] = (
            ids[ordered[mid - 1]],
            ids[ordered[mid + 1]] if mid + 1 < len(ordered) else nostream,
        )
    directory = entry("Root Entry", 5, nostream, nostream, ids[ordered[mid]], end, 0)
    for n in ordered:
        directory += entry(n, 2, *links[n], nostream, starts[n], len(padded[n]))
    directory += entry("", 0, nostream, nostream, nostream, 0, 0) * (3 - len(ordered))  # unused slots

    fat_sector = struct.pack("<128I", *fat)
    return bytes(header) + fat_sector + directory + bytes(data)


def legacy_xls_bytes() -> bytes:
    """An Excel 97-2003 look-alike: a CFB with a `Workbook` stream starting with a BIFF8 BOF record."""
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06)
    eof = struct.pack("<HH", 0x000A, 0)
    return cfb_bytes({"Workbook": bof + eof})


def encrypted_xlsx_bytes() -> bytes:
    """A real password-protected workbook (ECMA-376 agile encryption) made with msoffcrypto-tool.

    Falls back to a hand-made CFB with `EncryptionInfo`/`EncryptedPackage` streams if encryption is unavailable.
    """
    try:
        from msoffcrypto.format.ooxml import OOXMLFile

        out = io.BytesIO()
        OOXMLFile(io.BytesIO(good_xlsx_bytes(rows=20))).encrypt(PASSWORD, out)
        return out.getvalue()
    except Exception:
        return cfb_bytes(
            {
                "EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00<encryption/>",
                "EncryptedPackage": b"\x00" * 64,
            }
        )


# ------------------------------------------------------------------------------------------- bad zips


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
            'document.main+xml"/></Types>',
        )
        zf.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Báo cáo</w:t></w:r></w:p></w:body></w:document>',
        )
    return out.getvalue()


def zip_bomb_bytes(zeros: int = 40 * 2**20) -> bytes:
    """A valid workbook plus a member of `zeros` zero bytes (~1000:1 ratio, over the default 200 limit beyond 16 MiB)."""
    return rewrite_zip(good_xlsx_bytes(rows=5), add={"xl/media/image1.bin": bytes(zeros)})


def header_lies_bytes(real: int = 5 * 2**20, declared: int = 1000) -> bytes:
    """A workbook whose extra member claims `declared` bytes (local and central headers) but inflates to `real`."""
    name = "xl/media/image1.bin"
    data = bytearray(rewrite_zip(good_xlsx_bytes(rows=5), add={name: bytes(real)}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        offset = zf.getinfo(name).header_offset
    assert data[offset : offset + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, offset + 22, declared)  # local header: uncompressed size
    central = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02"))
    while True:  # find this member's central-directory record
        name_len = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_len] == name.encode():
            break
        central = data.find(b"PK\x01\x02", central + 4)
        assert central > 0
    struct.pack_into("<I", data, central + 24, declared)  # central directory: uncompressed size
    return bytes(data)


def bad_crc_bytes() -> bytes:
    """A complete zip (directory intact) whose stored member's data was altered, so only the CRC check fails."""
    out = io.BytesIO()
    good = good_xlsx_bytes(rows=5)
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
    data = bytearray(out.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.file_size // 2] ^= 0x01
    return bytes(data)


def xml_bomb_bytes() -> bytes:
    return rewrite_zip(good_xlsx_bytes(rows=5), {"xl/workbook.xml": BILLION_LAUGHS})


def bad_xml_bytes() -> bytes:
    return rewrite_zip(good_xlsx_bytes(rows=5), {"xl/workbook.xml": b"<workbook><sheets></workbook"})


# --------------------------------------------------------------------------------------------- corpus


def _without(data: bytes, member: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != member:
                dst.writestr(info.filename, src.read(info.filename))
    return out.getvalue()


def make_corpus(dir) -> dict[str, Path]:
    """Write one file per case into `dir` (created if needed); return ``{case: path}`` (see EXPECTED)."""
    d = Path(dir)
    d.mkdir(parents=True, exist_ok=True)
    good = good_xlsx_bytes()
    # Excel's owner file: length byte + user name padded to 54 bytes, then the name again in UTF-16, 162 bytes.
    user = "Nguyen Van A"
    owner = bytes([len(user)]) + user.encode().ljust(53, b" ") + struct.pack("<H", len(user))
    owner = (owner + user.encode("utf-16-le")).ljust(162, b"\x00")
    files: dict[str, tuple[str, bytes]] = {
        "lock-file": ("~$bao-cao.xlsx", owner),
        "libreoffice-lock": (".~lock.bao-cao.xlsx#", b"Nguyen Van A,may-tinh,may-tinh,21.11.2025 08:00,\n"),
        "empty-file": ("trong.xlsx", b""),
        "pdf": (
            "bao-cao-pdf.xlsx",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
        ),
        "csv": (
            "so-lieu-csv.xlsx",
            "Mã,Chỉ tiêu,Số liệu\n1.1,Số hồ sơ tiếp nhận,120\n1.2,Số hồ sơ giải quyết đúng hạn,118\n".encode(),
        ),
        "docx": ("van-ban.xlsx", docx_bytes()),
        "truncated-zip": ("bi-cat.xlsx", good[: len(good) // 2]),
        "bad-crc": ("sai-crc.xlsx", bad_crc_bytes()),
        "encrypted": ("co-mat-khau.xlsx", encrypted_xlsx_bytes()),
        "legacy-xls": ("ban-cu.xlsx", legacy_xls_bytes()),
        "zip-bomb": ("bom-nen.xlsx", zip_bomb_bytes()),
        "header-lies": ("khai-sai-kich-thuoc.xlsx", header_lies_bytes()),
        "xml-bomb": ("bom-xml.xlsx", xml_bomb_bytes()),
        "bad-xml": ("xml-loi.xlsx", bad_xml_bytes()),
        "missing-part": ("thieu-phan.xlsx", _without(good, "xl/workbook.xml")),
        "good-xlsx": ("bao-cao-quy-1.xlsx", good),
        "good-xlsm": ("bao-cao-macro.xlsm", good_xlsm_bytes()),
    }
    assert set(files) == set(EXPECTED)
    paths: dict[str, Path] = {}
    for case, (name, content) in files.items():
        path = d / name
        path.write_bytes(content)
        paths[case] = path
    return paths
