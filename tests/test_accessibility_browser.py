"""The axe-core audit (axe-playwright-python, which bundles axe-core: no network needed) over the
chat empty and answered, an article, the topics, the calculators (with results and an error) and the
open widget, in light and dark: no violation of WCAG 2.2 A or AA (issue 14, item 5)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.api import create_app
from assistant.demo import create_demo_app
from assistant.settings import ROOT

from .support import free_port, require_browser, serving

pytestmark = pytest.mark.browser
require_browser()
pytest.importorskip("axe_playwright_python", reason="pip install -e '.[test]' installs axe-playwright-python")

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from .test_browser import ask  # noqa: E402

WCAG_22_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_22_A_AA}, "resultTypes": ["violations"]}
AXE = Axe()


@pytest.fixture(scope="module")
def sites(settings, embedder):
    """(assistant URL, demo host site URL that embeds it)."""
    app_port, host_port = free_port(), free_port()
    app_url, host_url = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{host_port}"
    app = create_app(replace(settings, allowed_origins=(host_url,)), embedder=embedder)
    with serving(app, app_port), serving(create_demo_app(app_url, ROOT / "web" / "demo"), host_port):
        yield app_url, host_url


# The WCAG contrast ratio of an element's border colour against the page's background.
CONTRAST_OF_BORDER = """element => {
    const rgb = (css) => css.match(/[\\d.]+/g).slice(0, 3).map(Number);
    const luminance = (css) => rgb(css).map((c) => c / 255)
        .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
        .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
    const [a, b] = [getComputedStyle(element).borderTopColor, getComputedStyle(document.body).backgroundColor]
        .map(luminance);
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def violations(target) -> list[str]:
    """axe's WCAG 2.2 A/AA violations on a page or frame, one readable line per element."""
    results = AXE.run(target, options=OPTIONS).response
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {node['target']}: {node.get('failureSummary', '')}"
        for v in results["violations"]
        for node in v["nodes"]
    ]


@pytest.fixture(params=["light", "dark"])
def scheme(request):
    return request.param


def new_page(browser, url, scheme, **options):
    context = browser.new_context(base_url=url, color_scheme=scheme, reduced_motion="reduce", **options)
    return context.new_page()


def test_chat_empty_and_answered(browser, sites, scheme):
    page = new_page(browser, sites[0], scheme)
    page.goto("/")
    assert violations(page) == []
    answer = ask(page, "What is an earn-back?")
    answer.locator("button.cite").first.click()  # the passage open,
    answer.get_by_role("button", name="Not helpful").click()  # the feedback form open
    ask(page, "What is the best pizza topping?")  # and a not-covered reply with its topics
    assert violations(page) == []
    # axe leaves these to best practice: headings that never skip a level (no h3 without an h2)...
    levels = page.locator("h1, h2, h3, h4, h5, h6").evaluate_all("hs => hs.map(h => +h.tagName[1])")
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
    # ...and WCAG 1.4.11's 3:1 for the borders of inputs and buttons against the page.
    for selector in ("#question", "#new-conversation", "#history-search", "button.thumb"):
        ratio = page.locator(selector).first.evaluate(CONTRAST_OF_BORDER)
        assert ratio >= 3, f"{selector}: border contrast {ratio:.2f} in {scheme}"
    page.context.close()


def test_chat_history_drawer_on_a_phone(browser, sites, scheme):
    page = new_page(browser, sites[0], scheme, viewport={"width": 390, "height": 844}, is_mobile=True)
    page.goto("/")
    ask(page, "What is TUPE?")
    page.get_by_role("button", name="History").click()
    expect(page.locator("#history")).to_be_visible()
    assert violations(page) == []
    page.context.close()


@pytest.mark.parametrize("path", ["/docs/service-credits#earn-back", "/topics", "/topics?q=outsourcing"])
def test_article_and_topics(browser, sites, scheme, path):
    page = new_page(browser, sites[0], scheme)
    page.goto(path)
    page.wait_for_load_state("load")
    assert violations(page) == []
    page.context.close()


def test_the_calculators_with_a_result_and_an_error(browser, sites, scheme):
    page = new_page(browser, sites[0], scheme)
    page.goto("/tools")
    for section in ("tiered-pricing", "unit-pricing"):
        page.locator(f"section#{section}").get_by_role("button").click()
    page.locator("section#recovery").get_by_label("Failure time").fill("soon")
    page.locator("section#recovery").get_by_role("button").click()
    expect(page.locator("section#tiered-pricing table")).to_be_visible()
    expect(page.locator("section#unit-pricing .calc-result")).to_contain_text("cheaper")
    expect(page.locator("section#recovery").get_by_role("alert")).to_be_visible()
    assert violations(page) == []
    for selector in (".calc-form input", ".calc-form select"):
        ratio = page.locator(selector).first.evaluate(CONTRAST_OF_BORDER)
        assert ratio >= 3, f"{selector}: border contrast {ratio:.2f} in {scheme}"
    page.context.close()


def test_the_open_widget(browser, sites, scheme):
    page = new_page(browser, sites[1], scheme)
    page.goto("/")
    launcher = page.locator("outsourcing-assistant-widget").get_by_role("button", name="Sourcing help")
    launcher.click()
    chat = page.frame_locator("outsourcing-assistant-widget iframe")
    box = chat.get_by_label("Your question")
    box.fill("What is an earn-back?")
    box.press("Enter")
    expect(chat.locator(".answer")).to_have_count(1)
    frame = next(f for f in page.frames if "/embed" in f.url)
    assert violations(frame) == []
    page.context.close()
