"""Review a pasted clause: its likely type, the elements a good clause of that type contains (present,
weak or missing, quoting the matching sentence), red flags, and figures against the corpus's ranges.

The rules are corpus data (corpus/review.yaml, next to the articles they cite); each finding cites
its article section and quotes the sentence of guidance. The pasted text is never stored or logged.
"""

from __future__ import annotations

import math
import os
import re
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from .chunking import split_sentences
from .clauses import clause_of, sections_of
from .corpus import Article, corpus_files, load_corpus
from .errors import BadRequest

RULES_FILE = "review.yaml"
MAX_CHARS = 20_000
NOTICE = (
    "Your text was used only to produce this review: it is not stored and not written to any log. "
    "The review is guidance from the corpus, not legal advice."
)
ELEMENT_KEYS = {"name", "source", "quote", "any", "all", "weak_if"}
FLAG_KEYS = {"name", "source", "quote", "any", "when", "unless", "unless_text", "only_if"}
NUMBER_KEYS = {"name", "source", "quote", "unit", "pattern", "context", "exclude", "range"}
WORD = re.compile(r"[a-z][a-z-]+")
STOP = set(
    "the a an and or of to in for by on with any its is be shall will may this that such as at from "
    "which other under all each party parties not no if".split()
)


@dataclass(frozen=True)
class Citation:
    doc_id: str
    anchor: str
    guidance: str  # the sentence of the cited section that contains the rule's quote

    def as_dict(self) -> dict:
        return {"doc_id": self.doc_id, "anchor": self.anchor, "url": f"/docs/{self.doc_id}#{self.anchor}"}


@dataclass(frozen=True)
class Rule:
    name: str
    citation: Citation
    spec: dict  # the rule's entry in review.yaml, regexes compiled


@dataclass(frozen=True)
class TypeRules:
    type: str
    name: str
    signals: tuple[re.Pattern, ...]
    elements: tuple[Rule, ...]
    red_flags: tuple[Rule, ...]
    numbers: tuple[Rule, ...]
    profile: Counter  # words of the type's sample clause and guidance, for type detection


def _compile(value, where: str, problems: list[str]):
    patterns = value if isinstance(value, list) else [value]
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(str(pattern), re.IGNORECASE))
        except re.error as err:
            problems.append(f"{where}: bad regex {pattern!r} ({err})")
    return compiled


def _units(markdown: str) -> list[str]:
    """A section's sentences, list items and table rows, as plain text."""
    units = []
    for block in re.split(r"\n\s*\n", markdown):
        for line in block.splitlines() if re.match(r"\s*([-*|>]|\d+\.)", block) else [block]:
            text = re.sub(r"^\s*(?:[-*>]|\d+\.)\s*|\*\*|`", "", line).replace("|", " ").strip()
            if text and not set(text) <= set("- :"):
                units += split_sentences(" ".join(text.split()))
    return units


class _Reader:
    """Reads review.yaml entries into Rules, collecting problems; one per load."""

    def __init__(self, articles: list[Article]):
        self.by_id = {a.id: a for a in articles}
        self.sections: dict[str, dict] = {}
        self.problems: list[str] = []

    def section(self, doc_id: str, anchor: str):
        if doc_id not in self.sections:
            overview, parts = sections_of(self.by_id[doc_id])
            self.sections[doc_id] = {p.anchor: p for p in [overview, *parts]}
        return self.sections[doc_id].get(anchor)

    def rule(self, item, keys: set, kind: str, label: str, default_doc: str) -> Rule | None:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            self.problems.append(f"{label}: needs a name")
            return None
        label = f"{label} ({item['name']})"
        unknown = set(item) - keys
        if unknown:
            self.problems.append(f"{label}: unknown keys {sorted(unknown)}")
        doc_id, _, anchor = str(item.get("source", "")).partition("#")
        doc_id = doc_id or default_doc
        if doc_id not in self.by_id:
            self.problems.append(f"{label}: source article '{doc_id}' does not exist")
            return None
        part = self.section(doc_id, anchor)
        if part is None:
            self.problems.append(f"{label}: no section '#{anchor}' in {doc_id}")
            return None
        quote = str(item.get("quote", "")).lower()
        guidance = next((u for u in _units(part.markdown) if quote and quote in u.lower()), None)
        if guidance is None:
            self.problems.append(f"{label}: quote {item.get('quote')!r} is not in {doc_id}#{anchor}")
            return None
        compiled = {
            key: _compile(item[key], f"{label} {key}", self.problems)
            for key in ("any", "all", "weak_if", "unless", "unless_text", "only_if", "pattern", "context", "exclude")
            if key in item
        }
        if kind != "number" and not (compiled.get("any") or compiled.get("all")):
            self.problems.append(f"{label}: needs 'any' or 'all' patterns")
        if kind == "number" and (
            not compiled.get("pattern") or not (isinstance(item.get("range"), list) and len(item["range"]) == 2)
        ):
            self.problems.append(f"{label}: needs a pattern and a range [low, high]")
        return Rule(item["name"], Citation(doc_id, anchor, guidance), {**item, **compiled})

    def rules(self, spec: dict, key: str, keys: set, kind: str, where: str, default_doc: str) -> tuple[Rule, ...]:
        found = [
            self.rule(item, keys, kind, f"{where} {kind} #{i}", default_doc)
            for i, item in enumerate(spec.get(key) or [], 1)
        ]
        return tuple(r for r in found if r)


def read_rules(corpus_dir: Path, articles: list[Article]) -> tuple[dict[str, TypeRules], list[str]]:
    """Parse and validate corpus/review.yaml against the articles; return the rules and the problems."""
    path = Path(corpus_dir) / RULES_FILE
    if not path.is_file():
        return {}, []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        return {}, [f"{RULES_FILE}: not valid YAML: {err}"]
    reader = _Reader(articles)
    entries = {c.type: c for c in map(clause_of, articles) if c}
    result = {}
    for clause_type, spec in data.items() if isinstance(data, dict) else []:
        where = f"{RULES_FILE}: {clause_type}"
        entry = entries.get(clause_type)
        if entry is None or not isinstance(spec, dict):
            reader.problems.append(f"{where}: not a clause type of the library (see `clause: type:` in the articles)")
            continue
        profile = Counter(
            w
            for w in WORD.findall(
                " ".join([entry.name, entry.wording, *(p.markdown for p in entry.parts.values())]).lower()
            )
            if w not in STOP
        )
        result[clause_type] = TypeRules(
            clause_type,
            entry.name,
            tuple(_compile(spec.get("signals") or [], f"{where} signals", reader.problems)),
            reader.rules(spec, "elements", ELEMENT_KEYS, "element", where, entry.doc_id),
            reader.rules(spec, "red_flags", FLAG_KEYS, "red flag", where, entry.doc_id),
            reader.rules(spec, "numbers", NUMBER_KEYS, "number", where, entry.doc_id),
            profile,
        )
    return result, reader.problems


_cache: dict[Path, tuple[tuple, dict, list]] = {}
_lock = threading.Lock()


def load(corpus_dir: Path) -> tuple[dict[str, TypeRules], list[str]]:
    """The review rules of a corpus and their problems, re-read only when a corpus file changes."""
    corpus_dir = Path(corpus_dir)
    files = [*corpus_files(corpus_dir), corpus_dir / RULES_FILE]
    signature = tuple((str(p), os.stat(p).st_mtime_ns, os.stat(p).st_size) for p in files if p.exists())
    with _lock:
        cached = _cache.get(corpus_dir)
        if not cached or cached[0] != signature:
            cached = (signature, *read_rules(corpus_dir, load_corpus(corpus_dir)))
            _cache[corpus_dir] = cached
    return cached[1], cached[2]


def clean(text) -> str:
    """The pasted clause, or BadRequest when it is empty, too long or not text."""
    if not isinstance(text, str) or not text.strip():
        raise BadRequest("Paste the clause to review: the text is empty.")
    if len(text) > MAX_CHARS:
        raise BadRequest(
            f"The text is {len(text):,} characters long; the limit is {MAX_CHARS:,}. Paste one clause at a time."
        )
    if re.search(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]", text):
        raise BadRequest("The text contains binary data; paste the clause as plain text.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest("The text is not valid Unicode; paste the clause as plain text.") from None
    return text


def sentences(text: str) -> list[str]:
    """The pasted text's sentences; numbered sub-clauses and paragraphs start new ones, wrapped lines do not."""
    blocks = re.split(r"\n\s*\n|\n(?=\s*(?:\(?[a-z0-9]{1,4}[.)]|\d+(?:\.\d+)+|[-•*])\s)", text)
    return [s for block in blocks for s in split_sentences(" ".join(block.split()))]


def candidates(text: str, rules: dict[str, TypeRules]) -> list[tuple[str, float]]:
    """Clause types by likelihood: signal phrases found, plus word overlap with each type's profile."""
    words = Counter(w for w in WORD.findall(text.lower()) if w not in STOP)
    documents = len(rules) or 1
    df = Counter(w for r in rules.values() for w in r.profile)
    idf = {w: math.log((1 + documents) / (1 + df[w])) + 1 for w in words}

    def cosine(profile: Counter) -> float:
        dot = sum(words[w] * idf[w] * profile[w] * idf[w] for w in words if w in profile)
        norm = math.sqrt(sum((c * idf[w]) ** 2 for w, c in words.items()))
        other = math.sqrt(sum((c * idf.get(w, 1.0)) ** 2 for w, c in profile.items()))
        return dot / (norm * other) if norm and other else 0.0

    scores = {t: sum(min(len(s.findall(text)), 3) for s in r.signals) + 4 * cosine(r.profile) for t, r in rules.items()}
    total = sum(scores.values())
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    if not ranked or ranked[0][1] < 1.0:  # not one signal phrase, and little word overlap: no clause we know
        return []
    return [(t, round(s / total, 3)) for t, s in ranked if s > 0]


def _first(patterns, units: list[str], unless=()) -> str | None:
    return next((u for u in units if any(p.search(u) for p in patterns) and not any(p.search(u) for p in unless)), None)


def _element(rule: Rule, units: list[str]) -> dict:
    spec = rule.spec
    wanted = [[p] for p in spec.get("all", [])] + ([spec["any"]] if spec.get("any") else [])
    found = [_first(group, units) for group in wanted]
    hits = [f for f in found if f]
    status = "present" if len(hits) == len(found) else "weak" if hits else "missing"
    evidence = hits[-1] if hits else ""
    if status == "present" and any(p.search(evidence) for p in spec.get("weak_if", [])):
        status = "weak"
    return {
        "name": rule.name,
        "status": status,
        "evidence": evidence[:600],
        "guidance": rule.citation.guidance,
        "citation": rule.citation.as_dict(),
    }


def _flag(rule: Rule, units: list[str], text: str) -> dict | None:
    spec = rule.spec
    when = spec.get("when", "present")
    if any(p.search(text) for p in spec.get("unless_text", [])):
        return None
    if spec.get("only_if") and not any(p.search(text) for p in spec["only_if"]):
        return None
    if when == "present":
        evidence = _first(spec["any"], units, spec.get("unless", []))
        if evidence is None:
            return None
    else:
        missing = [p for p in spec["any"] if not any(p.search(u) for u in units)]
        if not missing or (when == "absent" and len(missing) < len(spec["any"])):
            return None
        evidence = ""
    return {
        "name": rule.name,
        "evidence": evidence[:600],
        "guidance": rule.citation.guidance,
        "citation": rule.citation.as_dict(),
    }


def _show(value: float, unit: str) -> str:
    return f"{value:g}{unit}" if unit.startswith("%") else f"{value:g} {unit}"


def _numbers(rule: Rule, units: list[str]) -> dict | None:
    spec = rule.spec
    for sentence in units:
        if spec.get("context") and not any(p.search(sentence) for p in spec["context"]):
            continue
        if any(p.search(sentence) for p in spec.get("exclude", [])):
            continue
        match = next((m for p in spec["pattern"] for m in [p.search(sentence)] if m), None)
        if match:
            value = float(next(g for g in match.groups() if g is not None))
            low, high = spec["range"]
            verdict = "below" if value < low else "above" if value > high else "within"
            unit = spec.get("unit", "")
            typical = _show(low, unit) if low == high else f"{low:g}-{_show(high, unit)}"
            return {
                "name": rule.name,
                "value": value,
                "unit": unit,
                "typical": [low, high],
                "verdict": verdict,
                "summary": f"{rule.name}: {_show(value, unit)}, against the usual {typical} ({verdict} the usual "
                "range)",
                "evidence": sentence[:600],
                "guidance": rule.citation.guidance,
                "citation": rule.citation.as_dict(),
            }
    return None


def review(text: str, corpus_dir: Path, clause_type: str | None = None) -> dict:
    """The review of a pasted clause (see POST /api/review for the shape)."""
    text = clean(text)
    rules, _ = load(corpus_dir)
    if clause_type is not None and clause_type not in rules:
        raise BadRequest(f"Unknown clause type '{str(clause_type)[:60]}'; the review knows {', '.join(sorted(rules))}.")
    ranked = candidates(text, rules)
    chosen = clause_type or (ranked[0][0] if ranked else None)
    units = sentences(text)
    reply = {
        "clause_type": chosen,
        "name": rules[chosen].name if chosen else None,
        "candidates": [{"type": t, "name": rules[t].name, "score": s} for t, s in ranked[:3]],
        "elements": [],
        "red_flags": [],
        "numbers": [],
        "notice": NOTICE,
    }
    if chosen is None:
        reply["notice"] += " The text does not look like any clause type the review knows; choose one with clause_type."
        return reply
    typed = rules[chosen]
    reply["elements"] = [_element(r, units) for r in typed.elements]
    reply["red_flags"] = [f for r in typed.red_flags if (f := _flag(r, units, text))]
    reply["numbers"] = [n for r in typed.numbers if (n := _numbers(r, units))]
    return reply
