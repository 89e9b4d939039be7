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


def test_paste_a_flawed_liability_clause_and_see_its_missing_carve_outs(browser, base_url):
    context, page, errors = _page(browser, base_url, viewport={"width": 1280, "height": 900})
    page.goto("/clauses")
    page.get_by_role("link", name="Review a clause").click()
    page.wait_for_url("**/clauses/review")
    expect(page.locator("#privacy")).to_contain_text("not stored")
    page.get_by_label("Clause text").fill(
        "14.1 The Supplier's total liability shall not exceed 200% of the Charges paid in the previous twelve "
        "months.\n14.2 The Supplier shall not be liable for any indirect loss or for any loss of data."
    )
    page.get_by_label("Clause text").press("Control+Enter")  # the keyboard shortcut submits
    result = page.locator("#review-result")
    expect(result.locator("h2")).to_have_text("Reviewed as: Limitation of liability")
    expect(result.locator("h2")).to_be_focused()  # screen-reader and keyboard users land on the result
    carve_outs = result.locator(".check", has_text="Unlimited carve-outs for fraud and death or personal injury")
    expect(carve_outs).to_have_class("check check-missing")
    expect(carve_outs.locator(".status")).to_have_text("Missing")
    cap = result.locator(".check-present").filter(has=page.get_by_text("General cap", exact=True))
    expect(cap.locator(".evidence")).to_have_text(
        "14.1 The Supplier's total liability shall not exceed 200% of the Charges paid in the previous twelve months."
    )
    expect(result.locator(".flag", has_text="No carve-out for fraud")).to_be_visible()
    expect(result.locator(".figure")).to_contain_text("200% of the charges, against the usual 100-150%")
    href = carve_outs.get_by_role("link", name="Guidance: Unlimited carve-outs").get_attribute("href")
    assert href == "/docs/limitation-of-liability#unlimited-carve-outs-and-consequential-loss-wording"
    page.screenshot(path=str(ARTIFACTS / "clause-review.png"), full_page=True)

    page.get_by_label("Clause text").fill("")
    page.get_by_label("Clause text").fill("   ")
    page.get_by_role("button", name="Review the clause").click()
    expect(result.locator(".error")).to_have_text("Paste the clause to review: the text is empty.")
    context.close()
    assert not [e for e in errors if "400" not in e], errors  # the refused empty text is the page's to show
