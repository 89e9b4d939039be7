"""Schemathesis against the app (issue 15): generated requests for every operation in the OpenAPI
schema, with a fixed seed and a small budget; no 5xx, and every reply as the schema says."""

from __future__ import annotations

import os

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app

pytestmark = pytest.mark.slow  # fuzzing

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))  # per operation; the whole run ~17 s here
# schemathesis and hypothesis are imported in the fixture and the test, not at collection: they
# take seconds to import, which every pytest run (the quick subset too) would otherwise pay.
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
]


@pytest.fixture(scope="module")
def api_schema(settings, embedder):
    schemathesis = pytest.importorskip("schemathesis", reason="pip install -e '.[test]' installs schemathesis")
    # The tests' settings have no quotas in the way of a fuzzer that is one visitor; the lifespan
    # runs once, for every case.
    app = create_app(settings, embedder=embedder)
    with TestClient(app):
        yield schemathesis.openapi.from_asgi("/api/openapi.json", app)


def test_the_api_answers_as_its_schema_says(api_schema):
    """Every operation in turn (schemathesis' pytest plugin does not run under pytest 9)."""
    from hypothesis import HealthCheck, given, settings
    from schemathesis import checks

    chosen = [getattr(checks, name) for name in CHECKS]
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10

    failures = {}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            print_blob=False,
        )
        def answers_as_the_schema_says(case):
            case.call_and_validate(checks=chosen)

        try:
            answers_as_the_schema_says()
        except (AssertionError, BaseExceptionGroup) as err:  # gathered: one run reports every operation
            failures[operation.label] = str(err)[:2000]
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
