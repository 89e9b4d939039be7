"""The FastAPI app: `create_app` loads what answers in the lifespan and includes one router per concern."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from . import runtime
from .answering import Assistant
from .conversations import ConversationStore
from .embedding import EmbeddingModel
from .errors import IndexUnavailable
from .last_good import LastGoodIndex
from .limits import Quotas
from .middleware import install_middleware
from .origins import Origins
from .privacy import DAY, purge_forever, purge_once, redact_access_log
from .routes import (
    admin,
    api,
    calc,
    calc_blended,
    calc_recovery,
    calc_tiered,
    clauses,
    docs,
    health,
    library,
    pages,
    privacy,
    study,
    widget,
)
from .routes.errors import install_error_handlers
from .settings import Settings
from .validation import error_responses

log = logging.getLogger("assistant")

# How `assistant serve` runs uvicorn: the app decides which proxies to trust (uvicorn by default
# believes X-Forwarded-For from 127.0.0.1, so any local client could pose as anyone), and the
# Server header does not advertise what runs here.
UVICORN_OPTIONS = {"proxy_headers": False, "server_header": False}
ROUTERS = (
    api,
    pages,
    widget,
    health,
    privacy,
    docs,
    calc,
    calc_recovery,
    calc_tiered,
    calc_blended,
    clauses,
    study,
    admin,
    library,
)


def lifespan_for(settings: Settings, embedder: EmbeddingModel | None):
    """Loads the model (unless one is shared), the index and the store; purges old conversations."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        runtime.start_server()  # process-wide settings (offline hub, search threads), made once
        # Questions get their own threads, fewer than the default 40: more only queue for Python's
        # GIL (measured with bench/bench_api.py), and 16 still gather full batches for the model.
        # Health, pages and the rest keep the default pool, so they never wait behind questions.
        app.state.question_threads = anyio.CapacityLimiter(settings.answer_threads)
        own_model = embedder is None
        if own_model:
            from .embedding import ModelProcess, QueryCache

            app.state.embedder = QueryCache(
                ModelProcess(timeout=settings.model_timeout), settings.batch_wait_ms, settings.query_cache
            )
        else:
            app.state.embedder = embedder
        app.state.assistant = Assistant(settings, app.state.embedder)
        # A server keeps answering from its last good build when a newer one is missing or broken.
        app.state.assistant.live = LastGoodIndex(
            settings.index_dir, app.state.embedder.name, settings.corpus_dir, settings.library_dir
        )
        app.state.conversations = ConversationStore.for_settings(settings)
        app.state.conversations.require_writable()
        if app.state.conversations.shared:  # replicas share the database: they share the quotas too
            app.state.quotas.share(app.state.conversations)
        with contextlib.suppress(IndexUnavailable):  # LastGoodIndex has logged why
            app.state.assistant.live.get()
        redact_access_log()
        await purge_once(app.state.conversations, settings.retention_days)
        purging = asyncio.get_running_loop().create_task(
            purge_forever(app.state.conversations, settings.retention_days, app.state.purge_every)
        )
        yield
        purging.cancel()
        app.state.conversations.close()
        if own_model:
            app.state.embedder.close()

    return lifespan


def create_app(settings: Settings | None = None, embedder: EmbeddingModel | None = None) -> FastAPI:
    """The app; pass an already loaded embedder to share one model across apps (tests do)."""
    settings = settings or Settings.from_env()
    app = FastAPI(
        title="Outsourcing knowledge assistant",
        description="Answers IT-outsourcing questions from a curated corpus, citing every sentence.",
        version="0.1.0",
        lifespan=lifespan_for(settings, embedder),
        docs_url=None,  # routes/docs.py serves Swagger UI offline, under the CSP
        redoc_url=None,
        openapi_url="/api/openapi.json",
        # Every route may refuse a body that is too large or not as the schema says.
        responses=error_responses(
            {413: "Request body over the size limit", 422: "Request not as the schema says; the error names the field"}
        ),
    )
    app.state.settings = settings
    app.state.purge_every = DAY
    app.state.origins = Origins(settings.allowed_origins)
    app.state.quotas = Quotas(
        settings.quota_per_visitor, settings.quota_per_origin, settings.feedback_quota_per_visitor
    )
    app.state.templates = Jinja2Templates(directory=str(settings.web_dir / "templates"))
    app.state.templates.env.globals["max_question_chars"] = settings.max_question_chars
    app.mount("/static", StaticFiles(directory=str(settings.web_dir / "static")), name="static")
    error_response = install_error_handlers(app)
    install_middleware(app, settings, app.state.origins, error_response)
    for module in ROUTERS:
        app.include_router(module.router)
    return app
