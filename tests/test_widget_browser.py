"""The widget in headless Chromium on a page of another origin: the demo intranet site on one port
embeds the assistant, served under /assistant/ behind an emulated reverse proxy on another port.
Screenshots of the open widget (desktop and phone) go to test-artifacts/."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from starlette.responses import HTMLResponse, PlainTextResponse

from assistant.api import create_app
from assistant.demo import create_demo_app
from assistant.settings import ROOT

from .support import ARTIFACTS, free_port, require_browser, serving

PREFIX = "/assistant"

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import Page, expect  # noqa: E402


def _reverse_proxy(app, prefix: str):
    """Like nginx's `location /assistant/ { proxy_pass http://app/; }`: only paths under the
    prefix get through, and the app receives them with the prefix stripped."""

    async def proxy(scope, receive, send):
        if scope["type"] == "http":
            if not scope["path"].startswith(prefix + "/"):
                return await PlainTextResponse("Not behind this proxy", 404)(scope, receive, send)
            scope = {**scope, "path": scope["path"][len(prefix) :], "raw_path": scope["raw_path"][len(prefix) :]}
        await app(scope, receive, send)

    return proxy


# Extra pages a test puts on the host site, by path. (Pages fulfilled by Playwright itself would
# not do: Chromium treats them as public pages, which may not load scripts from a loopback address.)
HOST_PAGES: dict[str, str] = {}


def _with_host_pages(app):
    async def site(scope, receive, send):
        if scope["type"] == "http" and scope["path"] in HOST_PAGES:
            return await HTMLResponse(HOST_PAGES[scope["path"]])(scope, receive, send)
        await app(scope, receive, send)

    return site


@pytest.fixture(scope="module")
def sites(settings, embedder):
    """(host site URL, assistant URL): the demo site on one port, the assistant on another."""
    app_port, host_port = free_port(), free_port()
    host_url = f"http://127.0.0.1:{host_port}"
    assistant_url = f"http://127.0.0.1:{app_port}{PREFIX}"
    # localhost:<host_port> is the same server under an origin that is NOT on the allow-list.
    app = create_app(replace(settings, allowed_origins=(host_url,), root_path=PREFIX), embedder=embedder)
    demo = create_demo_app(assistant_url, ROOT / "web" / "demo")
    with serving(_reverse_proxy(app, PREFIX), app_port), serving(_with_host_pages(demo), host_port):
        yield host_url, assistant_url


@pytest.fixture
def context(browser, sites):
    """A fresh profile on the host site that records every request; fails on any script error."""
    context = browser.new_context(base_url=sites[0], viewport={"width": 1280, "height": 800})
    context.requests = []
    context.on("request", lambda request: context.requests.append(request.url))
    context.errors = []
    context.on("weberror", lambda error: context.errors.append(str(error.error)))
    yield context
    errors = context.errors
    context.close()
    assert not errors, errors


@pytest.fixture
def page(context) -> Page:
    page = context.new_page()
    # API errors are the widget's to show (tested); any other failed load or console error is a bug.
    page.on(
        "console",
        lambda msg: (
            context.errors.append(msg.text)
            if msg.type == "error" and "/api/" not in msg.location.get("url", "")
            else None
        ),
    )
    return page


def launcher(page: Page):
    return page.locator("outsourcing-assistant-widget").get_by_role("button", name="Sourcing help")


def chat(page: Page):
    return page.frame_locator("outsourcing-assistant-widget iframe")


def panel(page: Page):
    return page.locator("outsourcing-assistant-widget .panel")


def open_widget(page: Page, path: str = "/"):
    page.goto(path)
    expect(launcher(page)).to_be_visible()
    launcher(page).click()
    expect(panel(page)).to_be_visible()
    expect(chat(page).get_by_label("Your question")).to_be_focused()


def ask(page: Page, question: str):
    """Ask in the widget and return the locator of its (last) answer."""
    answers = chat(page).locator(".answer")
    count = answers.count()
    box = chat(page).get_by_label("Your question")
    box.fill(question)
    box.press("Enter")
    expect(answers).to_have_count(count + 1)
    return answers.last


def shadow_focus(page: Page) -> str | None:
    """The aria-label of the focused element inside the widget's shadow root, if focus is there."""
    return page.evaluate("""() => {
        const host = document.querySelector('outsourcing-assistant-widget');
        if (document.activeElement !== host) return null;
        return host.shadowRoot.activeElement?.getAttribute('aria-label');
    }""")


def test_launcher_opens_a_chat_whose_answers_cite_and_link_their_sources(page, context, sites):
    host_url, assistant_url = sites
    open_widget(page)
    expect(launcher(page)).to_have_attribute("aria-expanded", "true")
    expect(chat(page).locator("h1")).to_have_text("Sourcing help")
    expect(chat(page).locator("#starters-heading")).to_have_text("Ask me about SLAs, contracts and vendors")
    answer = ask(page, "What is an earn-back?")
    expect(answer).to_contain_text("Earn-back lets a supplier recover a credit")
    marker = answer.locator("button.cite").first
    marker.click()
    passage = answer.locator(".passage")
    expect(passage).to_be_visible()
    expect(passage.locator(".passage-section")).to_have_text("Earn-back")
    page.screenshot(path=str(ARTIFACTS / "widget-desktop.png"))
    # The source opens the full article in a new tab; the host page stays where it was.
    with context.expect_page() as opened:
        answer.locator(".sources a").first.click()
    article = opened.value
    article.wait_for_load_state()
    assert article.url == f"{assistant_url}/docs/service-credits#earn-back"
    expect(article.locator(".cited-section")).to_contain_text("consecutive months")
    assert page.url == host_url + "/"
    article.close()
    # Follow-ups keep their context, and feedback is taken.
    ask(page, "What are RTO and RPO?")
    follow_up = ask(page, "how should they be tested?")
    expect(follow_up).to_contain_text("A recovery plan that has never been tested")
    follow_up.get_by_role("button", name="Helpful", exact=True).click()
    follow_up.get_by_role("button", name="Send feedback").click()
    expect(follow_up.locator(".feedback-status")).to_have_text("Thanks, your feedback is saved.")
    # Nothing was loaded from anywhere but the host site and the assistant.
    strangers = [url for url in context.requests if not url.startswith((host_url + "/", assistant_url + "/", "data:"))]
    assert strangers == []


def test_hostile_host_styles_do_not_break_the_widget(page):
    page.goto("/hostile")
    expect(page.locator("main button")).to_be_hidden()  # the host's own CSS does apply to the host
    expect(launcher(page)).to_be_visible()
    box = launcher(page).bounding_box()
    assert box["width"] > 100 and box["height"] >= 48
    assert box["x"] + box["width"] > 1200 and box["y"] + box["height"] > 750  # still bottom-right
    styles = launcher(page).evaluate("b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).fontSize]")
    assert styles == ["rgb(11, 95, 255)", "15px"]
    launcher(page).click()
    frame_box = page.locator("outsourcing-assistant-widget iframe").bounding_box()
    assert frame_box["width"] == 390 and frame_box["height"] > 500
    answer = ask(page, "What is TUPE?")
    expect(answer).to_contain_text("TUPE")
    expect(chat(page).get_by_role("button", name="Send")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "widget-hostile-page.png"))


def test_host_page_keeps_its_globals_and_gets_no_css(context):
    page = context.new_page()
    # Runs before any page script: the window's own properties as the browser made them.
    page.add_init_script("window.__before = Object.getOwnPropertyNames(window);")
    page.goto("/")
    expect(launcher(page)).to_be_visible()
    launcher(page).click()
    ask(page, "What is an SLA?")
    added = page.evaluate("Object.getOwnPropertyNames(window).filter(k => !window.__before.includes(k))")
    assert sorted(added) == ["OutsourcingAssistantWidget", "__before"]
    sheets = page.evaluate("""() => [
        [...document.styleSheets].map(s => new URL(s.href).pathname),
        document.adoptedStyleSheets.length,
        document.querySelectorAll('style').length,
        [...document.body.children].map(e => e.tagName.toLowerCase()).slice(-1)[0]]""")
    assert sheets == [["/static/demo.css"], 0, 0, "outsourcing-assistant-widget"]
    assert page.evaluate("typeof OutsourcingAssistantWidget.open") == "function"


def test_keyboard_opens_and_escape_closes_with_focus_back_on_the_launcher(page):
    page.goto("/")
    expect(launcher(page)).to_be_visible()
    launcher(page).focus()
    page.keyboard.press("Enter")
    box = chat(page).get_by_label("Your question")
    expect(box).to_be_focused()
    box.press("Escape")
    expect(panel(page)).to_be_hidden()
    expect(launcher(page)).to_have_attribute("aria-expanded", "false")
    assert shadow_focus(page) == "Sourcing help"
    page.keyboard.press("Space")  # reopen from the launcher, then Escape from the launcher itself
    expect(box).to_be_focused()
    launcher(page).focus()
    page.keyboard.press("Escape")
    expect(panel(page)).to_be_hidden()
    assert shadow_focus(page) == "Sourcing help"
    page.keyboard.press("Enter")  # and the close button inside the panel
    chat(page).get_by_role("button", name="Close Sourcing help").click()
    expect(panel(page)).to_be_hidden()
    assert shadow_focus(page) == "Sourcing help"


def test_conversation_and_open_panel_survive_reloads_and_navigation(page):
    open_widget(page)
    ask(page, "What are RTO and RPO?")
    page.reload()
    expect(panel(page)).to_be_visible()  # it was open: it reopens, without taking focus
    expect(chat(page).locator(".turn .question")).to_have_text(["You asked: What are RTO and RPO?"])
    expect(chat(page).locator(".answer .sources a").first).to_be_visible()
    follow_up = ask(page, "how should they be tested?")  # still the same conversation
    expect(follow_up).to_contain_text("A recovery plan that has never been tested")
    page.locator("header nav").get_by_role("link", name="Policies").click()
    page.wait_for_url("**/policies")
    expect(chat(page).locator(".turn")).to_have_count(2)
    launcher(page).click()  # closed now, and still closed on the next page
    expect(panel(page)).to_be_hidden()
    # The frame records "closed" when our message arrives; a person never navigates faster.
    embed = next(f for f in page.frames if "/embed" in f.url)
    embed.wait_for_function("Object.keys(sessionStorage).some(k => k.endsWith(':open') && sessionStorage[k] === '0')")
    page.goto("/")
    expect(launcher(page)).to_be_visible()
    expect(panel(page)).to_be_hidden()
    launcher(page).click()
    expect(chat(page).locator(".turn")).to_have_count(2)
    chat(page).get_by_role("button", name="New conversation").click()
    expect(chat(page).locator(".turn")).to_have_count(0)
    page.reload()
    expect(panel(page)).to_be_visible()
    expect(chat(page).locator(".starter").first).to_be_visible()


def test_over_the_quota_the_widget_says_so_kindly(page, context):
    message = "You have asked 60 questions in the last hour, the most the assistant answers for one person."
    context.route("**/api/ask", lambda route: route.fulfill(status=429, json={"error": message}))
    open_widget(page)
    box = chat(page).get_by_label("Your question")
    box.fill("What is TUPE?")
    box.press("Enter")
    notice = chat(page).locator(".turn .notice")
    expect(notice).to_have_text(message)
    expect(notice).to_have_attribute("role", "alert")
    expect(chat(page).locator(".turn .error")).to_have_count(0)
    expect(box).to_have_value("What is TUPE?")  # nothing typed is lost


def test_reduced_motion_means_no_animation(browser, sites):
    for motion, expected in (("reduce", "none"), ("no-preference", "rise")):
        context = browser.new_context(base_url=sites[0], reduced_motion=motion)
        page = context.new_page()
        open_widget(page)
        assert panel(page).evaluate("p => getComputedStyle(p).animationName") == expected
        context.close()


def test_phone_sized_screen_gets_a_full_screen_panel(browser, sites):
    context = browser.new_context(
        base_url=sites[0],
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        reduced_motion="reduce",
    )  # measured without the opening slide
    page = context.new_page()
    open_widget(page)
    box = page.locator("outsourcing-assistant-widget iframe").bounding_box()
    assert [round(box[k]) for k in ("x", "y", "width", "height")] == [0, 0, 390, 844]
    expect(launcher(page)).to_be_hidden()  # the panel's own close button takes over
    answer = ask(page, "What is an earn-back?")
    answer.locator("button.cite").first.click()
    # Answer blocks fit the phone too: a quoted clause and a table, with no sideways scroll.
    clause = ask(page, "Give me sample wording for a service credit clause")
    expect(clause.locator("blockquote.answer-quote p")).to_have_count(2)
    worked = ask(page, "How are service credits calculated? Show me the worked example")
    expect(worked.locator("table.answer-table tbody tr")).to_have_count(3)
    widths = chat(page).locator("body").evaluate("b => [document.documentElement.scrollWidth, innerWidth]")
    assert widths[0] <= widths[1], f"the panel scrolls sideways: {widths}"
    page.screenshot(path=str(ARTIFACTS / "widget-phone.png"))
    chat(page).get_by_role("button", name="Close Sourcing help").tap()
    expect(launcher(page)).to_be_visible()
    context.close()


def test_an_origin_not_on_the_allow_list_gets_no_widget(browser, sites):
    host_url, assistant_url = sites
    foreign = host_url.replace("127.0.0.1", "localhost")  # same server, an origin not allowed
    context = browser.new_context(base_url=foreign)
    page = context.new_page()
    refusals = []
    page.on("console", lambda msg: refusals.append(msg.text) if "frame-ancestors" in msg.text else None)
    page.goto("/")
    page.wait_for_load_state("load")
    expect(page.locator("outsourcing-assistant-widget")).to_have_count(1)
    page.wait_for_timeout(1000)  # time enough for a "ready" that must not come
    expect(launcher(page)).to_be_hidden()
    assert refusals, "Chromium did not report refusing the frame"
    assert chat(page).locator("#ask-form").count() == 0  # the frame holds no chat
    page.evaluate("OutsourcingAssistantWidget.open()")
    expect(panel(page)).to_be_hidden()
    # The API refuses the foreign origin too: the browser sees no CORS permission (and the server
    # refused the question before answering it). The static file has no CSP of the demo's own.
    page.goto("/static/demo.css")
    script = """url => fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json'},
                                   body: JSON.stringify({question: 'What is TUPE?'})})
                      .then(r => 'status ' + r.status, () => 'blocked')"""
    assert page.evaluate(script, f"{assistant_url}/api/ask") == "blocked"
    context.close()
    allowed = browser.new_context(base_url=host_url)  # while the allowed origin may call it
    page = allowed.new_page()
    page.goto("/static/demo.css")
    assert page.evaluate(script, f"{assistant_url}/api/ask") == "status 200"
    allowed.close()


def test_data_attributes_configure_the_widget(context, sites):
    host_url, assistant_url = sites
    tag = (
        f'<script src="{assistant_url}/widget.js" defer data-title="SLA desk" data-accent="#fc0" '
        'data-position="bottom-left" data-open="true" data-topic="sla" data-collection="corpus" '
        'data-greeting="Service levels only, please"></script>'
    )
    html = f"<!doctype html><title>Team page</title><p><a href='#'>A link on the page</a></p>{tag}"
    HOST_PAGES["/custom"] = html
    page = context.new_page()
    page.goto("/custom")
    button = page.locator("outsourcing-assistant-widget").get_by_role("button", name="SLA desk")
    expect(panel(page)).to_be_visible()  # data-open: open on arrival...
    assert shadow_focus(page) is None  # ...without taking the focus from the page
    box = button.bounding_box()
    assert box["x"] < 40  # bottom-left
    assert button.evaluate("b => getComputedStyle(b).color") == "rgb(0, 0, 0)"  # dark text on yellow
    expect(chat(page).locator("h1")).to_have_text("SLA desk")
    expect(chat(page).locator("#starters-heading")).to_have_text("Service levels only, please")
    assert (
        chat(page).locator(".embed-header").evaluate("h => getComputedStyle(h).backgroundColor") == "rgb(255, 204, 0)"
    )
    with context.expect_event("request", lambda r: r.url.endswith("/api/ask")) as asked:
        answer = ask(page, "What is an earn-back?")
    request = asked.value
    assert request.post_data_json["filters"] == {"topic": "sla", "collection": "corpus"}
    assert request.headers["x-assistant-host"] == host_url  # counted against this site's quota
    for href in answer.locator(".sources a").evaluate_all("links => links.map(a => a.pathname)"):
        assert href.startswith(f"{PREFIX}/docs/service-credits")


def test_long_answers_on_a_phone_never_scroll_the_header_out_of_the_frame(browser, sites):
    """The frame's own page must not scroll: its header (title, New conversation, close) stays."""
    context = browser.new_context(
        base_url=sites[0],
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        reduced_motion="reduce",
    )
    page = context.new_page()
    open_widget(page)
    for question in (
        "Give me sample wording for a service credit clause",
        "How are service credits calculated? Show me the worked example",
        "What is earn-back and what is the at-risk amount?",
    ):
        ask(page, question)
        scrolled = chat(page).locator("body").evaluate("b => document.scrollingElement.scrollTop")
        assert scrolled == 0, f"the frame's page scrolled by {scrolled}px after {question!r}"
        close = chat(page).get_by_role("button", name="Close Sourcing help")
        expect(close).to_be_in_viewport()
    context.close()


def focus_in_frame(page: Page) -> bool:
    return page.evaluate("""() => {
        const host = document.querySelector('outsourcing-assistant-widget');
        return document.activeElement === host && host.shadowRoot.activeElement?.tagName === 'IFRAME';
    }""")


def test_phone_panel_is_a_modal_dialog_that_keeps_tab_inside(browser, sites):
    context = browser.new_context(
        base_url=sites[0],
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        reduced_motion="reduce",
    )
    page = context.new_page()
    open_widget(page)
    expect(panel(page)).to_have_attribute("role", "dialog")
    expect(panel(page)).to_have_attribute("aria-modal", "true")
    expect(panel(page)).to_have_attribute("aria-label", "Sourcing help")
    ask(page, "What is an earn-back?")
    chat(page).get_by_label("Your question").focus()
    for key in ["Tab"] * 30 + ["Shift+Tab"] * 30:  # more stops than the panel has, both ways round
        page.keyboard.press(key)
        assert focus_in_frame(page), f"{key} left the full-screen panel for the host page"
    page.set_viewport_size({"width": 1280, "height": 800})  # a desktop panel is not modal
    expect(panel(page)).not_to_have_attribute("aria-modal", "true")
    for _ in range(30):
        page.keyboard.press("Tab")
        if not focus_in_frame(page):
            break
    assert not focus_in_frame(page), "Tab never left the desktop panel, which is not modal"
    context.close()


def test_open_the_full_assistant_continues_the_same_conversation(page, context, sites):
    host_url, assistant_url = sites
    open_widget(page)
    ask(page, "What is an earn-back?")
    link = chat(page).get_by_role("link", name="Open the full assistant")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", re.compile(r"/assistant/#conversation=[\w-]+$"))
    with context.expect_page() as opened:
        link.click()
    full = opened.value
    full.wait_for_load_state()
    expect(full.locator(".turn .question")).to_have_text(["You asked: What is an earn-back?"])
    assert full.url == f"{assistant_url}/"  # the id (a bearer token) leaves the address bar
    expect(full.locator("#history-list .history-title")).to_have_text(["What is an earn-back?"])
    follow_up = full.get_by_label("Your question")
    follow_up.fill("can it be refused?")
    follow_up.press("Enter")
    expect(full.locator(".answer")).to_have_count(2)
    conversation_id = link.get_attribute("href").rsplit("=", 1)[1]  # the same conversation went on there
    history = full.request.get(f"{assistant_url}/api/conversations/{conversation_id}").json()
    assert [m["question"] for m in history["messages"]] == ["What is an earn-back?", "can it be refused?"]
    full.close()
    chat(page).get_by_role("button", name="New conversation").click()
    expect(link).to_have_attribute("href", re.compile(r"/assistant/$"))
