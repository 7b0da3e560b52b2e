# Two commands on a fresh machine: `make demo` (the main job on the bundled samples) and `make test`.
# Both create/refresh .venv idempotently (re-installed only when pyproject.toml changes).
VENV   := .venv
PY     := $(VENV)/bin/python
CLI    := $(VENV)/bin/cchc-xl
STAMP  := $(VENV)/.installed
OUT    := demo-output

.PHONY: setup oracles demo test test-fast lint templates samples bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	@rm -rf $(OUT) && mkdir -p $(OUT)
	$(CLI) template build --check
	@for f in samples/data/*.yaml; do \
	  $(CLI) new "$$f" -o "$(OUT)/$$(basename "$$f" .yaml).xlsx" || exit 2; done
	$(CLI) catalog phu-luc-01b | head -12
	$(CLI) show $(OUT)/hoang-truong-nam-2023.xlsx | head -15
	$(CLI) show $(OUT)/dong-tam-nam-2022.xlsx
	$(CLI) validate $(OUT)/*.xlsx || test $$? -eq 1
	@echo "== Lần nộp đầu và bản nộp lại của cùng một xã (Dân Chủ)"
	$(CLI) diff samples/province/dan-chu-nam-2022.xlsx samples/resubmission/dan-chu-nam-2022-lan-2.xlsx -o $(OUT)/so-sanh-dan-chu.xlsx || test $$? -eq 1
	@echo "== Tổng hợp cấp huyện/tỉnh, hạn nộp 15/01/2023, hồ sơ trả về từng xã"
	$(CLI) consolidate samples/province -o $(OUT)/tong-hop.xlsx --json $(OUT)/tong-hop.json --expected samples/province/expected.csv --deadline 15/01/2023 --return-dir $(OUT)/tra-ve --force || test $$? -eq 1
	@echo "== Giữa kỳ: chỉ số tạm tính (tự chấm) và một xã chưa đủ điểm (không xếp hạng)"
	@mkdir -p $(OUT)/giua-ky && for s in dong-tam-nam-2022 quang-khai-nam-2022 hiep-hoa-nam-2022 tan-ky-tu-cham-2022; do \
	  cp "samples/$$s.xlsx" $(OUT)/giua-ky/; done
	$(CLI) show samples/tan-ky-tu-cham-2022.xlsx | tail -2
	$(CLI) consolidate $(OUT)/giua-ky -o $(OUT)/tong-hop-giua-ky.xlsx --json $(OUT)/tong-hop-giua-ky.json --force || test $$? -eq 1
	@echo "== Lịch sử: lưu kỳ này, tìm giá trị bất thường, diễn biến của một xã"
	$(CLI) consolidate samples/province -o $(OUT)/tong-hop-lich-su.xlsx --history $(OUT)/lich-su.sqlite --force -q || test $$? -eq 1
	$(CLI) history $(OUT)/lich-su.sqlite
	$(CLI) history $(OUT)/lich-su.sqlite show "Quang Khải" -o $(OUT)/quang-khai-dien-bien.xlsx
	$(CLI) history $(OUT)/lich-su.sqlite export --format csv -o $(OUT)/lich-su.csv
	@echo "== Dự thảo báo cáo (.docx) của từng xã và của đơn vị tổng hợp"
	@for f in samples/data/*.yaml; do b=$$(basename "$$f" .yaml); \
	  $(CLI) report "$(OUT)/$$b.xlsx" -o "$(OUT)/bao-cao-$$b.docx" --force || test $$? -eq 1 || exit 2; done
	$(CLI) report $(OUT)/tong-hop.xlsx -o $(OUT)/bao-cao-tong-hop.docx --force
	$(CLI) report samples/province/dong-tam-nam-2022.xlsx --ranking $(OUT)/tong-hop.json -o $(OUT)/bao-cao-dong-tam-xep-hang.docx --force
	@echo "== Đọc báo cáo Word và tệp .xls cũ (TCVN3) không theo mẫu"
	$(CLI) import samples/intake/bao-cao-hoang-truong-2023.docx -o $(OUT)/nhap-hoang-truong.xlsx --report $(OUT)/nhap-hoang-truong.json
	$(CLI) import samples/intake/le-hong-6thang-2022-tcvn3.xls -o $(OUT)/nhap-le-hong.xlsx
	$(CLI) validate $(OUT)/nhap-le-hong.xlsx || test $$? -eq 1
	@echo "== Gửi mỗi xã một sổ làm việc đã điền sẵn thông tin"
	$(CLI) new --batch samples/province/expected.csv --form hai-duong-bieu-mau-2022 --tinh "Hải Dương" --ky nam --nam 2022 -o $(OUT)/gui-xa/
	@echo "Kết quả trong $(OUT)/: so-sanh-dan-chu.xlsx (hai lần nộp của xã Dân Chủ), tong-hop.xlsx và tong-hop.json (tổng hợp), tra-ve/ (một tệp gửi lại cho mỗi xã), nhap-*.xlsx (tệp nhập từ Word/.xls), gui-xa/ (sổ điền sẵn gửi các xã), tong-hop-giua-ky.xlsx (giữa kỳ), lich-su.sqlite (lịch sử), bao-cao-*.docx (dự thảo báo cáo)"

# The test oracles (LibreOffice with its UNO bridge and Writer, Gnumeric) are installed once, here, before
# the pytest workers start: two workers installing at once lost the dpkg lock and skipped their tests.
ORACLE_PKGS := libreoffice-calc-nogui libreoffice-writer-nogui python3-uno gnumeric
oracles:
	@if command -v soffice >/dev/null && /usr/bin/python3 -c 'import uno' 2>/dev/null \
	    && command -v ssconvert >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing the test oracles: $(ORACLE_PKGS)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(ORACLE_PKGS); \
	else echo "LibreOffice/Gnumeric missing and not root: their tests will be skipped (sudo apt-get install $(ORACLE_PKGS))"; fi

test: setup oracles
	$(PY) -m pytest -q -n 2

test-fast: setup
	$(PY) -m pytest -q -n 2 -m "not libreoffice"

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

templates: setup
	$(CLI) template build

samples: setup
	@for f in samples/data/*.yaml; do \
	  $(CLI) new "$$f" -o "samples/$$(basename "$$f" .yaml).xlsx" --force || exit 2; done
	$(PY) samples/make_resubmission.py
	@for s in hoang-truong-nam-2023 le-hong-6thang-2022; do \
	  $(CLI) new --xlsm "samples/data/$$s.yaml" -o "samples/$$s.xlsm" --force || exit 2; done

bench: setup
	$(PY) benchmarks/bench_validate.py 200
	$(PY) benchmarks/bench_diff.py
	$(PY) benchmarks/bench_consolidate.py
	$(PY) benchmarks/bench_import.py
	$(PY) benchmarks/bench_history.py
	$(PY) benchmarks/bench_cli.py

clean:
	rm -rf $(OUT) .pytest_cache .ruff_cache
