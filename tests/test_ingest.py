"""assistant ingest: real PDF, DOCX and HTML files into library articles; bad files reported, never harmful."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from assistant.convert import convert
from assistant.errors import CorpusError, NotFound
from assistant.ingest import ingest, remove
from assistant.library import load_library, load_sources

from .ingest_files import (
    broken_pdf,
    code_of_conduct_pdf,
    encrypted_pdf,
    exit_plan_html,
    gifts_policy_docx,
    scanned_pdf,
)

MB = 1_000_000


def test_docx_keeps_its_title_headings_list_and_table(tmp_path):
    title, body = convert(gifts_policy_docx(tmp_path / "gifts.docx"))
    assert title == "Gifts and Hospitality Policy"
    lines = body.splitlines()
    assert "## Purpose" in lines and "## Limits" in lines and "### Gifts from suppliers" in lines
    assert "- Cash is never accepted" in lines
    assert "| Item | Limit |" in lines and "| Gift | 50 euros |" in lines
    assert not any(line.startswith("# ") for line in lines)


def test_pdf_keeps_pages_headings_and_table(tmp_path):
    title, body = convert(code_of_conduct_pdf(tmp_path / "code.pdf"))
    assert title == "Supplier Code of Conduct"
    lines = body.splitlines()
    assert lines.index("<!-- page 1 -->") < lines.index("## 1 Scope") < lines.index("| Tier | Response time |")
    assert lines.index("| Gold | 4 hours |") < lines.index("<!-- page 2 -->") < lines.index("## 3 Audit rights")
    assert "Supplier Code of Conduct" not in body  # the title is the title, not a section


def test_html_page_becomes_sections_without_its_scripts_or_navigation(tmp_path):
    title, body = convert(exit_plan_html(tmp_path / "exit.html"))
    assert title == "Exit Plan Standard"
    assert "## Handover" in body.splitlines()
    assert "| Notice | 30 |" in body
    assert "alert" not in body and "Policies" not in body


def test_ingested_article_has_the_front_matter_and_validates(tmp_path):
    source = code_of_conduct_pdf(tmp_path / "Supplier Code.pdf")
    [outcome] = ingest([source], tmp_path / "library", 20 * MB)
    assert (outcome.action, outcome.id, outcome.title) == ("created", "supplier-code", "Supplier Code of Conduct")
    [article] = load_library(tmp_path / "library")
    assert article.collection == "organisation" and article.topic == "organisation"
    assert article.source_file == "Supplier Code.pdf" and len(article.source_sha256) == 64
    assert article.ingested and article.summary.startswith("This code applies")
    assert (tmp_path / "library" / "sources" / "supplier-code.pdf").read_bytes() == source.read_bytes()


def test_reingest_of_an_unchanged_file_does_nothing_and_a_changed_one_updates(tmp_path):
    folder, library = tmp_path / "docs", tmp_path / "library"
    folder.mkdir()
    html = exit_plan_html(folder / "exit.html")
    gifts_policy_docx(folder / "policies" / "gifts.docx") if (folder / "policies").mkdir() is None else None
    assert [o.action for o in ingest([folder], library, 20 * MB)] == ["created", "created"]
    article = library / "exit.md"
    stamp = article.stat().st_mtime_ns
    assert [o.action for o in ingest([folder], library, 20 * MB)] == ["unchanged", "unchanged"]
    assert article.stat().st_mtime_ns == stamp
    html.write_text(html.read_text().replace("60 days", "90 days"))
    outcomes = ingest([folder], library, 20 * MB)
    assert [(o.action, o.id) for o in outcomes] == [("updated", "exit"), ("unchanged", "gifts")]
    assert "90 days" in article.read_text() and len(load_library(library)) == 2


def test_ids_are_unique_across_the_library_and_the_corpus(tmp_path, fresh):
    docs = tmp_path / "docs"
    (docs / "a").mkdir(parents=True)
    (docs / "b").mkdir()
    first = exit_plan_html(docs / "a" / "nearshore.html")  # 'nearshore' is a corpus article's id
    (docs / "b" / "nearshore.html").write_text(first.read_text().replace("60 days", "45 days"))
    outcomes = ingest([docs], fresh.library_dir, 20 * MB, fresh.corpus_dir)
    assert [(o.file.split("docs/")[1], o.id) for o in outcomes] == [
        ("a/nearshore.html", "nearshore-2"),
        ("b/nearshore.html", "nearshore-3"),
    ]
    assert len(load_sources(fresh.corpus_dir, fresh.library_dir)) > 2


def test_a_file_of_the_same_name_is_a_new_version_of_its_document(tmp_path):
    library = tmp_path / "library"
    (tmp_path / "new").mkdir()
    old = exit_plan_html(tmp_path / "exit.html")
    new = tmp_path / "new" / "exit.html"
    new.write_text(old.read_text().replace("60 days", "45 days"))
    outcomes = ingest([old, new], library, 20 * MB)
    assert [(o.action, o.id) for o in outcomes] == [("created", "exit"), ("updated", "exit")]


def test_remove_deletes_the_article_and_its_original(tmp_path):
    library = tmp_path / "library"
    ingest([exit_plan_html(tmp_path / "exit.html")], library, 20 * MB)
    assert remove("exit", library).action == "removed"
    assert load_library(library) == [] and not list((library / "sources").iterdir())
    with pytest.raises(NotFound):
        remove("exit", library)


def test_bad_files_are_reported_by_name_and_the_good_ones_still_ingested(tmp_path):
    folder, library = tmp_path / "docs", tmp_path / "library"
    folder.mkdir()
    broken_pdf(folder / "broken.pdf")
    encrypted_pdf(folder / "locked.pdf")
    scanned_pdf(folder / "scan.pdf")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "big.txt").write_text("word " * 300_000)
    (folder / "sheet.xlsx").write_bytes(b"PK\x03\x04 not really")
    (folder / "blank.html").write_text("<html><body><p> </p></body></html>")
    exit_plan_html(folder / "exit.html")
    outcomes = {os.path.basename(o.file): o for o in ingest([folder], library, 1 * MB)}
    reasons = {name: o.reason for name, o in outcomes.items() if o.action == "skipped"}
    assert set(reasons) == {"broken.pdf", "locked.pdf", "scan.pdf", "empty.txt", "big.txt", "sheet.xlsx", "blank.html"}
    assert "not a readable PDF" in reasons["broken.pdf"]
    assert "encrypted" in reasons["locked.pdf"]
    assert "no text layer" in reasons["scan.pdf"] and "OCR" in reasons["scan.pdf"]
    assert "empty" in reasons["empty.txt"]
    assert "over the 1 MB limit" in reasons["big.txt"] and "ASSISTANT_INGEST_MAX_BYTES" in reasons["big.txt"]
    assert "unsupported type '.xlsx'" in reasons["sheet.xlsx"]
    assert "no text" in reasons["blank.html"]
    assert outcomes["exit.html"].action == "created"
    assert [a.id for a in load_library(library)] == ["exit"]  # the library stays valid


def test_dry_run_says_what_would_happen_and_writes_nothing(tmp_path):
    outcomes = ingest([exit_plan_html(tmp_path / "exit.html")], tmp_path / "library", 20 * MB, dry_run=True)
    assert [(o.action, o.id) for o in outcomes] == [("created", "exit")]
    assert not (tmp_path / "library").exists()


def test_library_problems_are_reported_like_corpus_problems(tmp_path):
    library = tmp_path / "library"
    ingest([exit_plan_html(tmp_path / "exit.html")], library, 20 * MB)
    article = library / "exit.md"
    article.write_text(
        article.read_text()
        .replace("collection: organisation", "collection: mine")
        .replace("ingested: ", "ingested: soon-")
    )
    with pytest.raises(CorpusError) as err:
        load_library(library)
    assert "library/exit.md:4: collection must be 'organisation'" in err.value.problems
    assert any(p.startswith("library/exit.md:7: 'ingested' must be a date") for p in err.value.problems)


def test_cli_ingest_reports_each_file_and_fails_when_some_were_skipped(tmp_path, fresh):
    env = {"ASSISTANT_LIBRARY_DIR": str(fresh.library_dir), "ASSISTANT_CORPUS_DIR": str(fresh.corpus_dir)}
    good, bad = exit_plan_html(tmp_path / "exit.html"), broken_pdf(tmp_path / "broken.pdf")
    runner = CliRunner()
    result = runner.invoke(cli, ["ingest", str(good), str(bad), "--dry-run"], env=env)
    assert "exit.html: would be created as exit" in result.output and not fresh.library_dir.exists()
    result = runner.invoke(cli, ["ingest", str(good), str(bad), "--json"], env=env)
    assert result.exit_code == 1 and "1 file skipped" in result.output
    rows = json.loads(result.output[: result.output.rindex("]") + 1])
    assert [(r["action"], r["id"]) for r in rows] == [("created", "exit"), ("skipped", None)]
    result = runner.invoke(cli, ["corpus", "check"], env=env)
    assert result.exit_code == 0, result.output
    assert "organisation library: 1 documents" in result.output
    result = runner.invoke(cli, ["ingest", "--remove", "exit"], env=env)
    assert result.exit_code == 0 and "removed as exit" in result.output
    result = runner.invoke(cli, ["ingest", "--remove", "exit"], env=env)
    assert result.exit_code == 1 and "no document 'exit'" in result.output


def test_markdown_keeps_its_own_title_and_text_takes_the_file_name(tmp_path, fresh):
    notes = tmp_path / "sla-notes.md"
    notes.write_text(
        "---\ntitle: SLA Notes\nauthor: someone\n---\n# SLA Notes\n\nIntro line.\n\n"
        "# Credits\n\nCredits are capped.\n\n## Cap\n\nAt 10% of the monthly fee.\n"
    )
    title, body = convert(notes)
    assert title == "SLA Notes"
    assert body.splitlines()[:1] == ["Intro line."] and "## Credits" in body and "### Cap" in body
    text = tmp_path / "exit_checklist.txt"
    text.write_text("Return all data.\r\n\r\n\r\nRevoke access on the last day.\r\n", encoding="utf-8")
    outcomes = ingest([notes, text], fresh.library_dir, 20 * MB)
    assert [(o.id, o.title) for o in outcomes] == [("sla-notes", "SLA Notes"), ("exit-checklist", "Exit checklist")]
    assert "Return all data.\n\nRevoke access" in (fresh.library_dir / "exit-checklist.md").read_text()
