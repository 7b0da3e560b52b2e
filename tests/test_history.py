"""History store and plausibility over time, end to end: consolidate/validate --history, history FILE …"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from cchc_xl.cli import main
from cchc_xl.commands.consolidate import consolidate
from cchc_xl.commands.history import check_consolidation
from cchc_xl.commands.new import new_workbook
from cchc_xl.sources.history_db import open_store, unit_key

FORM = "hai-duong-bieu-mau-2022"
FIELDS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10")
MAXIMA = (15, 5, 18.5, 6, 11, 7, 11.5, 2, 14, 10)
N = 12
TYPO_CODE = "BM3-3.3.1"


def doc(i: int, nam: int, *, ky: str = "nam", factor: float = 1.0, share: float | None = None) -> dict:
    files = int((1000 + 73 * i) * factor)
    values = {"BM1-1": 4 + i % 5, "BM3-1.4": 100 + 5 * i, "BM3-1.4.3": 100 + 5 * i, "BM3-3.3.1": files,
              "BM3-3.3.2": files * 9 // 10, "BM4-2.1": 18 + i % 4, "BM4-2.2": 18 + i % 4}
    share = share if share is not None else 0.6 + 0.03 * i
    return {"form": FORM, "meta": {"tinh": "Hải Dương", "huyen": "Tứ Kỳ", "xa": f"Xã Số {i + 1}",
                                   "ma_xa": f"{11100 + i}", "ky": ky, "nam": nam},
            "values": values, "appraised": {f: round(m * share, 3) for f, m in zip(FIELDS, MAXIMA, strict=True)}}


def build(folder: Path, docs: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n, d in enumerate(docs):
        new_workbook(d, folder / f"xa-{n:02d}.xlsx")
    return folder


@pytest.fixture(scope="module")
def years(tmp_path_factory) -> dict[str, Path]:
    """2021 (ranks reversed), 2022 clean, 2022 with a ×10 typo in commune 6, 2022 resubmission of commune 3."""
    root = tmp_path_factory.mktemp("years")
    out = {"2021": build(root / "2021", [doc(i, 2021, share=0.93 - 0.03 * i) for i in range(N)]),
           "2022": build(root / "2022", [doc(i, 2022) for i in range(N)])}
    typo = root / "2022-typo"
    shutil.copytree(out["2022"], typo)
    new_workbook(doc(5, 2022, factor=10), typo / "xa-05.xlsx")
    out["typo"] = typo
    resub = root / "2022-resub"
    shutil.copytree(out["2022"], resub)
    new_workbook(doc(2, 2022, factor=1.2), resub / "xa-02.xlsx")
    out["resub"] = resub
    return out


def followups(result) -> list[dict]:
    return [f | {"xa": u.xa} for u in result.units for f in u.findings if f["severity"] == "followup"]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------------------------------ outliers


def test_consistent_run_has_no_follow_up(years, tmp_path):
    result = consolidate(years["2022"], jobs=1)
    outcome = check_consolidation(result, tmp_path / "h.sqlite")
    assert outcome.followups == [] and followups(result) == []


def test_planted_x10_typo_flagged_by_outlier_check(years):
    result = consolidate(years["typo"], jobs=1)
    before = [(u.status, u.errors, u.warnings) for u in result.units]
    check_consolidation(result)  # no history needed for outliers across communes
    found = [f for f in followups(result) if f["rule"] == f"outlier:{TYPO_CODE}"]
    assert [f["xa"] for f in found] == ["Xã Số 6"]
    f = found[0]
    assert f["codes"] == [TYPO_CODE] and f["values"]["value"] == 13650 and f["values"]["z"] > 3.5
    assert "13.650" in f["message"] and "trung vị" in f["message"] and "z hiệu chỉnh" in f["message"]
    # the per-procedure check sees it too; statuses and counts are unchanged (follow-up is not an error)
    assert any(g["rule"].startswith(f"outlier-per:{TYPO_CODE}/") and g["xa"] == "Xã Số 6" for g in followups(result))
    assert [(u.status, u.errors, u.warnings) for u in result.units] == before


def test_outlier_threshold_option_and_off_switch(years, tmp_path, capsys):
    out = tmp_path / "t.xlsx"
    assert main(["consolidate", str(years["typo"]), "-o", str(out), "--jobs", "1", "-q", "--outlier-z", "0"]) == 0
    wb = CalamineWorkbook.from_path(str(out))
    assert "Cần xem lại" not in wb.sheet_names
    assert main(["consolidate", str(years["typo"]), "-o", str(out), "--jobs", "1", "-q", "--force"]) == 0
    wb = CalamineWorkbook.from_path(str(out))
    rows = wb.get_sheet_by_name("Cần xem lại").to_python()
    assert any("Xã Số 6" in r and TYPO_CODE in r for r in rows)


# ------------------------------------------------------------------------------------------- change


def test_x10_jump_from_last_period_flagged_by_change_check(years, tmp_path):
    db = tmp_path / "h.sqlite"
    check_consolidation(consolidate(years["2021"], jobs=1), db)
    result = consolidate(years["typo"], jobs=1)
    check_consolidation(result, db)
    found = [f for f in followups(result) if f["rule"].startswith("change:")]
    assert {(f["xa"], f["rule"]) for f in found} >= {("Xã Số 6", f"change:last-year:{TYPO_CODE}")}
    assert all(f["xa"] == "Xã Số 6" for f in found)
    f = next(f for f in found if f["rule"] == f"change:last-year:{TYPO_CODE}")
    assert "13.650" in f["message"] and "1.365" in f["message"] and "Năm 2021" in f["message"]


def test_quarter_against_previous_quarter(tmp_path):
    db = tmp_path / "h.sqlite"
    q1 = build(tmp_path / "q1", [doc(i, 2023, ky="quy1") for i in range(4)])
    q2 = build(tmp_path / "q2", [doc(i, 2023, ky="quy2", factor=10 if i == 1 else 1) for i in range(4)])
    check_consolidation(consolidate(q1, jobs=1), db)
    result = consolidate(q2, jobs=1)
    check_consolidation(result, db)
    rules = {(f["xa"], f["rule"]) for f in followups(result) if f["rule"].startswith("change:")}
    assert ("Xã Số 2", f"change:previous:{TYPO_CODE}") in rules
    assert {xa for xa, _ in rules} == {"Xã Số 2"}


def test_rank_change_without_previous(years, tmp_path):
    db = tmp_path / "h.sqlite"
    check_consolidation(consolidate(years["2021"], jobs=1), db)
    result = consolidate(years["2022"], jobs=1)
    assert all(u.rank_change is None for u in result.units)
    outcome = check_consolidation(result, db)
    by_name = {u.xa: u for u in result.units}
    # 2021: commune 1 first … commune 12 last; 2022 the reverse
    assert by_name["Xã Số 1"].rank_change == 1 - 12 and by_name["Xã Số 12"].rank_change == 12 - 1
    assert result.previous is True
    row = next(t for t in outcome.trend if t.xa == "Xã Số 12")
    assert row.field_rank_change["1"] > 0 and len(row.totals) == 2 and row.change > 0
    assert [label for label, _ in outcome.distribution] == ["Năm 2021", "Năm 2022"]


def test_rank_change_in_workbook_and_json_via_cli(years, tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    assert main(["consolidate", str(years["2021"]), "-o", str(tmp_path / "a.xlsx"), "--history", str(db),
                 "--jobs", "1", "-q"]) == 0
    assert main(["consolidate", str(years["2022"]), "-o", str(tmp_path / "b.xlsx"), "--json", str(tmp_path / "b.json"),
                 "--history", str(db), "--jobs", "1", "-q"]) == 0
    units = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["units"]
    assert {u["xa"]: u["rank_change"] for u in units}["Xã Số 12"] == 11
    wb = CalamineWorkbook.from_path(str(tmp_path / "b.xlsx"))
    index = wb.get_sheet_by_name("Chỉ số CCHC").to_python()
    assert any("tăng 11 bậc" in r for r in index)
    trend = wb.get_sheet_by_name("Diễn biến chỉ số").to_python()
    assert any("Năm 2021" in r and "Năm 2022" in r for r in trend)


# ------------------------------------------------------------------------------------------- storage


def _counts(db: Path) -> tuple[int, int, int, int]:
    with sqlite3.connect(db) as c:
        return tuple(c.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[return-value]
                     for t in ("submissions", "vals", "field_scores", "units"))


def test_idempotent_rerun(years, tmp_path):
    db = tmp_path / "h.sqlite"
    first = check_consolidation(consolidate(years["2022"], jobs=1), db).summary
    counts = _counts(db)
    with sqlite3.connect(db) as c:
        rows = c.execute("SELECT unit, version, sha256, total, rank_total FROM submissions ORDER BY unit").fetchall()
    second = check_consolidation(consolidate(years["2022"], jobs=1), db).summary
    assert (first.new, first.unchanged) == (N, 0) and (second.new, second.replaced, second.unchanged) == (0, 0, N)
    assert _counts(db) == counts
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT unit, version, sha256, total, rank_total FROM submissions ORDER BY unit"
                         ).fetchall() == rows
        assert c.execute("SELECT count(*) FROM runs").fetchone()[0] == 2  # runs are a log


def test_resubmission_versioning(years, tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    check_consolidation(consolidate(years["2022"], jobs=1), db)
    summary = check_consolidation(consolidate(years["resub"], jobs=1), db).summary
    assert (summary.new, summary.replaced, summary.unchanged) == (0, 1, N - 1)
    key = unit_key("11102", "Xã Số 3")
    with open_store(db) as store:
        current = store.series(key)
        every = store.series(key, all_versions=True)
        assert store.period_values(FORM, "nam", 2022)[key][TYPO_CODE] == int(1146 * 1.2)
    assert [(p.version, p.current) for p in current] == [(2, True)]
    assert [(p.version, p.current, p.values[TYPO_CODE]) for p in every] == [(1, False, 1146), (2, True, 1375)]
    assert main(["history", str(db), "show", "11102", "--all-versions"]) == 0
    out = capsys.readouterr().out
    assert "bản 1 (đã thay thế)" in out and "bản 2 (hiện hành)" in out


def test_schema_identity_and_wal(years, tmp_path):
    db = tmp_path / "h.sqlite"
    check_consolidation(consolidate(years["2022"], jobs=1), db)
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA application_id").fetchone()[0] == 0x43434843
        assert c.execute("PRAGMA user_version").fetchone()[0] == 1
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert c.execute("SELECT value FROM meta WHERE key = 'app'").fetchone()[0] == "cchc-xl-history"
        basis = {r[0] for r in c.execute("SELECT basis FROM submissions")}
        assert basis == {"final"}


# ------------------------------------------------------------------------------------------- marks


def test_marks_persist_across_runs_cli_mark(years, tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    first = consolidate(years["typo"], jobs=1)
    check_consolidation(first, db)
    n_first = len([f for f in followups(first) if TYPO_CODE in f["codes"]])
    assert n_first >= 2
    assert main(["history", str(db), "mark", "11105", TYPO_CODE, "--confirmed", "--note", "đã gọi điện"]) == 0
    assert "đã xác minh" in capsys.readouterr().out
    for _ in range(2):  # the mark is stored: every later run skips the value
        again = consolidate(years["typo"], jobs=1)
        outcome = check_consolidation(again, db)
        assert not [f for f in followups(again) if TYPO_CODE in f["codes"]]
        assert outcome.suppressed == n_first
    with open_store(db) as store:
        assert store.all_marks()[0]["note"] == "đã gọi điện"


def test_marks_read_back_from_the_kiem_tra_sheet(years, tmp_path, capsys):
    db, out = tmp_path / "h.sqlite", tmp_path / "tong-hop.xlsx"
    args = ["consolidate", str(years["typo"]), "-o", str(out), "--history", str(db), "--jobs", "1", "-q"]
    assert main(args) == 0
    wb = load_workbook(out)
    ws = wb["Kiểm tra"]
    head = [c.value for c in ws[4]]
    c_mark, c_note = head.index("Xác minh") + 1, head.index("Ghi chú xác minh") + 1
    marked = 0
    for row in ws.iter_rows(min_row=5):
        if row[4].value and str(row[4].value).startswith("outlier:"):
            ws.cell(row[0].row, c_mark, "Báo nhầm")
            ws.cell(row[0].row, c_note, "xã mới sáp nhập")
            marked += 1
    assert marked >= 2
    marked_copy = tmp_path / "da-danh-dau.xlsx"
    wb.save(marked_copy)
    capsys.readouterr()
    assert main([*args[:3], str(tmp_path / "lan-2.xlsx"), *args[4:], "--marks", str(marked_copy)]) == 0
    assert "đã được đánh dấu" in capsys.readouterr().out
    third = consolidate(years["typo"], jobs=1)  # no --marks: the stored marks still apply
    check_consolidation(third, db)
    assert not [f for f in followups(third) if f["rule"].startswith("outlier:")]
    with open_store(db) as store:
        assert {m["status"] for m in store.all_marks()} == {"false-alarm"}


def test_a_changed_value_is_flagged_again_after_a_mark(years, tmp_path):
    db = tmp_path / "h.sqlite"
    check_consolidation(consolidate(years["typo"], jobs=1), db)
    assert main(["history", str(db), "mark", "11105", TYPO_CODE, "--false-alarm"]) == 0
    folder = tmp_path / "other"
    shutil.copytree(years["typo"], folder)
    new_workbook(doc(5, 2022, factor=12), folder / "xa-05.xlsx")
    result = consolidate(folder, jobs=1)
    check_consolidation(result, db)
    assert any(f["rule"] == f"outlier:{TYPO_CODE}" for f in followups(result))


def test_marks_need_history(years, tmp_path):
    assert main(["consolidate", str(years["2022"]), "-o", str(tmp_path / "x.xlsx"), "--marks",
                 str(tmp_path / "x.xlsx")]) == 2


# ------------------------------------------------------------------------------------- bad history files


@pytest.mark.parametrize("kind", ["text", "foreign-sqlite", "damaged-sqlite", "empty-file", "newer"])
def test_corrupt_or_foreign_db_exit_2_never_overwritten(years, tmp_path, capsys, kind):
    db = tmp_path / "h.sqlite"
    if kind == "text":
        db.write_text("đây là một bảng tính, không phải cơ sở dữ liệu", encoding="utf-8")
    elif kind == "foreign-sqlite":
        with sqlite3.connect(db) as c:
            c.execute("CREATE TABLE contacts(name TEXT, phone TEXT)")
            c.execute("INSERT INTO contacts VALUES ('An', '0901')")
    elif kind == "damaged-sqlite":
        check_consolidation(consolidate(years["2022"], jobs=1), db)
        with sqlite3.connect(db) as c:
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        data = bytearray(db.read_bytes())
        data[100:4096] = b"\xff" * (4096 - 100)
        data[4096 * 2:] = b"\x00\x13" * ((len(data) - 4096 * 2) // 2)
        db.write_bytes(bytes(data))
    elif kind == "empty-file":
        db.write_bytes(b"")
    else:
        check_consolidation(consolidate(years["2022"], jobs=1), db)
        with sqlite3.connect(db) as c:
            c.execute("PRAGMA user_version = 99")
    before = sha(db)
    out = tmp_path / "t.xlsx"
    assert main(["consolidate", str(years["2022"]), "-o", str(out), "--history", str(db), "--jobs", "1", "-q"]) == 2
    err = capsys.readouterr().err
    assert str(db) in err and "Traceback" not in err and "sqlite3" not in err
    assert any(w in err for w in ("không phải", "ứng dụng khác", "hỏng", "mới hơn"))
    assert not out.exists()
    for argv in (["history", str(db)], ["history", str(db), "show", "1"],
                 ["history", str(db), "mark", "11100", "BM1-1", "--confirmed"]):
        assert main(argv) == 2
    assert sha(db) == before


def test_missing_history_file_for_queries(tmp_path, capsys):
    assert main(["history", str(tmp_path / "khong-co.sqlite")]) == 2
    assert "Không có tệp lịch sử" in capsys.readouterr().err
    assert not (tmp_path / "khong-co.sqlite").exists()


# ------------------------------------------------------------------------------------ show / export


def test_history_listing_show_and_xlsx(years, tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    check_consolidation(consolidate(years["2021"], jobs=1), db)
    check_consolidation(consolidate(years["2022"], jobs=1), db)
    assert main(["history", str(db)]) == 0
    out = capsys.readouterr().out
    assert "Năm 2021" in out and "Năm 2022" in out and "consolidate" in out
    xlsx = tmp_path / "xa.xlsx"
    assert main(["history", str(db), "show", "Xã Số 4", "-o", str(xlsx)]) == 0
    out = capsys.readouterr().out
    assert "Chỉ số" in out and "BM3-3.3.1" in out and "1.219" in out
    ws = load_workbook(xlsx)["Diễn biến"]
    assert ws.page_setup.paperSize == 9 and ws._charts
    cells = [[c.value for c in r] for r in ws.iter_rows()]
    assert any(r[0] == "BM3-3.3.1" and r[2:4] == [1219, 1219] for r in cells)
    assert main(["history", str(db), "show", "Xã Số 4", "-o", str(xlsx)]) == 2  # never overwritten


def test_export_csv_long_format(years, tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    check_consolidation(consolidate(years["2022"], jobs=1), db)
    out = tmp_path / "x.csv"
    assert main(["history", str(db), "export", "--format", "csv", "-o", str(out)]) == 0
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["xa"] for r in rows} == {f"Xã Số {i + 1}" for i in range(N)}
    row = next(r for r in rows if r["ma_xa"] == "11105" and r["code"] == TYPO_CODE)
    assert float(row["value"]) == 1365 and row["nam"] == "2022" and row["basis"] == "final"


def test_export_parquet(years, tmp_path, capsys):
    pytest.importorskip("pyarrow")
    import pandas as pd

    db = tmp_path / "h.sqlite"
    check_consolidation(consolidate(years["2022"], jobs=1), db)
    out = tmp_path / "x.parquet"
    assert main(["history", str(db), "export", "--format", "parquet", "-o", str(out)]) == 0
    frame = pd.read_parquet(out)
    assert len(frame) > N and frame["value"].dtype.kind == "f"
    assert frame.loc[(frame["ma_xa"] == "11105") & (frame["code"] == TYPO_CODE), "value"].tolist() == [1365]


def test_export_parquet_without_pyarrow_says_so(years, tmp_path, capsys, monkeypatch):
    import sys

    db = tmp_path / "h.sqlite"
    check_consolidation(consolidate(years["2022"], jobs=1), db)
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow → ImportError
    out = tmp_path / "x.parquet"
    assert main(["history", str(db), "export", "--format", "parquet", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "pyarrow" in err and "--format csv" in err and "Traceback" not in err and not out.exists()


def test_marks_read_back_from_the_replaced_output(years, tmp_path, capsys):
    db, out = tmp_path / "h.sqlite", tmp_path / "tong-hop.xlsx"
    args = ["consolidate", str(years["typo"]), "-o", str(out), "--history", str(db), "--jobs", "1", "-q"]
    assert main(args) == 0
    wb = load_workbook(out)
    ws = wb["Kiểm tra"]
    c_mark = [c.value for c in ws[4]].index("Xác minh") + 1
    rows = [r for r in ws.iter_rows(min_row=5) if str(r[4].value or "").startswith(("outlier", "change"))]
    for r in rows:
        ws.cell(r[0].row, c_mark, "Đã xác minh")
    wb.save(out)
    capsys.readouterr()
    assert main([*args, "--force"]) == 0
    assert f"0 giá trị cần xem lại (khác thường hoặc thay đổi lớn); {len(rows)} giá trị" in capsys.readouterr().out


def test_busy_history_file_is_reported(years, tmp_path, capsys, monkeypatch):
    from cchc_xl.sources import history_db

    db = tmp_path / "h.sqlite"
    check_consolidation(consolidate(years["2022"], jobs=1), db)
    monkeypatch.setattr(history_db, "BUSY_TIMEOUT_S", 0.05)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        assert main(["history", str(db), "mark", "11100", "BM1-1", "--confirmed"]) == 2
        assert "đang được một chương trình khác ghi" in capsys.readouterr().err
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# ------------------------------------------------------------------------------------------ validate


def test_validate_history_stores_and_flags_a_jump(years, tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    check_consolidation(consolidate(years["2021"], jobs=1), db)
    path = years["typo"] / "xa-05.xlsx"
    assert main(["validate", str(path), "--history", str(db), "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)["findings"]
    jumps = [f for f in found if f["rule"] == f"change:last-year:{TYPO_CODE}"]
    assert len(jumps) == 1 and jumps[0]["severity"] == "followup" and jumps[0]["cell"]
    with open_store(db) as store:
        assert store.period_values(FORM, "nam", 2022)[unit_key("11105", "")][TYPO_CODE] == 13650
    clean = years["2022"] / "xa-00.xlsx"
    assert main(["validate", str(clean), "--history", str(db)]) == 0
    assert "Cần xem lại" not in capsys.readouterr().out


def test_validate_of_a_ranked_file_keeps_its_ranks(years, tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    check_consolidation(consolidate(years["2022"], jobs=1), db)
    with sqlite3.connect(db) as c:
        before = c.execute("SELECT total, rank_total, ranked, basis FROM submissions WHERE unit = 'ma:11104'").fetchall()
        fields = c.execute("SELECT count(*) FROM field_scores").fetchone()
    assert before[0][1] is not None
    assert main(["validate", str(years["2022"] / "xa-04.xlsx"), "--history", str(db)]) == 0
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT total, rank_total, ranked, basis FROM submissions WHERE unit = 'ma:11104'"
                         ).fetchall() == before
        assert c.execute("SELECT count(*) FROM field_scores").fetchone() == fields
