"""GET /docs/{id}/original: an ingested document's original file, when ASSISTANT_SERVE_SOURCE_FILES allows."""

from __future__ import annotations

import hashlib
import mimetypes

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from ..errors import NotFound
from ..ingest import source_path

router = APIRouter(include_in_schema=False)


@router.get("/docs/{doc_id}/original", name="source_file")
def source_file(doc_id: str, request: Request):
    """The kept copy of the original, only if the operator allows it and it is the file the
    article was made from (its sha256 matches): never a stale or foreign file."""
    settings = request.app.state.settings
    document = request.app.state.assistant.live.get().documents.get(doc_id)
    path = source_path(settings.library_dir, doc_id) if document and settings.serve_source_files else None
    if path is None or hashlib.sha256(path.read_bytes()).hexdigest() != document.source_sha256:
        raise NotFound(f"There is no original file to show for '{doc_id}'.")
    name = (document.source_file or path.name).rsplit("/", 1)[-1]
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    # An HTML original is offered as a download, never rendered on our origin.
    disposition = "attachment" if media_type in ("text/html", "image/svg+xml") else "inline"
    return FileResponse(path, media_type=media_type, filename=name, content_disposition_type=disposition)
