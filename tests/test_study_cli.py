"""`assistant study`: a quiz in the terminal, and the grader's accuracy."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from click.testing import CliRunner

from assistant import cli as cli_module
from assistant.cli import cli
from assistant.conversations import ConversationStore
from assistant.study.catalog import ItemCatalog
from assistant.study.progress import StudyStore


@pytest.fixture(scope="module")
def study_settings(study_build, tmp_path_factory):
    return replace(study_build, db_path=tmp_path_factory.mktemp("study-cli") / "assistant.db")


@pytest.fixture
def env(study_settings, monkeypatch, embedder):
    monkeypatch.setattr(cli_module, "_embedder", lambda: embedder)  # the session's model, not a new one
    return {
        "ASSISTANT_CORPUS_DIR": str(study_settings.corpus_dir),
        "ASSISTANT_INDEX_DIR": str(study_settings.index_dir),
        "ASSISTANT_DB_PATH": str(study_settings.db_path),
    }


def test_a_quiz_on_a_topic_grades_each_answer_and_keeps_progress(env, study_settings):
    catalog = ItemCatalog(study_settings.index_dir, study_settings.corpus_dir).get()
    result = CliRunner().invoke(
        cli,
        ["study", "--topic", "sla", "--kind", "calculation", "-n", "2", "--learner", "cli-learner-01", "--json"],
        env=env,
        input="-1\n-1\n",
    )
    assert result.exit_code == 0, result.output
    assert "[1/2] SLA · calculation" in result.output and "[2/2] SLA · calculation" in result.output
    assert result.output.count("Not yet. Model answer: ") == 2 and "Read: " in result.output
    tally = json.loads(result.output[result.output.rindex("{") :])
    assert tally == {"asked": 2, "answered": 2, "correct": 0, "partly": 0, "incorrect": 2}
    progress = StudyStore(ConversationStore(study_settings.db_path)).progress("cli-learner-01")
    assert len(progress) == 2 and all(catalog.by_id[i].kind == "calculation" for i in progress)
    # Both are due again today, so the next quiz starts with one of them.
    again = CliRunner().invoke(
        cli,
        ["study", "--topic", "sla", "--kind", "calculation", "-n", "1", "--learner", "cli-learner-01"],
        env=env,
        input="q\n",
    )
    shown = again.output.split("\n")[2]
    assert any(catalog.by_id[i].prompt.startswith(shown[:60]) for i in progress), again.output


def test_a_choice_answer_must_name_an_option_and_q_stops(env):
    result = CliRunner().invoke(
        cli, ["study", "--kind", "choice", "-n", "3", "--learner", "cli-learner-02"], env=env, input="9\n1\nq\n"
    )
    assert result.exit_code == 0, result.output
    assert "answer with one of its options" in result.output
    assert "of 1 answered" in result.output


def test_an_unknown_topic_is_a_clear_error(env):
    result = CliRunner().invoke(cli, ["study", "--topic", "astrology"], env=env)
    assert result.exit_code == 1 and "Unknown topic 'astrology'" in result.output


@pytest.mark.slow
def test_grader_accuracy_is_printed(env):
    result = CliRunner().invoke(cli, ["study", "--grader-accuracy", "--json"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["answers"] >= 150 and report["accuracy"] >= 0.85
    line = CliRunner().invoke(cli, ["study", "--grader-accuracy"], env=env).output
    assert line.startswith("study grader: accuracy")
