"""The in-memory full-text index ranks as SQLite's FTS5 bm25 does, on the same tokens."""

from __future__ import annotations

import json
import sqlite3

import pytest

from assistant import fulltext
from assistant.errors import IndexUnavailable
from assistant.index import CURRENT, build_index, open_index
from assistant.retrieval import _match_terms

from .support import HashEmbedder

QUERIES = [
    "What is TUPE and when does it apply?",
    "service credits earn-back at-risk amount",
    "how much data can we afford to lose after an outage",
    "Terminating the contract early: what does it cost?",
    "T&M or fixed price for a 24x7 service desk",  # "t&m" is a phrase of two tokens
    "recovery point objective RPO RTO",
    "naïve café résumé",  # diacritics fold as unicode61 folds them
    "nothing matches zzzqqq",
]
TABLES = [("passages_fts", "passage_text", (2.0, 3.0, 1.0)), ("documents_fts", "document_text", (3.0, 2.0, 1.0, 1.0))]


@pytest.fixture(scope="module")
def index(settings, embedder):
    return open_index(settings.index_dir, embedder.name, settings.corpus_dir)


def test_tokens_are_the_ones_fts5_indexed(index):
    """Every passage's words stem to exactly the terms SQLite's porter tokenizer stored."""
    db = sqlite3.connect(index.path / "passages.db")
    db.execute("create virtual table temp.words using fts5vocab(main, passages_fts, instance)")
    stored: dict[tuple[int, str], list[str]] = {}
    for term, row, column, _ in db.execute("select term, doc, col, offset from temp.words order by doc, col, offset"):
        stored.setdefault((row, column), []).append(term)
    for passage in index.passages:
        for column in ("title", "section", "text"):
            assert fulltext.tokens(getattr(passage, column)) == stored.get((passage.position, column), [])


# Words where Porter's original algorithm and the one SQLite follows part ways, and their neighbours.
TRICKY = "technology methodologies apology possibly ably nobly humbly doubly feasibly catalog agreed is skies dying"


def test_stems_are_sqlites_on_words_where_porter_versions_differ():
    db = sqlite3.connect(":memory:")
    db.execute("create virtual table words using fts5(word, tokenize='porter')")
    db.executemany("insert into words(rowid, word) values (?, ?)", enumerate(TRICKY.split()))
    db.execute("create virtual table stems using fts5vocab(words, instance)")
    expected = [term for (term,) in db.execute("select term from stems order by doc, offset")]
    assert fulltext.tokens(TRICKY) == expected
    assert expected[:4] == ["technolog", "methodolog", "apolog", "possibl"]


@pytest.mark.parametrize("query", QUERIES)
def test_ranking_and_scores_match_sqlite(index, query):
    terms = _match_terms(query)
    match = " OR ".join(f'"{term}"' for term in terms)
    for table, attribute, weights in TABLES:
        text = getattr(index, attribute)
        expected = index.db.execute(
            f"select rowid, bm25({table}, {', '.join(map(str, weights))}) from {table} "
            f"where {table} match ? order by 2, rowid limit 100",
            (match,),
        ).fetchall()
        assert text.search(terms, weights, 100) == [(row, score) for row, score in expected]
        for term in terms:
            count = index.db.execute(f"select count(*) from {table} where {table} match ?", (f'"{term}"',))
            assert text.rows_matching(term) == count.fetchone()[0]


def test_limit_keeps_the_best(index):
    terms = _match_terms("service credits and the SLA")
    assert (
        index.passage_text.search(terms, (2.0, 3.0, 1.0), 3)
        == index.passage_text.search(terms, (2.0, 3.0, 1.0), 50)[:3]
    )


def test_an_index_without_its_postings_is_refused_with_rebuild_advice(settings, embedder, tmp_path):
    """A build of the previous format (no fulltext.npz) asks to be rebuilt instead of failing a question."""
    build = tmp_path / "index" / "build-old"
    build.mkdir(parents=True)
    current = settings.index_dir / CURRENT
    for name in ("passages.db", "vectors.faiss"):
        (build / name).write_bytes((current / name).read_bytes())
    manifest = json.loads((current / "manifest.json").read_text())
    (build / "manifest.json").write_text(json.dumps({**manifest, "format": manifest["format"] - 1}))
    (tmp_path / "index" / CURRENT).symlink_to("build-old")
    with pytest.raises(IndexUnavailable, match="Rebuild it with `assistant build`"):
        open_index(tmp_path / "index", embedder.name)
    (build / "manifest.json").write_text(json.dumps(manifest))  # right format, postings missing
    with pytest.raises(IndexUnavailable, match="unreadable.*Rebuild it with `assistant build`"):
        open_index(tmp_path / "index", embedder.name)


class RecordingEmbedder(HashEmbedder):
    def __init__(self):
        self.texts: list[str] = []

    def encode(self, texts, batch_size=64, progress=False):
        self.texts += texts
        return super().encode(texts)


def test_a_build_of_the_previous_format_lends_its_vectors_to_the_next(fresh):
    """Format 4 only added fulltext.npz: upgrading re-embeds nothing (a full build takes minutes)."""
    build_index(fresh.corpus_dir, fresh.index_dir, HashEmbedder())
    previous = (fresh.index_dir / CURRENT).resolve()
    manifest = json.loads((previous / "manifest.json").read_text())
    (previous / "manifest.json").write_text(json.dumps({**manifest, "format": 3}))
    (previous / "fulltext.npz").unlink()
    recording = RecordingEmbedder()
    report = build_index(fresh.corpus_dir, fresh.index_dir, recording)
    assert not report.up_to_date and report.reused == report.passages and recording.texts == []
    assert open_index(fresh.index_dir, HashEmbedder.name).passage_text.count == report.passages
