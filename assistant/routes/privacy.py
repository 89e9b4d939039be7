"""DELETE /api/conversations/{id}: a visitor removes a conversation and everything said in it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from ..validation import ID_MAX, error_responses

router = APIRouter(tags=["conversations"])


@router.delete(
    "/api/conversations/{conversation_id}",
    status_code=204,
    response_class=Response,
    responses=error_responses(
        {404: "Unknown conversation (or deleted already)", 503: "The database refuses writes just now"}
    ),
)
def delete_conversation(conversation_id: Annotated[str, Path(max_length=ID_MAX)], request: Request):
    """Delete the conversation, its questions and answers, and the ratings given to them."""
    request.app.state.conversations.delete(conversation_id)
    return Response(status_code=204)
