"""Refresh the README's screenshots (docs/screenshots/*.png): the chat with its history, the
history drawer, the topics and the widget, at desktop and phone sizes, in Debian's Chromium.

    assistant build                  # once: the screenshots answer from the real corpus
    pip install -e '.[docs]'         # Pillow, which shrinks the PNGs to a palette
    .venv/bin/python docs/screenshots.py

The app and the demo intranet page that embeds the widget are served on free local ports for the
few seconds this takes; nothing is fetched from outside.
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import uvicorn
from playwright.sync_api import Page, expect, sync_playwright

from assistant.api import create_app
from assistant.demo import create_demo_app
from assistant.settings import ROOT, Settings

OUT = ROOT / "docs" / "screenshots"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"viewport": {"width": 1200, "height": 760}}
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
QUESTIONS = ["What is an earn-back?", "What are RTO and RPO?"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(app, port: int):
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def ask(page: Page, answers, box, question: str) -> None:
    count = answers.count()
    box.fill(question)
    box.press("Enter")
    expect(answers).to_have_count(count + 1, timeout=30_000)


def chat_shots(browser, app_url: str, size: str, options: dict) -> None:
    context = browser.new_context(base_url=app_url, reduced_motion="reduce", **options)
    page = context.new_page()
    page.goto("/")
    box = page.get_by_label("Your question")
    for question in QUESTIONS:  # two conversations in the history
        ask(page, page.locator(".answer"), box, question)
        page.get_by_role("button", name="New conversation").click()
    ask(page, page.locator(".answer"), box, "How are service credits calculated?")
    page.locator(".answer").last.scroll_into_view_if_needed()
    page.screenshot(path=OUT / f"chat-{size}.png")
    if size == "phone":
        page.get_by_role("button", name="History").click()
        page.screenshot(path=OUT / "history-phone.png")
    page.goto("/topics")
    page.get_by_label("Search titles, summaries and tags").fill("service level")
    page.screenshot(path=OUT / f"topics-{size}.png")
    context.close()


def widget_shot(browser, host_url: str, size: str, options: dict) -> None:
    context = browser.new_context(base_url=host_url, reduced_motion="reduce", **options)
    page = context.new_page()
    page.goto("/")
    page.locator("outsourcing-assistant-widget").get_by_role("button", name="Sourcing help").click()
    chat = page.frame_locator("outsourcing-assistant-widget iframe")
    ask(page, chat.locator(".answer"), chat.get_by_label("Your question"), "What is an earn-back?")
    page.screenshot(path=OUT / f"widget-{size}.png")
    context.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    app_port, host_port = free_port(), free_port()
    host = f"http://127.0.0.1:{host_port}"
    settings = replace(Settings.from_env(), allowed_origins=(host,))
    with serving(create_app(settings), app_port) as app_url, \
            serving(create_demo_app(app_url, ROOT / "web" / "demo"), host_port), \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        for size, options in (("desktop", DESKTOP), ("phone", PHONE)):
            chat_shots(browser, app_url, size, options)
            widget_shot(browser, host, size, options)
        browser.close()
    for path in sorted(OUT.glob("*.png")):
        shrink(path)
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB")


def shrink(path: Path) -> None:
    """A 64-colour palette: the interface's flat colours survive, the file is a third of the size."""
    try:
        from PIL import Image
    except ImportError:
        raise SystemExit("Pillow is missing: pip install -e '.[docs]'") from None
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


if __name__ == "__main__":
    main()
