"""A rebuild started from /admin: in a background thread, with progress; the old index answers
until `index/current` is swapped to the new build (LastGoodIndex then opens it)."""

from __future__ import annotations

import logging
import threading
import time

from .errors import AssistantError, Conflict
from .immutable import seal
from .index import build_index
from .middleware import describe

log = logging.getLogger("assistant")


class Rebuild:
    """At most one build at a time; `status()` says how far it is."""

    def __init__(self, settings, embedder):
        self.settings, self.embedder = settings, embedder
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._status = {
            "state": "idle",
            "stage": "",
            "done": 0,
            "total": 0,
            "message": "",
            "started": None,
            "finished": None,
        }

    def status(self) -> dict:
        with self._lock:
            return dict(self._status)

    def _update(self, **values) -> None:
        with self._lock:
            self._status.update(values)

    def start(self) -> dict:
        """Start a build in the background; Conflict (409) while one is running."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                raise Conflict("A rebuild is already running; wait for it to finish.")
            self._status = {
                "state": "running",
                "stage": "starting",
                "done": 0,
                "total": 0,
                "message": "",
                "started": time.time(),
                "finished": None,
            }
            self._thread = threading.Thread(target=self._run, name="assistant-rebuild", daemon=True)
            self._thread.start()
            return dict(self._status)

    def wait(self, timeout: float | None = None) -> dict:
        """Block until the running build (if any) ends; for the CLI and tests."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.status()

    def _run(self) -> None:
        settings = self.settings
        try:
            report = build_index(
                settings.corpus_dir,
                settings.index_dir,
                self.embedder,
                exact_limit=settings.exact_search_limit,
                library_dir=settings.library_dir,
                on_progress=lambda stage, done, total: self._update(stage=stage, done=done, total=total),
            )
            if not report.up_to_date:
                seal(report.path)
            message = (
                f"The index was already up to date ({report.passages} passages)."
                if report.up_to_date
                else f"Built {report.passages} passages from {report.documents} documents in "
                f"{report.seconds:.1f} s ({report.embedded} embedded); now answering from it."
            )
            self._update(state="done", stage="done", message=message, finished=time.time())
        except AssistantError as err:  # an invalid corpus or library: the old index stays
            self._update(state="failed", message=f"{err}\nThe old index keeps answering.", finished=time.time())
        except Exception as err:  # logged in full; the old index keeps answering either way
            log.error("rebuild failed: %s", describe(err))
            self._update(
                state="failed",
                message="The rebuild failed (the error is in the server log); the old index keeps answering.",
                finished=time.time(),
            )
