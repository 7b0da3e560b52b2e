"""TCVN3 and VNI → Unicode: the tables against glibc iconv and the published VNI layout; detection never
touches Unicode text."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_xl.model import vnencoding as vn

from .corpus import to_tcvn3, to_vni

# The published VNI Windows layout, per vowel: plain, sắc, huyền, hỏi, ngã, nặng (lowercase; uppercase is
# the same with capitals). Written out here independently of the generator in the module.
VNI_PUBLISHED = {
    "a": "a aù aø aû aõ aï", "ă": "aê aé aè aú aü aë", "â": "aâ aá aà aå aã aä",
    "e": "e eù eø eû eõ eï", "ê": "eâ eá eà eå eã eä", "o": "o où oø oû oõ oï",
    "ô": "oâ oá oà oå oã oä", "ơ": "ô ôù ôø ôû ôõ ôï", "u": "u uù uø uû uõ uï",
    "ư": "ö öù öø öû öõ öï", "i": "i í ì æ ó ò", "y": "y yù yø yû yõ î",
}
TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")


def _letter(base: str, tone: str) -> str:
    return unicodedata.normalize("NFC", base + tone)


@pytest.mark.skipif(shutil.which("iconv") is None, reason="glibc iconv not installed")
def test_tcvn3_table_equals_glibc_iconv_tcvn5712_1_byte_for_byte():
    for i, expected in enumerate(vn._TCVN3_HIGH):
        b = 0x80 + i
        r = subprocess.run(["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=bytes([b]), capture_output=True,
                           check=True)
        assert r.stdout.decode("utf-8") == expected, hex(b)


@pytest.mark.skipif(shutil.which("iconv") is None, reason="glibc iconv not installed")
def test_tcvn3_decodes_text_iconv_encoded():
    text = "Số nhiệm vụ đã hoàn thành; tiếp nhận trực tuyến mức độ 4; người; hồ sơ; văn bản; kỷ luật"
    raw = subprocess.run(["iconv", "-f", "UTF-8", "-t", "TCVN5712-1"], input=text.encode(), capture_output=True,
                         check=True).stdout
    stored = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in raw)
    assert vn.to_unicode(stored) == (text, "tcvn3")


def test_vni_table_equals_the_published_layout():
    table = vn._vni_map()
    seen = 0
    for base, seqs in VNI_PUBLISHED.items():
        for seq, tone in zip(seqs.split(), TONES, strict=True):
            letter = _letter(base, tone)
            if seq != base:
                assert table[seq] == letter, seq
                assert table[seq.upper()] == letter.upper(), seq.upper()
                seen += 1
            assert vn.decode_vni(seq) == letter
            assert vn.decode_vni(seq.upper()) == letter.upper()
    assert table["ñ"] == "đ" and table["Ñ"] == "Đ"
    assert seen * 2 + 2 == len(table)


def test_vni_words():
    assert vn.decode_vni("ñöôïc") == "được"
    assert vn.decode_vni("Soá lieäu thoáng keâ") == "Số liệu thống kê"
    assert vn.decode_vni("UÛY BAN NHAÂN DAÂN XAÕ") == "ỦY BAN NHÂN DÂN XÃ"


def test_font_names_decide_the_encoding():
    assert vn.encoding_for_font(".VnTime") == "tcvn3"
    assert vn.encoding_for_font(".VnTimeH") == "tcvn3-upper"
    assert vn.encoding_for_font("VNI-Times") == "vni"
    assert vn.encoding_for_font("Times New Roman") is None
    # .VnTimeH draws capitals at the lowercase positions
    assert vn.to_unicode(to_tcvn3("ủy ban nhân dân"), ".VnTimeH") == ("ỦY BAN NHÂN DÂN", "tcvn3")
    # a legacy font name on text that is already Unicode: the text wins
    assert vn.to_unicode("Số liệu", ".VnTime") == ("Số liệu", None)


@pytest.mark.parametrize("text", ["Có", "Không", "Ghi chú", "Số liệu", "–", "✓", "Café", "10 tỷ đồng/0%",
                                  "Tiếp nhận qua BCCI", "Hồ sơ", "Đơn vị tính", "“Trong đó”", "Phòng, đơn vị"])
def test_unicode_text_is_never_converted(text):
    assert vn.to_unicode(text) == (unicodedata.normalize("NFC", text), None)


SYLLABLES = ["số", "liệu", "nhiệm", "vụ", "đã", "hoàn", "thành", "tiếp", "nhận", "trực", "tuyến", "mức", "độ",
             "người", "kỷ", "luật", "được", "giao", "kiểm", "tra", "thủ", "tục", "hành", "chính", "xã", "huyện",
             "tỉnh", "ủy", "ban", "văn", "bản", "ứng", "dụng", "quyết", "định", "phương", "án", "khảo", "sát"]


LABELS = ["Số nhiệm vụ đề ra trong kế hoạch", "Tiếp nhận trực tuyến mức độ 3", "Tổng số biên chế được giao",
          "Số lãnh đạo cấp xã bị kỷ luật", "Hình thức khảo sát", "Kết quả giải quyết TTHC"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=12))
def test_round_trip_legacy_encodings_within_a_table(words):
    """A cell alone can be ambiguous ("sè" is Unicode too); with the table's other labels it is not."""
    text = " ".join(words)
    for encode, name in ((to_tcvn3, "tcvn3"), (to_vni, "vni")):
        table = [encode(label) for label in LABELS] + [encode(text)]
        hint = vn.detect_many(table)
        assert hint == name
        assert vn.to_unicode(encode(text), None, hint) == (text, None if text.isascii() else name)
    assert vn.to_unicode(text) == (text, None)
    if vn._UNICODE_ONLY.search(text):
        # A cell retyped in Unicode inside a legacy table stays as it is. (A cell of Latin-1 letters only,
        # "án", reads both ways; in a TCVN3 table it is taken as TCVN3.)
        assert vn.to_unicode(text, None, "tcvn3")[0] == text
        assert vn.to_unicode(text, None, "vni")[0] == text


@pytest.mark.parametrize("label", LABELS)
def test_one_label_alone_is_detected(label):
    assert vn.to_unicode(to_tcvn3(label)) == (label, "tcvn3")
    assert vn.to_unicode(to_vni(label)) == (label, "vni")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_to_unicode_never_raises_and_returns_nfc(text):
    out, enc = vn.to_unicode(text)
    assert out == unicodedata.normalize("NFC", out)
    assert enc in (None, "tcvn3", "vni")


def test_xlsx_cell_fonts_decide_including_vntimeh_capitals(tmp_path):
    """A heading typed in .VnTimeH is stored as lowercase TCVN3: the cell's font says to read it as capitals."""
    from openpyxl import load_workbook
    from openpyxl.styles import Font

    from cchc_xl.commands.import_file import import_file
    from cchc_xl.ooxml.reader import read_report

    from .corpus import build_corpus

    src = next(v for v in build_corpus(tmp_path / "c") if v.name == "x004-tcvn3")
    wb = load_workbook(src.path)
    ws = wb.active
    ws["A2"] = to_tcvn3("ubnd xã hoằng lộc")
    ws["A2"].font = Font(name=".VnTimeH")
    path = tmp_path / "vntimeh.xlsx"
    wb.save(path)
    result = import_file(path, tmp_path / "o.xlsx")
    assert result.exit_code == 0 and result.encodings == ("tcvn3",)
    assert read_report(tmp_path / "o.xlsx").meta["xa"] == "Hoằng Lộc"
