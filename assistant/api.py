"""The FastAPI app: JSON API, HTML pages, the widget and security headers over `answering`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from contextlib import asynccontextmanager
from typing import Annotated, Literal

import anyio
from fastapi import Depends, FastAPI, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ConfigDict, Field, StrictInt
from starlette.exceptions import HTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from . import widget
from .answering import Assistant, respond
from .article_page import article_view
from .conversations import ConversationStore
from .errors import AssistantError, BadRequest, IndexUnavailable, NotFound, StoreUnavailable
from .last_good import LastGoodIndex, without_paths
from .limits import QuotaExceeded, Quotas
from .middleware import LOCAL_HOSTS, BodyLimit, CatchUnexpected, TrustedHosts
from .origins import Origins, route_path
from .privacy import DAY, purge_forever, purge_once, redact_access_log
from .routes import calc, clauses, study
from .routes.docs import router as docs_router
from .routes.health import router as health_router
from .routes.privacy import router as privacy_router
from .settings import ROOT, Settings
from .topics import browse
from .validation import (
    ID_MAX,
    NOT_UNICODE_ERRORS,
    NOT_UNICODE_MESSAGE,
    Id,
    Text,
    Topic,
    error_responses,
    printable,
)

log = logging.getLogger("assistant")

# How `assistant serve` runs uvicorn: the app decides which proxies to trust (uvicorn by default
# believes X-Forwarded-For from 127.0.0.1, so any local client could pose as anyone), and the
# Server header does not advertise what runs here.
UVICORN_OPTIONS = {"proxy_headers": False, "server_header": False}


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    topic: Topic | None = Field(None, description="Only passages from this topic folder, e.g. 'sla'.")
    audience: Literal["candidate", "manager"] | None = Field(None, description="Only articles for this reader.")
    doc: Id | None = Field(None, description="Only passages from this article (its id, as in /docs/<id>).")


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: Text = Field(..., min_length=1, description="The question, 1 to 2,000 characters.",
                           examples=["What is an earn-back on service credits?"])
    conversation_id: Id | None = Field(None, description="Continue this conversation; omit to start one.")
    k: StrictInt = Field(5, ge=1, le=10, description="How many passages to return as citations.")
    filters: Filters | None = None


class Citation(BaseModel):
    n: int
    passage_id: str
    doc_id: str
    title: str
    section: str
    kind: str = Field(description="The section's kind: overview, definition, sample_clause, worked_example, "
                                  "pitfalls, negotiation, steps, comparison, key_points, body, ...")
    url: str
    text: str
    score: float = Field(description="Cosine similarity of question and passage.")
    cited: bool = Field(description="True when the answer quotes this passage.")
    reviewed: str | None = Field(None, description="When the article's facts were last checked (YYYY-MM-DD).")
    jurisdiction: list[str] = Field(default_factory=list, description="Legal systems the article's content depends on.")


class Block(BaseModel):
    """One part of an answer, in reading order. Every block names the citations it quotes."""
    type: Literal["paragraph", "list", "steps", "quote", "table"]
    text: str | None = Field(None, description="paragraph: sentences, each followed by its [n].")
    items: list[str] | None = Field(None, description="list, steps: the items, verbatim.")
    lines: list[str] | None = Field(None, description="quote: the quoted lines verbatim (a sample clause keeps "
                                                      "its numbering and one line per sub-clause).")
    header: list[str] | None = Field(None, description="table: column names.")
    rows: list[list[str]] | None = Field(None, description="table: rows of cells.")
    title: str | None = Field(None, description="The section the block comes from, when it is shown whole.")
    citations: list[int] = Field(description="Numbers (n) of the citations this block quotes.")


class Suggestion(BaseModel):
    doc_id: str
    title: str
    url: str


class AskResponse(BaseModel):
    conversation_id: str
    message_id: str
    answer: str = Field(description="The answer as plain text: every sentence, item, quoted line and table row "
                                    "followed by its [n].")
    blocks: list[Block] = Field(description="The same answer as ordered blocks, for rendering: a direct lead, "
                                            "then support shaped as asked (a quoted clause, a table, a list).")
    intent: str = Field(description="What the question was taken to ask for: definition, calculation, example, "
                                    "clause, comparison, choose, steps, risks, negotiation, situation, yes_no.")
    abstained: bool
    citations: list[Citation]
    suggestions: list[Suggestion] = Field(description="Closest topics, offered when the assistant abstains.")
    timing_ms: dict[str, float]
    follow_ups: list[str] = Field(default_factory=list, description=(
        "2-3 questions to ask next, about the first cited article's other sections (its worked example, "
        "sample clause, pitfalls, ...); empty when the assistant abstains."))


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message_id: Id = Field(..., description="The answer's message_id.")
    rating: Literal["up", "down"]
    comment: Text = Field("", max_length=2000)


class FeedbackResponse(BaseModel):
    id: int
    changed: bool = Field(description="True when this replaced the visitor's earlier rating of the answer.")


def _readable(errors: list[dict]) -> str:
    parts = []
    for error in errors:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        if error.get("type") == "json_invalid":
            return "The request body is not valid JSON; send a JSON object such as {\"question\": \"...\"}."
        message = NOT_UNICODE_MESSAGE if error.get("type") in NOT_UNICODE_ERRORS else error.get("msg")
        parts.append(f"{where or 'body'}: {message}")
    return "; ".join(parts)


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


def _csp(frame_ancestors: str) -> str:
    return ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"{frame_ancestors}; base-uri 'none'; form-action 'self'")


# The chat needs none of these; a page (or an injected script) cannot ask for them either.
PERMISSIONS_POLICY = b"camera=(), microphone=(), geolocation=(), payment=(), usb=(), display-capture=()"


class SecurityHeaders:
    """CSP and the usual hardening headers on every response (plain ASGI: no per-request task)."""

    def __init__(self, app, embed_ancestors: str):
        self.app = app
        common = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                  (b"permissions-policy", PERMISSIONS_POLICY)]
        # /embed is the one page that allowed host origins may frame.
        self.embed = common + [(b"content-security-policy", _csp(embed_ancestors).encode())]
        self.other = common + [(b"content-security-policy", _csp("frame-ancestors 'self'").encode()),
                               (b"x-frame-options", b"SAMEORIGIN")]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        extra = self.embed if route_path(scope) == "/embed" else self.other
        if scope.get("scheme") == "https":  # over plain http the header would be ignored anyway
            extra = extra + [(b"strict-transport-security", b"max-age=31536000")]

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (name, value) for name, value in extra if name not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RootPath:
    """Serves the app under settings.root_path, as `uvicorn --root-path` would.

    Starlette expects the prefix both in `root_path` and at the start of `path` (the ASGI spec);
    a proxy that strips the prefix leaves it off the path, so it is put back. A proxy that keeps
    it, or direct requests to /prefix/..., pass unchanged. (FastAPI's `root_path=` is deprecated.)
    """

    def __init__(self, app, root_path: str):
        self.app, self.root_path = app, root_path

    async def __call__(self, scope, receive, send):
        root = self.root_path
        if scope["type"] in ("http", "websocket") and not scope.get("root_path"):
            if scope["path"] != root and not scope["path"].startswith(root + "/"):
                scope["path"] = root + scope["path"]
                scope["raw_path"] = root.encode() + scope.get("raw_path", b"")
            scope["root_path"] = root  # in place: the error handler outside sees it too
        await self.app(scope, receive, send)


def create_app(settings: Settings | None = None, embedder=None) -> FastAPI:
    """The app; pass an already loaded embedder to share one model across apps (tests do)."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Questions get their own threads, fewer than the default 40: more only queue for Python's
        # GIL (measured with bench/bench_api.py), and 16 still gather full batches for the model.
        # Health, pages and the rest keep the default pool, so they never wait behind questions.
        app.state.question_threads = anyio.CapacityLimiter(settings.answer_threads)
        own_model = embedder is None
        if own_model:
            from .embedding import ModelProcess

            app.state.embedder = ModelProcess(settings.batch_wait_ms, settings.query_cache,
                                              timeout=settings.model_timeout)
        else:
            app.state.embedder = embedder
        app.state.assistant = Assistant(settings, app.state.embedder)
        # A server keeps answering from its last good build when a newer one is missing or broken.
        app.state.assistant.live = LastGoodIndex(settings.index_dir, app.state.embedder.name,
                                                 settings.corpus_dir)
        app.state.conversations = ConversationStore(settings.db_path)
        problem = app.state.conversations.check()
        if problem:
            raise StoreUnavailable(f"The conversation database {settings.db_path} refuses writes ({problem}). "
                                   "Set ASSISTANT_DB_PATH to a file this user may write.")
        with contextlib.suppress(IndexUnavailable):  # LastGoodIndex has logged why
            app.state.assistant.live.get()
        redact_access_log()
        await purge_once(app.state.conversations, settings.retention_days)
        purging = asyncio.get_running_loop().create_task(
            purge_forever(app.state.conversations, settings.retention_days, app.state.purge_every))
        yield
        purging.cancel()
        if own_model:
            app.state.embedder.close()

    app = FastAPI(
        title="Outsourcing knowledge assistant",
        description="Answers IT-outsourcing questions from a curated corpus, citing every sentence.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # routes/docs.py serves Swagger UI offline, under the CSP
        redoc_url=None,
        openapi_url="/api/openapi.json",
        # Every route may refuse a body that is too large or not as the schema says.
        responses=error_responses({413: "Request body over the size limit",
                                   422: "Request not as the schema says; the error names the field"}),
    )
    app.state.purge_every = DAY
    app.state.origins = origins = Origins(settings.allowed_origins)
    app.state.quotas = Quotas(settings.quota_per_visitor, settings.quota_per_origin,
                              settings.feedback_quota_per_visitor)
    templates = Jinja2Templates(directory=str(settings.web_dir / "templates"))
    app.state.settings, app.state.templates = settings, templates
    app.mount("/static", StaticFiles(directory=str(settings.web_dir / "static")), name="static")

    # Replies never show where the server keeps its files.
    places = {settings.index_dir: "the index folder", settings.corpus_dir: "the corpus folder",
              settings.db_path.parent: "the data folder", ROOT: "the install folder"}

    def error_response(request: Request, status: int, message: str):
        message = printable(without_paths(message, places))
        if route_path(request.scope).startswith("/api/"):
            return JSONResponse({"error": message}, status_code=status)
        return templates.TemplateResponse(
            request, "error.html", {"status": status, "message": message}, status_code=status)

    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, err: AssistantError):
        return error_response(request, err.status, str(err))

    @app.exception_handler(QuotaExceeded)
    async def quota_exceeded(request: Request, err: QuotaExceeded):
        response = error_response(request, err.status, str(err))
        response.headers["Retry-After"] = str(err.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, err: RequestValidationError):
        # Text that is not Unicode is valid JSON of the right type: a bad request, not a schema miss.
        status = 400 if any(e.get("type") in NOT_UNICODE_ERRORS for e in err.errors()) else 422
        return error_response(request, status, _readable(err.errors()))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, err: HTTPException):
        # Never echo the path: it may hold an id, or be megabytes long.
        message = "There is nothing at this address." if err.status_code == 404 else str(err.detail)
        response = error_response(request, err.status_code, message)
        response.headers.update(err.headers or {})  # e.g. Allow on a 405
        return response

    app.add_middleware(CatchUnexpected, error_response=error_response)  # innermost of the middleware
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, error_response=error_response)
    origins.install(app)  # CORS and the refusal of foreign origins, inside the headers below

    app.add_middleware(TrustedHosts, hosts=settings.allowed_hosts or LOCAL_HOSTS, error_response=error_response)
    app.add_middleware(SecurityHeaders, embed_ancestors=origins.frame_ancestors())
    if settings.trusted_proxies:  # outside the headers: HSTS depends on the scheme a proxy reports
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))

    @app.post("/api/ask", response_model=AskResponse, tags=["answers"],
              responses=error_responses({
                  400: "Bad question or filter", 404: "Unknown conversation",
                  429: "Hourly question quota spent (see Retry-After)",
                  503: "No usable index, or the model is restarting; the error says what to do"}))
    async def ask(body: AskRequest, request: Request, assistant: AssistantDep, conversations: ConversationsDep):
        """Answer a question with sentences quoted from the corpus, each citing its passage."""
        filters = body.filters.model_dump(exclude_none=True) if body.filters else None

        def answer() -> dict:
            return respond(assistant, conversations, body.question, body.conversation_id, body.k, filters)

        # Counted only once the body is valid, and given back if the question is refused or fails.
        with question_quota(request):
            result = await anyio.to_thread.run_sync(answer, limiter=request.app.state.question_threads)
        # Returned as is: validating our own dict again through AskResponse costs a few ms a request.
        return JSONResponse(result)

    @app.get("/api/conversations/{conversation_id}", tags=["conversations"],
             responses=error_responses({404: "Unknown conversation"}))
    def conversation(conversation_id: Annotated[str, Path(max_length=ID_MAX)], conversations: ConversationsDep):
        """The questions and answers of one conversation, oldest first."""
        return conversations.history(conversation_id)

    @app.post("/api/feedback", tags=["conversations"], status_code=201, response_model=FeedbackResponse,
              responses={200: {"description": "The visitor's earlier rating of this answer, changed",
                               "model": FeedbackResponse},
                         **error_responses({404: "Unknown message",
                                            429: "Hourly rating quota spent (see Retry-After)"})})
    def feedback(body: FeedbackRequest, request: Request, response: Response, conversations: ConversationsDep):
        """Thumbs up or down on one answer, with an optional comment; one rating per answer and
        visitor, which a second rating replaces."""
        visitor = visitor_address(request)
        with request.app.state.quotas.rating(visitor):
            feedback_id, changed = conversations.add_feedback(body.message_id, body.rating,
                                                              body.comment.strip(), visitor)
        if changed:
            response.status_code = 200
        return {"id": feedback_id, "changed": changed}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def chat(request: Request, assistant: AssistantDep,
             doc: Annotated[str | None, Query(max_length=ID_MAX)] = None):
        """The chat page; it speaks only to the JSON API above. `?doc=<id>` (an article's "Ask about
        this article") limits the answers to that article; an unknown id is ignored."""
        document = None
        if doc:
            with contextlib.suppress(IndexUnavailable):  # the chat still opens; asking will say why
                document = assistant.live.get().documents.get(doc)
        return templates.TemplateResponse(request, "chat.html", {"page": "chat", "doc": document})

    @app.get("/topics", response_class=HTMLResponse, include_in_schema=False)
    def topics(request: Request, assistant: AssistantDep,
               q: Annotated[str, Query(max_length=200)] = "",
               audience: Literal["candidate", "manager", ""] = "",
               topic: Annotated[str, Query(max_length=60)] = ""):
        """Every article, grouped by topic folder, each with its summary; `q` searches titles,
        summaries and tags, `audience` and `topic` filter (the page's form, and topics.js live)."""
        index = assistant.live.get()
        if topic and topic not in index.topics:
            raise BadRequest(f"There is no topic '{printable(topic)}'; choose one from the list on /topics.")
        catalogue = browse(list(index.documents.values()), q, audience or None, topic or None)
        return templates.TemplateResponse(request, "topics.html", {
            "page": "topics", "catalogue": catalogue, "q": q, "audience": audience, "topic": topic})

    @app.get("/docs/{doc_id}", response_class=HTMLResponse, include_in_schema=False)
    def article(request: Request, doc_id: str, assistant: AssistantDep):
        document = assistant.live.get().documents.get(doc_id)
        if document is None:
            raise NotFound(f"There is no article '{doc_id}'. Browse the topics to find one.")
        documents = assistant.live.get().documents
        related = [documents[r] for r in document["related"] if r in documents]
        html, toc = article_view(document["body"])
        return templates.TemplateResponse(request, "article.html", {
            "doc": document, "html": html, "toc": toc, "related": related})

    app.include_router(widget.router)
    app.include_router(health_router)
    app.include_router(privacy_router)
    app.include_router(docs_router)
    app.include_router(calc.router)
    app.include_router(clauses.router)
    app.include_router(study.router)

    if settings.root_path:
        app.add_middleware(RootPath, root_path=settings.root_path.rstrip("/"))  # added last: runs first
    return app

