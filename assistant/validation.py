"""What the JSON API accepts and how it refuses: Unicode text, bounded ids, the error body."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StringConstraints
from pydantic_core import PydanticCustomError

ID_MAX = 64  # conversation and message ids are 16-22 characters; anything much longer is not one
NOT_UNICODE = "not_unicode"  # our error type
# Ours, and pydantic-core's own where it checks a string itself (e.g. under max_length): the API
# answers these with 400, as the text is of the right type but unusable.
NOT_UNICODE_ERRORS = {NOT_UNICODE, "string_unicode"}
NOT_UNICODE_MESSAGE = (
    "contains a character that is not valid Unicode text (a lone UTF-16 surrogate); remove it and send again"
)


def _unicode(value: str) -> str:
    # JSON may escape a lone surrogate ("\ud800"): Python accepts it in a str, but UTF-8, SQLite
    # and the tokenizer refuse it, so it is stopped here instead of failing deep inside.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError(NOT_UNICODE, NOT_UNICODE_MESSAGE) from None
    return value


Text = Annotated[str, AfterValidator(_unicode)]
Id = Annotated[str, StringConstraints(max_length=ID_MAX), AfterValidator(_unicode)]
Topic = Annotated[str, StringConstraints(max_length=60), AfterValidator(_unicode)]


def printable(message: str) -> str:
    """`message` made safe to encode as UTF-8 (surrogates escaped), for error replies and logs."""
    return message.encode("utf-8", "backslashreplace").decode("utf-8")


class Error(BaseModel):
    """The body of every error reply under /api/."""

    error: str = Field(description="What is wrong, and what to do about it.")


def error_responses(described: dict[int, str]) -> dict:
    """OpenAPI `responses` for error statuses, each documented with the Error body."""
    return {status: {"model": Error, "description": text} for status, text in described.items()}
