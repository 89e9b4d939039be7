"""What an article page shows besides its body: a table of contents, and the "Check yourself"
answers behind a reveal."""

from __future__ import annotations

import re

from markupsafe import Markup

from .markdown import render_article

_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>')
# A Check yourself pair as rendered: <p><strong>Q:</strong> question <strong>A:</strong> answer</p>
_PAIR = re.compile(r"<p><strong>Q:</strong>\s*(.*?)\s*<strong>A:</strong>\s*(.*?)</p>", re.S)


def article_view(body: str) -> tuple[Markup, list[tuple[str, str]]]:
    """The article body as HTML (Check yourself answers in <details>), and its table of contents
    as (anchor, heading HTML) pairs of its second-level headings."""
    html = render_article(body)
    toc = [(anchor, Markup(heading)) for anchor, heading in _H2.findall(html)]
    start = next((m.end() for m in _H2.finditer(html) if m.group(1).startswith("check-yourself")), None)
    if start is not None:
        following = _H2.search(html, start)
        end = following.start() if following else len(html)
        html = html[:start] + _PAIR.sub(_reveal, html[start:end]) + html[end:]
    return Markup(html), toc


def _reveal(pair: re.Match) -> str:
    question, answer = pair.groups()
    return (
        f'<div class="check-item"><p class="check-question">{question}</p>'
        f"<details><summary>Show the answer</summary><p>{answer}</p></details></div>"
    )
