"""/topics and the article page in headless Chromium: live search and filters with counts, folded
topics on a phone, contents and the Check yourself reveal (issue 14, item 4)."""

from __future__ import annotations

import pytest

from .support import require_browser
from .test_chat_browser import PHONE, base_url, new_page  # noqa: F401 (base_url: the module's server)

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import expect  # noqa: E402


def shown_titles(page) -> list[str]:
    return page.locator(".doc-list > li:visible > a").all_inner_texts()


def test_topics_search_and_filters_narrow_the_list_with_counts(browser, base_url):  # noqa: F811
    page = new_page(browser, base_url, "/topics")
    expect(page.locator("#topic-count")).to_have_text("5 of 5 articles")
    expect(page.locator("details.topic[open]")).to_have_count(4)  # a wide screen opens them all
    page.get_by_label("Search titles, summaries and tags").fill("outsourcing")
    expect(page.locator("#topic-count")).to_have_text("3 of 5 articles")
    assert sorted(shown_titles(page)) == ["Employee transfer on outsourcing", "Glossary", "Nearshore outsourcing"]
    expect(page.locator("#topic-topic option[value=contracts]")).to_have_text("Contracts (1)")
    expect(page.locator("#topic-topic option[value=sla]")).to_have_text("SLA (0)")
    page.get_by_label("Topic").select_option("glossary")
    assert shown_titles(page) == ["Glossary"]
    expect(page.locator("#topic-audience option[value=manager]")).to_have_text("Manager (1)")
    page.get_by_label("Search titles, summaries and tags").fill("")
    page.get_by_label("Topic").select_option("")
    page.get_by_label("Audience").select_option("candidate")
    expect(page.locator("#topic-count")).to_have_text("4 of 5 articles")  # not Employee transfer
    expect(page.locator("#topic-audience option[value=candidate]")).to_have_text("Candidate (4)")
    assert page.url.endswith("/topics")  # filtered in place, no reload
    assert not page.errors
    page.context.close()


def test_topics_are_folded_on_a_phone_and_a_topic_link_opens_its_list(browser, base_url):  # noqa: F811
    page = new_page(browser, base_url, "/topics", **PHONE)
    expect(page.locator("details.topic")).to_have_count(4)
    expect(page.locator("details.topic[open]")).to_have_count(0)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2 * 844, f"the folded topics page is {height}px tall"
    page.goto("/docs/service-credits")
    page.locator(".article-topic a").click()
    page.wait_for_url("**/topics?topic=sla")
    assert shown_titles(page) == ["Service credits and earn-back"]
    assert not page.errors
    page.context.close()


def test_article_contents_and_check_yourself_reveal(browser, base_url):  # noqa: F811
    page = new_page(browser, base_url, "/docs/service-credits")
    toc = page.get_by_role("navigation", name="On this page")
    expect(toc.get_by_role("link")).to_have_text(
        ["At-risk amount", "Earn-back", "Worked example", "Sample clause", "Check yourself"]
    )
    toc.get_by_role("link", name="Worked example").click()
    expect(page.locator(".cited-section")).to_contain_text("10% × 100,000 = 10,000")
    answer = page.locator(".check-item details p")
    expect(page.locator(".check-question")).to_contain_text("What is the most the supplier can lose")
    expect(answer).to_be_hidden()
    page.get_by_text("Show the answer").click()
    expect(answer).to_have_text("10,000.")
    page.get_by_role("link", name="Back to the chat").click()
    page.wait_for_url(base_url + "/")
    assert not page.errors
    page.context.close()


@pytest.mark.parametrize("path", ["/", "/topics", "/docs/service-credits"])
def test_pages_fit_a_phone_without_sideways_scrolling(browser, base_url, path):  # noqa: F811
    page = new_page(browser, base_url, path, **PHONE)
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= viewport, f"{path} scrolls sideways: {width} > {viewport}"
    page.context.close()
