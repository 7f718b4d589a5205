"""Official listing entries turned into articles by the official-listing crawler's own function (crawlers.official).

Modelled on the rows of the Government's legal document portal (vanban.chinhphu.vn: "Số ký hiệu",
"Ngày ban hành", "Trích yếu", and on the entry's page "Cơ quan ban hành", "Người ký", the attached
PDF): the article's title is "<type name> <number> <trích yếu>", its lead names the date, issuer,
number and signer, its text is the trích yếu, and ``extraction`` carries the
:class:`~newswatch.documents.model.OfficialEntry` (the contract of :mod:`newswatch.documents.model`).
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from crawlers.official import entry_article as entry_article_of
from newswatch.documents.model import OfficialEntry
from newswatch.models import Article
from newswatch.text.docnumbers import canonicalize_doc_number

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PORTAL = "https://vanban.chinhphu.vn"
OFFICIAL_SOURCE = "vanbanchinhphu"
OFFICIAL_TITLE = "Hệ thống văn bản Chính phủ"
# what config/sources.yaml says of the portal (appended to a test's copy of the config)
OFFICIAL_SOURCE_YAML = f"""
  - name: {OFFICIAL_SOURCE}
    title: {OFFICIAL_TITLE}
    tier: official
    listings:
      - {PORTAL}/he-thong-van-ban?classid=1&mode=1
"""


def entry_article(number: str, type_name: str, issued: date, trich_yeu: str, *, docid: int,
                  issuer: str = "Thủ tướng Chính phủ", signer: str | None = "Trần Hồng Hà",
                  source: str = OFFICIAL_SOURCE, fetched: datetime | None = None) -> Article:
    """The article one row of the portal's listing becomes (``fetched``: when the crawler read it)."""
    detail = f"{PORTAL}/?pageid=27160&docid={docid}"
    entry = OfficialEntry(number=number, listing_url=f"{PORTAL}/he-thong-van-ban?classid=1&mode=1", source=source,
                          canonical=canonicalize_doc_number(number), doc_type_name=type_name, issuer_name=issuer,
                          issue_date=issued, signer=signer, trich_yeu=trich_yeu, detail_url=detail,
                          attachment_urls=[f"{PORTAL}/upload/{docid}/{number.replace('/', '-')}.signed.pdf"])
    return entry_article_of(entry, detail, tz=TZ,
                            fetched_at=fetched or datetime.combine(issued, time(0, 0), tzinfo=TZ))
