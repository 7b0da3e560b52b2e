"""Build the sample files communes send (committed in samples/intake/) that ``make demo`` imports.

* ``bao-cao-hoang-truong-2023.docx`` — seed 004's Phụ lục 01b as a table inside a Word report (header repeated
  after each page, the duplicate printed 1.1.2/1.1.3 under 1.2, "Trong đó" rows).
* ``le-hong-6thang-2022-tcvn3.xls`` — seed 001's Biểu mẫu 1–7 on one sheet of a legacy Excel 97–2003 file,
  labels typed in TCVN3 (.VnTime), a title block and a merged two-row header on row 9; saved by LibreOffice.

Usage: python samples/intake/make_samples.py   (needs LibreOffice's soffice for the .xls)
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from cchc_xl.model.catalog import load_form  # noqa: E402
from tests.intake.corpus import (  # noqa: E402
    SEED_001,
    SEED_004,
    convert,
    figures,
    form_rows,
    to_tcvn3,
    write_docx,
    write_xlsx,
)


def main() -> None:
    f01b, fhd = load_form("phu-luc-01b"), load_form("hai-duong-bieu-mau-2022")
    write_docx(HERE / "bao-cao-hoang-truong-2023.docx", f01b, [form_rows(f01b, figures(SEED_004))], repeat_every=30)
    xlsx = HERE / "le-hong-6thang-2022-tcvn3.xlsx"
    write_xlsx(xlsx, fhd, form_rows(fhd, figures(SEED_001), label_edit=lambda n, s: to_tcvn3(s)), sections=True,
               font=".VnTime")
    convert(xlsx, "xls")
    xlsx.unlink()
    print("\n".join(str(p.relative_to(ROOT)) for p in sorted(HERE.glob("*.*")) if p.suffix != ".py"))


if __name__ == "__main__":
    main()
