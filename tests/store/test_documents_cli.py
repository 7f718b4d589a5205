"""``newswatch documents`` as a user runs it: the list, one document, rebuild, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from document_articles import corpus_article, official_entry_article

from newswatch.cli import cli
from newswatch.store.sqlite import SQLiteStore


@pytest.fixture
def archive(settings) -> Path:  # type: ignore[no-untyped-def]
    with SQLiteStore(settings.articles_db) as store:
        for case in ("syndicated-rewrites-12", "syndicated-rewrites-09", "syndicated-rewrites-07",
                     "approval-of-strategy-01", "without-so-01", "cong-dien-01"):
            store.put(corpus_article(case))
        store.put(official_entry_article())
    return settings.data_dir


def run(data_dir: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), "documents", *args])
    return result.exit_code, result.output


def test_list_as_json_with_filters(archive: Path) -> None:
    code, out = run(archive, "--json")
    assert code == 0
    page = json.loads(out)
    keys = [r["key"] for r in page["records"]]
    assert "2476/QĐ-TTg@2026" in keys and page["total"] == len(keys)
    code, out = run(archive, "--type", "Nghị định", "--json")
    assert [r["key"] for r in json.loads(out)["records"]] == ["309/2026/NĐ-CP"]
    code, out = run(archive, "--issuer", "TTg", "--status", "confirmed", "--json")
    confirmed = json.loads(out)["records"]
    assert [r["key"] for r in confirmed] == ["2476/QĐ-TTg@2026"]
    assert confirmed[0]["counts"] == {"official": 1, "reported": 2, "cited": 1}
    assert confirmed[0]["first_publisher"]["source"] == "baochinhphu.vn"
    assert confirmed[0]["first_seen_at"].endswith("+07:00")  # in the configured time zone
    code, out = run(archive, "--month", "2021-01", "--json")
    assert [r["key"] for r in json.loads(out)["records"]] == ["127/QĐ-TTg@2021"]


def test_list_as_a_table(archive: Path) -> None:
    code, out = run(archive, "--type", "QĐ")
    assert code == 0
    assert "2476/QĐ-TTg@2026" in out and "confirmed" in out and "baochinhphu.vn" in out
    assert "309/2026/NĐ-CP" not in out.split("doc_type:")[0]


def test_show_one_document(archive: Path) -> None:
    code, out = run(archive, "show", "2476/qd-ttg")
    assert code == 0
    assert "Quyết định 2476/QĐ-TTg" in out and "confirmed" in out
    assert "https://vanban.chinhphu.vn/?pageid=27160&docid=214476" in out
    assert "2476-QD-TTg.pdf (ok)" in out
    timeline = out.split("timeline")[1]
    assert timeline.index("baochinhphu.vn") < timeline.index("dantri.com.vn") < timeline.index("baoninhbinh.org.vn")
    code, out = run(archive, "show", "2476/QĐ-TTg@2026", "--json")
    record = json.loads(out)
    assert record["status"] == "confirmed" and record["signer"] == "Nguyễn Chí Dũng"
    assert [m["kind"] for m in record["mentions"]] == ["reported", "reported", "official", "cited"]
    assert record["attachments"][0]["status"] == "ok"


def test_unknown_number_and_bad_filters_are_clear_errors(archive: Path) -> None:
    code, out = run(archive, "show", "9999/QĐ-TTg")
    assert code == 1 and "no document '9999/QĐ-TTg'" in out
    code, out = run(archive, "--type", "XYZ")
    assert code == 2 and "unknown document type 'XYZ'" in out
    code, out = run(archive, "--since", "hôm qua")
    assert code == 2 and "neither a span" in out


def test_rebuild_from_the_archive(archive: Path) -> None:
    _, before = run(archive, "--json", "--limit", "100")
    with SQLiteStore(archive / "articles.db") as store:
        store.documents.clear()
    _, empty = run(archive)
    assert "the register is empty" in empty
    code, out = run(archive, "rebuild")
    assert code == 0 and f"{json.loads(before)['total']} document(s) in the register" in out
    _, after = run(archive, "--json", "--limit", "100")
    assert json.loads(after) == json.loads(before)
