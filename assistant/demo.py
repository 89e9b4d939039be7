"""A demo intranet site on a second origin that embeds the widget, for `assistant serve --demo`."""

from __future__ import annotations

import threading
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

PAGES = {"/": "index.html", "/policies": "policies.html", "/hostile": "hostile.html"}


def demo_origins(host: str, port: int) -> tuple[str, ...]:
    """The origins a browser may give the demo site; both loopback names, as either may be typed."""
    names = ["127.0.0.1", "localhost"] if host in ("127.0.0.1", "localhost") else [host]
    return tuple(f"http://{name}:{port}" for name in names)


def create_demo_app(assistant_url: str, demo_dir: Path) -> Starlette:
    """The demo site: a few pages carrying the widget tag that points at `assistant_url`.

    It sends a strict CSP of the kind intranet pages have, allowing the assistant's script and
    frame and nothing inline, so the demo also shows what a host page's CSP must allow.
    """
    templates = Jinja2Templates(directory=str(demo_dir))
    origin = "/".join(assistant_url.split("/")[:3])
    csp = (
        f"default-src 'self'; script-src 'self' {origin}; frame-src {origin}; style-src 'self'; "
        "img-src 'self' data:; base-uri 'none'"
    )

    async def page(request: Request):
        response = templates.TemplateResponse(request, PAGES[request.url.path], {"assistant": assistant_url})
        response.headers["Content-Security-Policy"] = csp
        return response

    routes = [Route(path, page) for path in PAGES]
    routes.append(Mount("/static", StaticFiles(directory=str(demo_dir / "static"))))
    return Starlette(routes=routes)


def start_demo(assistant_url: str, demo_dir: Path, host: str, port: int) -> uvicorn.Server:
    """Serve the demo site in a background thread (the assistant keeps the main thread and signals)."""
    server = uvicorn.Server(
        uvicorn.Config(create_demo_app(assistant_url, demo_dir), host=host, port=port, log_level="warning")
    )
    threading.Thread(target=server.run, name="demo-site", daemon=True).start()
    return server
