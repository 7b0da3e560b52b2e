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
        "hãy dùng lệnh 'cchc-xl new' hoặc mẫu trong workbook_templates/."
    ),
    "workbook-unknown-form": "Tệp '{name}' dùng mẫu '{form}' mà phiên bản cchc-xl này không biết.",
    "workbook-old-version": (
        "Tệp '{name}' dùng mẫu '{form}' phiên bản {version}, khác phiên bản hiện hành {current}; "
        "hãy chuyển số liệu sang mẫu mới."
    ),
    "workbook-missing-sheet": "Tệp '{name}' thiếu trang '{sheet}' (có thể đã bị đổi tên hoặc xóa).",
    "workbook-missing-name": "Tệp '{name}' thiếu tên ô '{defined}' của chỉ tiêu '{code}'.",
    "output-exists": "Tệp '{path}' đã tồn tại; dùng --force để ghi đè.",
    "output-same-as-input": "Tệp kết quả '{path}' trùng với tệp đầu vào; dùng --in-place nếu muốn sửa trực tiếp.",
    "output-unwritable": "Không ghi được tệp '{path}': {detail}",
    "output-open-in-excel": "Không ghi được tệp '{path}'; có thể tệp đang mở trong Excel — hãy đóng tệp rồi thử lại.",
    # CLI summaries
    "built-templates": "Đã tạo {count} mẫu biểu trong '{dir}'.",
    "templates-up-to-date": "Các mẫu biểu trong '{dir}' đã cập nhật.",
    "templates-stale": "Mẫu biểu '{path}' đã cũ so với danh mục; chạy 'cchc-xl template build'.",
    "created-workbook": "Đã tạo sổ làm việc '{path}' (mẫu {form}, {values} chỉ tiêu, {scores} điểm).",
    "internal-error": "Lỗi nội bộ của cchc-xl ({detail}); hãy gửi tệp và thông báo này cho bộ phận kỹ thuật.",
}


def say(key: str, /, **fields: object) -> str:
    """Render message ``key`` with ``fields``; a missing placeholder is a programming error, never blanked."""
    return unicodedata.normalize("NFC", MESSAGES[key].format(**fields))
