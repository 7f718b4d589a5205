"""Seeding for the web tests: articles and alerts through the real store and monitor APIs, a failing source."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from monitor.engine import Monitor
from newswatch.models import Article
from newswatch.settings import Settings
from newswatch.state import runs
from newswatch.state.db import open_state
from newswatch.store import open_store
from newswatch.text.enrich import enrich_article
from newswatch.web.app import create_app

USER = "bientap"
PASSWORD = "mat-khau-2026"
XSS_TITLE = "Cảnh giác <script>window.__pwned = 1</script> lừa đảo qua mạng"


@dataclass
class Seeded:
    settings: Settings
    directive_ids: list[str]  # three copies of one story, first publisher first
    xss_id: str
    alert_id: int


def _directive_text(day: datetime) -> str:
    return (f"Thủ tướng Chính phủ vừa ký ban hành Chỉ thị số 15/CT-TTg ngày {day:%d/%m/%Y} về đẩy mạnh chuyển đổi "
            "số quốc gia, phát triển chính phủ số và kinh tế số.\n\n"
            "Chỉ thị yêu cầu các bộ, ngành, địa phương tập trung triển khai Đề án 06 về phát triển ứng dụng dữ liệu "
            "dân cư, định danh và xác thực điện tử phục vụ chuyển đổi số quốc gia.\n\n"
            "Các bộ trưởng, thủ trưởng cơ quan ngang bộ chịu trách nhiệm trước Thủ tướng về kết quả chuyển đổi số "
            "trong lĩnh vực được giao, bảo đảm an toàn thông tin mạng.")


def ingest(settings: Settings, store: Any, monitor: Monitor, article: Article) -> None:
    """What the crawl's pipelines do with a new article: enrich, store, evaluate the rules."""
    enrich_article(article)
    result = store.put(article)
    article.store_outcome = result.outcome.value
    article.cluster_id = result.cluster_id
    article.first_in_cluster = result.is_first_in_cluster
    monitor.on_article(article)


def seed(settings: Settings) -> Seeded:
    store = open_store(settings)
    monitor = Monitor(settings, article_store=store)
    day = datetime.now(UTC) - timedelta(days=1)
    directive_ids = []
    for i, source in enumerate(["baochinhphu", "truyenhinhthanhhoa", "laodongthudo"]):
        article = Article(url=f"https://{source}.example.vn/chi-thi-15-ve-chuyen-doi-so-{i}.htm",
                          title="Thủ tướng ban hành Chỉ thị về đẩy mạnh chuyển đổi số quốc gia",
                          text=_directive_text(day) + ("\n\n(Nguồn: Cổng TTĐT Chính phủ)" if i else ""),
                          source=source, published=day + timedelta(hours=i), fetched_at=datetime.now(UTC))
        ingest(settings, store, monitor, article)
        directive_ids.append(article.id)
    others = [
        Article(url="https://vnexpress.example.vn/mua-lu-mien-trung-1.html",
                title="Mưa lũ lớn ở miền Trung, hàng nghìn hộ dân phải sơ tán",
                text=("Mưa lớn kéo dài khiến nhiều tuyến đường ở Quảng Bình, Quảng Trị bị ngập sâu. Chính quyền địa "
                      "phương đã sơ tán hàng nghìn hộ dân đến nơi an toàn.\n\nLực lượng cứu hộ túc trực 24/24 giờ "
                      "tại các điểm xung yếu, bảo đảm an toàn cho người dân trong mùa mưa bão năm nay."),
                source="vnexpress", published=day - timedelta(days=20)),
        Article(url="https://baophapluat.example.vn/nghi-dinh-17-2017.html",
                title="Nhìn lại cơ cấu tổ chức theo Nghị định số 17/2017/NĐ-CP",
                text=("Theo Nghị định số 17/2017/NĐ-CP quy định chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức của "
                      "Bộ Khoa học và Công nghệ, bộ có nhiều đơn vị trực thuộc.\n\nBài viết điểm lại các thay đổi "
                      "về tổ chức bộ máy trong những năm qua và những kết quả đạt được."),
                source="baophapluat", published=day - timedelta(days=3)),
        Article(url="https://vietnamnet.example.vn/canh-giac-lua-dao.html", title=XSS_TITLE,
                text=("Người dân cần cảnh giác <script>window.__pwned = 2</script> với các cuộc gọi lừa đảo "
                      "<img src=x onerror=\"window.__pwned=3\"> mạo danh cơ quan công an.\n\nCơ quan chức năng "
                      "khuyến cáo không cung cấp mã OTP cho bất kỳ ai qua điện thoại hay mạng xã hội."),
                source="vietnamnet", published=day - timedelta(days=2)),
    ]
    for article in others:
        ingest(settings, store, monitor, article)
    store.close()
    from monitor import store as alert_store

    alerts = alert_store.list_alerts(open_state(settings.state_url), rule="cds-new-directives")
    assert alerts, "the seeded directive must raise an alert"
    return Seeded(settings, directive_ids, others[2].id, alerts[0]["id"])


def record_failing_source(settings: Settings, source: str = "vietnamnet") -> None:
    """A crawl run in which ``source`` failed with DNS errors (as the crawler records it)."""
    db = open_state(settings.state_url)
    run_id = runs.start_run(db, [source], trigger="schedule")
    runs.record_source_run(db, run_id, runs.SourceRun(source=source, status="failed", requests=3,
                                                       errors={"dns": 3}, started_at=datetime.now(UTC)))
    runs.finish_run(db, run_id)


def make_client(settings: Settings, host: str = "127.0.0.1") -> TestClient:
    return TestClient(create_app(settings), client=(host, 50000))


def csrf_of(client: TestClient) -> str:
    return client.get("/api/session").json()["csrf_token"]


def login(client: TestClient, user: str = USER, password: str = PASSWORD) -> Any:
    token = csrf_of(client)
    return client.post("/login", data={"username": user, "password": password, "csrf_token": token, "next": "/alerts"},
                       follow_redirects=False)


@contextmanager
def serve(settings: Settings) -> Iterator[str]:
    """The app under uvicorn on a free loopback port, in a thread; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning", timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def shot(page: object, folder: Path, name: str) -> Path:
    """A screenshot of the browser page into ``folder`` (the screenshots fixture)."""
    path = folder / name
    page.screenshot(path=str(path), full_page=False)  # type: ignore[attr-defined]
    return path
