"""Two replicas, each with its own copy of the index, sharing one PostgreSQL (issue 15): any replica
continues any conversation, and a visitor's quota counts across both."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app

pytestmark = pytest.mark.slow  # a real PostgreSQL server


@pytest.fixture
def replicas(settings, embedder, postgres, tmp_path):
    """Two apps as two machines would run them: index copied to each, one database URL."""
    url = postgres.new_database()
    apps = []
    for name in ("a", "b"):
        index_copy = tmp_path / name / "index"
        shutil.copytree(settings.index_dir, index_copy, symlinks=True)  # as a rollout copies a build
        apps.append(
            create_app(
                replace(
                    settings,
                    index_dir=index_copy,
                    database_url=url,
                    db_path=tmp_path / name / "unused.db",
                    quota_per_visitor=4,
                ),
                embedder=embedder,
            )
        )
    with TestClient(apps[0]) as first, TestClient(apps[1]) as second:
        yield first, second


def test_a_conversation_started_on_one_replica_continues_on_the_other(replicas):
    first, second = replicas
    asked = first.post("/api/ask", json={"question": "What is nearshore outsourcing?"}).json()
    follow = second.post("/api/ask", json={"question": "and the risks?", "conversation_id": asked["conversation_id"]})
    assert follow.status_code == 200, follow.text
    assert follow.json()["conversation_id"] == asked["conversation_id"]
    for replica in (first, second):
        history = replica.get(f"/api/conversations/{asked['conversation_id']}").json()
        assert [m["question"] for m in history["messages"]] == ["What is nearshore outsourcing?", "and the risks?"]
    rated = second.post("/api/feedback", json={"message_id": asked["message_id"], "rating": "up"})
    changed = first.post("/api/feedback", json={"message_id": asked["message_id"], "rating": "down"})
    assert (rated.status_code, changed.status_code) == (201, 200)  # one rating per visitor, either replica
    assert first.delete(f"/api/conversations/{asked['conversation_id']}").status_code == 204
    assert second.get(f"/api/conversations/{asked['conversation_id']}").status_code == 404
    assert not any(p.name == "unused.db" for p in first.app.state.settings.db_path.parent.iterdir())


def test_a_visitors_quota_counts_across_replicas(replicas):
    first, second = replicas
    statuses = [
        replica.post("/api/ask", json={"question": "What is an SLA?"}).status_code
        for replica in (first, second, first, second)
    ]
    assert statuses == [200, 200, 200, 200]
    refused = [replica.post("/api/ask", json={"question": "What is an SLA?"}) for replica in (first, second)]
    assert [r.status_code for r in refused] == [429, 429]
    assert refused[0].json()["error"].startswith("You have asked 4 questions in the last hour")
