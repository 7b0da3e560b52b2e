"""Decide, before anything else touches a file, whether a path is a workbook we may safely open.

:func:`sniff` is the gate: it returns ``'xlsx'`` or ``'xlsm'`` for an OOXML spreadsheet package that passed
every check, and otherwise raises :class:`UnusableInput` whose ``kind`` is a stable kebab-case id and whose
message is one Vietnamese sentence (Unicode NFC) naming the file and saying what to do.

Guarantees: the input is only ever opened read-only (``os.open(O_RDONLY)``), nothing in it is executed, every
handle is closed, decompression is streamed with hard caps on the bytes actually produced (header sizes are
never trusted), XML is parsed with defusedxml with DTDs/entities forbidden, and no exception other than
:class:`UnusableInput` escapes :func:`sniff` for any file content.

Kinds raised by :func:`sniff`, in the order they are checked:
``not-found``, ``is-directory``, ``lock-file``, ``unreadable`` (permission denied / file locked by another
program), ``empty-file``, ``too-large``, ``encrypted``, ``legacy-xls``, ``not-a-workbook``, ``missing-part``,
``truncated-zip`` (a bad CRC is this kind, with its own sentence), ``zip-bomb``, ``xml-bomb``, ``bad-xml``.

The checks themselves run in :meth:`cchc_xl.ooxml.package.Package.open`, which keeps what it read (the one
open of a file per command); :func:`sniff` is that open, returning only the kind. Only the public
:mod:`zipfile` API is used (members are inflated here from the in-memory bytes at their ``header_offset``).
"""

from __future__ import annotations

import io
import os
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from cchc_xl.errors import UnusableInput

# ---------------------------------------------------------------------------------------------------------
# Every sentence the user can read from this module.  Keys are the stable ``kind`` ids; keys of the form
# ``kind:variant`` are more specific wordings of the same kind (the exception's ``kind`` stays ``kind``).
# Templates are filled with ``str.format(name=<file name>)`` only.
# ---------------------------------------------------------------------------------------------------------
MESSAGES: dict[str, str] = {
    "not-found": "Không tìm thấy tệp '{name}'; hãy kiểm tra lại đường dẫn và tên tệp rồi thử lại.",
    "is-directory": (
        "'{name}' là một thư mục chứ không phải tệp Excel; hãy chọn tệp .xlsx hoặc .xlsm nằm trong thư mục đó."
    ),
    "lock-file": (
        "Tệp '{name}' chỉ là tệp khóa tạm mà Excel hoặc LibreOffice tạo ra khi đang mở một sổ làm việc, "
        "không chứa số liệu; hãy bỏ qua tệp này và chọn tệp gốc (tên không bắt đầu bằng '~$' hoặc '.~lock.')."
    ),
    "unreadable": (
        "Không đọc được tệp '{name}' vì tệp đang bị chương trình khác khóa hoặc không có quyền truy cập; "
        "hãy đóng tệp trong Excel (hoặc kiểm tra quyền truy cập) rồi thử lại."
    ),
    "empty-file": (
        "Tệp '{name}' trống (0 byte), có thể do gửi hoặc tải về bị lỗi; hãy đề nghị người gửi gửi lại tệp."
    ),
    "too-large": (
        "Tệp '{name}' quá lớn để xử lý an toàn; hãy xóa bớt các trang tính, hình ảnh hoặc dữ liệu không cần "
        "thiết (hoặc chia thành nhiều tệp nhỏ) rồi gửi lại."
    ),
    "encrypted": (
        "Tệp '{name}' được đặt mật khẩu nên không thể đọc; hãy mở tệp trong Excel, gỡ mật khẩu "
        "(Tệp → Thông tin → Bảo vệ Sổ làm việc → Mã hóa bằng Mật khẩu, xóa mật khẩu rồi lưu) và gửi lại."
    ),
    "legacy-xls": (
        "Tệp '{name}' ở định dạng Excel 97–2003 (.xls) cũ; hãy mở tệp bằng Excel, chọn Tệp → Lưu Như → "
        "Sổ làm việc Excel (*.xlsx) rồi gửi lại tệp .xlsx."
    ),
    "not-a-workbook": (
        "Tệp '{name}' không phải là sổ làm việc Excel (.xlsx hoặc .xlsm) dù tên tệp có thể có đuôi .xlsx; "
        "hãy mở tệp gốc bằng Excel, lưu dưới dạng Sổ làm việc Excel (*.xlsx) rồi gửi lại."
    ),
    "not-a-workbook:word": (
        "Tệp '{name}' là tài liệu văn bản (Word) chứ không phải sổ làm việc Excel; "
        "hãy gửi đúng tệp Excel (.xlsx hoặc .xlsm) chứa số liệu."
    ),
    "not-a-workbook:powerpoint": (
        "Tệp '{name}' là bản trình chiếu PowerPoint chứ không phải sổ làm việc Excel; "
        "hãy gửi đúng tệp Excel (.xlsx hoặc .xlsm) chứa số liệu."
    ),
    "not-a-workbook:pdf": (
        "Tệp '{name}' là tệp PDF chứ không phải sổ làm việc Excel; hãy gửi tệp Excel gốc (.xlsx hoặc .xlsm) "
        "thay vì bản PDF đã xuất ra."
    ),
    "not-a-workbook:text": (
        "Tệp '{name}' là tệp văn bản (CSV, HTML hoặc dạng chữ) chứ không phải sổ làm việc Excel; hãy mở tệp "
        "bằng Excel, lưu dưới dạng Sổ làm việc Excel (*.xlsx) rồi gửi lại."
    ),
    "not-a-workbook:ods": (
        "Tệp '{name}' là bảng tính LibreOffice/OpenOffice (.ods) chứ không phải sổ làm việc Excel; hãy mở tệp "
        "bằng LibreOffice Calc, chọn Tệp → Lưu thành → Excel 2007-365 (.xlsx) rồi gửi lại."
    ),
    "not-a-workbook:xlsb": (
        "Tệp '{name}' là sổ làm việc nhị phân Excel (.xlsb) mà công cụ này không đọc được; hãy mở tệp bằng "
        "Excel, chọn Tệp → Lưu Như → Sổ làm việc Excel (*.xlsx) rồi gửi lại."
    ),
    "not-a-workbook:damaged": (
        "Tệp '{name}' bị hỏng hoặc không phải là sổ làm việc Excel; hãy mở tệp gốc bằng Excel, lưu dưới dạng "
        "Sổ làm việc Excel (*.xlsx) rồi gửi lại."
    ),
    "truncated-zip": (
        "Tệp '{name}' bị hỏng hoặc không đầy đủ (có thể do tải về hay đính kèm bị gián đoạn); "
        "hãy đề nghị người gửi gửi lại tệp gốc."
    ),
    "truncated-zip:crc": (
        "Tệp '{name}' bị hỏng: dữ liệu nén bên trong không khớp mã kiểm tra (CRC), có thể do sao chép, tải về "
        "hoặc ổ đĩa bị lỗi; hãy đề nghị người gửi gửi lại tệp gốc."
    ),
    "zip-bomb": (
        "Tệp '{name}' có dung lượng giải nén vượt giới hạn an toàn hoặc cấu trúc nén bất thường nên đã bị từ chối "
        "để bảo vệ máy tính; hãy mở tệp bằng Excel, lưu thành tệp mới rồi gửi lại, hoặc báo cán bộ phụ trách "
        "công nghệ thông tin nếu không rõ nguồn gốc tệp."
    ),
    "xml-bomb": (
        "Tệp '{name}' chứa khai báo XML nguy hiểm (DOCTYPE/ENTITY) mà Excel không bao giờ tạo ra nên đã bị từ "
        "chối; hãy mở tệp bằng Excel, lưu thành tệp mới rồi gửi lại, hoặc báo cán bộ phụ trách công nghệ "
        "thông tin nếu không rõ nguồn gốc tệp."
    ),
    "bad-xml": (
        "Tệp '{name}' có nội dung XML bị lỗi nên không thể đọc; hãy mở tệp bằng Excel, lưu thành tệp mới "
        "rồi gửi lại."
    ),
    "missing-part": (
        "Tệp '{name}' thiếu phần sổ làm việc (xl/workbook.xml) trong gói Excel; hãy mở tệp gốc bằng Excel, "
        "lưu thành tệp mới rồi gửi lại."
    ),
}

UNKNOWN_NAME = "(không rõ tên)"


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 50 * 2**20
    max_part_bytes: int = 100 * 2**20  # uncompressed size of any one zip member
    max_total_bytes: int = 300 * 2**20  # sum of uncompressed sizes
    max_ratio: float = 200.0  # uncompressed/compressed for any member larger than 1 MiB
    max_members: int = 10_000


# The ratio limit applies to honest members (inflating to no more than declared) larger than 16 MiB — a
# 1 MB cell of repeated text is ordinary data, and the absolute caps still bound everything — but to bytes
# produced beyond a member's declared size already past 1 MiB (a lying header is hostile).
_RATIO_FLOOR = 16 * 2**20
_LIE_FLOOR = 2**20
_CHUNK = 64 * 1024
_HEAD = 4096
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_CONTENT_TYPES = "[content_types].xml"
_WORKBOOK = "xl/workbook.xml"

_MAIN_CONTENT_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": "xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.main+xml": "xlsm",
    "application/vnd.ms-excel.template.macroenabled.main+xml": "xlsm",
    "application/vnd.ms-excel.addin.macroenabled.main+xml": "xlsm",
}


# --------------------------------------------------------------------------------------------- helpers


def _fspath(path) -> str | bytes:
    if isinstance(path, zipfile.ZipFile):
        return path.filename or ""
    return os.fspath(path)


def _basename(path) -> str:
    """The file's own name, for display (handles both / and \\ separators, bytes and undecodable names)."""
    p = _fspath(path)
    if isinstance(p, bytes):
        p = os.fsdecode(p)
    stripped = p.rstrip("/\\")
    name = re.split(r"[/\\]", stripped)[-1] if stripped else p
    return name


def _display_name(path) -> str:
    if path is None:
        return UNKNOWN_NAME
    try:
        name = _basename(path)
    except (TypeError, ValueError):
        return UNKNOWN_NAME
    # Undecodable bytes arrive as lone surrogates (surrogateescape): show them escaped (\\xe0), printable.
    name = escape_surrogates(name)
    # Control characters (newlines, tabs…) must not break the one-line sentence.
    name = "".join("\ufffd" if unicodedata.category(ch) == "Cc" else ch for ch in name)
    return unicodedata.normalize("NFC", name) or UNKNOWN_NAME


def escape_surrogates(text: str) -> str:
    """A name decoded with surrogateescape (a Latin-1 byte in a file name) made printable: ``\\xe0``."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _path_str(path) -> str | None:
    if path is None:
        return None
    try:
        p = _fspath(path)
    except TypeError:
        return None
    return os.fsdecode(p) if isinstance(p, bytes) else p


def _fail(kind: str, path, variant: str | None = None) -> UnusableInput:
    template = MESSAGES.get(f"{kind}:{variant}") if variant else None
    template = template or MESSAGES[kind]
    message = unicodedata.normalize("NFC", template.format(name=_display_name(path)))
    return UnusableInput(kind, message, _path_str(path))


def is_lock_file(path) -> bool:
    """Excel owner files ``~$name.xlsx`` and LibreOffice lock files ``.~lock.name.xlsx#``."""
    name = _basename(path)
    return name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#"))


def is_hidden_or_temp(path) -> bool:
    """Names starting with ``.`` or ending with ``~`` or ``.tmp`` (any case)."""
    name = _basename(path)
    return name.startswith(".") or name.endswith("~") or name.lower().endswith(".tmp")


def _open_readonly(path):
    """Open `path` read-only without blocking (a FIFO or device must not hang us); return a binary file."""
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except (FileNotFoundError, NotADirectoryError):
        raise _fail("not-found", path) from None
    except IsADirectoryError:
        raise _fail("is-directory", path) from None
    except (OSError, ValueError):
        raise _fail("unreadable", path) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise _fail("is-directory", path)
        if not stat.S_ISREG(st.st_mode):
            raise _fail("not-a-workbook", path)
        return os.fdopen(fd, "rb"), st.st_size
    except BaseException:
        os.close(fd)
        raise


# ------------------------------------------------------------------------------------------ streaming


def _stream_member(fp, info: zipfile.ZipInfo, limits: Limits, path, sink=None, total: list | None = None):
    """Decompress one member from the raw archive file `fp`, never producing more than the caps allow.

    The central-directory sizes are only used as upper bounds: producing more bytes than declared, more than
    ``max_part_bytes``, more than ``max_total_bytes`` in all (via the one-item list `total`), or more than
    ``max_ratio`` times the compressed size beyond 1 MiB is a ``zip-bomb``; fewer bytes, an unfinished deflate
    stream or a CRC mismatch is ``truncated-zip``.  `sink` receives each decompressed chunk.
    """
    if info.flag_bits & 0x1:
        raise _fail("encrypted", path)
    method = info.compress_type
    if method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        # OPC (ECMA-376 part 2) only allows stored and deflate; Excel cannot open anything else either.
        raise _fail("not-a-workbook", path, "damaged")
    fp.seek(info.header_offset)
    local = fp.read(30)
    if len(local) != 30 or local[:4] != b"PK\x03\x04":
        raise _fail("truncated-zip", path)
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    fp.seek(info.header_offset + 30 + name_len + extra_len)

    remaining = info.compress_size
    inflater = zlib.decompressobj(-15) if method == zipfile.ZIP_DEFLATED else None
    cap = limits.max_part_bytes
    produced = 0
    crc = 0
    while True:
        if inflater is None:
            if remaining <= 0:
                break
        elif inflater.eof:
            break
        if inflater is not None and inflater.unconsumed_tail:
            data = inflater.unconsumed_tail
        elif remaining > 0:
            data = fp.read(min(_CHUNK, remaining))
            if not data:
                raise _fail("truncated-zip", path)
            remaining -= len(data)
        else:
            data = b""
        out = data if inflater is None else inflater.decompress(data, _CHUNK)
        if inflater is not None and not data and not out:
            raise _fail("truncated-zip", path)  # input exhausted, deflate stream unfinished
        produced += len(out)
        if produced > cap:
            raise _fail("zip-bomb", path)
        floor = _LIE_FLOOR if produced > info.file_size else _RATIO_FLOOR
        if produced > floor and produced > limits.max_ratio * max(info.compress_size, 1):
            raise _fail("zip-bomb", path)
        if total is not None:
            total[0] += len(out)
            if total[0] > limits.max_total_bytes:
                raise _fail("zip-bomb", path)
        crc = zlib.crc32(out, crc)
        if sink is not None and out:
            sink(out)
    if produced != info.file_size or crc != info.CRC:
        raise _fail("truncated-zip", path, "crc" if produced == info.file_size else None)


def _read_info(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, path, total=None) -> bytes:
    """Read one member through the public ``ZipFile.open`` API, in chunks, under the caps.

    ``ZipExtFile`` never yields more than the declared size and checks the CRC at the end, so a lying
    header or flipped bits end in ``BadZipFile``: damaged, not a bomb.
    """
    if info.flag_bits & 0x1:
        raise _fail("encrypted", path)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _fail("not-a-workbook", path, "damaged")
    chunks: list[bytes] = []
    produced = 0
    try:
        with zf.open(info) as member:
            while chunk := member.read(_CHUNK):
                produced += len(chunk)
                if produced > limits.max_part_bytes:
                    raise _fail("zip-bomb", path)
                chunks.append(chunk)
    except zipfile.BadZipFile as exc:
        raise _fail("truncated-zip", path, "crc" if "CRC" in str(exc) else None) from None
    if produced != info.file_size:
        raise _fail("truncated-zip", path)
    return b"".join(chunks)


def _check_declared(info: zipfile.ZipInfo, limits: Limits, path) -> None:
    if info.file_size > limits.max_part_bytes:
        raise _fail("zip-bomb", path)
    if info.file_size > _RATIO_FLOOR and (
        info.compress_size <= 0 or info.file_size / info.compress_size > limits.max_ratio
    ):
        raise _fail("zip-bomb", path)


def _getinfo(zf: zipfile.ZipFile, name: str) -> zipfile.ZipInfo:
    """The member called `name`; part names are case-insensitive in OPC, so fall back to a caseless match."""
    try:
        return zf.getinfo(name)
    except KeyError:
        folded = name.lower()
        for info in zf.infolist():
            if info.filename.lower() == folded:
                return info
        raise


def read_part(path_or_zipfile, name: str, limits: Limits = Limits()) -> bytes:
    """Read one zip member with a hard cap on bytes actually decompressed (stream in chunks; do not trust the header size).

    Accepts a path or an open :class:`zipfile.ZipFile` (read mode).  `name` is matched exactly, else
    case-insensitively (OPC part names are caseless).  Raises :class:`KeyError` if the member does not
    exist, :class:`UnusableInput` (``zip-bomb``, ``truncated-zip``, ``encrypted``, …) if it cannot be read.
    """
    if isinstance(path_or_zipfile, zipfile.ZipFile):
        zf = path_or_zipfile
        info = _getinfo(zf, name)
        _check_declared(info, limits, zf.filename)
        try:
            return _read_info(zf, info, limits, zf.filename)
        except (UnusableInput, ValueError):
            raise
        except Exception:
            raise _fail("truncated-zip", zf.filename) from None
    from cchc_xl.ooxml.package import Package

    package = Package.open(path_or_zipfile, limits)
    if not package.has(name):
        raise KeyError(name)
    return package.part(name)


# ------------------------------------------------------------------------------------------------- XML


def parse_xml(data: bytes, *, path=None):
    """Parse XML with defusedxml (ElementTree API); forbid DTDs/entities; raise UnusableInput('xml-bomb' or 'bad-xml').

    `path` (optional) only names the file in the message.
    """
    from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
    from defusedxml import ElementTree as DefusedET

    try:
        return DefusedET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden):
        raise _fail("xml-bomb", path) from None
    except Exception:  # ParseError, unknown encodings, anything expat rejects
        raise _fail("bad-xml", path) from None


def _has_dtd(head: bytes) -> bool:
    upper = head.upper()
    return any(marker in upper for marker in _DTD_MARKERS)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _main_kind(content_types_root, workbook_name: str) -> str | None:
    """'xlsx'/'xlsm' from the content type of the workbook part (Override, else Default for .xml)."""
    wanted = "/" + workbook_name.lower()
    default_xml = None
    for el in content_types_root:
        tag = _local(el.tag) if isinstance(el.tag, str) else ""
        if tag == "Override" and (el.get("PartName") or "").strip().lower() == wanted:
            return _MAIN_CONTENT_TYPES.get((el.get("ContentType") or "").strip().lower())
        if tag == "Default" and (el.get("Extension") or "").strip().lower() == "xml":
            default_xml = (el.get("ContentType") or "").strip().lower()
    return _MAIN_CONTENT_TYPES.get(default_xml or "")


# ----------------------------------------------------------------------------------------------- sniff


def _ole_verdict(f, path) -> UnusableInput:
    import olefile

    f.seek(0)
    try:
        ole = olefile.OleFileIO(f)
    except Exception:
        return _fail("not-a-workbook", path, "damaged")
    try:
        streams = {"/".join(entry).lower() for entry in ole.listdir(streams=True, storages=False)}
    except Exception:
        return _fail("not-a-workbook", path, "damaged")
    finally:
        ole.close()
    if "encryptioninfo" in streams or "encryptedpackage" in streams:
        return _fail("encrypted", path)
    if "workbook" in streams or "book" in streams:
        return _fail("legacy-xls", path)
    if "worddocument" in streams:
        return _fail("not-a-workbook", path, "word")
    if "powerpoint document" in streams:
        return _fail("not-a-workbook", path, "powerpoint")
    return _fail("not-a-workbook", path)


def _not_zip_verdict(head: bytes, path) -> UnusableInput:
    if b"%PDF-" in head[:1024]:
        return _fail("not-a-workbook", path, "pdf")
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
            is_text = True
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the end of the sample is still text.
            is_text = exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
        if not is_text:
            printable = sum(1 for b in head if b >= 0x20 or b in b"\t\r\n")
            is_text = printable >= 0.95 * len(head)
        if is_text:
            return _fail("not-a-workbook", path, "text")
    elif head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return _fail("not-a-workbook", path, "text")  # UTF-16 text export
    return _fail("not-a-workbook", path)


def other_package_verdict(names, read, path) -> UnusableInput:
    """Why a zip without a workbook part is not ours; `names` are lower-case part names, `read(name)` bytes."""
    if "xl/workbook.bin" in names:
        return _fail("not-a-workbook", path, "xlsb")
    if any(n.startswith("word/") for n in names):
        return _fail("not-a-workbook", path, "word")
    if any(n.startswith("ppt/") for n in names):
        return _fail("not-a-workbook", path, "powerpoint")
    if "mimetype" in names:
        try:
            mimetype = read("mimetype")[:256]
        except Exception:
            mimetype = b""
        if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            return _fail("not-a-workbook", path, "ods")
        if mimetype.startswith(b"application/vnd.oasis.opendocument.text"):
            return _fail("not-a-workbook", path, "word")
        if mimetype.startswith(b"application/vnd.oasis.opendocument.presentation"):
            return _fail("not-a-workbook", path, "powerpoint")
    if any(n.startswith("xl/") for n in names) and "xl/workbook.xml" not in names:
        return _fail("missing-part", path)
    return _fail("not-a-workbook", path)


def precheck(path) -> None:
    """The checks by name and file type, before any byte is read."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise _fail("not-found", path) from None
    except ValueError:  # embedded NUL and the like: no such file can exist
        raise _fail("not-found", path) from None
    except OSError:
        raise _fail("unreadable", path) from None
    if stat.S_ISDIR(st.st_mode):
        raise _fail("is-directory", path)
    if is_lock_file(path):
        raise _fail("lock-file", path)


def sniff_head(raw: bytes, path) -> None:
    """Raise the precise reason when the file's first bytes are not a zip package."""
    head = raw[:_HEAD]
    if head.startswith(_OLE_MAGIC):
        raise _ole_verdict(io.BytesIO(raw), path)
    if head[:4] not in _ZIP_MAGICS:
        raise _not_zip_verdict(head, path)


def sniff(path, limits: Limits = Limits()) -> str:
    """Return 'xlsx' or 'xlsm' for an OOXML spreadsheet package that passed every check; else raise UnusableInput.

    `limits` is optional (tests use small ones); the file is opened read-only once (:class:`Package`).
    Commands that go on to read the workbook use ``Package.open`` directly and keep the opened package.
    """
    from cchc_xl.ooxml.package import Package

    return Package.open(path, limits).kind
