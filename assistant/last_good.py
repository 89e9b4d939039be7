"""The index a server answers from: the last good build, kept when a newer one is missing or broken.

`index.LiveIndex` follows `index/current` and refuses a build from another corpus version: right
for the CLI, but for a server that already answers it would turn a deleted link, a corrupt build
or a typo in one article into an outage. Here those become a warning (logged, and shown in
/api/health) while the loaded build keeps answering.
"""

from __future__ import annotations

import logging
from pathlib import Path

from .errors import CorpusError, IndexUnavailable
from .index import Index, LiveIndex, open_index
from .library import sources_hash
from .settings import ROOT

log = logging.getLogger("assistant")


def without_paths(message: str, places: dict[Path, str]) -> str:
    """`message` with the server's folders replaced by what they are, for replies to clients."""
    for path, name in sorted(places.items(), key=lambda item: -len(str(item[0]))):
        for spelling in {str(path), str(Path(path).resolve())}:
            message = message.replace(spelling, name)
    return message


class LastGoodIndex(LiveIndex):
    """The current build, reopened when `index/current` changes; a failed reopen keeps the last one.

    A build from an earlier version of the corpus is served too (a failed build leaves the last
    good one in place), with a warning that says to run `assistant build`. Only a build from
    another model or format is refused: its vectors cannot answer this model's questions.
    """

    def __init__(self, index_dir: Path, model: str, corpus_dir: Path | None = None, library_dir: Path | None = None):
        super().__init__(index_dir, model, corpus_dir, library_dir)
        self.places = {self.index_dir: "the index folder (ASSISTANT_INDEX_DIR)", ROOT: "the install folder"}
        if corpus_dir is not None:
            self.places[Path(corpus_dir)] = "the corpus folder (ASSISTANT_CORPUS_DIR)"
        if library_dir is not None:
            self.places[Path(library_dir)] = "the library folder (ASSISTANT_LIBRARY_DIR)"
        self.warning: str | None = None  # for /api/health; None when all is well

    def _reopen(self) -> None:
        try:
            index = open_index(self.index_dir, self.model)  # the corpus version is checked below
        except IndexUnavailable as err:
            message = without_paths(str(err), self.places)
            if self._index is None:
                log.error("%s", err)
                self._error = IndexUnavailable(message)
                return
            log.error(
                "index/current is unusable, so the build of %s keeps answering: %s",
                self._index.manifest.get("built_at"),
                err,
            )
            self.warning = (
                f"The index link points at no usable build, so the server kept serving the "
                f"build of {self._index.manifest.get('built_at')}: {message}"
            )
            return
        self._index, self._error, self.warning = index, None, self._stale(index)
        if self.warning:
            log.warning("%s", self.warning)

    def _stale(self, index: Index) -> str | None:
        if self.corpus_dir is None:
            return None
        try:
            current = sources_hash(self.corpus_dir, self.library_dir)
        except (OSError, CorpusError):
            current = None
        if index.manifest.get("corpus_hash") == current:
            return None
        return (
            f"The index was built on {index.manifest.get('built_at')} from an earlier version of the "
            "corpus (the corpus or the organisation's library changed since, or its last build "
            "failed); answers may miss the changes. Fix the files if needed and run `assistant build` "
            "(or rebuild on /admin): the server picks up the new build without a restart."
        )
