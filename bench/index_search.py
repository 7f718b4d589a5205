"""Benchmark: index N synthetic Vietnamese news articles, then run a mixed query set; one JSON line per backend.

    .venv/bin/python bench/index_search.py --n 100000 --backend sqlite
    .venv/bin/python bench/index_search.py --n 1000 --backend elasticsearch --es-url http://127.0.0.1:9200

Articles are built from real-style Vietnamese news sentences (government, digital transformation,
disasters, economy, press, security) with varying provinces, ministries, numbers, dates and document
numbers; about 8 % are republications of an earlier article by another outlet (new dateline and
credits), so deduplication works as it would in a crawl. The query set mixes words, phrases,
accent-less (folded) queries, boolean queries, filters (source, topic, dates, document numbers) and
newest-first sorting; every query asks for facets and highlighted snippets and one hit per story.

Figures: ``index_articles_per_s``: N / seconds until every article is stored *and searchable*
(``put_many`` in batches of 500, dedup included; for SQLite a second process updates the full-text
index meanwhile, as the web service does: ``store_articles_per_s`` is the writing alone and
``text_index_lag_seconds`` how long the last articles waited for the index). The articles are
generated and fingerprinted before the clock starts (``fingerprint_ms_per_article``: the dedupe
pipeline's share, done in the crawl's pipelines and extraction workers, not by the store),
``search_p50_ms``/``search_p95_ms`` over all queries (each run ``--repeat`` times after one warm-up),
``store_bytes``.

Memory (``/proc``): ``writer_rss_mb``/``writer_peak_rss_mb`` of the indexing process after the last
article (its near-duplicate index grows with the archive), ``text_index_peak_rss_mb`` of the index
follower, and ``service_rss_mb`` of a fresh process that opens the store and runs the query set, as the
web service does (searches run there, not in the writer). Past 200,000 articles (or with ``--stream``)
articles are generated and fingerprinted 500 at a time between the batches, so the writer does not
hold the whole archive in memory: generation time is left out of the indexing clock.
``--reuse DIR`` keeps the SQLite store in DIR and, when it already holds N articles,
skips indexing (``index_*`` are null) to measure search alone. For Elasticsearch on noida-db (its full-text search is O(corpus)) keep N small:
those figures measure noida, not Elasticsearch.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newswatch import dedup
from newswatch.models import Article, DocNumber
from newswatch.store.base import ArticleStore, SearchQuery

VN = timezone(timedelta(hours=7))
FOLLOW_PAUSE_S = 0.2  # the index follower's pause when nothing was new

PROVINCES = ["Hà Nội", "Thành phố Hồ Chí Minh", "Đà Nẵng", "Hải Phòng", "Cần Thơ", "Thanh Hóa", "Nghệ An",
             "Quảng Ninh", "Bắc Ninh", "Lào Cai", "Quảng Nam", "Khánh Hòa", "Đắk Lắk", "Lâm Đồng", "An Giang",
             "Cà Mau", "Thừa Thiên Huế", "Hà Tĩnh", "Quảng Bình", "Điện Biên", "Sơn La", "Bình Dương", "Đồng Nai"]
MINISTRIES = ["Bộ Khoa học và Công nghệ", "Bộ Công an", "Bộ Tài chính", "Bộ Nội vụ", "Bộ Y tế",
              "Bộ Giáo dục và Đào tạo", "Bộ Nông nghiệp và Môi trường", "Bộ Công Thương", "Bộ Xây dựng",
              "Bộ Văn hóa, Thể thao và Du lịch", "Văn phòng Chính phủ", "Ngân hàng Nhà nước Việt Nam"]
LEADERS = ["Thủ tướng Chính phủ", "Phó Thủ tướng", "Bộ trưởng", "Chủ tịch Ủy ban nhân dân tỉnh", "Bí thư Tỉnh ủy",
           "Thứ trưởng", "Giám đốc Sở Khoa học và Công nghệ"]
DOC_KINDS = [("NĐ-CP", "NĐ", "Nghị định", "CP", True), ("QĐ-TTg", "QĐ", "Quyết định", "TTg", True),
             ("CT-TTg", "CT", "Chỉ thị", "TTg", False), ("TB-VPCP", "TB", "Thông báo", "VPCP", False),
             ("NQ-CP", "NQ", "Nghị quyết", "CP", True), ("TT-BTC", "TT", "Thông tư", "BTC", True),
             ("CĐ-TTg", "CĐ", "Công điện", "TTg", False)]
SOURCES = ["baochinhphu", "vnexpress", "tuoitre", "thanhnien", "vietnamplus", "dantri", "nhandan", "vtv",
           "mst", "mic", "laodong", "qdnd", "thanhhoatv", "hanoimoi", "sggp"]

TOPIC_SENTENCES = {
    "chuyen-doi-so": [
        "{leader} yêu cầu các bộ, ngành và địa phương đẩy mạnh chuyển đổi số quốc gia, lấy người dân và doanh nghiệp làm trung tâm.",
        "Đến nay, {pct}% hồ sơ thủ tục hành chính tại {province} được tiếp nhận và giải quyết trực tuyến trên Cổng Dịch vụ công quốc gia.",
        "{ministry} chủ trì, phối hợp với Bộ Công an hoàn thiện cơ sở dữ liệu quốc gia về dân cư, triển khai Đề án 06 trong năm {year}.",
        "Tỉnh {province} đã thành lập {count} tổ công nghệ số cộng đồng, hướng dẫn người dân cài đặt và sử dụng ứng dụng VNeID.",
        "Hạ tầng số được xác định là nền tảng của chính phủ số, kinh tế số và xã hội số, cần đi trước một bước.",
        "Các cơ quan nhà nước phải kết nối, chia sẻ dữ liệu thông suốt, không yêu cầu người dân cung cấp lại thông tin đã có.",
        "Chương trình chuyển đổi số của {province} đặt mục tiêu kinh tế số chiếm {pct}% GRDP vào năm {year}.",
        "Việc triển khai chữ ký số, thanh toán không dùng tiền mặt và hóa đơn điện tử đã mang lại hiệu quả rõ rệt.",
    ],
    "an-toan-thong-tin": [
        "Trung tâm Giám sát an toàn không gian mạng quốc gia ghi nhận {count} cuộc tấn công mạng vào các hệ thống thông tin trong tháng.",
        "Các cơ quan, tổ chức cần rà soát lỗ hổng, bảo đảm an toàn thông tin theo cấp độ và bảo vệ dữ liệu cá nhân của người dân.",
        "Mã độc tống tiền tiếp tục là mối đe dọa lớn đối với doanh nghiệp, đặc biệt trong lĩnh vực tài chính, ngân hàng.",
        "{ministry} khuyến cáo người dân cảnh giác với các cuộc gọi lừa đảo trực tuyến mạo danh cơ quan công an.",
    ],
    "thien-tai": [
        "Bão số {count} đang di chuyển theo hướng tây tây bắc, sức gió mạnh nhất vùng gần tâm bão cấp 12, giật cấp 15.",
        "Mưa lớn kéo dài khiến nhiều tuyến đường tại {province} bị ngập sâu, nguy cơ lũ quét và sạt lở đất ở vùng núi.",
        "Các địa phương ven biển kêu gọi tàu thuyền vào nơi tránh trú an toàn, sơ tán hàng nghìn hộ dân khỏi khu vực nguy hiểm.",
        "{leader} ký công điện yêu cầu tập trung ứng phó, khắc phục hậu quả mưa lũ, ổn định đời sống người dân.",
    ],
    "kinh-te": [
        "Tổng sản phẩm trong nước quý {quarter} tăng {pct_small}% so với cùng kỳ năm trước, mức tăng cao nhất trong nhiều năm.",
        "Kim ngạch xuất khẩu hàng hóa của {province} ước đạt {count} triệu USD, tăng mạnh nhờ các mặt hàng điện tử và nông sản.",
        "Giải ngân vốn đầu tư công là nhiệm vụ chính trị trọng tâm, góp phần thúc đẩy tăng trưởng kinh tế.",
        "Ngân hàng Nhà nước tiếp tục điều hành chính sách tiền tệ linh hoạt, hỗ trợ doanh nghiệp tiếp cận tín dụng.",
    ],
    "bao-chi": [
        "Hội Nhà báo Việt Nam tổ chức tọa đàm về vai trò của báo chí cách mạng trong kỷ nguyên số.",
        "Các cơ quan báo chí cần đổi mới cách làm nội dung, ứng dụng công nghệ và giữ vững tôn chỉ, mục đích.",
        "Giải Báo chí quốc gia lần thứ {count} nhận được hàng nghìn tác phẩm dự thi từ các cơ quan báo chí trong cả nước.",
    ],
    "giao-duc": [
        "Bộ Giáo dục và Đào tạo công bố phương án thi tốt nghiệp trung học phổ thông năm {year} với nhiều điểm mới.",
        "Tỉnh {province} đầu tư xây dựng {count} phòng học mới, bảo đảm đủ chỗ học cho học sinh trước năm học mới.",
        "Chương trình giáo dục phổ thông mới chú trọng phát triển năng lực số và kỹ năng mềm cho học sinh.",
    ],
}
GENERIC = [
    "Phát biểu tại hội nghị, {leader} đánh giá cao kết quả đạt được và chỉ ra một số tồn tại, hạn chế cần khắc phục.",
    "Hội nghị có sự tham dự của đại diện lãnh đạo các sở, ban, ngành và Ủy ban nhân dân các huyện, thị xã, thành phố.",
    "Theo báo cáo, trong {months} tháng đầu năm, {province} đã hoàn thành {pct}% kế hoạch đề ra.",
    "{ministry} được giao chủ trì, phối hợp với các cơ quan liên quan hướng dẫn, đôn đốc và kiểm tra việc thực hiện.",
    "Các đơn vị phải báo cáo kết quả thực hiện trước ngày {day}/{month} để tổng hợp, báo cáo Thủ tướng Chính phủ.",
    "Ngày {day}/{month}, đoàn công tác của {ministry} đã làm việc với lãnh đạo tỉnh {province}.",
    "Người đứng đầu cơ quan, đơn vị chịu trách nhiệm trực tiếp nếu để xảy ra chậm trễ, gây phiền hà cho người dân.",
    "Thực hiện {docref}, các địa phương đã ban hành kế hoạch triển khai cụ thể, phân công rõ người, rõ việc, rõ thời gian.",
]


# a small clause grammar: subject + action + object + place/time gives hundreds of thousands of sentences
SUBJECTS = ["Ủy ban nhân dân tỉnh {province}", "{ministry}", "Sở Khoa học và Công nghệ {province}", "Hội đồng nhân dân thành phố",
            "Ban Chỉ đạo chuyển đổi số tỉnh", "Công an tỉnh {province}", "Tập đoàn Bưu chính Viễn thông", "Các doanh nghiệp nhỏ và vừa",
            "Đoàn thanh niên cơ sở", "Trung tâm phục vụ hành chính công", "Hội Liên hiệp Phụ nữ huyện", "Ngành y tế địa phương",
            "Kho bạc Nhà nước", "Cục Thuế tỉnh {province}", "Bảo hiểm xã hội thành phố", "Hợp tác xã nông nghiệp"]
ACTIONS = ["đã triển khai", "đang khẩn trương hoàn thiện", "vừa phê duyệt", "tổ chức kiểm tra", "ký kết thỏa thuận về",
           "đẩy nhanh tiến độ", "rà soát, đánh giá", "công bố kết quả", "huy động nguồn lực cho", "sơ kết việc thực hiện",
           "đề xuất điều chỉnh", "hướng dẫn người dân về", "tập huấn cho cán bộ về", "đầu tư nâng cấp", "giám sát chặt chẽ"]
OBJECTS = ["kế hoạch phát triển hạ tầng số", "dự án nâng cấp tỉnh lộ {count}", "chương trình mục tiêu quốc gia xây dựng nông thôn mới",
           "hệ thống camera giám sát giao thông", "nền tảng học trực tuyến", "cơ sở dữ liệu đất đai", "mô hình chợ 4.0",
           "phương án phòng chống thiên tai", "kho dữ liệu dùng chung", "dịch vụ công trực tuyến toàn trình",
           "công tác cải cách thủ tục hành chính", "chính sách hỗ trợ hộ nghèo", "quy hoạch vùng nguyên liệu",
           "ứng dụng bệnh án điện tử", "hệ thống thủy lợi nội đồng", "mạng lưới trạm phát sóng 5G", "đề án phát triển du lịch"]
PLACES = ["tại {province}", "trên địa bàn huyện miền núi", "ở các xã vùng sâu, vùng xa", "tại khu công nghiệp phía bắc",
          "trong toàn ngành", "ở khu vực đồng bằng sông Cửu Long", "tại các trường học", "ở các phường trung tâm"]
TIMES = ["trong quý {quarter}", "từ đầu năm đến nay", "trước ngày {day}/{month}", "giai đoạn 2021-2025", "trong tháng {month}",
         "đến năm {year}", "ngay trong tuần này", "suốt {months} tháng qua"]
RESULTS = ["với tổng kinh phí hơn {count} tỷ đồng", "đạt {pct}% kế hoạch", "thu hút {count} lượt người tham gia",
           "góp phần nâng cao chất lượng phục vụ người dân", "nhận được sự đồng tình của nhân dân", "còn một số vướng mắc cần tháo gỡ",
           "vượt chỉ tiêu được giao", "giúp tiết kiệm thời gian và chi phí"]


class Generator:
    """Deterministic synthetic articles."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.start = datetime(2024, 1, 1, 7, tzinfo=VN)
        self.recent: list[Article] = []

    def doc(self) -> DocNumber:
        suffix, code, name, issuer, with_year = self.rng.choice(DOC_KINDS)
        number, year = self.rng.randint(1, 400), self.rng.choice([2017, 2020, 2022, 2023, 2024, 2025])
        canonical = f"{number}/{year}/{suffix}" if with_year else f"{number}/{suffix}"
        return DocNumber(canonical, canonical, code, name, issuer, year=year if with_year else None)

    def fill(self, sentence: str, docref: str) -> str:
        r = self.rng
        return sentence.format(
            leader=r.choice(LEADERS), ministry=r.choice(MINISTRIES), province=r.choice(PROVINCES),
            pct=r.randint(35, 99), pct_small=f"{r.randint(5, 8)},{r.randint(0, 99):02d}", count=r.randint(2, 900),
            year=r.choice([2025, 2026, 2030]), quarter=r.choice(["I", "II", "III", "IV"]), months=r.randint(2, 11),
            day=r.randint(1, 28), month=r.randint(1, 12), docref=docref)

    def article(self, i: int) -> Article:
        r = self.rng
        if self.recent and r.random() < 0.08:  # a republication by another outlet
            src = r.choice(self.recent)
            paragraphs = src.text.split("\n\n")
            paragraphs[0] = f"{r.choice(PROVINCES).upper()} ({r.choice(['TTXVN', 'VOV', 'TTV'])}) - {paragraphs[0]}"
            paragraphs.append(f"Theo {src.source} (Nguồn: Cổng thông tin điện tử Chính phủ)")
            return Article(url=f"https://{r.choice(SOURCES)}.vn/tin/{i}", title=f"{r.choice(['Tin', 'Thời sự', 'Chính sách'])}: {src.title}",
                           text="\n\n".join(paragraphs), source=r.choice(SOURCES),
                           published=(src.published or self.start) + timedelta(minutes=r.randint(20, 600)),
                           doc_numbers=list(src.doc_numbers), topics=list(src.topics))
        topics = r.sample(list(TOPIC_SENTENCES), k=r.choice([1, 1, 1, 2]))
        docs = [self.doc() for _ in range(r.choice([0, 0, 1, 1, 2]))]
        docref = f"{docs[0].type_name} số {docs[0].canonical}" if docs else "chỉ đạo của Chính phủ"
        pool = [s for t in topics for s in TOPIC_SENTENCES[t]]
        sentences = [self.fill(s, docref) for s in r.sample(pool, k=min(len(pool), r.randint(3, 6)))]
        sentences += [self.fill(s, docref) for s in r.sample(GENERIC, k=r.randint(1, 3))]
        for _ in range(r.randint(3, 6)):
            clause = (f"{r.choice(SUBJECTS)} {r.choice(ACTIONS)} {r.choice(OBJECTS)} {r.choice(PLACES)} "
                      f"{r.choice(TIMES)}, {r.choice(RESULTS)}.")
            sentences.append(self.fill(clause, docref))
        r.shuffle(sentences)
        paragraphs = [" ".join(sentences[j:j + 2]) for j in range(0, len(sentences), 2)]
        title = self.fill(r.choice(pool), docref).split(",")[0][:120]
        published = self.start + timedelta(minutes=i * 7 + r.randint(0, 6))
        article = Article(url=f"https://{r.choice(SOURCES)}.vn/bai/{i}", title=title, text="\n\n".join(paragraphs),
                          source=r.choice(SOURCES), published=published, doc_numbers=docs, topics=topics)
        self.recent = ([*self.recent, article])[-200:]
        return article

    def articles(self, n: int) -> Iterator[Article]:
        for i in range(n):
            yield self.article(i)


QUERIES: list[dict] = [
    {"text": "chuyển đổi số"},
    {"text": '"chuyển đổi số quốc gia"'},
    {"text": "chuyen doi so"},
    {"text": "de an 06"},
    {"text": "an toan thong tin"},
    {"text": '"tổ công nghệ số cộng đồng" Thanh Hóa'},
    {"text": "bão OR lũ -Quảng"},
    {"text": "Thủ tướng chỉ đạo hạ tầng số"},
    {"text": "xuất khẩu điện tử", "sources": ["vnexpress", "tuoitre"]},
    {"text": "chuyển đổi số", "topics": ["chuyen-doi-so"], "since": datetime(2025, 1, 1, tzinfo=VN)},
    {"text": "", "doc_numbers": ["17/2017/ND-CP"]},
    {"text": "", "doc_types": ["CT"], "sort": "newest"},
    {"text": "giao duc", "sort": "newest"},
    {"text": "lừa đảo trực tuyến mạo danh"},
    {"text": "Bộ TT&TT"},
    {"text": '"dữ liệu dân cư" OR VNeID', "until": datetime(2024, 12, 31, tzinfo=VN)},
]


def open_backend(name: str, workdir: Path, es_url: str | None) -> ArticleStore:
    if name == "sqlite":
        from newswatch.store.sqlite import SQLiteStore

        return SQLiteStore(workdir / "articles.db")
    from newswatch.store.elastic import ElasticStore

    return ElasticStore(es_url or os.environ.get("NEWSWATCH_ES_URL", "http://127.0.0.1:9200"),
                        prefix=f"bench{int(time.time())}", spool_dir=workdir / "spool")


def follow_index(path: str, stop: Any, indexed: Any, cpu_seconds: Any, peak_rss: Any) -> None:
    """The web service's part (``WebContext.keep_search_current``), in its own process: bring the SQLite store's
    full-text index up to date again and again until ``stop`` is set, then once more."""
    from newswatch.store.sqlite import SQLiteStore

    with SQLiteStore(path) as store:
        while True:
            final = stop.is_set()
            added = store.refresh_search()
            indexed.value += added
            if final:
                cpu_seconds.value = sum(os.times()[:2])  # this process and its indexing threads
                peak_rss.value = rss_mb()[1]
                return
            if not added:
                time.sleep(FOLLOW_PAUSE_S)


def rss_mb(pid: int | str = "self") -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB."""
    values = {}
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    return round(values.get("VmRSS", 0.0), 1), round(values.get("VmHWM", 0.0), 1)


def index(store: ArticleStore, n: int, stream: bool = False) -> dict[str, Any]:
    """Store N generated articles with ``put_many`` in batches of 500 until every one is searchable.

    The articles are generated and fingerprinted (content hash, simhash: the dedupe pipeline's work,
    timed apart as ``fingerprint_ms_per_article``) before the clock starts. For the SQLite store a
    second process follows the writes and updates the full-text index meanwhile, as the web service
    does while crawls store articles; the clock stops when it has indexed the last one.
    """
    generator = Generator()
    articles = [] if stream else list(generator.articles(n))
    fingerprint_cpu = 0.0
    if not stream:
        fingerprint_started = time.process_time()
        for article in articles:
            dedup.fingerprint(article)
        fingerprint_cpu = time.process_time() - fingerprint_started
    follower = None
    if hasattr(store, "refresh_search"):
        context = multiprocessing.get_context("spawn")
        stop, indexed, follower_cpu = context.Event(), context.Value("q", 0), context.Value("d", 0.0)
        follower_rss = context.Value("d", 0.0)
        follower = context.Process(target=follow_index, args=(str(store.path), stop, indexed, follower_cpu,
                                                              follower_rss))
        follower.start()
    clustered = 0
    generating = 0.0  # streamed: seconds spent making and fingerprinting batches, left out of the clock
    generating_cpu = 0.0
    started, cpu_started = time.perf_counter(), time.process_time()
    for i in range(0, n, 500):
        if stream:
            t, c = time.perf_counter(), time.process_time()
            batch = [generator.article(j) for j in range(i, min(i + 500, n))]
            f = time.process_time()
            for article in batch:
                dedup.fingerprint(article)
            fingerprint_cpu += time.process_time() - f
            generating += time.perf_counter() - t
            generating_cpu += time.process_time() - c
        else:
            batch = articles[i:i + 500]
        clustered += sum(1 for r in store.put_many(batch) if not r.is_first_in_cluster)
    stored, store_cpu = time.perf_counter(), time.process_time() - cpu_started - generating_cpu
    writer_rss, writer_peak = rss_mb()
    fingerprint_ms = fingerprint_cpu * 1000 / max(n, 1)
    if follower is not None:
        stop.set()
        follower.join()
        store.refresh_search()  # nothing left: the follower indexed everything
    searchable = time.perf_counter()
    started += generating  # the clock counts storing and indexing only
    return {"joined_clusters": clustered, "index_seconds": round(searchable - started, 2),
            "index_articles_per_s": round(n / (searchable - started), 1),
            "store_seconds": round(stored - started, 2), "store_articles_per_s": round(n / (stored - started), 1),
            "streamed": stream, "writer_rss_mb": writer_rss, "writer_peak_rss_mb": writer_peak,
            "text_index_peak_rss_mb": round(follower_rss.value, 1) if follower else None,
            "text_index_lag_seconds": round(searchable - stored, 2),
            "store_cpu_ms_per_article": round(store_cpu * 1000 / n, 3),
            "text_index_cpu_ms_per_article": round(follower_cpu.value * 1000 / n, 3) if follower else None,
            "fingerprint_ms_per_article": round(fingerprint_ms, 3)}


def search_all(store: ArticleStore, repeat: int) -> tuple[list[float], list[int]]:
    timings: list[float] = []
    totals = []
    for spec in QUERIES:
        store.search(SearchQuery(**spec))  # warm-up
        for _ in range(repeat):
            t = time.perf_counter()
            result = store.search(SearchQuery(**spec))
            timings.append((time.perf_counter() - t) * 1000)
        totals.append(result.total)
    return timings, totals


def service_searches(path: str, repeat: int, out: Any) -> None:
    """The web service's part: a fresh process opens the store and runs the query set; reports its memory."""
    from newswatch.store.sqlite import SQLiteStore

    with SQLiteStore(path) as store:
        timings, totals = search_all(store, repeat)
        rss, peak = rss_mb()
    out.put({"timings": timings, "totals": totals, "rss": rss, "peak": peak})


def run(backend: str, n: int, repeat: int, es_url: str | None, workdir: Path, reuse: bool = False,
        stream: bool = False) -> dict:
    store = open_backend(backend, workdir, es_url)
    reused = reuse and store.count() == n
    indexing = {} if reused else index(store, n, stream)
    service: dict[str, Any] = {}
    if backend == "sqlite":
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        child = context.Process(target=service_searches, args=(str(store.path), repeat, queue))  # type: ignore[attr-defined]
        child.start()
        result = queue.get()
        child.join()
        timings, totals = result["timings"], result["totals"]
        service = {"service_rss_mb": result["rss"], "service_peak_rss_mb": result["peak"]}
    else:
        timings, totals = search_all(store, repeat)
    timings.sort()
    size = store.size_bytes() if hasattr(store, "size_bytes") else 0
    out = {
        "backend": backend, "n": n, "stored": store.count(), "index_articles_per_s": None, **indexing,
        "queries": len(QUERIES), "runs_per_query": repeat,
        "search_p50_ms": round(statistics.median(timings), 2),
        "search_p95_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.95))], 2),
        "search_max_ms": round(timings[-1], 2), "hits_per_query": totals, **service,
        "store_bytes": size, "store_mb": round(size / 1e6, 1), "load_avg": os.getloadavg()[0],
    }
    store.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "elasticsearch", "both"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--es-url")
    parser.add_argument("--workdir", help="Where the SQLite file goes (default: a temporary folder).")
    parser.add_argument("--reuse", metavar="DIR",
                        help="SQLite: keep the store in DIR; when it already holds N articles, only search it.")
    parser.add_argument("--stream", action="store_true",
                        help="Generate articles batch by batch (the default past 200,000 articles).")
    args = parser.parse_args()
    if args.reuse and args.backend != "sqlite":
        parser.error("--reuse needs --backend sqlite")
    backends = ["sqlite", "elasticsearch"] if args.backend == "both" else [args.backend]
    for backend in backends:
        with tempfile.TemporaryDirectory(prefix="nw-bench-") as tmp:
            workdir = Path(args.reuse or args.workdir or tmp)
            workdir.mkdir(parents=True, exist_ok=True)
            result = run(backend, args.n, args.repeat, args.es_url, workdir, reuse=bool(args.reuse),
                         stream=args.stream or args.n > 200_000)
            print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
