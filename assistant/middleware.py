"""Plain ASGI middleware of the app, outermost concerns first in `api.create_app`."""

from __future__ import annotations

import logging
import traceback

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
