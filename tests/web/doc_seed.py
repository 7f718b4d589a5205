"""Seeding for the Văn bản page tests: articles stored through the real store, from which the register derives
its records (never rows written by hand).

On top of :func:`web_seed.seed` (Chỉ thị 15/CT-TTg reported by three outlets and alerted, Nghị định
17/2017/NĐ-CP only cited), one Quyết định reported by two outlets, then published by the official listing
with two attachments (a read PDF and a scan without a text layer), then cited; and one official entry whose
trích yếu and attachment text carry markup. The articles are stored out of time order, so the register's
order is what the timeline shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from web_seed import Seeded, ingest, seed

from monitor.engine import Monitor
from newswatch.documents.model import OFFICIAL_METHOD, Attachment, AttachmentStatus, OfficialEntry
from newswatch.models import Article
from newswatch.settings import Settings
from newswatch.store import open_store

OFFICIAL_SOURCE = "vanban-chinhphu"
LISTING = "https://vanban.chinhphu.example.vn/he-thong-van-ban"
HOSTILE_TRICH_YEU = 'Ban hành quy chế <script>window.__pwned = 11</script> <img src=x onerror="window.__pwned=12"> dữ liệu'
HOSTILE_URL = "javascript:window.__pwned=14"  # an attachment link as a hostile page could give it
SCAN_REASON = "PDF scan: no text layer, no OCR done"


@dataclass
class DocSeeded:
    base: Seeded
    number: str  # the confirmed Quyết định: canonical number
    key: str  # its register key
    official_url: str
    timeline: list[str]  # its mentions' sources, oldest first
    first_publisher: str
    report_id: str  # a press article reporting it (its page links the number)
    hostile_key: str

    @property
    def settings(self) -> Settings:
        return self.base.settings


def _official(number: str, trich_yeu: str, issued: datetime, seen: datetime, signer: str,
              attachments: list[Attachment], text: str) -> Article:
    docid = number.split("/")[0]
    entry = OfficialEntry(number=number, listing_url=LISTING, source=OFFICIAL_SOURCE, doc_type_name="Quyết định",
                          issuer_name=None, issue_date=issued.date(), signer=signer, trich_yeu=trich_yeu,
                          detail_url=f"https://vanban.chinhphu.example.vn/?docid={docid}",
                          attachment_urls=[a.url for a in attachments])
    return Article(url=f"https://vanban.chinhphu.example.vn/?docid={docid}", title=f"Quyết định số {number} {trich_yeu}",
                   text=text, source=OFFICIAL_SOURCE, published=seen, fetched_at=seen,
                   extraction={"method": OFFICIAL_METHOD, "official": entry.to_dict(),
                               "attachments": [a.to_dict() for a in attachments]})


def _press(source: str, slug: str, title: str, text: str, published: datetime) -> Article:
    return Article(url=f"https://{source}.example.vn/{slug}", title=title, text=text, source=source, published=published)


def seed_documents(settings: Settings) -> DocSeeded:
    base = seed(settings)
    store = open_store(settings)
    monitor = Monitor(settings, article_store=store)
    issued = (datetime.now(UTC) - timedelta(days=3)).replace(hour=2, minute=0, second=0, microsecond=0)
    day = f"{issued:%d/%m/%Y}"
    number = "1234/QĐ-TTg"
    trich_yeu = "Phê duyệt Chiến lược dữ liệu quốc gia đến năm 2030, tầm nhìn đến năm 2045"
    pdf = Attachment(url="https://vanban.chinhphu.example.vn/files/1234-QD-TTg.pdf", filename="1234-QD-TTg.pdf",
                     content_type="application/pdf", size=48213, pages=3, number_confirmed=True, date_confirmed=True,
                     text=f"THỦ TƯỚNG CHÍNH PHỦ\nSố: {number}\nHà Nội, ngày {day}\n\nQUYẾT ĐỊNH\n{trich_yeu}\n\n"
                          "Điều 1. Phê duyệt Chiến lược dữ liệu quốc gia với mục tiêu phát triển hạ tầng dữ liệu.")
    scan = Attachment(url="https://vanban.chinhphu.example.vn/files/1234-QD-TTg-scan.pdf", filename="1234-QD-TTg-scan.pdf",
                      content_type="application/pdf", size=1_254_000, status=AttachmentStatus.NO_TEXT_LAYER,
                      reason=SCAN_REASON)
    official = _official(number, trich_yeu, issued, issued + timedelta(days=1), "Phó Thủ tướng Nguyễn Chí Dũng",
                         [pdf, scan], f"Số ký hiệu: {number}. Ngày ban hành: {day}. {trich_yeu}.\n\n{pdf.text}")
    report_early = _press("baochinhphu", "chien-luoc-du-lieu-quoc-gia.htm", "Thủ tướng phê duyệt Chiến lược dữ liệu quốc gia",
                          f"Thủ tướng Chính phủ vừa ký Quyết định số {number} ngày {day} phê duyệt Chiến lược dữ liệu quốc "
                          "gia đến năm 2030, thúc đẩy chuyển đổi số quốc gia, phát triển kinh tế số và xã hội số.\n\n"
                          "Chiến lược đặt mục tiêu hoàn thành hạ tầng dữ liệu quốc gia, kết nối cơ sở dữ liệu của các "
                          "bộ, ngành.", issued + timedelta(hours=1))
    report_later = _press("vnexpress", "du-lieu-quoc-gia-2030.html", "Phê duyệt chiến lược dữ liệu quốc gia đến năm 2030",
                          f"Phó Thủ tướng Nguyễn Chí Dũng vừa ký Quyết định số {number} ngày {day} phê duyệt Chiến lược "
                          "dữ liệu quốc gia, phục vụ chuyển đổi số và chính phủ số.\n\nTheo chiến lược, dữ liệu được coi "
                          "là tài nguyên.", issued + timedelta(hours=4))
    citation = _press("laodongthudo", "ha-noi-trien-khai-du-lieu.html", "Hà Nội triển khai kế hoạch dữ liệu số",
                      f"Thực hiện Quyết định số {number} ngày {day} của Thủ tướng Chính phủ, thành phố ban hành kế hoạch "
                      "triển khai dữ liệu số trên địa bàn.\n\nCác sở, ngành phối hợp thực hiện trong năm.",
                      issued + timedelta(days=1, hours=6))
    hostile_number = "88/QĐ-BKHCN"
    hostile = _official(hostile_number, HOSTILE_TRICH_YEU, issued - timedelta(days=40), issued - timedelta(days=39),
                        "Thứ trưởng Bùi Thế Duy",
                        [Attachment(url="https://vanban.chinhphu.example.vn/files/88.docx", filename="88-QD-BKHCN.docx",
                                    size=20480, number_confirmed=True,
                                    text=f"Số: {hostile_number}\n<script>window.__pwned = 13</script> quy chế"),
                         Attachment(url=HOSTILE_URL, filename="phu-luc.pdf", status=AttachmentStatus.FAILED,
                                    reason="HTTP 404")],
                        f"Số ký hiệu: {hostile_number}. {HOSTILE_TRICH_YEU}")
    # stored out of time order: the official entry first, the earliest report last
    for article in (official, citation, report_later, hostile, report_early):
        ingest(settings, store, monitor, article)
    record = store.documents.get(number)
    hostile_record = store.documents.get(hostile_number)
    store.close()
    assert record is not None and hostile_record is not None, "the register must hold the seeded documents"
    return DocSeeded(base=base, number=number, key=record.key, official_url=official.url,
                     timeline=["baochinhphu", "vnexpress", OFFICIAL_SOURCE, "laodongthudo"],
                     first_publisher="baochinhphu", report_id=report_later.id, hostile_key=hostile_record.key)
