"""Chunking: heading-aware passages with stable ids, sizes in bounds, sentences kept."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.chunking import MAX_WORDS, chunk_article, split_sentences
from assistant.corpus import Article, load_corpus
from assistant.markdown import render_article

from .conftest import FIXTURE_CORPUS


def _article(body: str, topic: str = "sla", id: str = "sample") -> Article:
    return Article(
        id=id,
        title="Sample title",
        topic=topic,
        audience=("manager",),
        tags=("x",),
        summary="s",
        related=(),
        references=(),
        body=body,
        path=Path(f"{id}.md"),
        body_line=10,
    )


def test_passages_keep_title_section_and_stable_ids():
    body = "Intro sentence here.\n\n## Earn-back\n\nFirst fact.\n\n### Limits on earn-back\n\nSecond fact.\n"
    passages = chunk_article(_article(body))
    assert [p.id for p in passages] == ["sample#overview:1", "sample#earn-back:1", "sample#limits-on-earn-back:1"]
    assert passages[2].section == "Earn-back › Limits on earn-back"
    assert all(p.title == "Sample title" for p in passages)
    assert "Sample title. Earn-back › Limits on earn-back." in passages[2].embed_text
    assert [p.id for p in chunk_article(_article(body))] == [p.id for p in passages]


def test_long_section_is_split_at_sentences_within_bounds():
    sentences = [f"Sentence number {i} talks about service credits and caps in detail." for i in range(80)]
    passages = chunk_article(_article("## Long\n\n" + " ".join(sentences) + "\n"))
    assert len(passages) > 1
    assert all(p.words <= MAX_WORDS for p in passages)
    assert [s for p in passages for s in p.sentences] == sentences
    assert [p.ordinal for p in passages] == list(range(1, len(passages) + 1))


def test_glossary_yields_one_passage_per_term():
    glossary = next(a for a in load_corpus(FIXTURE_CORPUS) if a.id == "glossary")
    passages = chunk_article(glossary)
    terms = re.findall(r"^## (.+)$", glossary.body, re.MULTILINE)
    assert [p.section for p in passages] == terms


def test_tables_lists_and_quotes_become_sentences():
    body = (
        "## Table\n\n| Availability | Downtime |\n|---|---|\n| 99.9% | 43.20 min |\n\n"
        "## List\n\n- First item without a stop\n- Second item.\n\n"
        "## Clause\n\n> The Supplier shall restore. The Client may terminate.\n"
    )
    table, items, clause = chunk_article(_article(body))
    assert table.sentences == ["Availability: 99.9%; Downtime: 43.20 min."]
    assert items.sentences == ["First item without a stop.", "Second item."]
    assert clause.sentences == ["The Supplier shall restore.", "The Client may terminate."]


def test_sentence_split_keeps_abbreviations():
    text = "Processors follow Art. 28 of the GDPR, e.g. on audits. Credits are not penalties."
    assert split_sentences(text) == [
        "Processors follow Art. 28 of the GDPR, e.g. on audits.",
        "Credits are not penalties.",
    ]


def test_rendered_article_has_every_cited_anchor():
    article = next(a for a in load_corpus(FIXTURE_CORPUS) if a.id == "disaster-recovery")
    html = render_article(article.body)
    for passage in chunk_article(article):
        if passage.anchor != "overview":  # the page wraps the intro in id="overview"
            assert f'id="{passage.anchor}"' in html


def test_an_ingested_pdfs_page_markers_give_passages_their_pages_and_stay_out_of_text():
    words = " ".join(["Suppliers keep records of every audit finding."] * 30)  # about 210 words
    body = (
        f"<!-- page 1 -->\n\nIntro sentence here.\n\n## Audit\n\n{words}\n\n<!-- page 2 -->\n\n"
        f"{words}\n\n## Exit\n\nData is returned.\n\n<!-- page 3 -->\n\nAccess is revoked.\n"
    )
    passages = chunk_article(_article(body, topic="organisation"))
    pages = {(p.section, p.ordinal): p.pages for p in passages}
    assert pages == {("Overview", 1): "1", ("Audit", 1): "1", ("Audit", 2): "2", ("Exit", 1): "2-3"}
    assert not any("<!--" in p.text or "page 2" in p.text for p in passages)
    assert "page" not in render_article(body) and 'id="audit"' in render_article(body)


def test_a_check_yourself_question_that_sets_a_scene_first_is_one_question():
    from assistant.chunking import known_questions

    body = (
        "## Check yourself\n\n"
        "**Q:** Monthly charges are 200,000 and the at-risk amount is 12%. What is the most the supplier can lose? "
        "**A:** 24,000. The cap applies per month.\n\n"
        "**Q:** What is an at-risk amount? **A:** The cap on credits in a period.\n"
    )
    pairs = [(k["question"], k["answer"]) for k in known_questions(chunk_article(_article(body)))]
    assert pairs == [
        (
            "Monthly charges are 200,000 and the at-risk amount is 12%. What is the most the supplier can lose?",
            "24,000. The cap applies per month.",
        ),
        ("What is an at-risk amount?", "The cap on credits in a period."),
    ]
