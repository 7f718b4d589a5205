"""Topic tagging on Vietnamese phrases: digital transformation first, then the press office's other topics.

Phrases are matched whole (word boundaries) on the NFC text with tone placement unified, so
"số hoá" and "số hóa", "Uỷ ban" and "Ủy ban" match alike. Never on "số" alone, never on
"chuyển đổi" alone ("chuyển đổi xanh", "chuyển đổi năng lượng" are not digital transformation).

Each phrase has a weight: a *strong* phrase (2) tags its topic by itself; a *supporting* phrase
(1) needs a second mention ("báo chí" in passing does not make an article about the press). Each
phrase counts at most three times; a long article (≥ 2,500 characters) needs twice the score, so a
single passing mention does not tag it. Title matches count double. Acronyms (AI, VNeID, ATTT) match case-sensitively:
"ai" is the Vietnamese "who".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newswatch.text.normalize import normalize_text, normalize_tone

TOPICS: dict[str, str] = {
    "chuyen-doi-so": "Chuyển đổi số",
    "an-toan-thong-tin": "An toàn thông tin, an ninh mạng",
    "lua-dao-truc-tuyen": "Lừa đảo trực tuyến",
    "bao-chi-xuat-ban": "Báo chí, xuất bản, thông tin cơ sở",
    "vien-thong": "Viễn thông, tần số",
    "buu-chinh": "Bưu chính",
    "cong-nghe-so": "Công nghiệp công nghệ số, bán dẫn",
    "tri-tue-nhan-tao": "Trí tuệ nhân tạo",
    "khoa-hoc-cong-nghe": "Khoa học, công nghệ, đổi mới sáng tạo",
    "to-chuc-bo-may": "Tổ chức bộ máy",
}

# "số" at the end of a phrase must not be the start of "số liệu", "số lượng", "số 1"...
_NOT_NUMBER = r"(?!\s+(?:\d|liệu|lượng|tiền|hiệu|điện thoại|tài khoản|thẻ|máy|ca|vụ|lần|ít|nhiều|đông|khác)(?!\w))"

# topic -> (strong phrases, supporting phrases, case-sensitive acronyms (strong), case-sensitive (supporting)).
# Phrases are plain text (spaces match any whitespace); entries starting with "re:" are regexes.
_VOCABULARY: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {
    "chuyen-doi-so": (
        ["chuyển đổi số", "chính phủ số", "chính phủ điện tử", "kinh tế số", "xã hội số", "công dân số",
         "kỹ năng số", "hạ tầng số", "nền tảng số", "dữ liệu số", "cơ sở dữ liệu quốc gia",
         "công nghiệp công nghệ số", "doanh nghiệp công nghệ số", "make in vietnam",
         "dịch vụ công trực tuyến", "cổng dịch vụ công quốc gia", "định danh điện tử", "xác thực điện tử",
         "căn cước điện tử", "đề án 06", "chữ ký số", "giao dịch điện tử", "hóa đơn điện tử",
         "thanh toán không dùng tiền mặt", "số hóa", "chuyển đổi kép", "đô thị thông minh",
         "trung tâm dữ liệu", "điện toán đám mây", "chính quyền số", "ngày chuyển đổi số quốc gia",
         "chính quyền điện tử", "sàn dữ liệu", "sàn giao dịch dữ liệu", "trung gian dữ liệu", "tài sản số",
         "tài sản mã hóa", "kinh tế dữ liệu", "luật dữ liệu", "chia sẻ dữ liệu", "kết nối dữ liệu",
         "dữ liệu dân cư", "dữ liệu mở", "nền tảng tích hợp", "trực tuyến toàn trình", "bệnh án điện tử",
         "học bạ số", "sổ sức khỏe điện tử", "văn bản điện tử", "hồ sơ điện tử", "thủ tục hành chính trực tuyến",
         "dịch vụ công trực tuyến toàn trình", "ví giấy tờ", "hạ tầng dữ liệu", "dữ liệu quốc gia",
         "năng lực số", "thị trường dữ liệu", "thanh toán trực tuyến", "làm sạch dữ liệu", "chỉ số chuyển đổi số",
         "thử nghiệm có kiểm soát", "open api", "phương thức điện tử", "môi trường điện tử", "môi trường số",
         "hải quan số", "thuế điện tử", "xác thực sinh trắc học", r"re:nền\s+tảng(?:\s+[^\s,.;:]+){0,2}?\s+số(?!\s+\d)",
         r"re:(?:hồ\s+sơ|sổ|thẻ|ví|bệnh\s+án|học\s+bạ|hóa\s+đơn|chứng\s+từ|văn\s+bản|giấy\s+phép|chứng\s+thư|biên\s+lai)"
         r"(?:\s+[^\s,.;:]+){0,2}?\s+điện\s+tử"],
        ["công nghệ số", "trí tuệ nhân tạo", "dữ liệu lớn", "chuỗi khối", "internet vạn vật",
         "cách mạng công nghiệp lần thứ tư", "thương mại điện tử", "ngân hàng số", "y tế số", "giáo dục số",
         "nông nghiệp số", "cơ sở dữ liệu", "dữ liệu", "trực tuyến", "hệ thống thông tin",
         "công nghệ tài chính", "fintech", "sandbox", "cho vay ngang hàng", "tắt sóng 2G", "dừng công nghệ 2G",
         "điện thoại thông minh", "smartphone", "dịch vụ công", "sinh trắc học", "kênh số"],
        ["CĐS", "VNeID", "CSDLQG"],
        ["IoT", "CMCN 4.0", "Big Data", "5G", "6G"],
    ),
    "an-toan-thong-tin": (
        ["an toàn thông tin", "an ninh mạng", "tấn công mạng", "mã độc", "mã độc tống tiền", "ransomware",
         "lỗ hổng bảo mật", "lỗ hổng an ninh", "sự cố an toàn thông tin", "ứng cứu sự cố",
         "giám sát an toàn không gian mạng", "lộ lọt dữ liệu", "lộ lọt thông tin", "rò rỉ dữ liệu",
         "bảo vệ dữ liệu cá nhân", "tin tặc", "an toàn không gian mạng", "an toàn hệ thống thông tin",
         "bảo đảm an toàn thông tin", "cấp độ an toàn", "an toàn hệ thống"],
        ["không gian mạng", "hacker", "bảo mật", "dữ liệu cá nhân", "lỗ hổng"],
        ["ATTT", "NCSC"],
        [],
    ),
    "lua-dao-truc-tuyen": (
        [r"re:lừa\s+đảo(?:\s+\w+){0,3}?\s+(?:trực\s+tuyến|qua\s+mạng|trên\s+mạng|trên\s+không\s+gian\s+mạng|"
         r"online|qua\s+điện\s+thoại|qua\s+tin\s+nhắn)",
         "cuộc gọi lừa đảo", "sim rác", "tin nhắn rác", "tin nhắn mạo danh", "cuộc gọi mạo danh",
         "chuẩn hóa thông tin thuê bao", "deepfake", "chiếm đoạt tài sản qua mạng", "website giả mạo"],
        ["lừa đảo", "mạo danh", "giả mạo", "chiếm đoạt tài sản"],
        [],
        [],
    ),
    "bao-chi-xuat-ban": (
        ["cơ quan báo chí", "quy hoạch báo chí", "báo hóa", "trang thông tin điện tử", "tin giả",
         "tin xấu độc", "thông tin xấu độc", "nhà xuất bản", "hoạt động xuất bản", "luật báo chí",
         "luật xuất bản", "thông tin cơ sở", "thông tin đối ngoại", "người làm báo", "ngày báo chí cách mạng",
         r"re:phát\s+thanh\s*(?:-|,|và)?\s*truyền\s+hình", "giải báo chí", "hội nhà báo"],
        ["báo chí", "mạng xã hội", "xuất bản", "nhà báo", "truyền hình", "phóng viên"],
        [],
        [],
    ),
    "vien-thong": (
        ["viễn thông", "nhà mạng", "tắt sóng 2g", "băng rộng", "cáp quang biển", "đấu giá tần số",
         "tần số vô tuyến điện", "internet vệ tinh", "mã vùng điện thoại", "luật viễn thông",
         "thuê bao di động", "mạng di động", "phổ tần"],
        ["viettel", "vnpt", "mobifone", "vinaphone", "starlink", "thuê bao", "cáp quang", "tần số", "mã vùng"],
        [],
        ["5G", "4G", "2G"],
    ),
    "buu-chinh": (
        ["bưu chính", "bưu điện việt nam", "vietnam post", "bưu chính công ích", "mã bưu chính",
         "tem bưu chính", "bưu cục"],
        ["bưu điện", "chuyển phát", "bưu phẩm", "bưu gửi"],
        [],
        [],
    ),
    "cong-nghe-so": (
        ["bán dẫn", "vi mạch", "thiết kế vi mạch", "nhân lực bán dẫn", "khu công nghệ cao",
         "công nghiệp phần cứng", "công nghiệp phần mềm", "công nghiệp công nghệ số", "công nghiệp công nghệ thông tin",
         "doanh nghiệp công nghệ số", "tài sản mã hóa", "tài sản số", "make in vietnam"],
        ["công nghệ số", "chip", "phần mềm", "phần cứng"],
        [],
        ["CNTT"],
    ),
    "tri-tue-nhan-tao": (
        ["trí tuệ nhân tạo", "mô hình ngôn ngữ lớn", "luật trí tuệ nhân tạo", "học máy", "chatgpt"],
        ["chatbot", "tạo sinh"],
        ["AI tạo sinh", "đạo đức AI", "GenAI"],
        ["AI", "LLM"],
    ),
    "khoa-hoc-cong-nghe": (
        ["khoa học và công nghệ", "khoa học, công nghệ", "khoa học công nghệ", "đổi mới sáng tạo",
         "khởi nghiệp sáng tạo", "công nghệ chiến lược", "quỹ phát triển khoa học", "sở hữu trí tuệ",
         "tiêu chuẩn đo lường chất lượng", "năng lượng nguyên tử", "an toàn bức xạ", "công nghệ cao"],
        ["nghiên cứu khoa học", "nhà khoa học", "công nghệ", "sáng chế"],
        ["KH&CN", "KHCN", "ĐMST"],
        ["NIC"],
    ),
    "to-chuc-bo-may": (
        ["tinh gọn bộ máy", "sắp xếp bộ máy", "sắp xếp tổ chức bộ máy", "sắp xếp, tinh gọn",
         "tinh giản biên chế", r"re:chính\s+quyền\s+địa\s+phương\s+(?:2|hai)\s+cấp", "sắp xếp đơn vị hành chính",
         "18-nq/tw", "nghị quyết 18"],
        ["hợp nhất", "sáp nhập", "bộ máy", "tinh gọn"],
        [],
        [],
    ),
}

# Anchor documents: a body citing them is about the topic (§2.2 alias table).
ANCHOR_DOCUMENTS: dict[str, str] = {
    "749/QĐ-TTg": "chuyen-doi-so", "411/QĐ-TTg": "chuyen-doi-so", "942/QĐ-TTg": "chuyen-doi-so",
    "57-NQ/TW": "chuyen-doi-so", "52-NQ/TW": "chuyen-doi-so", "148/2025/QH15": "chuyen-doi-so",
    "71/2025/QH15": "cong-nghe-so", "60/2024/QH15": "chuyen-doi-so", "20/2023/QH15": "chuyen-doi-so",
    "42/2022/NĐ-CP": "chuyen-doi-so", "134/2025/QH15": "tri-tue-nhan-tao", "127/QĐ-TTg": "tri-tue-nhan-tao",
    "24/2018/QH14": "an-toan-thong-tin", "91/2025/QH15": "an-toan-thong-tin", "13/2023/NĐ-CP": "an-toan-thong-tin",
    "18-NQ/TW": "to-chuc-bo-may",
}


def _phrase_pattern(phrase: str) -> str:
    if phrase.startswith("re:"):
        return phrase[3:]
    words = normalize_tone(normalize_text(phrase)).split()
    pattern = r"\s+".join(re.escape(w) for w in words)
    return pattern + (_NOT_NUMBER if words[-1].lower() == "số" else "")


def _key(phrase: str, case_sensitive: bool) -> str:
    """A literal every match contains: a cheap substring test before the regex runs.

    For a plain phrase it is the whole phrase with single spaces, tested against the text with its
    whitespace squashed the same way (the pattern allows any whitespace between words), so the
    regex runs only on texts that hold the phrase; for a ``re:`` phrase, its leading literal.
    """
    if phrase.startswith("re:"):
        literal = re.match(r"[^\\()\[\]?*+|{\s]+", phrase[3:])
        key = literal.group(0) if literal else ""
    else:
        key = " ".join(normalize_tone(normalize_text(phrase)).split())
    return key if case_sensitive else key.lower()


@dataclass(frozen=True)
class _Phrase:
    key: str
    pattern: re.Pattern[str]
    weight: int
    case_sensitive: bool


def _phrases(topic_vocabulary: tuple[list[str], list[str], list[str], list[str]]) -> list[_Phrase]:
    strong, support, strong_cs, support_cs = topic_vocabulary
    out = []
    for group, weight, case_sensitive in ((strong, 2, False), (support, 1, False), (strong_cs, 2, True),
                                          (support_cs, 1, True)):
        for phrase in group:
            flags = 0 if case_sensitive else re.I
            pattern = re.compile(r"(?<!\w)(?:" + _phrase_pattern(phrase) + r")(?!\w)", flags)
            out.append(_Phrase(_key(phrase, case_sensitive), pattern, weight, case_sensitive))
    return out


_TOPIC_PHRASES = {topic: _phrases(vocabulary) for topic, vocabulary in _VOCABULARY.items()}


def _score(phrases: list[_Phrase], text: str, lowered: str) -> int:
    """``lowered`` is the text in lower case; both with whitespace runs squashed to one space (see :func:`_key`)."""
    total = 0
    for phrase in phrases:
        if phrase.key not in (text if phrase.case_sensitive else lowered):
            continue
        occurrences = sum(1 for _ in phrase.pattern.finditer(text))
        total += phrase.weight * min(occurrences, 3)
    return total


TAG_THRESHOLD = 2
LONG_TEXT_CHARS = 2500


def _prepare(text: str) -> str:
    """NFC, tone placement unified, whitespace runs squashed to one space (the phrases' \\s+ match alike)."""
    return " ".join(normalize_tone(normalize_text(text)).split())


def topic_scores(text: str, title: str | None = None, doc_numbers: list[str] | None = None) -> dict[str, int]:
    """Score per topic: 2 per strong phrase occurrence, 1 per supporting one (at most 3 each), doubled in the title."""
    body = _prepare(text or "")
    head = _prepare(title or "")
    body_l, head_l = body.lower(), head.lower()
    scores: dict[str, int] = {}
    for topic, phrases in _TOPIC_PHRASES.items():
        score = _score(phrases, body, body_l) + (2 * _score(phrases, head, head_l) if head else 0)
        if score:
            scores[topic] = score
    if doc_numbers is None:
        from newswatch.text.docnumbers import find_doc_numbers

        doc_numbers = [n.canonical for n in find_doc_numbers(text or "")]
    for number in doc_numbers:
        topic = ANCHOR_DOCUMENTS.get(number)
        if topic:
            scores[topic] = scores.get(topic, 0) + 2
    return scores


def tag_topics(text: str, title: str | None = None, doc_numbers: list[str] | None = None) -> list[str]:
    """Topic ids for an article body (and title), in the order of :data:`TOPICS`.

    ``doc_numbers`` (canonical strings found in the body; found here when not given) add the topics
    of anchor documents such as ``57-NQ/TW`` or ``148/2025/QH15``.
    """
    scores = topic_scores(text, title, doc_numbers)
    # A long article must mention a topic more than once in passing.
    threshold = TAG_THRESHOLD if len(text or "") < LONG_TEXT_CHARS else 2 * TAG_THRESHOLD
    return [topic for topic in TOPICS if scores.get(topic, 0) >= threshold]
