"""The HTML pages over the index: the chat, the topic list and each article."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..errors import NotFound
from ..markdown import render_article
from .deps import AssistantDep

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def chat(request: Request):
    """The chat page; it speaks only to the JSON API."""
    return request.app.state.templates.TemplateResponse(request, "chat.html", {"page": "chat"})


@router.get("/topics", response_class=HTMLResponse)
def topics(request: Request, assistant: AssistantDep):
    """Every article, grouped by topic folder, each with its summary."""
    documents = assistant.live.get().documents.values()
    by_topic: dict[str, list[dict]] = {}
    for document in sorted(documents, key=lambda d: d["title"].lower()):
        by_topic.setdefault(document["topic"], []).append(document)
    return request.app.state.templates.TemplateResponse(
        request, "topics.html", {"page": "topics", "topics": sorted(by_topic.items())}
    )


@router.get("/docs/{doc_id}", response_class=HTMLResponse)
def article(request: Request, doc_id: str, assistant: AssistantDep):
    documents = assistant.live.get().documents
    document = documents.get(doc_id)
    if document is None:
        raise NotFound(f"There is no article '{doc_id}'. Browse the topics to find one.")
    related = [documents[r] for r in document["related"] if r in documents]
    return request.app.state.templates.TemplateResponse(
        request, "article.html", {"doc": document, "html": render_article(document["body"]), "related": related}
    )
