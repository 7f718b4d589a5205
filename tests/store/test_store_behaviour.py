"""One behavioural suite, run on both backends (embedded SQLite + Tantivy and Elasticsearch via noida-db)."""

from __future__ import annotations

from datetime import datetime

import pytest
import store_corpus as corpus
from store_corpus import VN

from newswatch.models import Article
from newswatch.store.base import ArticleStore, PutOutcome, SearchQuery


def load(store: ArticleStore, *articles: Article) -> None:
    for a in articles:
        store.put(a)


def urls(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {hit.article.url for hit in result.hits}


def search(store: ArticleStore, text: str = "", **kwargs) -> object:  # type: ignore[no-untyped-def]
    return store.search(SearchQuery(text=text, **kwargs))


def test_three_copies_from_three_outlets_are_one_hit_with_its_first_publisher(store: ArticleStore) -> None:
    # stored out of publication order: the provincial copy is crawled first
    copy = store.put(corpus.provincial_copy())
    first = store.put(corpus.original())
    agency = store.put(corpus.agency_copy())
    other = store.put(corpus.same_topic_other_story())
    assert copy.outcome == first.outcome == agency.outcome == PutOutcome.NEW
    assert copy.cluster_id == first.cluster_id == agency.cluster_id
    assert other.cluster_id != copy.cluster_id
    assert (copy.is_first_in_cluster, first.is_first_in_cluster, agency.is_first_in_cluster) == (True, False, False)
    assert agency.cluster_size == 3

    members = store.cluster(copy.cluster_id)
    assert [a.source for a in members] == ["baochinhphu", "vietnamplus", "thanhhoatv"]

    result = search(store, "chỉ thị chuyển đổi số")
    assert result.total == 1
    hit = result.hits[0]
    assert hit.article.source == "baochinhphu"
    assert [c["source"] for c in hit.copies] == ["baochinhphu", "vietnamplus", "thanhhoatv"]
    assert [c["first"] for c in hit.copies] == [True, False, False]

    every_copy = search(store, "chỉ thị chuyển đổi số", collapse_clusters=False)
    assert every_copy.total == 3


def test_two_directives_written_from_one_template_are_two_stories(store: ArticleStore) -> None:
    first = store.put(corpus.original())
    twin = store.put(corpus.template_twin())  # near-identical text, another directive number
    copy = store.put(corpus.agency_copy())
    assert twin.cluster_id != first.cluster_id
    assert copy.cluster_id == first.cluster_id
    assert search(store, "chỉ thị chuyển đổi số").total == 2


def test_different_stories_on_the_same_topic_stay_apart(store: ArticleStore) -> None:
    load(store, corpus.original(), corpus.same_topic_other_story())
    result = search(store, "chuyển đổi số")
    assert result.total == 2
    assert all(hit.copies == [] for hit in result.hits)


def test_accent_and_d_folding(store: ArticleStore) -> None:
    load(store, corpus.original(), corpus.storm(), corpus.press())
    assert urls(search(store, "chuyen doi so")) == {corpus.original().url}
    assert urls(search(store, "de an 06")) == {corpus.original().url}
    assert urls(search(store, "Đề án 06")) == {corpus.original().url}
    # typed with accents: that spelling only (bão is not báo); typed without: every spelling
    assert urls(search(store, "bão")) == {corpus.storm().url}
    assert urls(search(store, "bão số")) == {corpus.storm().url}
    assert urls(search(store, "báo chí")) == {corpus.press().url}
    assert urls(search(store, "bao")) == {corpus.storm().url, corpus.press().url, corpus.original().url}


def test_old_and_new_tone_placement_find_each_other(store: ArticleStore) -> None:
    """Vietnamese outlets write "Uỷ ban"/"hoà" (old style) or "Ủy ban"/"hòa" (new style): typed either way, a
    word with accents finds both spellings, in words and in phrases."""
    old_style = corpus.article("https://baothanhhoa.vn/uy-ban-hoa-giai-123.htm", "Uỷ ban tỉnh hoà giải tranh chấp đất đai",
                               ["Uỷ ban nhân dân tỉnh đã hoà giải thành công vụ tranh chấp đất đai kéo dài, bảo đảm "
                                "quyền lợi của người dân và tiến độ công trình thuỷ lợi."],
                               "baothanhhoa", datetime(2025, 7, 20, 9, 0, tzinfo=VN))
    load(store, old_style, corpus.storm())  # storm: "khí tượng thủy văn", new style
    assert urls(search(store, "Ủy ban hòa giải")) == {old_style.url}
    assert urls(search(store, '"Ủy ban nhân dân tỉnh"')) == {old_style.url}
    assert urls(search(store, "thủy")) == {old_style.url, corpus.storm().url}
    assert urls(search(store, '"khí tượng thuỷ văn"')) == {corpus.storm().url}


def test_phrases_and_boolean_operators(store: ArticleStore) -> None:
    load(store, corpus.original(), corpus.same_topic_other_story(), corpus.storm())
    # both articles have the words, only one has them as a phrase
    assert urls(search(store, "dữ liệu dân cư")) == {corpus.original().url}
    assert urls(search(store, '"tổ công nghệ số cộng đồng"')) == {corpus.same_topic_other_story().url}
    assert urls(search(store, '"cong nghe so cong dong"')) == {corpus.same_topic_other_story().url}
    assert urls(search(store, "Thanh Hóa OR bão")) == {corpus.same_topic_other_story().url, corpus.storm().url}
    assert urls(search(store, "chuyển đổi số -Hóa")) == {corpus.original().url}
    assert urls(search(store, "chuyển đổi số NOT (hóa OR bão)")) == {corpus.original().url}
    assert urls(search(store, "-bão")) == {corpus.original().url, corpus.same_topic_other_story().url}
    # a negated alternative keeps its meaning: the storm, or anything without "Thanh Hóa"
    assert urls(search(store, "bão OR -Hóa")) == {corpus.storm().url, corpus.original().url}


@pytest.mark.parametrize(("odd", "found"), [
    ("Bộ TT&TT", 0), ("a:b", 0),  # words the article does not have
    ('"chuyển đổi', 1),  # an unclosed quote is still the phrase
    ("-", 1), ("*", 1), (":", 1), ("((", 1), (")", 1), ("NOT", 1), ("OR OR", 1), ('"', 1), ("\\", 1),  # nothing to
])                                                                       # search for: everything is listed
def test_odd_syntax_is_answered_by_what_it_means(store: ArticleStore, odd: str, found: int) -> None:
    load(store, corpus.original())
    result = search(store, odd)
    assert result.total == found
    assert urls(result) == ({corpus.original().url} if found else set())


def test_unbalanced_quote_reads_as_text(store: ArticleStore) -> None:
    load(store, corpus.original(), corpus.storm())
    assert urls(search(store, '"chuyển đổi số')) == {corpus.original().url}


def test_document_number_filter_is_tolerant(store: ArticleStore) -> None:
    load(store, corpus.original(), corpus.same_topic_other_story())
    for typed in ("13/2023/NĐ-CP", "13/2023/ND-CP", "13/2023/nđ-cp", "13/2023/nd-cp"):
        assert urls(search(store, doc_numbers=[typed])) == {corpus.original().url}, typed
    assert urls(search(store, doc_numbers=["05/CT-TTg", "13/2023/ND-CP"])) == {corpus.original().url}
    assert search(store, doc_numbers=["14/2023/NĐ-CP"]).total == 0
    assert urls(search(store, doc_types=["CT"])) == {corpus.original().url}
    assert urls(search(store, doc_types=["nd"])) == {corpus.original().url}


def test_filters_and_facets(store: ArticleStore) -> None:
    load(store, corpus.original(), corpus.provincial_copy(), corpus.same_topic_other_story(), corpus.storm(),
         corpus.press())
    result = search(store)
    assert result.total == 4  # five articles, four stories
    assert result.facets["source"] == {"baochinhphu": 1, "thanhhoatv": 1, "thanhhoa": 1, "vnexpress": 2}
    assert result.facets["topic"] == {"chuyen-doi-so": 3, "thien-tai": 1, "bao-chi": 1}
    assert result.facets["doc_type"] == {"CT": 2, "NĐ": 2}
    assert result.facets["month"] == {"2025-07": 1, "2025-06": 1, "2025-03": 3}

    march = search(store, since=datetime(2025, 3, 1, tzinfo=VN), until=datetime(2025, 3, 31, tzinfo=VN))
    assert march.total == 2
    assert urls(search(store, sources=["vnexpress"])) == {corpus.storm().url, corpus.press().url}
    assert urls(search(store, topics=["thien-tai"])) == {corpus.storm().url}
    assert urls(search(store, "chuyen doi so", sources=["thanhhoa"])) == {corpus.same_topic_other_story().url}


def test_newest_first_and_pagination(store: ArticleStore) -> None:
    load(store, corpus.original(), corpus.same_topic_other_story(), corpus.storm(), corpus.press())
    order = [corpus.storm().url, corpus.press().url, corpus.same_topic_other_story().url, corpus.original().url]
    everything = search(store, sort="newest", limit=10)
    assert [h.article.url for h in everything.hits] == order
    page2 = search(store, sort="newest", limit=2, offset=2)
    assert page2.total == 4
    assert [h.article.url for h in page2.hits] == order[2:]


def test_snippet_is_highlighted_and_escaped(store: ArticleStore) -> None:
    load(store, corpus.article("https://example.vn/a", "Bộ TT&TT", ["Bộ TT&TT <b>họp</b> về chuyển đổi số quốc gia."],
                               "example", datetime(2025, 1, 2, tzinfo=VN)))
    hit = search(store, "chuyen doi so").hits[0]
    assert "<mark>chuyển đổi số</mark>" in hit.snippet
    assert "TT&amp;TT &lt;b&gt;họp&lt;/b&gt;" in hit.snippet


def test_changed_text_is_an_update_and_keeps_the_previous_version(store: ArticleStore) -> None:
    first = corpus.original()
    store.put(first)
    assert store.put(corpus.original()).outcome == PutOutcome.UNCHANGED
    edited = corpus.original()
    edited.text += "\n\nĐính chính: thời hạn hoàn thành là ngày 30/9."
    result = store.put(edited)
    assert result.outcome == PutOutcome.UPDATED
    assert store.count() == 1
    current = store.get(first.id)
    assert current is not None and "Đính chính" in current.text and current.version == 2
    previous = store.versions(first.id)
    assert len(previous) == 1 and "Đính chính" not in previous[0].text
    assert urls(search(store, "dinh chinh")) == {first.url}


def test_reput_is_idempotent(store: ArticleStore) -> None:
    for _ in range(3):
        for a in (corpus.original(), corpus.provincial_copy(), corpus.storm()):
            store.put(a)
    assert store.count() == 3
    assert len(list(store.iter_articles())) == 3
    assert search(store, collapse_clusters=False).total == 3
    assert set(store.latest_by_source()) == {"baochinhphu", "thanhhoatv", "vnexpress"}


def test_round_trip_keeps_fields(store: ArticleStore) -> None:
    a = corpus.original()
    a.section, a.author, a.lead = "Chính sách", "Hà Quang", "Chỉ thị mới về chuyển đổi số."
    store.put(a)
    got = store.get(a.id)
    assert got is not None
    assert (got.title, got.section, got.author, got.lead, got.source) == (a.title, a.section, a.author, a.lead, a.source)
    assert got.published == a.published
    assert got.canonical_doc_numbers == ["05/CT-TTg", "13/2023/NĐ-CP"]
    assert got.cluster_id and got.simhash is not None and got.content_hash
