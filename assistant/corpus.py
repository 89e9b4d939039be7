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


@dataclass(frozen=True)
class Key:
    """One front-matter key: what its value must be, and whether an article must have it."""

    kind: str  # name (equals the file or folder name), text, list, date or clause
    required: bool = False


# Every front-matter key an article may have; `parse_article` checks each by its kind.
KEYS = {
    "id": Key("name", True),
    "title": Key("text", True),
    "topic": Key("name", True),
    "audience": Key("list", True),
    "tags": Key("list", True),
    "summary": Key("text", True),
    "related": Key("list", True),
    "references": Key("list", True),
    "reviewed": Key("date"),  # when the facts were last checked
    "jurisdiction": Key("list"),  # legal systems the content depends on
    "asked_as": Key("list"),  # how users phrase the need, indexed for retrieval, never shown or quoted
    # The clause library's entry for an article with a sample clause (see assistant/clauses.py):
    # {type: kebab-case permalink, name: display name, positions: {client, balanced, supplier}}.
    "clause": Key("clause"),
}
REQUIRED = tuple(name for name, key in KEYS.items() if key.required)
OPTIONAL = tuple(name for name, key in KEYS.items() if not key.required)
LISTS = tuple(name for name, key in KEYS.items() if key.kind == "list")
CLAUSE_KEYS, POSITIONS = ("type", "name", "positions"), ("client", "balanced", "supplier")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.DOTALL)
WORD = re.compile(r"\w+")
# libyaml's parser where PyYAML was built with it: the same values as yaml.safe_load (the Python
# constructor is shared), parsed several times faster, which every corpus load and check feels.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Article:
    """One article, as parsed from its file and as the index holds it (`Index.documents`)."""

    id: str
    title: str
    topic: str
    audience: tuple[str, ...]
    tags: tuple[str, ...]
    summary: str
    related: tuple[str, ...]
    references: tuple[str, ...]
    body: str
    # Where the article was read from; an article loaded from the index has neither (the index
    # keeps no file paths, nor `clause`: the clause library reads the corpus itself).
    path: Path | None = None
    body_line: int = 0  # 1-based line of the file where the body starts
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
    return sorted(p for p in Path(corpus_dir).rglob("*.md") if p.name.lower() != "readme.md" and p.is_file())


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


def load_yaml(text: str):
    """`yaml.safe_load(text)`, faster; a mistake is raised by the pure-Python parser, whose
    messages and marks `_yaml_problem` reads."""
    try:
        return yaml.load(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        return yaml.safe_load(text)


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
    text, front, meta, body_start, unreadable = _front_matter(path)
    if unreadable:
        return None, [f"{name}:{unreadable[0]}: {unreadable[1]}"]
    body, body_line = text[body_start:], front.count("\n") + 3
    found = [
        (_key_line(front, key) if key else 1, message)
        for check in (_missing_keys, _unknown_keys, _clause_problems, _reviewed, _names, _texts, _lists, _audiences)
        for key, message in check(meta, path)
    ]
    found += _body_problems(body, body_line)
    problems = [f"{name}:{line}: {message}" for line, message in found]
    if not _usable(meta):
        return None, problems
    lists = {key: tuple(_as_list(meta.get(key)) or ()) for key in LISTS}
    reviewed = meta.get("reviewed") if _is_date(meta.get("reviewed")) else None
    return Article(
        id=str(meta["id"]),
        title=meta["title"].strip(),
        topic=str(meta["topic"]),
        audience=lists["audience"],
        tags=lists["tags"],
        summary=meta["summary"].strip(),
        related=lists["related"],
        references=lists["references"],
        body=body,
        path=path,
        body_line=body_line,
        reviewed=reviewed.isoformat() if reviewed else "",
        jurisdiction=lists["jurisdiction"],
        asked_as=lists["asked_as"],
        clause=_clause(meta.get("clause")),
    ), problems


def _front_matter(path: Path) -> tuple[str, str, dict, int, tuple[int, str] | None]:
    """(text, front matter, its keys, where the body starts, None) or, for a file that cannot be
    read as an article, (..., (line, why))."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        return "", "", {}, 0, (1, f"not valid UTF-8 ({err.reason} at byte {err.start}); save the file as UTF-8")
    match = FRONT_MATTER.match(text)
    if not match:
        return text, "", {}, 0, (1, "no front matter: the file must start with a '---' line, YAML keys, and '---'")
    front = match.group(1)
    try:
        meta = load_yaml(front)
    except yaml.YAMLError as err:
        line, message = _yaml_problem(err)
        return text, front, {}, 0, (line, f"front matter is not valid YAML: {message}")
    if not isinstance(meta, dict):
        return text, front, {}, 0, (2, "front matter must be YAML keys and values")
    return text, front, meta, match.end(), None


# Each check yields (front-matter key whose line to name, or None for line 1; message).


def _missing_keys(meta: dict, path: Path):
    for key in REQUIRED:
        if key not in meta or meta[key] in (None, ""):
            yield None, f"missing required key '{key}'"


def _unknown_keys(meta: dict, path: Path):
    for key in sorted(set(meta) - set(KEYS)):
        yield key, f"unknown key '{key}' (allowed: {', '.join(REQUIRED + OPTIONAL)})"


def _clause_problems(meta: dict, path: Path):
    for message in _clause_checks(meta.get("clause")):
        yield "clause", message


def _is_date(value) -> bool:
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


def _reviewed(meta: dict, path: Path):
    if meta.get("reviewed") is not None and not _is_date(meta["reviewed"]):
        yield "reviewed", "'reviewed' must be a date, e.g. reviewed: 2026-12-01"


def _names(meta: dict, path: Path):
    article_id = str(meta.get("id", ""))
    if "id" in meta and not ID_PATTERN.match(article_id):
        yield "id", f"id '{article_id}' must be kebab-case (a-z, 0-9, '-')"
    if "id" in meta and article_id != path.stem:
        yield "id", f"id '{article_id}' must equal the file name '{path.stem}'"
    topic = str(meta.get("topic", ""))
    if "topic" in meta and topic != path.parent.name:
        yield "topic", f"topic '{topic}' must equal its folder '{path.parent.name}'"


def _texts(meta: dict, path: Path):
    for key in (name for name, key in KEYS.items() if key.kind == "text"):
        if key in meta and not isinstance(meta[key], str):
            yield key, f"'{key}' must be text"


def _lists(meta: dict, path: Path):
    for key in LISTS:
        if key in meta and _as_list(meta[key]) is None:
            yield key, f"'{key}' must be a list, e.g. {key}: [a, b]"


def _audiences(meta: dict, path: Path):
    if "audience" not in meta:
        return
    audience = _as_list(meta["audience"])
    unknown = sorted(set(audience or []) - set(AUDIENCES))
    if unknown:
        yield "audience", f"unknown audience {unknown} (allowed: {', '.join(AUDIENCES)})"
    if audience == []:
        yield "audience", "audience must name at least one reader"


def _body_problems(body: str, body_line: int) -> list[tuple[int, str]]:
    found = [] if WORD.search(body) else [(body_line, "the article has no body text")]
    for offset, line in enumerate(body.splitlines()):
        if re.match(r"#\s", line):
            found.append((body_line + offset, "use '##' sections: the title comes from the front matter"))
    return found


def _usable(meta: dict) -> bool:
    """Whether an Article can be made: every required key present, text and lists of the right type."""
    return (
        all(key in meta for key in REQUIRED)
        and all(isinstance(meta[key], str) for key in REQUIRED if KEYS[key].kind == "text")
        and all(_as_list(meta[key]) is not None for key in REQUIRED if KEYS[key].kind == "list")
    )


def _clause(value) -> dict | None:
    """The `clause` mapping when usable: a mapping with no unknown keys (its other problems are
    reported, but the article keeps its entry)."""
    return value if isinstance(value, dict) and not set(value) - set(CLAUSE_KEYS) else None


def _clause_checks(value):
    """The problems of a `clause` front-matter mapping, one message each."""
    if value is None:
        return
    if not isinstance(value, dict):
        yield "'clause' must be a mapping, e.g. clause: {type: liability, name: ..., positions: {...}}"
        return
    unknown = sorted(set(value) - set(CLAUSE_KEYS))
    if unknown:
        yield f"unknown clause key(s) {unknown} (allowed: {', '.join(CLAUSE_KEYS)})"
    if not isinstance(value.get("type"), str) or not ID_PATTERN.match(value["type"]):
        yield "clause type must be kebab-case (a-z, 0-9, '-'), e.g. type: liability"
    if "name" in value and not (isinstance(value["name"], str) and value["name"].strip()):
        yield "clause name must be text"
    positions = value.get("positions", {})
    if (
        not isinstance(positions, dict)
        or set(positions) - set(POSITIONS)
        or not all(isinstance(text, str) and text.strip() for text in positions.values())
    ):
        yield f"clause positions must map {', '.join(POSITIONS)} to text"


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
            found.append(
                f"{article.path.name}: no 'reviewed' date; add reviewed: YYYY-MM-DD once its facts are checked"
            )
        elif (today - datetime.date.fromisoformat(article.reviewed)).days > max_age_days:
            found.append(
                f"{article.path.name}: last reviewed {article.reviewed}, over {max_age_days} days ago; "
                "check its facts and update 'reviewed'"
            )
    return found
