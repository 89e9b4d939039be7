"""One statement per fact: corpus/facts.yaml names each shared fact, its canonical statement and the
wordings that contradict it; no article may use a contradicting wording."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
import yaml

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
REGISTRY = CORPUS / "facts.yaml"


def _load() -> list[dict]:
    entries = yaml.safe_load(REGISTRY.read_text(encoding="utf-8"))
    assert isinstance(entries, list) and entries, "facts.yaml must be a non-empty list of entries"
    return entries


FACTS = _load()


def _articles() -> list[Path]:
    """Every Markdown file under corpus/, glossary included."""
    return sorted(p for p in CORPUS.rglob("*.md") if p.is_file())


@functools.cache
def _lines() -> tuple[tuple[str, int, str], ...]:
    """(file, line number, line) of every article, read once for all the facts."""
    return tuple(
        (path.relative_to(CORPUS).as_posix(), number, line)
        for path in _articles()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
    )


def test_registry_is_well_formed():
    ids = [entry.get("id") for entry in FACTS]
    assert len(ids) == len(set(ids)), f"duplicate ids in facts.yaml: {ids}"
    for entry in FACTS:
        assert isinstance(entry.get("id"), str) and entry["id"], entry
        assert isinstance(entry.get("fact"), str) and entry["fact"].strip(), entry["id"]
        contradicts = entry.get("contradicts") or []
        assert isinstance(contradicts, list), entry["id"]
        for regex in contradicts + ([entry["pattern"]] if entry.get("pattern") else []):
            re.compile(regex)  # raises on an invalid pattern
        owner = entry.get("owner")
        if owner:
            assert (CORPUS / owner).is_file(), f"{entry['id']}: owner {owner} does not exist"


@pytest.mark.parametrize("entry", FACTS, ids=[entry["id"] for entry in FACTS])
def test_no_article_contradicts_the_fact(entry):
    regexes = [re.compile(regex) for regex in entry.get("contradicts") or []]
    offenders = [
        f"{relative}:{number}: matches {regex.pattern!r}: {line.strip()[:160]}"
        for relative, number, line in _lines()
        for regex in regexes
        if regex.search(line)
    ]
    assert not offenders, f"{entry['id']}: canonical statement is: {' '.join(entry['fact'].split())}\n" + "\n".join(
        offenders
    )


@pytest.mark.parametrize(
    "entry", [e for e in FACTS if e.get("pattern")], ids=[e["id"] for e in FACTS if e.get("pattern")]
)
def test_canonical_statement_is_present(entry):
    regex = re.compile(entry["pattern"])
    owner = entry.get("owner")
    paths = [CORPUS / owner] if owner else _articles()
    assert any(regex.search(path.read_text(encoding="utf-8")) for path in paths), (
        f"{entry['id']}: no {'owner article' if owner else 'article'} matches {entry['pattern']!r}"
    )
