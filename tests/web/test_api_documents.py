"""``GET /api/documents`` and ``GET /api/documents/{number}`` on the seeded store: three outlets report Chỉ thị
15/CT-TTg (which raised an alert), another article cites Nghị định 17/2017/NĐ-CP."""

from __future__ import annotations

from fastapi.testclient import TestClient
from web_seed import Seeded


def test_the_register_lists_documents_with_filters_and_facets(client: TestClient, seeded: Seeded) -> None:
    body = client.get("/api/documents").json()
    by_number = {r["number"]: r for r in body["records"]}
    assert set(by_number) == {"15/CT-TTg", "17/2017/NĐ-CP"} and body["total"] == 2
    directive = by_number["15/CT-TTg"]
    assert directive["status"] == "reported" and directive["counts"]["reported"] == 3
    assert directive["first_publisher"]["source"] == "baochinhphu"
    assert by_number["17/2017/NĐ-CP"]["status"] == "cited"
    assert body["facets"]["status"] == {"reported": 1, "cited": 1}
    decrees = client.get("/api/documents", params={"type": "Nghị định"}).json()
    assert [r["number"] for r in decrees["records"]] == ["17/2017/NĐ-CP"]
    either = client.get("/api/documents", params=[("type", "ND"), ("type", "CT")]).json()
    assert either["total"] == 2
    assert client.get("/api/documents", params={"issuer": "Thủ tướng Chính phủ"}).json()["total"] == 1
    assert client.get("/api/documents", params={"status": "cited"}).json()["records"][0]["number"] == "17/2017/NĐ-CP"
    assert client.get("/api/documents", params={"month": "2017-01"}).json()["total"] == 0
    paged = client.get("/api/documents", params={"limit": 1, "offset": 1}).json()
    assert paged["total"] == 2 and len(paged["records"]) == 1 and paged["offset"] == 1
    bad = client.get("/api/documents", params={"type": "XYZ"})
    assert bad.status_code == 400 and "unknown document type 'XYZ'" in bad.json()["detail"]
    assert client.get("/api/documents", params={"since": "hôm qua"}).status_code == 400


def test_one_document_by_its_number_in_any_spelling(client: TestClient, seeded: Seeded) -> None:
    from monitor import store as alert_store
    from newswatch.state.db import open_state

    alert = alert_store.get_alert(open_state(seeded.settings.state_url), seeded.alert_id)
    assert alert is not None
    for path in ("/api/documents/15/CT-TTg", "/api/documents/15%2FCT-TTg", "/api/documents/15/ct-ttg"):
        response = client.get(path)
        assert response.status_code == 200, path
        record = response.json()
        assert record["number"] == "15/CT-TTg" and record["type_name"] == "Chỉ thị"
        assert [m["source"] for m in record["mentions"]] == ["baochinhphu", "truyenhinhthanhhoa", "laodongthudo"]
        assert record["alert_uid"] == alert["uid"]
        assert record["first_seen_at"].endswith("+07:00")
    decree = client.get("/api/documents/17/2017/nd-cp").json()
    assert decree["status"] == "cited" and decree["alert_uid"] is None
    missing = client.get("/api/documents/9999/QĐ-TTg")
    assert missing.status_code == 404 and "no document '9999/QĐ-TTg'" in missing.json()["detail"]


def test_the_api_reference_documents_both_endpoints(client: TestClient, seeded: Seeded) -> None:
    page = client.get("/api/docs").text
    assert "/api/documents/{number}" in page and "newest first seen first" in page
