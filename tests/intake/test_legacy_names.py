"""Commune names typed in TCVN3/VNI are read as Unicode where cchc-xl reads names: consolidate, expected list."""

from __future__ import annotations

from cchc_xl.commands.consolidate import consolidate, read_expected
from cchc_xl.commands.new import new_workbook

from .corpus import to_tcvn3, to_vni


def _commune(folder, name: str, code: str, typed: str) -> None:
    new_workbook({"form": "hai-duong-bieu-mau-2022",
                  "meta": {"tinh": "Hải Dương", "huyen": "Tứ Kỳ", "xa": typed, "ma_xa": code, "ky": "nam",
                           "nam": 2022},
                  "values": {"BM1-1": 3}}, folder / f"{code}.xlsx")


def test_consolidate_reads_commune_names_typed_in_tcvn3_and_vni(tmp_path):
    folder = tmp_path / "xa"
    folder.mkdir()
    _commune(folder, "Quang Khải", "10001", to_tcvn3("Quang Khải"))
    _commune(folder, "Đại Hợp", "10002", to_vni("Đại Hợp"))
    expected = tmp_path / "expected.csv"
    expected.write_text("ma_xa,xa\n10001,Quang Khải\n10002,Đại Hợp\n", encoding="utf-8")
    result = consolidate(folder, expected=expected)
    assert sorted(u.xa for u in result.units) == ["Quang Khải", "Đại Hợp"]
    assert all(s.received for s in result.expected)


def test_expected_list_typed_in_tcvn3_is_read_as_unicode(tmp_path):
    path = tmp_path / "ds.csv"
    rows = ["ma_xa,xa,huyen", *(f"{i},{to_tcvn3(n)},{to_tcvn3('Tứ Kỳ')}" for i, n in
                                 enumerate(["Quang Khải", "Đại Hợp", "Hà Kỳ", "Tân Kỳ"], 1))]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    units = read_expected(path)
    assert [u.xa for u in units] == ["Quang Khải", "Đại Hợp", "Hà Kỳ", "Tân Kỳ"]
    assert {u.huyen for u in units} == {"Tứ Kỳ"}
