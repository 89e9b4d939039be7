"""Build and open the index: incremental (content hashes), atomic (build aside, then swap)."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np
import sqlite_utils

from . import fulltext
from .chunking import (
    INTRO_ANCHOR,
    MAX_WORDS,
    MIN_WORDS,
    Passage,
    chunk_article,
    known_questions,
    normalise_question,
)
from .corpus import Article
from .embedding import EmbeddingModel
from .errors import IndexUnavailable
from .library import load_sources, sources_hash
from .settings import Settings
from .study.items import write_study_items

FORMAT = 5  # bump when the stored layout changes; older builds are then rebuilt (4: fulltext.npz;
# 5: Check yourself questions that set a scene before they ask are whole questions)
# Builds whose vectors a new build may take over: formats 4 and 5 changed files beside them.
REUSABLE_FORMATS = (3, 4, FORMAT)
EXACT_LIMIT = Settings.default("exact_search_limit")  # above it, approximate search (see vector_index)
IVF_NPROBE = 32  # 8 already gives 0.996 on synthetic data; real data clusters less neatly
CURRENT = "current"
# Texts per model call in a build that reports progress: between calls a server's questions get the model.
ENCODE_BATCH = 32
# "Full term (ACRONYM)": the last parenthesis holds the short form; the term may hold others.
_ACRONYM_HEADING = re.compile(r"^(?P<term>.+?)\s*\((?P<short>[A-Za-z0-9&/\-\. ]{2,14})\)$")


@dataclass
class BuildReport:
    up_to_date: bool
    path: Path
    documents: int = 0
    passages: int = 0
    embedded: int = 0
    reused: int = 0
    seconds: float = 0.0


def acronyms_from(articles: list[Article], passages: list[Passage]) -> dict[str, str]:
    """Map each glossary acronym (lower case) to its full term, e.g. 'rpo' -> 'Recovery point objective'."""
    glossary = {a.id for a in articles if a.topic == "glossary"}
    found = {}
    for passage in passages:
        match = _ACRONYM_HEADING.match(passage.section) if passage.doc_id in glossary else None
        if match and any(c.isupper() for c in match["short"]):
            short, term = match["short"], match["term"].strip()
            # "Deployer (AI Act)" names a context, not an acronym: a short form of several words
            # must at least start like its term ("DPDP Act", "CIGA 2020").
            if " " in short and short[0].lower() != term[0].lower():
                continue
            found[short.lower()] = term
    return found


def asked_phrasings(article: Article, passages: list[Passage]) -> list[str]:
    """How users ask for an article: its asked_as; an ingested document has none, so its title
    and each section's "title: heading" stand in (else the abstention, which weighs the closest
    phrasing, would turn away questions only the organisation's documents answer)."""
    if article.asked_as or article.collection == "corpus":
        return list(article.asked_as)
    sections = [p.section for p in passages if p.doc_id == article.id and p.anchor != INTRO_ANCHOR]
    return [article.title] + [f"{article.title}: {s}" for s in dict.fromkeys(sections)]


def _encode(embedder, texts: list[str], progress: bool, tell, done: int, total: int) -> np.ndarray:
    """Vectors of `texts`; in batches when `tell` wants to hear how far the build is."""
    if not texts or tell is None:
        return embedder.encode(texts, progress=progress)
    batches = []
    for start in range(0, len(texts), ENCODE_BATCH):
        tell("embedding", done + start, total)
        batches.append(embedder.encode(texts[start : start + ENCODE_BATCH], progress=progress))
    return np.vstack(batches)


def _page_span(first: str, last: str) -> str:
    """ "4" and "5-6" read as "4-6"; equal pages as one."""
    start, end = first.split("-")[0], last.split("-")[-1]
    return "" if not start else start if start == end else f"{start}-{end}"


def _vector_blob(vectors: np.ndarray) -> bytes:
    return np.ascontiguousarray(vectors, dtype=np.float32).tobytes()


def _blob_vectors(blob: bytes, dimension: int) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float32).reshape(-1, dimension)


def read_manifest(build_dir: Path) -> dict | None:
    """The manifest of a build folder (or of the `current` link), or None if there is none."""
    try:
        return json.loads((Path(build_dir) / "manifest.json").read_text())
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
        return None


def _previous_vectors(index_dir: Path, model: str, dimension: int) -> dict[str, tuple[bytes, bytes]]:
    """Vectors of the current build by passage hash, so unchanged passages are not embedded again."""
    manifest = read_manifest(Path(index_dir) / CURRENT)
    if not manifest or manifest.get("model") != model or manifest.get("format") not in REUSABLE_FORMATS:
        return {}
    db = sqlite3.connect(Path(index_dir) / CURRENT / "passages.db")
    try:
        rows = db.execute("select hash, vector, sentence_vectors from passages").fetchall()
    except sqlite3.Error:
        return {}
    finally:
        db.close()
    return {h: (v, s) for h, v, s in rows}


def _previous_text_vectors(index_dir: Path, model: str) -> dict[str, bytes]:
    """Vectors of the current build's short texts (known questions, asked_as) by text."""
    manifest = read_manifest(Path(index_dir) / CURRENT)
    if not manifest or manifest.get("model") != model or manifest.get("format") not in REUSABLE_FORMATS:
        return {}
    db = sqlite3.connect(Path(index_dir) / CURRENT / "passages.db")
    try:
        return dict(db.execute("select text, vector from text_vectors").fetchall())
    except sqlite3.Error:
        return {}
    finally:
        db.close()


def current_manifest(
    corpus_dir: Path, index_dir: Path, model: str, digest: str | None = None, library_dir: Path | None = None
):
    """The manifest of the current build if it was built from this corpus (and library) and model."""
    manifest = read_manifest(Path(index_dir) / CURRENT)
    if (
        manifest
        and manifest.get("format") == FORMAT
        and manifest.get("model") == model
        and manifest.get("corpus_hash") == (digest or sources_hash(corpus_dir, library_dir))
    ):
        return manifest
    return None


def vector_index(vectors: np.ndarray, exact_limit: int = EXACT_LIMIT) -> faiss.Index:
    """Exact search up to `exact_limit` vectors; above it an inverted-file index (IVF).

    Inner product equals cosine on unit vectors. bench/bench_faiss.py (docs/faiss-scale.md) chose
    IVF with nlist = 4 * sqrt(N) and nprobe = 32: at 1M passages recall@10 1.000 and a p95 search
    of 0.83 ms (HNSW needed more memory and a slower build for less recall).
    """
    count, dimension = vectors.shape
    if count <= exact_limit:
        searchable = faiss.IndexFlatIP(dimension)
        searchable.add(vectors)
        return searchable
    # Training wants about 39 points per list; tiny collections get fewer lists.
    lists = max(1, min(round(4 * count**0.5), count // 39))
    searchable = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, lists, faiss.METRIC_INNER_PRODUCT)
    sample = np.random.default_rng(0).permutation(count)[: max(lists * 64, 256_000)]
    searchable.train(vectors[np.sort(sample)])
    searchable.add(vectors)
    searchable.nprobe = min(IVF_NPROBE, lists)  # saved with the index
    searchable.make_direct_map()  # lets retrieval reconstruct a passage's vector by position
    return searchable


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    embedder: EmbeddingModel,
    progress: bool = False,
    exact_limit: int = EXACT_LIMIT,
    library_dir: Path | None = None,
    on_progress=None,
) -> BuildReport:
    """Validate the corpus (and the organisation's library), build their index aside and swap it in
    only when complete; `on_progress(stage, done, total)` hears how far it is. Raises CorpusError
    (the current index stays as it was) when the corpus is invalid."""
    started = time.perf_counter()
    index_dir = Path(index_dir)
    tell = on_progress or (lambda stage, done, total: None)
    tell("validating", 0, 0)
    articles = load_sources(corpus_dir, library_dir)
    digest = sources_hash(corpus_dir, library_dir)
    manifest = current_manifest(corpus_dir, index_dir, embedder.name, digest)
    if manifest:
        return BuildReport(
            True,
            index_dir / CURRENT,
            manifest["documents"],
            manifest["passages"],
            seconds=time.perf_counter() - started,
        )

    passages = [p for article in articles for p in chunk_article(article)]
    known = _previous_vectors(index_dir, embedder.name, embedder.dimension)
    fresh = [p for p in passages if p.hash not in known]
    known_pairs = known_questions(passages)
    asked = [(a.id, phrase) for a in articles for phrase in asked_phrasings(a, passages)]
    short_texts = list(dict.fromkeys([k["question"] for k in known_pairs] + [t for _, t in asked]))
    embedded, text_vectors = _embed_new(fresh, short_texts, index_dir, embedder, progress, on_progress and tell)
    known.update(embedded)
    index_dir.mkdir(parents=True, exist_ok=True)
    name = f"build-{datetime.now(UTC):%Y%m%dT%H%M%S.%f}-{os.getpid()}"
    staging = index_dir / f".{name}.partial"
    try:
        staging.mkdir()
        searchable = _write_build(staging, articles, passages, known, known_pairs, asked, text_vectors, exact_limit)
        report = BuildReport(
            False,
            index_dir / name,
            len(articles),
            len(passages),
            embedded=len(fresh),
            reused=len(passages) - len(fresh),
        )
        manifest = _manifest(embedder, digest, articles, passages, type(searchable).__name__)
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2))
        staging.rename(index_dir / name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap(index_dir, name)
    report.seconds = time.perf_counter() - started
    return report


def _write_build(staging: Path, articles, passages, known: dict, known_pairs, asked, text_vectors, exact_limit):
    """Everything but the manifest into the staging folder: the store, the questions, the study
    items and the vectors. Returns the vector index written."""
    _write_store(staging / "passages.db", articles, passages, known)
    _write_questions(staging / "passages.db", known_pairs, asked, text_vectors)
    _write_fulltext(staging)
    write_study_items(staging, [a for a in articles if a.collection == "corpus"])
    vectors = np.vstack([np.frombuffer(known[p.hash][0], dtype=np.float32) for p in passages])
    searchable = vector_index(vectors, exact_limit)
    faiss.write_index(searchable, str(staging / "vectors.faiss"))
    return searchable


def _embed_new(fresh: list, texts: list[str], index_dir: Path, embedder: EmbeddingModel, progress: bool, tell):
    """Vectors of what the last build did not embed: {hash: (passage vector, its sentences'
    vectors)} for the fresh passages, and {text: vector} for the short texts (known questions,
    asked_as phrasings), reusing the last build's. `tell` hears how far it is, batch by batch."""
    previous = _previous_text_vectors(index_dir, embedder.name)
    new_texts = [t for t in texts if t not in previous]
    sentences = [s for p in fresh for s in p.sentences]
    total = len(fresh) + len(sentences) + len(new_texts)
    passage_vectors = _encode(embedder, [p.embed_text for p in fresh], progress, tell, 0, total)
    sentence_vectors = _encode(embedder, sentences, progress, tell, len(fresh), total)
    new_vectors = _encode(embedder, new_texts, progress, tell, len(fresh) + len(sentences), total)
    if tell:
        tell("writing", total, total)
    for text, vector in zip(new_texts, new_vectors):
        previous[text] = _vector_blob(vector)
    embedded, offset = {}, 0
    for passage, vector in zip(fresh, passage_vectors):
        count = len(passage.sentences)
        embedded[passage.hash] = (_vector_blob(vector), _vector_blob(sentence_vectors[offset : offset + count]))
        offset += count
    return embedded, {t: previous[t] for t in texts}


def _manifest(embedder: EmbeddingModel, digest: str, articles: list, passages: list, faiss_type: str) -> dict:
    """What a build is: read back to refuse an index from another corpus, model or format."""
    return {
        "format": FORMAT,
        "model": embedder.name,
        "dimension": embedder.dimension,
        "corpus_hash": digest,
        "documents": len(articles),
        "passages": len(passages),
        "sentences": sum(len(p.sentences) for p in passages),
        "chunking": {"min_words": MIN_WORDS, "max_words": MAX_WORDS},
        "faiss": faiss_type,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _document_row(a) -> dict:
    return {
        "id": a.id,
        "title": a.title,
        "topic": a.topic,
        "audience": list(a.audience),
        "tags": list(a.tags),
        "summary": a.summary,
        "related": list(a.related),
        "refs": list(a.references),  # `references` is an SQL keyword; _stored_article maps it back
        "body": a.body,
        "reviewed": a.reviewed,
        "jurisdiction": list(a.jurisdiction),
        "asked_as": "\n".join(a.asked_as),
        "collection": a.collection,
        "source_file": a.source_file,
        "source_sha256": a.source_sha256,
        "ingested": a.ingested,
    }


def _stored_article(row: sqlite3.Row) -> Article:
    """An article as the index stored it by `_document_row`."""
    return Article(
        id=row["id"],
        title=row["title"],
        topic=row["topic"],
        audience=tuple(json.loads(row["audience"])),
        tags=tuple(json.loads(row["tags"])),
        summary=row["summary"],
        related=tuple(json.loads(row["related"])),
        references=tuple(json.loads(row["refs"])),
        body=row["body"],
        reviewed=row["reviewed"],
        jurisdiction=tuple(json.loads(row["jurisdiction"])),
        asked_as=tuple(row["asked_as"].splitlines()),
        collection=row["collection"],
        source_file=row["source_file"],
        source_sha256=row["source_sha256"],
        ingested=row["ingested"],
    )


def _passage_row(position: int, p: Passage, vectors: dict) -> dict:
    return {
        "position": position,
        "id": p.id,
        "doc_id": p.doc_id,
        "title": p.title,
        "section": p.section,
        "anchor": p.anchor,
        "ordinal": p.ordinal,
        "text": p.text,
        "sentences": p.sentences,
        "topic": p.topic,
        "audience": list(p.audience),
        "kind": p.kind,
        "parts": p.parts,
        "pages": p.pages,
        "hash": p.hash,
        "vector": vectors[p.hash][0],
        "sentence_vectors": vectors[p.hash][1],
    }


def _write_store(path: Path, articles, passages, vectors: dict) -> None:
    db = sqlite_utils.Database(path)
    db["documents"].insert_all((_document_row(a) for a in articles), pk="id")
    db["passages"].insert_all(
        (_passage_row(position, p, vectors) for position, p in enumerate(passages)), pk="position"
    )
    db["passages"].create_index(["id"], unique=True)
    # Porter stemming lets 'terminate' match 'termination'; title and section weigh in too.
    db["passages"].enable_fts(["title", "section", "text"], tokenize="porter", create_triggers=False)
    # What an article is about, for ranking articles: its title, tags, summary and asked_as.
    db["documents"].enable_fts(["title", "tags", "summary", "asked_as"], tokenize="porter", create_triggers=False)
    db["acronyms"].insert_all(
        ({"short": k, "term": v} for k, v in acronyms_from(articles, passages).items()), pk="short"
    )
    db.conn.commit()
    db.conn.execute("vacuum")
    db.close()


def _write_questions(
    path: Path, known: list[dict], asked: list[tuple[str, str]], text_vectors: dict[str, bytes]
) -> None:
    """Known question→answer pairs and the articles' asked_as phrasings, with their vectors."""
    db = sqlite_utils.Database(path)
    db["known"].create({"id": int, "question": str, "answer": str, "position": int, "source": str}, pk="id")
    db["known"].insert_all({"id": i, **k} for i, k in enumerate(known))
    db["asked"].create({"id": int, "doc_id": str, "text": str}, pk="id")
    db["asked"].insert_all({"id": i, "doc_id": doc, "text": text} for i, (doc, text) in enumerate(asked))
    db["text_vectors"].create({"text": str, "vector": bytes}, pk="text")
    db["text_vectors"].insert_all({"text": t, "vector": v} for t, v in text_vectors.items())
    db.conn.commit()
    db.close()


def _write_fulltext(staging: Path) -> None:
    """The full-text tables' postings beside the store, so a question needs no SQL (assistant/fulltext.py)."""
    db = sqlite3.connect(staging / "passages.db")
    try:
        fulltext.write(staging / "fulltext.npz", db, ["passages_fts", "documents_fts"])
    finally:
        db.close()


def _swap(index_dir: Path, name: str) -> None:
    """Point `current` at the new build in one atomic rename, then drop builds older than the last."""
    link = index_dir / f".{CURRENT}.{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(name)
    previous = os.readlink(index_dir / CURRENT) if (index_dir / CURRENT).is_symlink() else None
    os.replace(link, index_dir / CURRENT)
    for old in index_dir.glob("build-*"):
        if old.name not in (name, previous):
            shutil.rmtree(old, ignore_errors=True)


def _stored_passage(row: sqlite3.Row, dimension: int) -> Passage:
    """A passage as the index stored it, with its position and its sentences' vectors."""
    return Passage(
        position=row["position"],
        id=row["id"],
        doc_id=row["doc_id"],
        title=row["title"],
        section=row["section"],
        anchor=row["anchor"],
        ordinal=row["ordinal"],
        text=row["text"],
        sentences=json.loads(row["sentences"]),
        sentence_vectors=_blob_vectors(row["sentence_vectors"], dimension),
        topic=row["topic"],
        audience=tuple(json.loads(row["audience"])),
        kind=row["kind"],
        parts=json.loads(row["parts"]) or [],
        hash=row["hash"],
        pages=row["pages"] or "",
    )


class Index:
    """An opened build: FAISS vectors, passages and their full-text postings in memory, SQLite beside."""

    def __init__(self, path: Path, manifest: dict):
        self.path = path
        self.manifest = manifest
        self.vectors = faiss.read_index(str(path / "vectors.faiss"))
        if isinstance(self.vectors, faiss.IndexIVF):
            self.vectors.make_direct_map()  # not stored in the file; needed by reconstruct()
        self._flat = _in_place(self.vectors)
        self._local = threading.local()
        db = self.db
        dimension = manifest["dimension"]
        self.passages = [
            _stored_passage(row, dimension) for row in db.execute("select * from passages order by position")
        ]
        self.documents: dict[str, Article] = {
            row["id"]: _stored_article(row) for row in db.execute("select * from documents")
        }
        vectors = dict(db.execute("select text, vector from text_vectors").fetchall())

        def matrix(texts: list[str]) -> np.ndarray:
            return (
                np.vstack([_blob_vectors(vectors[t], dimension) for t in texts])
                if texts
                else np.zeros((0, dimension), dtype=np.float32)
            )

        # Known question→answer pairs (Check yourself, glossary terms) and asked_as phrasings.
        self.known = [dict(row) for row in db.execute("select * from known order by id")]
        self.known_vectors = matrix([k["question"] for k in self.known])
        self.known_by_text = {normalise_question(k["question"]): i for i, k in reversed(list(enumerate(self.known)))}
        # Each article's known questions, and the glossary's: a question is matched only against
        # those of the articles its answer draws on and the glossary (see answering._known_match).
        by_doc: dict[str, list[int]] = {}
        for i, k in enumerate(self.known):
            by_doc.setdefault(self.passages[k["position"]].doc_id, []).append(i)
        self.known_rows = {doc: _rows(rows) for doc, rows in by_doc.items()}
        self.glossary_known = _rows([i for i, k in enumerate(self.known) if k["source"] == "glossary"])
        asked = db.execute("select doc_id, text from asked order by id").fetchall()
        self.asked_docs = [doc for doc, _ in asked]
        # Where each article's run of phrasings starts (they are written article by article).
        starts = [i for i, doc in enumerate(self.asked_docs) if i == 0 or doc != self.asked_docs[i - 1]]
        self.asked_starts = np.array(starts, dtype=np.int64)
        self.asked_doc_order = [self.asked_docs[i] for i in starts]
        self.asked_vectors = matrix([text for _, text in asked])
        self.acronyms = dict(db.execute("select short, term from acronyms").fetchall())
        self.topics = sorted({d.topic for d in self.documents.values()})
        texts = fulltext.load(path / "fulltext.npz")
        self.passage_text, self.document_text = texts["passages_fts"], texts["documents_fts"]
        self.document_rowids = dict(db.execute("select rowid, id from documents").fetchall())
        self.doc_positions: dict[str, list[int]] = {}
        for passage in self.passages:
            self.doc_positions.setdefault(passage.doc_id, []).append(passage.position)

    def passage_vector(self, position: int) -> np.ndarray:
        """A passage's vector, as `self.vectors.reconstruct(position)` gives it."""
        return self._flat[position] if self._flat is not None else self.vectors.reconstruct(position)

    def passage_vectors(self, positions: np.ndarray) -> np.ndarray:
        """Several passages' vectors, one row each, as `self.vectors.reconstruct_batch` gives them."""
        return self._flat[positions] if self._flat is not None else self.vectors.reconstruct_batch(positions)

    def section(self, passage: Passage) -> Passage:
        """The whole section a passage belongs to, as one passage (a long worked example or
        sample clause is stored in several); the passage itself when its section has one."""
        siblings = [
            self.passages[p] for p in self.doc_positions[passage.doc_id] if self.passages[p].anchor == passage.anchor
        ]
        if len(siblings) == 1:
            return passage
        parts, offset = [], 0
        for sibling in siblings:
            for part in sibling.parts or []:
                part = {**part, "start": part["start"] + offset, "end": part["end"] + offset}
                previous = parts[-1] if parts else None
                if previous and part["type"] in ("list", "steps") and previous["type"] == part["type"]:
                    # One list cut in two by the chunker is one list again (steps numbered 1-9, not 1-2, 1-3, …).
                    parts[-1] = {**previous, "end": part["end"], "items": previous["items"] + part["items"]}
                else:
                    parts.append(part)
            offset += len(sibling.sentences)
        first = siblings[0]
        return Passage(
            position=first.position,
            id=first.id,
            doc_id=first.doc_id,
            title=first.title,
            section=first.section,
            anchor=first.anchor,
            ordinal=first.ordinal,
            text="\n\n".join(p.text for p in siblings),
            sentences=[s for p in siblings for s in p.sentences],
            sentence_vectors=np.vstack([p.sentence_vectors for p in siblings]),
            topic=first.topic,
            audience=first.audience,
            kind=first.kind,
            parts=parts,
            pages=_page_span(siblings[0].pages, siblings[-1].pages),
        )

    @property
    def db(self) -> sqlite3.Connection:
        """A read-only connection for this thread (SQLite connections are not shared across threads)."""
        connection = getattr(self._local, "db", None)
        if connection is None:
            connection = sqlite3.connect(f"file:{self.path / 'passages.db'}?mode=ro", uri=True, check_same_thread=False)
            connection.row_factory = sqlite3.Row
            # Read through one shared memory map instead of a page cache per thread's connection:
            # bm25 queries ~30% faster, and memory does not grow with the number of threads.
            connection.execute("pragma mmap_size = 1073741824")
            self._local.db = connection
        return connection


def open_index(index_dir: Path, model: str, corpus_dir: Path | None = None, library_dir: Path | None = None) -> Index:
    """Open the current build, refusing one built from another model, format or corpus."""
    index_dir = Path(index_dir)
    path = (index_dir / CURRENT).resolve()  # resolve once: a swap may happen while we read
    manifest = read_manifest(path)
    if manifest is None:
        raise IndexUnavailable(f"No index found in {index_dir}. Build it with `assistant build` (or `make run`).")
    if manifest.get("format") != FORMAT or manifest.get("model") != model:
        raise IndexUnavailable(
            f"The index in {index_dir} was built with model {manifest.get('model')!r} (format "
            f"{manifest.get('format')}), but this assistant uses {model!r} (format {FORMAT}). "
            "Rebuild it with `assistant build`."
        )
    if corpus_dir is not None and manifest.get("corpus_hash") != sources_hash(corpus_dir, library_dir):
        raise IndexUnavailable(
            f"The index in {index_dir} was built from a different version of {corpus_dir}. "
            "Rebuild it with `assistant build`."
        )
    try:
        return Index(path, manifest)
    except (sqlite3.Error, RuntimeError, KeyError, OSError, ValueError) as err:
        raise IndexUnavailable(
            f"The index in {index_dir} is unreadable ({err}). Rebuild it with `assistant build`."
        ) from err


class LiveIndex:
    """The current build, reopened whenever `assistant build` swaps in a new one."""

    def __init__(self, index_dir: Path, model: str, corpus_dir: Path | None = None, library_dir: Path | None = None):
        self.index_dir = Path(index_dir)
        self.model = model
        self.corpus_dir, self.library_dir = corpus_dir, library_dir
        self._lock = threading.Lock()
        self._tried: str | None = ""  # the `current` target last opened (or tried)
        self._index: Index | None = None
        self._error: IndexUnavailable | None = None

    def get(self) -> Index:
        """The index to answer from; raises IndexUnavailable with what to do when there is none."""
        try:
            target = os.readlink(self.index_dir / CURRENT)
        except OSError:
            target = None
        if target != self._tried:
            with self._lock:
                if target != self._tried:
                    self._reopen()
                    # Only now: a thread that saw the new target waits above until it is open.
                    self._tried = target
        if self._index is None:
            raise self._error
        return self._index

    def _reopen(self) -> None:
        """Open the build `current` now points at (the lock is held)."""
        try:
            self._index, self._error = open_index(self.index_dir, self.model, self.corpus_dir, self.library_dir), None
        except IndexUnavailable as err:
            self._index, self._error = None, err


def _in_place(vectors: faiss.Index) -> np.ndarray | None:
    """An exact index's vectors as a read-only array over its own memory (no copy: the index owns
    it), or None for an approximate one. Reading them there takes no FAISS call: every FAISS call
    lets go of Python's GIL, and under concurrent questions each is a switch to another thread."""
    if not isinstance(vectors, faiss.IndexFlat) or not vectors.ntotal:
        return None
    flat = faiss.rev_swig_ptr(vectors.get_xb(), vectors.ntotal * vectors.d).reshape(vectors.ntotal, vectors.d)
    flat.setflags(write=False)
    return flat


def _rows(ids: list[int]) -> slice | np.ndarray:
    """Row numbers as a slice when they run on unbroken (written article by article, they do):
    a slice of a matrix is a view, where a list of rows would copy them."""
    if ids and ids == list(range(ids[0], ids[-1] + 1)):
        return slice(ids[0], ids[-1] + 1)
    return np.array(ids, dtype=np.int64)
