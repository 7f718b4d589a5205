"""``newswatch search`` and ``newswatch reindex`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import store_corpus as corpus
from click.testing import CliRunner

from newswatch.cli import cli
from newswatch.store.sqlite import SQLiteStore


@pytest.fixture
def archive(settings) -> Path:  # type: ignore[no-untyped-def]
    with SQLiteStore(settings.articles_db) as store:
        for a in (corpus.original(), corpus.provincial_copy(), corpus.agency_copy(), corpus.same_topic_other_story(),
                  corpus.storm(), corpus.press()):
            store.put(a)
    return settings.data_dir


def invoke(data_dir: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_search_json(archive: Path) -> None:
    out = json.loads(invoke(archive, "search", "chuyen", "doi", "so", "--json"))
    assert out["total"] == 2
    top = next(h for h in out["hits"] if h["copies"])
    assert top["source"] == "baochinhphu" and len(top["copies"]) == 3
    assert "<mark>" in top["snippet"]
    assert out["facets"]["source"]["thanhhoatv"] == 1


def test_search_filters_and_all_copies(archive: Path) -> None:
    out = json.loads(invoke(archive, "search", "--doc-number", "13/2023/nd-cp", "--all-copies", "--json"))
    assert out["total"] == 3
    out = json.loads(invoke(archive, "search", "--since", "2025-06-01", "--until", "21/06/2025", "--json"))
    assert [h["title"] for h in out["hits"]] == [corpus.press().title]
    out = json.loads(invoke(archive, "search", "Bộ TT&TT", '"unbalanced', "--json"))
    assert out["total"] == 0


def test_search_human_output(archive: Path) -> None:
    out = invoke(archive, "search", "chỉ thị chuyển đổi số")
    assert "1 stories" in out
    assert corpus.original().title in out
    assert "3 copies" in out and "first" in out


def test_bad_date_is_a_clear_error(archive: Path) -> None:
    result = CliRunner().invoke(cli, ["--data-dir", str(archive), "search", "x", "--since", "hôm qua"])
    assert result.exit_code != 0 and "not a date" in result.output


@pytest.mark.elasticsearch
def test_reindex_to_elasticsearch_and_back(archive: Path, noida, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = json.loads(invoke(archive, "reindex", "--to", "elasticsearch", "--es-url", noida.url,
                            "--es-index", "reidx", "--json"))
    assert (out["copied"], out["destination_after"]) == (6, 6)
    again = json.loads(invoke(archive, "reindex", "--es-url", noida.url, "--es-index", "reidx", "--json"))
    assert (again["copied"], again["added"]) == (6, 0)
    fresh = tmp_path / "fresh"
    back = json.loads(invoke(fresh, "reindex", "--to", "sqlite", "--es-url", noida.url, "--es-index", "reidx", "--json"))
    assert (back["copied"], back["destination_after"]) == (6, 6)
    with SQLiteStore(fresh / "articles.db") as store:
        copies = store.cluster(corpus.original().cluster_id or store.get(corpus.original().id).cluster_id)
        assert [a.source for a in copies] == ["baochinhphu", "vietnamplus", "thanhhoatv"]
