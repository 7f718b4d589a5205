"""Near-duplicate detection: republications cluster, different stories on one topic do not."""

from __future__ import annotations

import store_corpus as corpus

from newswatch import dedup


def distance(a, b) -> int:  # type: ignore[no-untyped-def]
    return dedup.hamming(dedup.simhash(a.text), dedup.simhash(b.text))


def test_republications_are_near_duplicates() -> None:
    assert distance(corpus.original(), corpus.provincial_copy()) <= dedup.NEAR_DISTANCE
    assert distance(corpus.original(), corpus.agency_copy()) <= dedup.NEAR_DISTANCE


def test_different_stories_are_far_apart() -> None:
    assert distance(corpus.original(), corpus.same_topic_other_story()) > 3 * dedup.NEAR_DISTANCE
    assert distance(corpus.storm(), corpus.press()) > 3 * dedup.NEAR_DISTANCE


def test_cleaning_drops_dateline_and_credits_only() -> None:
    cleaned = dedup.clean_body(corpus.provincial_copy().text)
    assert not cleaned.startswith("(TTV)") and "Nguồn" not in cleaned
    assert cleaned.split("\n")[0].startswith("Ngày 15/3, Thủ tướng")
    assert len(cleaned.split("\n")) == len(corpus.STORY)


def test_bands_find_every_pair_within_reach() -> None:
    a = dedup.simhash(corpus.original().text)
    assert a is not None
    for bits in ((0,), (5, 40), (1, 20, 33, 63)):
        b = dedup.to_signed(dedup.to_unsigned(a) ^ sum(1 << i for i in bits))
        assert set(dedup.bands(a)) & set(dedup.bands(b))


def test_content_hash_sees_edits_but_not_whitespace() -> None:
    a, b = corpus.original(), corpus.original()
    b.text = b.text.replace("\n\n", "\n \n\n")
    assert dedup.content_hash(a) == dedup.content_hash(b)
    b.text += "\n\nĐính chính."
    assert dedup.content_hash(a) != dedup.content_hash(b)


def test_template_twin_is_near_in_text_but_not_a_copy() -> None:
    original, twin = corpus.original(), corpus.template_twin()
    assert distance(original, twin) <= dedup.NEAR_DISTANCE  # the text alone cannot tell them apart
    assert not dedup.cite_same_documents({"05/CT-TTg", "13/2023/NĐ-CP"}, {"06/CT-TTg", "13/2023/NĐ-CP"})
    assert dedup.cite_same_documents({"05/CT-TTg", "13/2023/NĐ-CP"}, {"05/CT-TTg"})  # a copy may drop a citation
    assert dedup.cite_same_documents(set(), {"05/CT-TTg"})
