"""Directive signal on pages as outlets write them: number only in the headline or the sapo, syndicated
copies, explain, filters that agree with search, and an upgraded archive recomputed without re-alerting."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from directive_corpus import Case, render_page
from monitor_helpers import make_settings

from monitor import store
from monitor.engine import Monitor
from newswatch.cli import cli
from newswatch.extract import extract_article
from newswatch.models import Article
from newswatch.store import open_store
from newswatch.store.base import SearchQuery

CDS = "cds-new-directives"
LOCAL = "+07:00"


def _case(case_id: str, when: str, title: str, lead: str, body: str, related: list[str] | None = None,
          outlet: str = "baochinhphu.vn") -> Case:
    return Case(id=case_id, pattern="test", outlet=outlet, published=datetime.fromisoformat(when + LOCAL),
                title=title, lead=lead, body=body, related=related or [], numbers=set(), issued=set(), alerts=set())


def _article(case: Case, source: str) -> Article:
    return extract_article(render_page(case), f"https://{case.outlet}/{case.id}.htm", source=source)


# The Prime Minister's directive as three outlets reported it: the number only in the headline, only
# in the sapo, and in the body of a rewrite; teaser boxes around each carry other documents' numbers.
TEASERS = ["Chỉ thị 05/CT-TTg: Tăng cường phòng, chống lừa đảo trực tuyến",
           "Quyết định 1131/QĐ-TTg ban hành danh mục công nghệ chiến lược"]
ORIGINAL = _case(
    "chi-thi-11-ct-ttg", "2026-12-04T20:30",
    "Chỉ thị 11/CT-TTg: Đẩy mạnh khai thác dữ liệu dân cư, định danh điện tử phục vụ người dân",
    "(Chinhphu.vn) - Thủ tướng Chính phủ vừa ký ban hành Chỉ thị về đẩy mạnh khai thác, sử dụng dữ liệu dân cư, "
    "định danh và xác thực điện tử trong giải quyết thủ tục hành chính, cung cấp dịch vụ công trực tuyến.",
    "Chỉ thị nêu rõ, thời gian qua việc kết nối cơ sở dữ liệu quốc gia về dân cư với các hệ thống thông tin "
    "của bộ, ngành, địa phương đã đạt kết quả quan trọng, tuy nhiên nhiều nơi vẫn yêu cầu người dân nộp bản sao "
    "giấy tờ.\n\nThủ tướng yêu cầu các bộ, ngành, địa phương không yêu cầu người dân xuất trình giấy tờ khi thông "
    "tin đã có trong cơ sở dữ liệu quốc gia về dân cư hoặc trên ứng dụng VNeID.\n\nChỉ thị giao Bộ Công an hoàn "
    "thành nâng cấp nền tảng định danh và xác thực điện tử trước tháng 3/2027.", TEASERS)
COPY_SAPO = _case(
    "thu-tuong-chi-thi-du-lieu-dan-cu", "2026-12-04T21:10",
    "Thủ tướng yêu cầu dừng đòi bản sao giấy tờ khi dữ liệu đã có trên VNeID",
    "Thủ tướng Chính phủ Phạm Minh Chính vừa ký Chỉ thị số 11/CT-TTg về đẩy mạnh khai thác dữ liệu dân cư, "
    "định danh điện tử phục vụ giải quyết thủ tục hành chính.",
    "Theo Chỉ thị, cơ quan nhà nước không được yêu cầu người dân xuất trình giấy tờ, bản sao nếu thông tin đã có "
    "trong cơ sở dữ liệu quốc gia về dân cư hoặc ví giấy tờ trên VNeID.\n\nBộ Công an được giao hoàn thành nâng "
    "cấp ứng dụng VNeID để các cơ quan khai thác trực tiếp dữ liệu trước tháng 3/2027; người đứng đầu để xảy ra "
    "vi phạm sẽ bị xem xét trách nhiệm.", TEASERS, outlet="vnexpress.net")
COPY_BODY = _case(
    "dung-doi-ban-sao-giay-to", "2026-12-05T07:15",
    "Không đòi bản sao giấy tờ khi dữ liệu đã có trên VNeID",
    "Người dân làm thủ tục hành chính sẽ không phải nộp bản sao căn cước, giấy khai sinh nếu dữ liệu đã được số hóa.",
    "Nội dung này nằm trong Chỉ thị số 11/CT-TTg ngày 4/12/2026 của Thủ tướng Chính phủ về đẩy mạnh khai thác "
    "dữ liệu dân cư, định danh điện tử phục vụ giải quyết thủ tục hành chính.\n\nTheo Chỉ thị, các bộ, ngành, "
    "địa phương phải kết nối hệ thống giải quyết thủ tục hành chính với cơ sở dữ liệu quốc gia về dân cư, bảo "
    "đảm khai thác dữ liệu trực tiếp thay cho giấy tờ.", TEASERS, outlet="laodongthudo.vn")


def test_headline_and_sapo_numbers_alert_once_across_copies_and_search_finds_every_copy(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    monitor = Monitor(settings)
    archive = open_store(settings)
    created = []
    for case, source in ((ORIGINAL, "baochinhphu"), (COPY_SAPO, "vnexpress"), (COPY_BODY, "laodongthudo")):
        article = _article(case, source)
        assert article.canonical_doc_numbers == ["11/CT-TTg"], (case.id, article.canonical_doc_numbers)  # no teaser
        archive.put(article)
        created += monitor.on_article(article)
    assert [(a.rule, a.key) for a in created] == [(CDS, "11/CT-TTg@2026")]
    alert = store.get_alert(monitor.db, created[0].id)
    assert alert is not None and len(alert["articles"]) == 3
    assert alert["articles"][0]["source"] == "baochinhphu"
    found = archive.search(SearchQuery(doc_numbers=["11/ct-ttg"], collapse_clusters=False, limit=10))
    assert {h.article.source for h in found.hits} == {"baochinhphu", "vnexpress", "laodongthudo"}
    teaser = archive.search(SearchQuery(doc_numbers=["05/CT-TTg"], collapse_clusters=False))
    assert teaser.total == 0  # the teaser boxes' numbers are nobody's document
    archive.close()


def test_a_number_cited_in_the_headline_is_not_bound_to_a_provincial_plan(tmp_path: Path) -> None:
    monitor = Monitor(make_settings(tmp_path))
    article = _article(_case(
        "thanh-hoa-ke-hoach", "2026-12-04T10:00",
        "Thanh Hóa triển khai Chỉ thị 11/CT-TTg về khai thác dữ liệu dân cư",
        "UBND tỉnh Thanh Hóa vừa ban hành Kế hoạch triển khai Chỉ thị của Thủ tướng về đẩy mạnh khai thác dữ liệu "
        "dân cư, định danh điện tử trên địa bàn tỉnh.",
        "Kế hoạch đặt mục tiêu đến hết quý I/2027, 100% thủ tục hành chính của tỉnh khai thác dữ liệu từ cơ sở dữ "
        "liệu quốc gia về dân cư thay cho bản sao giấy tờ.\n\nSở Khoa học và Công nghệ chủ trì, phối hợp Công an "
        "tỉnh hướng dẫn các xã, phường kết nối hệ thống một cửa điện tử.", outlet="baothanhhoa.vn"), "baothanhhoa")
    assert monitor.on_article(article) == []
    [verdict] = [f for f in monitor.rules.get(CDS).explain(article, monitor.ctx)]  # type: ignore[union-attr]
    assert not verdict.details["fires"] and "cited" in verdict.details["reason"]


@pytest.mark.parametrize("written", ["ND", "nđ", "Nghị định"])
def test_a_rule_on_a_type_written_like_the_search_filter_fires(tmp_path: Path, written: str) -> None:
    rules = f"""
rules:
  - name: decrees
    type: new_directive
    doc_types: [{written}]
    issuers: [government]
"""
    settings = make_settings(tmp_path, rules)
    article = _article(_case(
        "nghi-dinh-309", "2026-11-22T09:30", "Chính phủ quy định về sàn dữ liệu",
        "Chính phủ vừa ban hành Nghị định 309/2026/NĐ-CP quy định về sàn dữ liệu, dịch vụ trung gian dữ liệu.",
        "Theo nghị định, sàn dữ liệu phải do doanh nghiệp Việt Nam vận hành, đặt hệ thống máy chủ tại Việt Nam và "
        "được cơ quan có thẩm quyền cấp phép trước khi hoạt động.\n\nDữ liệu cá nhân chỉ được giao dịch khi có sự "
        "đồng ý của chủ thể dữ liệu."), "baochinhphu")
    archive = open_store(settings)
    archive.put(article)
    assert archive.search(SearchQuery(doc_types=[written])).total == 1
    archive.close()
    assert [a.key for a in Monitor(settings).on_article(article)] == ["309/2026/NĐ-CP"]


def test_an_unknown_issuer_or_type_in_a_rule_is_rejected_at_load(tmp_path: Path) -> None:
    from monitor.config import load_rules
    from newswatch.errors import ConfigError

    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - name: r\n    type: new_directive\n    doc_types: [CT]\n    issuers: [Thutuong]\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_rules(path)
    assert "rules[0] (r).issuers" in str(error.value) and "central" in str(error.value)


def _archive_articles() -> list[Article]:
    return [_article(ORIGINAL, "baochinhphu"), _article(COPY_SAPO, "vnexpress"), _article(COPY_BODY, "laodongthudo")]


def test_dry_run_says_what_the_live_run_does(tmp_path: Path) -> None:
    (tmp_path / "dry").mkdir()
    (tmp_path / "live").mkdir()
    dry_settings = make_settings(tmp_path / "dry")
    archive = open_store(dry_settings)
    for article in _archive_articles():
        archive.put(article)
    hits = Monitor(dry_settings, article_store=archive).dry_run(CDS)
    live = Monitor(make_settings(tmp_path / "live"), article_store=archive)
    counts = live.rerun(CDS, None)
    assert counts["alerts"] == len([h for h in hits if h.action == "alert"]) == 1
    assert counts["attached"] == len([h for h in hits if h.action == "attach"]) == 2
    archive.close()


def test_rules_test_explain_gives_a_reason_for_every_number(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    archive = open_store(settings)
    article = _article(_case(
        "tinh-nghe-an", "2026-12-03T09:00", "Nghệ An ban hành kế hoạch chuyển đổi số năm 2027",
        "UBND tỉnh Nghệ An vừa ban hành Kế hoạch số 412/KH-UBND về chuyển đổi số năm 2027.",
        "Kế hoạch được ban hành nhằm thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị và Quyết "
        "định số 749/QĐ-TTg của Thủ tướng Chính phủ phê duyệt Chương trình Chuyển đổi số quốc gia.\n\nTheo kế "
        "hoạch, tỉnh phấn đấu 100% hồ sơ thủ tục hành chính được số hóa và xử lý trên môi trường điện tử."),
        "baonghean")
    archive.put(article)
    archive.close()
    args = ["--config-dir", str(settings.config_dir), "--data-dir", str(settings.data_dir)]
    result = CliRunner().invoke(cli, [*args, "rules", "test", CDS, "--explain", "--json"])
    assert result.exit_code == 0, result.output
    [row] = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    reasons = {v["doc_number"]: v["reason"] for v in row["numbers"]}
    assert set(reasons) == {"412/KH-UBND", "57-NQ/TW", "749/QĐ-TTg"}
    assert reasons["412/KH-UBND"].startswith("issuer UBND not in the rule")
    assert reasons["57-NQ/TW"].startswith("cited") and reasons["749/QĐ-TTg"].startswith("cited")
    text = CliRunner().invoke(cli, [*args, "rules", "test", CDS, "--explain"])
    assert "0 number(s) that fire" in text.output and "cited (“thực hiện …” before it)" in text.output


def test_an_upgraded_archive_is_recomputed_and_rerun_without_alerting_twice(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    monitor = Monitor(settings)
    archive = open_store(settings)
    old_style = []
    for article in _archive_articles():
        # as an older newswatch stored them: numbers from the body only, not marked by this enrichment
        article.doc_numbers = [n for n in article.doc_numbers if n.segment == "text"]
        article.extraction.pop("enriched", None)
        old_style.append(article)
    archive.import_articles(old_style)
    archive.close()
    assert [a.key for a in monitor.on_article(old_style[2])] == ["11/CT-TTg@2026"]  # the body copy alerted then

    args = ["--config-dir", str(settings.config_dir), "--data-dir", str(settings.data_dir)]
    before = CliRunner().invoke(cli, [*args, "search", "--doc-number", "11/CT-TTg", "--all-copies", "--json"])
    recomputed = CliRunner().invoke(cli, [*args, "reindex", "--recompute", "--json"])
    assert recomputed.exit_code == 0, recomputed.output
    counts = json.loads(recomputed.output)
    assert counts["articles"] == 3 and counts["changed"] == 2
    after = CliRunner().invoke(cli, [*args, "search", "--doc-number", "11/CT-TTg", "--all-copies", "--json"])
    assert len(json.loads(after.output)["hits"]) == 3 > len(json.loads(before.output)["hits"]) == 1

    rerun = CliRunner().invoke(cli, [*args, "rules", "run", "--since", "2026-12-01", "--json"])
    assert rerun.exit_code == 0, rerun.output
    assert json.loads(rerun.output)["alerts"] == 0  # the directive had alerted: its copies attach
    [alert] = store.list_alerts(monitor.db, limit=10)
    assert len(store.get_alert(monitor.db, alert["id"])["articles"]) == 3  # type: ignore[index]


@pytest.mark.parametrize(("body_first", "alerts"), [
    ("Chỉ thị nêu rõ, thời gian qua nhiều hệ thống thông tin của cơ quan nhà nước bị tấn công, dữ liệu bị mã hóa "
     "đòi tiền chuộc.", ["09/CT-TTg@2026"]),
    ("Chỉ thị được Thủ tướng ký ngày 12/3/2024, sau loạt vụ tấn công mã hóa dữ liệu đòi tiền chuộc nhằm vào doanh "
     "nghiệp lớn.", []),  # the article itself says it is old: the headline does not make it news
])
def test_a_headline_that_is_the_document_reports_it_unless_the_article_says_otherwise(
        tmp_path: Path, body_first: str, alerts: list[str]) -> None:
    monitor = Monitor(make_settings(tmp_path))
    article = _article(_case(
        "chi-thi-09", "2026-11-27T19:45", "Chỉ thị 09/CT-TTg: Bảo đảm an toàn thông tin mạng cho hệ thống thông tin "
        "của cơ quan nhà nước", "Thủ tướng yêu cầu người đứng đầu các cơ quan chịu trách nhiệm trực tiếp về an toàn "
        "thông tin mạng trong xây dựng Chính phủ số.",
        f"{body_first}\n\nCác bộ, ngành, địa phương phải rà soát, phân loại hệ thống thông tin theo cấp độ, triển khai "
        "giám sát an toàn thông tin 24/7 và diễn tập ứng cứu sự cố ít nhất một lần mỗi năm."), "baochinhphu")
    assert [a.key for a in monitor.on_article(article)] == alerts
