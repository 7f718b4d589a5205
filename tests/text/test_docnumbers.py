"""Document numbers: every positive and negative example of the domain notes (§1.4) is a case here."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from newswatch.text.docnumbers import DOC_TYPES, ISSUERS, canonicalize_doc_number, find_doc_numbers

POSITIVE = [
    # (number, doc_type, issuer, unit, family)
    ("112/TB-VPCP", "TB", "VPCP", None, "state"),
    ("17/2017/NĐ-CP", "NĐ", "CP", None, "normative"),
    ("16/CT-TTg", "CT", "TTg", None, "state"),
    ("36-NQ/TW", "NQ", "TW", None, "party"),
    ("137/CĐ-TTg", "CĐ", "TTg", None, "state"),
    ("1621/QĐ-TTg", "QĐ", "TTg", None, "state"),
    ("152/KH-UBND", "KH", "UBND", None, "state"),
    ("13900/BTC-CST", "CV", "BTC", "CST", "state"),
    ("175/NQ-CP", "NQ", "CP", None, "state"),
    ("123/2020/NĐ-CP", "NĐ", "CP", None, "normative"),
    ("136/2024/QH15", "QH", "QH15", None, "assembly"),
    ("148/2025/QH15", "QH", "QH15", None, "assembly"),
    ("1560/VPCP-KGVX", "CV", "VPCP", "KGVX", "state"),
    ("12/2022/TT-BTTTT", "TT", "BTTTT", None, "normative"),
    ("01/2015/TTLT-BTC-BTTTT", "TTLT", "BTC-BTTTT", None, "normative"),
    ("07/2025/L-CTN", "L", "CTN", None, "normative"),
    ("36-HD/VPTW", "HD", "VPTW", None, "party"),
    ("14-KL/TW", "KL", "TW", None, "party"),
    ("3792-BC/BCSĐCP", "BC", "BCSĐCP", None, "party"),
    ("141/KH-BCĐTKNQ18", "KH", "BCĐTKNQ18", None, "state"),
]


@pytest.mark.parametrize(("number", "doc_type", "issuer", "unit", "family"), POSITIVE)
def test_positive_examples_are_found_typed_and_attributed(number, doc_type, issuer, unit, family):
    found = find_doc_numbers(f"Theo văn bản {number} của cơ quan có thẩm quyền.")
    assert [n.canonical for n in found] == [number]
    assert (found[0].doc_type, found[0].issuer, found[0].unit, found[0].family) == (doc_type, issuer, unit, family)
    assert found[0].type_name == DOC_TYPES[doc_type].name


VARIANTS = [
    ("Nghị định 17/2017/ND-CP", "17/2017/NĐ-CP"),
    ("quyết định 1621/qđ-ttg", "1621/QĐ-TTg"),
    ("Quyết định 1621/QD-TTG", "1621/QĐ-TTg"),
    ("Nghị định 17 / 2017 / NĐ - CP", "17/2017/NĐ-CP"),
    ("Nghị định 17/2017/N\u00d0-CP", "17/2017/NĐ-CP"),
    ("Nghị định 17/2017/NĐ\u2013CP", "17/2017/NĐ-CP"),
    ("Chỉ thị 02/CT\u2011TTg", "02/CT-TTg"),
    ("tải về 17_2017_NĐ-CP.pdf", "17/2017/NĐ-CP"),
    ("Quyết định 82/2005-QĐ-UBND", "82/2005/QĐ-UBND"),
    ("Nghị quyết 03-NQ/CP", "03/NQ-CP"),
    ("Số 02/CT-TTg.", "02/CT-TTg"),
    ("Quyết định 2.605/QĐ-TTg", "2605/QĐ-TTg"),  # a thousands dot some outlets print
    ("Công văn số 2380/SGDĐT-VP", "2380/SGDĐT-VP"),  # a province's department (Sở)
    ("Thông báo kết luận số 47-TB/TGV", "47-TB/TGV"),
    (unicodedata.normalize("NFD", "Nghị định 42/2022/NĐ-CP"), "42/2022/NĐ-CP"),
]


@pytest.mark.parametrize(("text", "canonical"), VARIANTS)
def test_variants_are_repaired_to_the_canonical_form(text, canonical):
    assert [n.canonical for n in find_doc_numbers(text)] == [canonical]


NEGATIVE = [
    "ngày 17/2/2017", "19/05/2021 11:45", "ngày 10/10", "lãi suất 20%/năm", "mạng 4G/LTE", "phục vụ 24/7",
    "giảm 1/2", "hoàn thành 15/27 nhiệm vụ", "đạt 8/10 điểm", "1/3 dân số", "3/63 tỉnh", "Ảnh: VGP/Nhật Bắc",
    "tốc độ 100 km/h", "ISO 9001:2015", "TCVN 13259:2020", "Quốc lộ 279", "COVID-19", "CMCN4.0", "tỷ số 3-2",
    "5/TB", "năm 2021/2022", "giai đoạn 2021-2025", "Tạp chí số 1/2024", "12/2024/abc",
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative_examples_are_rejected(text):
    assert find_doc_numbers(text) == []


def test_never_repairs_hd_or_da_and_keeps_hd_distinct():
    found = find_doc_numbers("Hợp đồng 12/HĐ-UBND và hướng dẫn 36-HD/VPTW, đề án 5/ĐA-UBND")
    assert [n.canonical for n in found] == ["12/HĐ-UBND", "36-HD/VPTW", "05/ĐA-UBND"]
    assert [n.directive_weight for n in found] == [0, 2, 2]


def test_issue_date_right_after_the_number():
    text = ("Quyết định số 749/QĐ-TTg ngày 3 tháng 6 năm 2020 của Thủ tướng và Thông báo 112/TB-VPCP "
            "ngày 05/04/2024 của Văn phòng Chính phủ; Nghị định 13/2023/NĐ-CP.")
    found = find_doc_numbers(text)
    assert [(n.canonical, n.issue_date) for n in found] == [
        ("749/QĐ-TTg", date(2020, 6, 3)), ("112/TB-VPCP", date(2024, 4, 5)), ("13/2023/NĐ-CP", None)]
    assert found[0].key == "749/QĐ-TTg@2020"
    assert text[found[1].start:found[1].end] == "112/TB-VPCP"


def test_assembly_documents_take_their_kind_from_the_anchor_word():
    law, resolution = find_doc_numbers("Luật Chuyển đổi số số 148/2025/QH15 và Nghị quyết số 136/2024/QH15")
    assert (law.doc_type, law.type_name, law.year) == ("LUAT", "Luật", 2025)
    assert resolution.doc_type == "NQQH"


def test_cong_van_needs_two_groups_or_an_anchor():
    assert find_doc_numbers("gửi kèm 1234/UBND") == []
    assert [n.canonical for n in find_doc_numbers("Công văn số 1234/UBND")] == ["1234/UBND"]
    assert find_doc_numbers("mã 17380/QLX-ĐK") == []  # unknown issuer


def test_directive_weights_follow_the_table():
    weights = {n.canonical: n.directive_weight for n in find_doc_numbers(
        "02/CT-TTg, 1560/VPCP-KGVX, 13900/BTC-CST, 112/TB-VPCP, 5/TB-BKHCN, 10/BC-UBND, 7/2025/L-CTN, 12-CV/TU")}
    assert weights == {"02/CT-TTg": 3, "1560/VPCP-KGVX": 3, "13900/BTC-CST": 2, "112/TB-VPCP": 3,
                       "05/TB-BKHCN": 2, "10/BC-UBND": 0, "07/2025/L-CTN": 1, "12-CV/TU": 1}


def test_ordinary_word_after_a_hyphen_is_not_swallowed():
    found = find_doc_numbers("theo Nghị định 17/2017/NĐ-CP - Thu Hà")
    assert [n.canonical for n in found] == ["17/2017/NĐ-CP"]


@pytest.mark.parametrize(("typed", "canonical"), [
    ("17/2017/ND-CP", "17/2017/NĐ-CP"), ("17/2017/nđ-cp", "17/2017/NĐ-CP"), ("Số: 05/CT-TTg", "05/CT-TTg"),
    ("1560/vpcp-kgvx", "1560/VPCP-KGVX"), ("36-nq/tw", "36-NQ/TW"), ("5/TB", None), ("12/2024/abc", None),
    ("", None), ("chuyển đổi số", None),
])
def test_canonicalize_for_search(typed, canonical):
    assert canonicalize_doc_number(typed) == canonical


def test_public_tables():
    assert DOC_TYPES["CT"].weight == 3 and DOC_TYPES["CĐ"].name == "Công điện"
    assert ISSUERS["VPCP"] == "Văn phòng Chính phủ"
