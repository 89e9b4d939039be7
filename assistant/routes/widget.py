"""The widget's two endpoints: widget.js for host pages, and the compact /embed chat it frames."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from ..corpus import AUDIENCES
from ..origins import normalize
from ..sources import COLLECTIONS

router = APIRouter(include_in_schema=False)

ACCENT = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
TOPIC = re.compile(r"[a-z0-9-]{1,60}")


@router.get("/widget.js")
def widget_script(request: Request):
    """The one file a host page includes; it finds the app's URL (prefix included) from its `src`."""
    path = request.app.state.settings.web_dir / "static" / "widget.js"
    # Short cache: host pages pick up a new version within minutes, without a versioned URL.
    return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": "public, max-age=300"})


@router.get("/embed", response_class=HTMLResponse)
def embed(
    request: Request,
    host: str = "",
    title: str = "",
    greeting: str = "",
    accent: str = "",
    topic: str = "",
    audience: str = "",
    collection: str = "",
):
    """The compact chat widget.js frames, configured by its data- attributes passed as parameters.

    Only allowed origins may frame it (the CSP frame-ancestors set in middleware.py). `host` is the host
    page's origin, which the page talks to with postMessage; anything else becomes "" (a
    standalone compact chat that talks to no page). Bad values fall back to defaults: a
    misconfigured tag should still give a working widget.
    """
    origins = request.app.state.origins
    host = normalize(host)
    own = normalize(f"{request.url.scheme}://{request.url.netloc}")
    if host != own and not origins.allows(host):
        host = ""
    return request.app.state.templates.TemplateResponse(
        request,
        "embed.html",
        {
            "host": host,
            "title": title.strip()[:80] or "Outsourcing assistant",
            "greeting": greeting.strip()[:300],
            "accent": accent if ACCENT.fullmatch(accent) else "",
            "topic": topic if TOPIC.fullmatch(topic) else "",
            "audience": audience if audience in AUDIENCES else "",
            "collection": collection if collection in COLLECTIONS else "",
        },
    )
