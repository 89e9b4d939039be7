"""/api/docs in a real browser: Swagger UI renders offline under the app's own strict CSP."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from assistant.api import create_app

from .support import free_port, require_browser, serving

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import expect  # noqa: E402


@pytest.mark.browser
def test_the_api_docs_render_offline_under_the_csp(browser, settings, embedder):
    port = free_port()
    with serving(create_app(settings, embedder=embedder), port):
        context = browser.new_context()
        page = context.new_page()
        problems, hosts = [], set()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: hosts.add(urlparse(r.url).netloc))
        page.goto(f"http://127.0.0.1:{port}/api/docs")
        # Swagger UI puts zero-width spaces into paths it shows; data-path holds the path itself.
        ask = page.locator('.opblock-summary-path[data-path="/api/ask"]').first
        expect(ask).to_be_visible(timeout=15000)
        ask.click()
        expect(page.locator(".opblock-body").first).to_be_visible()
        expect(page.get_by_role("button", name="Try it out").first).to_be_visible()
        expect(page.locator("section.models")).to_contain_text("AskRequest")
        context.close()
    assert hosts <= {f"127.0.0.1:{port}"}, hosts  # nothing from a CDN
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
