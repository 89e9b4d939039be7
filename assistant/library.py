"""Read and validate the organisation's library: ingested documents as Markdown articles.

An ingested article has the corpus's format with its own front matter: `id`, `title`,
`collection: organisation`, `source_file`, `source_sha256` and `ingested` are required; `summary`,
`tags`, `audience`, `reviewed`, `jurisdiction` and `asked_as` may be added by the curators. Its
topic is always `organisation`. The original files (kept under `sources/`) are never needed at
answer time.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from pathlib import Path

import yaml

from .corpus import (
    AUDIENCES,
    FRONT_MATTER,
    ID_PATTERN,
    WORD,
    Article,
    _as_list,
    _key_line,
    _yaml_problem,
    corpus_files,
    corpus_hash,
    load_corpus,
    load_yaml,
)
from .errors import CorpusError

COLLECTION = "organisation"
TOPIC = "organisation"  # every ingested article's topic, so `topic` filters and /topics work too
SOURCES = "sources"  # the library's folder of original files (ASSISTANT_SERVE_SOURCE_FILES)
REQUIRED = ("id", "title", "collection", "source_file", "source_sha256", "ingested")
OPTIONAL = ("summary", "tags", "audience", "reviewed", "jurisdiction", "asked_as")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
# `<!-- page 4 -->`: where a PDF page starts; invisible in rendered Markdown, read by chunking.
PAGE_MARKER = re.compile(r"^<!--\s*page\s+(\d+)\s*-->$")
PAGE_MARKERS = re.compile(r"^<!--\s*page\s+\d+\s*-->$", re.MULTILINE)


def library_files(library_dir: Path | None) -> list[Path]:
    """The library's article files in a stable order (not README.md, not the original files)."""
    if library_dir is None or not Path(library_dir).is_dir():
        return []
    return [p for p in corpus_files(Path(library_dir)) if SOURCES not in p.relative_to(library_dir).parts[:-1]]


def sources_hash(corpus_dir: Path, library_dir: Path | None) -> str:
    """The corpus hash, extended by the library's articles when there are any (so a corpus without
    a library keeps its hash, and any edit in the library makes the index stale)."""
    files = library_files(library_dir)
    if not files:
        return corpus_hash(corpus_dir)
    digest = hashlib.sha256(corpus_hash(corpus_dir).encode())
    for path in files:
        digest.update(b"library/" + path.relative_to(library_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _date(value) -> str | None:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    return None


def _check(meta: dict, front: str, path: Path, problem) -> dict[str, list[str]]:
    """Report every front-matter problem through `problem(line, message)`; return the lists."""
    for key in REQUIRED:
        if meta.get(key) in (None, ""):
            problem(1, f"missing required key '{key}'")
    for key in sorted(set(meta) - set(REQUIRED) - set(OPTIONAL)):
        problem(_key_line(front, key), f"unknown key '{key}' (allowed: {', '.join(REQUIRED + OPTIONAL)})")
    article_id = str(meta.get("id", ""))
    if "id" in meta and not ID_PATTERN.match(article_id):
        problem(_key_line(front, "id"), f"id '{article_id}' must be kebab-case (a-z, 0-9, '-')")
    if "id" in meta and article_id != path.stem:
        problem(_key_line(front, "id"), f"id '{article_id}' must equal the file name '{path.stem}'")
    if "collection" in meta and meta["collection"] != COLLECTION:
        problem(_key_line(front, "collection"), f"collection must be '{COLLECTION}'")
    if "source_sha256" in meta and not SHA256.match(str(meta["source_sha256"])):
        problem(_key_line(front, "source_sha256"), "source_sha256 must be 64 hexadecimal digits")
    for key in ("ingested", "reviewed"):
        if key in meta and _date(meta[key]) is None:
            problem(_key_line(front, key), f"'{key}' must be a date, e.g. {key}: 2026-12-01")
    for key in ("title", "summary", "source_file"):
        if key in meta and not isinstance(meta[key], str):
            problem(_key_line(front, key), f"'{key}' must be text")
    lists = {}
    for key in ("tags", "audience", "jurisdiction", "asked_as"):
        lists[key] = _as_list(meta.get(key, []))
        if lists[key] is None:
            problem(_key_line(front, key), f"'{key}' must be a list, e.g. {key}: [a, b]")
    unknown = sorted(set(lists["audience"] or []) - set(AUDIENCES))
    if unknown:
        problem(_key_line(front, "audience"), f"unknown audience {unknown} (allowed: {', '.join(AUDIENCES)})")
    return lists


def parse_library_article(path: Path, library_dir: Path) -> tuple[Article | None, list[str]]:
    """Parse one ingested article; return it (None if unusable) and its problems as 'file:line: msg'."""
    name = f"{Path(library_dir).name}/{path.relative_to(library_dir).as_posix()}"
    problems: list[str] = []

    def problem(line: int, message: str) -> None:
        problems.append(f"{name}:{line}: {message}")

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        problem(1, f"not valid UTF-8 ({err.reason} at byte {err.start}); save the file as UTF-8")
        return None, problems
    match = FRONT_MATTER.match(text)
    if not match:
        problem(1, "no front matter: the file must start with a '---' line, YAML keys, and '---'")
        return None, problems
    front = match.group(1)
    try:
        meta = load_yaml(front)
    except yaml.YAMLError as err:
        line, message = _yaml_problem(err)
        problem(line, f"front matter is not valid YAML: {message}")
        return None, problems
    if not isinstance(meta, dict):
        problem(2, "front matter must be YAML keys and values")
        return None, problems
    lists = _check(meta, front, path, problem)
    body, body_line = text[match.end() :], front.count("\n") + 3
    if not WORD.search(PAGE_MARKERS.sub("", body)):
        problem(body_line, "the article has no body text")
    for offset, line in enumerate(body.splitlines()):
        if re.match(r"#\s", line):
            problem(body_line + offset, "use '##' sections: the title comes from the front matter")
    if problems:
        return None, problems
    return Article(
        id=meta["id"],
        title=meta["title"].strip(),
        topic=TOPIC,
        audience=tuple(lists["audience"] or AUDIENCES),
        tags=tuple(lists["tags"]),
        summary=str(meta.get("summary") or "").strip(),
        related=(),
        references=(),
        body=body,
        path=path,
        body_line=body_line,
        reviewed=_date(meta.get("reviewed")) or "",
        jurisdiction=tuple(lists["jurisdiction"]),
        asked_as=tuple(lists["asked_as"]),
        collection=COLLECTION,
        source_file=meta["source_file"],
        source_sha256=meta["source_sha256"],
        ingested=_date(meta["ingested"]),
    ), problems


def load_library(library_dir: Path | None) -> list[Article]:
    """Read and validate every ingested article; raise CorpusError listing every problem found.
    A missing or empty library is no library (the corpus alone is indexed)."""
    articles, problems, seen = [], [], {}
    for path in library_files(library_dir):
        article, found = parse_library_article(path, Path(library_dir))
        problems += found
        if article and article.id in seen:
            problems.append(
                f"{path.relative_to(library_dir)}:2: duplicate id '{article.id}' "
                f"(also in {seen[article.id].relative_to(library_dir)})"
            )
        elif article:
            seen[article.id] = path
            articles.append(article)
    if problems:
        raise CorpusError(problems)
    return articles


def load_sources(corpus_dir: Path, library_dir: Path | None) -> list[Article]:
    """The curated corpus and the library, validated together (an id must be unique across both)."""
    problems, articles, library = [], [], []
    try:
        articles = load_corpus(corpus_dir)
    except CorpusError as err:
        problems += err.problems
    try:
        library = load_library(library_dir)
    except CorpusError as err:
        problems += err.problems
    curated = {a.id for a in articles}
    for article in library:
        if article.id in curated:
            problems.append(
                f"{article.path.name}:2: id '{article.id}' is also a corpus article's id; rename the file and its id"
            )
    if problems:
        raise CorpusError(problems)
    return articles + library
