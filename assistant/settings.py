"""Every setting and its default in one place, read from ASSISTANT_* environment variables."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bundled_web_dir() -> Path:
    """The templates and static files shipped as the package `assistant.web` (web/ in a checkout)."""
    try:
        return Path(str(resources.files("assistant.web")))
    except ModuleNotFoundError:  # a checkout on the path that was never installed
        return ROOT / "web"


class SettingError(ValueError):
    """An ASSISTANT_* variable whose value cannot be read as its setting's type."""


def parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("expected true or false (also 1/0, yes/no, on/off)")


def parse_list(raw: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in raw.split(",") if item.strip())


# How each type of setting is read from its variable's text (bool before int: a bool is an int).
PARSERS: dict[type, Callable[[str], object]] = {
    bool: parse_bool,
    int: int,
    float: float,
    Path: Path,
    str: str,
    tuple: parse_list,
}


def _setting(default, help: str, parse: Callable[[str], object] | None = None):
    """A setting: its default, its help text, and how its environment variable is parsed (by
    default, by the type of the default)."""
    parse = parse or next(parser for kind, parser in PARSERS.items() if isinstance(default, kind))
    return field(default=default, metadata={"help": help, "parse": parse})


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = _setting(ROOT / "corpus", "Folder of Markdown articles, one topic folder each.")
    index_dir: Path = _setting(ROOT / "index", "Where `assistant build` writes the index.")
    db_path: Path = _setting(ROOT / "data" / "assistant.db", "Conversation and feedback store (never rebuilt).")
    web_dir: Path = _setting(
        bundled_web_dir(), "Templates and static assets (default: those installed with the package)."
    )
    database_url: str = _setting(
        "",
        "A postgresql://user:password@host/dbname URL: conversations, feedback, study progress and "
        "quotas go to that PostgreSQL database, which replicas share; empty: the ASSISTANT_DB_PATH file.",
    )
    eval_dir: Path = _setting(
        ROOT / "eval",
        "The evaluation set `assistant eval` measures: questions, dialogues, clauses and "
        "labelled study answers (JSONL).",
    )
    library_dir: Path = _setting(
        ROOT / "library",
        "The organisation's own documents as Markdown articles, written by `assistant "
        "ingest` and indexed beside the corpus by `assistant build`.",
    )
    ingest_max_bytes: int = _setting(
        20_000_000, "Largest file `assistant ingest` and the /admin upload accept, in bytes."
    )
    serve_source_files: bool = _setting(
        False,
        "Link an ingested document's page to its original file (kept in the library's "
        "sources/ folder); off by default, as the originals may hold more than the articles show.",
    )
    admin_token: str = _setting(
        "",
        "Turns /admin on (upload, library, rebuild, unanswered questions); send it as "
        "`Authorization: Bearer <token>`. Empty: /admin is off.",
    )
    max_question_chars: int = _setting(2000, "Longest question accepted, in characters.")
    default_k: int = _setting(5, "Passages returned with an answer unless the request asks otherwise.")
    abstain_threshold: float = _setting(
        0.39,
        "Evidence (mean of the best passages' cosine and the closest asked_as phrasing's) below "
        "which the assistant says the corpus does not cover a question; chosen by `assistant eval --calibrate`.",
    )
    review_age_days: int = _setting(
        730,
        "`assistant corpus check` warns about articles whose `reviewed` date is older than this "
        "many days (or missing); 0: no warning.",
    )
    answer_sentences: int = _setting(
        7, "Most prose sentences in a composed answer (quoted clauses, tables and lists come on top)."
    )
    per_section: int = _setting(1, "Most passages from one article section among the results.")
    lexical_weight: float = _setting(
        0.7, "Weight of the full-text ranking against the embedding ranking (1.0) in the fusion."
    )
    exact_search_limit: int = _setting(
        50_000,
        "Passages searched exactly; a larger index is built as an approximate IVF index (see docs/faiss-scale.md).",
    )
    batch_wait_ms: float = _setting(
        1.0, "How long a lone question waits to share the model with concurrent ones; 0 turns micro-batching off."
    )
    answer_threads: int = _setting(
        16,
        "Questions a server process works on at once (more wait their turn); more threads "
        "only queue for Python's GIL on a small machine.",
    )
    model_timeout: float = _setting(
        10.0,
        "Seconds a batch of questions may take in the model process; past it the process is "
        "restarted and its questions get a 503 that says to ask again.",
    )
    query_cache: int = _setting(
        4096,
        "Question vectors kept for repeated questions; 0 turns the cache off (the load "
        "benchmark does, so that every question is really encoded).",
    )
    allowed_origins: tuple[str, ...] = _setting(
        (), "Host origins allowed to embed the widget (comma-separated); empty means same-origin only."
    )
    root_path: str = _setting(
        "",
        "Path prefix when served behind a reverse proxy, e.g. /assistant; the proxy may pass the "
        "prefix on or strip it.",
    )
    quota_per_visitor: int = _setting(
        60, "Questions one visitor (client IP address) may ask per hour; 0 means no limit."
    )
    quota_per_origin: int = _setting(
        1000, "Questions the widget on one host origin may ask per hour, all visitors together; 0 means no limit."
    )
    trusted_proxies: tuple[str, ...] = _setting(
        (),
        "Addresses or networks (comma-separated, e.g. 127.0.0.1 or 10.0.0.0/8) of reverse proxies "
        "whose X-Forwarded-For and X-Forwarded-Proto are believed; empty: none, the client's own "
        "address counts.",
    )
    allowed_hosts: tuple[str, ...] = _setting(
        (),
        "Host names the server answers to (comma-separated; *.example.com for subdomains, * for "
        "any); empty: the address `serve` binds to, localhost, 127.0.0.1 and ::1.",
    )
    retention_days: int = _setting(
        90,
        "Days a conversation is kept after its last question; the server purges older ones daily "
        "(and `assistant conversations purge` on demand); 0 keeps them for ever.",
    )
    feedback_quota_per_visitor: int = _setting(
        120, "Ratings one visitor may send per hour (changing a rating counts too); 0 means no limit."
    )
    max_body_bytes: int = _setting(
        65_536, "Largest request body accepted, in bytes; a larger one is refused with 413 before it is read."
    )
    study_exam_questions: int = _setting(
        40, "Questions in a mock exam unless the learner asks for another number (1 to 100)."
    )
    study_exam_minutes: int = _setting(
        60, "Time allowed for a mock exam unless the learner asks for another (1 to 240 minutes)."
    )
    study_correct_threshold: float = _setting(
        0.64,
        "Free-text study answers scoring at least this (embedding cosine and key-term overlap "
        "against the model answer) are correct; chosen by `assistant study --grader-accuracy --calibrate`.",
    )
    study_partly_threshold: float = _setting(
        0.36,
        "Free-text study answers scoring at least this, but under the correct threshold, are "
        "partly right; below it, not yet.",
    )

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        """Build settings from `ASSISTANT_<NAME>` variables; keyword overrides win over both."""
        values = {}
        for f in fields(cls):
            variable = f"ASSISTANT_{f.name.upper()}"
            raw = os.environ.get(variable)
            if raw is None:
                continue
            try:
                values[f.name] = f.metadata["parse"](raw)
            except ValueError as err:
                raise SettingError(
                    f"{variable}={raw!r} cannot be read ({err}); see `assistant settings` for what each setting takes."
                ) from None
        return replace(cls(), **{**values, **overrides})

    @classmethod
    def default(cls, name: str):
        """The default of one setting, for limits other modules state (e.g. in the API schema)."""
        return cls.__dataclass_fields__[name].default

    @classmethod
    def markdown_table(cls) -> str:
        """The README's table of settings (regenerated with `cog -r README.md`)."""
        rows = ["| variable | default | what it sets |", "| --- | --- | --- |"]
        for f in fields(cls):
            default = f.default
            if isinstance(default, Path):
                default = "the package's own" if f.name == "web_dir" else default.relative_to(ROOT).as_posix()
            elif isinstance(default, tuple):
                default = ",".join(default) or "(empty)"
            elif isinstance(default, str):
                default = default or "(empty)"
            rows.append(f"| `ASSISTANT_{f.name.upper()}` | {default} | {f.metadata['help']} |")
        return "\n".join(rows) + "\n"

    def describe(self) -> list[tuple[str, object, str]]:
        """(environment variable, current value, help) for each setting, for docs and `--help`."""
        return [(f"ASSISTANT_{f.name.upper()}", getattr(self, f.name), f.metadata["help"]) for f in fields(self)]
