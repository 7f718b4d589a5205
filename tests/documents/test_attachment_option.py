"""The source option ``attachments``: on by default for official and ministry sources, off for press; validated."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.errors import ConfigError
from newswatch.sources import load_sources


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_default_by_tier_and_explicit_values(tmp_path: Path) -> None:
    sources = load_sources(write(tmp_path, """sources:
  - {name: cp, tier: official, feeds: [https://baochinhphu.vn/rss/home.rss]}
  - {name: bo, tier: ministry, feeds: [https://mst.gov.vn/rss/a.rss], attachments: false}
  - {name: bao, feeds: [https://vnexpress.net/rss/tin-moi-nhat.rss]}
  - {name: bao2, feeds: [https://vietnamnet.vn/rss/thoi-su.rss], attachments: true}
"""))
    assert [s.reads_attachments for s in sources] == [True, False, False, True]


def test_bad_value_names_file_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, "sources:\n  - {name: bo, feeds: [https://mst.gov.vn/rss/a.rss], attachments: perhaps}\n")
    with pytest.raises(ConfigError) as error:
        load_sources(path)
    assert "sources.yaml" in str(error.value) and "sources[0].attachments" in str(error.value)
