"""The command line through click's CliRunner."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from assistant import cli as cli_module
from assistant.cli import cli


@pytest.fixture
def env(settings, embedder, monkeypatch):
    monkeypatch.setattr(cli_module, "_embedder", lambda: embedder)  # the session's model, not a new one
    return {
        "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
        "ASSISTANT_INDEX_DIR": str(settings.index_dir),
        "ASSISTANT_DB_PATH": str(settings.db_path),
    }


def test_ask_json_prints_what_the_api_returns(env):
    result = CliRunner().invoke(cli, ["ask", "What is earn-back?", "--json", "-k", "2"], env=env)
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert set(body) >= {"conversation_id", "message_id", "answer", "abstained", "citations", "timing_ms"}
    assert len(body["citations"]) == 2


def test_ask_prints_answer_and_sources(env):
    result = CliRunner().invoke(cli, ["ask", "whats tupe"], env=env)
    assert result.exit_code == 0, result.output
    assert "TUPE" in result.output and "Sources:" in result.output and "/docs/" in result.output


def test_ask_rejects_an_empty_question(env):
    result = CliRunner().invoke(cli, ["ask", "  "], env=env)
    assert result.exit_code == 1 and "The question is empty" in result.output


def test_build_reports_up_to_date(env):
    result = CliRunner().invoke(cli, ["build", "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["up_to_date"] is True


def test_build_with_a_broken_corpus_names_the_file_and_keeps_the_index(fresh, tmp_path):
    (fresh.corpus_dir / "sla" / "broken.md").write_text("---\nid: broken\n")
    env = {"ASSISTANT_CORPUS_DIR": str(fresh.corpus_dir), "ASSISTANT_INDEX_DIR": str(fresh.index_dir)}
    result = CliRunner().invoke(cli, ["build"], env=env)
    assert result.exit_code == 1
    assert "sla/broken.md:1: no front matter" in result.output and "left as it was" in result.output


def test_corpus_check_prints_counts_per_topic(env):
    result = CliRunner().invoke(cli, ["corpus", "check", "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sla"] == {"articles": 1, "words": pytest.approx(347, abs=5)}


def test_ask_without_k_cites_the_default_k_passages(env):
    result = CliRunner().invoke(cli, ["ask", "What is earn-back?", "--json"], env={**env, "ASSISTANT_DEFAULT_K": "2"})
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["citations"]) == 2


def test_every_setting_is_listed(env):
    result = CliRunner().invoke(cli, ["settings"], env=env)
    assert "ASSISTANT_INDEX_DIR" in result.output and "ASSISTANT_ALLOWED_ORIGINS" in result.output


def test_feedback_export_includes_question_answer_and_citations(settings, embedder, env):
    from assistant.answering import Assistant
    from assistant.conversation import respond
    from assistant.conversations import ConversationStore

    store = ConversationStore(settings.db_path)
    asked = respond(Assistant(settings, embedder), store, "What is earn-back?")
    store.add_feedback(asked["message_id"], "down", "Too short, add an example")
    result = CliRunner().invoke(cli, ["feedback", "export", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    row = next(r for r in json.loads(result.stdout) if r["message_id"] == asked["message_id"])
    assert row["rating"] == "down" and row["comment"] == "Too short, add an example"
    assert row["question"] == "What is earn-back?" and row["answer"] == asked["answer"]
    assert row["citations"] == asked["citations"]
    csv_out = CliRunner().invoke(cli, ["feedback", "export"], env=env).stdout
    assert "Too short, add an example" in csv_out and "/docs/service-credits#" in csv_out


def test_every_setting_and_command_is_documented_in_the_readme():
    from assistant.settings import ROOT, Settings

    readme = (ROOT / "README.md").read_text()
    missing = [variable for variable, _, _ in Settings().describe() if variable not in readme]
    assert missing == []
    for command in cli.commands:
        assert f"assistant {command}" in readme, command


@pytest.mark.slow
def test_serve_stops_with_the_corpus_problem_when_its_build_fails(fresh):
    """`serve` builds in a child process; a broken corpus still ends it with file:line, no traceback."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    broken = next(fresh.corpus_dir.rglob("*.md"))
    broken.write_text(broken.read_text().replace("title:", "title: [unclosed", 1))
    env = {
        **os.environ,
        "ASSISTANT_CORPUS_DIR": str(fresh.corpus_dir),
        "ASSISTANT_INDEX_DIR": str(fresh.index_dir),
        "ASSISTANT_DB_PATH": str(fresh.db_path),
    }
    result = subprocess.run(
        [str(Path(sys.executable).parent / "assistant"), "serve", "--port", "9"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert f"{broken.parent.name}/{broken.name}:" in result.stderr and "not valid YAML" in result.stderr
    assert "Traceback" not in result.stderr and not fresh.index_dir.exists()
