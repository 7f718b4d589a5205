"""The document register, one behavioural suite for both backends (SQLite file, noida-db over HTTP).

Articles are the outlets' real wording from the directive corpus: three outlets report or cite Quyết định
2476/QĐ-TTg (Chiến lược dữ liệu quốc gia) at different times, and the Government portal lists it later.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from document_articles import VN, corpus_article, official_entry_article

from newswatch.documents.model import DocumentQuery, DocumentStatus, MentionKind
from newswatch.store.base import ArticleStore, PutOutcome

KEY = "2476/QĐ-TTg@2026"


def store_all(store: ArticleStore, *articles) -> None:  # type: ignore[no-untyped-def]
    for article in articles:
        store.put(article)


def three_outlets() -> list:  # type: ignore[type-arg]
    """Stored out of time order: the provincial citation first, the government portal's report last."""
    return [corpus_article("syndicated-rewrites-12"),  # baoninhbinh, 28/11: cites it in its own plan
            corpus_article("syndicated-rewrites-09"),  # dantri, 21/11 19:15: "vừa ký", no date
            corpus_article("syndicated-rewrites-07")]  # baochinhphu, 21/11 11:00: "vừa ký … ngày 20/11/2026"


def test_three_outlets_make_one_record_in_time_order_with_its_first_publisher(store: ArticleStore) -> None:
    store_all(store, *three_outlets())
    record = store.documents.get("2476/QĐ-TTg")
    assert record is not None and record.key == KEY
    assert [m.source for m in record.mentions] == ["baochinhphu.vn", "dantri.com.vn", "baoninhbinh.org.vn"]
    assert [m.kind for m in record.mentions] == [MentionKind.REPORTED, MentionKind.REPORTED, MentionKind.CITED]
    assert record.status is DocumentStatus.REPORTED
    assert record.first_publisher is not None and record.first_publisher.source == "baochinhphu.vn"
    assert record.first_seen_source == "baochinhphu.vn"
    assert record.first_seen_at == datetime(2026, 11, 21, 11, 0, tzinfo=VN)
    assert (record.doc_type, record.type_name, record.issuer) == ("QĐ", "Quyết định", "TTg")
    assert record.issue_date == date(2026, 11, 20)
    assert record.signer == "Phó Thủ tướng Nguyễn Chí Dũng"
    assert record.trich_yeu == "Ban hành Chiến lược dữ liệu quốc gia đến năm 2035, tầm nhìn đến năm 2045"
    assert "vừa ký Quyết định số 2476/QĐ-TTg" in record.mentions[0].evidence
    # any spelling a user types finds it
    for spelling in ("2476/QD-TTg", "2476/qđ-ttg", " 2476 / QĐ-TTg ", "2476/QĐ-TTg@2026", "số 2476/QĐ-TTg"):
        found = store.documents.get(spelling)
        assert found is not None and found.key == KEY, spelling
    assert store.documents.get("2476/QĐ-TTg@2025") is None
    assert store.documents.get("9999/QĐ-TTg") is None


def test_a_document_only_cited_is_cited(store: ArticleStore) -> None:
    # "Chiến lược thay thế Chiến lược ban hành kèm theo Quyết định số 127/QĐ-TTg ngày 26/1/2021 …"
    store.put(corpus_article("approval-of-strategy-01"))
    cited = store.documents.get("127/QĐ-TTg")
    assert cited is not None and cited.key == "127/QĐ-TTg@2021"
    assert cited.status is DocumentStatus.CITED
    assert [m.kind for m in cited.mentions] == [MentionKind.CITED]
    assert cited.issue_date == date(2021, 1, 26)
    reported = store.documents.get("2420/QĐ-TTg")
    assert reported is not None and reported.status is DocumentStatus.REPORTED


def test_the_official_entry_arriving_later_confirms_the_document(store: ArticleStore) -> None:
    store_all(store, *three_outlets())
    store.put(official_entry_article())
    record = store.documents.get("2476/QĐ-TTg")
    assert record is not None and record.key == KEY
    assert record.status is DocumentStatus.CONFIRMED
    assert record.official_url == "https://vanban.chinhphu.vn/?pageid=27160&docid=214476"
    assert record.official_source == "vanban.chinhphu.vn"
    assert record.confirmed_at == datetime(2026, 11, 24, 8, 0, tzinfo=VN)
    assert record.issuer_name == "Thủ tướng Chính phủ"
    assert record.signer == "Nguyễn Chí Dũng"  # the official entry's wins over the press's
    assert [m.kind for m in record.mentions] == [MentionKind.REPORTED, MentionKind.REPORTED, MentionKind.OFFICIAL,
                                                 MentionKind.CITED]
    assert record.first_publisher is not None and record.first_publisher.source == "baochinhphu.vn"
    assert [(a.filename, a.status.value, a.number_confirmed) for a in record.attachments] == [
        ("2476-QD-TTg.pdf", "ok", True)]
    assert store.documents.list(DocumentQuery(statuses=[DocumentStatus.CONFIRMED])).total == 1


def test_storing_the_same_article_again_changes_nothing_and_an_edit_replaces_its_mention(store: ArticleStore) -> None:
    store_all(store, *three_outlets())
    before = store.documents.get(KEY)
    again = corpus_article("syndicated-rewrites-09")
    assert store.put(again).outcome is PutOutcome.UNCHANGED
    assert store.documents.get(KEY) == before
    # the outlet edits its article: it no longer reports the decision, it only recalls it
    edited = corpus_article("syndicated-rewrites-09", title="Dữ liệu là tư liệu sản xuất mới",
                            lead="Các bộ, ngành rà soát cơ sở dữ liệu chuyên ngành trước khi kết nối.",
                            body="Thực hiện Quyết định 2476/QĐ-TTg, các bộ rà soát cơ sở dữ liệu chuyên ngành.")
    assert store.put(edited).outcome is PutOutcome.UPDATED
    after = store.documents.get(KEY)
    assert after is not None
    assert [m.source for m in after.mentions] == ["baochinhphu.vn", "dantri.com.vn", "baoninhbinh.org.vn"]
    assert [m.kind for m in after.mentions][1] is MentionKind.CITED
    assert after.mentions[1].title == "Dữ liệu là tư liệu sản xuất mới"


def test_an_article_edited_to_drop_the_number_leaves_the_record(store: ArticleStore) -> None:
    store.put(corpus_article("approval-of-strategy-01"))
    assert store.documents.get("127/QĐ-TTg@2021") is not None
    edited = corpus_article("approval-of-strategy-01", body="Chiến lược đặt mục tiêu đến năm 2035 Việt Nam thuộc nhóm "
                                                            "3 nước dẫn đầu ASEAN về nghiên cứu, phát triển và ứng dụng AI.")
    store.put(edited)
    assert store.documents.get("127/QĐ-TTg@2021") is None
    assert store.documents.get("2420/QĐ-TTg") is not None


def test_rebuild_from_the_archive_gives_the_same_records(store: ArticleStore) -> None:
    store_all(store, *three_outlets(), official_entry_article(), corpus_article("approval-of-strategy-01"),
              corpus_article("without-so-01"), corpus_article("cong-dien-01"))
    query = DocumentQuery(limit=100)
    before = store.documents.list(query)
    assert before.total >= 5
    store.documents.clear()
    assert store.documents.list(query).total == 0
    assert store.documents.rebuild(store.iter_articles()) == before.total
    after = store.documents.list(query)
    assert [r.to_dict() for r in after.records] == [r.to_dict() for r in before.records]
    assert after.facets == before.facets


def test_filters_by_type_issuer_month_status_and_text(store: ArticleStore) -> None:
    store_all(store, *three_outlets(), corpus_article("approval-of-strategy-01"), corpus_article("without-so-01"),
              corpus_article("cong-dien-01"))
    docs = store.documents

    def keys(**kwargs) -> list[str]:  # type: ignore[no-untyped-def]
        return [r.key for r in docs.list(DocumentQuery(**kwargs)).records]

    decrees = keys(doc_types=["ND"])
    assert decrees and all("/NĐ-CP" in k for k in decrees)
    assert keys(doc_types=["Nghị định"]) == decrees == keys(doc_types=["nđ"])
    assert keys(doc_types=["Công điện"]) == ["97/CĐ-TTg@2026"]
    both = keys(doc_types=["CĐ", "NĐ"])
    assert set(both) == set(decrees) | {"97/CĐ-TTg@2026"}
    pm = keys(issuers=["TTg"])
    assert KEY in pm and "97/CĐ-TTg@2026" in pm and not set(decrees) & set(pm)
    assert keys(issuers=["Thủ tướng Chính phủ"]) == pm
    assert keys(month="2021-01") == ["127/QĐ-TTg@2021"]
    assert KEY in keys(month="2026-11")
    assert keys(statuses=[DocumentStatus.CITED]) == ["127/QĐ-TTg@2021"]
    assert KEY not in keys(statuses=["cited"])
    # the decision, and the province's plan whose trích yếu names it ("Triển khai Quyết định số 2476/QĐ-TTg …")
    assert set(keys(text="chien luoc du lieu")) == {KEY, "388/KH-UBND@2026"}
    assert keys(text="Chiến lược dữ liệu", doc_types=["QĐ"]) == [KEY]
    assert keys(text="Chiến lược dữ liệu", doc_types=["CT"]) == []
    # first seen since 21/11: the province's plan (28/11), the decree (22/11), the decision (21/11), newest first
    assert keys(since=datetime(2026, 11, 21, tzinfo=VN)) == ["388/KH-UBND@2026", "309/2026/NĐ-CP", KEY]
    # newest first seen first, paged
    everything = keys(limit=100)
    page = docs.list(DocumentQuery(limit=2, offset=1))
    assert [r.key for r in page.records] == everything[1:3] and page.total == len(everything)
    facets = docs.list(DocumentQuery(doc_types=["QĐ"])).facets
    assert facets["doc_type"]["QĐ"] >= 3 and facets["doc_type"]["NĐ"] >= 1  # a facet ignores its own filter
    assert facets["status"] == {"reported": 2, "cited": 1}


def test_filters_it_cannot_read_are_errors_naming_the_value(store: ArticleStore) -> None:
    with pytest.raises(ValueError, match="unknown document type 'XYZ'"):
        store.documents.list(DocumentQuery(doc_types=["XYZ"]))
    with pytest.raises(ValueError, match="unknown status 'issued'"):
        store.documents.list(DocumentQuery(statuses=["issued"]))  # type: ignore[list-item]
    with pytest.raises(ValueError, match="YYYY-MM"):
        store.documents.list(DocumentQuery(month="11/2026"))


def test_an_article_the_register_cannot_read_is_stored_and_counted(store: ArticleStore,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    broken = official_entry_article()
    broken.extraction["attachments"] = [{"url": "https://vanban.chinhphu.vn/a.pdf", "status": "half-read"}]
    store.put(broken)
    assert store.get(broken.id) is not None
    assert sum(store.documents_errors.values()) == 1
    assert "could not read the documents of" in caplog.text and "value_error" in caplog.text
    store.put(corpus_article("syndicated-rewrites-07"))  # the next one is recorded
    assert store.documents.get(KEY) is not None


def test_a_malformed_official_entry_is_read_as_the_article_it_is(store: ArticleStore,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    broken = official_entry_article()
    broken.extraction["official"] = {"listing_url": "https://vanban.chinhphu.vn/"}  # a row without its number
    store.put(broken)
    assert "official entry of" in caplog.text and "malformed" in caplog.text
    record = store.documents.get(KEY)  # its headline still names the document: a mention, not a confirmation
    assert record is not None and record.status is not DocumentStatus.CONFIRMED and record.official_url is None
    assert sum(store.documents_errors.values()) == 0


def test_batched_writes_and_reindex_keep_the_register_current(store: ArticleStore) -> None:
    # the crawl writes in batches (put_many); `newswatch reindex` and the reconciliation copy (import_articles)
    store.put_many(three_outlets())
    record = store.documents.get(KEY)
    assert record is not None and [m.source for m in record.mentions] == ["baochinhphu.vn", "dantri.com.vn", "baoninhbinh.org.vn"]
    store.import_articles([official_entry_article(), corpus_article("cong-dien-01")])
    confirmed = store.documents.get(KEY)
    assert confirmed is not None and confirmed.status is DocumentStatus.CONFIRMED
    assert store.documents.get("97/CĐ-TTg") is not None


def test_an_undated_citation_joins_the_numbers_only_dated_record_whatever_the_order(store: ArticleStore) -> None:
    citing = corpus_article("cong-dien-07")  # cites Công điện 97/CĐ-TTg without its date
    store.put(citing)
    alone = store.documents.get("97/CĐ-TTg")
    assert alone is not None and alone.key == "97/CĐ-TTg" and alone.status is DocumentStatus.CITED
    store.put(corpus_article("cong-dien-01"))  # reports it as just issued: the record of 2026
    record = store.documents.get("97/CĐ-TTg")
    assert record is not None and record.key == "97/CĐ-TTg@2026" and record.status is DocumentStatus.REPORTED
    assert sorted(m.kind.value for m in record.mentions) == ["cited", "reported"]
    assert store.documents.list(DocumentQuery(text="97")).total == 1  # the bare record is gone
    joined = record.to_dict()
    store.documents.clear()
    store.documents.rebuild([corpus_article("cong-dien-01"), citing])  # the other order
    assert store.documents.get("97/CĐ-TTg@2026").to_dict() == joined  # type: ignore[union-attr]
