"""Answers from the organisation's ingested documents, beside the curated corpus: section and page
cited, labelled as the organisation's, the collection filter, article pages and original files."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from assistant.answering import Assistant
from assistant.api import create_app
from assistant.index import build_index, current_manifest
from assistant.ingest import ingest

from .conftest import fixture_copy
from .ingest_files import code_of_conduct_pdf, exit_plan_html, gifts_policy_docx
from .test_web import Page

AUDIT_QUESTION = "How much notice does a supplier get before we audit its premises?"
GIFT_QUESTION = "What is the most a supplier may spend on gifts for our employees?"


@pytest.fixture(scope="module")
def library_settings(tmp_path_factory, embedder, settings):
    root = tmp_path_factory.mktemp("library")
    built = fixture_copy(root, settings)
    originals = root / "originals"
    originals.mkdir()
    code_of_conduct_pdf(originals / "supplier-code.pdf")
    gifts_policy_docx(originals / "gifts-policy.docx")
    exit_plan_html(originals / "exit-plan.html")
    assert {o.action for o in ingest([originals], built.library_dir, built.ingest_max_bytes, built.corpus_dir)} == {
        "created"
    }
    # From the session's build of the same corpus: only the library's articles are embedded.
    shutil.copytree(settings.index_dir, built.index_dir, symlinks=True)
    build_index(built.corpus_dir, built.index_dir, embedder, library_dir=built.library_dir)
    return built


@pytest.fixture(scope="module")
def assistant(library_settings, embedder):
    return Assistant(library_settings, embedder)


def test_a_question_only_the_organisations_pdf_answers_cites_its_section_and_page(assistant):
    answer = assistant.ask(AUDIT_QUESTION)
    assert not answer.abstained, answer.text
    assert "ten working days" in answer.text
    cited = [c for c in answer.citations if c["cited"]]
    first = cited[0]
    assert (first["doc_id"], first["section"], first["page"], first["collection"]) == (
        "supplier-code",
        "3 Audit rights",
        "2",
        "organisation",
    )
    assert first["label"] == "Your organisation: Supplier Code of Conduct, §3 Audit rights, p. 2"
    assert first["url"] == "/docs/supplier-code#3-audit-rights"


def test_a_docx_answer_cites_its_heading_path_without_a_page(assistant):
    answer = assistant.ask(GIFT_QUESTION)
    assert not answer.abstained, answer.text
    first = next(c for c in answer.citations if c["cited"])
    assert (first["doc_id"], first["section"], first["page"]) == ("gifts-policy", "Limits › Gifts from suppliers", None)
    assert first["label"] == "Your organisation: Gifts and Hospitality Policy, §Limits › Gifts from suppliers"


def test_corpus_citations_say_they_come_from_the_corpus(assistant):
    answer = assistant.ask("What is an earn-back on service credits?")
    assert answer.citations and all(c["collection"] == "corpus" and c["page"] is None for c in answer.citations)
    assert answer.citations[0]["label"] == f"{answer.citations[0]['title']} › {answer.citations[0]['section']}"


@pytest.mark.parametrize("collection", ["organisation", "corpus"])
def test_the_collection_filter_keeps_to_one_collection(assistant, collection):
    answer = assistant.ask("What happens to supplier audits and service credits?", filters={"collection": collection})
    assert answer.citations and {c["collection"] for c in answer.citations} == {collection}


def test_an_unknown_collection_is_refused_with_the_choices(library_settings, embedder):
    with TestClient(create_app(library_settings, embedder)) as client:
        reply = client.post("/api/ask", json={"question": "audit notice", "filters": {"collection": "mine"}})
        assert reply.status_code == 422 and "organisation" in reply.json()["error"]
        reply = client.post("/api/ask", json={"question": AUDIT_QUESTION, "filters": {"collection": "organisation"}})
        assert reply.status_code == 200
        assert reply.json()["citations"][0]["label"].startswith("Your organisation: Supplier Code of Conduct")


def test_the_index_holds_both_collections_and_goes_stale_when_the_library_changes(library_settings, embedder, tmp_path):
    settings = library_settings
    documents = Assistant(settings, embedder).live.get().documents
    assert documents["supplier-code"].collection == "organisation"
    assert documents["nearshore"].collection == "corpus"
    copy = tmp_path / "library"
    shutil.copytree(settings.library_dir, copy)
    assert current_manifest(settings.corpus_dir, settings.index_dir, embedder.name, library_dir=copy)
    article = copy / "exit-plan.md"
    article.write_text(article.read_text().replace("60 days", "45 days"))
    assert current_manifest(settings.corpus_dir, settings.index_dir, embedder.name, library_dir=copy) is None


def test_article_page_of_an_ingested_document_links_the_original_only_when_allowed(library_settings, embedder):
    with TestClient(create_app(library_settings, embedder)) as client:
        reply = client.get("/docs/supplier-code")
        page = Page(reply.text)
        assert page.find("p", class_="article-meta article-source")
        assert "From your organisation" in reply.text and "ingested" in reply.text
        assert "3-audit-rights" in page.ids() and "page 2" not in reply.text  # page markers stay unseen
        assert not [a for a in page.find("a") if a["href"].endswith("/original")]
        assert client.get("/docs/supplier-code/original").status_code == 404
    allowed = replace(library_settings, serve_source_files=True)
    with TestClient(create_app(allowed, embedder)) as client:
        page = Page(client.get("/docs/supplier-code").text)
        [link] = [a for a in page.find("a") if a["href"].endswith("/original")]
        original = client.get(link["href"])
        assert original.status_code == 200 and original.headers["content-type"] == "application/pdf"
        assert original.content == (library_settings.library_dir / "sources" / "supplier-code.pdf").read_bytes()
        html = client.get("/docs/exit-plan/original")
        assert html.headers["content-disposition"].startswith("attachment")  # never rendered on our origin


def test_off_topic_questions_are_still_turned_away_with_a_library(assistant):
    for question in ("What is the weather in Paris tomorrow?", "How do I bake bread?"):
        assert assistant.ask(question).abstained, question
