"""/admin's JSON calls: off without a token, refused without the right one, upload, status, remove,
background rebuild (the old index answers until the swap) and what to write next."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.index import build_index

from .conftest import fixture_copy
from .ingest_files import broken_pdf, code_of_conduct_pdf, encrypted_pdf

TOKEN = "s3cret-admin-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
AUDIT_QUESTION = "How much notice does a supplier get before we audit its premises?"


@pytest.fixture
def admin_settings(tmp_path, settings, embedder):
    # The fixture corpus's build is copied in, so no test here embeds it again.
    return fixture_copy(tmp_path, settings, settings.index_dir, admin_token=TOKEN, ingest_max_bytes=200_000)


@pytest.fixture
def client(admin_settings, embedder):
    with TestClient(create_app(admin_settings, embedder)) as client:
        yield client


def upload(client, path, name=None, headers=AUTH):
    return client.post(
        "/api/admin/documents", params={"filename": name or path.name}, content=path.read_bytes(), headers=headers
    )


def test_admin_is_not_there_without_a_token(settings, embedder):
    with TestClient(create_app(settings, embedder)) as client:
        assert client.get("/admin").status_code == 404
        assert client.get("/api/admin/library", headers=AUTH).status_code == 404


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}, {"Authorization": f"Basic {TOKEN}"}]
)
def test_admin_calls_need_the_token_as_a_bearer_header(client, headers, tmp_path):
    assert client.get("/admin").status_code == 200  # the page itself holds nothing
    reply = client.get("/api/admin/library", headers=headers)
    assert reply.status_code == 401 and reply.headers["www-authenticate"] == "Bearer"
    assert "Authorization: Bearer" in reply.json()["error"]
    assert upload(client, code_of_conduct_pdf(tmp_path / "code.pdf"), headers=headers).status_code == 401
    assert client.post("/api/admin/rebuild", headers=headers).status_code == 401


def test_a_cookie_or_form_post_from_another_site_cannot_act(client, tmp_path):
    client.cookies.set("token", TOKEN)
    reply = client.post(
        "/api/admin/documents?filename=x.txt",
        content=b"hello",
        headers={"Origin": "https://evil.example", "Content-Type": "text/plain"},
    )
    assert reply.status_code in (401, 403)
    assert not (tmp_path / "library").exists()


def test_upload_status_rebuild_and_answer(client, admin_settings, tmp_path):
    code = code_of_conduct_pdf(tmp_path / "supplier-code.pdf")
    reply = upload(client, code)
    assert reply.status_code == 201, reply.text
    assert (reply.json()["action"], reply.json()["id"]) == ("created", "supplier-code")
    assert upload(client, code).json()["action"] == "unchanged"
    [doc] = client.get("/api/admin/library", headers=AUTH).json()["documents"]
    assert (doc["id"], doc["status"]) == ("supplier-code", "not indexed yet")
    # Until the new build is swapped in, the old index answers (without the document).
    before = client.post("/api/ask", json={"question": AUDIT_QUESTION}).json()
    assert all(c["collection"] == "corpus" for c in before["citations"])
    assert client.post("/api/admin/rebuild", headers=AUTH).status_code == 202
    status = wait_for_rebuild(client)
    assert status["state"] == "done", status
    assert "now answering from it" in status["message"]
    [doc] = client.get("/api/admin/library", headers=AUTH).json()["documents"]
    assert doc["status"] == "indexed"
    after = client.post("/api/ask", json={"question": AUDIT_QUESTION}).json()
    assert after["citations"][0]["label"] == "Your organisation: Supplier Code of Conduct, §3 Audit rights, p. 2"
    assert client.delete("/api/admin/documents/supplier-code", headers=AUTH).json()["action"] == "removed"
    [doc] = client.get("/api/admin/library", headers=AUTH).json()["documents"]
    assert doc["status"] == "removed, still indexed"


def wait_for_rebuild(client, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        status = client.get("/api/admin/rebuild", headers=AUTH).json()
        if status["state"] != "running" or time.monotonic() > deadline:
            return status
        time.sleep(0.2)


def test_bad_uploads_are_refused_with_the_reason_and_harm_nothing(client, admin_settings, tmp_path):
    broken = upload(client, broken_pdf(tmp_path / "broken.pdf"))
    assert broken.status_code == 422 and broken.json()["error"].startswith("broken.pdf: not a readable PDF")
    locked = upload(client, encrypted_pdf(tmp_path / "locked.pdf"))
    assert locked.status_code == 422 and "encrypted" in locked.json()["error"]
    empty = client.post("/api/admin/documents", params={"filename": "empty.txt"}, content=b"", headers=AUTH)
    assert empty.status_code == 422 and "empty" in empty.json()["error"]
    big = client.post("/api/admin/documents", params={"filename": "big.txt"}, content=b"x" * 300_000, headers=AUTH)
    assert big.status_code == 413 and "0 MB" not in big.json()["error"]
    for name in ("", "..", "a\x00b.txt", "notes\n.txt"):
        unnamed = client.post("/api/admin/documents", params={"filename": name}, content=b"hello", headers=AUTH)
        assert unnamed.status_code == 400 and "?filename=" in unnamed.json()["error"], name
    sneaky = client.post(
        "/api/admin/documents",
        params={"filename": "../../etc/notes.txt"},
        content=b"Notes on outsourcing.",
        headers=AUTH,
    )
    assert sneaky.status_code == 201 and sneaky.json()["id"] == "notes"  # the name only, never a path
    assert client.get("/api/admin/library", headers=AUTH).json()["documents"][0]["id"] == "notes"
    assert client.delete("/api/admin/documents/nothing-here", headers=AUTH).status_code == 404


def test_a_failed_rebuild_keeps_the_old_index_answering(client, admin_settings):
    (admin_settings.corpus_dir / "sla" / "broken.md").write_text("no front matter\n")
    client.post("/api/admin/rebuild", headers=AUTH)
    status = wait_for_rebuild(client)
    assert status["state"] == "failed" and "broken.md:1: no front matter" in status["message"]
    assert "old index keeps answering" in status["message"]
    assert client.post("/api/ask", json={"question": "What is an earn-back?"}).status_code == 200


def test_what_to_write_next_groups_similar_questions_of_the_last_30_days(client, admin_settings):
    asked = [
        "How do I bake sourdough bread?",
        "how do i bake sourdough bread",
        "How can I bake a sourdough loaf?",
        "What is the capital of Peru?",
    ]
    for question in asked:
        assert client.post("/api/ask", json={"question": question}).json()["abstained"]
    answer = client.post("/api/ask", json={"question": "What is an earn-back?"}).json()
    client.post("/api/feedback", json={"message_id": answer["message_id"], "rating": "down", "comment": "too short"})
    groups = client.get("/api/admin/gaps", headers=AUTH).json()["groups"]
    by_question = {g["question"]: g for g in groups}
    [bread] = [g for g in groups if "How can I bake a sourdough loaf?" in g["wordings"]]
    assert bread["question"].lower().rstrip("?") == "how do i bake sourdough bread"  # the most asked wording
    assert (bread["count"], bread["unanswered"]) == (3, 3) and set(bread["wordings"]) == set(asked[:3])
    assert by_question["What is the capital of Peru?"]["count"] == 1
    earn_back = by_question["What is an earn-back?"]
    assert (earn_back["not_helpful"], earn_back["comments"]) == (1, ["too short"])
    assert groups[0] is bread  # the most asked first


def test_a_build_tells_its_progress_batch_by_batch(fresh):
    from tests.support import HashEmbedder

    heard = []
    build_index(fresh.corpus_dir, fresh.index_dir, HashEmbedder(), on_progress=lambda *step: heard.append(step))
    stages = [stage for stage, _, _ in heard]
    assert stages[0] == "validating" and stages[-1] == "writing" and stages.count("embedding") > 2
    embedding = [(done, total) for stage, done, total in heard if stage == "embedding"]
    assert [done for done, _ in embedding] == sorted(done for done, _ in embedding)
    assert all(total == embedding[0][1] > done for done, total in embedding) and heard[-1][1] == heard[-1][2]
