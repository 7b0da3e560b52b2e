"""``cchc-xl migrate``: an older template version moved by code into the current one through the crosswalk."""

from __future__ import annotations

import copy

import pytest
import yaml

from cchc_xl.cli import main
from cchc_xl.commands.new import new_workbook
from cchc_xl.messages import say
from cchc_xl.model.catalog import _REGISTERED, _catalog_dir, parse_form, register_form
from cchc_xl.ooxml.reader import read_report

FORM = "phu-luc-01b"


def _doc() -> dict:
    return yaml.safe_load((_catalog_dir() / "forms" / f"{FORM}.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def versions():
    """Version 2022.1 of 01b printed 3.3.5 as "3.3.4" and had a row 2.6 that 2023.1 dropped."""
    current = _doc()
    old = copy.deepcopy(current)
    old["version"] = "2022.1"
    for ind in old["indicators"]:
        if ind["code"] == "3.3.5":
            ind["code"] = ind["printed"] = "3.3.4"
    at = next(i for i, ind in enumerate(old["indicators"]) if ind["code"] == "2.5")
    old["indicators"].insert(at + 1, {"code": "2.6", "label": "Số VBQPPL bị bãi bỏ", "unit": "Văn bản",
                                      "kind": "count"})
    current["crosswalk"] = [{"from": "2022.1", "codes": {"3.3.4": "3.3.5", "2.6": None}}]
    yield parse_form(old), parse_form(current)
    _REGISTERED.pop(FORM, None)


def test_old_version_is_refused_by_validate_and_moved_by_migrate(versions, tmp_path, capsys):
    old, current = versions
    register_form(old)
    src = tmp_path / "xa-2022.xlsx"
    new_workbook({"form": FORM, "meta": {"tinh": "Thanh Hóa", "xa": "Hoằng Trường", "ky": "nam", "nam": 2022},
                  "values": {"1.1.3": 17, "3.3.4": 5, "2.6": 2, "3.3.1": 1603}, "notes": {"3.3.1": "gồm 2 hồ sơ"},
                  "scores": {"1.5": 0.5}}, src)
    register_form(current)
    assert main(["validate", str(src)]) == 2  # "move the data to the new template" ...
    assert "2022.1" in capsys.readouterr().out and "cchc-xl migrate" in say(
        "workbook-old-version", name="x", form=FORM, version="2022.1", current="2023.1")  # ... with migrate
    out = tmp_path / "xa-2023.xlsx"
    assert main(["migrate", str(src), "-o", str(out)]) == 1  # 2.6 could not be carried
    text = capsys.readouterr().out
    assert "3.3.4 → 3.3.5" in text and "2.6 = 2" in text
    report = read_report(out)
    assert report.template_version == "2023.1"
    assert report.values["1.1.3"] == 17 and report.values["3.3.5"] == 5 and report.values["3.3.1"] == 1603
    assert report.scores["1.5"] == 0.5
    assert report.meta["xa"] == "Hoằng Trường" and report.meta["nam"] == 2022
    from cchc_xl.sources.migration import migrate_document

    assert migrate_document(out).data.notes["3.3.1"] == "gồm 2 hồ sơ"  # the Ghi chú came along
    assert main(["validate", str(out)]) == 0


def test_migrate_refuses_to_replace_an_output(versions, built_samples, tmp_path, capsys):
    out = tmp_path / "o.xlsx"
    out.write_bytes(b"x")
    assert main(["migrate", str(built_samples["hoang-truong-nam-2023"]), "-o", str(out)]) == 2
    assert out.read_bytes() == b"x"
    assert main(["migrate", str(built_samples["hoang-truong-nam-2023"]), "-o", str(out), "--force"]) == 0
    assert read_report(out).values == read_report(built_samples["hoang-truong-nam-2023"]).values


def test_consolidate_migrate_accepts_older_versions_and_says_so(versions, tmp_path):
    import json

    old, current = versions
    folder = tmp_path / "xa"
    folder.mkdir()
    meta = {"tinh": "Thanh Hóa", "huyen": "Hoằng Hóa", "ky": "nam", "nam": 2023}
    register_form(old)
    new_workbook({"form": FORM, "meta": {**meta, "xa": "Hoằng Lộc"}, "values": {"1.1.3": 4, "3.3.4": 2}},
                 folder / "cu.xlsx")
    register_form(current)
    new_workbook({"form": FORM, "meta": {**meta, "xa": "Hoằng Trường"}, "values": {"1.1.3": 17, "3.3.5": 1}},
                 folder / "moi.xlsx")
    js = tmp_path / "th.json"
    args = ["consolidate", str(folder), "-o", str(tmp_path / "th.xlsx"), "--json", str(js), "--quiet", "--force"]
    assert main(args) == 1
    rejected = json.loads(js.read_text(encoding="utf-8"))["rejected"]
    assert [r["file"] for r in rejected] == ["cu.xlsx"] and "--migrate" in rejected[0]["reason"]
    main([*args, "--migrate"])
    doc = json.loads(js.read_text(encoding="utf-8"))
    assert doc["rejected"] == [] and doc["totals"]["1.1.3"] == 21 and doc["totals"]["3.3.5"] == 3
