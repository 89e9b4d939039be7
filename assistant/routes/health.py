"""GET /api/health: whether this server can answer, and the state of what it answers with."""

from __future__ import annotations

import os

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from ..errors import IndexUnavailable

router = APIRouter(tags=["service"])
# Tells the processes of one server apart without telling the world their process ids.
WORKER = int.from_bytes(os.urandom(4), "big")


class ModelState(BaseModel):
    state: str = Field(description="ready, working (on a batch of questions), starting or stopped.")
    for_seconds: float = Field(description="How long it has been in that state.")
    timeout_seconds: float = Field(description="How long a batch may take before the process is restarted.")


class Health(BaseModel):
    status: str = Field(description="ok, or unavailable (with `error` saying why and what to do).")
    error: str | None = None
    warning: str | None = Field(
        None,
        description="Answering, but from an index that needs attention "
        "(stale or kept after a failed swap); says what to do.",
    )
    model: str
    model_process: ModelState | None = Field(None, description="The model's own process, when it has one.")
    database: str | None = Field(None, description="ok, or read-only or failing (nothing can be saved).")
    passages: int | None = None
    documents: int | None = None
    built_at: str | None = None
    worker: int | None = Field(None, description="Tells the processes of one server apart.")


@router.get(
    "/api/health",
    response_model=Health,
    response_model_exclude_none=True,
    responses={503: {"model": Health, "description": "Cannot answer now; `error` says why"}},
)
def health(request: Request):
    """Whether the assistant can answer, with the index's passage count, the model and its process.

    Runs in the general thread pool, never behind questions (they have their own threads), so
    it answers even while the model is stuck.
    """
    assistant = request.app.state.assistant
    body: dict = {"status": "ok", "model": assistant.embedder.name}
    state = getattr(assistant.embedder, "state", None)
    if state is not None:
        body["model_process"] = state()
    try:
        manifest = assistant.live.get().manifest
        body.update(
            passages=manifest["passages"], documents=manifest["documents"], built_at=manifest["built_at"], worker=WORKER
        )
    except IndexUnavailable as err:
        body.update(status="unavailable", error=str(err))
    else:
        body["warning"] = getattr(assistant.live, "warning", None)
    if body["status"] == "ok" and body.get("model_process", {}).get("state") in ("starting", "stopped"):
        body.update(status="unavailable", error="The model process is restarting; ask again in a few seconds.")
    store = request.app.state.conversations
    problem = store.check()
    body["database"] = "ok" if problem is None else "read-only or failing"
    if problem is not None and body["status"] == "ok":
        body.update(
            status="unavailable",
            error=f"The conversation database refuses writes ({problem}), so "
            "answers cannot be saved; the administrator should check "
            f"{'ASSISTANT_DATABASE_URL' if store.shared else 'ASSISTANT_DB_PATH'}.",
        )
    return JSONResponse(
        Health(**body).model_dump(exclude_none=True), status_code=200 if body["status"] == "ok" else 503
    )
