"""Shared fixtures: the real bundled model, and the fixture corpus built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant import runtime
from assistant.embedding import Embedder
from assistant.index import build_index
from assistant.settings import ROOT, Settings

FIXTURE_CORPUS = Path(__file__).parent / "fixtures" / "corpus"
runtime.start_server()  # as the server and the CLI do at start-up: one search thread, offline hub
# TestClient sends Host: testserver; only the tests' settings allow it, never the default.
TEST_HOSTS = ("testserver", "127.0.0.1", "localhost", "::1")


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture(scope="session")
def settings(tmp_path_factory, embedder) -> Settings:
    """Settings pointing at a built copy of the fixture corpus in a temporary folder."""
    root = tmp_path_factory.mktemp("assistant")
    shutil.copytree(FIXTURE_CORPUS, root / "corpus")
    built = Settings(corpus_dir=root / "corpus", index_dir=root / "index",
                     db_path=root / "data" / "assistant.db", web_dir=ROOT / "web",
                     library_dir=root / "library", allowed_hosts=TEST_HOSTS)
    build_index(built.corpus_dir, built.index_dir, embedder)
    return built


@pytest.fixture
def fresh(tmp_path) -> Settings:
    """Settings for a private, not yet built copy of the fixture corpus that a test may change."""
    shutil.copytree(FIXTURE_CORPUS, tmp_path / "corpus")
    return Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index",
                    db_path=tmp_path / "data" / "assistant.db", web_dir=ROOT / "web",
                    library_dir=tmp_path / "library", allowed_hosts=TEST_HOSTS)


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server (see tests/postgres.py), started once for the whole session."""
    from .postgres import start_postgres

    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_target(request, tmp_path) -> str | Path:
    """Where a ConversationStore keeps its rows, once per backend: a SQLite file, then a fresh
    PostgreSQL database (ASSISTANT_DATABASE_URL's form)."""
    if request.param == "sqlite":
        return tmp_path / "data" / "assistant.db"
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by Playwright, one per test module (imported lazily, so
    the suite runs where Playwright is absent and the browser modules skip)."""
    from playwright.sync_api import sync_playwright

    from .support import launch_chromium

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()
