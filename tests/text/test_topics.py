"""Topic tagging: phrases, not single words; old- and new-style tone placement; NFD input."""

from __future__ import annotations

import unicodedata

import pytest

from newswatch.text.topics import TOPICS, tag_topics

REQUIRED_IDS = ["chuyen-doi-so", "an-toan-thong-tin", "lua-dao-truc-tuyen", "bao-chi-xuat-ban", "vien-thong",
                "buu-chinh", "cong-nghe-so", "tri-tue-nhan-tao", "khoa-hoc-cong-nghe", "to-chuc-bo-may"]


def test_topic_ids_and_labels():
    assert list(TOPICS) == REQUIRED_IDS
    assert TOPICS["chuyen-doi-so"] == "Chuyển đổi số"


@pytest.mark.parametrize(("text", "topic"), [
    ("Tỉnh đẩy mạnh chuyển đổi số trong các cơ quan nhà nước.", "chuyen-doi-so"),
    ("Người dân nộp hồ sơ qua Cổng Dịch vụ công quốc gia.", "chuyen-doi-so"),
    ("Đẩy mạnh số hoá hồ sơ, tài liệu lưu trữ.", "chuyen-doi-so"),  # old-style tone placement
    ("Đẩy mạnh số hóa hồ sơ, tài liệu lưu trữ.", "chuyen-doi-so"),
    ("Tổ công tác triển khai Đề án 06 họp phiên thường kỳ.", "chuyen-doi-so"),
    ("Hệ thống bị tấn công mạng bằng mã độc tống tiền.", "an-toan-thong-tin"),
    ("Cảnh báo thủ đoạn lừa đảo chiếm đoạt tài sản qua mạng.", "lua-dao-truc-tuyen"),
    ("Bộ rà soát quy hoạch báo chí và xử lý tình trạng báo hóa tạp chí.", "bao-chi-xuat-ban"),
    ("Nhà mạng chuẩn bị tắt sóng 2G trên toàn quốc.", "vien-thong"),
    ("Bưu điện Việt Nam phát triển dịch vụ bưu chính công ích.", "buu-chinh"),
    ("Việt Nam đào tạo nhân lực bán dẫn và thiết kế vi mạch.", "cong-nghe-so"),
    ("Ứng dụng trí tuệ nhân tạo trong y tế.", "tri-tue-nhan-tao"),
    ("Ứng dụng AI tạo sinh trong dịch vụ hành chính.", "tri-tue-nhan-tao"),
    ("Phát triển khoa học, công nghệ và đổi mới sáng tạo.", "khoa-hoc-cong-nghe"),
    ("Sắp xếp tổ chức bộ máy, vận hành chính quyền địa phương 2 cấp.", "to-chuc-bo-may"),
])
def test_phrases_tag_their_topic(text, topic):
    assert topic in tag_topics(text)


@pytest.mark.parametrize("text", [
    "Số 5 đường Trần Phú; số liệu cho thấy số lượng tăng.",  # "số" alone
    "Chuyển đổi xanh và chuyển đổi năng lượng là xu hướng tất yếu.",  # "chuyển đổi" alone
    "Chuyển đổi mục đích sử dụng đất nông nghiệp.",
    "Công ty chuyển đổi số liệu kế toán sang phần mềm mới.",  # "chuyển đổi số liệu" = converting figures
    "Gọi tổng đài chuyển đổi số điện thoại 11 số sang 10 số.",  # a phone number, not the transformation
])
def test_not_digital_transformation(text):
    assert "chuyen-doi-so" not in tag_topics(text)


def test_words_written_alike_in_both_tone_styles_match_their_phrases():
    # "thoại", "toàn" and "quả" are spelled the same in the old and new styles: a phrase holding them matches
    assert "lua-dao-truc-tuyen" in tag_topics("Người dân cần cảnh giác với lừa đảo qua điện thoại.")


def test_lowercase_ai_is_the_word_who():
    assert "tri-tue-nhan-tao" not in tag_topics("Ai cũng hỏi ai là người chịu trách nhiệm.")


def test_a_passing_supporting_word_does_not_tag():
    assert tag_topics("Ông trả lời phỏng vấn báo chí sau cuộc họp.") == []


def test_nfd_and_title():
    nfd = unicodedata.normalize("NFD", "Uỷ ban Quốc gia về chuyển đổi số họp phiên thứ 9")
    assert tag_topics(nfd) == ["chuyen-doi-so"]
    assert "bao-chi-xuat-ban" in tag_topics("Nội dung chính của hội nghị.", title="Luật Báo chí sửa đổi")


def test_anchor_documents_add_their_topic():
    assert tag_topics("Triển khai Nghị quyết 57-NQ/TW của Bộ Chính trị.") == ["chuyen-doi-so"]
