"""Study mode in headless Chromium, by keyboard: a quiz answered right and wrong, progress that
changes, a 5-question mock exam with its report, phone size, and the chat's quiz offer."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from assistant.api import create_app
from assistant.study.catalog import ItemCatalog

from .support import ARTIFACTS, free_port, require_browser, serving

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def study_settings(study_build, tmp_path_factory):
    return replace(study_build, db_path=tmp_path_factory.mktemp("study-browser") / "assistant.db")


@pytest.fixture(scope="module")
def base_url(study_settings, embedder):
    port = free_port()
    with serving(create_app(study_settings, embedder=embedder), port):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def items(study_settings):
    return ItemCatalog(study_settings.index_dir, study_settings.corpus_dir).get().items


def open_page(browser, base_url, path="/study", viewport=None):
    context = browser.new_context(base_url=base_url, viewport=viewport or {"width": 1280, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda err: page.errors.append(str(err)))
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(path)
    return page


@pytest.fixture
def page(browser, base_url):
    page = open_page(browser, base_url)
    yield page
    page.context.close()
    assert not page.errors, page.errors


def shown_item(page: Page, items):
    prompt = page.locator("#card-prompt").inner_text()
    return next(i for i in items if i.prompt == prompt)


def answer_by_keyboard(page: Page, item, right: bool):
    """Press 1-4 for an option, or type a figure or text and press Enter."""
    if item.options:
        wanted = item.answer if right else next(o for o in item.options if o != item.answer)
        page.keyboard.press(str(item.options.index(wanted) + 1))
        return
    field = page.get_by_label(re.compile("^Your answer"))
    field.focus()
    if item.grading == "number":
        page.keyboard.type(f"{item.value}" if right else f"{item.value * 3 + 7}")
    else:
        page.keyboard.type(item.answer if right else "Something else entirely about pricing.")
    page.keyboard.press("Enter")


def test_a_quiz_by_keyboard_changes_progress(page, items):
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Study")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator("#progress-summary")).to_contain_text("Nothing answered yet")
    page.get_by_label("Number of questions").focus()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("2")
    page.get_by_role("button", name="Start").focus()
    page.keyboard.press("Enter")
    card = page.locator("#study-card")
    expect(card).to_be_visible()
    expect(page.locator("#card-meta")).to_contain_text("1 of 2")

    first = shown_item(page, items)
    answer_by_keyboard(page, first, right=True)
    expect(page.locator("#card-feedback .verdict")).to_have_text("Correct")
    expect(page.locator("#card-feedback .source a")).to_have_attribute("href", first.url)
    expect(page.locator("#progress-summary")).to_contain_text("1 answer so far")
    expect(page.get_by_role("button", name="Next question")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("#card-meta")).to_contain_text("2 of 2")
    second = shown_item(page, items)
    answer_by_keyboard(page, second, right=False)
    expect(page.locator("#card-feedback .verdict")).to_have_text("Not yet")
    expect(page.locator("#card-feedback .expected")).to_contain_text(second.answer[:40])
    expect(page.locator("#progress-summary")).to_contain_text("2 answers so far")
    expect(page.locator("#progress-summary")).to_contain_text("1 due for review today")
    chart = page.get_by_role("img", name="Mastery per topic, weakest first")
    expect(chart).to_be_visible()
    assert page.locator("svg.mastery-chart rect.bar").count() == page.locator("input[name=topic]").count()
    page.screenshot(path=str(ARTIFACTS / "study-quiz.png"), full_page=True)
    page.keyboard.press("Enter")  # "See the summary"
    expect(page.locator("#study-setup")).to_be_visible()
    expect(page.locator("#progress-summary")).to_contain_text("2 answers so far")


def test_a_five_question_mock_exam_is_marked_at_the_end(page, items):
    page.get_by_role("radio", name=re.compile("Mock exam")).focus()
    page.keyboard.press("Space")
    for label, value in (("Number of questions", "5"), ("Minutes (mock exam)", "10")):
        page.get_by_label(label).focus()
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.type(value)
    page.get_by_role("button", name="Start").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#exam-clock")).to_be_visible()
    expect(page.locator("#clock-text")).to_have_text(re.compile(r"^(10:00|9:5\d)$"))
    for number in range(1, 6):
        expect(page.locator("#card-meta")).to_contain_text(f"Mock exam · {number} of 5")
        item = shown_item(page, items)
        answer_by_keyboard(page, item, right=number % 2 == 1)
        expect(page.locator("#card-feedback .verdict")).to_have_count(0)  # no feedback until the end
        if item.options and number < 5:
            expect(page.get_by_role("button", name="Next question")).to_be_focused()
            page.keyboard.press("Enter")
    page.get_by_role("button", name="Finish exam").focus()
    page.keyboard.press("Enter")
    report = page.locator("#study-report")
    expect(report).to_be_visible()
    expect(report.get_by_role("heading", level=2)).to_contain_text("Mock exam result")
    expect(report).to_contain_text("of 5 questions")
    assert report.locator(".results > li").count() == 5
    expect(report.locator(".report-table tbody tr").first).to_be_visible()
    assert report.locator(".verdict.correct").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "study-exam-report.png"), full_page=True)
    expect(page.locator("#progress-summary")).to_contain_text("answers so far")


def test_export_and_delete_progress(page, items):
    href = page.get_by_role("link", name="Export my progress").get_attribute("href")
    assert re.search(r"/api/study/progress/export\?learner_id=[0-9a-f]{32}$", href)
    page.get_by_role("button", name="Delete my progress").click()  # the dialog is accepted
    expect(page.locator("#progress-summary")).to_contain_text("You start afresh")


def test_phone_size(browser, base_url, items):
    page = open_page(browser, base_url, "/study?mode=quiz&topic=glossary", {"width": 375, "height": 740})
    expect(page.locator("#study-card")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    item = shown_item(page, items)
    assert item.topic == "glossary"
    answer_by_keyboard(page, item, right=True)
    expect(page.locator("#card-feedback .verdict")).to_have_text("Correct")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(ARTIFACTS / "study-phone.png"), full_page=True)
    page.context.close()
    assert not page.errors, page.errors


def test_chat_offers_a_quiz_on_the_topic(browser, base_url):
    page = open_page(browser, base_url, "/")
    page.get_by_label("Your question").fill("quiz me on SLAs")
    page.get_by_label("Your question").press("Enter")
    offer = page.get_by_role("link", name="Start a quiz on SLA")
    expect(offer).to_be_visible()
    offer.click()
    page.wait_for_url(re.compile(r"/study\?mode=quiz&topic=sla$"))
    expect(page.locator("#card-meta")).to_contain_text("SLA")
    page.context.close()
    assert not [e for e in page.errors if "/api/ask" not in e], page.errors
