"""The assistant's error hierarchy; each class carries the HTTP status it maps to."""

from __future__ import annotations


class AssistantError(Exception):
    """Base class: a problem the user can act on, with a message that says what to do."""

    status = 500


class BadRequest(AssistantError):
    """The request is malformed or asks for something that cannot exist."""

    status = 400


class NotFound(AssistantError):
    """The requested article, conversation or message does not exist."""

    status = 404


class Conflict(AssistantError):
    """The request clashes with the state of what it addresses, e.g. answers to a finished exam."""

    status = 409


class IndexUnavailable(AssistantError):
    """The index is missing, unreadable, or was built from another corpus or model."""

    status = 503


class ModelUnavailable(AssistantError):
    """The model process could not start or stopped; the server starts a new one."""

    status = 503


class StoreUnavailable(AssistantError):
    """The conversation database cannot be opened, read or written (read-only, full, broken)."""

    status = 503


class CorpusError(AssistantError):
    """The corpus has problems; `problems` lists each as 'file:line: message'."""

    status = 422

    def __init__(self, problems: list[str]):
        self.problems = problems
        count = len(problems)
        super().__init__(f"The corpus has {count} problem{'s' if count != 1 else ''}:\n  " + "\n  ".join(problems))
