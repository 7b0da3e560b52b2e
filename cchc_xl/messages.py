"""Every sentence a user reads, in Vietnamese, in one place so the wording can be reviewed together.

Templates use ``str.format`` placeholders; :func:`say` fills them and guarantees Unicode NFC output.
"""

from __future__ import annotations

import unicodedata

MESSAGES: dict[str, str] = {
    # catalog and framework loading
    "catalog-unknown-form": "Không có mẫu biểu '{form}'. Các mẫu có sẵn: {known}.",
    "catalog-duplicate-code": "Mẫu '{form}': mã chỉ tiêu '{code}' bị trùng.",
    "catalog-duplicate-name": "Mẫu '{form}': mã '{code}' và '{other}' cho cùng một tên ô '{name}'.",
    "catalog-missing-parent": "Mẫu '{form}': chỉ tiêu '{code}' có chỉ tiêu cha '{parent}' không tồn tại.",
    "catalog-unknown-ref": "Mẫu '{form}': '{where}' tham chiếu mã chỉ tiêu không tồn tại '{code}'.",
    "catalog-bad-kind": "Mẫu '{form}': chỉ tiêu '{code}' có loại giá trị không hợp lệ '{kind}'.",
    "catalog-bad-field": "Mẫu '{form}': {detail}",
    "framework-unreadable": "Không đọc được tệp khung chỉ số '{path}': {detail}",
    "framework-missing-column": "Tệp khung chỉ số '{path}' thiếu cột '{column}' (chấp nhận: {accepted}).",
    "framework-row": "Khung chỉ số '{framework}', dòng {row}: {detail}",
    "framework-duplicate-code": "mã tiêu chí '{code}' bị trùng",
    "framework-empty-code": "thiếu mã tiêu chí",
    "framework-bad-max": "điểm tối đa '{value}' của tiêu chí '{code}' không phải là số không âm",
    "framework-bad-assessment": "hình thức đánh giá '{value}' của tiêu chí '{code}' phải là 'tu_cham' hoặc 'dieu_tra'",
    "framework-missing-parent": "tiêu chí '{code}' có tiêu chí cha '{parent}' không tồn tại",
    "framework-children-sum": (
        "tổng điểm tối đa các tiêu chí con của '{code}' là {children} nhưng điểm tối đa của '{code}' là {max}"
    ),
    "framework-total": "tổng điểm tối đa của các lĩnh vực là {total}, phải bằng 100",
    # data files (new / fill)
    "data-unreadable": "Không đọc được tệp dữ liệu '{path}': {detail}",
    "data-bad-format": "Tệp dữ liệu '{path}' phải là YAML, JSON hoặc CSV (mã,giá trị).",
    "data-bad-shape": "Tệp dữ liệu '{path}': {detail}",
    "data-unknown-code": "Mã chỉ tiêu '{code}' không có trong mẫu '{form}'.",
    "data-unknown-criterion": "Mã tiêu chí '{code}' không có trong khung chỉ số '{framework}'.",
    "data-derived-code": (
        "Chỉ tiêu '{code}' ({label}) được tính tự động từ công thức {formula}; không nhập giá trị cho ô này."
    ),
    "data-group-code": "Chỉ tiêu '{code}' ({label}) là dòng tiêu đề nhóm, không có ô nhập số liệu.",
    "data-computed-criterion": (
        "Điểm của tiêu chí '{code}' được tính bằng tổng các tiêu chí con; hãy nhập điểm cho từng tiêu chí con."
    ),
    "data-survey-self-score": (
        "Lĩnh vực/tiêu chí '{code}' được đánh giá qua điều tra xã hội học, không có điểm tự chấm."
    ),
    "data-stated-not-derived": (
        "Mục 'stated' chỉ dành cho chỉ tiêu hoặc điểm được tính tự động; '{code}' là ô nhập liệu."
    ),
    "data-text-and-value": "Chỉ tiêu '{code}' có cả giá trị số và giá trị chữ; chỉ giữ một.",
    "stated-note": "Đơn vị báo cáo: {value}",
    "data-bad-value": "Giá trị '{value}' của chỉ tiêu '{code}' ({label}) không hợp lệ: {detail}",
    "data-bad-score": "Điểm '{value}' của tiêu chí '{code}' không hợp lệ: {detail}",
    "data-bad-meta": "Thông tin '{key}' không hợp lệ: {detail}",
    "data-unknown-meta": "Không có mục thông tin '{key}' (các mục: {known}).",
    "data-form-mismatch": "Tệp dữ liệu dành cho mẫu '{data_form}' nhưng sổ làm việc là mẫu '{form}'.",
    # values
    "value-not-number": "không phải là số",
    "value-negative": "phải là số không âm",
    "value-not-whole": "phải là số nguyên",
    "value-percent-range": "tỷ lệ phải nằm trong khoảng 0–100",
    "value-not-allowed": "chỉ nhận các giá trị {allowed}",
    "value-over-max": "vượt quá điểm tối đa {max}",
    "value-too-precise": "điểm chỉ giữ tối đa 3 chữ số thập phân",
    "value-ambiguous": "'{text}' có thể hiểu nhiều cách; đã hiểu là {value}",
    "value-formula-text": "văn bản bắt đầu bằng '=' được ghi dưới dạng chữ, không phải công thức",
    # workbooks
    "workbook-not-ours": (
        "Tệp '{name}' không phải là sổ làm việc do cchc-xl tạo (không có tên ô TT_TEMPLATE_ID); "
        "hãy dùng lệnh 'cchc-xl new' hoặc mẫu trong workbook_templates/; nếu tệp có bảng phụ lục theo mẫu, "
        "dùng 'cchc-xl import {name} -o <tệp mới>.xlsx'."
    ),
    "workbook-unknown-form": "Tệp '{name}' dùng mẫu '{form}' mà phiên bản cchc-xl này không biết.",
    "workbook-old-version": (
        "Tệp '{name}' dùng mẫu '{form}' phiên bản {version}, khác phiên bản hiện hành {current}; "
        "hãy chuyển số liệu sang mẫu mới bằng lệnh 'cchc-xl migrate {name} -o <tệp mới>.xlsx'."
    ),
    "workbook-bad-sheet": (
        "Tệp '{name}' bị hỏng: nội dung trang '{sheet}' không đọc được (có thể tệp bị cắt hoặc sửa bằng công cụ "
        "khác); hãy mở bằng Excel, lưu lại rồi gửi lại."
    ),
    "workbook-missing-sheet": "Tệp '{name}' thiếu trang '{sheet}' (có thể đã bị đổi tên hoặc xóa).",
    "workbook-missing-name": "Tệp '{name}' thiếu tên ô '{defined}' của chỉ tiêu '{code}'.",
    "output-exists": "Tệp '{path}' đã tồn tại; dùng --force để ghi đè.",
    "output-same-as-input": "Tệp kết quả '{path}' trùng với tệp đầu vào; dùng --in-place nếu muốn sửa trực tiếp.",
    "output-unwritable": "Không ghi được tệp '{path}': {detail}",
    "output-open-in-excel": "Không ghi được tệp '{path}'; có thể tệp đang mở trong Excel — hãy đóng tệp rồi thử lại.",
    # rules (the shared sentence; each engine appends the numbers it sees)
    "rule-count": "{label} phải là số nguyên không âm",
    "rule-amount": "{label} phải là số không âm",
    "rule-percent": "{label} là tỷ lệ, phải nằm trong khoảng 0–100",
    "rule-coded": "{label} chỉ nhận các giá trị {allowed}",
    "rule-formula": "Ô công thức của {label} đã bị ghi đè bằng số nhập tay",
    "rule-formula-score": "Ô công thức điểm {column} của {label} đã bị ghi đè bằng số nhập tay",
    "rule-formula-total": "Ô công thức tổng điểm {column} đã bị ghi đè bằng số nhập tay",
    "rule-part-whole": "{part} không được lớn hơn {whole}",
    "rule-ratio-consistent": "Tỷ lệ {label} ghi tay không khớp với {num} / {den} × 100",
    "rule-ratio-rounding": "Tỷ lệ {label} bị cắt bớt chữ số thay vì làm tròn ({num} / {den} × 100)",
    "rule-ratio-not-applicable": (
        "Tỷ lệ {label} không áp dụng khi {den} bằng 0 hoặc để trống (0/0 không phải là 0%), nhưng lại có số"
    ),
    "rule-procedures": "Số thủ tục {label} không được lớn hơn tổng số TTHC đang áp dụng ({total})",
    "rule-compare": "{left} phải {op} {right}",
    "rule-both": "{left} và {right} phải cùng được điền hoặc cùng để trống",
    "rule-not-both": "{left} và {right} không được điền cả hai",
    "rule-score": "Điểm {column} của {label} phải từ 0 đến {max}, tối đa 3 chữ số thập phân",
    "rule-subtotal": "Điểm {column} của {label} phải bằng tổng điểm các tiêu chí con",
    "rule-meta": "Chưa ghi {label} ở trang Thông tin (hoặc giá trị không hợp lệ)",
    "finding-text-suggestion": "có thể là {value}",
    "finding-text-in-number": "ô chứa chữ thay vì số",
    "finding-expected-formula": "công thức đúng: {formula}",
    "finding-computed": "tính lại",
    "finding-cached-mismatch": (
        "Giá trị lưu sẵn của {label} là {cached} nhưng tính lại từ số liệu được {computed}; "
        "tệp đã bị sửa ngoài quy tắc hoặc lưu bằng công cụ không tính lại công thức"
    ),
    "finding-missing-name": "Không tìm thấy ô của chỉ tiêu {code} (tên ô {name} bị mất); không kiểm tra được chỉ tiêu này",
    "finding-moved": "Bảng chính thức đã bị thay đổi: {detail}",
    "finding-moved-rows": "chỉ tiêu {code} nằm ở dòng {row} thay vì dòng {expected} (có dòng bị chèn hoặc xóa)",
    "finding-moved-sheet": "trang '{expected}' đã được đổi tên thành '{sheet}'",
    "finding-unusable": "{message}",
    "validate-summary": "{name} ({form}): {errors} lỗi, {warnings} cảnh báo",
    "validate-unusable": "không dùng được — {message}",
    "validate-no-sheet": "(không xác định được ô)",
    "validate-total": "Tổng cộng {files} tệp: {errors} lỗi, {warnings} cảnh báo, {unusable} tệp không dùng được.",
    "annotate-refused": (
        "Không tạo được bản đánh dấu của '{name}': sổ làm việc có hình ảnh/biểu đồ ({parts}) mà bản sao sẽ làm mất; "
        "hãy dùng trang Kiểm tra ngay trong tệp hoặc lệnh validate không kèm --annotate."
    ),
    "write-refused": (
        "Không ghi được vào sổ làm việc này mà không làm mất dữ liệu ({detail}); tệp gốc không bị thay đổi. "
        "Hãy dùng mẫu của cchc-xl hoặc nhập trực tiếp trong Excel."
    ),
    "annotate-written": "Đã ghi bản đánh dấu lỗi vào '{path}'.",
    "fill-written": "Đã ghi {count} ô vào '{path}'.",
    "fill-dry-run": "Chưa ghi gì (thiếu -o hoặc --in-place); {count} ô sẽ được ghi.",
    "recompute-written": "Đã tính lại '{path}': khôi phục {restored} công thức, cập nhật {refreshed} ô.",
    "recompute-dry-run": "Chưa ghi gì (thiếu -o hoặc --in-place); {restored} công thức cần khôi phục.",
    "finding-stated": "Số liệu ghi sẵn của {code} là {stated} nhưng tính từ số liệu thành phần được {computed}",
    "finding-restored": "Đã khôi phục công thức của {code} tại {cell} (ô bị ghi đè bằng số {value})",
    "check-summary-ok": "Không phát hiện lỗi.",
    "check-summary": "{errors} lỗi, {warnings} cảnh báo — xem các dòng ✗ bên dưới.",
    # CLI summaries
    "built-templates": "Đã tạo {count} mẫu biểu trong '{dir}'.",
    "templates-up-to-date": "Các mẫu biểu trong '{dir}' đã cập nhật.",
    "templates-stale": "Mẫu biểu '{path}' đã cũ so với danh mục; chạy 'cchc-xl template build'.",
    "created-workbook": "Đã tạo sổ làm việc '{path}' (mẫu {form}, {values} chỉ tiêu, {scores} điểm).",
    "internal-error": (
        "Lỗi nội bộ của cchc-xl (không phải lỗi của tệp). Hãy gửi tệp và lệnh vừa chạy cho bộ phận kỹ thuật; "
        "chạy lại với biến môi trường CCHC_XL_DEBUG=1 để có thêm chi tiết."
    ),
    # consolidate (cchc_xl/consolidate.py, cchc_xl/rank.py, cchc_xl/report_consolidate.py)
    "consolidate-no-dir": "Không tìm thấy thư mục '{path}'; hãy kiểm tra lại đường dẫn.",
    "consolidate-not-dir": "'{path}' là một tệp chứ không phải thư mục; hãy chỉ ra thư mục chứa các tệp báo cáo của xã.",
    "consolidate-unreadable-dir": "Không có quyền đọc thư mục '{path}'.",
    "consolidate-empty-dir": "Thư mục '{path}' không có tệp nào để tổng hợp.",
    "consolidate-hidden": "Tệp '{name}' là tệp ẩn hoặc tệp tạm nên được bỏ qua.",
    "consolidate-other-form": "Tệp '{name}' dùng mẫu '{form}', khác mẫu đang tổng hợp '{expected}'; không đưa vào tổng hợp.",
    "consolidate-other-period": "Tệp '{name}' là báo cáo kỳ {period}, khác kỳ đang tổng hợp ({expected}); không đưa vào tổng hợp.",
    "consolidate-no-commune": "Tệp '{name}' chưa ghi tên xã ở trang Thông tin nên không xác định được đơn vị; không đưa vào tổng hợp.",
    "consolidate-duplicate": (
        "Xã {xa} có nhiều tệp báo cáo ({files}); không dùng tệp nào — hãy giữ lại một tệp "
        "hoặc chạy lại với --prefer-newest."
    ),
    "consolidate-superseded": "Tệp '{name}' của xã {xa} cũ hơn tệp '{newest}' nên không được dùng (--prefer-newest).",
    "consolidate-folded-expected": (
        "Tên xã '{xa}' trong tệp '{file}' chỉ khớp với '{expected}' trong danh sách khi bỏ dấu; hãy kiểm tra lại tên."
    ),
    "consolidate-name-differs": (
        "Tên xã '{xa}' trong tệp '{file}' khác tên '{expected}' trong danh sách (khớp theo mã {code}); "
        "hãy kiểm tra lại tên."
    ),
    "consolidate-folded-previous": "Tên xã '{xa}' chỉ khớp với kết quả kỳ trước khi bỏ dấu; hãy kiểm tra lại tên.",
    "consolidate-unexpected": "Xã {xa} (tệp '{file}') không có trong danh sách đơn vị phải nộp.",
    "expected-unreadable": "Không đọc được danh sách đơn vị '{path}': {detail}",
    "expected-columns": "Danh sách đơn vị '{path}' phải có cột 'xa' (và 'ma_xa', 'huyen' nếu có).",
    "previous-unreadable": "Không đọc được kết quả kỳ trước '{path}' ({detail}); cần tệp JSON hoặc tệp Excel do lệnh consolidate tạo.",
    "classes-columns": "Bảng xếp loại '{path}' phải có cột 'ten' (tên loại) và 'tu' (điểm tối thiểu).",
    "classes-bad-row": "Bảng xếp loại '{path}', dòng {row}: điểm tối thiểu '{value}' không phải là số (hoặc thiếu tên loại).",
    "classes-empty": "Bảng xếp loại '{path}' không có dòng nào.",
    "classes-duplicate": "Bảng xếp loại '{path}' có hai loại cùng điểm tối thiểu.",
    "classes-unreadable": "Không đọc được bảng xếp loại '{path}': {detail}",
    "consolidate-bad-deadline": (
        "Hạn nộp '{value}' không phải là một ngày dạng ngày/tháng/năm (ví dụ 15/01/2025) "
        "hoặc năm-tháng-ngày (2025-01-15)."
    ),
    "consolidate-summary": (
        "Tổng hợp {period} ({form}): {units} xã đưa vào, {errors} xã có lỗi, {rejected} tệp bị loại, "
        "{missing} xã chưa nộp."
    ),
    "consolidate-rejected-line": "Bỏ qua '{file}': {reason}",
    "consolidate-missing-line": "Chưa nộp: {xa}{code}",
    "consolidate-written": "Đã ghi bảng tổng hợp '{path}'.",
    "consolidate-json-written": "Đã ghi báo cáo JSON '{path}'.",
    "consolidate-note-missing": "Chưa có báo cáo của {count} xã: {names}.",
    "consolidate-note-blank": "{count}/{total} xã có số liệu; bỏ trống: {names}",
    "consolidate-note-percent": "Tỷ lệ do xã tự nhập, không có tử số và mẫu số: không cộng, không lấy trung bình; xem từng xã.",
    "consolidate-note-ratio": "Tính lại từ tổng tử số và tổng mẫu số ({formula}), không lấy trung bình các tỷ lệ.",
    "consolidate-note-excluded": "Không tính {count} xã có lỗi (--exclude-invalid): {names}.",
    "consolidate-note-basis-appraised": "Điểm dùng để xếp hạng: điểm thẩm định.",
    "consolidate-note-basis-self": "Điểm dùng để xếp hạng: điểm tự chấm (chưa có điểm thẩm định).",
    "consolidate-note-no-scores": "Không có tệp nào có điểm Chỉ số CCHC.",
    "consolidate-note-ranks": (
        "Xếp hạng chung: xếp hạng thi đấu trên tổng điểm (đồng điểm đến 3 chữ số thập phân thì cùng thứ, "
        "thứ tiếp theo bị bỏ qua), ghi \"thứ x/n\" với n là số xã được xếp hạng. Xếp hạng lĩnh vực: theo mức "
        "điểm khác nhau, ghi \"hạng x/y\" với y là số mức điểm."
    ),

    # diff (cchc_xl/diff.py, cchc_xl/report_diff.py)
    "diff-no-difference": "Không có khác biệt giữa '{old}' và '{new}'.",
    "diff-summary-value": "{n} chỉ tiêu thay đổi",
    "diff-summary-derived": "{n} chỉ tiêu tính toán thay đổi theo",
    "diff-summary-formula-overwritten": "{n} công thức bị ghi đè",
    "diff-summary-formula": "{n} công thức thay đổi",
    "diff-summary-type": "{n} ô đổi kiểu dữ liệu (số/chữ)",
    "diff-summary-added": "{n} chỉ tiêu mới",
    "diff-summary-removed": "{n} chỉ tiêu bị bỏ",
    "diff-summary-structure": "{n} thay đổi cấu trúc",
    "diff-summary-metadata": "{n} thông tin chung thay đổi",
    "diff-summary-scores": "{n} điểm thay đổi",
    "diff-summary-scores-mode": "{n} tiêu chí có điểm thẩm định khác điểm tự chấm",
    "diff-summary-errors-new": "{n} lỗi mới",
    "diff-summary-errors-fixed": "{n} lỗi đã sửa",
    "diff-summary-warnings-new": "{n} cảnh báo mới",
    "diff-summary-warnings-fixed": "{n} cảnh báo đã hết",
    "diff-summary-note": "{n} ghi chú thay đổi",
    "diff-summary-other": "{n} ô ngoài danh mục thay đổi",
    "diff-hidden-derived": "(Ẩn {n} thay đổi của chỉ tiêu tính toán do số liệu nhập thay đổi; dùng --all để xem.)",
    "diff-section-structure": "Cấu trúc",
    "diff-section-metadata": "Thông tin chung",
    "diff-section-scores": "Chấm điểm — lĩnh vực {field}",
    "diff-section-total": "Chấm điểm — tổng điểm",
    "diff-section-validation": "Kiểm tra số liệu",
    "diff-section-other": "Ô ngoài danh mục (theo địa chỉ ô)",
    "diff-kind-structure": "cấu trúc",
    "diff-kind-metadata": "thông tin",
    "diff-kind-value": "số liệu",
    "diff-kind-derived": "tính toán",
    "diff-kind-formula": "công thức",
    "diff-kind-type": "kiểu dữ liệu",
    "diff-kind-added": "thêm",
    "diff-kind-removed": "bỏ",
    "diff-kind-scores": "điểm",
    "diff-kind-note": "ghi chú",
    "diff-kind-validation": "kiểm tra",
    "diff-kind-other": "ô khác",
    "diff-column-tu_cham": "tự chấm",
    "diff-column-tham_dinh": "thẩm định",
    "diff-sheet-added": "Thêm trang '{sheet}'.",
    "diff-sheet-removed": "Xóa trang '{sheet}'.",
    "diff-sheet-renamed": "Đổi tên trang '{old}' thành '{new}'.",
    "diff-rows-inserted": "Chèn {n} dòng vào trang '{sheet}' phía trên dòng {row} cũ ({what}).",
    "diff-rows-deleted": "Xóa {n} dòng của trang '{sheet}' phía trên dòng {row} cũ ({what}).",
    "diff-cols-inserted": "Chèn {n} cột vào trang '{sheet}' bên trái ô {cell} cũ.",
    "diff-cols-deleted": "Xóa {n} cột của trang '{sheet}' bên trái ô {cell} cũ.",
    "diff-forms-differ": (
        "Hai tệp dùng hai mẫu biểu khác hẳn nhau ('{old}' và '{new}'), không có chỉ tiêu chung để so sánh."
    ),
    "diff-meta-template": "Mẫu biểu (mã)",
    "diff-meta-version": "Phiên bản mẫu",
    "diff-meta-framework": "Khung chỉ số CCHC",
    "diff-meta-modified-by": "Người sửa cuối (thuộc tính tệp)",
    "diff-meta-modified": "Thời điểm sửa cuối (thuộc tính tệp)",
    "diff-total-label": "Tổng điểm (Chỉ số CCHC)",
    "diff-formula-overwritten": "công thức bị ghi đè bằng giá trị {value}; công thức đúng: {expected}",
    "diff-formula-restored": "công thức được khôi phục (trước đó là giá trị {value})",
    "diff-formula-changed": "công thức bị sửa; công thức đúng: {expected}",
    "diff-validation-new": "mới",
    "diff-validation-fixed": "đã sửa",
    "diff-severity-error": "Lỗi",
    "diff-severity-warning": "Cảnh báo",
    "diff-validation-unavailable": "Chưa có chức năng kiểm tra số liệu nên không so sánh lỗi giữa hai tệp.",
    "diff-other-skipped": (
        "Hai tệp khác mẫu biểu hoặc phiên bản mẫu nên không so sánh các ô ngoài danh mục (bố cục khác nhau)."
    ),
    "diff-score-computed": "tổng của các tiêu chí con",
    "diff-scores-old": "{name} (điểm tự chấm)",
    "diff-scores-new": "{name} (điểm thẩm định)",
    "diff-caused-by": "do {codes}",
    "diff-xlsx-summary-sheet": "Tóm tắt",
    "diff-xlsx-side-sheet": "Đối chiếu",
    "diff-xlsx-title": "SO SÁNH HAI PHIÊN BẢN BÁO CÁO",
    "diff-xlsx-old": "Tệp cũ: {path}",
    "diff-xlsx-new": "Tệp mới: {path}",
    "diff-xlsx-headers": "Loại|Mã|Nội dung|Trang|Ô cũ|Ô mới|Giá trị cũ|Giá trị mới|Chênh lệch|Tỷ lệ thay đổi (%)|Ghi chú",
    "diff-xlsx-side-headers": "Thay đổi|STT|Nội dung|Đơn vị tính|Giá trị cũ|Giá trị mới|Chênh lệch|Mã",
    "diff-xlsx-legend": (
        "Cột 'Thay đổi': -> giá trị đổi, +++ chỉ có ở tệp mới, --- chỉ có ở tệp cũ. Ô tô màu là ô thay đổi; "
        "di chuột vào ô để xem giá trị cũ."
    ),
    "diff-xlsx-comment": "Giá trị cũ: {value}",
    "diff-xlsx-count": "Số lượng",
    "diff-xlsx-scores-block": "CHẤM ĐIỂM",
    "diff-written": "Đã ghi báo cáo so sánh '{path}'.",
    # Excel buttons (cchc_xl/excel.py, cchc_xl/xlsm.py; the VBA tier builds the same sentences with ChrW)
    "excel-title": "Kiểm tra",
    "excel-summary": "{errors} lỗi, {warnings} cảnh báo — xem trang {sheet}",
    "excel-cleared": "Đã xóa đánh dấu {count} ô.",
    "excel-failed": "Không kiểm tra được: {detail}",
    "excel-not-saved": "Sổ làm việc chưa được lưu; hãy lưu tệp rồi bấm Kiểm tra lại.",
    "excel-results-title": "KẾT QUẢ KIỂM TRA (bấm vào ô để đến chỗ sai; bấm Xóa đánh dấu để bỏ tô màu)",
    "excel-results-col-stt": "STT",
    "excel-results-col-severity": "Mức độ",
    "excel-results-col-rule": "Mã quy tắc",
    "excel-results-col-cell": "Ô",
    "excel-results-col-message": "Nội dung",
    "xlsm-needs-xlsm": "Tệp kết quả '{path}' phải có đuôi .xlsm khi dùng --xlsm.",
    # ---- hostile (issue 10): add this area's messages below this line ----
    "_anchor-hostile": "",
    "package-missing-part": (
        "Tệp '{name}' thiếu phần '{part}' trong gói Excel (tệp bị sửa hoặc ghép hỏng); hãy mở tệp gốc bằng "
        "Excel, lưu thành tệp mới rồi gửi lại."
    ),
    "package-missing-sheet-part": (
        "Tệp '{name}' có trang '{sheet}' trong danh sách trang nhưng thiếu nội dung của trang đó ('{part}'); "
        "hãy mở tệp gốc bằng Excel, lưu thành tệp mới rồi gửi lại."
    ),
    "package-too-many-cells": (
        "Trang '{sheet}' của tệp '{name}' có hơn {limit} ô dữ liệu, vượt xa mọi biểu mẫu nên đã bị từ chối; "
        "hãy xóa các vùng dữ liệu thừa rồi gửi lại."
    ),
    "package-control-char": (
        "Trang '{sheet}' của tệp '{name}' chứa ký tự điều khiển {code} mà định dạng Excel không cho phép "
        "(thường do dán từ phần mềm khác); hãy mở tệp bằng Excel hoặc LibreOffice, lưu thành tệp mới rồi gửi lại."
    ),
    "annotate-unreadable": (
        "Không tạo được bản đánh dấu của '{name}': cấu trúc tệp không cho phép chép lại an toàn (ví dụ thiếu "
        "phần kiểu định dạng); kết quả kiểm tra ở trên vẫn đúng — hãy mở tệp bằng Excel, lưu lại rồi thử lại."
    ),
    "finding-far-cells": (
        "Trang '{sheet}' có {count} ô nằm ngoài vùng biểu mẫu A1:{limit} (ví dụ ô {cell}); các ô này đã bị bỏ qua"
    ),
    "finding-long-text": (
        "Ô {cell} chứa {length} ký tự, vượt giới hạn 32.767 ký tự của một ô Excel; chỉ dùng 32.767 ký tự đầu"
    ),
    "finding-name-moved": (
        "Tên ô {name} của {what} trỏ tới {old} nhưng dòng đó không mang mã này; đã đọc theo mã tại {new}"
    ),
    "finding-name-more": " (và {count} mục khác cùng tình trạng)",
    "finding-name-broken": (
        "Tên ô {name} của {what} bị hỏng ({why}); đã tìm theo mã và đọc tại {new}"
    ),
    "name-why-missing": "không có trong tệp",
    "name-why-ref": "trỏ tới #REF!",
    "name-why-sheet": "trỏ tới trang '{sheet}' không còn tồn tại",
    "name-why-range": "trỏ tới một vùng nhiều ô thay vì một ô",
    "name-why-external": "trỏ tới sổ làm việc khác",
    "name-why-local": "chỉ có hiệu lực trong một trang",
    "name-why-case": "viết khác chữ hoa/thường",
    "what-indicator": "chỉ tiêu {code}",
    "what-criterion": "tiêu chí {code}",
    "what-total": "tổng điểm",
    "what-meta": "mục thông tin '{label}'",
    "workbook-names-unlocatable": (
        "Tệp '{name}' đã bị sửa cấu trúc (dòng bị sắp xếp, chèn, xóa hoặc trang bị đổi tên) và không xác định "
        "chắc chắn được vị trí của {count} mục: {detail}; hãy dùng lại mẫu gốc hoặc hoàn tác thay đổi rồi gửi lại."
    ),
    "unlocatable-none": "{what} (không tìm thấy mã)",
    "unlocatable-many": "{what} (mã xuất hiện ở {places})",
    "finding-input-formula": (
        "Ô {cell} chứa công thức '{formula}' trong khi mẫu chỉ có giá trị nhập ở đây (có thể là lệnh DDE, "
        "liên kết hoặc tham chiếu ngoài); hãy xóa công thức và nhập giá trị"
    ),
    "finding-input-formula-neutralised": (
        "Ô {cell} chứa công thức '{formula}' không có trong mẫu; bản ghi ra chỉ giữ giá trị dạng chữ"
    ),
    "output-is-input": (
        "Tệp kết quả '{path}' chính là tệp đầu vào '{input}'; cchc-xl không bao giờ ghi đè tệp đầu vào, kể cả "
        "với --force; hãy chọn tên khác."
    ),
    "in-place-locked": (
        "Tệp '{path}' đang được một lệnh cchc-xl khác sửa; hãy chờ lệnh đó xong rồi chạy lại."
    ),
    "in-place-open-elsewhere": (
        "Tệp '{path}' đang được mở trong Excel hoặc LibreOffice (có tệp khóa '{lock}' bên cạnh); hãy đóng "
        "tệp rồi chạy lại."
    ),
    "no-r-write": (
        "trang tính có ô không ghi địa chỉ (thiếu thuộc tính r); hãy mở tệp bằng Excel, lưu lại rồi chạy lại"
    ),
    "prefixed-xml-write": (
        "trang tính dùng tiền tố không gian tên XML (x:row); hãy mở tệp bằng Excel, lưu lại rồi chạy lại"
    ),
    # ---- season (issue 11): add this area's messages below this line ----
    "_anchor-season": "",
    "rule-score-incomplete": "Chỉ số CCHC chưa đủ điểm: có lĩnh vực chưa có điểm tự chấm hoặc thẩm định "
                             "(chưa xếp hạng, xếp loại)",
    "finding-score-missing-fields": "còn thiếu điểm lĩnh vực: {fields}",
    "diff-index-label": "Chỉ số CCHC (điểm được tính của từng lĩnh vực)",
    "diff-index-basis": "cơ sở: {old} → {new}",
    "rule-stated": "Số liệu báo cáo ghi cho {label} phải bằng giá trị tính từ số liệu thành phần",
    "rule-stated-total-missing": "Đã ghi tổng điểm (Chỉ số CCHC) theo báo cáo nhưng còn lĩnh vực chưa có điểm, "
                                 "nên chưa so được với tổng tính từ điểm từng lĩnh vực",
    "stated-total-label": "tổng điểm (Chỉ số CCHC)",
    "finding-stated-label": "báo cáo ghi",
    "framework-differs": "Khung chỉ số '{given}' khác khung '{inside}' lưu trong sổ làm việc; dùng khung lưu trong "
                         "sổ (bỏ --framework hoặc lập lại sổ bằng 'cchc-xl new --framework' nếu muốn đổi khung)",
    "data-detail-missing": "không tìm thấy tệp",
    "data-detail-directory": "đây là một thư mục, không phải tệp dữ liệu",
    "data-detail-encoding": "tệp không phải văn bản UTF-8 (hãy lưu lại dưới dạng CSV UTF-8 hoặc YAML)",
    "data-detail-os": "không mở được tệp (kiểm tra quyền đọc)",
    "data-detail-syntax": "sai cú pháp ở dòng {line}, cột {col}",
    "data-detail-syntax-nowhere": "sai cú pháp",
    "data-detail-csv-row": "dòng {row} của tệp CSV thiếu cột giá trị (cần hai cột: mã, giá trị)",
    "output-suffix": "Tệp kết quả '{path}' phải có đuôi .xlsx (hoặc .xlsm cho sổ có nút Kiểm tra); "
                     "cchc-xl chỉ ghi sổ làm việc Excel.",
    "show-totals": "  Tổng điểm tự chấm: {own}; tổng điểm thẩm định: {appraised}",
    "show-index": "  Chỉ số CCHC: {total} / {max} — {basis}",
    "consolidate-incomplete-line": "Chưa đủ điểm: {xa} (thiếu lĩnh vực {fields}) — {ranked}.",
    "consolidate-incomplete-unranked": "không xếp hạng, không xếp loại (dùng --rank-incomplete để vẫn xếp hạng)",
    "consolidate-incomplete-ranked": "vẫn xếp hạng theo --rank-incomplete, không xếp loại",
    "consolidate-provisional": "Chỉ số tạm tính: chưa phải mọi xã đã có điểm thẩm định ở mọi lĩnh vực (xem cột Xếp loại).",
    "consolidate-note-basis-final": "Chỉ số chính thức: mọi lĩnh vực theo điểm thẩm định/điều tra.",
    "consolidate-note-basis-provisional": "Chỉ số tạm tính: mỗi lĩnh vực theo điểm thẩm định nếu có, nếu chưa "
                                          "thì theo điểm tự chấm; xã chưa đủ điểm không xếp hạng, xếp loại.",
    # ---- publish (issue 12): add this area's messages below this line ----
    "_anchor-publish": "",
    "consolidate-lock": "Tệp '{name}' là tệp khóa Excel/LibreOffice tạo ra khi một tệp đang mở, không phải báo cáo; bỏ qua.",
    "completeness-findings": "Tệp có {errors} lỗi (xem trang Kiểm tra); số liệu vẫn được tổng hợp.",
    "completeness-conflict": "Xã gửi nhiều tệp ({files}) nên chưa dùng tệp nào; hãy giữ lại một tệp hoặc chạy lại với --prefer-newest.",
    "completeness-missing": "Chưa nhận được tệp nào.",
    "completeness-by-file-name": "Nhận là của xã theo tên tệp (không đọc được nội dung tệp).",
    "completeness-file-time": "Lấy theo ngày sửa tệp vì tệp không ghi ngày lập; có thể sai nếu tệp đã được chép lại.",
    "completeness-name-in-file": "Tên trong tệp: {name}.",
    "completeness-unexpected": "Không có trong danh sách phải nộp.",
    "consolidate-completeness-summary": (
        "Tình trạng nộp ({expected} xã): {ok} hợp lệ, {findings} có lỗi, {unusable} không dùng được, "
        "{conflict} trùng tệp, {missing} chưa nộp; {late} nộp muộn."
    ),
    "consolidate-status-line": "{status}: {xa}{code} — {reason}",
    "consolidate-late-line": "Nộp muộn: {xa}{code}, ngày {date} ({source}).",
    "consolidate-file-time-warning": (
        "Cảnh báo: ngày nộp của {count} xã lấy theo ngày sửa tệp vì tệp không ghi ngày lập; "
        "ngày này đổi khi tệp được chép lại nên có thể sai."
    ),
    "consolidate-skipped-line": "Bỏ qua '{file}': {reason}",
    "consolidate-note-percent-weighted": (
        "Bình quân gia quyền theo chỉ tiêu {base} của {n} xã (thấp nhất {min}, cao nhất {max}); "
        "không cộng các tỷ lệ."
    ),
    "consolidate-note-percent-mean": (
        "Trung bình cộng của {n} xã (thấp nhất {min}, cao nhất {max}); mẫu không có số gốc để tính "
        "bình quân gia quyền."
    ),
    "consolidate-note-percent-mean-gap": (
        "Trung bình cộng của {n} xã (thấp nhất {min}, cao nhất {max}); không tính được bình quân gia quyền "
        "theo chỉ tiêu {base} vì có xã bỏ trống hoặc ghi 0 ở chỉ tiêu đó."
    ),
    "consolidate-classes-source": "Bảng xếp loại: {source}.",
    "consolidate-classes-default": "mặc định (chưa có ngưỡng chính thức của tỉnh; đổi bằng --classes)",
    "consolidate-return-written": "Đã ghi {count} tệp trả về cho các xã trong thư mục '{path}'.",
    "consolidate-return-exists": "Thư mục trả về '{path}' đã có tệp '{name}'; dùng --force để ghi đè.",
    "return-resend-unusable": "tệp đã gửi không dùng được để tổng hợp.",
    "return-resend-conflict": "xã đã gửi nhiều tệp khác nhau nên chưa tệp nào được dùng.",
    "return-resend-errors": "tệp còn {errors} lỗi phải sửa.",
    "return-no-resend-warnings": "không có lỗi; có {warnings} cảnh báo cần kiểm tra lại, chỉ gửi lại nếu phải sửa số liệu.",
    "return-no-resend": "tệp hợp lệ, không phải gửi lại.",
    "return-todo-error": "Sửa số liệu ở ô này trên tệp của xã, lưu lại và gửi lại tệp.",
    "return-todo-warning": "Kiểm tra lại; nếu số liệu đúng thì ghi giải trình khi gửi, không cần sửa.",
    "return-todo-unusable": (
        "Mở lại tệp bằng Excel hoặc LibreOffice, kiểm tra đúng mẫu {form} và đúng kỳ {period}, lưu lại "
        "dạng .xlsx (không đặt mật khẩu) rồi gửi lại một tệp."
    ),
    "return-todo-conflict": "Chọn bản cuối cùng, gửi lại một tệp duy nhất và báo để bỏ các tệp cũ.",
    "return-no-findings": "Không có lỗi hay cảnh báo nào.",
    "return-criteria-same": "Các tiêu chí còn lại ({count}) có điểm tự chấm trùng với điểm thẩm định.",
    "return-name-note": "Bảng tổng hợp ghi theo danh sách đơn vị: {xa}.",
    "consolidate-note-none": "Chưa xã nào trong {total} xã có số liệu.",
    "consolidate-return-not-dir": "'{path}' là một tệp chứ không phải thư mục; hãy chỉ ra thư mục để ghi các tệp trả về.",
    # ---- intake (issue 13): add this area's messages below this line ----
    "_anchor-intake": "",
    "import-unreadable": "Không đọc được tệp '{path}' ({detail}); hãy mở tệp bằng Excel/Word rồi lưu lại và thử lại.",
    "import-no-appendix": (
        "Không tìm thấy bảng phụ lục số liệu trong tệp '{path}': đã tìm ở mọi trang tính và mọi bảng Word một dòng "
        "tiêu đề có cột 'STT' và cột 'Chỉ tiêu (thống kê)' cùng cột số liệu ('Số liệu', 'Kỳ này', 'Kết quả thống kê' "
        "hoặc 'Số lượng/Tỷ lệ'). Nếu cột số liệu có tên khác, hãy chỉ rõ bằng --column."
    ),
    "import-skipped-sheets": " Các trang quá lớn bị bỏ qua: {sheets}.",
    "import-group-value": "dòng {where}: chỉ tiêu {code} là dòng nhóm, không có ô số liệu; giá trị '{value}' không được ghi.",
    "import-derived-text": "dòng {where}: chỉ tiêu {code} là dòng tự tính; giá trị '{value}' không phải số nên bỏ qua.",
    "import-kept-as-text": "dòng {where}: giá trị '{value}' của chỉ tiêu {code} được giữ nguyên dạng chữ ({detail}).",
    "import-bad-meta-option": "Tùy chọn --meta '{option}' không hợp lệ: phải có dạng khóa=giá trị với khóa là một trong {known}.",
    "import-meta-dropped": "thông tin '{key}' = '{value}' đọc được không hợp lệ ({detail}); bỏ qua, có thể nhập bằng --meta.",
    "import-legacy-encoding": "nhãn được gõ bằng bảng mã cũ ({encodings}) và đã được chuyển sang Unicode.",
    "import-summary": (
        "{path}: mẫu {form}, {tables} bảng; {matched} dòng khớp, {ambiguous} dòng không rõ, {unmatched} dòng không "
        "khớp, {ignored} dòng bỏ qua; {values} số liệu được nhập."
    ),
    "import-status-matched": "khớp",
    "import-status-ambiguous": "không rõ, để trống",
    "import-status-unmatched": "không khớp, để trống",
    "import-status-ignored": "bỏ qua",
    "form-file-unreadable": "Không đọc được tệp mẫu biểu '{path}' ({detail}).",
    "form-file-bad": "Tệp mẫu biểu '{path}' sai cấu trúc ({detail}); xem cchc_xl/catalogs/FORMAT.md.",
    "form-sheet-row": "Tệp mẫu biểu '{path}', trang '{sheet}', dòng {row}: {detail}.",
    "form-sheet-missing": "Tệp mẫu biểu '{path}' không có trang '{sheet}' (danh sách chỉ tiêu, mỗi dòng một chỉ tiêu).",
    "form-sheet-column": "Tệp mẫu biểu '{path}', trang '{sheet}': thiếu cột '{column}'.",
    "form-sheet-missing-id": "Tệp mẫu biểu '{path}': trang 'thong_tin' phải có dòng 'id' (mã mẫu biểu, ví dụ 'bieu-mau-tinh-x-2024').",
    "template-output-one-form": "Dùng -o/--output cùng đúng một --form (mã mẫu biểu hoặc tệp mẫu biểu).",
    "migrate-removed": "chỉ tiêu đã bỏ trong phiên bản {version} của mẫu; giá trị không mang sang được",
    "migrate-unknown": "tên ô không có trong phiên bản {version} của mẫu và không có trong bảng chuyển đổi",
    "migrate-renamed": "{old} → {new} (đổi mã theo bảng chuyển đổi của mẫu)",
    "migrate-summary": (
        "{path}: mẫu {form}, phiên bản {old} → {new}; {carried} giá trị, điểm và ghi chú được chuyển sang '{out}'."
    ),
    "consolidate-use-import": "Nếu tệp có bảng phụ lục theo mẫu, chạy lại với --import để nhập tệp.",
    "consolidate-use-migrate": "Chạy lại với --migrate để chuyển tệp sang phiên bản mẫu hiện hành khi tổng hợp.",
    "consolidate-imported": (
        "nhập từ tệp ngoài mẫu '{source}': {matched} dòng khớp mã chỉ tiêu, {problems} dòng có số liệu không nhập được."
    ),
    "consolidate-import-row": "dòng {where} [{stt}] {label} = {value}: {status} ({reason})",
    "consolidate-migrated": "chuyển từ phiên bản mẫu {old} sang phiên bản {new} (--migrate).",
    "import-written": "Đã tạo sổ làm việc '{path}'; chạy 'cchc-xl validate' để kiểm tra.",
    # ---- history (issue 14): add this area's messages below this line ----
    "_anchor-history": "",
    "history-missing": "Không có tệp lịch sử '{path}'. Tệp được tạo khi chạy consolidate/validate với --history.",
    "history-no-dir": "Không tạo được tệp lịch sử '{path}': thư mục chứa không tồn tại.",
    "history-not-sqlite": "Tệp '{path}' không phải là tệp lịch sử của cchc-xl (không phải cơ sở dữ liệu SQLite); tệp không bị ghi đè.",
    "history-foreign": "Tệp '{path}' là cơ sở dữ liệu của một ứng dụng khác, không phải tệp lịch sử của cchc-xl; tệp không bị ghi đè.",
    "history-newer": "Tệp lịch sử '{path}' được tạo bởi phiên bản cchc-xl mới hơn (lược đồ {version}, bản này đọc được đến {supported}); hãy cập nhật cchc-xl.",
    "history-damaged": "Tệp lịch sử '{path}' bị hỏng hoặc không đọc được; tệp không bị ghi đè. Hãy dùng bản sao lưu.{detail}",
    "history-busy": "Tệp lịch sử '{path}' đang được một chương trình khác ghi; hãy chờ rồi chạy lại.{detail}",
    "history-unreadable": "Không đọc được tệp lịch sử '{path}' (không có quyền đọc).",
    "history-followup": "Cần xem lại",
    "outlier-value": (
        "{label} ({code}) = {value}: khác thường so với các xã cùng kỳ (trung vị {median}, điểm z hiệu chỉnh "
        "{z}, ngưỡng {threshold}). Kiểm tra lại số liệu (có thể nhập thừa/thiếu chữ số)."
    ),
    "outlier-per-size": (
        "{label} ({code}) = {raw}, tức {value} trên mỗi TTHC ({size_code} = {size}): khác thường so với các xã "
        "cùng kỳ (trung vị {median} trên mỗi TTHC, điểm z hiệu chỉnh {z}, ngưỡng {threshold})."
    ),
    "change-ratio": (
        "{label} ({code}) = {new} kỳ này, {old} ở {period} (gấp {ratio} lần; ngoài khoảng {lo}–{hi} lần). "
        "Kiểm tra lại số liệu."
    ),
    "change-zero": (
        "{label} ({code}) = {new} kỳ này, {old} ở {period} (từ 0 thành khác 0 hoặc ngược lại). Kiểm tra lại số liệu."
    ),
    "history-stored": (
        "Đã lưu vào lịch sử '{path}' (lần chạy {run}): {new} xã mới, {replaced} xã nộp lại (giữ bản cũ), "
        "{unchanged} xã không đổi."
    ),
    "history-followups": "{count} giá trị cần xem lại (khác thường hoặc thay đổi lớn); {marked} giá trị đã được đánh dấu trước đây nên không báo lại.",
    "history-marks-read": "Đã đọc {count} đánh dấu xác minh từ trang Kiểm tra của '{path}'.",
    "history-marks-need-history": "--marks cần có --history (đánh dấu được lưu trong tệp lịch sử).",
    "history-marks-unreadable": "Không đọc được đánh dấu xác minh từ '{path}': {detail}",
    "history-no-periods": "Tệp lịch sử '{path}' chưa có kỳ báo cáo nào.",
    "history-no-unit": "Không tìm thấy xã '{query}' trong tệp lịch sử.",
    "history-ambiguous": "'{query}' khớp với nhiều xã: {names}. Hãy ghi mã xã.",
    "history-no-value": "Xã {xa} không có giá trị chỉ tiêu '{code}' ở kỳ {period}.",
    "history-no-period-unit": "Xã {xa} không có số liệu kỳ {period} trong tệp lịch sử.",
    "history-mark-saved": "Đã đánh dấu {code} = {value} của {xa} (kỳ {period}) là '{status}'.",
    "history-mark-status": "Chọn một trong --confirmed hoặc --false-alarm.",
    "history-no-parquet": (
        "Xuất Parquet cần gói pyarrow, máy này chưa cài. Hãy cài: pip install pyarrow, hoặc dùng --format csv."
    ),
    "history-exported": "Đã xuất {rows} dòng ra '{path}'.",
    "history-show-written": "Đã ghi diễn biến của {xa} ra '{path}'.",
    "history-bad-ratio": "--change-ratio phải là số lớn hơn 1 (ví dụ 5 = gấp 5 lần hoặc còn 1/5).",
    # ---- report (issue 15): add this area's messages below this line ----
    "_anchor-report": "",
    "wording-none": "Không có tệp lời văn báo cáo cho mẫu '{form}'; hãy dùng --wording TỆP.",
    "wording-unreadable": "Không đọc được tệp lời văn '{path}' (cần tệp YAML mã hóa UTF-8).",
    "wording-yaml": "Tệp lời văn '{path}' sai cú pháp YAML ở dòng {line}.",
    "wording-shape": "Tệp lời văn '{path}', dòng {line}: mục '{key}' phải là một câu (chuỗi).",
    "wording-missing": "Tệp lời văn '{path}' thiếu mục '{key}'.",
    "wording-other-form": "Tệp lời văn '{path}' viết cho mẫu '{form}', nhưng sổ làm việc dùng mẫu '{expected}'.",
    "wording-unknown-form": "Tệp lời văn '{path}' ghi mẫu '{form}' không có trong danh mục.",
    "wording-unknown-placeholder": (
        "Tệp lời văn '{path}', dòng {line}: ô thay thế '{{{placeholder}}}' không phải mã chỉ tiêu của mẫu "
        "(hoặc tỷ lệ 'mã/mã', hoặc khóa được phép)."
    ),
    "wording-brackets": "Tệp lời văn '{path}', dòng {line}: dấu '[[' và ']]' không khớp nhau.",
    "wording-braces": "Tệp lời văn '{path}', dòng {line}: dấu '{{' và '}}' không khớp nhau.",
    "wording-placeholder-in-text": (
        "Tệp lời văn '{path}': đoạn để đơn vị tự viết không được chứa ô thay thế ('{text}…')."
    ),
    "report-placeholder": "[Đơn vị bổ sung: {what}.]",
    "report-date": "{place}, ngày {day} tháng {month} năm {year}",
    "report-date-blank": "{place}, ngày      tháng      năm {year}",
    "report-number": "Số:          /BC-UBND",
    "report-doc-type": "BÁO CÁO",
    "report-issuer": "ỦY BAN NHÂN DÂN\n{unit}",
    "report-unit-xa": "xã {name}",
    "report-unit-level": "{level} {name}",
    "report-above": "UBND {level} {name}",
    "report-above-province": "UBND tỉnh",
    "report-above-ministry": "Bộ Nội vụ",
    "report-unit-unknown": "[Đơn vị bổ sung: tên huyện/tỉnh]",
    "report-unknown-commune": "[Đơn vị bổ sung: tên xã]",
    "report-quoc-hieu": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "report-tieu-ngu": "Độc lập - Tự do - Hạnh phúc",
    "report-recipients": "Nơi nhận:",
    "report-results-heading": "II. KẾT QUẢ THỰC HIỆN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH",
    "report-no-figures": "Biểu số liệu kỳ này không có số liệu cho lĩnh vực này.",
    "report-par-heading": "{n}. Kết quả Chỉ số cải cách hành chính năm {nam}",
    "report-basis-appraised": "thẩm định",
    "report-basis-self": "tự chấm điểm (tạm tính)",
    "report-basis-provisional-note": (
        "Điểm trên là điểm tự chấm của xã, chưa qua thẩm định và chưa có kết quả điều tra xã hội học; "
        "kết quả chính thức theo quyết định công bố của cấp có thẩm quyền."
    ),
    "report-field-points": "{label} ({points}/{max} điểm, {percent} %)",
    "report-evaluation-heading": "III. ĐÁNH GIÁ CHUNG",
    "report-strengths-heading": "1. Ưu điểm",
    "report-weaknesses-heading": "2. Tồn tại, hạn chế",
    "report-causes-heading": "3. Nguyên nhân",
    "report-strong-fields": "Các lĩnh vực đạt từ {threshold} % điểm tối đa trở lên: {fields}.",
    "report-weak-fields": "Các lĩnh vực đạt dưới {threshold} % điểm tối đa: {fields}.",
    "report-findings-sentence": (
        "Khi kiểm tra, số liệu báo cáo còn {errors} lỗi và {warnings} cảnh báo (chi tiết tại Phụ lục 2), "
        "cần rà soát, sửa trước khi gửi."
    ),
    "report-tasks-heading": "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ {period}",
    "report-weak-tasks": (
        "Tập trung khắc phục tồn tại, hạn chế ở các lĩnh vực đạt dưới {threshold} % điểm tối đa: {fields}."
    ),
    "report-proposals-heading": "V. KIẾN NGHỊ, ĐỀ XUẤT",
    "report-annex-title": "Phụ lục {n}",
    "report-annex-period": "Kỳ báo cáo: {period}",
    "report-annex-attached": "(Kèm theo Báo cáo số          /BC-UBND ngày      tháng      năm        của UBND {unit})",
    "report-col-stt": "STT",
    "report-col-unit": "Đơn vị tính",
    "report-col-note": "Ghi chú",
    "report-col-severity": "Mức độ",
    "report-col-cell": "Ô",
    "report-col-message": "Nội dung",
    "report-col-unit-name": "Xã, thị trấn",
    "report-col-points": "Điểm",
    "report-col-rank": "Thứ hạng",
    "report-col-class": "Xếp loại",
    "report-col-change": "So với kỳ trước",
    "report-col-field": "Lĩnh vực",
    "report-col-field-name": "Tên lĩnh vực",
    "report-col-max": "Tối đa",
    "report-col-leaders": "Cao nhất",
    "report-col-mean": "Bình quân",
    "report-col-laggards": "Thấp nhất",
    "report-severity-error": "Lỗi",
    "report-severity-warning": "Cảnh báo",
    "report-findings-title": "KẾT QUẢ KIỂM TRA SỐ LIỆU (cchc-xl validate)",
    "report-findings-summary": "{errors} lỗi, {warnings} cảnh báo chưa được xử lý",
    "report-ranking-not-found": "Không tìm thấy xã '{xa}' trong tệp tổng hợp: báo cáo không ghi thứ hạng.",
    "report-ranking-mismatch": (
        "Tổng điểm của xã '{xa}' trong tệp tổng hợp ({theirs}) khác tổng điểm trong sổ ({ours}): "
        "báo cáo không ghi thứ hạng."
    ),
    "report-bad-consolidation": (
        "Tệp '{path}' không phải báo cáo tổng hợp của cchc-xl (tệp JSON của 'cchc-xl consolidate --json' "
        "hoặc sổ tổng hợp .xlsx)."
    ),
    "report-c-completeness-heading": "I. TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC XÃ, THỊ TRẤN",
    "report-c-received": (
        "Số đơn vị phải báo cáo: {expected}; đã nhận báo cáo của {received} đơn vị ({ratio} %), "
        "trong đó {valid} đơn vị có số liệu không có lỗi."
    ),
    "report-c-received-only": "Đã nhận báo cáo của {received} đơn vị, trong đó {valid} đơn vị có số liệu không có lỗi.",
    "report-c-with-errors": "Có {count} đơn vị có số liệu còn lỗi: {names}.",
    "report-c-unit-errors": "{xa} ({errors} lỗi)",
    "report-c-excluded": "Không đưa vào tổng hợp {count} đơn vị có lỗi: {names}.",
    "report-c-late": "Có {count} đơn vị gửi báo cáo muộn: {names}.",
    "report-c-none-late": "Không có đơn vị gửi báo cáo muộn.",
    "report-c-missing": "Có {count} đơn vị chưa gửi báo cáo: {names}.",
    "report-c-rejected": "Có {count} tệp không sử dụng được:",
    "report-c-figures-heading": "II. KẾT QUẢ TỔNG HỢP SỐ LIỆU",
    "report-c-figures-note": (
        "Số liệu dưới đây là tổng của các đơn vị đã báo cáo; các tỷ lệ được tính lại từ tổng tử số và tổng "
        "mẫu số (không lấy bình quân các tỷ lệ)."
    ),
    "report-c-par-heading": "III. KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {nam}",
    "report-c-par-summary": (
        "Có {count} đơn vị được xếp hạng; điểm bình quân {mean} điểm; cao nhất là {best} ({best_total} điểm), "
        "thấp nhất là {worst} ({worst_total} điểm)."
    ),
    "report-c-classes": "Kết quả xếp loại: {parts}.",
    "report-c-classes-default": (
        "[Đơn vị bổ sung: xếp loại theo bảng mặc định của cchc-xl (Xuất sắc từ 90, Tốt từ 80, Khá từ 70, "
        "Trung bình từ 50 điểm); thay bằng ngưỡng của tỉnh (--classes).]"
    ),
    "report-c-ranking-caption": "1. Bảng xếp hạng",
    "report-c-fields-caption": "2. Đơn vị dẫn đầu và đứng cuối theo từng lĩnh vực",
    "report-c-weak-fields": "Lĩnh vực có điểm bình quân dưới {threshold} % điểm tối đa: {fields}.",
    "report-c-all-equal": "(các đơn vị bằng điểm nhau)",
    "report-c-many": "{count} đơn vị ({points})",
    "report-c-coded-part": "{label}: {n} đơn vị",
    "report-c-trend-heading": "3. Thay đổi thứ hạng so với kỳ trước",
    "report-c-trend": "So với kỳ trước: {up} đơn vị tăng bậc, {down} đơn vị giảm bậc, {same} đơn vị giữ nguyên.",
    "report-c-trend-best": "Tăng nhiều nhất: {xa} (tăng {n} bậc).",
    "report-c-evaluation-heading": "{roman}. ĐÁNH GIÁ CHUNG",
    "report-c-tasks-heading": "{roman}. PHƯƠNG HƯỚNG, NHIỆM VỤ {period}",
    "report-c-proposals-heading": "{roman}. KIẾN NGHỊ, ĐỀ XUẤT",
    "report-written": "Đã ghi báo cáo '{path}' ({pages}).",
    "report-written-plain": "Đã ghi báo cáo '{path}'.",
    "report-has-findings": "Số liệu còn {errors} lỗi, {warnings} cảnh báo: đã liệt kê ở Phụ lục 2 của báo cáo.",
    "report-refused": (
        "Không viết báo cáo (--strict): sổ '{name}' còn {errors} lỗi. Sửa số liệu (xem 'cchc-xl validate') "
        "rồi chạy lại."
    ),
    # ---- api (issue 16): add this area's messages below this line ----
    "_anchor-api": "",
    "info-prefilled-note": "Ô nền xám ở trên do huyện/tỉnh điền sẵn và đã khóa; nếu sai, báo lại nơi gửi tệp.",
    "pandas-missing": (
        "Cần cài pandas để dùng DataFrame với cchc-xl: pip install 'cchc-xl[pandas]' (hoặc pip install pandas)."
    ),
    "table-bad-format": "Bảng '{path}' phải là tệp CSV hoặc XLSX (hoặc một pandas DataFrame).",
    "table-not-utf8": (
        "Tệp '{path}' không phải CSV mã UTF-8; trong Excel hãy chọn Lưu Như → CSV UTF-8 (phân tách bằng dấu "
        "phẩy) rồi chạy lại."
    ),
    "table-unreadable": "Không đọc được bảng '{path}': {detail}",
    "table-empty": "Bảng '{path}' không có dòng nào.",
    "table-duplicate-column": "Bảng '{path}' có cột '{column}' xuất hiện hai lần; hãy giữ một cột.",
    "table-no-commune-column": (
        "Bảng '{path}' không có cột tên xã (xa, Tên xã) hay mã xã (ma_xa, Mã xã) ở dòng đầu tiên."
    ),
    "table-where": "{source}, dòng {row}{who}, cột {column}",
    "table-unknown-column": (
        "cột '{header}' không phải mã chỉ tiêu của mẫu '{form}' cũng không phải mục thông tin "
        "(ma_xa, xa, huyen, tinh, ky, nam, nguoi_lap, ngay_lap); hãy sửa tên cột hoặc xóa giá trị"
    ),
    "table-unknown-long-column": (
        "Bảng '{source}' dạng mã–giá trị có cột lạ '{header}'; chỉ dùng các cột code, value (hoặc ma, gia_tri)."
    ),
    "table-no-code": "có giá trị nhưng thiếu mã chỉ tiêu",
    "table-duplicate-code": "mã chỉ tiêu '{code}' đã có ở dòng {other}",
    "batch-long-table": (
        "Bảng '{source}' ở dạng mã–giá trị (một xã); --batch cần mỗi dòng một xã với cột ma_xa, xa, huyen."
    ),
    "batch-no-name-column": (
        "Bảng '{path}' không có cột tên xã (xa hoặc Tên xã) ở dòng đầu tiên; --batch cần tên xã để đặt tên tệp "
        "và điền trang Thông tin."
    ),
    "batch-no-commune": "{source}, dòng {row}: thiếu tên xã nên không tạo được sổ làm việc.",
    "batch-duplicate-row": "Dòng {row} ({xa}) trùng xã với dòng {other}; không tạo sổ nào cho hai dòng này.",
    "batch-out-not-dir": "'{path}' là một tệp; -o của --batch phải là thư mục.",
    "batch-outputs-exist": (
        "{count} tệp đã có trong thư mục '{dir}' ({files}); dùng --force để ghi đè, không tệp nào được ghi."
    ),
    "batch-meta-missing": "Bảng không có '{field}' (và không có tùy chọn --{field}): các xã sẽ phải tự nhập.",
    "batch-written-line": "  {file} — {xa}{code}",
    "batch-summary": "Đã tạo {written} sổ làm việc (mẫu {form}) trong '{dir}'; {failed} dòng lỗi không tạo.",
    "batch-needs-batch": "Tùy chọn --{option} chỉ dùng cùng --batch.",
    "batch-data-or-batch": "Lệnh new cần DATA hoặc --batch BẢNG (chỉ một trong hai).",
    "batch-no-xlsm": "--xlsm chưa dùng được cùng --batch.",
    "fill-no-row": "Bảng '{source}' không có dòng nào cho xã '{xa}'{code} của sổ làm việc '{name}'.",
    "fill-many-rows": "Bảng '{source}' có nhiều dòng cho xã '{xa}' (dòng {rows}); chỉ giữ một dòng.",
    "api-output-exists": "Tệp '{path}' đã tồn tại; truyền force=True để ghi đè.",
    "output-is-dir": "'{path}' là một thư mục; hãy cho tên tệp .xlsx cần tạo (hoặc dùng --batch).",
    # ---- layers (issue 9): add this area's messages below this line ----
    "_anchor-layers": "",
}


def say(key: str, /, **fields: object) -> str:
    """Render message ``key`` with ``fields``; a missing placeholder is a programming error, never blanked."""
    return unicodedata.normalize("NFC", MESSAGES[key].format(**fields))
