"""What the server keeps about visitors: ids kept out of the logs, and a retention period.

A conversation id is the only key to a conversation (and a learner id to study progress), so
they must not end up in access logs, which are kept longer and read by more people.
"""

from __future__ import annotations

import logging
import re

import anyio

log = logging.getLogger("assistant")

# Path segments and query values that are access rights.
_SECRETS = [
    (re.compile(r"(/api/conversations/)[^/?#\s]+"), r"\1…"),
    (re.compile(r"(/api/study/exams/)[^/?#\s]+"), r"\1…"),
    (re.compile(r"([?&](?:conversation_id|message_id|learner_id)=)[^&#\s]*"), r"\1…"),
]
DAY = 24 * 3600


def redact(path: str) -> str:
    """`/api/conversations/Xy3…?learner_id=abc` -> `/api/conversations/…?learner_id=…`."""
    for pattern, replacement in _SECRETS:
        path = pattern.sub(replacement, path)
    return path


class RedactIds(logging.Filter):
    """Rewrites the path in uvicorn's access log records: (client, method, path, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact(args[2]), *args[3:])
        return True


def redact_access_log() -> None:
    """Install the filter on uvicorn's access logger once per process."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactIds) for f in access.filters):
        access.addFilter(RedactIds())


async def purge_once(store, days: int) -> None:
    """Delete conversations last active more than `days` ago (0: never); logs, never raises."""
    if not days:
        return
    try:
        counts = await anyio.to_thread.run_sync(store.purge, days)
    except Exception as err:  # noqa: BLE001 - a failed purge must not stop the server; it runs again
        log.error("purging old conversations failed: %s", err)
        return
    if counts["conversations"]:
        log.info(
            "purged %(conversations)d conversations (%(messages)d messages, %(ratings)d ratings) "
            "past the retention period",
            counts,
        )


async def purge_forever(store, days: int, every: float = DAY) -> None:
    """`purge_once` every `every` seconds, for as long as the server runs (each replica may: it is
    idempotent)."""
    while days:
        await anyio.sleep(every)
        await purge_once(store, days)
