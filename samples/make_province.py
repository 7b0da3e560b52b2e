"""Generate samples/province/: a synthetic province folder for ``cchc-xl consolidate`` (used by ``make demo``).

25 communes of Hải Dương (huyện Tứ Kỳ and Ninh Giang), annual report 2022 on the Hải Dương form with PAR
Index points — all figures are **synthetic** (plausible, seeded, not real results; the commune codes are
made up too). What the folder exercises:

* 22 good workbooks, one of them with an error the validator finds (more tasks completed than planned)
  and one whose commune name was typed without diacritics (a reported folded-name match);
* two broken files: a truncated download and a workbook of another form (Thanh Hóa Phụ lục 01b);
* an Excel lock file ``~$…`` left next to the workbooks;
* one expected commune that sent nothing;
* ``expected.csv``: the 25 communes that must report (ma_xa, xa, huyen).

Run ``.venv/bin/python samples/make_province.py`` to regenerate (deterministic data; the workbooks are
byte-identical between runs because the builder fixes its timestamps).
"""

from __future__ import annotations

import csv
import random
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cchc_xl.commands.new import new_workbook  # noqa: E402

OUT = ROOT / "samples" / "province"
FORM = "hai-duong-bieu-mau-2022"
COMMUNES = [  # (ma_xa, xa, huyen) — synthetic codes
    ("11101", "Quang Khải", "Tứ Kỳ"), ("11102", "Quang Phục", "Tứ Kỳ"), ("11103", "Tân Kỳ", "Tứ Kỳ"),
    ("11104", "Đại Hợp", "Tứ Kỳ"), ("11105", "Dân Chủ", "Tứ Kỳ"), ("11106", "Hưng Đạo", "Tứ Kỳ"),
    ("11107", "Kỳ Sơn", "Tứ Kỳ"), ("11108", "Minh Đức", "Tứ Kỳ"), ("11109", "Ngọc Kỳ", "Tứ Kỳ"),
    ("11110", "Phượng Kỳ", "Tứ Kỳ"), ("11111", "Tái Sơn", "Tứ Kỳ"), ("11112", "Tiên Động", "Tứ Kỳ"),
    ("11113", "Nguyên Giáp", "Tứ Kỳ"), ("11114", "Hà Kỳ", "Tứ Kỳ"), ("11115", "Văn Tố", "Tứ Kỳ"),
    ("11201", "Đồng Tâm", "Ninh Giang"), ("11202", "Hồng Phong", "Ninh Giang"),
    ("11203", "Kiến Quốc", "Ninh Giang"), ("11204", "Hưng Long", "Ninh Giang"),
    ("11205", "Nghĩa An", "Ninh Giang"), ("11206", "Ứng Hòe", "Ninh Giang"),
    ("11207", "Tân Hương", "Ninh Giang"), ("11208", "Vĩnh Hòa", "Ninh Giang"),
    ("11209", "Hồng Đức", "Ninh Giang"), ("11210", "An Đức", "Ninh Giang"),
]
MISSING = "Tân Hương"  # sent nothing
TRUNCATED = "Hồng Đức"  # the download broke
WRONG_FORM = "An Đức"  # sent the Thanh Hóa form
WITH_ERROR = "Dân Chủ"  # completed more tasks than planned (an error finding)
UNACCENTED = {"Ứng Hòe": "Ung Hoe"}  # typed without diacritics
FIELD_MAX = {"1": 15, "2": 5, "3": 18.5, "4": 6, "5": 11, "6": 7, "7": 11.5, "8": 2, "9": 14, "10": 10}


def slug(name: str) -> str:
    import unicodedata

    s = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in s if unicodedata.category(c) != "Mn").lower().replace(" ", "-")


def part(rng: random.Random, whole: int, low: float = 0.6) -> int:
    return min(whole, round(whole * rng.uniform(low, 1.0)))


def values(rng: random.Random) -> dict[str, int | float]:
    v: dict[str, int | float] = {}
    v["BM1-1"] = rng.randint(2, 9)
    v["BM1-2.1"] = rng.randint(10, 30)
    v["BM1-2.2"] = part(rng, v["BM1-2.1"], 0.7)
    v["BM1-3.3.1"] = rng.randint(0, 8)
    v["BM1-3.3.2"] = part(rng, v["BM1-3.3.1"], 0.5)
    v["BM1-4.1"] = rng.randint(5, 20)
    v["BM1-4.2"] = part(rng, v["BM1-4.1"], 0.6)
    v["BM1-4.3"] = rng.randint(0, v["BM1-4.1"] - v["BM1-4.2"])
    v["BM1-4.4"] = 0
    v["BM1-5"] = rng.choice((0, 1, 1, 1))
    if v["BM1-5"]:
        v["BM1-5.1"] = rng.randint(30, 200)
        v["BM1-5.2"] = rng.choice((0, 1, 2))
    v["BM1-6"] = rng.choice((0, 1, 1))
    v["BM2-1.3"] = rng.randint(0, 4)
    total = rng.randint(120, 160)
    v["BM3-1.4"] = v["BM3-1.4.3"] = total
    v["BM3-2.1"] = rng.randint(0, 6)
    v["BM3-2.2"] = rng.randint(0, 12)
    v["BM3-3.3.1"] = rng.randint(400, 2500)
    v["BM3-3.3.2"] = part(rng, v["BM3-3.3.1"], 0.93)
    v["BM3-3.4.1"] = rng.randint(0, 25)
    v["BM3-3.4.2"] = part(rng, v["BM3-3.4.1"], 0.7)
    v["BM4-2.1"] = rng.randint(18, 24)
    v["BM4-2.2"] = v["BM4-2.1"] - rng.randint(0, 2)
    v["BM4-2.3"] = rng.randint(0, 4)
    v["BM6-1.1"] = rng.randint(6000, 14000)
    v["BM6-1.2"] = round(v["BM6-1.1"] * rng.uniform(0.85, 1.0), 1)
    v["BM7-1"] = rng.choice((0, 1))
    v["BM7-2"] = rng.choice((1, 2, 2))
    v["BM7-6.4.1"] = rng.randint(20, 60)
    v["BM7-6.4.2"] = part(rng, v["BM7-6.4.1"], 0.7)
    v["BM7-6.4.3"] = part(rng, v["BM7-6.4.2"], 0.3)
    v["BM7-6.7.1"] = v["BM3-3.3.1"] + rng.randint(0, 50)
    v["BM7-6.7.2"] = part(rng, v["BM7-6.7.1"], 0.2)
    return v


def scores(rng: random.Random, strength: float) -> tuple[dict[str, float], dict[str, float]]:
    """(self-assessed, appraised) field points; ties are common on small fields (dense-rank levels)."""
    appraised: dict[str, float] = {}
    for code, mx in FIELD_MAX.items():
        if mx <= 7:  # small fields: a few distinct levels, many communes at full marks
            appraised[code] = round(mx - rng.choice((0, 0, 0, 0.25, 0.5, 1)) * (1.2 - strength), 2)
        else:
            appraised[code] = round(mx * min(1.0, rng.uniform(0.7, 0.95) + 0.08 * strength), 2)
    own = {c: round(min(FIELD_MAX[c], p + rng.choice((0, 0.25, 0.5))), 2) for c, p in appraised.items()
           if c not in ("9", "10")}
    return own, appraised


def main() -> None:
    rng = random.Random(2022)
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.xlsx"):
        old.unlink()
    for old in OUT.glob("~$*"):
        old.unlink()
    with (OUT / "expected.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["ma_xa", "xa", "huyen"])
        w.writerows(COMMUNES)
    for n, (code, name, district) in enumerate(COMMUNES):
        data_values = values(rng)
        own, appraised = scores(rng, rng.random())
        if name == MISSING:
            continue
        if name == WITH_ERROR:
            data_values["BM1-2.2"] = data_values["BM1-2.1"] + 3
        meta = {"tinh": "Hải Dương", "huyen": district, "xa": UNACCENTED.get(name, name), "ma_xa": code,
                "ky": "nam", "nam": 2022, "nguoi_lap": "Công chức Văn phòng – Thống kê",
                "ngay_lap": f"2023-01-{5 + n % 20:02d}"}
        path = OUT / f"{slug(name)}-nam-2022.xlsx"
        if name == WRONG_FORM:
            new_workbook({"form": "phu-luc-01b", "meta": {**meta, "tinh": "Hải Dương"},
                          "values": {"1.1": 1, "3.1": 150}}, path)
            continue
        new_workbook({"form": FORM, "meta": meta, "values": data_values, "scores": own, "appraised": appraised},
                     path)
        if name == TRUNCATED:
            data = path.read_bytes()
            path.write_bytes(data[: len(data) // 2])
    # Excel's owner file left by a clerk who had Quang Khải's workbook open.
    user = "Nguyen Van A"
    owner = bytes([len(user)]) + user.encode().ljust(53, b" ") + struct.pack("<H", len(user))
    (OUT / "~$quang-khai-nam-2022.xlsx").write_bytes((owner + user.encode("utf-16-le")).ljust(162, b"\x00"))
    print(f"wrote {len(list(OUT.iterdir()))} files into {OUT}")


if __name__ == "__main__":
    main()
