"""Index builds: incremental by content hash, atomic swap, refusal of mismatched indexes."""

from __future__ import annotations

import os

import numpy as np
import pytest

from assistant.errors import CorpusError, IndexUnavailable
from assistant.index import CURRENT, LiveIndex, build_index, open_index, read_manifest
from assistant.retrieval import Retriever

from .support import HashEmbedder


class CountingEmbedder(HashEmbedder):
    """Counts what it is asked to embed; can be told to fail, like a crash mid-build."""

    def __init__(self, fail: bool = False):
        self.texts: list[str] = []
        self.fail = fail

    def encode(self, texts, batch_size=64, progress=False):
        if self.fail and texts:
            raise RuntimeError("simulated crash while embedding")
        self.texts += texts
        return super().encode(texts)


def test_manifest_records_what_built_the_index(fresh):
    report = build_index(fresh.corpus_dir, fresh.index_dir, HashEmbedder())
    manifest = read_manifest(fresh.index_dir / CURRENT)
    assert manifest["model"] == HashEmbedder.name
    assert manifest["dimension"] == HashEmbedder.dimension
    assert manifest["passages"] == report.passages == len(open_index(fresh.index_dir, HashEmbedder.name).passages)
    assert manifest["documents"] == 5 and len(manifest["corpus_hash"]) == 64 and manifest["built_at"]


def test_second_build_embeds_nothing(fresh):
    build_index(fresh.corpus_dir, fresh.index_dir, CountingEmbedder())
    again = CountingEmbedder()
    report = build_index(fresh.corpus_dir, fresh.index_dir, again)
    assert report.up_to_date and again.texts == []


def test_editing_one_article_reembeds_only_its_changed_passages(fresh):
    first = build_index(fresh.corpus_dir, fresh.index_dir, CountingEmbedder())
    path = fresh.corpus_dir / "contracts" / "disaster-recovery.md"
    path.write_text(path.read_text().replace("at least once a year", "at least twice a year"))
    counting = CountingEmbedder()
    report = build_index(fresh.corpus_dir, fresh.index_dir, counting)
    assert report.embedded == 1 and report.reused == first.passages - 1
    assert "twice a year" in counting.texts[0]  # the changed passage, then only its own sentences
    assert len(counting.texts) > 1 and all(s in counting.texts[0] for s in counting.texts[1:])


def test_failed_build_leaves_the_last_good_index(fresh):
    build_index(fresh.corpus_dir, fresh.index_dir, HashEmbedder())
    before = os.readlink(fresh.index_dir / CURRENT)
    path = fresh.corpus_dir / "delivery-models" / "nearshore.md"
    path.write_text(path.read_text() + "\n## Costs\n\nNearshore rates sit between onshore and offshore.\n")
    with pytest.raises(RuntimeError):
        build_index(fresh.corpus_dir, fresh.index_dir, CountingEmbedder(fail=True))
    assert os.readlink(fresh.index_dir / CURRENT) == before
    assert not [p for p in fresh.index_dir.iterdir() if p.name.endswith(".partial")]
    assert open_index(fresh.index_dir, HashEmbedder.name).passages


def test_invalid_corpus_never_replaces_a_good_index(fresh):
    build_index(fresh.corpus_dir, fresh.index_dir, HashEmbedder())
    before = os.readlink(fresh.index_dir / CURRENT)
    (fresh.corpus_dir / "sla" / "broken.md").write_text("no front matter\n")
    with pytest.raises(CorpusError):
        build_index(fresh.corpus_dir, fresh.index_dir, HashEmbedder())
    assert os.readlink(fresh.index_dir / CURRENT) == before


def test_missing_index_says_how_to_build_it(fresh):
    with pytest.raises(IndexUnavailable, match="assistant build"):
        open_index(fresh.index_dir, HashEmbedder.name)


def test_index_from_another_model_is_refused(fresh):
    build_index(fresh.corpus_dir, fresh.index_dir, HashEmbedder())
    with pytest.raises(IndexUnavailable, match="built with model 'test/hash-embedder'.*assistant build"):
        open_index(fresh.index_dir, "sentence-transformers/all-MiniLM-L6-v2")


def test_index_from_another_corpus_is_refused(fresh):
    build_index(fresh.corpus_dir, fresh.index_dir, HashEmbedder())
    path = fresh.corpus_dir / "delivery-models" / "nearshore.md"
    path.write_text(path.read_text() + "\nOne more sentence.\n")
    with pytest.raises(IndexUnavailable, match="different version.*assistant build"):
        open_index(fresh.index_dir, HashEmbedder.name, fresh.corpus_dir)


def test_live_index_switches_to_a_new_build(fresh):
    build_index(fresh.corpus_dir, fresh.index_dir, HashEmbedder())
    live = LiveIndex(fresh.index_dir, HashEmbedder.name, fresh.corpus_dir)
    old = live.get()
    path = fresh.corpus_dir / "delivery-models" / "nearshore.md"
    path.write_text(path.read_text() + "\n## Another section\n\nA brand new passage of text.\n")
    build_index(fresh.corpus_dir, fresh.index_dir, HashEmbedder())
    new = live.get()
    assert new is not old and len(new.passages) == len(old.passages) + 1
    assert old.passages[0].text  # the old build still answers requests already holding it


def test_above_the_exact_limit_the_index_is_approximate_and_still_finds(fresh):
    build_index(fresh.corpus_dir, fresh.index_dir, HashEmbedder(), exact_limit=5)
    assert read_manifest(fresh.index_dir / CURRENT)["faiss"] == "IndexIVFFlat"
    index = open_index(fresh.index_dir, HashEmbedder.name)
    target = index.passages[3]
    query = np.frombuffer(
        index.db.execute("select vector from passages where position = 3").fetchone()[0], dtype=np.float32
    )
    retriever = Retriever(index, HashEmbedder())
    assert retriever.dense(query, None)[0][0] == target.position
    allowed = retriever.allowed({"topic": target.topic})
    assert {index.passages[p].topic for p, _ in retriever.dense(query, allowed)} == {target.topic}


@pytest.mark.parametrize("exact_limit", [100_000, 5], ids=["exact", "approximate"])
def test_a_passage_vector_is_the_one_stored_for_it_without_a_faiss_call(fresh, exact_limit):
    build_index(fresh.corpus_dir, fresh.index_dir, HashEmbedder(), exact_limit=exact_limit)
    index = open_index(fresh.index_dir, HashEmbedder.name)
    stored = {
        position: np.frombuffer(vector, dtype=np.float32)
        for position, vector in index.db.execute("select position, vector from passages").fetchall()
    }
    positions = np.array([4, 0, 2], dtype=np.int64)
    assert np.array_equal(index.passage_vectors(positions), np.stack([stored[p] for p in positions.tolist()]))
    for position in (0, len(index.passages) - 1):
        assert np.array_equal(index.passage_vector(position), stored[position])
    if exact_limit > len(index.passages):  # read in place from the exact index, and never written through
        assert not index.passage_vector(0).flags.writeable
        with pytest.raises(ValueError):
            index.passage_vector(0)[0] = 1.0


def test_a_list_the_chunker_cut_in_two_is_one_list_in_its_whole_section(fresh):
    path = fresh.corpus_dir / "contracts" / "disaster-recovery.md"
    steps = "\n".join(
        f"{n}. **Do step {n} of the recovery test.** Check the standby site, the backups, the runbook and the "
        f"contacts for part {n}, and write down every gap the test shows so it can be fixed before the next one."
        for n in range(1, 13)
    )
    path.write_text(path.read_text().replace("## RTO and RPO", f"## Recovery test steps\n\n{steps}\n\n## RTO and RPO"))
    build_index(fresh.corpus_dir, fresh.index_dir, HashEmbedder())
    index = open_index(fresh.index_dir, HashEmbedder.name)
    chunks = [p for p in index.passages if p.anchor == "recovery-test-steps"]
    assert len(chunks) > 1  # the chunker cut the twelve steps into several passages
    whole = index.section(chunks[-1])
    assert [part["type"] for part in whole.parts] == ["steps"]
    items = whole.parts[0]["items"]
    assert len(items) == 12 and items[0].startswith("Do step 1 ") and items[-1].startswith("Do step 12 ")
    assert (whole.parts[0]["start"], whole.parts[0]["end"]) == (0, len(whole.sentences))
