"""Articles for the document-register tests: real outlet wording from the labelled directive corpus, and
an official listing entry of the Government's portal for the same decision.

Each corpus case becomes the article an outlet published (headline, sapo, body), enriched by the one
enrichment step as the extractor does it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from newswatch.documents.model import OFFICIAL_METHOD, Attachment, AttachmentStatus, OfficialEntry
from newswatch.models import Article
from newswatch.text.enrich import enrich_article

VN = timezone(timedelta(hours=7))
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
OFFICIAL_LISTING = "https://vanban.chinhphu.vn/he-thong-van-ban?mode=0"
OFFICIAL_DETAIL = "https://vanban.chinhphu.vn/?pageid=27160&docid=214476"


@cache
def _cases() -> dict[str, dict[str, Any]]:
    cases: dict[str, dict[str, Any]] = {}
    for path in sorted(FIXTURES.glob("directive_corpus*/*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            cases[case["id"]] = case
    return cases


def corpus_article(case_id: str, **changes: Any) -> Article:
    """The corpus case as the outlet's stored article."""
    case = {**_cases()[case_id], **changes}
    article = Article(url=f"https://{case['outlet']}/{case_id}.htm", title=case["title"], lead=case.get("lead"),
                      text=case["body"], source=case["outlet"], published=datetime.fromisoformat(case["published"]))
    enrich_article(article)
    return article


def official_entry_article(fetched_at: datetime | None = None, **entry: Any) -> Article:
    """The Government portal's listing row of Quyết định 2476/QĐ-TTg, as the official-listing crawler stores it."""
    values: dict[str, Any] = dict(
        number="2476/QĐ-TTg", listing_url=OFFICIAL_LISTING, source="vanban.chinhphu.vn", canonical="2476/QĐ-TTg",
        doc_type_name="Quyết định", issuer_name="Thủ tướng Chính phủ", issue_date=date(2026, 11, 20),
        signer="Nguyễn Chí Dũng", trich_yeu="Ban hành Chiến lược dữ liệu quốc gia đến năm 2035, tầm nhìn đến năm 2045",
        detail_url=OFFICIAL_DETAIL, attachment_urls=["https://vanban.chinhphu.vn/files/2476-QD-TTg.pdf"])
    values.update(entry)
    official = OfficialEntry(**values)
    attachment = Attachment(url=official.attachment_urls[0], filename="2476-QD-TTg.pdf", content_type="application/pdf",
                            size=182_331, status=AttachmentStatus.OK, pages=14, number_confirmed=True,
                            date_confirmed=True, text="QUYẾT ĐỊNH Ban hành Chiến lược dữ liệu quốc gia đến năm 2035")
    article = Article(url=official.detail_url or OFFICIAL_DETAIL, title=f"Quyết định số {official.number}",
                      text=f"{official.trich_yeu}\n\n{attachment.text}", source=official.source,
                      # as crawlers.official.entry_article: a listing row is dated by its issue date, 00:00
                      published=datetime.combine(official.issue_date, time(0, 0), tzinfo=VN) if official.issue_date else None,
                      fetched_at=fetched_at or datetime(2026, 11, 24, 8, 0, tzinfo=VN),
                      extraction={"method": OFFICIAL_METHOD, "official": official.to_dict(),
                                  "attachments": [attachment.to_dict()]})
    enrich_article(article)
    return article
