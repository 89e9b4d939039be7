"""The JSON API of answers: ask, a conversation's history, and feedback on an answer."""

from __future__ import annotations

from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from ..conversation import respond
from ..corpus import AUDIENCES
from ..settings import Settings
from ..validation import ID_MAX, Id, Text, Topic, error_responses
from .deps import AssistantDep, ConversationsDep, question_quota, visitor_address

router = APIRouter()
# The reply is validated against these models, so they are its one schema: a field the answer has
# and the model lacks fails (in the tests), and fields a block does not use are left out.
REPLY = ConfigDict(extra="forbid")
QUESTION_CHARS = Settings.default("max_question_chars")


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    topic: Topic | None = Field(None, description="Only passages from this topic folder, e.g. 'sla'.")
    audience: Literal[AUDIENCES] | None = Field(None, description="Only articles for this reader.")
    collection: Literal["corpus", "organisation"] | None = Field(
        None, description="Only the curated corpus, or only the organisation's ingested documents."
    )
    doc: Id | None = Field(None, description="Only passages from this article (its id, as in /docs/<id>).")


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: Text = Field(
        ...,
        min_length=1,
        description=f"The question, 1 to {QUESTION_CHARS:,} characters (ASSISTANT_MAX_QUESTION_CHARS).",
        examples=["What is an earn-back on service credits?"],
    )
    conversation_id: Id | None = Field(None, description="Continue this conversation; omit to start one.")
    k: StrictInt | None = Field(
        None,
        ge=1,
        le=10,
        description="How many passages to return as citations; omit for the server's ASSISTANT_DEFAULT_K.",
    )
    filters: Filters | None = None


class Citation(BaseModel):
    model_config = REPLY
    n: int
    passage_id: str
    doc_id: str
    title: str
    section: str
    kind: str = Field(
        description="The section's kind: overview, definition, sample_clause, worked_example, "
        "pitfalls, negotiation, steps, comparison, key_points, body, ..."
    )
    url: str
    text: str
    score: float = Field(description="Cosine similarity of question and passage.")
    cited: bool = Field(description="True when the answer quotes this passage.")
    reviewed: str | None = Field(None, description="When the article's facts were last checked (YYYY-MM-DD).")
    jurisdiction: list[str] = Field(default_factory=list, description="Legal systems the article's content depends on.")
    collection: str = Field("corpus", description="corpus (curated articles) or organisation (ingested documents).")
    page: str | None = Field(None, description="An ingested PDF's page(s) of the passage: '4' or '4-5'.")
    label: str = Field("", description="How to name the source, e.g. 'Your organisation: Title, §Section, p. 4'.")


class Block(BaseModel):
    """One part of an answer, in reading order. Every block names the citations it quotes."""

    model_config = REPLY
    type: Literal["paragraph", "list", "steps", "quote", "table"]
    text: str | None = Field(None, description="paragraph: sentences, each followed by its [n].")
    items: list[str] | None = Field(None, description="list, steps: the items, verbatim.")
    lines: list[str] | None = Field(
        None,
        description="quote: the quoted lines verbatim (a sample clause keeps "
        "its numbering and one line per sub-clause).",
    )
    header: list[str] | None = Field(None, description="table: column names.")
    rows: list[list[str]] | None = Field(None, description="table: rows of cells.")
    title: str | None = Field(None, description="The section the block comes from, when it is shown whole.")
    citations: list[int] = Field(description="Numbers (n) of the citations this block quotes.")


class Suggestion(BaseModel):
    model_config = REPLY
    doc_id: str
    title: str
    url: str


class AskResponse(BaseModel):
    model_config = REPLY
    conversation_id: str
    message_id: str
    answer: str = Field(
        description="The answer as plain text: every sentence, item, quoted line and table row followed by its [n]."
    )
    blocks: list[Block] = Field(
        description="The same answer as ordered blocks, for rendering: a direct lead, "
        "then support shaped as asked (a quoted clause, a table, a list)."
    )
    intent: str = Field(
        description="What the question was taken to ask for: definition, calculation, example, "
        "clause, comparison, choose, steps, risks, negotiation, situation, yes_no."
    )
    abstained: bool
    citations: list[Citation]
    suggestions: list[Suggestion] = Field(description="Closest topics, offered when the assistant abstains.")
    timing_ms: dict[str, float]
    follow_ups: list[str] = Field(
        default_factory=list,
        description=(
            "2-3 questions to ask next, about the first cited article's other sections (its worked example, "
            "sample clause, pitfalls, ...); empty when the assistant abstains."
        ),
    )


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message_id: Id = Field(..., description="The answer's message_id.")
    rating: Literal["up", "down"]
    comment: Text = Field("", max_length=2000)


class FeedbackResponse(BaseModel):
    id: int
    changed: bool = Field(description="True when this replaced the visitor's earlier rating of the answer.")


@router.post(
    "/api/ask",
    response_model=AskResponse,
    response_model_exclude_unset=True,
    tags=["answers"],
    responses=error_responses(
        {
            400: "Bad question or filter",
            404: "Unknown conversation",
            429: "Hourly question quota spent (see Retry-After)",
            503: "No usable index, or the model is restarting; the error says what to do",
        }
    ),
)
async def ask(body: AskRequest, request: Request, assistant: AssistantDep, conversations: ConversationsDep):
    """Answer a question with sentences quoted from the corpus, each citing its passage."""
    filters = body.filters.model_dump(exclude_none=True) if body.filters else None

    def answer() -> str:
        # Counted only once the body is valid, and given back if the question is refused or fails;
        # in this thread, as quotas kept in PostgreSQL must not hold up the event loop.
        with question_quota(request):
            result = respond(assistant, conversations, body.question, body.conversation_id, body.k, filters)
        # Checked against the reply's schema and written as JSON by pydantic-core here, in the
        # answer's thread: a model returned to FastAPI is validated once more, in the event loop
        # that every other request waits on (about 0.8 ms of CPU per answer, measured A/B in one process).
        return AskResponse.model_validate(result).model_dump_json(exclude_unset=True)

    reply = await anyio.to_thread.run_sync(answer, limiter=request.app.state.question_threads)
    return Response(reply, media_type="application/json")


@router.get(
    "/api/conversations/{conversation_id}",
    tags=["conversations"],
    responses=error_responses({404: "Unknown conversation"}),
)
def conversation(conversation_id: Annotated[str, Path(max_length=ID_MAX)], conversations: ConversationsDep):
    """The questions and answers of one conversation, oldest first."""
    return conversations.history(conversation_id)


@router.post(
    "/api/feedback",
    tags=["conversations"],
    status_code=201,
    response_model=FeedbackResponse,
    responses={
        200: {"description": "The visitor's earlier rating of this answer, changed", "model": FeedbackResponse},
        **error_responses({404: "Unknown message", 429: "Hourly rating quota spent (see Retry-After)"}),
    },
)
def feedback(body: FeedbackRequest, request: Request, response: Response, conversations: ConversationsDep):
    """Thumbs up or down on one answer, with an optional comment; one rating per answer and
    visitor, which a second rating replaces."""
    visitor = visitor_address(request)
    with request.app.state.quotas.rating(visitor):
        feedback_id, changed = conversations.add_feedback(body.message_id, body.rating, body.comment.strip(), visitor)
    if changed:
        response.status_code = 200
    return {"id": feedback_id, "changed": changed}
