"""/admin for operators: upload documents, the library's status, remove, rebuild, what to write next.

Off unless ASSISTANT_ADMIN_TOKEN is set (then every /api/admin call needs `Authorization: Bearer
<token>`, compared in constant time). A bearer header is never sent by a browser on its own, so a
page elsewhere cannot make an operator's browser act here (no cookie, no CSRF).
"""

from __future__ import annotations

import hmac
import tempfile
from pathlib import Path
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException

from ..errors import BadRequest, IndexUnavailable
from ..gaps import group_questions
from ..ingest import ingest, library_status, remove
from ..rebuild import Rebuild

UPLOAD_PATH = "/api/admin/documents"
GAP_DAYS = 30
_STATUS = {"created": 201, "updated": 200, "unchanged": 200, "skipped": 422}

router = APIRouter(include_in_schema=False)


def _enabled(request: Request) -> str:
    token = request.app.state.settings.admin_token
    if not token:  # off: as if there were nothing here
        raise HTTPException(404)
    return token


def require_admin(request: Request) -> None:
    """The request carries the admin token as a bearer header (401 otherwise)."""
    token = _enabled(request)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise HTTPException(
            401,
            "Send the admin token (ASSISTANT_ADMIN_TOKEN) as 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )


Admin = Annotated[None, Depends(require_admin)]


def rebuilds(request: Request) -> Rebuild:
    state = request.app.state
    if getattr(state, "rebuild", None) is None:
        state.rebuild = Rebuild(state.settings, state.embedder)
    return state.rebuild


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request):
    """The operator's page; it asks for the token and speaks only to the JSON calls below."""
    _enabled(request)
    return request.app.state.templates.TemplateResponse(request, "admin.html", {"page": "admin"})


@router.get("/api/admin/library")
def library(request: Request, _: Admin):
    """Every ingested document with its status against the index, and the rebuild's progress."""
    settings = request.app.state.settings
    try:
        index = request.app.state.assistant.live.get()
        indexed, built_at = index.documents, index.manifest.get("built_at")
    except IndexUnavailable:
        indexed, built_at = {}, None
    return {
        "documents": library_status(settings.library_dir, indexed),
        "built_at": built_at,
        "rebuild": rebuilds(request).status(),
        "max_bytes": settings.ingest_max_bytes,
    }


@router.post(UPLOAD_PATH)
async def upload(request: Request, _: Admin, filename: Annotated[str, Query(max_length=200)] = ""):
    """One file as the raw request body, named by `filename`; converted into the library."""
    name = Path(filename.replace("\\", "/")).name.strip()
    if not name or name.startswith(".") or not name.isprintable():
        raise BadRequest("Name the file: POST the file's bytes with ?filename=policy.pdf.")
    data = await request.body()
    settings = request.app.state.settings

    def convert() -> dict:
        with tempfile.TemporaryDirectory(prefix="assistant-upload-") as folder:
            path = Path(folder) / name
            path.write_bytes(data)
            return ingest([path], settings.library_dir, settings.ingest_max_bytes, settings.corpus_dir)[0].as_dict()

    outcome = await anyio.to_thread.run_sync(convert)
    outcome["file"] = name
    if outcome["action"] == "skipped":
        return JSONResponse({"error": f"{name}: {outcome['reason']}", **outcome}, status_code=422)
    return JSONResponse(outcome, status_code=_STATUS[outcome["action"]])


@router.delete("/api/admin/documents/{doc_id}")
def delete_document(doc_id: Annotated[str, PathParam(max_length=120)], request: Request, _: Admin):
    """Remove an ingested document from the library (answers drop it at the next rebuild)."""
    return remove(doc_id, request.app.state.settings.library_dir).as_dict()


@router.post("/api/admin/rebuild", status_code=202)
def start_rebuild(request: Request, _: Admin):
    """Rebuild the index in the background; the old one answers until the new one is swapped in."""
    return rebuilds(request).start()


@router.get("/api/admin/rebuild")
def rebuild_status(request: Request, _: Admin):
    """How far the rebuild is: state (idle, running, done, failed), stage, done of total."""
    return rebuilds(request).status()


@router.get("/api/admin/gaps")
async def gaps(request: Request, _: Admin):
    """Unanswered questions and answers rated "not helpful" in the last 30 days, grouped by similar
    question, most asked first: what the curators might write next."""
    state = request.app.state
    rows = state.conversations.gaps(GAP_DAYS)
    groups = await anyio.to_thread.run_sync(group_questions, rows, state.embedder)
    return {"days": GAP_DAYS, "groups": groups}
