"""Answers: extractive sentences that cite real passages, and abstention when evidence is weak."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from assistant.answering import ABSTAIN_TEXT, Assistant
from assistant.composer import KEY_POINTS


@pytest.fixture(scope="module")
def assistant(settings, embedder) -> Assistant:
    return Assistant(settings, embedder)


def _made_up(assistant, kind: str, sentences: list[str], parts: list[dict], section: str | None = None):
    """A passage of the given kind and sentences (encoded by the real model), for composing from."""
    vectors = assistant.retriever.embedder.encode(sentences)
    base = assistant.retriever.index.passages[0]
    passage = dataclasses.replace(
        base,
        kind=kind,
        section=section or base.section,
        sentences=sentences,
        text=" ".join(sentences),
        parts=parts,
        sentence_vectors=vectors,
    )
    return passage, vectors


def _sentences_with_markers(answer_text: str) -> list[tuple[str, int]]:
    """Each sentence, list item or step of the plain text (without its "- " or "1. ") and its [n]."""
    found = re.findall(r"(.+?) \[(\d+)\](?:\s|$)", answer_text)
    return [(re.sub(r"^(- |\d+\. )", "", s.strip()), int(n)) for s, n in found]


@pytest.mark.parametrize(
    "question",
    [
        "What is a service credit?",
        "how much data can we lose after a disaster",
        "whats tupe",
        "When does nearshore beat offshore delivery?",
    ],
)
def test_every_answer_sentence_is_a_sentence_of_the_passage_it_cites(assistant, question):
    answer = assistant.ask(question)
    assert not answer.abstained
    pairs = _sentences_with_markers(answer.text)
    assert 2 <= len(pairs) <= assistant.settings.answer_sentences
    by_number = {c["n"]: c for c in answer.citations}
    index = assistant.live.get()
    for sentence, n in pairs:
        cited = by_number[n]
        assert cited["cited"]
        passage = next(p for p in index.passages if p.id == cited["passage_id"])
        assert sentence in passage.sentences or f"A: {sentence}" in passage.sentences
        assert cited["url"] == f"/docs/{passage.doc_id}#{passage.anchor}"
    assert len({s for s, _ in pairs}) == len(pairs)  # no sentence twice


def test_citations_are_numbered_cited_first(assistant):
    answer = assistant.ask("What is earn-back?", k=4)
    numbers = [c["n"] for c in answer.citations]
    assert numbers == list(range(1, len(answer.citations) + 1)) and len(numbers) == 4
    flags = [c["cited"] for c in answer.citations]
    assert flags == sorted(flags, reverse=True)


def test_definition_question_is_answered_from_the_defining_passage(assistant):
    answer = assistant.ask("what is a service credit")
    first_citation = next(c for c in answer.citations if c["n"] == 1)
    assert first_citation["doc_id"] in {"service-credits", "glossary"}
    assert "service credit is" in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of Australia?",
        "best pizza near the office",
        "how do I reset my VPN password",
    ],
)
def test_out_of_scope_question_abstains_with_closest_topics(assistant, question):
    answer = assistant.ask(question)
    assert answer.abstained
    assert answer.text.startswith(ABSTAIN_TEXT)
    assert answer.citations == []
    assert answer.suggestions and all(s["url"].startswith("/docs/") for s in answer.suggestions)


def _blocks_of(answer, kind):
    return [b for b in answer.blocks if b["type"] == kind]


def test_a_wording_request_gets_the_sample_clause_verbatim_with_its_caveat(assistant):
    answer = assistant.ask("Give me sample wording for a service credit clause")
    assert answer.intent == "clause"
    quotes = _blocks_of(answer, "quote")
    assert len(quotes) == 1
    assert quotes[0]["lines"] == [
        "12.1 If the Supplier misses a Service Level in a month, it shall credit the Customer the amount "
        "set out in Annex B.",
        "12.2 Service Credits in any month shall not exceed the At-Risk Amount of 10% of the Monthly Charges.",
    ]
    caveat = answer.blocks[answer.blocks.index(quotes[0]) - 1]
    assert "illustrative only and is not legal advice" in caveat["text"]
    assert "> 12.1 If the Supplier" in answer.text  # the plain text keeps the lines too


def test_a_calculation_is_computed_with_its_formula_and_cites_the_article(assistant):
    answer = assistant.ask("monthly charges 200,000, 12% at risk, credits 20,000 and 8,000 - what is paid?")
    assert answer.intent == "calculation" and not answer.abstained
    assert "24,000 is paid" in answer.text and "28,000" in answer.text
    first = next(c for c in answer.citations if c["n"] == 1)
    assert first["url"] == "/docs/service-credits#worked-example" and first["cited"]


def test_a_calculation_with_a_missing_figure_asks_for_it(assistant):
    answer = assistant.ask("how much do we get back in service credits?")
    assert not answer.abstained
    assert "What are the monthly charges" in answer.blocks[0]["text"]


def test_a_worked_example_keeps_its_table(assistant):
    answer = assistant.ask("How are service credits calculated? Show me the worked example")
    tables = _blocks_of(answer, "table")
    assert tables and tables[0]["header"] == ["Availability achieved", "Credit"]
    assert ["Below 99.5%", "10,000"] in tables[0]["rows"]


def test_a_known_question_is_answered_with_its_own_answer(assistant):
    answer = assistant.ask("What is BOT?")  # a glossary term: its definition leads
    assert answer.blocks[0]["text"].startswith("Build-operate-transfer (BOT) is")


@pytest.mark.parametrize(
    "question",
    [
        "What is a service credit?",
        "whats tupe",
        "rto vs rpo",
        "What is earn-back and when should clients refuse it?",
    ],
)
def test_answers_never_define_a_subject_twice_or_lean_on_missing_sentences(assistant, question):
    from assistant.evaluation import dangles, repeats_definition

    answer = assistant.ask(question)
    index = assistant.live.get()
    vectors = {s: v for p in index.passages for s, v in zip(p.sentences, p.sentence_vectors)}
    assert not repeats_definition(answer, vectors)
    assert not dangles(answer)
    for block in answer.blocks:
        assert block["citations"], block  # every block cites its source


def test_a_two_part_question_is_answered_in_both_parts(assistant):
    answer = assistant.ask("What is earn-back and what is the at-risk amount?")
    assert "Earn-back" in answer.text and "at-risk amount" in answer.text


def test_a_poem_request_abstains_in_plain_words(assistant):
    answer = assistant.ask("write me a poem about service credits")
    assert answer.abstained and answer.text.startswith("I don't have a source that answers this.")


def test_the_section_whose_heading_names_the_ask_is_found_even_unretrieved(assistant):
    from assistant.composer import Composer
    from assistant.intent import classify

    question = "What liability information must be handed over when staff transfer?"
    retriever = assistant.retriever
    hits, vector = retriever.search(question, k=5)
    others = [h for h in hits if h.passage.section != "Employee liability information"]
    composer = Composer(question, others, vector, classify(question), 6, retriever.index)
    h = composer.matched_section(question)
    assert h is not None and composer.hits[h].passage.section == "Employee liability information"
    answer = assistant.ask(question)
    assert "twenty-eight days" in answer.text


def test_guidance_questions_get_the_articles_key_points_that_bear_on_them(assistant):
    answer = assistant.ask("What should we insist on for disaster recovery testing in the contract?")
    points = [b for b in answer.blocks if b.get("title") == "Key points"]
    assert len(points) == 1 and 1 <= len(points[0]["items"]) <= KEY_POINTS
    cited = {c["n"]: c for c in answer.citations}
    assert all(cited[n]["section"] == "Key points" for n in points[0]["citations"])
    assert any("failover test" in item for item in points[0]["items"])  # the point the question is about
    prose = " ".join(b["text"] for b in answer.blocks if b["type"] == "paragraph")
    assert not any(item in prose for item in points[0]["items"])  # not said twice


@pytest.mark.parametrize(
    "question, term", [("what does RTO stand for", "recovery time objective"), ("rpo", "recovery point objective")]
)
def test_an_acronym_is_answered_with_what_it_stands_for(assistant, question, term):
    assert term in assistant.ask(question).text.lower()


@pytest.mark.parametrize(
    "question, sides",
    [
        ("service credits vs disaster recovery objectives", {"service-credits", "disaster-recovery"}),
        ("disaster recovery objectives vs nearshore outsourcing", {"disaster-recovery", "nearshore"}),
    ],
)
def test_a_comparison_of_two_named_subjects_leads_with_each_side(assistant, question, sides):
    answer = assistant.ask(question)
    cited = {c["n"]: c["doc_id"] for c in answer.citations}
    leads = [b for b in answer.blocks if b["type"] == "paragraph"][:2]
    assert {cited[b["citations"][0]] for b in leads} == sides


def test_a_sentence_about_the_worked_example_needs_that_example_in_the_answer(assistant):
    from assistant.composer import Composer
    from assistant.intent import classify

    question = "What should a disaster recovery clause require?"
    hits, vector = assistant.retriever.search(question, k=5)
    index = assistant.retriever.index
    points = next(p for p in index.passages if p.doc_id == "disaster-recovery" and p.kind == "key_points")
    composer = Composer(question, hits, vector, classify(question), 6, index)
    h = composer._hit_for(points)
    s = next(i for i, sentence in enumerate(points.sentences) if sentence.startswith("In the worked example"))
    assert not composer.usable(h, s)
    answer = assistant.ask(question)
    assert "worked example" not in answer.text


def test_a_clients_answer_never_opens_with_the_vendors_negotiating_position(assistant):
    from assistant.composer import Composer
    from assistant.intent import classify
    from assistant.retrieval import Hit

    question = "What warranties should we get from the vendor?"
    vendor = "The vendor will want warranties limited to reasonable skill and care and a short warranty period."
    client = "The client should seek objective warranties tied to defined standards and a long warranty period."
    passage, vectors = _made_up(assistant, "negotiation", [vendor, client], [])
    vector = vectors[0]  # the question as close to the vendor's sentence as can be
    composer = Composer(question, [Hit(passage, 1.0, 1.0)], vector, classify(question), 6)
    composer.lead(None)
    assert composer.blocks[0]["text"].startswith(client)
    # A vendor asking gets its own side first.
    as_vendor = "As the supplier, what warranties should we offer?"
    composer = Composer(as_vendor, [Hit(passage, 1.0, 1.0)], vector, classify(as_vendor), 6)
    composer.lead(None)
    assert composer.blocks[0]["text"].startswith(vendor)


def test_each_side_of_a_comparison_gets_its_definition(assistant):
    from assistant.composer import Composer
    from assistant.intent import classify

    question = "What is the difference between an RPO and an RTO?"
    intent = classify(question)
    assert intent.sides == ["RPO", "RTO"]
    hits, vector = assistant.retriever.search(question, k=5, intent=intent)
    composer = Composer(question, hits, vector, intent, 6, assistant.retriever.index)
    composer.define_sides()
    said = " ".join(b["text"] for b in composer.blocks)
    assert "recovery point objective (RPO) is" in said and "recovery time objective (RTO) is" in said
    composer.define_sides()  # a side already defined is not defined again
    assert " ".join(b["text"] for b in composer.blocks) == said


def test_a_stand_for_question_prefers_the_sentence_that_spells_the_acronym_out(assistant):
    from assistant.composer import Composer
    from assistant.intent import classify

    retriever = assistant.retriever
    for question, spelled in (("what does RPO stand for", ["recovery point objective"]), ("what is an RPO", [])):
        hits, vector = retriever.search(question, k=5)
        composer = Composer(retriever.expand(question), hits, vector, classify(question), 6, retriever.index)
        assert composer.spelled == spelled
    h, s = next(
        (h, s)
        for h, hit in enumerate(hits)
        for s, sentence in enumerate(hit.passage.sentences)
        if "recovery point objective" in sentence.lower()
    )
    asked = Composer(retriever.expand("what does RPO stand for"), hits, vector, classify("x"), 6, retriever.index)
    plain = Composer(retriever.expand("what is an RPO"), hits, vector, classify("x"), 6, retriever.index)
    assert asked.score(h, s) > plain.score(h, s)


def test_what_a_good_clause_contains_is_shown_from_its_start(assistant):
    from assistant.composer import WHOLE_PARAGRAPH, Composer
    from assistant.intent import classify
    from assistant.retrieval import Hit

    question = "What should our audit clause include?"
    sentences = [
        "A balanced audit clause covers scope, auditors, notice, frequency, cost, records and follow-up.",
        "Audits take place on thirty days' notice, at most once a year, plus after a security incident.",
        "The client pays for its audits unless one finds an overcharge of more than five per cent.",
        "Records are kept for seven years after the contract ends.",
        "Permitted auditors include the client, its external auditors and regulators.",
    ]
    parts = [{"type": "paragraph", "start": 0, "end": len(sentences)}]
    section = "Audit rights › What a good audit clause contains"
    passage, vectors = _made_up(assistant, "good_clause", sentences, parts, section)
    vector = vectors[-1]  # the question closest to the last sentence: still read from the start
    composer = Composer(question, [Hit(passage, 1.0, 1.0)], vector, classify(question), 7)
    assert classify(question).main == "negotiation" and composer.support(skip=set())
    shown = composer.blocks[0]["text"]
    assert [s for s in sentences if s in shown] == sentences[:WHOLE_PARAGRAPH]


def test_asked_in_general_a_calculation_leads_with_its_formula_then_the_worked_figures(assistant):
    answer = assistant.ask("How are service credits calculated?")
    assert answer.intent == "calculation" and not answer.abstained
    assert answer.blocks[0]["text"].startswith("A month's service credit is calculated as")
    # The paragraph the formula opens goes on with its arithmetic, though the lead took its first sentence.
    assert "10% × 100,000 = 10,000" in answer.text


def test_a_lead_from_the_list_of_what_a_good_clause_contains_brings_the_whole_list(assistant):
    from assistant.composer import Composer
    from assistant.intent import classify
    from assistant.retrieval import Hit

    question = "What should a security schedule specify?"
    sentences = [
        "A good security clause combines a standard, specific controls, assurance and incident handling.",
        "The vendor keeps ISO/IEC 27001 certification covering the services.",
        "The security schedule names controls such as multi-factor authentication and encryption.",
        "Security incidents are notified within a fixed period, such as 24 hours.",
    ]
    parts = [
        {"type": "paragraph", "start": 0, "end": 1},
        {"type": "list", "start": 1, "end": 4, "items": sentences[1:]},
    ]
    section = "Security requirements › What a good security clause contains"
    passage, vectors = _made_up(assistant, "good_clause", sentences, parts, section)
    vector = vectors[2]  # the question is closest to one item of the list
    composer = Composer(question, [Hit(passage, 1.0, 1.0)], vector, classify(question), 7)
    assert composer.lead(None) == 0
    # Not that item alone: the sentence that introduces the list, then the whole list.
    assert composer.blocks[0]["text"] == f"{sentences[0]} [0]"
    assert composer.blocks[1]["type"] == "list" and composer.blocks[1]["items"] == sentences[1:]


def test_a_known_question_is_matched_only_among_the_answers_articles_and_the_glossary(assistant):
    from assistant.answering import _known_match

    retriever = assistant.retriever
    # The article's own Check yourself question, reworded a little (so not matched by its text).
    question = (
        "The monthly charges are 100,000 and the at-risk amount is 10 percent. "
        "What is the most the supplier can lose in a month?"
    )
    hits, vector = retriever.search(question)
    assert any(h.passage.doc_id == "service-credits" for h in hits)
    assert _known_match(retriever, question, list(hits), vector)[1] == "10,000."
    # Answered from other articles only, it is not that question.
    others, _ = retriever.search("How often should disaster recovery be tested?")
    others = [h for h in others if h.passage.doc_id != "service-credits"]
    assert others and _known_match(retriever, question, others, vector) is None


def test_a_calculation_with_a_comparison_besides_answers_both_and_marks_what_it_cites(assistant):
    answer = assistant.ask(
        "Monthly charges are 100,000 with 10% at risk, and credits of 6,000 and 5,000 accrued. What is paid? "
        "And what is the difference between service credits and damages?"
    )
    assert answer.intent == "calculation" and "10,000 is paid" in answer.text
    # The comparison, after the figures: from the article's opening, not its worked example.
    assert "A service credit is a reduction of the monthly charge" in answer.text
    cited = {n for block in answer.blocks for n in block["citations"]}
    assert cited and all(c["cited"] == (c["n"] in cited) for c in answer.citations)


def test_a_yes_no_question_prefers_the_sentence_that_gives_a_verdict(assistant):
    from assistant.composer import VERDICT, Composer
    from assistant.intent import classify
    from assistant.retrieval import Hit

    sentences = [
        "Escrow agreements name a neutral agent who holds the source code.",
        "The client can take the code only if a release event such as insolvency occurs.",
    ]
    passage, vectors = _made_up(assistant, "body", sentences, [{"type": "paragraph", "start": 0, "end": 2}])
    question = "Can we take the code back if they go bust?"
    intent = classify(question)
    assert intent.main == "yes_no"
    asked = Composer(question, [Hit(passage, 1.0, 1.0)], vectors[0], intent, 7)
    # The same question read as anything else: only the verdict ("only if") makes a difference.
    other = Composer(question, [Hit(passage, 1.0, 1.0)], vectors[0], dataclasses.replace(intent, intents=["steps"]), 7)
    assert asked.score(0, 1) - other.score(0, 1) == pytest.approx(VERDICT)
    assert asked.score(0, 0) == pytest.approx(other.score(0, 0))


def test_a_heading_matches_the_ask_by_its_words_not_its_prepositions():
    from assistant.composer import _stems

    # "check a vendor before signing" asks for "Client due diligence on the provider", not for
    # "Timing: before or after signature": the vendor is the provider, and "before" names nothing.
    asked = _stems("What should we check in due diligence on a vendor before signing")
    assert "provider" in asked & _stems("Client due diligence on the provider")
    assert not asked & _stems("Timing: before or after signature")
    assert _stems("supplier") == _stems("vendors") == {"provider"}


def test_a_sections_opening_sentence_weighs_a_little_more_than_its_details(assistant):
    from assistant.composer import TOPIC_SENTENCE, Composer
    from assistant.intent import classify
    from assistant.retrieval import Hit

    sentences = [
        "Target cost pricing shares any difference between actual and target cost between the parties.",
        "If actual cost is 440,000, the underrun of 60,000 is split and the provider keeps 30,000.",
    ]
    opening, vectors = _made_up(assistant, "body", sentences, [{"type": "paragraph", "start": 0, "end": 2}])
    opening = dataclasses.replace(opening, ordinal=1)
    later = dataclasses.replace(opening, ordinal=2)  # the same sentences in a section's second passage
    question = "How do we share an overrun with the provider?"
    composers = [Composer(question, [Hit(p, 1.0, 1.0)], vectors[0], classify(question), 7) for p in (opening, later)]
    assert composers[0].score(0, 0) - composers[1].score(0, 0) == pytest.approx(TOPIC_SENTENCE)
    assert composers[0].score(0, 1) == pytest.approx(composers[1].score(0, 1))


def test_a_yes_no_question_answered_from_one_article_also_draws_on_the_next():
    from types import SimpleNamespace

    from assistant.answering import _second_article
    from assistant.composer import SOURCE_PASSAGES
    from assistant.retrieval import Hit

    def hits(*docs):
        return [
            Hit(SimpleNamespace(doc_id=doc.removesuffix("?"), kind="check_yourself" if "?" in doc else "body"), 1, 1)
            for doc in docs
        ]

    one_article = hits("playbook", "playbook", "playbook", "playbook", "clause", "clause")
    got = _second_article(one_article, 5)
    assert [h.passage.doc_id for h in got] == ["playbook", "playbook", "clause", "playbook", "playbook"]
    assert got[SOURCE_PASSAGES - 1] is one_article[4]  # the next article's best passage
    varied = hits("playbook", "clause", "playbook", "playbook", "other", "other")
    assert _second_article(varied, 5) == varied[:5]
    # A Check yourself passage ("clause?") is never composed from: it neither varies nor joins.
    quiz = hits("playbook", "clause?", "playbook", "other?", "other", "clause")
    assert [h.passage.doc_id for h in _second_article(quiz, 5)] == ["playbook", "clause", "other", "playbook", "other"]


def test_a_who_question_is_answered_from_the_section_that_names_the_roles():
    from types import SimpleNamespace

    from assistant.composer import Composer
    from assistant.intent import classify
    from assistant.retrieval import Hit

    sections = ["Overview", "The obligations register", "Roles and tools", "Key dates"]
    passages = [
        SimpleNamespace(doc_id="cm", anchor=s.lower(), section=s, kind="overview" if i == 0 else "body", position=i)
        for i, s in enumerate(sections)
    ]
    index = SimpleNamespace(
        documents={"cm": SimpleNamespace(title="Contract management after signature")},
        doc_positions={"cm": [0, 1, 2, 3]},
        passages=passages,
    )
    hits = [Hit(p, 1.0, 1.0) for p in passages]
    # "who" is what is asked, the obligations only what about: the roles, not the register.
    question = "Once everything is signed, who on our side should keep track of obligations and deadlines?"
    composer = Composer(question, hits, None, classify(question), 7, index)
    assert composer.hits[composer.matched_section(question)].passage.section == "Roles and tools"
    question = "Once everything is signed, how should we keep track of obligations and deadlines?"
    assert composer.hits[composer.matched_section(question)].passage.section == "The obligations register"


def test_a_negotiation_question_on_an_article_without_negotiation_points_gets_its_next_section(assistant):
    from assistant.composer import compose
    from assistant.intent import classify
    from assistant.retrieval import Hit

    opening, vectors = _made_up(
        assistant,
        "comparison",
        ["Severity is impact alone, while priority combines impact and urgency.", "Contracts often mix them up."],
        [{"type": "paragraph", "start": 0, "end": 2}],
        section="Severity versus priority",
    )
    items = [
        "Letting the provider downgrade priorities unilaterally hides missed P1 incidents.",
        "Vague impact definitions leave classification to the provider's judgement.",
    ]
    pitfalls, _ = _made_up(
        assistant,
        "pitfalls",
        items,
        [{"type": "list", "start": 0, "end": 2, "items": items}],
        section="Common pitfalls",
    )
    question = "How should severity levels be defined in the support schedule of a contract?"
    intent = classify(question)
    assert intent.main == "negotiation"
    blocks = compose(question, [Hit(opening, 1.0, 1.0), Hit(pitfalls, 0.9, 0.9)], vectors[0], intent, 7, None)
    # No negotiation points, good-clause list or red flags to show: the next section, in its own shape.
    assert {"type": "list", "items": items, "citations": [1], "title": "Common pitfalls"} in blocks


def test_what_things_should_we_get_is_answered_from_the_section_that_lists_them():
    from types import SimpleNamespace

    from assistant.composer import Composer
    from assistant.intent import classify
    from assistant.retrieval import Hit

    sections = ["What a warranty is", "Warranties typically given in outsourcing", "Negotiation points"]
    kinds = ["body", "body", "negotiation"]
    passages = [
        SimpleNamespace(doc_id="w", anchor=s.lower(), section=s, kind=kind, position=i)
        for i, (s, kind) in enumerate(zip(sections, kinds))
    ]
    index = SimpleNamespace(
        documents={"w": SimpleNamespace(title="Warranties")}, doc_positions={"w": [0, 1, 2]}, passages=passages
    )
    hits = [Hit(p, 1.0, 1.0) for p in passages]
    # The article's own subject, asked for as a list of them: the section that lists them.
    question = "What warranties should we get from a supplier developing custom software for us?"
    composer = Composer(question, hits, None, classify(question), 7, index)
    h = composer.matched_section(question)
    assert h is not None and composer.hits[h].passage.section == "Warranties typically given in outsourcing"
    assert composer.matched_section("Should we get warranties from a supplier developing software?") is None


def test_a_clauses_illustrative_only_caveat_never_leads_an_answer(assistant):
    from assistant.composer import Composer
    from assistant.intent import classify
    from assistant.retrieval import Hit

    caveat = "The notice below is illustrative only and is not legal advice."
    point = "Reassigning a named key person without the client's consent is normally a breach."
    notice, vectors = _made_up(
        assistant,
        "sample_clause",
        [caveat, "We have not consented to the removal of the Lead Architect."],
        [{"type": "paragraph", "start": 0, "end": 1}, {"type": "quote", "start": 1, "end": 2, "lines": ["We have…"]}],
    )
    body, _ = _made_up(assistant, "body", [point], [{"type": "paragraph", "start": 0, "end": 1}])
    question = "The vendor replaced the architect we picked with a junior. Can we stop them?"
    hits = [Hit(notice, 1.0, 1.0), Hit(body, 0.5, 0.5)]
    composer = Composer(
        question, hits, vectors[0], classify(question), 6
    )  # the question as close to the caveat as can be
    composer.lead(None)
    assert composer.blocks[0]["text"].startswith(point)


def test_which_model_fits_leads_from_the_best_sections_when_to_use_not_a_comparisons_framing(assistant):
    from assistant.composer import compose
    from assistant.intent import classify
    from assistant.retrieval import Hit

    question = "We want two contract testers who take direction from our own QA lead. Which engagement model fits?"
    framing = "Managed services differ from staff augmentation on who directs the work of a tester and a QA lead."
    suits = "Staff augmentation suits teams that already have strong technical leadership."
    comparison, _ = _made_up(
        assistant, "comparison", [framing], [{"type": "paragraph", "start": 0, "end": 1}], section="Compared"
    )
    when, _ = _made_up(assistant, "when_to_use", [suits], [{"type": "paragraph", "start": 0, "end": 1}])
    intent = classify(question)
    assert intent.main == "choose"
    query = assistant.retriever.embedder.encode([question])[0]
    assert float(comparison.sentence_vectors[0] @ query) > float(when.sentence_vectors[0] @ query) + 0.1
    # Retrieval ranked the when-to-use section first: its recommendation leads, the framing follows.
    blocks = compose(question, [Hit(when, 1.0, 1.0), Hit(comparison, 0.9, 0.9)], query, intent, 7, None)
    assert blocks[0]["text"] == f"{suits} [0]"
    assert any(b.get("text", "").startswith(framing) for b in blocks[1:])
    # Ranked the other way round, the comparison's sentence leads as before.
    blocks = compose(question, [Hit(comparison, 1.0, 1.0), Hit(when, 0.9, 0.9)], query, intent, 7, None)
    assert blocks[0]["text"].startswith(framing)


def test_a_sentence_naming_it_the_acronym_does_not_lean_back():
    """ "IT outsourcing is ..." defines IT outsourcing; "It is ..." leans on what came before."""
    from assistant.answering import Answer
    from assistant.composer import _traits
    from assistant.evaluation import dangles

    assert not _traits("IT outsourcing is a contract under which a provider runs IT work.").leans_back
    assert _traits("It is a contract under which a provider runs IT work.").leans_back

    def opening(text: str) -> Answer:
        return Answer("q", text, False, [], [], {}, 1.0, [{"type": "paragraph", "text": text, "citations": [1]}], "x")

    assert not dangles(opening("IT outsourcing is often shortened to ITO. [1]"))
    assert dangles(opening("It is often shortened to ITO. [1]"))


def _together(n: int, call) -> list:
    """`call()` in n threads released at once; what they returned (a thread that raised returns nothing)."""
    import threading

    start, got = threading.Barrier(n), []

    def run() -> None:
        start.wait()
        got.append(call())

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return got


def test_questions_arriving_together_open_a_new_index_once(settings, embedder):
    """The first questions after a start or a new build wait for the one thread opening it; none
    finds the build marked as opened before it is (that raised a TypeError instead of answering)."""
    from assistant.answering import Assistant

    got = _together(8, Assistant(settings, embedder).live.get)
    assert len(got) == 8 and len({id(index) for index in got}) == 1


def test_questions_arriving_together_share_one_retriever(settings, embedder, monkeypatch):
    """... and build one Retriever (tens of ms of regular expressions), not one each."""
    import time

    import assistant.answering as answering

    built = []

    class SlowRetriever(answering.Retriever):
        def __init__(self, *args, **kwargs):
            time.sleep(0.05)  # lets the other threads run meanwhile, as a long compile can
            super().__init__(*args, **kwargs)
            built.append(self)

    monkeypatch.setattr(answering, "Retriever", SlowRetriever)
    fresh = answering.Assistant(settings, embedder)
    fresh.live.get()
    got = _together(8, lambda: fresh.retriever)
    assert len(got) == 8 and len(built) == 1 and all(r is built[0] for r in got)


@pytest.mark.parametrize(
    ("question", "leads_with"),
    [
        ("Can we stop the vendor moving our named architect?", "body"),
        ("Can we stop the vendor moving our named architect in Germany?", "jurisdiction"),
    ],
)
def test_how_one_countrys_law_differs_leads_only_an_answer_about_that_country(assistant, question, leads_with):
    from assistant.composer import Composer
    from assistant.intent import classify
    from assistant.retrieval import Hit

    said = {
        "jurisdiction": "In Germany, directing vendor staff day to day can turn a service contract into agency work.",
        "body": "Replacing a named key person needs the client's written consent and a handover.",
    }
    paragraph = [{"type": "paragraph", "start": 0, "end": 1}]
    passages = {kind: _made_up(assistant, kind, [text], paragraph) for kind, text in said.items()}
    # A question as close to one sentence as to the other; the place decides.
    both = passages["jurisdiction"][1][0] + passages["body"][1][0]
    hits = [Hit(passages[kind][0], 1.0, 1.0) for kind in ("jurisdiction", "body")]
    composer = Composer(question, hits, both / np.linalg.norm(both), classify(question), 6)
    composer.lead(None)
    assert composer.blocks[0]["text"].startswith(said[leads_with])
