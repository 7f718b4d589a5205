"""Configuration loading: the shipped files are valid, and mistakes are reported with file, key and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswatch.durations import duration_seconds as parse_duration
from newswatch.errors import ConfigError
from newswatch.settings import PROJECT_ROOT, load_settings
from newswatch.sources import load_sources, select_sources


def write(tmp_path: Path, text: str, name: str = "sources.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_sources_are_valid_and_cover_the_seed_sites() -> None:
    sources = load_sources(PROJECT_ROOT / "config" / "sources.yaml")
    names = {s.name for s in sources}
    assert {"baochinhphu", "mst", "laodongthudo", "baophapluat", "truyenhinhthanhhoa", "vnexpress",
            "vietnamnet"} <= names
    official = [s for s in sources if s.tier in ("official", "ministry")]
    assert official and all(s.effective_schedule.interval == 60 for s in official)


def test_minimal_source_form_gets_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, """
sources:
  - name: baochinhphu
    feeds: [https://baochinhphu.vn/rss/home.rss]
  - name: laodongthudo
    listings: [https://laodongthudo.vn/thoi-su]
""")
    first, second = load_sources(path)
    assert first.allowed_domains == ["baochinhphu.vn"]
    assert second.allowed_domains == ["laodongthudo.vn"]
    assert second.effective_schedule.adaptive
    assert not first.render_js


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("sources:\n  - name: x\n", "sources[0]", "feeds, sitemaps, listings"),
        ("sources:\n  - name: x\n    feeds: [baochinhphu.vn/rss]\n", "sources[0].feeds", "absolute"),
        ("sources:\n  - name: Bad Name\n    feeds: [https://a.vn/rss]\n", "sources[0].name", "lower-case"),
        ("sources:\n  - name: x\n    feeds: [https://a.vn/rss]\n    feed: []\n", "sources[0].feed", "spelling"),
        ("sources:\n  - name: x\n    feeds: [https://a.vn/rss]\n    article_pattern: '(['\n",
         "sources[0].article_pattern", "regular expression"),
        ("sources:\n  - name: x\n    feeds: [https://a.vn/rss]\n    schedule: {interval: soon}\n",
         "sources[0].schedule.interval", "duration"),
        ("sources:\n  - name: x\n    feeds: [https://a.vn/rss]\n  - name: x\n    feeds: [https://b.vn/rss]\n",
         "sources", "twice"),
    ],
)
def test_mistakes_name_file_key_and_fix(tmp_path: Path, text: str, key: str, words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    message = str(caught.value)
    assert str(path) in message
    assert key in message
    assert words in message


def test_yaml_syntax_error_gives_line(tmp_path: Path) -> None:
    path = write(tmp_path, "sources:\n  - name: x\n   feeds: [\n")
    with pytest.raises(ConfigError, match=r"line \d+"):
        load_sources(path)


def test_unknown_source_name_lists_known_ones(tmp_path: Path) -> None:
    path = write(tmp_path, "sources:\n  - name: a\n    feeds: [https://a.vn/rss]\n")
    with pytest.raises(ConfigError, match="use one of: a"):
        select_sources(load_sources(path), ["b"], path)


def test_durations() -> None:
    assert parse_duration("90s") == 90
    assert parse_duration("5m") == 300
    assert parse_duration(2) == 2
    with pytest.raises(ValueError):
        parse_duration("soon")


def test_settings_come_from_environment(tmp_path: Path) -> None:
    env = {"NEWSWATCH_DATA_DIR": str(tmp_path / "d"), "NEWSWATCH_ES_URL": "http://127.0.0.1:9999",
           "NEWSWATCH_NOTIFY_URLS": "json://127.0.0.1:1/x mailto://a@b", "NEWSWATCH_USERS": "ana:$argon2id$x"}
    settings = load_settings(config_dir=PROJECT_ROOT / "config", env=env)
    assert settings.store == "elasticsearch"
    assert settings.es_url == "http://127.0.0.1:9999"
    assert settings.data_dir == (tmp_path / "d").resolve()
    assert settings.state_url.endswith("state.db")
    assert settings.notify_urls == ["json://127.0.0.1:1/x", "mailto://a@b"]
    assert settings.users == {"ana": "$argon2id$x"}


def test_bad_service_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "newswatch.yaml").write_text("official_poll_seconds: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config_dir=tmp_path, env={})
    assert "newswatch.yaml" in str(caught.value) and "official_poll_seconds" in str(caught.value)


OFFICIAL = "sources:\n  - name: vb\n    kind: official_listing\n    listings: [https://vanban.chinhphu.vn/he-thong-van-ban]\n"


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        (OFFICIAL, "sources[0]", "Fix: add 'official: {layout: vanban_chinhphu}'"),
        (OFFICIAL + "    official: {layout: vanban}\n", "sources[0].official.layout",
         "not a known layout. Fix: use one of vanban_chinhphu, congbao, table"),
        (OFFICIAL + "    official: {row: 'tr[', number: td}\n", "sources[0].official.row",
         "not a CSS selector"),
        (OFFICIAL + "    official: {date: td.ngay}\n", "sources[0].official",
         "needs a layout or the selectors row and number"),
        (OFFICIAL + "    official: {layout: table, date_format: dd/mm/yyyy}\n", "sources[0].official.date_format",
         "strptime format"),
        (OFFICIAL + "    official: {layout: table, detail: sometimes}\n", "sources[0].official.detail", "when_missing"),
        (OFFICIAL + "    feeds: [https://vanban.chinhphu.vn/rss]\n    official: {layout: vanban_chinhphu}\n",
         "sources[0]", "second source of kind news"),
        ("sources:\n  - name: x\n    listings: [https://a.vn/van-ban]\n    official: {layout: table}\n",
         "sources[0]", "Fix: add 'kind: official_listing'"),
        ("sources:\n  - name: x\n    kind: gazette\n    listings: [https://a.vn/van-ban]\n", "sources[0].kind",
         "official_listing"),
    ],
)
def test_official_listing_mistakes_name_file_key_and_fix(tmp_path: Path, text: str, key: str, words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    message = str(caught.value)
    assert f"{path}: {key}:" in message, message
    assert words in message, message


def test_official_layout_selectors_can_be_overridden(tmp_path: Path) -> None:
    path = write(tmp_path, OFFICIAL + "    official: {layout: congbao, number: 'span.so-hieu', issuer_name: Bộ Tài chính}\n")
    (source,) = load_sources(path)
    assert source.kind == "official_listing" and source.official is not None
    selectors = source.official.selectors
    assert selectors["number"] == "span.so-hieu"  # given
    assert selectors["row"] == "div.item--vb"  # from the preset
    assert source.official.issuer_name == "Bộ Tài chính"
