"""Hostile clients: password guessing is slowed down and recorded, dry runs need a login, and forwarded
addresses are believed only from the configured proxies (the app under TestClient and under uvicorn)."""

from __future__ import annotations

import concurrent.futures
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from web_seed import USER, Seeded, free_port, login, make_client

from newswatch.settings import PROJECT_ROOT


def _metric(text: str, name: str, labels: str) -> float:
    found = re.search(rf"^{re.escape(name)}\{{{re.escape(labels)}\}} ([0-9.e+]+)$", text, re.MULTILINE)
    assert found, f"{name}{{{labels}}} missing from /metrics"
    return float(found.group(1))


def test_password_guessing_locks_the_user_name_with_growing_waits(seeded: Seeded) -> None:
    seeded.settings.service.login.lockout_seconds = 1
    with make_client(seeded.settings) as browser:
        answers = [login(browser, password=f"doan-{i}") for i in range(5)]
        assert [a.status_code for a in answers] == [401, 401, 401, 401, 429]
        assert "Còn 2 lần thử" in answers[2].text and "Còn 1 lần thử" in answers[3].text
        # locked: even the right password is refused, with a Vietnamese explanation and Retry-After
        refused = login(browser)
        assert refused.status_code == 429
        assert "tạm khóa" in refused.text and "thử lại sau" in refused.text
        assert int(refused.headers["Retry-After"]) == 1
        metrics = browser.get("/metrics").text
        assert _metric(metrics, "newswatch_login_attempts_total", 'outcome="failed"') == 5
        assert _metric(metrics, "newswatch_login_attempts_total", 'outcome="refused"') == 1
        assert _metric(metrics, "newswatch_login_lockouts", 'scope="account"') == 1
        time.sleep(1.1)
        # one more wrong password after the lockout: locked again, for twice as long
        again = login(browser, password="doan-5")
        assert again.status_code == 429 and int(again.headers["Retry-After"]) == 2
        time.sleep(2.1)
        assert login(browser).status_code == 303, "the right password is accepted once the lockout is over"
        assert browser.get("/api/session").json()["user"] == USER
        # a successful login clears the user name's failures: one wrong password is not a lockout
        assert login(browser, password="nham").status_code == 401


def test_many_user_names_from_one_address_lock_the_address_only(seeded: Seeded) -> None:
    seeded.settings.service.login.address_failures = 3
    with make_client(seeded.settings, host="203.0.113.9") as guesser:
        codes = [login(guesser, user=f"user{i}", password="123456").status_code for i in range(3)]
        assert codes == [401, 401, 429]
        assert login(guesser).status_code == 429, "the address is locked, whatever the user name"
    with make_client(seeded.settings, host="203.0.113.10") as colleague:  # state is in the state DB: a new app sees it
        assert login(colleague).status_code == 303, "the real user from another address is not locked out"
    with make_client(seeded.settings, host="203.0.113.9") as guesser_again:
        assert login(guesser_again).status_code == 429, "a restart (a new app) keeps the lockout"


def test_concurrent_guesses_cannot_outrun_the_limit(seeded: Seeded, live_server: str) -> None:
    """20 guesses at once: only the first 5 reach the password check, the others are refused."""

    def guess(i: int) -> int:
        with httpx.Client(base_url=live_server) as http:
            token = http.get("/api/session").json()["csrf_token"]
            return http.post("/login", data={"username": USER, "password": f"sai-{i}", "csrf_token": token},
                             follow_redirects=False).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(guess, range(20)))
    assert sorted(codes) == [401] * 4 + [429] * 16, "the 5th wrong password starts the lockout"
    metrics = httpx.get(f"{live_server}/metrics").text
    assert _metric(metrics, "newswatch_login_attempts_total", 'outcome="failed"') == 5
    assert _metric(metrics, "newswatch_login_attempts_total", 'outcome="refused"') == 15


def test_failed_and_refused_logins_are_logged_with_name_and_address(seeded: Seeded,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    seeded.settings.service.login.account_failures = 2
    with make_client(seeded.settings, host="198.51.100.4") as browser, caplog.at_level("WARNING"):
        login(browser, password="a")
        login(browser, password="b")
        login(browser)
    text = caplog.text
    assert f"failed login for '{USER}' from 198.51.100.4" in text
    assert f"login locked: user name '{USER}' for 30 s after 2 failures" in text
    assert f"login refused for '{USER}' from 198.51.100.4: user name locked" in text


def test_dry_run_needs_a_login_on_the_api_and_the_page(client, seeded: Seeded) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/rules/cds-new-directives/dry-run").status_code == 401
    page = client.get("/rules", params={"dry": "cds-new-directives", "since": "2020-01-01"}, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/rules%3Fdry%3Dcds-new-directives%26since%3D2020-01-01"
    assert "would fire" not in client.get("/rules").text
    login(client)
    assert client.get("/api/rules/cds-new-directives/dry-run").status_code == 200
    assert "would fire" in client.get("/rules", params={"dry": "cds-new-directives"}).text


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(seeded: Seeded) -> None:
    settings = seeded.settings
    settings.service.allowed_networks = ["10.0.0.0/8"]  # loopback may not read without a login
    spoof = {"X-Forwarded-For": "10.9.9.9"}
    with make_client(settings, host="127.0.0.1") as local:
        assert local.get("/api/alerts", headers=spoof).status_code == 401
        assert local.get("/api/alerts", headers={"Forwarded": "for=10.9.9.9"}).status_code == 401
    settings.service.trusted_proxies = ["127.0.0.1"]
    with make_client(settings, host="127.0.0.1") as proxy:
        assert proxy.get("/api/alerts", headers=spoof).status_code == 200, "the proxy's word is taken"
        assert proxy.get("/api/alerts", headers={"Forwarded": 'for="10.9.9.9:5000";proto=https'}).status_code == 200
        # what a client wrote to the left of the address the proxy saw does not count
        assert proxy.get("/api/alerts", headers={"X-Forwarded-For": "10.9.9.9, 203.0.113.7"}).status_code == 401
        assert proxy.get("/api/alerts", headers={"X-Forwarded-For": "unknown"}).status_code == 401
        assert proxy.get("/api/alerts").status_code == 401, "no header: the proxy itself is not a reader"
    with make_client(settings, host="203.0.113.50") as stranger:  # not a proxy: its header is ignored
        assert stranger.get("/api/alerts", headers=spoof).status_code == 401


def test_login_limits_count_the_forwarded_client_behind_a_trusted_proxy(seeded: Seeded) -> None:
    settings = seeded.settings
    settings.service.trusted_proxies = ["127.0.0.1"]
    settings.service.login.address_failures = 2
    with make_client(settings, host="127.0.0.1") as proxy:
        proxy.headers["X-Forwarded-For"] = "203.0.113.20"
        assert [login(proxy, user=f"u{i}", password="x").status_code for i in range(2)] == [401, 429]
        proxy.headers["X-Forwarded-For"] = "203.0.113.21"  # another client behind the same proxy
        assert login(proxy).status_code == 303


def test_serve_does_not_believe_forwarded_headers_from_loopback(tmp_path: Path) -> None:
    """The real ``newswatch serve`` under uvicorn: loopback removed from the reading networks, a local client
    claiming to be 10.9.9.9 is still a stranger; once 127.0.0.1 is a trusted proxy it is believed."""
    config = tmp_path / "config"
    config.mkdir()
    for name in ("sources.yaml", "rules.yaml"):
        (config / name).write_text((PROJECT_ROOT / "config" / name).read_text(encoding="utf-8"), encoding="utf-8")
    (config / "newswatch.yaml").write_text("allowed_networks: [10.0.0.0/8]\n", encoding="utf-8")
    port = free_port()
    env = {**os.environ, "NEWSWATCH_CONFIG_DIR": str(config), "NEWSWATCH_DATA_DIR": str(tmp_path / "data"),
           "NEWSWATCH_SECRET_KEY": "k" * 32}
    for var in ("NEWSWATCH_ES_URL", "NEWSWATCH_STORE", "NEWSWATCH_STATE_URL", "NEWSWATCH_TRUSTED_PROXIES"):
        env.pop(var, None)

    def serve(extra_env: dict[str, str]) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen([sys.executable, "-m", "newswatch", "serve", "--no-scheduler", "--port", str(port)],
                                env={**env, **extra_env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                return proc
            except httpx.TransportError:
                assert proc.poll() is None, "newswatch serve exited"
                time.sleep(0.2)
        proc.kill()
        raise AssertionError("newswatch serve did not answer")

    def stop(proc: subprocess.Popen[bytes]) -> None:
        proc.terminate()
        proc.wait(timeout=30)

    proc = serve({})
    try:
        url = f"http://127.0.0.1:{port}/api/alerts"
        assert httpx.get(url, headers={"X-Forwarded-For": "10.9.9.9"}).status_code == 401
        assert httpx.get(url, headers={"Forwarded": "for=10.9.9.9"}).status_code == 401
    finally:
        stop(proc)
    proc = serve({"NEWSWATCH_TRUSTED_PROXIES": "127.0.0.1"})
    try:
        assert httpx.get(url, headers={"X-Forwarded-For": "10.9.9.9"}).status_code == 200
        assert httpx.get(url).status_code == 401
    finally:
        stop(proc)



def test_an_administrator_can_unlock_a_locked_out_user(seeded: Seeded) -> None:
    from click.testing import CliRunner

    from newswatch.cli import cli

    with make_client(seeded.settings) as browser:
        assert [login(browser, password="sai").status_code for _ in range(5)][-1] == 429
        assert login(browser).status_code == 429
        result = CliRunner().invoke(cli, ["--data-dir", str(seeded.settings.data_dir), "users", "unlock", USER])
        assert result.exit_code == 0 and "Cleared" in result.output, result.output
        assert login(browser).status_code == 303


def test_a_bad_proxy_address_is_a_configuration_error_naming_where(tmp_path: Path) -> None:
    from newswatch.errors import ConfigError
    from newswatch.settings import load_settings

    with pytest.raises(ConfigError, match=r"NEWSWATCH_TRUSTED_PROXIES: 'proxy\.lan' is not an IP address"):
        load_settings(data_dir=tmp_path, env={"NEWSWATCH_TRUSTED_PROXIES": "127.0.0.1, proxy.lan"})
    config = tmp_path / "config"
    config.mkdir()
    (config / "newswatch.yaml").write_text("trusted_proxies: [10.0.0.300]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"newswatch\.yaml: trusted_proxies.*'10\.0\.0\.300' is not an IP address"):
        load_settings(config_dir=config, data_dir=tmp_path, env={})
    assert load_settings(data_dir=tmp_path, env={"NEWSWATCH_TRUSTED_PROXIES": "127.0.0.1,10.0.0.0/24"}) \
        .service.trusted_proxies == ["127.0.0.1", "10.0.0.0/24"]
