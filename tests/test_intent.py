"""Question understanding: the intent read from what the question asks, and its parts."""

from __future__ import annotations

import ast
import json
import re

import pytest

from assistant.intent import _RULES, _SITUATION, _alternatives, _rule, classify
from assistant.settings import ROOT

EVAL_FILES = ("questions.jsonl", "situational.jsonl", "holdout.jsonl")


@pytest.mark.parametrize(
    "question, intent",
    [
        ("Give me sample wording for a liability cap", "clause"),
        ("Availability was 99.2% against a 99.5% target; what is the credit?", "calculation"),
        ("We pay 8,000,000 a year and the cap is 125%. How much of that can we claw back?", "calculation"),
        ("t&m vs fixed price", "comparison"),
        ("Which engagement model fits two testers who take direction from our QA lead?", "choose"),
        ("T&M or fixed price for a data migration?", "choose"),
        ("Should we rent space in a colocation site or pay a provider to supply and run the servers?", "choose"),
        ("Do we need a DPA or is the NDA enough?", "choose"),
        ("Should we accept the vendor's offer or not?", "yes_no"),
        ("What are the stages of the vendor management lifecycle?", "steps"),
        ("What are the red flags in an audit clause?", "risks"),
        ("What are the typical benefits and drawbacks of offshore outsourcing?", "risks"),
        ("What are the common reasons large outsourcing deals fail?", "risks"),
        ("What should we negotiate in the exit clause?", "negotiation"),
        ("Is subscribing to SaaS a form of outsourcing?", "yes_no"),
        ("whats a watermelon sla", "definition"),
        ("What should a fixed-price SOW specify to avoid arguments about scope?", "negotiation"),
        ("How should severity levels be defined in the support schedule?", "negotiation"),
        ("What should a security schedule in an outsourcing contract specify?", "negotiation"),
        ("What exit assistance obligations should be in the contract from day one?", "negotiation"),
        ("Clause text so the vendor can't downgrade our P1 incidents without our agreement?", "clause"),
        ("How would a gain-share clause with a hurdle be worded?", "clause"),
        ("What would a warranty clause for bespoke software look like? We want 90 days.", "clause"),
        ("Give me a starting point for a confidentiality clause: five years, mutual.", "clause"),
        ("How would you draft a termination trigger for repeated SLA misses?", "clause"),
        ("Cutting 30 vendors to 3 looks great on paper. What's the catch?", "risks"),
        ("It would push the savings to 22%. Tempting. Any reason not to?", "risks"),
        ("Spend fell by 400,000 with a 50/50 split. How much does the provider earn?", "calculation"),
    ],
)
def test_the_main_intent_is_what_the_question_asks(question, intent):
    assert classify(question).main == intent


def test_a_two_part_question_has_two_aspects():
    assert classify("What is earn-back and how is the at-risk amount set?").aspects == [
        "What is earn-back",
        "how is the at-risk amount set?",
    ]


@pytest.mark.parametrize(
    "question, sides",
    [
        ("Explain the difference between backsourcing and co-sourcing.", ["backsourcing", "co-sourcing"]),
        ("How does an SLA differ from an OLA?", ["SLA", "OLA"]),
        ("t&m vs fixed price", ["t&m", "fixed price"]),
        ("What is a service credit?", []),
    ],
)
def test_a_comparison_names_its_two_sides(question, sides):
    assert classify(question).sides == sides


def test_a_can_we_question_is_supported_by_what_a_good_clause_allows():
    # "Can we stop them replacing our architect?" is answered by the clause's conditions.
    intent = classify("Can we stop the vendor replacing the architect we picked?")
    assert intent.main == "yes_no" and "good_clause" in intent.prefers()


def _written_rules() -> list[str]:
    """The patterns as written in assistant/intent.py: every string handed to `_rule`."""
    tree = ast.parse((ROOT / "assistant" / "intent.py").read_text())
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "_rule"]
    return [ast.literal_eval(call.args[0]) for call in calls if isinstance(call.args[0], ast.Constant)]


def test_rules_behind_one_word_boundary_match_exactly_where_the_written_rules_do():
    texts = [json.loads(line)["question"] for name in EVAL_FILES for line in (ROOT / "eval" / name).open()]
    texts += [line.strip() for path in sorted((ROOT / "corpus").rglob("*.md")) for line in path.open() if line.strip()]
    written = _written_rules()
    assert len(written) == len(_RULES) + 1  # every rule and the situation pattern
    for pattern in written:
        factored, plain = _rule(pattern, re.IGNORECASE), re.compile(pattern, re.IGNORECASE)
        assert [bool(factored.search(t)) for t in texts] == [bool(plain.search(t)) for t in texts], pattern[:60]
    assert {pattern for _, pattern in _RULES} | {_SITUATION} == {_rule(p, re.IGNORECASE) for p in written}


def test_alternatives_split_only_at_the_top_level():
    assert _alternatives(r"\ba|[|(]b|(c|d)\|e|\bf") == [r"\ba", r"[|(]b", r"(c|d)\|e", r"\bf"]
    assert _rule(r"^x|\bsteps?\b|\bhow to\b", re.I).pattern == r"^x|\b(?:steps?\b|how to\b)"
