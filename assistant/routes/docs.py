"""/api/docs: Swagger UI served from an installed package, offline, under the app's CSP.

FastAPI's own page loads Swagger UI from a CDN and starts it with an inline script; the strict CSP
(script-src 'self') blocks both, so the page was blank. Here every asset comes from this server
and the page starts Swagger UI from a file, web/static/api-docs.js.

The assets are the static files of the PyPI package `fastapi-offline` (pinned in pyproject.toml:
1.7.7 ships Swagger UI 5.32.6); only its files are used, not its FastAPI subclass. The package
`swagger-ui-bundle` ships Swagger UI 4.15.5, which cannot render the OpenAPI 3.1 that FastAPI writes.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from ..errors import NotFound

router = APIRouter(include_in_schema=False)

try:
    import fastapi_offline

    ASSET_DIR: Path | None = Path(fastapi_offline.__file__).parent / "static"
    PACKAGE = f"fastapi-offline {metadata.version('fastapi-offline')}"
except ImportError:  # pragma: no cover - depends on the install
    ASSET_DIR, PACKAGE = None, ""

ASSETS = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript", "favicon.png": "image/png"}


@router.get("/api/docs", response_class=HTMLResponse)
def swagger_ui_html(request: Request):
    """The interactive API documentation, reading /api/openapi.json."""
    if ASSET_DIR is None:
        raise NotFound(
            "The API documentation needs the fastapi-offline package: run `make install`. "
            "The schema itself is at /api/openapi.json."
        )
    return request.app.state.templates.TemplateResponse(request, "api-docs.html", {"package": PACKAGE})


@router.get("/api/docs/assets/{name}")
def swagger_ui_asset(name: str):
    """Swagger UI's own files; only these few, so no path can reach anything else."""
    if ASSET_DIR is None or name not in ASSETS:
        raise NotFound("There is no such documentation asset.")
    return FileResponse(ASSET_DIR / name, media_type=ASSETS[name], headers={"Cache-Control": "public, max-age=86400"})
