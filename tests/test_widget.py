"""The widget's server side through TestClient: who may embed (CORS, frame-ancestors), quotas,
the /embed page, widget.js, the path prefix, and the demo host site."""

from __future__ import annotations

import contextlib

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from assistant.cli import cli
from assistant.demo import create_demo_app, demo_origins
from assistant.limits import QuotaExceeded, Quotas, SlidingWindow
from assistant.origins import normalize
from assistant.settings import ROOT, Settings
from tests.test_web import Page

HOST = "https://intranet.example.com"
OTHER = "https://evil.example.net"
WIDGET_JS = ROOT / "web" / "static" / "widget.js"


@pytest.fixture(scope="module")
def client(app_for):
    """This module's client: the app with an allowed host page."""
    return app_for(allowed_origins=(HOST,))


def ask(client, question="What is earn-back?", **headers):
    return client.post("/api/ask", json={"question": question}, headers=headers)


# --- Who may embed: CORS for API calls from host pages -------------------------------------------


def test_allowed_origin_gets_cors_headers_on_answers(client):
    response = ask(client, Origin=HOST)
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == HOST


def test_allowed_origin_preflight_is_answered(client):
    response = client.options(
        "/api/ask",
        headers={
            "Origin": HOST,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == HOST
    assert "POST" in response.headers["access-control-allow-methods"]


@pytest.mark.parametrize("method, path", [("post", "/api/ask"), ("get", "/api/health"), ("post", "/api/feedback")])
def test_other_origins_are_refused_before_anything_runs(client, method, path):
    response = client.request(method.upper(), path, headers={"Origin": OTHER}, json={"question": "What is TUPE?"})
    assert response.status_code == 403
    assert response.json() == {"error": "Pages on this origin may not use the assistant."}
    assert "access-control-allow-origin" not in response.headers


def test_other_origins_get_no_preflight(client):
    response = client.options("/api/ask", headers={"Origin": OTHER, "Access-Control-Request-Method": "POST"})
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


def test_empty_allow_list_means_same_origin_only(app_for):
    same_origin_only = app_for(allowed_origins=())
    assert ask(same_origin_only, Origin=HOST).status_code == 403
    # The app's own pages (and non-browser clients, which send no Origin) are served as always.
    own = ask(same_origin_only, Origin="http://testserver")
    assert own.status_code == 200 and "access-control-allow-origin" not in own.headers
    behind_a_proxy = {"Origin": "http://elsewhere", "Sec-Fetch-Site": "same-origin"}
    assert ask(same_origin_only, **behind_a_proxy).status_code == 200
    assert ask(same_origin_only).status_code == 200


@pytest.mark.parametrize(
    "raw, origin",
    [
        ("https://Intranet.Example.com/", "https://intranet.example.com"),
        ("https://intranet.example.com:443", "https://intranet.example.com"),
        ("http://127.0.0.1:8001", "http://127.0.0.1:8001"),
        ("https://intranet.example.com/some/page", ""),
        ("null", ""),
        ("javascript:alert(1)", ""),
    ],
)
def test_origins_are_compared_as_browsers_send_them(raw, origin):
    assert normalize(raw) == origin


# --- Who may embed: frame-ancestors on /embed only -----------------------------------------------


def test_embed_may_be_framed_by_allowed_origins_only(client):
    response = client.get("/embed", params={"host": HOST})
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert f"frame-ancestors 'self' {HOST};" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "x-frame-options" not in response.headers  # it would forbid what the CSP allows


@pytest.mark.parametrize("path", ["/", "/topics", "/docs/service-credits", "/widget.js", "/api/health"])
def test_other_pages_stay_unframeable(client, path):
    response = client.get(path)
    assert "frame-ancestors 'self';" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "SAMEORIGIN"


def test_without_allowed_origins_embed_is_same_origin_only(app_for):
    csp = app_for(allowed_origins=()).get("/embed").headers["content-security-policy"]
    assert "frame-ancestors 'self';" in csp


# --- The /embed page ----------------------------------------------------------------------------


def test_embed_page_is_configured_from_its_parameters(client):
    response = client.get(
        "/embed",
        params={
            "host": HOST + "/",
            "title": "Sourcing <help>",
            "greeting": "Ask me about SLAs",
            "accent": "#0b5fff",
            "topic": "sla",
            "audience": "manager",
        },
    )
    page = Page(response.text)
    [body] = page.find("body")
    assert body["data-host"] == HOST
    assert body["data-storage-key"] == f"assistant.widget:{HOST}"
    assert (body["data-accent"], body["data-topic"], body["data-audience"]) == ("#0b5fff", "sla", "manager")
    assert "Sourcing &lt;help&gt;" in response.text and "<help>" not in response.text
    assert page.text_of["starters-heading"] == "Ask me about SLAs"
    assert page.find("button", class_="starter") == []  # starters may fall outside a topic filter
    assert [a["src"] for a, _ in page.scripts] == [
        "http://testserver/static/theme.js",
        "http://testserver/static/embed.js",
    ]


def test_embed_page_has_the_chat_controls(client):
    page = Page(client.get("/embed", params={"host": HOST}).text)
    assert page.find("textarea", id="question", maxlength="2000")
    assert page.find("label", for_="question")
    assert page.find("button", id="send", type="submit")
    assert page.text_of["new-conversation"] == "New conversation"
    assert page.find("button", id="close", **{"aria-label": "Close Outsourcing assistant"})
    assert page.find("div", id="announcer")[0]["aria-live"] == "polite"
    assert page.find("base", target="_blank")  # sources open in a new tab, never in the frame
    assert len(page.find("button", class_="starter")) == 4


@pytest.mark.parametrize(
    "params, attribute, expected",
    [
        ({"host": OTHER}, "data-host", ""),  # not allowed: the page talks to no host
        ({"host": "http://testserver"}, "data-host", "http://testserver"),  # same origin is fine
        ({"host": HOST, "accent": "red;}body{display:none"}, "data-accent", ""),
        ({"host": HOST, "topic": "../etc"}, "data-topic", ""),
        ({"host": HOST, "audience": "admin"}, "data-audience", ""),
        ({"host": HOST, "collection": "organisation"}, "data-collection", "organisation"),
        ({"host": HOST, "collection": "everything"}, "data-collection", ""),
    ],
)
def test_embed_page_drops_bad_parameters(client, params, attribute, expected):
    [body] = Page(client.get("/embed", params=params).text).find("body")
    assert body[attribute] == expected


def test_embed_page_has_no_inline_script_or_style(client):
    page = Page(client.get("/embed", params={"host": HOST, "accent": "#123456"}).text)
    for attrs, content in page.scripts:
        assert attrs.get("src") and not content, "inline script"
    assert not [a for _, a in page.elements if "style" in a or any(k.startswith("on") for k in a)]
    assert not page.find("style")


def test_embed_page_without_host_has_no_close_button(client):
    page = Page(client.get("/embed").text)
    assert "hidden" in page.find("button", id="close")[0]


# --- widget.js ----------------------------------------------------------------------------------


def test_widget_script_is_small_and_served_at_the_root(client):
    assert WIDGET_JS.stat().st_size < 12 * 1024
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.text == WIDGET_JS.read_text()
    assert client.get("/static/widget.js").status_code == 200


# --- Quotas -------------------------------------------------------------------------------------


def test_over_the_visitor_quota_is_a_kind_429(app_for):
    limited = app_for(quota_per_visitor=2)
    assert [ask(limited).status_code for _ in range(2)] == [200, 200]
    response = ask(limited)
    assert response.status_code == 429
    message = response.json()["error"]
    assert message.startswith("You have asked 2 questions in the last hour")
    assert "try again in" in message
    assert 0 < int(response.headers["retry-after"]) <= 3600


def test_over_the_origin_quota_only_the_widget_on_that_site_waits(app_for):
    limited = app_for(allowed_origins=(HOST,), quota_per_origin=2)
    widget = {"X-Assistant-Host": HOST, "Origin": "http://testserver"}  # the /embed frame's own origin
    assert [ask(limited, **widget).status_code for _ in range(2)] == [200, 200]
    response = ask(limited, **widget)
    assert response.status_code == 429
    assert "as many questions on this site as it can this hour" in response.json()["error"]
    assert ask(limited, Origin=HOST).status_code == 429  # the host page calling the API itself
    assert ask(limited).status_code == 200  # the full chat is not that site


def test_a_429_reaches_a_host_page_calling_the_api_with_cors_headers(app_for):
    limited = app_for(allowed_origins=(HOST,), quota_per_visitor=1)
    assert ask(limited, Origin=HOST).status_code == 200
    response = ask(limited, Origin=HOST)
    assert response.status_code == 429
    assert response.headers["access-control-allow-origin"] == HOST  # the host page can read why
    assert "retry-after" in response.headers["access-control-expose-headers"].lower()


def test_the_question_length_limit_still_holds(client):
    response = ask(client, "x" * 2001, **{"X-Assistant-Host": HOST})
    assert response.status_code == 400 and "the limit is 2000" in response.json()["error"]


def test_sliding_window_frees_questions_as_they_age():
    now = [0.0]
    window = SlidingWindow(2, window=3600, clock=lambda: now[0])
    window.hit("a")
    now[0] = 600
    window.hit("a")
    assert window.wait("a") == 3000 and window.wait("b") == 0
    now[0] = 3600.5  # the first question has aged out
    assert window.wait("a") == 0


@pytest.mark.parametrize(("limit", "answered"), [(0, 1000), (3, 3)])
def test_quotas_of_zero_mean_no_limit(limit, answered):
    quotas = Quotas(per_visitor=limit, per_origin=limit)
    counted = 0
    with contextlib.suppress(QuotaExceeded):
        for _ in range(1000):
            quotas.check("visitor", HOST)
            counted += 1
    assert counted == answered


def test_a_refused_question_does_not_use_up_the_other_quota():
    quotas = Quotas(per_visitor=1, per_origin=5)
    quotas.check("a", HOST)
    with pytest.raises(QuotaExceeded):
        quotas.check("a", HOST)
    origins = quotas.ledger.windows["origin"]
    assert origins.wait(HOST) == 0 and len(origins._hits[HOST]) == 1


def test_quota_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("ASSISTANT_QUOTA_PER_VISITOR", "7")
    monkeypatch.setenv("ASSISTANT_QUOTA_PER_ORIGIN", "0")
    monkeypatch.setenv("ASSISTANT_ALLOWED_ORIGINS", f"{HOST}, http://127.0.0.1:8001")
    settings = Settings.from_env()
    assert (settings.quota_per_visitor, settings.quota_per_origin) == (7, 0)
    assert settings.allowed_origins == (HOST, "http://127.0.0.1:8001")


# --- Path prefix --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/embed", "/assistant/embed"])  # a proxy that strips it, one that keeps it
def test_under_a_path_prefix_the_embed_page_points_at_the_prefix(app_for, path):
    prefixed = app_for(allowed_origins=(HOST,), root_path="/assistant")
    response = prefixed.get(path, params={"host": HOST})
    assert response.status_code == 200
    assert f"frame-ancestors 'self' {HOST};" in response.headers["content-security-policy"]
    page = Page(response.text)
    assert page.find("body")[0]["data-base"] == "/assistant"
    assert [a["src"] for a, _ in page.scripts] == [
        "http://testserver/assistant/static/theme.js",
        "http://testserver/assistant/static/embed.js",
    ]
    for asset in ("/assistant/static/embed.js", "/assistant/static/app.css", "/assistant/widget.js"):
        assert prefixed.get(asset).status_code == 200, asset


def test_under_a_path_prefix_api_errors_stay_json(app_for):
    prefixed = app_for(root_path="/assistant")
    for path in ("/api/ask", "/assistant/api/ask"):
        response = prefixed.post(path, json={})
        assert response.status_code == 422 and response.json() == {"error": "question: Field required"}
    assert (
        prefixed.post("/assistant/api/ask", json={"question": "What is TUPE?"}, headers={"Origin": OTHER}).status_code
        == 403
    )


# --- The demo host site -------------------------------------------------------------------------


def test_demo_site_embeds_the_widget_with_a_strict_csp():
    demo = TestClient(create_demo_app("http://127.0.0.1:8000/assistant", ROOT / "web" / "demo"))
    for path in ("/", "/policies", "/hostile"):
        response = demo.get(path)
        assert response.status_code == 200, path
        [tag] = [a for a, _ in Page(response.text).scripts]
        assert tag["src"] == "http://127.0.0.1:8000/assistant/widget.js"
        assert tag["data-title"] == "Sourcing help" and "defer" in tag
        csp = response.headers["content-security-policy"]
        assert "script-src 'self' http://127.0.0.1:8000;" in csp and "unsafe-inline" not in csp
    assert demo.get("/static/hostile.css").status_code == 200


def test_demo_origins_cover_both_loopback_names():
    assert demo_origins("127.0.0.1", 8001) == ("http://127.0.0.1:8001", "http://localhost:8001")
    assert demo_origins("assistant.example.internal", 8001) == ("http://assistant.example.internal:8001",)


def test_serve_offers_the_demo():
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0, result.output
    assert "--demo" in result.output and "PORT+1" in result.output


def test_readme_documents_the_widget_and_its_settings():
    readme = (ROOT / "README.md").read_text()
    assert "## Embedding the widget" in readme
    for variable in (
        "ASSISTANT_ALLOWED_ORIGINS",
        "ASSISTANT_ROOT_PATH",
        "ASSISTANT_QUOTA_PER_VISITOR",
        "ASSISTANT_QUOTA_PER_ORIGIN",
        "assistant serve --demo",
    ):
        assert variable in readme, f"{variable} is not in the README"
    for attribute in (
        "data-title",
        "data-accent",
        "data-position",
        "data-greeting",
        "data-open",
        "data-topic",
        "data-audience",
        "data-collection",
    ):
        assert attribute in readme
