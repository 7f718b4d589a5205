"""A labelled stream of Vietnamese news articles for the monitor, in the order a crawl stores them.

Each entry says what the default rules (config/rules.yaml) must do with the article:
``alerts``: the (rule, key) alerts it must create; ``attach``: the (rule, key) alert it must be
attached to as a copy; neither: it must create nothing. Articles are enriched the way the
pipelines enrich them: document numbers by ``find_doc_numbers``, topics by ``tag_topics``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from newswatch.models import Article
from newswatch.text.docnumbers import find_doc_numbers

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CDS = "cds-new-directives"
GOV = "gov-new-directives"


@dataclass
class Labelled:
    article: Article
    label: str  # positive | copy | other-topic | citation | cds-news | other
    alerts: set[tuple[str, str]] = field(default_factory=set)
    attach: set[tuple[str, str]] = field(default_factory=set)


def enrich(article: Article) -> Article:
    """Document numbers and topics, as the item pipelines set them before the store."""
    try:
        from newswatch.text.topics import tag_topics
    except ImportError:  # pragma: no cover - the tagger ships with the project
        tag_topics = None
    numbers = find_doc_numbers(article.text)
    seen = {n.canonical for n in numbers}
    for extra in find_doc_numbers(article.title) + find_doc_numbers(article.lead or ""):
        if extra.canonical not in seen:
            extra.start = extra.end = 0
            numbers.append(extra)
            seen.add(extra.canonical)
    article.doc_numbers = numbers
    if tag_topics is not None and not article.topics:
        article.topics = list(tag_topics(article.text, title=article.title))
    return article


def art(slug: str, source: str, when: str, title: str, text: str, *, cluster: str | None = None,
        lead: str | None = None, outcome: str = "new") -> Article:
    published = datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)
    article = Article(url=f"https://{source}.example.vn/{slug}.htm", title=title, text=text, source=source,
                      published=published, lead=lead, fetched_at=published)
    article.cluster_id = cluster or f"c-{slug}"
    article.store_outcome = outcome
    return enrich(article)


def stream() -> list[Labelled]:
    s: list[Labelled] = []

    def add(article: Article, label: str, alerts=(), attach=()) -> Article:  # type: ignore[no-untyped-def]
        s.append(Labelled(article, label, set(alerts), set(attach)))
        return article

    # 1. A newly issued digital-transformation directive (the canonical positive).
    add(art("chi-thi-07", "baochinhphu", "2026-11-12 15:00",
            "Thủ tướng ban hành Chỉ thị đẩy mạnh chuyển đổi số trong các cơ quan nhà nước",
            "Thủ tướng Chính phủ vừa ký ban hành Chỉ thị số 07/CT-TTg ngày 12/11/2026 về đẩy mạnh chuyển đổi số, "
            "phát triển Chính phủ số trong các cơ quan hành chính nhà nước.\n\n"
            "Chỉ thị nêu rõ, thời gian qua công tác chuyển đổi số đã đạt được nhiều kết quả quan trọng. "
            "Theo Nghị định số 47/2020/NĐ-CP về quản lý, kết nối và chia sẻ dữ liệu số, các bộ, ngành phải "
            "hoàn thành việc kết nối cơ sở dữ liệu.\n\nThủ tướng yêu cầu các bộ, ngành, địa phương tiếp tục "
            "triển khai Quyết định số 749/QĐ-TTg phê duyệt Chương trình Chuyển đổi số quốc gia.",
            cluster="cl-ct07"), "positive", alerts={(CDS, "07/CT-TTg@2026")})
    # 2. A syndicated copy in the same story cluster (another outlet, an hour later).
    add(art("thu-tuong-chi-thi-chuyen-doi-so", "vietnamplus", "2026-11-12 16:05",
            "Thủ tướng chỉ thị đẩy mạnh chuyển đổi số trong cơ quan nhà nước",
            "(TTXVN) Thủ tướng Chính phủ vừa ký ban hành Chỉ thị số 07/CT-TTg ngày 12/11/2026 về đẩy mạnh chuyển đổi "
            "số, phát triển Chính phủ số trong các cơ quan hành chính nhà nước.\n\nChỉ thị yêu cầu hoàn thành kết nối "
            "dữ liệu trước ngày 31/12/2026.", cluster="cl-ct07"), "copy", attach={(CDS, "07/CT-TTg@2026")})
    # 3. Another outlet rewrote it (no near-duplicate cluster), same directive: attached by its key.
    add(art("chinh-phu-so-chi-thi-moi", "dantri", "2026-11-12 18:30",
            "Chỉ thị mới của Thủ tướng: mọi hồ sơ hành chính phải số hóa",
            "Chỉ thị số 07/CT-TTg ngày 12/11/2026 vừa được Thủ tướng ký ban hành yêu cầu số hóa toàn bộ hồ sơ, "
            "giải quyết thủ tục hành chính trên môi trường số, thúc đẩy chuyển đổi số."), "copy",
        attach={(CDS, "07/CT-TTg@2026")})
    # 4. An earlier publisher crawled later: attached, and listed first.
    add(art("ct-07-2026", "vnexpress", "2026-11-12 14:40",
            "Thủ tướng yêu cầu đẩy mạnh chuyển đổi số",
            "Thủ tướng Phạm Minh Chính vừa ban hành Chỉ thị 07/CT-TTg ngày 12/11/2026 về đẩy mạnh chuyển đổi số "
            "trong cơ quan nhà nước."), "copy", attach={(CDS, "07/CT-TTg@2026")})
    # 5. A Quyết định approving a programme, signed by a Deputy PM on the PM's behalf.
    add(art("qd-2150", "baochinhphu", "2026-11-14 10:00",
            "Phê duyệt Chương trình chuyển đổi số quốc gia giai đoạn 2026-2030",
            "Phó Thủ tướng Nguyễn Chí Dũng vừa ký Quyết định số 2150/QĐ-TTg ngày 14/11/2026 phê duyệt Chương trình "
            "Chuyển đổi số quốc gia giai đoạn 2026-2030, tầm nhìn đến năm 2035.\n\nChương trình đặt mục tiêu kinh "
            "tế số chiếm 30% GDP vào năm 2030."), "positive", alerts={(CDS, "2150/QĐ-TTg@2026")})
    # 6. A Công điện on online public services.
    add(art("cong-dien-115", "baochinhphu", "2026-11-15 20:10",
            "Công điện của Thủ tướng về dịch vụ công trực tuyến",
            "Thủ tướng Chính phủ có Công điện số 115/CĐ-TTg ngày 15/11/2026 yêu cầu khắc phục ngay tình trạng gián "
            "đoạn dịch vụ công trực tuyến và hoàn thiện Chính phủ số."), "positive",
        alerts={(CDS, "115/CĐ-TTg@2026")})
    # 7. A decree whose number carries its year (no date in the text).
    add(art("nghi-dinh-210", "xaydungchinhsach", "2026-11-16 08:00",
            "Nghị định mới về nền tảng số quốc gia",
            "Chính phủ vừa ban hành Nghị định số 210/2026/NĐ-CP quy định về phát triển và quản lý nền tảng số "
            "quốc gia, dữ liệu số, phục vụ chuyển đổi số."), "positive", alerts={(CDS, "210/2026/NĐ-CP")})
    # 8. A Thông báo kết luận of the Government Office.
    add(art("tb-560", "baochinhphu", "2026-11-16 17:00",
            "Kết luận của Thủ tướng tại phiên họp Ủy ban Quốc gia về chuyển đổi số",
            "Văn phòng Chính phủ vừa có Thông báo số 560/TB-VPCP ngày 16/11/2026 kết luận của Thủ tướng tại Phiên "
            "họp lần thứ 12 của Ủy ban Quốc gia về chuyển đổi số."), "positive", alerts={(CDS, "560/TB-VPCP@2026")})
    # 9. A VPCP official letter conveying the PM's instructions.
    add(art("vpcp-9012", "baochinhphu", "2026-11-17 11:20",
            "Tổ chức Ngày Chuyển đổi số quốc gia năm 2026",
            "Văn phòng Chính phủ vừa có văn bản số 9012/VPCP-KGVX ngày 17/11/2026 truyền đạt ý kiến chỉ đạo của "
            "Phó Thủ tướng về tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia."), "positive",
        alerts={(CDS, "9012/VPCP-KGVX@2026")})
    # 10. A ministry plan implementing the directive: the plan is new, the directive is only cited.
    add(art("kh-320-bkhcn", "mst", "2026-11-18 09:00",
            "Bộ Khoa học và Công nghệ triển khai Chỉ thị 07/CT-TTg",
            "Bộ Khoa học và Công nghệ vừa ban hành Kế hoạch số 320/KH-BKHCN ngày 18/11/2026 triển khai Chỉ thị số "
            "07/CT-TTg của Thủ tướng Chính phủ về đẩy mạnh chuyển đổi số.\n\nKế hoạch giao Cục Chuyển đổi số quốc "
            "gia chủ trì theo dõi."), "positive", alerts={(CDS, "320/KH-BKHCN@2026")})
    # 11. A Government resolution (action programme).
    add(art("nq-245", "baochinhphu", "2026-11-19 19:00",
            "Chương trình hành động về khoa học, công nghệ và chuyển đổi số",
            "Chính phủ ban hành Nghị quyết số 245/NQ-CP ngày 19/11/2026 về Chương trình hành động phát triển khoa "
            "học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia."), "positive", alerts={(CDS, "245/NQ-CP@2026")})
    # 12. Date first, then the signing ("Ngày 20/11/2026, Thủ tướng đã ký ...").
    add(art("chi-thi-09", "vietnamnet", "2026-11-20 21:00",
            "Thủ tướng ban hành Chỉ thị 09/CT-TTg về phát triển nền tảng số",
            "Ngày 20/11/2026, Thủ tướng Chính phủ đã ký ban hành Chỉ thị số 09/CT-TTg về phát triển các nền tảng số "
            "quốc gia và thúc đẩy kinh tế số."), "positive", alerts={(CDS, "09/CT-TTg@2026")})
    # 12b. A new decision amending an old one in the same sentence: only the new one fires.
    add(art("qd-2300-sua-doi-942", "baochinhphu", "2026-11-22 18:00",
            "Sửa đổi Chiến lược phát triển Chính phủ số",
            "Thủ tướng Chính phủ vừa ký Quyết định số 2300/QĐ-TTg ngày 22/11/2026 sửa đổi, bổ sung Quyết định số "
            "942/QĐ-TTg ngày 15/6/2021 phê duyệt Chiến lược phát triển Chính phủ điện tử hướng tới Chính phủ số."),
        "positive", alerts={(CDS, "2300/QĐ-TTg@2026")})
    # 12c. A date without a year before the signing ("Chiều 21/11, ... đã ký Quyết định ...").
    add(art("qd-2250-ha-tang-so", "vietnamplus", "2026-11-21 19:30",
            "Phê duyệt Đề án phát triển hạ tầng số",
            "Chiều 21/11, Phó Thủ tướng Chính phủ đã ký Quyết định 2250/QĐ-TTg phê duyệt Đề án phát triển hạ tầng "
            "số, trung tâm dữ liệu quốc gia và điện toán đám mây."), "positive", alerts={(CDS, "2250/QĐ-TTg@2026")})
    # 12d. Submitted for issuance, not issued: no alert, although the number carries this year.
    add(art("trinh-nghi-dinh-230", "ictnews", "2026-11-21 11:00",
            "Trình Chính phủ Nghị định về dữ liệu số",
            "Bộ Khoa học và Công nghệ đã trình Chính phủ ban hành Nghị định 230/2026/NĐ-CP về quản lý dữ liệu số, "
            "dự kiến có hiệu lực từ năm 2027."), "citation")
    # 13-15. New directives of the PM/Government on other topics: the "other directives" rule only.
    add(art("cong-dien-118", "baochinhphu", "2026-11-18 06:00",
            "Công điện ứng phó bão số 15",
            "Thủ tướng Chính phủ vừa ký Công điện số 118/CĐ-TTg ngày 18/11/2026 về việc tập trung ứng phó khẩn cấp "
            "với bão số 15 và mưa lũ tại các tỉnh miền Trung.", cluster="cl-cd118"), "other-topic",
        alerts={(GOV, "118/CĐ-TTg@2026")})
    add(art("nghi-dinh-215", "xaydungchinhsach", "2026-11-19 08:30",
            "Nghị định mới về xử phạt vi phạm giao thông đường bộ",
            "Chính phủ vừa ban hành Nghị định số 215/2026/NĐ-CP quy định xử phạt vi phạm hành chính về trật tự, an "
            "toàn giao thông trong lĩnh vực giao thông đường bộ."), "other-topic", alerts={(GOV, "215/2026/NĐ-CP")})
    add(art("qd-2201", "baochinhphu", "2026-11-21 10:15",
            "Phê duyệt Quy hoạch hệ thống cảng biển",
            "Thủ tướng Chính phủ vừa ký Quyết định số 2201/QĐ-TTg ngày 21/11/2026 phê duyệt điều chỉnh Quy hoạch "
            "tổng thể phát triển hệ thống cảng biển Việt Nam."), "other-topic", alerts={(GOV, "2201/QĐ-TTg@2026")})
    # 16. A copy of the storm telegram in the same cluster: attached to the gov alert.
    add(art("bao-so-15-cong-dien", "tuoitre", "2026-11-18 07:10",
            "Thủ tướng ra công điện khẩn ứng phó bão số 15",
            "Thủ tướng Chính phủ vừa ký Công điện số 118/CĐ-TTg ngày 18/11/2026 về việc tập trung ứng phó khẩn cấp "
            "với bão số 15 và mưa lũ tại các tỉnh miền Trung.", cluster="cl-cd118"), "copy",
        attach={(GOV, "118/CĐ-TTg@2026")})
    # 17-18. New documents from issuers neither rule covers.
    add(art("kh-310-ubnd", "hanoimoi", "2026-11-10 15:00",
            "Hà Nội ra kế hoạch phòng, chống sốt xuất huyết",
            "UBND thành phố Hà Nội vừa ban hành Kế hoạch số 310/KH-UBND ngày 10/11/2026 về phòng, chống dịch bệnh "
            "sốt xuất huyết trên địa bàn thành phố."), "other")
    add(art("kh-200-quang-ninh", "baoquangninh", "2026-11-11 09:00",
            "Quảng Ninh ban hành kế hoạch chuyển đổi số năm 2027",
            "UBND tỉnh Quảng Ninh vừa ban hành Kế hoạch số 200/KH-UBND ngày 05/11/2026 về chuyển đổi số năm 2027 "
            "trên địa bàn tỉnh."), "other")
    # 19-25. Citations of old documents, and digital-transformation news with nothing new.
    add(art("hoi-nghi-cds", "vietnamnet", "2026-11-13 12:00",
            "Hội nghị sơ kết công tác chuyển đổi số",
            "Theo Nghị định số 17/2017/NĐ-CP, Bộ có chức năng quản lý nhà nước về công nghệ thông tin. Các địa "
            "phương đang triển khai Quyết định 749/QĐ-TTg phê duyệt Chương trình Chuyển đổi số quốc gia.\n\n"
            "Hội nghị đánh giá kết quả thực hiện Nghị quyết số 52-NQ/TW về chủ động tham gia cách mạng công nghiệp "
            "lần thứ tư."), "citation")
    add(art("bac-ninh-thuc-hien-ct07", "baobacninh", "2026-11-22 10:00",
            "Bắc Ninh thực hiện Chỉ thị của Thủ tướng về chuyển đổi số",
            "Thực hiện Chỉ thị số 07/CT-TTg ngày 12/11/2026 của Thủ tướng Chính phủ, tỉnh Bắc Ninh đã ban hành kế "
            "hoạch riêng về đẩy mạnh chuyển đổi số."), "citation")
    add(art("nq-57-mot-nam", "nhandan", "2026-11-20 08:00",
            "Gần hai năm thực hiện Nghị quyết 57",
            "Bộ Chính trị ban hành Nghị quyết số 57-NQ/TW ngày 22/12/2024 về đột phá phát triển khoa học, công nghệ, "
            "đổi mới sáng tạo và chuyển đổi số quốc gia. Sau gần hai năm, nhiều chỉ tiêu đã hoàn thành."), "citation")
    add(art("ha-noi-dich-vu-cong", "hanoimoi", "2026-11-14 16:00",
            "95% hồ sơ thủ tục hành chính của Hà Nội được xử lý trực tuyến",
            "Sở Khoa học và Công nghệ Hà Nội cho biết, đến nay 95% hồ sơ thủ tục hành chính được tiếp nhận và xử lý "
            "trực tuyến. Chuyển đổi số giúp người dân tiết kiệm thời gian và chi phí."), "cds-news")
    add(art("nhin-lai-chuong-trinh-cds", "ictnews", "2026-11-15 09:30",
            "Nhìn lại 6 năm Chương trình Chuyển đổi số quốc gia",
            "Năm 2020, Thủ tướng đã ban hành Quyết định 749/QĐ-TTg phê duyệt Chương trình Chuyển đổi số quốc gia "
            "đến năm 2025, định hướng đến năm 2030. Đến nay nhiều mục tiêu đã hoàn thành sớm."), "citation")
    add(art("luat-cds-hieu-luc", "vnexpress", "2026-11-17 07:00",
            "Luật Chuyển đổi số có hiệu lực: doanh nghiệp cần chuẩn bị gì",
            "Luật Chuyển đổi số số 148/2025/QH15 được Quốc hội thông qua ngày 11/12/2025, có hiệu lực từ ngày "
            "01/7/2026. Nhiều doanh nghiệp đã chủ động chuẩn bị hạ tầng số."), "citation")
    add(art("du-thao-sua-nd-47", "ictnews", "2026-11-18 14:00",
            "Lấy ý kiến dự thảo sửa đổi quy định về chia sẻ dữ liệu số",
            "Bộ Khoa học và Công nghệ đang lấy ý kiến dự thảo Nghị định sửa đổi, bổ sung Nghị định số 47/2020/NĐ-CP "
            "về quản lý, kết nối và chia sẻ dữ liệu số của cơ quan nhà nước."), "citation")
    add(art("chi-thi-05-nhin-lai", "vietnamnet", "2026-11-20 10:00",
            "Hai tháng thực hiện Chỉ thị về chuyển đổi số trong doanh nghiệp nhà nước",
            "Ngày 15/9/2026, Thủ tướng đã ký ban hành Chỉ thị số 05/CT-TTg về đẩy mạnh chuyển đổi số trong doanh "
            "nghiệp nhà nước. Sau hai tháng, các tập đoàn đã có lộ trình cụ thể."), "citation")
    add(art("ct-07-2025-nam-ngoai", "baochinhphu", "2026-11-21 08:00",
            "Kết quả một năm thực hiện Chỉ thị về phòng cháy chữa cháy",
            "Năm ngoái, Thủ tướng đã ban hành Chỉ thị số 07/CT-TTg ngày 10/3/2025 về tăng cường phòng cháy, chữa "
            "cháy. Một năm qua, các địa phương đã kiểm tra hơn 20.000 cơ sở."), "citation")
    # 28. The first article again, its text updated by the outlet: no second alert.
    add(art("chi-thi-07", "baochinhphu", "2026-11-12 15:00",
            "Thủ tướng ban hành Chỉ thị đẩy mạnh chuyển đổi số trong các cơ quan nhà nước",
            "Thủ tướng Chính phủ vừa ký ban hành Chỉ thị số 07/CT-TTg ngày 12/11/2026 về đẩy mạnh chuyển đổi số, "
            "phát triển Chính phủ số trong các cơ quan hành chính nhà nước (cập nhật).",
            cluster="cl-ct07", outcome="updated"), "copy")
    # 29. A re-crawl with unchanged content is not evaluated at all.
    add(art("qd-2150", "baochinhphu", "2026-11-14 10:00", "Phê duyệt Chương trình chuyển đổi số quốc gia",
            "Phó Thủ tướng vừa ký Quyết định số 2150/QĐ-TTg ngày 14/11/2026 phê duyệt Chương trình Chuyển đổi số "
            "quốc gia.", outcome="unchanged"), "copy")
    return s
