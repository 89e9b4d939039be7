"""The evaluation metrics, and `assistant eval` on a tiny evaluation set for the fixture corpus."""

from __future__ import annotations

import json
import math

import pytest

from assistant.evaluation import evaluate, scores
from assistant.index import open_index
from assistant.retrieval import Retriever


def test_scores_of_a_ranking():
    result = scores(["a", "b", "c", "d", "e", "f"], ["b", "z"])
    assert result["recall@1"] == 0 and result["recall@5"] == 0.5 and result["mrr@10"] == 0.5
    assert result["ndcg@10"] == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))
    assert scores(["b"], ["b"]) == {"recall@1": 1.0, "recall@5": 1.0, "mrr@10": 1.0, "ndcg@10": 1.0}


def test_evaluate_reports_methods_abstention_and_follow_ups(settings, embedder, tmp_path):
    questions = [
        {
            "id": "q1",
            "question": "what is an earn-back",
            "relevant": ["service-credits"],
            "kind": "study",
            "intent": "definition",
            "answer_must": ["earn-back"],
        },
        {
            "id": "q2",
            "question": "whats tupe",
            "relevant": ["employee-transfer", "glossary"],
            "kind": "widget",
            "intent": "definition",
            "answer_must": ["no such phrase in any answer"],
        },
        {"id": "q3", "question": "best pizza in Rome", "relevant": [], "kind": "out_of_scope"},
    ]
    dialogues = [
        {
            "id": "d1",
            "turns": [
                {"question": "What are RTO and RPO?", "relevant": ["disaster-recovery"]},
                {"question": "how should they be tested?", "relevant": ["disaster-recovery"]},
            ],
        }
    ]
    (tmp_path / "questions.jsonl").write_text("\n".join(map(json.dumps, questions)))
    (tmp_path / "dialogues.jsonl").write_text("\n".join(map(json.dumps, dialogues)))
    retriever = Retriever(open_index(settings.index_dir, embedder.name), embedder)
    report = evaluate(retriever, settings.abstain_threshold, tmp_path)
    assert set(report["methods"]) == {"hybrid", "dense", "lexical"}
    assert report["methods"]["hybrid"]["recall@5"] == 1.0
    assert report["abstention"]["recall"] == 1.0 and report["abstention"]["in_scope_abstained"] == 0
    assert report["dialogues"]["follow_up_count"] == 1
    assert report["dialogues"]["follow_ups"]["recall@5"] == 1.0
    # Answer fact recall: q1's fact is in its answer, q2's impossible fact is not.
    assert report["answers"]["all"]["fact_recall"] == 0.5
    assert report["answers"]["plain"]["questions"] == 2
    assert report["answers"]["all"]["repeated_definition"] == 0.0
