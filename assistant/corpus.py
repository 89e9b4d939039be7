"""Read and validate corpus articles: front matter schema, ids, links; errors name file and line."""

from __future__ import annotations

import datetime
import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import CorpusError

AUDIENCES = ("candidate", "manager")
REQUIRED = ("id", "title", "topic", "audience", "tags", "summary", "related", "references")
# reviewed: when the facts were last checked; jurisdiction: legal systems the content depends on;
# asked_as: how users phrase the need, indexed for retrieval and never shown or quoted.
# clause: the clause library's entry for an article with a sample clause (see assistant/clauses.py):
#   {type: kebab-case permalink, name: display name, positions: {client, balanced, supplier}}.
OPTIONAL = ("reviewed", "jurisdiction", "asked_as", "clause")
CLAUSE_KEYS, POSITIONS = ("type", "name", "positions"), ("client", "balanced", "supplier")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.DOTALL)
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    topic: str
    audience: tuple[str, ...]
    tags: tuple[str, ...]
    summary: str
    related: tuple[str, ...]
    references: tuple[str, ...]
    body: str
    path: Path
    body_line: int  # 1-based line of the file where the body starts
    reviewed: str = ""  # ISO date, YYYY-MM-DD
    jurisdiction: tuple[str, ...] = ()
    asked_as: tuple[str, ...] = ()
    clause: dict | None = None  # validated by _clause: type, name, positions
    # Ingested documents (assistant/library.py): the organisation's collection and the original file.
    collection: str = "corpus"  # corpus | organisation
    source_file: str = ""
    source_sha256: str = ""
    ingested: str = ""  # ISO date

    @property
    def words(self) -> int:
        return len(WORD.findall(self.body))


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The article files of a corpus, in a stable order (README files are documentation)."""
    return sorted(
        p for p in Path(corpus_dir).rglob("*.md") if p.name.lower() != "readme.md" and p.is_file()
    )


def corpus_hash(corpus_dir: Path) -> str:
    """A hash of every article's path and bytes: equal hashes mean an identical corpus."""
    digest = hashlib.sha256()
    for path in corpus_files(corpus_dir):
        digest.update(path.relative_to(corpus_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _key_line(front: str, key: str) -> int:
    """Line (1-based, counting the opening ---) of `key:` in the front matter, or 1."""
    for number, line in enumerate(front.splitlines(), start=2):
        if line.startswith(f"{key}:"):
            return number
    return 1


def _as_list(value) -> list | None:
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return [str(v) for v in value]
    return None


def _yaml_problem(err: yaml.YAMLError) -> tuple[int, str]:
    """(file line, message) of a front-matter YAML error, on the line where the mistake is.

    YAML notices an unclosed bracket or quote only lines later, at the next key (`problem_mark`);
    `context_mark` is where the unclosed construct began, which is where the writer must look.
    """
    context, problem_text = getattr(err, "context", None), getattr(err, "problem", None) or str(err)
    mark = getattr(err, "context_mark", None) or getattr(err, "problem_mark", None)
    line = mark.line + 2 if mark else 1  # +1 for 1-based, +1 for the opening '---'
    if context and "flow" in context:
        return line, f"a '[' list or '{{' mapping that is not closed ({problem_text})"
    if context and "quoted scalar" in context:
        return line, f"a quoted text that is not closed ({problem_text})"
    return line, f"{context}: {problem_text}" if context else problem_text


def parse_article(path: Path, corpus_dir: Path) -> tuple[Article | None, list[str]]:
    """Parse one file; return the article (None if unusable) and its problems as 'file:line: msg'."""
    name = path.relative_to(corpus_dir).as_posix() if corpus_dir in path.parents else str(path)
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
        meta = yaml.safe_load(front)
    except yaml.YAMLError as err:
        line, message = _yaml_problem(err)
        problem(line, f"front matter is not valid YAML: {message}")
        return None, problems
    if not isinstance(meta, dict):
        problem(2, "front matter must be YAML keys and values")
        return None, problems

    for key in REQUIRED:
        if key not in meta or meta[key] in (None, ""):
            problem(1, f"missing required key '{key}'")
    for key in sorted(set(meta) - set(REQUIRED) - set(OPTIONAL)):
        problem(_key_line(front, key),
                f"unknown key '{key}' (allowed: {', '.join(REQUIRED + OPTIONAL)})")
    clause = _clause(meta.get("clause"), lambda message: problem(_key_line(front, "clause"), message))
    reviewed = meta.get("reviewed")
    if reviewed is not None and not (isinstance(reviewed, datetime.date)
                                     and not isinstance(reviewed, datetime.datetime)):
        problem(_key_line(front, "reviewed"), "'reviewed' must be a date, e.g. reviewed: 2026-12-01")
        reviewed = None

    article_id = str(meta.get("id", ""))
    if "id" in meta and not ID_PATTERN.match(article_id):
        problem(_key_line(front, "id"), f"id '{article_id}' must be kebab-case (a-z, 0-9, '-')")
    if "id" in meta and article_id != path.stem:
        problem(_key_line(front, "id"), f"id '{article_id}' must equal the file name '{path.stem}'")
    topic = str(meta.get("topic", ""))
    if "topic" in meta and topic != path.parent.name:
        problem(_key_line(front, "topic"), f"topic '{topic}' must equal its folder '{path.parent.name}'")
    for key in ("title", "summary"):
        if key in meta and not isinstance(meta[key], str):
            problem(_key_line(front, key), f"'{key}' must be text")

    lists = {}
    for key in ("audience", "tags", "related", "references", "jurisdiction", "asked_as"):
        if key in meta:
            lists[key] = _as_list(meta[key])
            if lists[key] is None:
                problem(_key_line(front, key), f"'{key}' must be a list, e.g. {key}: [a, b]")
    unknown_audience = sorted(set(lists.get("audience") or []) - set(AUDIENCES))
    if unknown_audience:
        problem(
            _key_line(front, "audience"),
            f"unknown audience {unknown_audience} (allowed: {', '.join(AUDIENCES)})",
        )
    if "audience" in lists and lists["audience"] == []:
        problem(_key_line(front, "audience"), "audience must name at least one reader")

    body = text[match.end():]
    body_line = front.count("\n") + 3
    if not WORD.search(body):
        problem(body_line, "the article has no body text")
    for offset, line in enumerate(body.splitlines()):
        if re.match(r"#\s", line):
            problem(body_line + offset, "use '##' sections: the title comes from the front matter")
    usable = (
        all(key in meta for key in REQUIRED)
        and all(isinstance(meta[key], str) for key in ("title", "summary"))
        and all(lists.get(key) is not None for key in ("audience", "tags", "related", "references"))
    )
    if not usable:
        return None, problems
    return (
        Article(
            id=article_id,
            title=meta["title"].strip(),
            topic=topic,
            audience=tuple(lists["audience"]),
            tags=tuple(lists["tags"]),
            summary=meta["summary"].strip(),
            related=tuple(lists["related"]),
            references=tuple(lists["references"]),
            body=body,
            path=path,
            body_line=body_line,
            reviewed=reviewed.isoformat() if reviewed else "",
            jurisdiction=tuple(lists.get("jurisdiction") or ()),
            asked_as=tuple(lists.get("asked_as") or ()),
            clause=clause,
        ),
        problems,
    )


def _clause(value, problem) -> dict | None:
    """The `clause` front-matter mapping, checked; each problem is reported through `problem`."""
    if value is None:
        return None
    if not isinstance(value, dict):
        problem("'clause' must be a mapping, e.g. clause: {type: liability, name: ..., positions: {...}}")
        return None
    unknown = sorted(set(value) - set(CLAUSE_KEYS))
    if unknown:
        problem(f"unknown clause key(s) {unknown} (allowed: {', '.join(CLAUSE_KEYS)})")
    if not isinstance(value.get("type"), str) or not ID_PATTERN.match(value["type"]):
        problem("clause type must be kebab-case (a-z, 0-9, '-'), e.g. type: liability")
    if "name" in value and not (isinstance(value["name"], str) and value["name"].strip()):
        problem("clause name must be text")
    positions = value.get("positions", {})
    if not isinstance(positions, dict) or set(positions) - set(POSITIONS) or not all(
            isinstance(text, str) and text.strip() for text in positions.values()):
        problem(f"clause positions must map {', '.join(POSITIONS)} to text")
    return value if not unknown else None


def load_corpus(corpus_dir: Path) -> list[Article]:
    """Read and validate every article; raise CorpusError listing every problem found."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise CorpusError([f"{corpus_dir}: corpus folder not found; set ASSISTANT_CORPUS_DIR"])
    files = corpus_files(corpus_dir)
    if not files:
        raise CorpusError([f"{corpus_dir}: no .md articles found"])
    articles, problems = [], []
    for path in files:
        article, found = parse_article(path, corpus_dir)
        problems += found
        if article:
            articles.append(article)

    seen: dict[str, Path] = {}
    for article in articles:
        if article.id in seen:
            problems.append(
                f"{article.path.relative_to(corpus_dir)}:2: duplicate id '{article.id}' "
                f"(also in {seen[article.id].relative_to(corpus_dir)})"
            )
        seen[article.id] = article.path
    for article in articles:
        front = article.path.read_text(encoding="utf-8")
        for target in article.related:
            if target not in seen:
                problems.append(
                    f"{article.path.relative_to(corpus_dir)}:{_key_line(front[4:], 'related')}: "
                    f"related id '{target}' does not exist"
                )
    problems += _repeated_paragraphs(articles, corpus_dir)
    if problems:
        raise CorpusError(problems)
    return articles


def _paragraphs(article: Article):
    """(line, normalised text) of each substantial paragraph, for the repeated-paragraph check."""
    line = article.body_line
    for block in re.split(r"\n\s*\n", article.body):
        words = WORD.findall(block.lower())
        if len(words) >= 25:
            yield line + len(block) - len(block.lstrip("\n")), " ".join(words)
        line += block.count("\n") + 2


def _repeated_paragraphs(articles: list[Article], corpus_dir: Path) -> list[str]:
    where: dict[str, list[tuple[Article, int]]] = defaultdict(list)
    for article in articles:
        for line, text in _paragraphs(article):
            where[text].append((article, line))
    problems = []
    for places in where.values():
        if len({a.id for a, _ in places}) > 1:
            first, first_line = places[0]
            for article, line in places[1:]:
                problems.append(
                    f"{article.path.relative_to(corpus_dir)}:{line}: paragraph repeats "
                    f"{first.path.relative_to(corpus_dir)}:{first_line}; write it once and link"
                )
    return problems


def corpus_stats(articles: list[Article]) -> dict[str, dict[str, int]]:
    """Articles and words per topic, for `assistant corpus check`."""
    counts: Counter = Counter()
    words: Counter = Counter()
    for article in articles:
        counts[article.topic] += 1
        words[article.topic] += article.words
    return {topic: {"articles": counts[topic], "words": words[topic]} for topic in sorted(counts)}


def stale_reviews(articles: list[Article], max_age_days: int, today: datetime.date | None = None) -> list[str]:
    """'file: ...' for every article not reviewed within `max_age_days` (0 checks nothing)."""
    if max_age_days <= 0:
        return []
    today = today or datetime.date.today()
    found = []
    for article in articles:
        if not article.reviewed:
            found.append(f"{article.path.name}: no 'reviewed' date; "
                         "add reviewed: YYYY-MM-DD once its facts are checked")
        elif (today - datetime.date.fromisoformat(article.reviewed)).days > max_age_days:
            found.append(f"{article.path.name}: last reviewed {article.reviewed}, over {max_age_days} days ago; "
                         "check its facts and update 'reviewed'")
    return found
