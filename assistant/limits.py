"""Quotas per visitor and per host origin, counted in a sliding one-hour window in memory."""

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


class Quotas:
    """The question quotas of POST /api/ask (per visitor and per host origin of the widget) and
    the rating quota of POST /api/feedback (per visitor)."""

    def __init__(self, per_visitor: int, per_origin: int, per_visitor_ratings: int = 0, clock=time.monotonic):
        self.visitors = SlidingWindow(per_visitor, clock=clock)
        self.origins = SlidingWindow(per_origin, clock=clock)
        self.ratings = SlidingWindow(per_visitor_ratings, clock=clock)
        self._lock = threading.Lock()  # sync endpoints run in a thread pool: check and count at once

    @contextmanager
    def question(self, visitor: str, origin: str | None):
        """Count one question for the block (QuotaExceeded when spent); refunded if the block raises.

        So a question refused for its content (400, 404) or failing (503) uses up no quota.
        """
        with self._lock:
            at = self._check(visitor, origin)
        try:
            yield
        except BaseException:
            with self._lock:
                self.visitors.refund(visitor, at[0])
                if origin:
                    self.origins.refund(origin, at[1])
            raise

    @contextmanager
    def rating(self, visitor: str):
        """Count one rating for the block (QuotaExceeded when spent); refunded if the block raises."""
        with self._lock:
            wait = self.ratings.wait(visitor)
            if wait:
                raise QuotaExceeded(
                    f"You have sent {self.ratings.limit} ratings in the last hour, the most the "
                    f"assistant takes from one person. Please try again in {_minutes(wait)}.",
                    math.ceil(wait),
                )
            at = self.ratings.hit(visitor)
        try:
            yield
        except BaseException:
            with self._lock:
                self.ratings.refund(visitor, at)
            raise

    def check(self, visitor: str, origin: str | None) -> None:
        """Count one question, or raise QuotaExceeded (counting nothing) when either quota is spent.

        Args:
            visitor: who asks, e.g. the client's IP address.
            origin: the host page's origin when the question comes through the widget, else None.
        """
        with self._lock:
            self._check(visitor, origin)

    def _check(self, visitor: str, origin: str | None) -> tuple[float | None, float | None]:
        wait = self.visitors.wait(visitor)
        if wait:
            raise QuotaExceeded(
                f"You have asked {self.visitors.limit} questions in the last hour, the most the "
                f"assistant answers for one person. Please try again in {_minutes(wait)}.",
                math.ceil(wait),
            )
        wait = self.origins.wait(origin) if origin else 0.0
        if wait:
            raise QuotaExceeded(
                "The assistant has answered as many questions on this site as it can this hour. "
                f"Please try again in {_minutes(wait)}, or use the full assistant page.",
                math.ceil(wait),
            )
        return self.visitors.hit(visitor), self.origins.hit(origin) if origin else None


def _minutes(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return "a minute" if minutes == 1 else f"{minutes} minutes"
