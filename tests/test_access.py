"""Who may use the server and what counts against a quota: trusted proxies, the per-origin bucket,
rejected requests, and the Host header (issue 15, items 8 and 9)."""

from __future__ import annotations

from dataclasses import replace

import httpx
from fastapi.testclient import TestClient

from assistant.api import UVICORN_OPTIONS, create_app
from assistant.middleware import allowed_hosts_for

from .support import free_port, serving

HOST = "https://intranet.example.com"
QUESTION = {"question": "What is an earn-back?"}


# --- 8: quotas ----------------------------------------------------------------------------------


def test_rejected_questions_use_up_no_quota(app_for):
    client = app_for(quota_per_visitor=2)
    rejected = [
        client.post("/api/ask", json=payload).status_code
        for payload in (
            {"question": "sla", "k": 0},  # 422: not as the schema says
            {"question": "   "},  # 400: empty once stripped
            {"question": "sla", "filters": {"topic": "cooking"}},  # 400: unknown topic
            {"question": "sla", "conversation_id": "made-up"},  # 404: unknown conversation
        )
    ]
    assert rejected == [422, 400, 400, 404]
    assert [client.post("/api/ask", json=QUESTION).status_code for _ in range(3)] == [200, 200, 429]


def test_forwarded_for_is_ignored_by_default_from_a_real_server(settings, embedder):
    """Served as `assistant serve` serves it: a local client rotating X-Forwarded-For is one visitor."""
    port = free_port()
    app = create_app(replace(settings, quota_per_visitor=2), embedder=embedder)
    with serving(app, port, **UVICORN_OPTIONS):
        statuses = [
            httpx.post(
                f"http://127.0.0.1:{port}/api/ask",
                json=QUESTION,
                timeout=30,
                headers={"X-Forwarded-For": f"203.0.113.{i}"},
            ).status_code
            for i in range(3)
        ]
    assert statuses == [200, 200, 429]


def test_forwarded_for_counts_only_from_a_trusted_proxy(app_for):
    proxy = app_for(client=("10.0.0.5", 5000), quota_per_visitor=1, trusted_proxies=("10.0.0.5",))
    other = app_for(client=("10.0.0.6", 5000), quota_per_visitor=1, trusted_proxies=("10.0.0.5",))
    via_proxy = [
        proxy.post("/api/ask", json=QUESTION, headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
        for i in range(3)
    ]
    assert via_proxy == [200, 200, 200]  # three visitors behind the proxy
    direct = [
        other.post("/api/ask", json=QUESTION, headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
        for i in range(2)
    ]
    assert direct == [200, 429]  # not a proxy: its own address counts


def test_https_behind_a_trusted_proxy_gets_hsts(app_for):
    proxy = app_for(client=("10.0.0.5", 5000), trusted_proxies=("10.0.0.0/24",))
    reply = proxy.get("/api/health", headers={"X-Forwarded-Proto": "https"})
    assert reply.headers["strict-transport-security"] == "max-age=31536000"


def test_the_origin_bucket_needs_a_verified_origin(app_for):
    client = app_for(allowed_origins=(HOST,), quota_per_origin=1)
    scripted = [
        client.post("/api/ask", json=QUESTION, headers={"X-Assistant-Host": HOST}).status_code for _ in range(3)
    ]
    assert scripted == [200, 200, 200]  # a header any client can send spends no site's bucket
    embed = {"X-Assistant-Host": HOST, "Origin": "http://testserver"}  # the /embed frame, in a browser
    assert [client.post("/api/ask", json=QUESTION, headers=embed).status_code for _ in range(2)] == [200, 429]
    assert client.post("/api/ask", json=QUESTION, headers={"Origin": HOST}).status_code == 429


# --- 9: Host header -----------------------------------------------------------------------------


def test_an_unknown_host_is_refused(app_for):
    client = app_for()
    response = client.post("/api/ask", json=QUESTION, headers={"Host": "evil.example", "Origin": "http://evil.example"})
    assert response.status_code == 400 and "host" in response.json()["error"].lower()
    assert "evil.example" not in response.text
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_allowed_hosts_default_to_the_bound_host_and_localhost():
    assert allowed_hosts_for("10.2.3.4", ()) == ("10.2.3.4", "localhost", "127.0.0.1", "::1")
    assert allowed_hosts_for("127.0.0.1", ()) == ("127.0.0.1", "localhost", "::1")
    assert allowed_hosts_for("127.0.0.1", ("assistant.example.com",)) == ("assistant.example.com",)
    assert "testserver" not in allowed_hosts_for("0.0.0.0", ())


def test_the_default_app_allows_only_local_names(settings, embedder):
    default = replace(settings, allowed_hosts=())
    with TestClient(create_app(default, embedder=embedder), base_url="http://127.0.0.1:8000") as local:
        assert local.get("/api/health").status_code == 200
        assert local.get("/api/health", headers={"Host": "localhost:8000"}).status_code == 200
        assert local.get("/api/health", headers={"Host": "[::1]:8000"}).status_code == 200
        assert local.get("/api/health", headers={"Host": "testserver"}).status_code == 400
