"""The clause library in headless Chromium: search the library, open a clause, copy its wording,
and read the positions on a phone. Screenshots go to test-artifacts/."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.api import create_app
from assistant.clauses import library
from assistant.settings import ROOT

from .support import ARTIFACTS, free_port, require_browser, serving

require_browser()

from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.browser
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="module")
def base_url(settings, embedder):
    """The app over the shipped corpus (the library reads the corpus; no index is needed)."""
    port = free_port()
    with serving(create_app(replace(settings, corpus_dir=CORPUS), embedder=embedder), port):
        yield f"http://127.0.0.1:{port}"


def _page(browser, base_url, **options):
    context = browser.new_context(base_url=base_url, **options)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return context, page, errors


def test_browse_the_library_and_copy_a_clause(browser, base_url):
    context, page, errors = _page(browser, base_url, viewport={"width": 1280, "height": 900})
    page.goto("/tools")  # (not the chat page: its scripts are another test module's business)
    page.locator("header nav").get_by_role("link", name="Clauses").click()
    total = len(library(CORPUS).clauses)
    items = page.locator("#clause-list li")
    expect(page.locator("#clause-count")).to_have_text(f"{total} of {total} clause types")

    page.get_by_label("Search").fill("super-cap")  # filters as you type, through /api/clauses
    expect(page.locator("#clause-count")).not_to_have_text(f"{total} of {total} clause types")
    expect(items.filter(has_text="Limitation of liability")).to_be_visible()
    expect(items.filter(has_text="Non-solicitation")).to_be_hidden()
    assert "q=super-cap" in page.url  # the filtered list has a shareable address
    page.screenshot(path=str(ARTIFACTS / "clauses-search.png"), full_page=True)

    page.get_by_role("link", name="Limitation of liability").click()
    page.wait_for_url("**/clauses/liability")
    wording = page.locator("#wording")
    expect(wording).to_contain_text("14.1 Nothing in this Agreement limits liability")
    expect(page.locator(".caveat")).to_contain_text("illustrative only and is not legal advice")
    page.get_by_role("button", name="Copy the wording").click()
    expect(page.locator(".copy-status")).to_have_text("Copied to the clipboard.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == library(CORPUS).get("liability").wording
    assert copied.startswith("14.1 ") and "\n\n14.2 " in copied  # clause numbers and line breaks kept
    page.screenshot(path=str(ARTIFACTS / "clause-liability.png"), full_page=True)
    context.close()
    assert not errors, errors


def test_a_clause_page_works_by_keyboard_on_a_phone(browser, base_url):
    context, page, errors = _page(browser, base_url, viewport={"width": 390, "height": 844}, has_touch=True)
    page.goto("/clauses/step-in")
    client, balanced = page.locator(".position-client"), page.locator(".position-balanced")
    expect(client).to_contain_text("Client-favourable")
    assert client.bounding_box()["y"] < balanced.bounding_box()["y"]  # stacked, not squeezed side by side
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    button = page.get_by_role("button", name="Copy the wording")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".copy-status")).to_have_text("Copied to the clipboard.")
    page.screenshot(path=str(ARTIFACTS / "clause-step-in-phone.png"), full_page=True)
    context.close()
    assert not errors, errors
