"""Retrieval with the real model: acronyms found lexically, paraphrases found densely, filters."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.errors import BadRequest
from assistant.index import open_index
from assistant.retrieval import Retriever, _fuse


@pytest.fixture(scope="module")
def retriever(settings, embedder) -> Retriever:
    index = open_index(settings.index_dir, embedder.name, settings.corpus_dir)
    return Retriever(index, embedder, lexical_weight=settings.lexical_weight)


def _docs(hits):
    return [h.passage.doc_id for h in hits]


def test_acronym_is_found_by_the_lexical_half(retriever):
    hits, _ = retriever.search("TUPE", method="lexical")
    assert {"glossary", "employee-transfer"} <= set(_docs(hits[:2]))


def test_glossary_acronyms_expand_the_query(retriever):
    assert "Recovery point objective" in retriever.expand("what is a good rpo")
    assert "rpo" in retriever.expand("explain the recovery point objective").lower().split("(")[-1]


def test_paraphrase_with_no_shared_words_is_found_by_the_dense_half(retriever):
    query = "will my team end up on the new firm's books"
    lexical = [retriever.index.passages[position].doc_id for position, _ in retriever.lexical(query, None)]
    assert "employee-transfer" not in lexical
    assert _docs(retriever.search(query, method="dense")[0])[0] == "employee-transfer"
    # Hybrid keeps it near the top; in this five-article fixture a lexical match on "team" can edge in.
    top = [h.passage for h in retriever.search(query)[0][:2]]
    assert any(p.doc_id == "employee-transfer" or "TUPE" in p.section for p in top)


def test_hybrid_finds_both_kinds(retriever):
    assert _docs(retriever.search("TUPE")[0])[0] in {"glossary", "employee-transfer"}
    assert _docs(retriever.search("how much data can we afford to lose after an outage")[0])[0] in {
        "disaster-recovery",
        "glossary",
    }


def test_at_most_one_passage_per_section(retriever):
    hits, _ = retriever.search("service credits earn-back at-risk amount", k=10)
    sections = [(h.passage.doc_id, h.passage.anchor) for h in hits]
    assert len(sections) == len(set(sections))


def test_topic_and_audience_filters(retriever):
    hits, _ = retriever.search("service credits", filters={"topic": "contracts"})
    assert hits and {h.passage.topic for h in hits} == {"contracts"}
    hits, _ = retriever.search("nearshore", filters={"audience": "manager"}, k=10)
    assert hits and all("manager" in h.passage.audience for h in hits)


@pytest.mark.parametrize(
    "filters, message",
    [
        ({"topic": "cooking"}, "Unknown topic 'cooking'; choose one of: contracts"),
        ({"audience": "ceo"}, "Unknown audience 'ceo'"),
        ({"colour": "red"}, "Unknown filter"),
    ],
)
def test_unknown_filter_values_are_rejected(retriever, filters, message):
    with pytest.raises(BadRequest, match=message):
        retriever.search("anything", filters=filters)


def test_short_titles_name_their_articles():
    from assistant.corpus import Article
    from assistant.retrieval import _article_names

    def article(title: str, topic: str) -> Article:
        return Article("", title, topic, (), (), "", (), (), "")

    pattern, names = _article_names(
        {
            "a": article("Step-in rights", "contracts"),
            "b": article("Colocation vs managed hosting", "delivery-models"),
            "c": article("Term and renewal", "contracts"),
            "d": article("What a service level agreement is and its parts", "sla"),
            "g": article("Glossary", "glossary"),
        }
    )
    # One-word halves ("colocation", "term") are too common to name an article on their own.
    assert names == {
        "step in rights": "a",
        "colocation vs managed hosting": "b",
        "managed hosting": "b",
        "term and renewal": "c",
    }
    assert pattern.findall("can we use our step in rights or move to managed hosting") == [
        "step in rights",
        "managed hosting",
    ]


def test_a_question_naming_an_article_ranks_it_first(retriever):
    assert retriever.named("When does nearshore outsourcing make sense for us?") == ["nearshore"]
    hits, _ = retriever.search("When does nearshore outsourcing make sense for us?", k=3)
    assert hits[0].passage.doc_id == "nearshore"


def test_the_best_article_by_its_description_is_always_among_those_a_question_is_about(retriever, monkeypatch):
    query = "how much data can we afford to lose after an outage"
    vector = retriever.embedder.encode_query(query)
    fused = {position: 1.0 / (1 + rank) for rank, (position, _) in enumerate(retriever.dense(vector, None))}
    closeness = retriever.phrasings(vector)
    usual = retriever._about(closeness, query, None, fused, [])
    outsider = next(doc for doc in retriever.index.documents if doc not in usual)
    fused = {p: score for p, score in fused.items() if retriever.index.passages[p].doc_id != outsider}
    # First by description, but absent from the passages' articles, which fusion would favour.
    monkeypatch.setattr(retriever, "rank_documents", lambda *args: [outsider, *usual])
    about = retriever._about(closeness, query, None, fused, [])
    assert outsider in about and len(about) == len(usual)


def test_a_question_phrased_like_one_articles_asked_as_leads_with_that_article(retriever):
    question = "how much data could we lose if the data centre burned down?"
    vector = retriever.embedder.encode_query(retriever.expand(question))
    assert retriever.asked_for(retriever.phrasings(vector), None) == "disaster-recovery"
    assert _docs(retriever.search(question)[0])[0] == "disaster-recovery"
    elsewhere = retriever.allowed({"topic": "sla"})
    assert retriever.asked_for(retriever.phrasings(vector), elsewhere) is None  # not outside the filters
    vague = retriever.embedder.encode_query("tell me something about contracts")
    assert retriever.asked_for(retriever.phrasings(vague), None) is None


def test_article_names_come_from_short_titles_and_from_titles_that_list_names():
    from assistant.corpus import Article
    from assistant.retrieval import _article_names

    def article(doc_id: str, title: str) -> Article:
        return Article(doc_id, title, "sla", ("manager",), (), "", (), (), "")

    pattern, names = _article_names(
        {
            "credits": article("credits", "Service credits, at-risk amount and caps"),
            "step-in": article("step-in", "Step-in rights"),
            "guide": article("guide", "Study guide: ISO 37500 phases, activities and governance"),
        }
    )
    assert names["service credits"] == "credits" and names["at risk amount"] == "credits"
    assert names["step in rights"] == "step-in"
    assert "guide" not in names.values()  # a heading-like title names nothing
    assert pattern.findall("what should our sla say about service credits") == ["service credits"]


def test_a_story_is_read_sentence_by_sentence(retriever, monkeypatch):
    from assistant.intent import classify

    story = (
        "We moved our service desk to a provider last spring and the first months went fine. "
        "Since then the same people keep leaving and every new face has to learn our systems again. "
        "How much data could we lose if the data centre burned down? Right?"
    )
    encoded = []

    def encode(texts, **_):
        encoded.extend(texts)
        return np.array([_unit_vector(text) for text in texts])

    monkeypatch.setattr(retriever.embedder, "encode_queries", lambda texts: encode(list(texts)))
    parts = retriever.story_parts(story, classify(story))
    # One vector per sentence; "Right?" is too short to stand alone and joins the one before.
    assert parts.shape[0] == 3 and encoded[-1].startswith("How much data could we lose") and "Right?" in encoded[-1]
    _, vector = retriever.search(story, intent=classify(story))
    mean = parts.mean(axis=0)
    assert np.allclose(vector, mean / np.linalg.norm(mean), atol=1e-5)  # the story's vector: their mean
    # Each article's closeness is its best over the story's sentences: never below the whole's.
    whole = retriever.phrasings(vector)
    assert (retriever.phrasings(np.vstack([vector, parts])) >= whole - 1e-6).all()
    # Its answer is composed for the whole and, as much, for the sentence that asks.
    asking = parts[2] / np.linalg.norm(parts[2])
    expected = vector + asking
    assert np.allclose(retriever.asking(story, classify(story), vector), expected / np.linalg.norm(expected), atol=1e-5)
    assert retriever.asking("what is a service credit?", classify("x"), vector) is vector
    # Within the articles it is about, a story's sections are ranked for what it asks.
    within = []
    original = retriever._within
    monkeypatch.setattr(retriever, "_within", lambda docs, v, *rest: within.append(v) or original(docs, v, *rest))
    _, vector = retriever.search(story, intent=classify(story))
    assert np.allclose(within[-1], retriever.asking(story, classify(story), vector))
    # However often its answers read them (search, composition, a retry after a hundred other
    # stories), the sentences are encoded once.
    assert len(encoded) == 3
    for n in range(100):
        other = f"Story {n} starts with a long first sentence about our supplier. It then asks a question?"
        retriever.story_parts(other * 2, classify(other))
    retriever.story_parts(story, classify(story))
    assert encoded.count(encoded[0]) == 1
    # Short questions and figure-laden calculations are read whole.
    assert retriever.story_parts("what is a service credit?", classify("what is a service credit?")) is None
    sums = "Our availability was 99.2% against 99.5% last month on a 100,000 monthly fee. What credit do we get back?"
    assert retriever.story_parts(sums + " " + sums, classify(sums)) is None


def _unit_vector(text: str):
    vector = np.random.default_rng(abs(hash(text)) % 2**32).normal(size=384).astype(np.float32)
    return vector / np.linalg.norm(vector)


def test_fusing_more_rankings_into_an_earlier_fusion_is_fusing_them_all_at_once():
    # search() adds the within-article rankings to the fusion it already has: every passage's score
    # must be the same sum, to the bit, and passages must come in the same order, as fusing all again.
    rng = np.random.default_rng(7)

    def ranking():
        positions = rng.choice(300, size=int(rng.integers(1, 60)), replace=False)
        return (float(rng.choice([0.5, 1.0, 1.2, 2.0, 3.0])), [(int(p), 0.0) for p in positions])

    for _ in range(50):
        first, more = [ranking() for _ in range(4)], [ranking() for _ in range(3)]
        earlier = _fuse(first)
        together, added = _fuse(first + more), _fuse(more, start=earlier)
        assert list(added.items()) == list(together.items())
        assert _fuse(first) == earlier  # the earlier fusion is left as it was
