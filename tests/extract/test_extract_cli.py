"""``newswatch extract``: one JSON object on stdout; bad input is a message on stderr and a non-zero exit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from extract_pages import PAGES, load_fixture

KEYS = {"url", "title", "published", "author", "section", "lead", "text", "doc_numbers", "documents", "topics",
        "language", "dateline", "provenance", "extraction"}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newswatch", *args], capture_output=True, text=True, timeout=120)


def test_prints_one_json_object():
    _, expected = load_fixture("law-paper")
    result = run("extract", str(PAGES / "law-paper.html"), "--url", expected["url"])
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == KEYS
    assert data["title"] == expected["title"] and data["published"] == expected["published"]
    assert data["doc_numbers"] == expected["doc_numbers"]
    assert data["documents"][0]["type_name"] == "Nghị quyết"
    assert (data["extraction"]["method"], data["extraction"]["date_source"]) == ("trafilatura", "visible")


def test_source_profile_from_a_sources_file(tmp_path: Path):
    _, expected = load_fixture("vietnamnet-style")
    sources = tmp_path / "sources.yaml"
    profile = "\n".join(f"      {k}: {json.dumps(v, ensure_ascii=False)}" for k, v in expected["profile"].items())
    sources.write_text("sources:\n  - name: vietnamnet\n    feeds: [https://vietnamnet.example.vn/rss/home.rss]\n"
                       f"    profile:\n{profile}\n", encoding="utf-8")
    result = run("extract", str(PAGES / "vietnamnet-style.html"), "--url", expected["url"], "--source", "vietnamnet",
                 "--sources", str(sources))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["extraction"]["method"] == "profile" and data["author"] == "Thu Hà"


def test_bad_input_is_a_message_not_a_traceback(tmp_path: Path):
    garbage = tmp_path / "garbage.html"
    garbage.write_bytes(bytes(range(256)) * 100)
    for args in (["extract", str(garbage), "--url", "https://example.vn/a"],
                 ["extract", str(tmp_path / "missing.html"), "--url", "https://example.vn/a"],
                 ["extract", str(PAGES / "contact-page.html"), "--url", "https://example.vn/lien-he"],
                 ["extract", str(PAGES / "law-paper.html"), "--url", "https://example.vn/a", "--source", "nope",
                  "--sources", str(tmp_path / "none.yaml")]):
        result = run(*args)
        assert result.returncode != 0
        assert "Traceback" not in result.stderr and result.stderr.strip()
        assert result.stdout == ""
