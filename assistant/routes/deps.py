"""What routes get from the app: typed dependencies, the visitor's address and quotas."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..answering import Assistant
from ..conversations import ConversationStore


async def get_assistant(request: Request) -> Assistant:
    return request.app.state.assistant


async def get_conversations(request: Request) -> ConversationStore:
    return request.app.state.conversations


def visitor_address(request: Request) -> str:
    """Who sends the request, for quotas: the client's address (a trusted proxy's client's, see
    ASSISTANT_TRUSTED_PROXIES)."""
    return request.client.host if request.client else "unknown"


def question_quota(request: Request):
    """The visitor's and the widget host's hourly question quotas, for one question (429 when spent)."""
    state = request.app.state
    return state.quotas.question(visitor_address(request), state.origins.widget_host(request))


AssistantDep = Annotated[Assistant, Depends(get_assistant)]
ConversationsDep = Annotated[ConversationStore, Depends(get_conversations)]
