"""The narrative report (``cchc-xl report``): text and numbers agree, wording files, layout, exit codes.

The proof test reads the generated .docx back with python-docx, extracts every number of every paragraph
and table cell, and checks each one against the workbook (its values, ratios and ranks derived from them)
or against the fixed text of the wording file and the messages — so a figure typed into code, or a value
the draft copied wrong, fails here.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import docx
import pytest

from cchc_xl.cli import main
from cchc_xl.engine import derive
from cchc_xl.engine.scores import standing
from cchc_xl.messages import MESSAGES
from cchc_xl.model.numbers import excel_round
from cchc_xl.ooxml.reader import read_report
from cchc_xl.sources.workbook import validate_file
from tests.conftest import ROOT, SAMPLES

WORDING_DIR = ROOT / "cchc_xl" / "catalogs" / "wording"
SAMPLE_BOOKS = sorted(SAMPLES.glob("*.xlsx"))
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NUMBER = re.compile(r"(?<![\w.,/-])(\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)(?![\w])")
PREFIX = re.compile(r"^(?:[IVX]+|\d+)\.\s|^-\s")


# ------------------------------------------------------------------------------------------- helpers


def _text(p) -> str:
    return "".join((t.text or "") if t.tag == W + "t" else "\n" for t in p.iter(W + "t", W + "br"))


def read_docx(path: Path) -> tuple[list[str], list[list[list[str]]]]:
    """Every paragraph outside tables, and every table as rows of cell texts (non-empty paragraphs joined
    by line breaks), in document order."""
    d = docx.Document(str(path))
    paras, tables = [], []
    for el in d.element.body.iterchildren():
        if el.tag == W + "p":
            paras.append(_text(el))
        elif el.tag == W + "tbl":
            rows = []
            for tr in el.iter(W + "tr"):
                rows.append(["\n".join(t for t in (_text(p) for p in tc.iter(W + "p")) if t)
                             for tc in tr.iter(W + "tc")])
            tables.append(rows)
    return paras, tables


def numbers(text: str) -> list[Decimal]:
    text = PREFIX.sub("", text.strip())
    return [Decimal(m.replace(".", "").replace(",", ".")) for m in NUMBER.findall(text)]


def norm(v) -> set[Decimal]:
    out = set()
    if isinstance(v, bool) or not isinstance(v, int | float | Decimal):
        return out
    for x in (v, excel_round(float(v), 2), excel_round(float(v), 3)):
        out.add(Decimal(repr(x) if isinstance(x, float) else str(x)).normalize())
    return out


def literal_numbers() -> set[Decimal]:
    """Numbers the fixed text itself contains: wording files, the report's messages, catalog labels."""
    texts = [p.read_text(encoding="utf-8") for p in WORDING_DIR.glob("*.yaml")]
    texts += [v for k, v in MESSAGES.items() if k.startswith("report-")]
    from cchc_xl.model.catalog import list_forms, load_form

    for f in list_forms():
        form = load_form(f)
        texts += [i.label for i in form.indicators] + [i.unit for i in form.indicators]
        texts += [label for i in form.indicators for label, _ in i.allowed]
    out: set[Decimal] = set()
    for t in texts:
        out |= {n.normalize() for n in numbers(t)}
    return out


def commune_allowed(book: Path, ranking: dict | None = None) -> set[Decimal]:
    report = read_report(book)
    values = {c: v for c, v in report.values.items() if isinstance(v, int | float) and not isinstance(v, bool)}
    allowed: set[Decimal] = set()
    for v in values.values():
        allowed |= norm(v)
    for v in derive.derived_values(report.form, values).values():
        allowed |= norm(v)
    for a, b in itertools.permutations(values.values(), 2):  # ratios derived from the workbook's values
        if b:
            allowed |= norm(excel_round(a / b * 100, 2))
    fw = report.framework
    for column in (report.scores, report.appraised):
        pts = {c: v for c, v in column.items() if isinstance(v, int | float)}
        computed = derive.score_values(fw, pts, column is report.appraised)
        for code, v in {**pts, **computed}.items():
            allowed |= norm(v)
            if code in fw.by_code and fw.criterion(code).max:
                allowed |= norm(derive.field_percent(fw, code, v))
    for c in fw.criteria:
        allowed |= norm(c.max) if c.max is not None else set()
    allowed |= {Decimal(sum(f.max for f in fw.fields if f.max)).normalize()}
    st = standing(fw, report.scores, report.appraised)  # the index the workbook's Chấm điểm sheet shows
    allowed |= norm(st.total) if st.total is not None else set()
    for f in st.fields:
        allowed |= (norm(f.points) | norm(f.percent)) if f.points is not None else set()
    result = validate_file(book)
    allowed |= norm(result.errors) | norm(result.warnings)
    nam = report.meta.get("nam")
    allowed |= norm(nam) | norm(nam + 1)
    if report.meta.get("ngay_lap"):
        d = report.meta["ngay_lap"]
        allowed |= norm(d.day) | norm(d.month) | norm(d.year)
    if ranking:
        for u in ranking["units"]:
            r = u["rank"]
            allowed |= norm(r["total"].get("position")) | norm(r["total"].get("of"))
            for f in r["fields"].values():
                allowed |= norm(f["position"]) | norm(f["levels"])
    return allowed | literal_numbers()


def unexplained(paras: list[str], tables: list[list[list[str]]], allowed: set[Decimal],
                skip_tables: tuple[int, ...] = ()) -> list[tuple[str, Decimal]]:
    bad = []
    for text in paras:
        bad += [(text, n) for n in numbers(text) if n.normalize() not in allowed]
    for i, table in enumerate(tables):
        if i in skip_tables:
            continue
        for row in table:
            for cell in row:
                for line in cell.split("\n"):
                    bad += [(line, n) for n in numbers(line) if n.normalize() not in allowed]
    return bad


def write(book: Path, out: Path, *extra: str) -> int:
    return main(["report", str(book), "-o", str(out), *extra])


def find_table(tables, first_header: str, second_header: str | None = None):
    for i, t in enumerate(tables):
        if t and t[0][0] == first_header and (second_header is None or t[0][1] == second_header):
            return i, t
    raise AssertionError(f"no table {first_header}/{second_header}")


@pytest.fixture(scope="module")
def province_json(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("province")
    rc = main(["consolidate", str(SAMPLES / "province"), "-o", str(out / "tong-hop.xlsx"), "--json",
               str(out / "tong-hop.json"), "--expected", str(SAMPLES / "province" / "expected.csv"), "-q"])
    assert rc == 1  # the demo folder holds broken files on purpose
    return out / "tong-hop.json"


# -------------------------------------------------------------------------------------- the proof


@pytest.mark.parametrize("book", SAMPLE_BOOKS, ids=lambda p: p.stem)
def test_every_number_in_the_draft_comes_from_the_workbook(book, tmp_path):
    out = tmp_path / "bao-cao.docx"
    assert write(book, out) in (0, 1)
    paras, tables = read_docx(out)
    form = read_report(book).form
    idx, _appendix = find_table(tables, "STT", form.label_header)
    skip = [idx]
    try:
        f_idx, _ = find_table(tables, "STT", "Mức độ")
        skip.append(f_idx)
    except AssertionError:
        pass
    bad = unexplained(paras, tables, commune_allowed(book), tuple(skip))
    assert not bad, bad[:5]


@pytest.mark.parametrize("book", SAMPLE_BOOKS, ids=lambda p: p.stem)
def test_appendix_table_holds_the_workbook_values_in_the_official_order(book, tmp_path):
    out = tmp_path / "bao-cao.docx"
    write(book, out)
    report = read_report(book)
    form = report.form
    _, table = find_table(read_docx(out)[1], "STT", form.label_header)
    rows = [r for r in table[1:] if len(set(r)) > 1]  # section rows are one merged cell
    assert [r[1] for r in rows] == [i.label for i in form.indicators]
    numeric = {c: v for c, v in report.values.items() if isinstance(v, int | float)}
    derived = derive.derived_values(form, numeric)
    for ind, row in zip(form.indicators, rows, strict=True):
        shown = row[3]
        want = derived.get(ind.code, report.values.get(ind.code)) if ind.has_cell else None
        if want in (None, ""):
            assert shown == "", (ind.code, shown)
        elif isinstance(want, str):
            assert shown == want  # text typed into a number cell is shown as typed (and flagged in the annex)
        else:
            assert numbers(shown) and numbers(shown)[0] in norm(want), (ind.code, shown, want)


def test_findings_annex_repeats_validate_word_for_word(tmp_path):
    book = SAMPLES / "hoang-truong-nam-2023.xlsx"
    out = tmp_path / "bao-cao.docx"
    assert write(book, out) == 1  # written, but the workbook has errors
    _, table = find_table(read_docx(out)[1], "STT", "Mức độ")
    messages = sorted(r[3] for r in table[1:])
    assert messages == sorted(f.message for f in validate_file(book).findings)


def test_the_proof_catches_a_typed_figure(tmp_path):
    """The checker itself can fail: a seed-style typed "99,9 %" is not explained by the workbook."""
    book = SAMPLES / "le-hong-6thang-2022.xlsx"
    allowed = commune_allowed(book)
    assert unexplained(["Tỷ lệ hồ sơ giải quyết đúng hạn đạt 99,9 %."], [], allowed)
    assert not unexplained(["Tỷ lệ hồ sơ giải quyết đúng hạn đạt 100 %."], [], allowed)


# ---------------------------------------------------------------------------------- what the text says


def body_text(out: Path) -> str:
    paras, _tables = read_docx(out)
    return "\n".join(paras)


def test_ratios_are_computed_never_copied_from_the_source(tmp_path):
    """Seed 001 typed 85 % for 24/28 and 99,9 % for 1221/1221; the draft computes 85,71 % and 100 %."""
    out = tmp_path / "le-hong.docx"
    write(SAMPLES / "le-hong-6thang-2022.xlsx", out)
    text = body_text(out)
    assert "hoàn thành 24 nhiệm vụ, đạt 85,71 %" in text
    assert "giải quyết đúng hạn 1.221 hồ sơ, đạt 100 %" in text
    assert "99,9" not in text and "đạt 85 %" not in text


def test_tthc_sentence_in_the_issue_phrasing(tmp_path):
    out = tmp_path / "ht.docx"
    write(SAMPLES / "hoang-truong-nam-2023.xlsx", out)
    assert ("Số hồ sơ đã tiếp nhận: 1.603 hồ sơ, trong đó trực tiếp 581, qua BCCI 2, trực tuyến mức độ 3: 525, "
            "mức độ 4: 489; giải quyết đúng hẹn 1.588 hồ sơ, đạt 99,06 %.") in body_text(out)


@pytest.mark.parametrize("ky,this,other", [
    ("nam", "năm 2023", ("Chín tháng", "9 tháng", "6 tháng", "quý")),
    ("6thang", "6 tháng đầu năm 2023", ("Chín tháng", "9 tháng", "quý")),
    ("9thang", "9 tháng đầu năm 2023", ("6 tháng", "Chín tháng")),
    ("quy1", "quý I năm 2023", ("6 tháng", "9 tháng", "Chín tháng")),
])
def test_period_words_follow_the_ky_never_chin_thang_in_an_annual_report(ky, this, other, tmp_path):
    from cchc_xl.commands.new import new_workbook

    book = tmp_path / "xa.xlsx"
    new_workbook({"form": "phu-luc-01b", "meta": {"tinh": "Thanh Hóa", "huyen": "Hoằng Hóa", "xa": "Hoằng Trường",
                                                   "ky": ky, "nam": 2023}, "values": {"1.1.3": 5}}, book)
    out = tmp_path / "bc.docx"
    assert write(book, out) == 0
    paras, tables = read_docx(out)
    subject = paras[paras.index("BÁO CÁO") + 1]
    assert this in subject
    text = "\n".join(paras) + "\n".join(c for t in tables for r in t for c in r if "Chỉ tiêu" not in c)
    text = text.replace("(Sử dụng trong kỳ báo cáo hàng quý, 6 tháng, 9 tháng, năm)", "")
    for word in other:
        assert word not in text, word


def test_blank_indicators_are_left_out_never_written_as_zero(tmp_path):
    from cchc_xl.commands.new import new_workbook

    book = tmp_path / "xa.xlsx"
    new_workbook({"form": "phu-luc-01b", "meta": {"tinh": "Thanh Hóa", "xa": "Hoằng Trường", "ky": "nam",
                                                   "nam": 2023},
                  "values": {"3.3.1": 120, "3.3.1.a": 20, "2.1": 0}}, book)
    out = tmp_path / "bc.docx"
    write(book, out)
    text = body_text(out)
    assert "Số hồ sơ đã tiếp nhận: 120 hồ sơ, trong đó trực tiếp 20." in text  # 3.3.2 blank: no "0", no ratio
    assert "đúng hẹn" not in text.split("Số hồ sơ đã tiếp nhận")[1].split("\n")[0]
    assert "ban hành/tham mưu ban hành: 0 văn bản" in text  # an entered 0 is a figure, and is written
    assert "đã kiểm tra theo thẩm quyền" not in text  # 2.2 blank: the sentence is gone
    assert "[Đơn vị bổ sung:" in text


def test_par_scores_with_ranks_in_the_seeds_phrasing(province_json, tmp_path):
    out = tmp_path / "dt.docx"
    book = SAMPLES / "province" / "dong-tam-nam-2022.xlsx"
    assert write(book, out, "--ranking", str(province_json)) == 0
    text = body_text(out)
    unit = next(u for u in json.loads(province_json.read_text())["units"] if u["xa"] == "Đồng Tâm")
    pos, of = unit["rank"]["total"]["position"], unit["rank"]["total"]["of"]
    assert f"đạt 92,03/100 điểm, xếp thứ {pos}/{of} xã, thị trấn" in text
    f2 = unit["rank"]["fields"]["2"]
    assert f"Cải cách thể chế: đạt {unit['scores']['fields']['2']:g}/5 điểm".replace(".", ",") in text
    assert f"xếp hạng {f2['position']}/{f2['levels']} hạng" in text
    paras, tables = read_docx(out)
    idx, _ = find_table(tables, "STT", read_report(book).form.label_header)
    assert not unexplained(paras, tables, commune_allowed(book, json.loads(province_json.read_text())), (idx,))


def test_ranks_of_another_consolidation_are_not_used(province_json, tmp_path, capsys):
    """The seed Đồng Tâm (87,75) is not the synthetic province's Đồng Tâm: no rank is borrowed."""
    out = tmp_path / "dt.docx"
    assert write(SAMPLES / "dong-tam-nam-2022.xlsx", out, "--ranking", str(province_json)) == 0
    assert "xếp thứ" not in body_text(out)
    assert "khác tổng điểm trong sổ" in capsys.readouterr().err


def test_incomplete_scores_do_not_state_an_index(tmp_path):
    """Hiệp Hòa has points for 4 fields only (the seed stated 84,40): the draft says what is missing."""
    out = tmp_path / "hh.docx"
    write(SAMPLES / "hiep-hoa-nam-2022.xlsx", out)
    text = body_text(out)
    assert "mới có ở 4/10 lĩnh vực, cộng 37,685/50 điểm" in text
    assert "84,40" not in text and "/100 điểm" not in text


def test_weak_field_below_75_percent_is_named(tmp_path):
    out = tmp_path / "dt.docx"
    write(SAMPLES / "dong-tam-nam-2022.xlsx", out)
    assert "Các lĩnh vực đạt dưới 75 % điểm tối đa: Cải cách tài chính công (5/7 điểm, 71,43 %)." in body_text(out)


# --------------------------------------------------------------------------------------- layout NĐ 30


def test_layout_follows_decree_30(tmp_path):
    out = tmp_path / "bc.docx"
    write(SAMPLES / "le-hong-6thang-2022.xlsx", out)
    d = docx.Document(str(out))
    s = d.sections[0]
    assert abs(s.page_width.cm - 21.0) < 0.01 and abs(s.page_height.cm - 29.7) < 0.01
    assert 2.0 <= s.top_margin.cm <= 2.5 and 2.0 <= s.bottom_margin.cm <= 2.5
    assert 3.0 <= s.left_margin.cm <= 3.5 and 1.5 <= s.right_margin.cm <= 2.0
    assert d.styles["Normal"].font.name == "Times New Roman"
    paras, tables = read_docx(out)
    header = tables[0]
    assert header[0][0] == "ỦY BAN NHÂN DÂN\nXÃ LÊ HỒNG"
    assert header[0][1].startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc")
    assert header[1][0].startswith("Số:") and header[1][0].endswith("/BC-UBND")
    assert header[1][1] == "Lê Hồng, ngày 13 tháng 6 năm 2022"
    heads = [p for p in paras if re.match(r"^[IV]+\. ", p)]
    assert [h.split(".")[0] for h in heads] == ["I", "II", "III", "IV", "V"]
    assert heads[3] == "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM 2022"
    signature = next(t for t in tables if t[0][0].startswith("Nơi nhận:"))
    assert "UBND huyện Thanh Miện (để b/c);" in signature[0][0]
    assert signature[0][1].startswith("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH") and signature[0][1].endswith("Bùi Văn Tiến")
    sizes = {r.font.size.pt for p in d.paragraphs for r in p.runs if r.font.size and r.text.strip()}
    assert sizes <= {11, 12, 13, 14}


def test_signer_lines_stay_blank_without_a_name(tmp_path):
    out = tmp_path / "bc.docx"
    write(SAMPLES / "dong-tam-nam-2022.xlsx", out)
    signature = next(t for t in read_docx(out)[1] if t[0][0].startswith("Nơi nhận:"))
    assert signature[0][1].rstrip("\n").endswith("CHỦ TỊCH")


# ------------------------------------------------------------------------------------------- wording


def test_shipped_wording_files_cover_both_bundled_forms():
    from cchc_xl.model.catalog import list_forms
    from cchc_xl.model.wording import list_wordings, load_wording

    assert set(list_wordings()) == set(list_forms())
    for form in list_forms():
        assert load_wording(form).fields


def test_unknown_placeholder_is_a_vietnamese_error_with_its_line(tmp_path):
    from cchc_xl.model.wording import WordingError, load_wording_file

    text = (WORDING_DIR / "phu-luc-01b.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    n = next(i for i, line in enumerate(lines) if "{1.1.3}" in line)
    lines[n] = lines[n].replace("{1.1.3}", "{1.1.9}")
    bad = tmp_path / "loi-van.yaml"
    bad.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(WordingError) as err:
        load_wording_file(bad, "phu-luc-01b")
    assert err.value.problems == [
        f"Tệp lời văn '{bad}', dòng {n + 1}: ô thay thế '{{1.1.9}}' không phải mã chỉ tiêu của mẫu "
        "(hoặc tỷ lệ 'mã/mã', hoặc khóa được phép)."]


def test_wording_of_another_form_is_refused(tmp_path, capsys):
    out = tmp_path / "bc.docx"
    rc = write(SAMPLES / "le-hong-6thang-2022.xlsx", out, "--wording", str(WORDING_DIR / "phu-luc-01b.yaml"))
    assert rc == 2 and not out.exists()
    assert "viết cho mẫu 'phu-luc-01b'" in capsys.readouterr().err


def test_a_provinces_own_wording_changes_the_text(tmp_path):
    text = (WORDING_DIR / "phu-luc-01b.yaml").read_text(encoding="utf-8")
    own = tmp_path / "thanh-hoa.yaml"
    own.write_text(text.replace("Số thư/trường hợp đã công khai xin lỗi: {3.5}.",
                                "Đã công khai xin lỗi {3.5} trường hợp."), encoding="utf-8")
    out = tmp_path / "bc.docx"
    write(SAMPLES / "hoang-truong-nam-2023.xlsx", out, "--wording", str(own))
    assert "Đã công khai xin lỗi 11 trường hợp." in body_text(out)


def test_optional_segments_and_groups():
    from cchc_xl.model.wording import fill

    values = {"a": "1", "b": None, "c": "3"}
    assert fill("X {a}[[, y {b}]][[, z {c}]].", values.get) == "X 1, z 3."
    assert fill("X {b}[[, z {c}]].", values.get) is None
    assert fill("Gồm:[[+ y {b};]][[+ z {c};]]", values.get) == "Gồm: z 3;"
    assert fill("Gồm:[[+ y {b};]]", values.get) is None


# -------------------------------------------------------------------------------------- exit codes


def test_strict_refuses_a_workbook_with_errors(tmp_path, capsys):
    out = tmp_path / "bc.docx"
    assert write(SAMPLES / "hoang-truong-nam-2023.xlsx", out, "--strict") == 1
    assert not out.exists()
    assert "còn 2 lỗi" in capsys.readouterr().err
    assert write(SAMPLES / "quang-khai-nam-2022.xlsx", out, "--strict") == 0 and out.exists()


def test_existing_output_needs_force(tmp_path, capsys):
    out = tmp_path / "bc.docx"
    out.write_bytes(b"keep")
    assert write(SAMPLES / "quang-khai-nam-2022.xlsx", out) == 2
    assert out.read_bytes() == b"keep"
    assert write(SAMPLES / "quang-khai-nam-2022.xlsx", out, "--force") == 0


@pytest.mark.parametrize("name,content", [("xa.xlsx", b"%PDF-1.4 not a workbook"), ("tong-hop.json", b"{\"a\": 1}")])
def test_unusable_input_is_one_sentence_exit_2(name, content, tmp_path, capsys):
    src = tmp_path / name
    src.write_bytes(content)
    assert write(src, tmp_path / "bc.docx") == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1 and not (tmp_path / "bc.docx").exists()


# ------------------------------------------------------------------------------------ consolidation


def consolidation_allowed(doc: dict) -> set[Decimal]:
    allowed: set[Decimal] = set()
    totals = {k: v for k, v in doc["totals"].items() if isinstance(v, int | float)}
    for v in doc["totals"].values():
        allowed |= norm(v) if not isinstance(v, dict) else set().union(*(norm(n) for n in v.values()))
    for a, b in itertools.permutations(totals.values(), 2):
        if b:
            allowed |= norm(excel_round(a / b * 100, 2))
    units = doc["units"]
    ranked = [u for u in units if u["rank"]["total"]["position"]]
    for u in units:
        allowed |= norm(u["scores"]["total"]) | norm(u["errors"])
        for v in u["scores"]["fields"].values():
            allowed |= norm(v)
        allowed |= norm(u["rank"]["total"]["position"]) | norm(u["rank"]["total"]["of"])
    # One completeness entry per expected commune (issue 12): communes whose files were unusable count too.
    expected = len(doc["completeness"]) if doc.get("completeness") else len(units) + len(doc["missing"])
    counts = [expected, len(units), len(doc["missing"]), len(doc["rejected"]), len(ranked),
              sum(1 for u in units if u["errors"]), len(units) - sum(1 for u in units if u["errors"]),
              excel_round(len(units) / expected * 100, 2),
              excel_round(sum(u["scores"]["total"] for u in ranked) / len(ranked), 2)]
    from cchc_xl.engine import rank
    from cchc_xl.model.catalog import framework_for, load_form

    fw = framework_for(load_form(doc["form"]))
    classes: dict[str, int] = {}
    for u in ranked:
        c = rank.classify(u["scores"]["total"], rank.DEFAULT_CLASSES)
        classes[c] = classes.get(c, 0) + 1
    counts += list(classes.values())
    for f in fw.fields:
        pts = [u["scores"]["fields"].get(f.code) for u in ranked]
        pts = [p for p in pts if p is not None]
        counts += [pts.count(max(pts)), pts.count(min(pts))]
        mean = excel_round(sum(pts) / len(pts), 2)
        counts += [mean, excel_round(mean / float(f.max) * 100, 2)]
        allowed |= norm(f.max)
    for c in counts:
        allowed |= norm(c)
    allowed |= norm(doc["period"]["nam"]) | norm(doc["period"]["nam"] + 1)
    return allowed | literal_numbers()


def test_consolidation_draft_numbers_come_from_the_consolidation(province_json, tmp_path):
    out = tmp_path / "tong-hop.docx"
    assert write(province_json, out) == 0
    doc = json.loads(province_json.read_text(encoding="utf-8"))
    paras, tables = read_docx(out)
    idx, _ = find_table(tables, "STT", load_label(doc["form"]))
    assert not unexplained(paras, tables, consolidation_allowed(doc), (idx,))
    text = "\n".join(paras)
    missing = ", ".join(m["xa"] for m in doc["missing"])
    assert f"Có {len(doc['missing'])} đơn vị chưa gửi báo cáo: {missing}." in text
    _, ranking = find_table(tables, "STT", "Xã, thị trấn")
    ranked = sorted((u for u in doc["units"] if u["rank"]["total"]["position"]),
                    key=lambda u: u["rank"]["total"]["position"])
    assert [r[1] for r in ranking[1:]] == [u["xa"] for u in ranked]
    assert ranking[0] == ["STT", "Xã, thị trấn", "Điểm", "Thứ hạng", "Xếp loại"]


def load_label(form_id: str) -> str:
    from cchc_xl.model.catalog import load_form

    return load_form(form_id).label_header


def test_consolidation_from_workbook_agrees_with_json(province_json, tmp_path):
    a, b = tmp_path / "a.docx", tmp_path / "b.docx"
    assert write(province_json, a) == 0
    assert write(province_json.with_suffix(".xlsx"), b) == 0
    ta, tb = read_docx(a)[1], read_docx(b)[1]
    rank_a, rank_b = find_table(ta, "STT", "Xã, thị trấn")[1], find_table(tb, "STT", "Xã, thị trấn")[1]
    assert rank_a == rank_b
    assert find_table(ta, "Lĩnh vực")[1] == find_table(tb, "Lĩnh vực")[1]
    form = json.loads(province_json.read_text())["form"]
    assert find_table(ta, "STT", load_label(form))[1] == find_table(tb, "STT", load_label(form))[1]
    text_b = "\n".join(read_docx(b)[0])
    assert "Ủy ban nhân dân tỉnh Hải Dương" in text_b  # the workbook's heading names the consolidating unit
    assert "muộn" not in text_b  # no --deadline: lateness is unknown, so the draft says nothing about it
    assert "Số đơn vị phải báo cáo: 25; đã nhận báo cáo của 22 đơn vị (88 %)" in text_b


def test_late_communes_are_named_from_the_workbook(tmp_path):
    out = tmp_path / "th"
    out.mkdir()
    main(["consolidate", str(SAMPLES / "province"), "-o", str(out / "t.xlsx"), "--json", str(out / "t.json"),
          "--expected", str(SAMPLES / "province" / "expected.csv"), "--deadline", "2000-01-01", "-q"])
    late = sum(c["late"] for c in json.loads((out / "t.json").read_text(encoding="utf-8"))["completeness"])
    doc = tmp_path / "bc.docx"
    assert write(out / "t.xlsx", doc) == 0
    text = "\n".join(read_docx(doc)[0])
    assert late >= 22 and f"Có {late} đơn vị gửi báo cáo muộn: " in text and "Đồng Tâm" in text.split("gửi báo cáo muộn")[1]


def test_commune_ranks_from_the_consolidation_workbook(province_json, tmp_path):
    out = tmp_path / "dt.docx"
    book = SAMPLES / "province" / "dong-tam-nam-2022.xlsx"
    assert write(book, out, "--ranking", str(province_json.with_suffix(".xlsx"))) == 0
    unit = next(u for u in json.loads(province_json.read_text())["units"] if u["xa"] == "Đồng Tâm")
    pos, of = unit["rank"]["total"]["position"], unit["rank"]["total"]["of"]
    assert f"xếp thứ {pos}/{of} xã, thị trấn" in body_text(out)


def test_no_expected_list_no_expected_count(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    shutil.copy(SAMPLES / "hoang-truong-nam-2023.xlsx", folder)
    main(["consolidate", str(folder), "-o", str(tmp_path / "t.xlsx"), "--json", str(tmp_path / "t.json"), "-q"])
    for src in (tmp_path / "t.json", tmp_path / "t.xlsx"):
        doc = tmp_path / f"bc-{src.suffix[1:]}.docx"
        assert write(src, doc) == 0
        text = "\n".join(read_docx(doc)[0])
        assert "phải báo cáo" not in text and "Đã nhận báo cáo của 1 đơn vị" in text


def test_consolidation_json_does_not_guess_the_district(province_json, tmp_path):
    out = tmp_path / "t.docx"
    write(province_json, out)
    header = read_docx(out)[1][0]
    assert "[ĐƠN VỊ BỔ SUNG" in header[0][0]


def test_consolidation_sheet_names_pinned_to_the_writer():
    from cchc_xl.commands import consolidate
    from cchc_xl.render import consolidate_report as report_consolidate
    from cchc_xl.sources import consolidation as reader

    assert reader.UNITS_SHEET == report_consolidate.UNITS_SHEET
    assert reader.COMPLETENESS_SHEET == report_consolidate.COMPLETENESS_SHEET
    assert reader.CHECK_SHEET == report_consolidate.CHECK_SHEET
    assert reader.INDEX_SHEET == consolidate.INDEX_SHEET and reader.HEAD_POSITION == consolidate.HEAD_POSITION
    assert set(reader.STATUS) == set(report_consolidate.STATUS_LABELS.values())


# ------------------------------------------------------------------------------------- LibreOffice


@pytest.mark.libreoffice
def test_draft_converts_to_pdf_and_renders(soffice, tmp_path):
    out = tmp_path / "bc.docx"
    write(SAMPLES / "hoang-truong-nam-2023.xlsx", out)
    profile = tmp_path / "profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "bc.pdf"
    assert pdf.exists()
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        assert 4 <= pages <= 12  # body (3 pages), the appendix and the findings annex
        size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info)
        assert abs(float(size.group(1)) - 595.3) < 2 and abs(float(size.group(2)) - 841.9) < 2  # A4
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
                       check=True, timeout=60)
        assert list(tmp_path.glob("p-*.png"))
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n" in text  # the Quốc hiệu fits on one line
        assert "đạt 99,06 %" in " ".join(text.split())


# ------------------------------------------------------------------------------------ properties

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_CODES = ("a", "b", "c", "d")


@given(st.dictionaries(st.sampled_from(_CODES), st.one_of(st.none(), st.integers(0, 10**6).map(str))),
       st.lists(st.tuples(st.sampled_from(("", "+", "req")), st.sampled_from(_CODES)), min_size=1, max_size=5))
def test_fill_never_leaks_syntax_or_blanks(values, parts):
    from cchc_xl.model.wording import fill

    template = "Câu"
    for kind, code in parts:
        template += f" {{{code}}}" if kind == "req" else f"[[{kind} x {{{code}}}]]"
    out = fill(template, values.get)
    required = [c for k, c in parts if k == "req"]
    groups = [c for k, c in parts if k == "+"]
    if any(values.get(c) is None for c in required) or (groups and all(values.get(c) is None for c in groups)):
        assert out is None
    else:
        assert out is not None
        assert "{" not in out and "[[" not in out and "]]" not in out and "None" not in out
        shown = re.findall(r"\d+", out)
        assert all(any(s == v for v in values.values() if v is not None) for s in shown)


@given(st.sampled_from(("nam", "6thang", "9thang", "quy1", "quy2", "quy3", "quy4")), st.integers(2000, 2100))
def test_period_words_name_only_their_own_period(ky, year):
    from cchc_xl.commands.report import period_words

    this, following = period_words(ky, year)
    assert str(year) in this
    if ky == "nam":
        assert this == f"năm {year}" and following == f"năm {year + 1}"
        assert "tháng" not in this + following and "quý" not in this + following
    if ky != "9thang":
        assert "9 tháng" not in this + following


def test_wording_yaml_syntax_error_names_the_line(tmp_path, capsys):
    bad = tmp_path / "loi.yaml"
    bad.write_text("form: phu-luc-01b\nopening: [chưa đóng\n", encoding="utf-8")
    assert write(SAMPLES / "hoang-truong-nam-2023.xlsx", tmp_path / "bc.docx", "--wording", str(bad)) == 2
    err = capsys.readouterr().err
    assert "sai cú pháp YAML ở dòng" in err and "Traceback" not in err


def test_missing_wording_file_is_exit_2(tmp_path, capsys):
    rc = write(SAMPLES / "hoang-truong-nam-2023.xlsx", tmp_path / "bc.docx", "--wording", str(tmp_path / "x.yaml"))
    assert rc == 2 and "Không đọc được tệp lời văn" in capsys.readouterr().err


def test_consolidation_trend_with_a_previous_ranking(province_json, tmp_path):
    """With --previous the draft has the change column and the trend paragraph (tăng/giảm bậc)."""
    prev = json.loads(province_json.read_text(encoding="utf-8"))
    units = [u for u in prev["units"] if u["rank"]["total"]["position"]]
    # last year's order reversed: whoever is first now was last then
    n = len(units)
    for u in units:
        u["rank"]["total"]["position"] = n + 1 - u["rank"]["total"]["position"]
    last = tmp_path / "nam-truoc.json"
    last.write_text(json.dumps(prev, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "th"
    out.mkdir()
    main(["consolidate", str(SAMPLES / "province"), "-o", str(out / "t.xlsx"), "--json", str(out / "t.json"),
          "--previous", str(last), "-q"])
    doc = out / "bc.docx"
    assert write(out / "t.json", doc) == 0
    paras, tables = read_docx(doc)
    _, ranking = find_table(tables, "STT", "Xã, thị trấn")
    assert ranking[0][-1] == "So với kỳ trước"
    assert ranking[1][-1].startswith("tăng ")
    text = "\n".join(paras)
    assert "đơn vị tăng bậc" in text and "Tăng nhiều nhất:" in text
