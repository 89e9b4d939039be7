"""The operator's journey on /admin in headless Chromium: a wrong token is refused, the right one
opens the page, a PDF and a broken file are uploaded, the index is rebuilt with progress, and the
chat then cites the organisation's document by section and page."""

from __future__ import annotations

import pytest

from assistant.api import create_app

from .conftest import fixture_copy
from .ingest_files import broken_pdf, code_of_conduct_pdf
from .support import ARTIFACTS, free_port, require_browser, serving, watched_page

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import expect  # noqa: E402

TOKEN = "browser-admin-token"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory, settings, embedder):
    root = tmp_path_factory.mktemp("admin-browser")
    served = fixture_copy(root, settings, settings.index_dir, admin_token=TOKEN)
    port = free_port()
    with serving(create_app(served, embedder=embedder), port):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def page(browser, base_url):
    with watched_page(browser, base_url) as page:
        yield page


@pytest.mark.browser
@pytest.mark.slow
def test_operator_uploads_rebuilds_and_the_chat_cites_the_document(page, tmp_path):
    code = code_of_conduct_pdf(tmp_path / "supplier-code.pdf")
    broken = broken_pdf(tmp_path / "broken.pdf")
    page.goto("/admin")
    page.get_by_label("Admin token (ASSISTANT_ADMIN_TOKEN)").fill("not the token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#admin-login-error")).to_contain_text("That token is not right")
    expect(page.locator("#admin-panel")).to_be_hidden()

    page.get_by_label("Admin token (ASSISTANT_ADMIN_TOKEN)").fill(TOKEN)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#admin-panel")).to_be_visible()
    page.get_by_label("PDF, DOCX, HTML, Markdown or text files").set_input_files([str(code), str(broken)])
    page.get_by_role("button", name="Upload").click()
    results = page.locator("#admin-upload-results li")
    expect(results).to_have_count(2)
    expect(results.nth(0)).to_have_text("supplier-code.pdf: created as supplier-code")
    expect(results.nth(1)).to_contain_text("broken.pdf: not a readable PDF")
    row = page.locator("#admin-documents tr[data-id='supplier-code']")
    expect(row.locator(".status")).to_have_text("not indexed yet")

    page.get_by_role("button", name="Rebuild the index").click()
    expect(page.locator("#admin-rebuild-status")).to_contain_text("now answering from it", timeout=120_000)
    expect(row.locator(".status")).to_have_text("indexed")
    page.screenshot(path=str(ARTIFACTS / "admin.png"), full_page=True)

    page.goto("/")
    page.get_by_label("Your question").fill("How much notice does a supplier get before we audit its premises?")
    page.get_by_label("Your question").press("Enter")
    sources = page.locator(".answer").last.locator(".sources li")
    expect(sources.first).to_have_text("[1] Your organisation: Supplier Code of Conduct, §3 Audit rights, p. 2")
    page.locator(".answer").last.locator("button.cite").first.click()  # the passage opens with the label
    expect(page.locator(".passage-section").last).to_have_text(
        "Your organisation: Supplier Code of Conduct, §3 Audit rights, p. 2"
    )
    page.screenshot(path=str(ARTIFACTS / "admin-chat.png"), full_page=True)

    page.goto("/admin")  # the token is kept for this tab: signed in still
    expect(page.locator("#admin-panel")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove Supplier Code of Conduct").click()
    expect(row.locator(".status")).to_have_text("removed, still indexed")
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#admin-panel")).to_be_hidden()
