"""Quotas per visitor and per host origin, counted in a sliding one-hour window: in memory, or in
the conversation database when replicas share it."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from contextlib import contextmanager

from .errors import AssistantError

WINDOW_SECONDS = 3600


class QuotaExceeded(AssistantError):
    """Too many questions in the last hour; `retry_after` says in how many seconds one frees up."""

    status = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class SlidingWindow:
    """At most `limit` hits per key in any `window` seconds; a limit of 0 means no limit.

    In memory and per process: a restart forgets the counts, which is acceptable for a brake on
    abuse (it is not billing). Keys whose hits have all expired are dropped, so memory follows
    the number of recent visitors, not of all visitors ever seen. Not thread-safe on its own:
    `Quotas` serialises access.
    """

    def __init__(self, limit: int, window: float = WINDOW_SECONDS, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._hits: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.get(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def wait(self, key: str) -> float:
        """Seconds until `key` may hit again: 0 when it may now."""
        if not self.limit:
            return 0.0
        now = self.clock()
        hits = self._recent(key, now)
        return 0.0 if len(hits) < self.limit else hits[0] + self.window - now

    def hit(self, key: str) -> float | None:
        """Count one hit for `key` now; returns its time, for `refund` (None when unlimited)."""
        if not self.limit:
            return None
        now = self.clock()
        hits = self._recent(key, now)
        hits.append(now)
        self._hits[key] = hits
        if len(self._hits) > 10_000:  # prune idle keys now and then, not on every request
            for stale in [k for k in self._hits if not self._recent(k, now)]:
                del self._hits[stale]
        return now

    def refund(self, key: str, at: float | None) -> None:
        """Take back the hit `hit` counted at `at` (a request that was refused after all)."""
        hits = self._hits.get(key)
        if at is not None and hits and at in hits:
            hits.remove(at)


class QuotaFull(Exception):
    """A ledger's answer when the `position`-th of the wanted hits has no room for `wait` seconds."""

    def __init__(self, position: int, wait: float):
        super().__init__(position, wait)
        self.position, self.wait = position, wait


class MemoryLedger:
    """Quota hits kept in this process (the default): one `SlidingWindow` per bucket."""

    def __init__(self, limits: dict[str, int], clock=time.monotonic):
        self.windows = {bucket: SlidingWindow(limit, clock=clock) for bucket, limit in limits.items()}
        self._lock = threading.Lock()  # sync endpoints run in a thread pool: check and count at once

    def take(self, wanted: list[tuple[str, str]]) -> list[float | None]:
        """Count one hit per (bucket, key) if every one has room, else raise QuotaFull (counting none)."""
        with self._lock:
            for position, (bucket, key) in enumerate(wanted):
                wait = self.windows[bucket].wait(key)
                if wait:
                    raise QuotaFull(position, wait)
            return [self.windows[bucket].hit(key) for bucket, key in wanted]

    def refund(self, bucket: str, key: str, at: float | None) -> None:
        with self._lock:
            self.windows[bucket].refund(key, at)


class StoredLedger:
    """Quota hits kept in the conversation database, so replicas that share it share the quotas.

    Keys are stored as keyed hashes (never an address). A transaction holds a lock per key
    while it counts and adds, so two replicas cannot both take a visitor's last question.
    """

    def __init__(self, store, limits: dict[str, int], window: float = WINDOW_SECONDS, clock=time.time):
        self.store, self.limits, self.window, self.clock = store, limits, window, clock

    def take(self, wanted: list[tuple[str, str]]) -> list[float | None]:
        now = self.clock()
        counted = [
            (position, bucket, self.store.visitor_hash(key))
            for position, (bucket, key) in enumerate(wanted)
            if self.limits[bucket]
        ]
        if counted:
            with self.store.writing("question quota") as tx:
                for _, bucket, key in counted:
                    tx.lock(f"quota:{bucket}:{key}")
                for position, bucket, key in counted:
                    limit = self.limits[bucket]
                    recent = tx.query(
                        "select at from quota_hits where bucket = ? and key = ? and at > ? order by at desc limit ?",
                        [bucket, key, now - self.window, limit],
                    )
                    if len(recent) >= limit:  # the oldest of the last `limit` hits frees the next place
                        raise QuotaFull(position, recent[-1]["at"] + self.window - now)
                for _, bucket, key in counted:
                    tx.execute("insert into quota_hits (bucket, key, at) values (?, ?, ?)", [bucket, key, now])
        return [now if self.limits[bucket] else None for bucket, _ in wanted]

    def refund(self, bucket: str, key: str, at: float | None) -> None:
        if at is None:
            return
        with self.store.writing("question quota") as tx:
            tx.execute(
                "delete from quota_hits where bucket = ? and key = ? and at = ?",
                [bucket, self.store.visitor_hash(key), at],
            )


class Quotas:
    """The question quotas of POST /api/ask (per visitor and per host origin of the widget) and
    the rating quota of POST /api/feedback (per visitor).

    Counted in memory by default; `share(store)` counts them in the conversation database instead,
    where every replica using it sees them.
    """

    def __init__(self, per_visitor: int, per_origin: int, per_visitor_ratings: int = 0, clock=time.monotonic):
        self.limits = {"visitor": per_visitor, "origin": per_origin, "rating": per_visitor_ratings}
        self.ledger = MemoryLedger(self.limits, clock)

    def share(self, store) -> None:
        """Count in `store` (a ConversationStore) from now on."""
        self.ledger = StoredLedger(store, self.limits)

    @contextmanager
    def question(self, visitor: str, origin: str | None):
        """Count one question for the block (QuotaExceeded when spent); refunded if the block raises.

        So a question refused for its content (400, 404) or failing (503) uses up no quota.
        """
        wanted = self._wanted(visitor, origin)
        taken = self._take(wanted)
        try:
            yield
        except BaseException:
            for (bucket, key), at in zip(wanted, taken):
                self.ledger.refund(bucket, key, at)
            raise

    @contextmanager
    def rating(self, visitor: str):
        """Count one rating for the block (QuotaExceeded when spent); refunded if the block raises."""
        taken = self._take([("rating", visitor)])
        try:
            yield
        except BaseException:
            self.ledger.refund("rating", visitor, taken[0])
            raise

    def check(self, visitor: str, origin: str | None) -> None:
        """Count one question, or raise QuotaExceeded (counting nothing) when either quota is spent.

        Args:
            visitor: who asks, e.g. the client's IP address.
            origin: the host page's origin when the question comes through the widget, else None.
        """
        self._take(self._wanted(visitor, origin))

    @staticmethod
    def _wanted(visitor: str, origin: str | None) -> list[tuple[str, str]]:
        return [("visitor", visitor)] + ([("origin", origin)] if origin else [])

    def _take(self, wanted: list[tuple[str, str]]) -> list[float | None]:
        try:
            return self.ledger.take(wanted)
        except QuotaFull as full:
            bucket, wait = wanted[full.position][0], full.wait
            raise QuotaExceeded(self._message(bucket, wait), math.ceil(wait)) from None

    def _message(self, bucket: str, wait: float) -> str:
        if bucket == "visitor":
            return (
                f"You have asked {self.limits['visitor']} questions in the last hour, the most the "
                f"assistant answers for one person. Please try again in {_minutes(wait)}."
            )
        if bucket == "origin":
            return (
                "The assistant has answered as many questions on this site as it can this hour. "
                f"Please try again in {_minutes(wait)}, or use the full assistant page."
            )
        return (
            f"You have sent {self.limits['rating']} ratings in the last hour, the most the "
            f"assistant takes from one person. Please try again in {_minutes(wait)}."
        )


def _minutes(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return "a minute" if minutes == 1 else f"{minutes} minutes"
