"""The chat page's history, export, follow-ups, article filter, keyboard and theme in headless
Chromium, desktop and phone sizes (issue 14, items 2-5). One server for the module."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from assistant.api import create_app

from .support import ARTIFACTS, free_port, require_browser, serving

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

from .test_browser import ask  # noqa: E402

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def base_url(settings, embedder):
    port = free_port()
    with serving(create_app(settings, embedder=embedder), port):
        yield f"http://127.0.0.1:{port}"


def new_page(browser, base_url, path="/", **options) -> Page:
    """A fresh profile with `path` open that fails the test on any script error."""
    context = browser.new_context(base_url=base_url, **({"viewport": DESKTOP} | options))
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda err: page.errors.append(str(err)))
    page.on("dialog", lambda dialog: dialog.accept())  # "Delete …?" confirmations
    page.goto(path)
    return page


@pytest.fixture
def page(browser, base_url):
    page = new_page(browser, base_url)
    yield page
    errors = page.errors
    page.context.close()
    assert not errors, errors


def history_titles(page: Page) -> list[str]:
    return page.locator("#history-list .history-title").all_inner_texts()


def test_history_keeps_opens_renames_searches_and_deletes_conversations(page):
    expect(page.locator("#history-empty")).to_have_text("No conversations yet.")
    ask(page, "What is an earn-back?")
    expect(page.locator("#history-list .history-item")).to_have_count(1)
    expect(page.locator(".history-date").first).to_have_text(re.compile(r"\d{4}"))
    page.get_by_role("button", name="New conversation").click()
    ask(page, "What are RTO and RPO?")
    assert history_titles(page) == ["What are RTO and RPO?", "What is an earn-back?"]  # nothing lost
    rto_id = page.evaluate("localStorage.getItem('assistant.conversation')")
    # Open the older one: its turns replace the current ones.
    page.locator(".history-open", has_text="What is an earn-back?").click()
    expect(page.locator(".turn .question")).to_have_text(["You asked: What is an earn-back?"])
    expect(page.locator(".history-open[aria-current=true]")).to_contain_text("What is an earn-back?")
    # Rename, kept across a reload.
    page.get_by_role("button", name="Rename “What is an earn-back?”").click()
    page.get_by_label("New name for the conversation").fill("Credits I must check")
    page.keyboard.press("Enter")
    page.reload()
    assert history_titles(page) == ["What are RTO and RPO?", "Credits I must check"]
    # Search finds a conversation by the questions asked in it, whatever its name.
    page.get_by_label("Search conversations").fill("earn-back")
    assert history_titles(page) == ["Credits I must check"]
    page.get_by_label("Search conversations").fill("pizza")
    expect(page.locator("#history-empty")).to_have_text("No conversation matches the search.")
    page.get_by_label("Search conversations").fill("")
    # Delete: gone from the list and from the server.
    page.get_by_role("button", name="Delete “What are RTO and RPO?”").click()
    expect(page.locator("#history-status")).to_have_text("Deleted “What are RTO and RPO?”.")
    assert history_titles(page) == ["Credits I must check"]
    assert page.request.get(f"/api/conversations/{rto_id}").status == 404
    page.screenshot(path=str(ARTIFACTS / "chat-history-desktop.png"))


def test_history_is_a_drawer_on_a_phone(browser, base_url):
    page = new_page(browser, base_url, **PHONE)
    ask(page, "What is TUPE?")
    page.get_by_role("button", name="New conversation").click()
    history = page.locator("#history")
    expect(history).to_be_hidden()
    toggle = page.get_by_role("button", name="History")
    toggle.click()
    expect(history).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_label("Search conversations")).to_be_focused()
    page.screenshot(path=str(ARTIFACTS / "chat-history-phone.png"))
    page.keyboard.press("Escape")
    expect(history).to_be_hidden()
    expect(toggle).to_be_focused()
    toggle.click()
    page.locator(".history-open", has_text="What is TUPE?").click()  # opening closes the drawer
    expect(history).to_be_hidden()
    expect(page.locator(".turn .question")).to_have_text(["You asked: What is TUPE?"])
    assert not page.errors
    page.context.close()


def test_export_writes_questions_answers_and_linked_sources_as_markdown(page, tmp_path):
    ask(page, "What is an earn-back?")
    ask(page, "What are RTO and RPO?")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export").click()
    assert re.fullmatch(r"conversation-\d{4}-\d\d-\d\d\.md", download.value.suggested_filename)
    path = tmp_path / "export.md"
    download.value.save_as(path)
    text = path.read_text()
    assert text.startswith("# What is an earn-back?\n")
    assert "## What is an earn-back?\n\nEarn-back lets a supplier recover a credit" in text
    assert "## What are RTO and RPO?\n" in text
    assert re.search(
        r"\[1\] Service credits and earn-back — Earn-back: http://127\.0\.0\.1:\d+"
        r"/docs/service-credits#earn-back",
        text,
    )
    expect(page.locator("#delete-status")).to_have_text("The conversation was exported as a Markdown file.")


def test_follow_up_buttons_ask_about_the_articles_other_sections(page):
    answer = ask(page, "What is an earn-back?")
    buttons = answer.locator("button.follow-up")
    expect(buttons).to_have_text(
        [
            "Show me the worked example for service credits and earn-back",
            "Give me sample wording for service credits and earn-back",
            "Tell me about at-risk amount in service credits and earn-back",
        ]
    )
    buttons.first.click()
    expect(page.locator(".answer")).to_have_count(2)
    expect(page.locator(".turn .question").last).to_have_text(
        "You asked: Show me the worked example for service credits and earn-back"
    )
    expect(page.locator(".answer").last.locator("table.answer-table")).to_have_count(1)


def test_ask_about_this_article_filters_the_chat_to_it(page):
    page.goto("/docs/service-credits")
    page.get_by_role("link", name="Ask about this article").click()
    chip = page.locator("#doc-filter")
    expect(chip).to_contain_text("Asking about Service credits and earn-back only.")
    with page.expect_request("**/api/ask") as asked:
        ask(page, "What is the at-risk amount?")
    assert asked.value.post_data_json["filters"] == {"doc": "service-credits"}
    page.get_by_role("button", name="Ask about everything").click()
    expect(chip).to_be_hidden()
    assert urlparse(page.url).query == ""
    with page.expect_request("**/api/ask") as asked:
        ask(page, "What is TUPE?")
    assert "filters" not in asked.value.post_data_json


def test_keyboard_reaches_the_latest_answers_citations_and_escape_closes_a_passage(page):
    ask(page, "What is an earn-back?")
    answer = ask(page, "What are RTO and RPO?")
    box = page.get_by_label("Your question")
    box.focus()
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name="Go to the latest answer")).to_be_focused()
    page.keyboard.press("Enter")
    expect(answer).to_be_focused()
    page.keyboard.press("Tab")
    marker = answer.locator("button.cite").first
    expect(marker).to_be_focused()
    page.keyboard.press("Enter")
    passage = answer.locator(".passage")
    expect(passage).to_be_visible()
    page.keyboard.press("Escape")
    expect(passage).to_be_hidden()
    expect(marker).to_be_focused()
    # Touch targets of at least 24×24 px (WCAG 2.5.8).
    marker.click()
    for target in (marker, passage.get_by_role("button", name="Close the passage")):
        box_size = target.bounding_box()
        assert box_size["width"] >= 24 and box_size["height"] >= 24, box_size


def test_feedback_keeps_the_chosen_rating_visible_changeable_and_focused(page):
    answer = ask(page, "What is TUPE?")
    down = answer.get_by_role("button", name="Not helpful")
    up = answer.get_by_role("button", name="Helpful", exact=True)
    down.click()
    answer.get_by_role("button", name="Send feedback").click()
    expect(answer.locator(".feedback-status")).to_have_text("Thanks, your feedback is saved.")
    expect(down).to_be_focused()  # not lost with the form that had it
    expect(down).to_have_attribute("aria-pressed", "true")
    expect(down).to_be_enabled()
    up.click()
    answer.get_by_role("button", name="Send feedback").click()
    expect(answer.locator(".feedback-status")).to_have_text("Thanks, your rating is changed.")
    expect(up).to_have_attribute("aria-pressed", "true")
    expect(down).to_have_attribute("aria-pressed", "false")


def background(page: Page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_theme_follows_the_system_until_chosen_and_remembers_the_choice(browser, base_url):
    page = new_page(browser, base_url, color_scheme="dark")
    toggle = page.get_by_role("button", name="Dark theme")
    assert background(page) == "rgb(18, 20, 23)"
    expect(toggle).to_have_attribute("aria-pressed", "true")
    toggle.click()
    assert background(page) == "rgb(255, 255, 255)"
    page.goto("/topics")  # remembered on every page, over the system's dark
    assert background(page) == "rgb(255, 255, 255)"
    expect(page.get_by_role("button", name="Dark theme")).to_have_attribute("aria-pressed", "false")
    page.context.close()
    page = new_page(browser, base_url, color_scheme="light")
    assert background(page) == "rgb(255, 255, 255)"
    page.get_by_role("button", name="Dark theme").click()
    page.reload()
    assert background(page) == "rgb(18, 20, 23)"
    assert not page.errors
    page.context.close()


def test_api_link_is_in_the_footer_not_the_main_navigation(page):
    page.goto("/topics")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("API"))).to_have_count(0)
    expect(page.locator("footer").get_by_role("link", name="API for developers")).to_be_visible()
