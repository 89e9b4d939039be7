"""Plain ASGI middleware of the app, outermost concerns first in `api.create_app`."""

from __future__ import annotations

import logging
import socket
import traceback

from starlette.exceptions import HTTPException
from starlette.requests import Request

from .origins import route_path
from .validation import printable

log = logging.getLogger("assistant")


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
                Request(scope), 500, "Something went wrong on our side; the error is logged.")
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
        return header[1:header.find("]")] if "]" in header else ""
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
        response = self.error_response(Request(scope), 400, (
            "This server does not answer to that host name. If it should, add the name to "
            "ASSISTANT_ALLOWED_HOSTS."))
        await response(scope, receive, send)
