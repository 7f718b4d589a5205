"""The JSON API and the pages, against a real SQLite store and state DB seeded through the store and monitor."""

from __future__ import annotations

import csv
import io

import feedparser
from fastapi.testclient import TestClient
from web_seed import PASSWORD, USER, XSS_TITLE, Seeded, csrf_of, login, make_client


def test_search_collapses_copies_into_one_story_with_facets(client: TestClient, seeded: Seeded) -> None:
    body = client.get("/api/search", params={"q": "chuyen doi so"}).json()
    stories = [h for h in body["hits"] if h["article"]["doc_numbers"] == ["15/CT-TTg"]]
    assert len(stories) == 1, "three copies of one story come back as one hit"
    assert {c["source"] for c in stories[0]["copies"]} >= {"truyenhinhthanhhoa", "laodongthudo"}
    assert "<mark>" in stories[0]["snippet"]
    assert body["facets"]["source"]["baochinhphu"] >= 1


def test_search_filters_by_source_and_document_number(client: TestClient, seeded: Seeded) -> None:
    only_vnexpress = client.get("/api/search", params={"source": "vnexpress"}).json()
    assert {h["article"]["source"] for h in only_vnexpress["hits"]} == {"vnexpress"}
    by_number = client.get("/api/search", params={"doc_number": "17/2017/nd-cp"}).json()
    assert [h["article"]["source"] for h in by_number["hits"]] == ["baophapluat"]
    bad_date = client.get("/api/search", params={"since": "hôm qua"})
    assert bad_date.status_code == 400


def test_search_page_renders_highlighted_snippets_and_facet_links(client: TestClient, seeded: Seeded) -> None:
    page = client.get("/search", params={"q": "chuyển đổi số"})
    assert page.status_code == 200
    assert "<mark>" in page.text
    assert "/search?q=chuy%E1%BB%83n+%C4%91%E1%BB%95i+s%E1%BB%91&amp;source=baochinhphu" in page.text
    assert "2 bản đăng lại" in page.text


def test_scraped_markup_renders_inert(client: TestClient, seeded: Seeded) -> None:
    for url in (f"/articles/{seeded.xss_id}", "/search?q=lừa+đảo", "/search"):
        html = client.get(url).text
        assert "<script>window.__pwned" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;window.__pwned" in html, url
    assert client.get(f"/api/articles/{seeded.xss_id}").json()["article"]["title"] == XSS_TITLE


def test_article_page_links_document_numbers_and_marks_first_publisher(client: TestClient, seeded: Seeded) -> None:
    html = client.get(f"/articles/{seeded.directive_ids[2]}").text
    assert 'href="/search?doc_number=15/CT-TTg"' in html or 'href="/search?doc_number=15%2FCT-TTg"' in html
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr")[1:]
    assert len(rows) == 3
    assert "baochinhphu" in rows[0] and "đăng đầu tiên" in rows[0]
    assert "đăng đầu tiên" not in rows[1] + rows[2]
    data = client.get(f"/api/articles/{seeded.directive_ids[2]}").json()
    assert [c["source"] for c in data["copies"]] == ["baochinhphu", "truyenhinhthanhhoa", "laodongthudo"]
    assert client.get("/articles/nope").status_code == 404
    assert "Vì sao cảnh báo hay không" not in html  # evaluating the rules is for logged-in users


def test_a_logged_in_user_sees_why_each_number_did_or_did_not_alert(client: TestClient, seeded: Seeded) -> None:
    login(client)
    html = client.get(f"/articles/{seeded.directive_ids[0]}").text
    section = html.split('<section class="explain">')[1].split("</section>")[0]
    assert "cds-new-directives" in section and "15/CT-TTg" in section
    assert "issued (“" in section and "cảnh báo" in section
    rows = section.split("<h3>gov-new-directives</h3>")[1]
    assert "topics do not match" in rows  # the other-directives rule leaves the digital one to its rule


def test_csv_export_has_one_row_per_story(client: TestClient, seeded: Seeded) -> None:
    response = client.get("/search.csv", params={"q": "chuyển đổi số"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    story = [r for r in rows if r["doc_numbers"] == "15/CT-TTg"]
    assert len(story) == 1 and story[0]["copies"] == "3"
    xss = client.get("/search.csv", params={"q": "lừa đảo"}).text
    assert "=" not in [c[:1] for c in xss.splitlines()]


def test_alert_needs_login_and_csrf_then_records_who(client: TestClient, seeded: Seeded) -> None:
    alerts = client.get("/api/alerts").json()["alerts"]
    assert alerts[0]["doc_number"] == "15/CT-TTg" and alerts[0]["status"] == "new"
    alert_id = seeded.alert_id
    token = csrf_of(client)
    assert client.post(f"/api/alerts/{alert_id}/ack", headers={"X-CSRF-Token": token}).status_code == 401
    assert login(client, password="wrong").status_code == 401
    assert login(client).status_code == 303
    assert client.post(f"/api/alerts/{alert_id}/ack").status_code == 403, "no CSRF token"
    assert client.post(f"/api/alerts/{alert_id}/ack", headers={"X-CSRF-Token": "forged"}).status_code == 403
    acked = client.post(f"/api/alerts/{alert_id}/ack", headers={"X-CSRF-Token": token}).json()
    assert acked["status"] == "acknowledged" and acked["acknowledged_by"] == USER and acked["acknowledged_at"]
    resolved = client.post(f"/alerts/{alert_id}/resolve", data={"csrf_token": token}, follow_redirects=False)
    assert resolved.status_code == 303
    after = client.get(f"/api/alerts/{alert_id}").json()
    assert after["status"] == "resolved" and after["resolved_by"] == USER
    assert client.post(f"/api/alerts/{alert_id}/ack", headers={"X-CSRF-Token": token}).status_code == 409


def test_alerts_page_filters_and_highlights_evidence(client: TestClient, seeded: Seeded) -> None:
    html = client.get("/alerts", params={"severity": "high"}).text
    assert "<mark>15/CT-TTg</mark>" in html
    assert "vừa ký ban hành" in html
    assert "Đăng nhập để đánh dấu đã nhận" in html
    none = client.get("/alerts", params={"rule": "gov-new-directives"}).text
    assert 'data-alert-id="' not in none


def test_atom_feed_lists_alerts(client: TestClient, seeded: Seeded) -> None:
    response = client.get("/alerts.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert "15/CT-TTg" in feed.entries[0].title
    assert "vừa ký ban hành" in feed.entries[0].summary


def test_outside_reading_networks_everything_needs_login(seeded: Seeded) -> None:
    with make_client(seeded.settings, host="203.0.113.7") as outsider:
        assert outsider.get("/search", follow_redirects=False).status_code == 303
        assert outsider.get("/api/alerts").status_code == 401
        assert outsider.get("/healthz").status_code == 200
        assert login(outsider).status_code == 303
        assert outsider.get("/api/alerts").status_code == 200


def test_sessions_survive_a_restart_and_logout_ends_them(seeded: Seeded) -> None:
    with make_client(seeded.settings) as first:
        login(first)
        cookies = dict(first.cookies)
    with make_client(seeded.settings) as second:
        second.cookies.update(cookies)
        assert second.get("/api/session").json()["user"] == USER
        token = csrf_of(second)
        second.post("/logout", data={"csrf_token": token})
        second.cookies.update({"nw_session": cookies["nw_session"]})
        assert second.get("/api/session").json()["user"] is None


def test_sources_show_failing_source_with_reason(client: TestClient, seeded: Seeded) -> None:
    sources = {s["name"]: s for s in client.get("/api/sources").json()["sources"]}
    assert sources["vietnamnet"]["state"] == "failing"
    assert sources["vietnamnet"]["errors_by_reason"] == {"dns": 3}
    assert sources["baochinhphu"]["state"] == "never"
    assert sources["vietnamnet"]["reason"] == "DNS: không phân giải được vietnamnet.vn — 3 URL"
    html = client.get("/sources").text
    assert 'class="state-failing" data-source="vietnamnet"' in html
    assert "DNS: không phân giải được vietnamnet.vn — 3 URL" in html
    assert "dns: 3" not in html  # the raw code is on the source's page, one click away
    assert 'href="/sources/vietnamnet#log"' in html
    assert "<code>dns: 3</code>" in client.get("/sources/vietnamnet").text


def test_rules_page_and_dry_run(client: TestClient, seeded: Seeded) -> None:
    rules = {r["name"]: r for r in client.get("/api/rules").json()["rules"]}
    assert {"cds-new-directives", "gov-new-directives", "source-silence"} <= set(rules)
    assert rules["cds-new-directives"]["recent"][0]["doc_number"] == "15/CT-TTg"
    assert client.get("/api/rules/cds-new-directives/dry-run").status_code == 401, "a dry run needs a login"
    assert login(client).status_code == 303
    dry = client.get("/api/rules/cds-new-directives/dry-run").json()["would_fire"]
    assert {h["article"]["id"] for h in dry} == set(seeded.directive_ids), "citations and other news do not fire"
    answer = client.get("/api/rules/cds-new-directives/dry-run").json()
    assert answer["alerts"] == sum(h["action"] == "alert" for h in dry) and answer["alerts"] + answer["attached"] == len(dry)
    html = client.get("/rules", params={"dry": "cds-new-directives"}).text
    assert "15/CT-TTg" in html
    # the page states the same counts as the API and the CLI ("N alert(s), M attached")
    assert f"<strong>{answer['alerts']}</strong> cảnh báo mới" in html
    assert f"<strong>{answer['attached']}</strong> bài gắn vào cảnh báo đã có" in html
    assert client.get("/api/rules/nope/dry-run").status_code == 404


def test_healthz_and_metrics(client: TestClient, seeded: Seeded) -> None:
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["articles"] == 6
    metrics = client.get("/metrics").text
    assert 'newswatch_alerts{status="new"} 1.0' in metrics
    assert 'newswatch_crawl_errors_total{reason="dns",source="vietnamnet"} 3.0' in metrics
    assert "newswatch_articles_stored 6.0" in metrics
    assert "newswatch_outbox_queue" in metrics


def test_the_run_history_shows_crawls_polls_and_children_on_the_page_the_api_and_metrics(
        client: TestClient, seeded: Seeded) -> None:
    from datetime import datetime

    from newswatch.state import runs
    from newswatch.state.db import open_state

    db = open_state(seeded.settings.state_url)
    runs.record_poll(db, "vietnamnet", "unchanged", "304 Not Modified", 350.0)
    child = runs.start_run(db, ["vietnamnet"], kind="child", trigger="changed")
    runs.finish_run(db, child, "timeout", reason="ran longer than 900 s", exit_code=-15)
    body = client.get("/api/runs", params={"source": "vietnamnet"}).json()
    assert [r["per_source"]["vietnamnet"]["errors"] for r in body["crawl_runs"]] == [{"dns": 3}]
    scheduled = body["service_runs"]
    assert [(r["kind"], r["trigger"], r["status"]) for r in scheduled] == [
        ("child", "changed", "timeout"), ("poll", "schedule", "unchanged")]
    assert scheduled[0]["exit_code"] == -15 and scheduled[1]["duration_s"] == 0.35
    assert all(datetime.fromisoformat(r["started_at"]).utcoffset() is not None for r in scheduled)
    page = client.get("/sources/vietnamnet").text
    assert "ran longer than 900 s" in page and "<td>350</td>" in page and "304 Not Modified" in page
    metrics = client.get("/metrics").text
    assert 'newswatch_crawl_runs_total{source="vietnamnet",status="timeout"} 1.0' in metrics
    assert 'newswatch_polls_total{source="vietnamnet",status="unchanged"} 1.0' in metrics


def test_run_now_needs_login_and_a_scheduler(client: TestClient, seeded: Seeded) -> None:
    token = csrf_of(client)
    assert client.post("/api/sources/vnexpress/run", headers={"X-CSRF-Token": token}).status_code == 401
    login(client)
    response = client.post("/api/sources/vnexpress/run", headers={"X-CSRF-Token": token})
    assert response.status_code == 503, "this app runs without a scheduler"


def test_users_cli_stores_a_hashed_user_who_can_log_in(seeded: Seeded) -> None:
    from click.testing import CliRunner

    from newswatch.cli import cli

    result = CliRunner().invoke(cli, ["--data-dir", str(seeded.settings.data_dir), "users", "add", "thuky"],
                                input="mot-mat-khau\nmot-mat-khau\n")
    assert result.exit_code == 0, result.output
    assert "thuky:$argon2id$" in result.output
    with make_client(seeded.settings) as browser:
        assert login(browser, "thuky", "mot-mat-khau").status_code == 303
        assert login(browser, USER, PASSWORD).status_code == 303
