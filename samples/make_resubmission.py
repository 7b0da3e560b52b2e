"""Generate samples/resubmission/: Dân Chủ's second submission of its 2022 report (used by ``make demo``).

The first submission, ``samples/province/dan-chu-nam-2022.xlsx``, has an error the validator finds (more
tasks completed than planned, BM1-2.2 > BM1-2.1). After the district sent the return pack back, the commune
corrects BM1-2.2, adds one more guiding document (BM1-1) and dates the file later. ``cchc-xl diff`` of the
two files then shows what a clerk checks on a resubmission: the corrected input, the ratio that follows it,
the error that disappeared. All figures stay synthetic (see make_province.py).

Run ``.venv/bin/python samples/make_resubmission.py`` to regenerate (deterministic, byte-identical).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cchc_xl.commands.new import new_workbook  # noqa: E402
from cchc_xl.sources.workbook import validate_file  # noqa: E402

FIRST = ROOT / "samples" / "province" / "dan-chu-nam-2022.xlsx"
OUT = ROOT / "samples" / "resubmission" / "dan-chu-nam-2022-lan-2.xlsx"


def numbers(entered: dict) -> dict:
    return {k: v for k, v in entered.items() if isinstance(v, int | float) and not isinstance(v, bool)}


def main() -> None:
    report = validate_file(FIRST).report
    if report is None:
        raise SystemExit(f"cannot read {FIRST}")
    values = {i.code: report.values.get(i.code) for i in report.form.inputs}
    values = {k: v for k, v in values.items() if v is not None and v != ""}
    values["BM1-2.2"] = values["BM1-2.1"] - 1  # the correction asked for in the return pack
    values["BM1-1"] = values.get("BM1-1", 0) + 1
    meta = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in report.meta.items()
            if v not in (None, "")}
    meta["ngay_lap"] = "2023-01-20"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    new_workbook({"form": report.template_id, "meta": meta, "values": values,
                  "scores": numbers(report.scores), "appraised": numbers(report.appraised)}, OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
