"""Shared fixtures: the real bundled model, and the fixture corpus built once per session."""

from __future__ import annotations

import contextlib
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant import runtime
from assistant.api import create_app
from assistant.embedding import Embedder, EmbeddingModel, QueryCache
from assistant.index import build_index
from assistant.settings import ROOT, Settings

FIXTURE_CORPUS = Path(__file__).parent / "fixtures" / "corpus"
runtime.start_server()  # as the server and the CLI do at start-up: one search thread, offline hub
# TestClient sends Host: testserver; only the tests' settings allow it, never the default.
TEST_HOSTS = ("testserver", "127.0.0.1", "localhost", "::1")
# Quotas are off in the tests' settings: a test about quotas turns on the one it is about.
NO_QUOTAS = {"quota_per_visitor": 0, "quota_per_origin": 0, "feedback_quota_per_visitor": 0}


def fixture_copy(root: Path, base: Settings | None = None, index: Path | None = None, **changes) -> Settings:
    """Settings over a private copy of the fixture corpus in `root`, every store under `root` too;
    `base`'s other settings are kept, and `index` (a build of the fixture corpus) is copied in."""
    shutil.copytree(FIXTURE_CORPUS, root / "corpus")
    paths = {
        "corpus_dir": root / "corpus",
        "index_dir": root / "index",
        "library_dir": root / "library",
        "db_path": root / "data" / "assistant.db",
        "allowed_hosts": TEST_HOSTS,
    }
    if base is None:
        made = Settings(web_dir=ROOT / "web", **paths, **NO_QUOTAS, **changes)
    else:
        made = replace(base, **paths, **changes)
    if index is not None:
        shutil.copytree(index, made.index_dir, symlinks=True)
    return made


def pytest_collection_modifyitems(items):
    """A test that drives the browser is a browser test even where its module forgot the marker,
    so `-m "not browser"` (make test-fast) never starts Chromium."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def embedder() -> EmbeddingModel:
    """The bundled model in this process, its queries cached as the server's are."""
    return QueryCache(Embedder())


@pytest.fixture(scope="session")
def settings(tmp_path_factory, embedder) -> Settings:
    """Settings pointing at a built copy of the fixture corpus in a temporary folder."""
    built = fixture_copy(tmp_path_factory.mktemp("assistant"))
    build_index(built.corpus_dir, built.index_dir, embedder)
    return built


@pytest.fixture
def fresh(tmp_path) -> Settings:
    """Settings for a private, not yet built copy of the fixture corpus that a test may change."""
    return fixture_copy(tmp_path)


@pytest.fixture(scope="session")
def study_build(tmp_path_factory, embedder, settings) -> Settings:
    """The study corpus (tests/study_fixture.py) built once; each study module takes its own
    database with `replace(study_build, db_path=...)`, as no study test changes the index."""
    from .study_fixture import make_study_settings

    return make_study_settings(tmp_path_factory.mktemp("study"), embedder, previous=settings.index_dir)


@pytest.fixture(scope="module")
def app_for(settings, embedder):
    """Clients of apps over the fixture index with some settings changed, e.g.
    `app_for(quota_per_visitor=2)`; `client=(address, port)` is who asks. Closed after the module."""
    with contextlib.ExitStack() as stack:

        def build(client=("testclient", 50000), raise_server_exceptions=True, **changes) -> TestClient:
            app = create_app(replace(settings, **changes), embedder=embedder)
            return stack.enter_context(TestClient(app, client=client, raise_server_exceptions=raise_server_exceptions))

        yield build


@pytest.fixture(scope="module")
def client(app_for) -> TestClient:
    """A client of the app over the fixture index with the tests' settings, one per module."""
    return app_for()


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server (see tests/postgres.py), started once for the whole session."""
    from .postgres import start_postgres

    server = start_postgres()
    yield server
    server.stop()


# The PostgreSQL variants start a real server (seconds): `make test` runs them, the quick subset not.
@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
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
