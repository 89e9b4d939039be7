"""The app's plain ASGI middleware, and `install_middleware`, which stacks it in order."""

from __future__ import annotations

import logging
import socket
import traceback

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from .origins import Origins
from .settings import Settings
from .validation import printable

log = logging.getLogger("assistant")


def route_path(scope) -> str:
    """The path inside the app, e.g. /api/ask, whether or not a proxy or server left the prefix on."""
    path, root = scope["path"], scope.get("root_path", "").rstrip("/")
    if root and (path == root or path.startswith(root + "/")):
        return path[len(root) :] or "/"
    return path


def describe(err: BaseException) -> str:
    """One line for the log: the error and where it was raised (file:line in function)."""
    frames = traceback.extract_tb(err.__traceback__)
    where = f" (at {frames[-1].filename}:{frames[-1].lineno} in {frames[-1].name})" if frames else ""
    text = printable(f"{type(err).__name__}: {err}").replace("\n", " | ")
    return text + where


class CatchUnexpected:
    """Answers an unexpected error with a 500 in the app's error format and logs it in one line.

    Starlette's own handler for `Exception` re-raises after answering: uvicorn then logs a second
    traceback and closes the keep-alive connection. Here the error ends with its reply.
    """

    def __init__(self, app, error_response):
        self.app, self.error_response = app, error_response

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracking_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as err:
            if started:  # half a reply is out: only closing the connection can tell the client
                raise
            log.error("unexpected error on %s %s: %s", scope["method"], route_path(scope), describe(err))
            response = self.error_response(
                Request(scope), 500, "Something went wrong on our side; the error is logged."
            )
            await response(scope, receive, send)


class BodyLimit:
    """Refuses request bodies over `limit` bytes with 413, reading no more than the limit.

    A declared Content-Length over the limit is refused at once; a chunked body is counted as it
    arrives and cut off when it passes the limit (FastAPI hands the HTTPException raised while
    reading on to the app's error handler).
    """

    def __init__(self, app, limit: int, error_response, larger: dict[str, int] | None = None):
        self.app, self.limit, self.error_response = app, limit, error_response
        self.larger = larger or {}  # route path -> its own limit (the admin's upload of documents)

    def _message(self, limit: int) -> str:
        size = f"{limit // 1024} KB" if limit < 10_000_000 else f"{limit / 1e6:.0f} MB"
        return f"The request body is larger than {size}, the most the assistant accepts; send less."

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.larger.get(route_path(scope), self.limit)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            response = self.error_response(Request(scope), 413, self._message(limit))
            response.headers["Connection"] = "close"  # the unread body would follow on this connection
            return await response(scope, receive, send)
        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413, self._message(limit))
            return message

        await self.app(scope, limited_receive, send)


LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
WILDCARD_ADDRESSES = ("0.0.0.0", "::", "")


def allowed_hosts_for(bound: str, configured: tuple[str, ...]) -> tuple[str, ...]:
    """The host names to answer to: the configured ones, else the bound address and localhost.

    On a wildcard address (0.0.0.0) the machine's own names are added too, as that is how a
    colleague on the network reaches it; a DNS name in front must be configured.
    """
    if configured:
        return configured
    names = [bound] if bound not in WILDCARD_ADDRESSES else []
    names += LOCAL_HOSTS
    if bound in WILDCARD_ADDRESSES:
        names += [socket.gethostname(), socket.getfqdn()]
    return tuple(dict.fromkeys(name.lower() for name in names))


def _host_name(header: str) -> str:
    """`Example.com:8000` -> `example.com`, `[::1]:8000` -> `::1`."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else ""
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class TrustedHosts:
    """400 for a request whose Host header is not one of the server's names.

    Without it a DNS-rebinding page (`Host: evil.example`, `Origin: http://evil.example`) would
    count as same-origin and slip past the origin allow-list. Like Starlette's TrustedHostMiddleware,
    with IPv6 hosts and the app's own error format.
    """

    def __init__(self, app, hosts: tuple[str, ...], error_response):
        self.app, self.error_response = app, error_response
        self.any = "*" in hosts
        self.names = {h.lower().strip("[]") for h in hosts if not h.startswith("*.")}
        self.suffixes = tuple(h.lower()[1:] for h in hosts if h.startswith("*."))

    def allows(self, name: str) -> bool:
        return self.any or name in self.names or (bool(self.suffixes) and name.endswith(self.suffixes))

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
        if self.allows(_host_name(host)):
            return await self.app(scope, receive, send)
        response = self.error_response(
            Request(scope),
            400,
            ("This server does not answer to that host name. If it should, add the name to ASSISTANT_ALLOWED_HOSTS."),
        )
        await response(scope, receive, send)


def _csp(frame_ancestors: str) -> str:
    return (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"{frame_ancestors}; base-uri 'none'; form-action 'self'"
    )


# The chat needs none of these; a page (or an injected script) cannot ask for them either.
PERMISSIONS_POLICY = b"camera=(), microphone=(), geolocation=(), payment=(), usb=(), display-capture=()"


class SecurityHeaders:
    """CSP and the usual hardening headers on every response (plain ASGI: no per-request task)."""

    def __init__(self, app, embed_ancestors: str):
        self.app = app
        common = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"permissions-policy", PERMISSIONS_POLICY),
        ]
        # /embed is the one page that allowed host origins may frame.
        self.embed = common + [(b"content-security-policy", _csp(embed_ancestors).encode())]
        self.other = common + [
            (b"content-security-policy", _csp("frame-ancestors 'self'").encode()),
            (b"x-frame-options", b"SAMEORIGIN"),
        ]

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
                    (name, value) for name, value in extra if name not in present
                ]
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


class JsonCORS(CORSMiddleware):
    """Starlette's CORS, with refused preflights answered as JSON like every other API error."""

    def preflight_response(self, request_headers):
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        headers = {k: v for k, v in response.headers.items() if k not in ("content-length", "content-type")}
        return JSONResponse(
            {"error": f"CORS preflight refused: {response.body.decode()}."},
            status_code=response.status_code,
            headers=headers,
        )


class RefuseForeignOrigins:
    """403 for API calls from foreign origins not on the allow-list (plain ASGI middleware).

    CORS alone only hides the reply from the foreign page; the question would still be answered
    and counted. Requests without Origin (curl, scripts) are not browsers' and pass.
    """

    def __init__(self, app, origins: Origins):
        self.app, self.origins = app, origins

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and route_path(scope).startswith("/api/"):
            request = Request(scope)
            origin = request.headers.get("origin")
            if origin and not self.origins.allows(origin) and not self.origins.is_own(request, origin):
                response = JSONResponse({"error": "Pages on this origin may not use the assistant."}, status_code=403)
                return await response(scope, receive, send)
        await self.app(scope, receive, send)


def install_middleware(app: FastAPI, settings: Settings, origins: Origins, error_response) -> None:
    """Stack the middleware: each `add_middleware` wraps the ones before it, so the last runs first."""
    app.add_middleware(CatchUnexpected, error_response=error_response)  # innermost of the middleware
    from .routes.admin import UPLOAD_PATH  # here: the admin's modules import this one

    app.add_middleware(
        BodyLimit,
        limit=settings.max_body_bytes,
        error_response=error_response,
        larger={UPLOAD_PATH: settings.ingest_max_bytes},
    )
    app.add_middleware(RefuseForeignOrigins, origins=origins)
    # After the refusal above, so it runs first: preflights from allowed origins are answered before
    # the check, and its headers land on replies to allowed origins, 4xx errors included.
    app.add_middleware(
        JsonCORS,
        allow_origins=list(origins.allowed),
        max_age=3600,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
        expose_headers=["Retry-After"],
    )
    app.add_middleware(TrustedHosts, hosts=settings.allowed_hosts or LOCAL_HOSTS, error_response=error_response)
    app.add_middleware(SecurityHeaders, embed_ancestors=origins.frame_ancestors())
    if settings.trusted_proxies:  # outside the headers: HSTS depends on the scheme a proxy reports
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
    if settings.root_path:
        app.add_middleware(RootPath, root_path=settings.root_path.rstrip("/"))  # added last: runs first
