"""Tests for cchc_xl.ooxml.safety: the gate every input workbook passes before anything else touches it."""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import string
import sys
import tempfile
import threading
import tracemalloc
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# tests/ has no __init__.py; make ``tests.badfiles`` importable however pytest is started.
_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from cchc_xl.errors import UnusableInput  # noqa: E402
from cchc_xl.ooxml import safety  # noqa: E402
from cchc_xl.ooxml.safety import (  # noqa: E402
    MESSAGES,
    Limits,
    is_hidden_or_temp,
    is_lock_file,
    parse_xml,
    read_part,
    sniff,
)
from tests import badfiles  # noqa: E402
from tests.badfiles import EXPECTED, make_corpus  # noqa: E402

VIETNAMESE_LETTERS = set("ăâđêôơưàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ")
BAD_CASES = sorted(case for case, result in EXPECTED.items() if result not in ("xlsx", "xlsm"))
ALL_KINDS = {
    "not-found", "is-directory", "lock-file", "unreadable", "empty-file", "too-large", "encrypted",
    "legacy-xls", "not-a-workbook", "truncated-zip", "zip-bomb", "xml-bomb", "bad-xml", "missing-part",
}  # fmt: skip


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    return make_corpus(tmp_path_factory.mktemp("corpus"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_good_message(exc: UnusableInput, name: str) -> None:
    msg = exc.message
    assert str(exc) == msg
    assert msg == unicodedata.normalize("NFC", msg), "message must be Unicode NFC"
    assert unicodedata.normalize("NFC", name) in msg, "message must name the file"
    assert VIETNAMESE_LETTERS & set(msg.lower()), "message must be Vietnamese with diacritics"
    assert "\n" not in msg and msg.rstrip().endswith("."), "one sentence, one line"
    msg.encode("utf-8")  # printable on any UTF-8 console (no lone surrogates)


def expect(kind: str, path, limits: Limits | None = None) -> UnusableInput:
    with pytest.raises(UnusableInput) as info:
        sniff(path) if limits is None else sniff(path, limits)
    assert info.value.kind == kind, info.value.message
    return info.value


# ------------------------------------------------------------------------------------------ the corpus


@pytest.mark.parametrize("case", BAD_CASES)
def test_corpus_case_raises_its_kind_with_a_vietnamese_sentence(corpus, case):
    path = corpus[case]
    exc = expect(EXPECTED[case], path)
    assert_good_message(exc, path.name)
    assert exc.path == str(path)


@pytest.mark.parametrize(("case", "result"), [("good-xlsx", "xlsx"), ("good-xlsm", "xlsm")])
def test_good_workbooks_pass(corpus, case, result):
    assert sniff(corpus[case]) == result
    assert sniff(str(corpus[case])) == result
    assert sniff(os.fsencode(corpus[case])) == result


def test_good_workbook_really_is_readable(corpus):
    import openpyxl

    wb = openpyxl.load_workbook(corpus["good-xlsx"], read_only=True)
    try:
        assert wb.sheetnames == ["Báo cáo"]
    finally:
        wb.close()


def test_sniff_never_modifies_inputs(corpus):
    before = {case: (sha256(p), p.stat().st_mtime_ns, p.stat().st_size) for case, p in corpus.items()}
    for path in corpus.values():
        try:
            sniff(path)
        except UnusableInput:
            pass
        for name in ("[Content_Types].xml", "xl/workbook.xml"):
            try:
                read_part(path, name)
            except (UnusableInput, KeyError):
                pass
    after = {case: (sha256(p), p.stat().st_mtime_ns, p.stat().st_size) for case, p in corpus.items()}
    assert after == before


def test_specific_not_a_workbook_wordings(corpus):
    assert "PDF" in expect("not-a-workbook", corpus["pdf"]).message
    assert "CSV" in expect("not-a-workbook", corpus["csv"]).message
    assert "Word" in expect("not-a-workbook", corpus["docx"]).message


def test_expected_covers_every_file_kind_sniff_decides_on_content():
    decided_by_path = {"not-found", "is-directory", "unreadable", "too-large"}
    assert set(EXPECTED.values()) - {"xlsx", "xlsm"} == ALL_KINDS - decided_by_path


# -------------------------------------------------------------------------------------- path checks


def test_not_found(tmp_path):
    assert_good_message(expect("not-found", tmp_path / "khong-co.xlsx"), "khong-co.xlsx")
    expect("not-found", tmp_path / "khong-co" / "bao-cao.xlsx")
    expect("not-found", str(tmp_path / "a\0b.xlsx"))


def test_directory_even_when_named_like_a_workbook(tmp_path):
    d = tmp_path / "bao-cao.xlsx"
    d.mkdir()
    assert_good_message(expect("is-directory", d), "bao-cao.xlsx")


def test_lock_file_is_decided_by_name_before_content(tmp_path, corpus):
    path = tmp_path / "~$bao-cao-quy-1.xlsx"
    path.write_bytes(corpus["good-xlsx"].read_bytes())  # even a valid workbook under a lock-file name
    expect("lock-file", path)


def test_lock_file_may_be_empty(tmp_path):
    path = tmp_path / "~$trong.xlsx"
    path.touch()
    expect("lock-file", path)


def test_too_large_is_decided_before_reading(corpus):
    expect("too-large", corpus["good-xlsx"], Limits(max_file_bytes=1000))


def test_broken_symlink_is_not_found(tmp_path):
    link = tmp_path / "lien-ket.xlsx"
    try:
        link.symlink_to(tmp_path / "da-xoa.xlsx")
    except (OSError, NotImplementedError):
        pytest.skip("symlinks unavailable")
    expect("not-found", link)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX only")
def test_fifo_does_not_hang(tmp_path):
    fifo = tmp_path / "ong.xlsx"
    os.mkfifo(fifo)
    result: list = []

    def run():
        try:
            sniff(fifo)
        except UnusableInput as exc:
            result.append(exc.kind)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(30)  # liveness guard only: a hang would otherwise block the whole test run
    assert not worker.is_alive(), "sniff blocked on a FIFO"
    assert result == ["not-a-workbook"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unreadable(tmp_path, corpus):
    path = tmp_path / "khoa.xlsx"
    path.write_bytes(corpus["good-xlsx"].read_bytes())
    path.chmod(0)
    try:
        assert_good_message(expect("unreadable", path), "khoa.xlsx")
    finally:
        path.chmod(0o600)


def test_unreadable_when_the_os_refuses(tmp_path, corpus, monkeypatch):
    """A file locked by Excel on Windows (sharing violation) or without read permission."""
    path = tmp_path / "dang-mo.xlsx"
    path.write_bytes(corpus["good-xlsx"].read_bytes())
    real_open = os.open

    def refuse(p, *args, **kwargs):
        if os.fspath(p) == os.fspath(path):
            raise PermissionError(13, "Permission denied", os.fspath(p))
        return real_open(p, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    assert_good_message(expect("unreadable", path), "dang-mo.xlsx")


def test_decomposed_name_gives_nfc_message(tmp_path):
    nfd = unicodedata.normalize("NFD", "báo-cáo-quý.xlsx")
    path = tmp_path / nfd
    path.write_bytes(b"")
    exc = expect("empty-file", path)
    assert_good_message(exc, "báo-cáo-quý.xlsx")


@pytest.mark.skipif(
    sys.platform in ("win32", "darwin"), reason="needs a filesystem accepting arbitrary bytes"
)
def test_undecodable_and_control_characters_in_names(tmp_path):
    raw = os.path.join(os.fsencode(tmp_path), b"bao\xff-cao\n.xlsx")
    with open(raw, "wb") as f:
        f.write(b"%PDF-1.4\n")
    exc = expect("not-a-workbook", raw)
    exc.message.encode("utf-8")
    assert "\n" not in exc.message
    assert exc.path is not None
    exc = expect("not-a-workbook", os.fsdecode(raw))
    exc.message.encode("utf-8")


# ------------------------------------------------------------------------------------ more packages


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("members", "word"),
    [
        ({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}, ".ods"),
        ({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"}, "PowerPoint"),
        ({"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\0"}, ".xlsb"),
        ({"a.txt": b"xin chao"}, "Excel"),
        ({}, "Excel"),
    ],
)
def test_other_zips_are_not_workbooks(tmp_path, members, word):
    path = tmp_path / "khac.xlsx"
    path.write_bytes(_zip(members))
    exc = expect("not-a-workbook", path)
    assert word in exc.message


def test_workbook_without_a_spreadsheet_content_type(tmp_path, corpus):
    data = corpus["good-xlsx"].read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        ct = zf.read("[Content_Types].xml").replace(badfiles.XLSX_MAIN.encode(), b"application/xml")
    path = tmp_path / "sai-loai.xlsx"
    path.write_bytes(badfiles.rewrite_zip(data, {"[Content_Types].xml": ct}))
    expect("not-a-workbook", path)


def test_entity_in_content_types_is_an_xml_bomb(tmp_path, corpus):
    data = corpus["good-xlsx"].read_bytes()
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">&x;</Types>'
    )
    path = tmp_path / "xxe.xlsx"
    path.write_bytes(badfiles.rewrite_zip(data, {"[Content_Types].xml": evil}))
    expect("xml-bomb", path)


def test_doctype_hidden_past_the_first_4kb_is_still_caught(tmp_path, corpus):
    data = corpus["good-xlsx"].read_bytes()
    padding = b"<!--" + b"x" * 5000 + b"-->"
    evil = b'<?xml version="1.0"?>' + padding + b'<!DOCTYPE w [<!ENTITY a "b">]><workbook>&a;</workbook>'
    path = tmp_path / "bom-an.xlsx"
    path.write_bytes(badfiles.rewrite_zip(data, {"xl/workbook.xml": evil}))
    expect("xml-bomb", path)


def test_duplicate_member_names_are_refused(tmp_path, corpus):
    import warnings

    data = corpus["good-xlsx"].read_bytes()
    for i, name in enumerate(("xl/workbook.xml", "XL/Workbook.xml")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns "Duplicate name" for the exact repeat
            twice = badfiles.rewrite_zip(data, add={name: badfiles.BILLION_LAUGHS})
        path = tmp_path / f"trung-ten-{i}.xlsx"
        path.write_bytes(twice)
        expect("not-a-workbook", path)


def test_handmade_encrypted_ole_is_recognised(tmp_path):
    path = tmp_path / "mat-khau-tu-lam.xlsx"
    path.write_bytes(
        badfiles.cfb_bytes({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\0" * 8})
    )
    expect("encrypted", path)


def test_other_ole_files(tmp_path):
    doc = tmp_path / "van-ban.xlsx"
    doc.write_bytes(
        badfiles.cfb_bytes({"WordDocument": b"\xec\xa5", "1Table": b"", "SummaryInformation": b""})
    )
    assert "Word" in expect("not-a-workbook", doc).message
    cut = tmp_path / "xls-bi-cat.xlsx"
    cut.write_bytes(badfiles.legacy_xls_bytes()[:700])
    expect("not-a-workbook", cut)


# ----------------------------------------------------------------------------------------- limits


def test_small_limits_trip_each_zip_bomb_check(corpus):
    good = corpus["good-xlsx"]
    expect("zip-bomb", good, Limits(max_part_bytes=1000))
    expect("zip-bomb", good, Limits(max_total_bytes=10_000))
    expect("zip-bomb", good, Limits(max_members=3))
    assert sniff(good, Limits(max_ratio=1.0)) == "xlsx"  # ratio applies only beyond 16 MiB
    assert sniff(corpus["zip-bomb"], Limits(max_ratio=10_000.0)) == "xlsx"  # the ratio alone condemned it


def test_member_count_is_checked_from_the_end_record(tmp_path):
    path = tmp_path / "nhieu-muc.xlsx"
    path.write_bytes(_zip({f"x/{i}.txt": b"" for i in range(50)}))
    expect("zip-bomb", path, Limits(max_members=10))


# -------------------------------------------------------------------------------------- read_part


def test_read_part_returns_exact_bytes(corpus):
    path = corpus["good-xlsx"]
    with zipfile.ZipFile(path) as zf:
        expected = {name: zf.read(name) for name in zf.namelist()}
        for name, data in expected.items():
            assert read_part(zf, name) == data  # from an open ZipFile…
    for name, data in expected.items():
        assert read_part(path, name) == data  # …and from a path


def test_read_part_caps_an_honest_member():
    data = _zip({"big.bin": bytes(10_000)})
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        with pytest.raises(UnusableInput) as info:
            read_part(zf, "big.bin", Limits(max_part_bytes=1000))
        assert info.value.kind == "zip-bomb"
        assert read_part(zf, "big.bin", Limits(max_part_bytes=10_000)) == bytes(10_000)


def test_read_part_caps_decompression_when_the_header_lies(corpus):
    path = corpus["header-lies"]
    name = "xl/media/image1.bin"
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo(name).file_size == 1000  # the lie (real content: 5 MiB of zeros)
        tracemalloc.start()
        try:
            with pytest.raises(UnusableInput) as info:
                read_part(zf, name)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    # Through an open ZipFile the public API stops at the declared size and the CRC fails: damaged.
    assert info.value.kind == "truncated-zip"
    assert peak < 2**20, f"decompressed far past the declared size (peak {peak} bytes)"
    expect("zip-bomb", path)  # the gate itself sees the bytes beyond the lie


def test_read_part_errors(corpus):
    with pytest.raises(KeyError):
        read_part(corpus["good-xlsx"], "xl/khong-co.xml")
    assert read_part(corpus["good-xlsx"], "XL/WORKBOOK.XML") == read_part(
        corpus["good-xlsx"], "xl/workbook.xml"
    )
    with pytest.raises(UnusableInput) as info:
        read_part(corpus["truncated-zip"], "xl/workbook.xml")
    assert info.value.kind == "truncated-zip"
    with pytest.raises(UnusableInput) as info:
        read_part(corpus["bad-crc"], "xl/worksheets/sheet1.xml")
    assert info.value.kind == "truncated-zip"
    with pytest.raises(UnusableInput) as info:
        read_part(corpus["good-xlsx"].parent / "khong-co.xlsx", "xl/workbook.xml")
    assert info.value.kind == "not-found"


# -------------------------------------------------------------------------------------- parse_xml


def test_parse_xml():
    root = parse_xml('<?xml version="1.0" encoding="UTF-8"?><a xmlns="urn:x"><b>Số liệu</b></a>'.encode())
    assert root.tag == "{urn:x}a" and root[0].text == "Số liệu"
    for evil in (
        badfiles.BILLION_LAUGHS,
        b'<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>',
        b'<!DOCTYPE a SYSTEM "http://example.invalid/a.dtd"><a/>',
        b"<!DOCTYPE a><a/>",
    ):
        with pytest.raises(UnusableInput) as info:
            parse_xml(evil)
        assert info.value.kind == "xml-bomb"
    for broken in (
        b"",
        b"<a>",
        b"<a></b>",
        b"\xff\xfe\x00",
        b'<?xml version="1.0" encoding="khong-co"?><a/>',
    ):
        with pytest.raises(UnusableInput) as info:
            parse_xml(broken)
        assert info.value.kind == "bad-xml"
        info.value.message.encode("utf-8")


# ---------------------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("name", "lock", "hidden"),
    [
        ("~$bao-cao.xlsx", True, False),
        (".~lock.bao-cao.xlsx#", True, True),
        ("thu-muc/~$bao-cao.xlsx", True, False),
        ("C:\\Users\\ubnd\\~$bao-cao.xlsx", True, False),
        ("bao-cao.xlsx", False, False),
        ("bao~cao.xlsx", False, False),
        (".bao-cao.xlsx", False, True),
        ("bao-cao.xlsx~", False, True),
        ("~WRL0001.tmp", False, True),
        ("BAO-CAO.TMP", False, True),
        ("a/.git/config.xlsx", False, False),
    ],
)
def test_lock_and_hidden_names(name, lock, hidden):
    assert is_lock_file(name) is lock
    assert is_lock_file(Path(name)) is lock
    assert is_hidden_or_temp(name) is hidden


def test_unusable_input_api():
    exc = UnusableInput("empty-file", "Tệp 'a.xlsx' trống.", "/tmp/a.xlsx")
    assert (exc.kind, exc.message, exc.path, str(exc)) == (
        "empty-file",
        "Tệp 'a.xlsx' trống.",
        "/tmp/a.xlsx",
        exc.message,
    )
    assert UnusableInput("x", "m").path is None
    again = pickle.loads(pickle.dumps(exc))
    assert (again.kind, again.message, again.path) == (exc.kind, exc.message, exc.path)
    assert isinstance(exc, Exception)


def test_limits_defaults_and_frozen():
    limits = Limits()
    assert limits == Limits(50 * 2**20, 100 * 2**20, 300 * 2**20, 200.0, 10_000)
    with pytest.raises(AttributeError):
        limits.max_members = 1  # type: ignore[misc]


def test_messages_are_reviewable_vietnamese_sentences():
    kinds = {key.split(":")[0] for key in MESSAGES}
    assert kinds == ALL_KINDS
    for key, template in MESSAGES.items():
        fields = {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}
        assert fields == {"name"}, key
        text = template.format(name="bao-cao.xlsx")
        assert text == unicodedata.normalize("NFC", text), key
        assert VIETNAMESE_LETTERS & set(text.lower()), key
        assert text.endswith(".") and "\n" not in text, key
        assert "hãy" in text, f"{key}: must say what to do"


def test_no_handles_left_open(corpus):
    import gc
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        for path in corpus.values():
            try:
                sniff(path)
            except UnusableInput:
                pass
        gc.collect()
    if os.path.isdir("/proc/self/fd"):
        before = len(os.listdir("/proc/self/fd"))
        for path in corpus.values():
            try:
                sniff(path)
            except UnusableInput:
                pass
        assert len(os.listdir("/proc/self/fd")) == before


# ------------------------------------------------------------------------------------- properties

_GOOD = badfiles.good_xlsx_bytes(rows=20)
_OLE = badfiles.legacy_xls_bytes()
_ENCRYPTED = badfiles.encrypted_xlsx_bytes()
_SEEDS = st.sampled_from([_GOOD, _OLE, _ENCRYPTED])


def _sniff_bytes(data: bytes, name: str = "ngau-nhien.xlsx") -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / name
        path.write_bytes(data)
        try:
            result = sniff(path)
        except UnusableInput as exc:
            assert exc.kind in ALL_KINDS
            assert_good_message(exc, name)
        else:
            assert result in ("xlsx", "xlsm")
        assert path.read_bytes() == data


_PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_PROPERTY
@given(st.binary(max_size=4096))
def test_random_bytes_only_ever_raise_unusable_input(data):
    _sniff_bytes(data)


@_PROPERTY
@given(
    st.sampled_from([b"PK\x03\x04", b"PK\x05\x06", bytes.fromhex("d0cf11e0a1b11ae1"), b"%PDF-"]),
    st.binary(max_size=4096),
)
def test_random_bytes_behind_a_magic_number(magic, tail):
    _sniff_bytes(magic + tail)


@_PROPERTY
@given(
    _SEEDS,
    st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8),
    st.integers(min_value=0),
)
def test_mutated_real_files_only_ever_raise_unusable_input(seed, flips, cut):
    data = bytearray(seed)
    for position, value in flips:
        data[position % len(data)] = value
    _sniff_bytes(bytes(data[: max(1, len(data) - cut % len(data))]))


def test_module_exports():
    for name in (
        "UnusableInput",
        "Limits",
        "sniff",
        "read_part",
        "parse_xml",
        "is_lock_file",
        "is_hidden_or_temp",
        "MESSAGES",
    ):
        assert hasattr(safety, name)
