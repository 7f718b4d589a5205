"""Text normalisation: tone placement unified for matching, only where the two styles differ."""

from __future__ import annotations

import pytest

from newswatch.text.normalize import normalize_tone


@pytest.mark.parametrize(("old_style", "new_style"), [
    ("hoà bình", "hòa bình"), ("Uỷ ban", "Ủy ban"), ("sức khoẻ", "sức khỏe"), ("thuỷ điện", "thủy điện"),
    ("HOÀ GIẢI", "HÒA GIẢI"), ("xoá bỏ", "xóa bỏ"), ("số hoá.", "số hóa."),
])
def test_old_style_tone_placement_becomes_new_style(old_style: str, new_style: str) -> None:
    assert normalize_tone(old_style) == new_style


@pytest.mark.parametrize("text", [
    "toàn quốc", "điện thoại", "kế hoạch", "Hoàng Sa", "hoài bão", "quý I", "kết quả", "QUÝ", "khoèo",
])
def test_syllables_written_alike_in_both_styles_are_left_alone(text: str) -> None:
    assert normalize_tone(text) == text
