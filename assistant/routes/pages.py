"""The HTML pages over the index: the chat, the topic list and each article."""

from __future__ import annotations

import contextlib
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ..article_page import article_view
from ..errors import BadRequest, IndexUnavailable, NotFound
from ..topics import browse
from ..validation import ID_MAX, printable
from .deps import AssistantDep

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def chat(request: Request, assistant: AssistantDep, doc: Annotated[str | None, Query(max_length=ID_MAX)] = None):
    """The chat page; it speaks only to the JSON API. `?doc=<id>` (an article's "Ask about this
    article") limits the answers to that article; an unknown id is ignored."""
    document = None
    if doc:
        with contextlib.suppress(IndexUnavailable):  # the chat still opens; asking will say why
            document = assistant.live.get().documents.get(doc)
    return request.app.state.templates.TemplateResponse(request, "chat.html", {"page": "chat", "doc": document})


@router.get("/topics", response_class=HTMLResponse)
def topics(
    request: Request,
    assistant: AssistantDep,
    q: Annotated[str, Query(max_length=200)] = "",
    audience: Literal["candidate", "manager", ""] = "",
    topic: Annotated[str, Query(max_length=60)] = "",
):
    """Every article, grouped by topic folder, each with its summary; `q` searches titles,
    summaries and tags, `audience` and `topic` filter (the page's form, and topics.js live)."""
    index = assistant.live.get()
    if topic and topic not in index.topics:
        raise BadRequest(f"There is no topic '{printable(topic)}'; choose one from the list on /topics.")
    catalogue = browse(list(index.documents.values()), q, audience or None, topic or None)
    return request.app.state.templates.TemplateResponse(
        request, "topics.html", {"page": "topics", "catalogue": catalogue, "q": q, "audience": audience, "topic": topic}
    )


@router.get("/docs/{doc_id}", response_class=HTMLResponse)
def article(request: Request, doc_id: str, assistant: AssistantDep):
    documents = assistant.live.get().documents
    document = documents.get(doc_id)
    if document is None:
        raise NotFound(f"There is no article '{doc_id}'. Browse the topics to find one.")
    related = [documents[r] for r in document.related if r in documents]
    html, toc = article_view(document.body)
    return request.app.state.templates.TemplateResponse(
        request, "article.html", {"doc": document, "html": html, "toc": toc, "related": related}
    )
