"""One error format for the whole app: JSON under /api/, the error page elsewhere."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..errors import AssistantError
from ..last_good import without_paths
from ..limits import QuotaExceeded
from ..middleware import route_path
from ..settings import ROOT
from ..validation import NOT_UNICODE_ERRORS, NOT_UNICODE_MESSAGE, printable


def readable(errors: list[dict]) -> str:
    """Pydantic's validation errors as one sentence naming each field."""
    parts = []
    for error in errors:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        if error.get("type") == "json_invalid":
            return 'The request body is not valid JSON; send a JSON object such as {"question": "..."}.'
        message = NOT_UNICODE_MESSAGE if error.get("type") in NOT_UNICODE_ERRORS else error.get("msg")
        parts.append(f"{where or 'body'}: {message}")
    return "; ".join(parts)


def install_error_handlers(app: FastAPI):
    """Answer every handled error in the app's format; returns that `error_response(request, status,
    message)` for the middleware, which answers outside the handlers."""
    settings, templates = app.state.settings, app.state.templates
    # Replies never show where the server keeps its files.
    places = {
        settings.index_dir: "the index folder",
        settings.corpus_dir: "the corpus folder",
        settings.db_path.parent: "the data folder",
        ROOT: "the install folder",
    }

    def error_response(request: Request, status: int, message: str):
        message = printable(without_paths(message, places))
        if route_path(request.scope).startswith("/api/"):
            return JSONResponse({"error": message}, status_code=status)
        return templates.TemplateResponse(
            request, "error.html", {"status": status, "message": message}, status_code=status
        )

    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, err: AssistantError):
        return error_response(request, err.status, str(err))

    @app.exception_handler(QuotaExceeded)
    async def quota_exceeded(request: Request, err: QuotaExceeded):
        response = error_response(request, err.status, str(err))
        response.headers["Retry-After"] = str(err.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, err: RequestValidationError):
        # Text that is not Unicode is valid JSON of the right type: a bad request, not a schema miss.
        status = 400 if any(e.get("type") in NOT_UNICODE_ERRORS for e in err.errors()) else 422
        return error_response(request, status, readable(err.errors()))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, err: HTTPException):
        # Never echo the path: it may hold an id, or be megabytes long.
        message = "There is nothing at this address." if err.status_code == 404 else str(err.detail)
        response = error_response(request, err.status_code, message)
        response.headers.update(err.headers or {})  # e.g. Allow on a 405
        return response

    return error_response
