"""The feed and the JSON API in daily use: local times with their offset, links to the alert, notes, channels."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

from fastapi.testclient import TestClient
from web_seed import USER, Seeded, csrf_of, login

ATOM = "{http://www.w3.org/2005/Atom}"


def _entry(feed: ET.Element, alert_id: int) -> ET.Element:
    return next(e for e in feed.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}id", "").endswith(f"#{alert_id}"))


def test_atom_links_to_the_alert_and_updated_is_the_newest_change(client: TestClient, seeded: Seeded) -> None:
    feed = ET.fromstring(client.get("/alerts.atom").content)
    entry = _entry(feed, seeded.alert_id)
    link = entry.find(f"{ATOM}link[@rel='alternate']")
    assert link is not None and link.get("href") == f"http://testserver/alerts/{seeded.alert_id}"
    assert entry.findtext(f"{ATOM}published", "").endswith("+07:00")
    login(client)
    token = csrf_of(client)
    acked = client.post(f"/api/alerts/{seeded.alert_id}/ack", headers={"X-CSRF-Token": token},
                        json={"note": "đã báo cáo lãnh đạo"}).json()
    feed = ET.fromstring(client.get("/alerts.atom").content)
    updated = datetime.fromisoformat(feed.findtext(f"{ATOM}updated", ""))
    assert updated == datetime.fromisoformat(acked["updated_at"])  # the acknowledgement is the newest change
    assert feed.findtext(f"{ATOM}updated", "").endswith("+07:00")
    assert _entry(feed, seeded.alert_id).findtext(f"{ATOM}updated") == feed.findtext(f"{ATOM}updated")
    assert acked["notes"] == [{"by": USER, "at": acked["acknowledged_at"], "text": "đã báo cáo lãnh đạo",
                               "action": "acknowledged"}]


def test_json_times_carry_the_configured_offset(client: TestClient, seeded: Seeded) -> None:
    alert = client.get(f"/api/alerts/{seeded.alert_id}").json()
    assert alert["created_at"].endswith("+07:00")
    assert all(a["published"].endswith("+07:00") for a in alert["articles"])
    hits = client.get("/api/search", params={"q": "chuyen doi so"}).json()["hits"]
    assert hits and all(h["article"]["published"].endswith("+07:00") for h in hits)


def test_channels_api_says_none_is_configured_and_test_needs_login(client: TestClient, seeded: Seeded) -> None:
    assert client.get("/api/notify/channels").json() == {"channels": []}
    assert client.post("/api/notify/test", headers={"X-CSRF-Token": csrf_of(client)}).status_code == 401
    login(client)
    assert client.post("/api/notify/test", headers={"X-CSRF-Token": csrf_of(client)}).json() == {"results": []}


def test_briefing_api_and_page_agree(client: TestClient, seeded: Seeded) -> None:
    report = client.get("/api/briefing").json()
    assert set(report) >= {"start", "end", "directives", "stories", "silent"}
    assert report["end"].endswith("+07:00")
    page = client.get("/briefing").text
    assert f"({len(report['directives'])})" in page
    assert client.get("/briefing", params={"day": "not-a-day"}).status_code == 400


def test_api_docs_is_a_page_without_scripts(client: TestClient, seeded: Seeded) -> None:
    html = client.get("/api/docs").text
    assert "<script" not in html.split("<footer>")[0].split("</header>")[1]
    assert "/api/alerts/{alert_id}/{action}" in html and "/api/openapi.json" in html
