"""The chat's "Delete conversation" button in a real browser (issue 15, item 11)."""

from __future__ import annotations

import httpx
import pytest

from assistant.api import create_app

from .support import free_port, require_browser, serving

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import expect  # noqa: E402


@pytest.mark.browser
def test_a_visitor_deletes_the_conversation_from_the_chat(browser, settings, embedder):
    port = free_port()
    with serving(create_app(settings, embedder=embedder), port):
        base = f"http://127.0.0.1:{port}"
        asked = httpx.post(f"{base}/api/ask", json={"question": "What is TUPE?"}, timeout=30).json()
        context = browser.new_context()
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda dialog: dialog.accept())
        page.goto(base)
        page.evaluate("id => localStorage.setItem('assistant.conversation', id)", asked["conversation_id"])
        page.reload()
        expect(page.locator("#messages > li")).not_to_have_count(0)  # the conversation, restored
        page.get_by_role("button", name="Delete conversation").click()
        expect(page.locator("#delete-status")).to_have_text("The conversation was deleted.")
        expect(page.locator("#messages > li")).to_have_count(0)
        assert page.evaluate("() => localStorage.getItem('assistant.conversation')") is None
        gone = httpx.get(f"{base}/api/conversations/{asked['conversation_id']}", timeout=30)
        context.close()
    assert gone.status_code == 404 and not errors, errors
