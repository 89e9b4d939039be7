"""The chat in headless Chromium: ask, read the cited passage, follow a source, follow up, give
feedback, reload, and stay safe with a <script> question. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
import re
from urllib.parse import urlparse

import pytest
from click.testing import CliRunner

from assistant.api import create_app
from assistant.cli import cli

from .support import ARTIFACTS, free_port, require_browser, serving, watched_page

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import Page, expect  # noqa: E402


@pytest.fixture(scope="module")
def base_url(settings, embedder):
    """The real app served by uvicorn on a free local port for as long as the module runs."""
    port = free_port()
    with serving(create_app(settings, embedder=embedder), port):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def page(browser, base_url):
    """A fresh browser profile (empty localStorage) with the chat open; fails on any JS error."""
    with watched_page(browser, base_url) as page:
        page.goto("/")
        yield page


def ask(page: Page, question: str):
    """Type a question, press Enter, and return the locator of its (last) answer."""
    count = page.locator(".answer").count()
    page.get_by_label("Your question").fill(question)
    page.get_by_label("Your question").press("Enter")
    expect(page.locator(".answer")).to_have_count(count + 1)
    return page.locator(".answer").last


def test_question_gets_a_cited_answer_whose_passage_opens_in_place(page):
    expect(page.locator(".starter")).to_have_count(8)
    answer = ask(page, "What is an earn-back?")
    expect(page.locator(".starters")).to_be_hidden()
    expect(answer).to_contain_text("Earn-back lets a supplier recover a credit")
    expect(page.locator("#announcer")).to_contain_text("Earn-back lets a supplier")
    marker = answer.locator("button.cite").first
    expect(marker).to_have_text("[1]")
    marker.click()
    passage = answer.locator(".passage")
    expect(passage).to_be_visible()
    expect(marker).to_have_attribute("aria-expanded", "true")
    expect(passage.locator("h3")).to_contain_text("Service credits and earn-back")
    expect(passage.locator(".passage-section")).to_have_text("Earn-back")
    expect(passage.locator(".passage-text")).to_contain_text("consecutive months")
    assert urlparse(page.url).path == "/"  # the passage opened without leaving the chat
    page.screenshot(path=str(ARTIFACTS / "chat-desktop.png"), full_page=True)
    marker.press("Enter")  # the same marker closes it again, from the keyboard
    expect(passage).to_be_hidden()


def test_source_link_opens_the_highlighted_section_in_a_new_tab(page):
    answer = ask(page, "What is an earn-back?")
    with page.context.expect_page() as opened:
        answer.locator(".sources a").first.click()
    article = opened.value
    article.wait_for_load_state()
    assert urlparse(article.url).path + "#" + urlparse(article.url).fragment == "/docs/service-credits#earn-back"
    assert urlparse(page.url).path == "/" and page.locator(".answer").count() == 1  # the chat keeps its place
    frame = article.locator(".cited-section")
    expect(frame).to_have_count(1)
    expect(frame.locator("#earn-back")).to_have_text("Earn-back")
    expect(frame).to_contain_text("consecutive months")
    expect(frame).not_to_contain_text("At-risk amount")
    background = frame.evaluate("f => getComputedStyle(f).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    assert_cited_section_in_view(article, "Service credits and earn-back")
    article.screenshot(path=str(ARTIFACTS / "article-cited-section.png"))
    article.goto(article.url.replace("#earn-back", "#overview"))  # a new fragment moves the frame
    expect(frame.locator("#earn-back")).to_have_count(0)
    expect(frame).to_contain_text("A service credit is a reduction of the monthly charge")
    article.close()


def assert_cited_section_in_view(article: Page, title: str):
    """The "Cited section" label and the section's heading are on screen, below the sticky bar that
    shows the article's title (before, the browser scrolled the label above the screen)."""
    bar = article.locator(".article-bar")
    expect(bar.locator(".article-bar-title")).to_have_text(title)
    expect(bar).to_be_in_viewport()
    bar_bottom = bar.evaluate("b => b.getBoundingClientRect().bottom")
    label = article.locator(".cited-label")
    expect(label).to_have_text("Cited section")
    expect(label).to_be_in_viewport()
    assert label.evaluate("l => l.getBoundingClientRect().top") >= bar_bottom
    assert article.evaluate("scrollY") > 0  # scrolled to the section, not left at the top


def test_follow_up_is_answered_in_context(page):
    ask(page, "What are RTO and RPO?")
    follow_up = ask(page, "how should they be tested?")
    expect(follow_up).to_contain_text("A recovery plan that has never been tested")
    expect(follow_up.locator(".sources")).to_contain_text("Testing recovery")


def test_feedback_with_a_comment_is_in_the_export(page, settings):
    answer = ask(page, "What is TUPE?")
    answer.get_by_role("button", name="Not helpful").click()
    comment = "Browser test: please add the pension rules."
    answer.get_by_label("What was wrong or missing? (optional)").fill(comment)
    answer.get_by_role("button", name="Send feedback").click()
    expect(answer.locator(".feedback-status")).to_have_text("Thanks, your feedback is saved.")
    exported = CliRunner().invoke(
        cli, ["feedback", "export", "--format", "json"], env={"ASSISTANT_DB_PATH": str(settings.db_path)}
    )
    assert exported.exit_code == 0, exported.output
    rows = [r for r in json.loads(exported.stdout) if r["comment"] == comment]
    assert [(r["rating"], r["question"]) for r in rows] == [("down", "What is TUPE?")]
    assert "TUPE" in rows[0]["answer"] and rows[0]["citations"]


def test_conversation_is_restored_after_a_reload(page):
    ask(page, "What are RTO and RPO?")
    ask(page, "how should they be tested?")
    page.reload()
    expect(page.locator(".turn .question")).to_have_text(
        ["You asked: What are RTO and RPO?", "You asked: how should they be tested?"]
    )
    expect(page.locator(".answer .sources a").first).to_be_visible()
    expect(page.locator(".starters")).to_be_hidden()
    page.get_by_role("button", name="New conversation").click()
    expect(page.locator(".turn")).to_have_count(0)
    expect(page.locator(".starters")).to_be_visible()
    page.reload()
    expect(page.locator(".starters")).to_be_visible()


def test_script_in_a_question_is_shown_literally_and_never_run(page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    question = "<script>alert(1)</script> what is TUPE?"
    answer = ask(page, question)
    expect(answer).to_contain_text("TUPE")
    expect(page.locator(".turn .question").last).to_have_text("You asked: " + question)
    assert page.locator("#messages script").count() == 0
    page.reload()  # and again when the stored conversation comes back
    expect(page.locator(".turn .question").last).to_have_text("You asked: " + question)
    assert dialogs == []


def test_abstained_answer_offers_the_closest_topics_as_questions(page):
    answer = ask(page, "What is the best pizza topping?")
    expect(answer).to_have_class("answer abstained")
    expect(answer.locator(".badge")).to_have_text("Not covered by our articles")
    answer.get_by_role("button", name="Tell me about Disaster recovery objectives").click()
    expect(page.locator(".answer")).to_have_count(2)
    expect(page.locator(".answer").last).to_contain_text("recovery time objective")
    expect(page.locator(".answer").last).not_to_have_class("answer abstained")


def test_shift_enter_adds_a_line_and_a_starter_answer_copies_with_sources(page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    box = page.get_by_label("Your question")
    box.fill("first line")
    box.press("Shift+Enter")
    box.type("second line")
    assert box.input_value() == "first line\nsecond line"
    assert page.locator(".turn").count() == 0
    box.fill("")
    page.get_by_role("button", name="What are RTO and RPO?").click()
    answer = page.locator(".answer").first
    expect(answer).to_contain_text("recovery time objective")
    answer.get_by_role("button", name="Copy").click()
    expect(answer.locator(".copy")).to_contain_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(answer.locator(".answer-text").first.inner_text())
    assert "Sources:\n[1] Disaster recovery objectives — RTO and RPO: http://127.0.0.1:" in copied
    assert "/docs/disaster-recovery#rto-and-rpo" in copied


def test_thinking_state_and_errors_are_visible(page):
    held = []
    page.route("**/api/ask", lambda route: held.append(route))  # hold it: the wait becomes visible
    box = page.get_by_label("Your question")
    box.fill("What is TUPE?")
    box.press("Enter")
    expect(page.locator("#thinking")).to_be_visible()
    expect(page.get_by_role("button", name="Send")).to_be_disabled()
    for _ in range(100):  # the route handler runs while Playwright processes events
        if held:
            break
        page.wait_for_timeout(20)
    message = "No index has been built yet; run `assistant build`."
    held[0].fulfill(status=503, json={"error": message})
    expect(page.locator(".turn .error")).to_have_text(message)
    expect(page.locator("#thinking")).to_be_hidden()
    expect(box).to_have_value("What is TUPE?")  # nothing typed is lost
    page.unroute("**/api/ask")
    ask(page, "What is TUPE?")


def test_phone_layout_has_no_horizontal_scroll_and_follows_dark_mode(browser, base_url):
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        color_scheme="dark",
    )
    page = context.new_page()
    page.goto("/")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(18, 20, 23)"
    page.screenshot(path=str(ARTIFACTS / "chat-phone-empty.png"))
    answer = ask(page, "What is an earn-back?")
    answer.locator("button.cite").first.click()
    ask(page, "What is the best pizza topping?")
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "chat-phone.png"), full_page=True)
    for path in ("/topics", "/docs/glossary#recovery-point-objective-rpo"):
        page.goto(path)
        assert_no_horizontal_scroll(page)
    context.close()


def assert_no_horizontal_scroll(page: Page):
    scroll_width, viewport = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert scroll_width <= viewport, f"{page.url} scrolls sideways: {scroll_width} > {viewport}"


def test_sample_clause_is_quoted_verbatim_and_tables_stay_tables(page):
    """A wording request gets the clause as a quote, line by line, with its caveat; a calculation
    gets the worked example's table; the copy button copies both as Markdown."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    answer = ask(page, "Give me sample wording for a service credit clause")
    quote = answer.locator("blockquote.answer-quote")
    expect(quote).to_have_count(1)
    lines = quote.locator("p")
    expect(lines).to_have_count(2)
    expect(lines.nth(0)).to_have_text(re.compile(r"^12\.1 If the Supplier misses a Service Level"))
    expect(lines.nth(1)).to_have_text(re.compile(r"^12\.2 Service Credits in any month"))
    expect(answer).to_contain_text("illustrative only and is not legal advice")
    expect(answer.locator(".block-source button.cite")).to_have_count(1)
    answer.get_by_role("button", name="Copy").click()
    expect(answer.locator(".copy")).to_contain_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "> 12.1 If the Supplier misses" in copied and "\n>\n> 12.2 Service Credits" in copied

    answer = ask(page, "How are service credits calculated? Show the worked example")
    table = answer.locator("table.answer-table")
    expect(table).to_have_count(1)
    expect(table.locator("th")).to_have_text(["Availability achieved", "Credit"])
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(answer).to_contain_text("10% × 100,000 = 10,000")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "chat-blocks-phone.png"), full_page=True)


def test_a_calculation_question_in_the_chat_gets_the_computed_figure(page):
    answer = ask(page, "monthly charges 200,000, 12% at risk, credits 20,000 and 8,000 - what is paid?")
    expect(answer.locator(".answer-text").first).to_contain_text("24,000 is paid (28,000 capped)")
    source = answer.locator(".sources a").first
    expect(source).to_have_attribute("href", re.compile(r"/docs/service-credits#worked-example$"))
