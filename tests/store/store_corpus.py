"""Hand-written Vietnamese articles for the store tests: one government story and its republications,
a different story on the same topic, and unrelated news with look-alike words (bão / báo / bao)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from newswatch.models import Article, DocNumber

VN = timezone(timedelta(hours=7))

STORY = [
    "Ngày 15/3, Thủ tướng Chính phủ đã ký ban hành Chỉ thị số 05/CT-TTg về đẩy mạnh chuyển đổi số quốc gia "
    "trong năm 2025, yêu cầu các bộ, ngành và địa phương hoàn thành các chỉ tiêu của Đề án 06 trước ngày 30/6.",
    "Theo Chỉ thị, Bộ Khoa học và Công nghệ chủ trì, phối hợp với Bộ Công an hoàn thiện hạ tầng dữ liệu dân cư, "
    "kết nối Cổng Dịch vụ công quốc gia với hệ thống thông tin giải quyết thủ tục hành chính của các địa phương.",
    "Thủ tướng yêu cầu người đứng đầu các cơ quan hành chính nhà nước trực tiếp chỉ đạo, chịu trách nhiệm về kết quả "
    "triển khai, bảo đảm an toàn thông tin mạng và bảo vệ dữ liệu cá nhân theo Nghị định 13/2023/NĐ-CP.",
    "Các doanh nghiệp viễn thông được giao nhiệm vụ mở rộng vùng phủ sóng di động băng rộng tới các thôn, bản "
    "vùng sâu, vùng xa, phấn đấu đến cuối năm không còn vùng lõm sóng, hỗ trợ người dân sử dụng điện thoại thông minh.",
    "Chỉ thị cũng nêu rõ việc sơ kết định kỳ hằng quý, báo cáo Thủ tướng Chính phủ kết quả thực hiện trước ngày "
    "20 của tháng cuối quý để kịp thời tháo gỡ khó khăn, vướng mắc trong quá trình triển khai.",
]

OTHER_SAME_TOPIC = [
    "Sáng 20/3, Ủy ban nhân dân tỉnh Thanh Hóa tổ chức hội nghị sơ kết một năm thực hiện chương trình chuyển đổi số "
    "của tỉnh, với sự tham gia của lãnh đạo các sở, ngành và 166 xã, phường trên địa bàn.",
    "Báo cáo tại hội nghị cho biết tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận trực tuyến đạt 72%, tăng 18 điểm "
    "phần trăm so với cùng kỳ; 95% cán bộ cấp xã đã được cấp chữ ký số cá nhân.",
    "Phó Chủ tịch tỉnh đề nghị các đơn vị tập trung đào tạo kỹ năng số cho người dân, phát huy vai trò tổ công nghệ "
    "số cộng đồng và đẩy mạnh thanh toán không dùng tiền mặt tại các chợ truyền thống.",
]

STORM = [
    "Trung tâm Dự báo khí tượng thủy văn quốc gia cho biết bão số 3 đang di chuyển theo hướng tây tây bắc, "
    "sức gió mạnh nhất vùng gần tâm bão cấp 12, giật cấp 15, dự kiến đổ bộ vào các tỉnh Bắc Bộ chiều mai.",
    "Các địa phương ven biển đã kêu gọi tàu thuyền vào nơi tránh trú an toàn, sơ tán hàng nghìn hộ dân khỏi "
    "khu vực nguy hiểm và chuẩn bị phương án ứng phó mưa lớn, lũ quét, sạt lở đất.",
]

PRESS = [
    "Hội Nhà báo Việt Nam tổ chức tọa đàm về vai trò của báo chí cách mạng trong thời kỳ mới, với sự tham dự của "
    "đại diện nhiều cơ quan báo chí trung ương và địa phương.",
    "Các đại biểu cho rằng báo điện tử cần đổi mới cách làm nội dung, ứng dụng công nghệ và giữ vững tôn chỉ, "
    "mục đích, đồng thời nâng cao chất lượng đội ngũ phóng viên, biên tập viên.",
]


def article(url: str, title: str, paragraphs: list[str], source: str, published: datetime | None,
            **kwargs: object) -> Article:
    return Article(url=url, title=title, text="\n\n".join(paragraphs), source=source, published=published,
                   **kwargs)  # type: ignore[arg-type]


def directive_numbers() -> list[DocNumber]:
    return [DocNumber("05/CT-TTg", "05/CT-TTg", "CT", "Chỉ thị", "TTg"),
            DocNumber("13/2023/NĐ-CP", "13/2023/NĐ-CP", "NĐ", "Nghị định", "CP", year=2023)]


def original() -> Article:
    """The government portal's story: the first publisher."""
    return article("https://baochinhphu.vn/chi-thi-05-ct-ttg-102250315.htm",
                   "Thủ tướng ban hành Chỉ thị đẩy mạnh chuyển đổi số quốc gia năm 2025",
                   ["(Chinhphu.vn) - " + STORY[0], *STORY[1:]], "baochinhphu",
                   datetime(2025, 3, 15, 9, 0, tzinfo=VN), doc_numbers=directive_numbers(),
                   topics=["chuyen-doi-so"])


def provincial_copy() -> Article:
    """A provincial TV station's republication: other title, dateline and credits."""
    return article("https://thanhhoatv.vn/tin-tuc/thu-tuong-chi-thi-chuyen-doi-so-12345",
                   "Thủ tướng chỉ thị đẩy mạnh chuyển đổi số",
                   ["(TTV) - " + STORY[0], *STORY[1:], "HQ (Nguồn: Cổng thông tin điện tử Chính phủ)"],
                   "thanhhoatv", datetime(2025, 3, 15, 14, 30, tzinfo=VN), doc_numbers=directive_numbers(),
                   topics=["chuyen-doi-so"])


def agency_copy() -> Article:
    """A news agency's republication with a place dateline and a photo credit."""
    return article("https://vietnamplus.vn/day-manh-chuyen-doi-so-quoc-gia-post998.vnp",
                   "Đẩy mạnh chuyển đổi số quốc gia: Thủ tướng ra Chỉ thị 05",
                   ["Hà Nội (TTXVN) - " + STORY[0], *STORY[1:4], "Ảnh: VGP/Nhật Bắc", STORY[4], "Minh Anh"],
                   "vietnamplus", datetime(2025, 3, 15, 11, 15, tzinfo=VN), doc_numbers=directive_numbers(),
                   topics=["chuyen-doi-so"])


def same_topic_other_story() -> Article:
    return article("https://thanhhoa.gov.vn/so-ket-chuyen-doi-so-2025",
                   "Thanh Hóa sơ kết một năm chuyển đổi số", OTHER_SAME_TOPIC, "thanhhoa",
                   datetime(2025, 3, 20, 10, 0, tzinfo=VN), topics=["chuyen-doi-so"])


def storm() -> Article:
    return article("https://vnexpress.net/bao-so-3-do-bo-bac-bo-4800001.html", "Bão số 3 sắp đổ bộ Bắc Bộ",
                   STORM, "vnexpress", datetime(2025, 7, 18, 7, 0, tzinfo=VN), topics=["thien-tai"])


def press() -> Article:
    return article("https://vnexpress.net/bao-chi-cach-mang-4800002.html", "Báo chí trong thời kỳ mới",
                   PRESS, "vnexpress", datetime(2025, 6, 21, 8, 0, tzinfo=VN), topics=["bao-chi"])


def template_twin() -> Article:
    """Another directive reported from the same template a week later: only its number differs."""
    paragraphs = [p.replace("05/CT-TTg", "06/CT-TTg").replace("Ngày 15/3", "Ngày 22/3") for p in STORY]
    return article("https://baochinhphu.vn/chi-thi-06-ct-ttg-102250322.htm",
                   "Thủ tướng ban hành Chỉ thị đẩy mạnh chuyển đổi số quốc gia năm 2025",
                   ["(Chinhphu.vn) - " + paragraphs[0], *paragraphs[1:]], "baochinhphu",
                   datetime(2025, 3, 22, 9, 0, tzinfo=VN),
                   doc_numbers=[DocNumber("06/CT-TTg", "06/CT-TTg", "CT", "Chỉ thị", "TTg"),
                                directive_numbers()[1]],
                   topics=["chuyen-doi-so"])
