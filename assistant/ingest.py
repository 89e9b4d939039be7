"""Convert an organisation's files into articles of the library (ASSISTANT_LIBRARY_DIR).

Each file becomes `<library>/<id>.md` with front matter (id, title, collection, source_file,
source_sha256, ingested, summary) and a copy of the original under `<library>/sources/`.
Re-ingesting an unchanged file does nothing; a changed one replaces its article. A file that
cannot be converted is reported with the reason and skipped: the others go on, and the library
stays valid.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from .chunking import split_sentences
from .convert import ConversionError, convert, kind_of
from .corpus import ID_PATTERN, Article, corpus_files
from .errors import NotFound
from .library import COLLECTION, SOURCES, library_files, parse_library_article

SUMMARY_CHARS = 240


@dataclass
class Outcome:
    """What happened to one file: created, updated, unchanged, skipped (with the reason) or removed."""

    file: str
    action: str
    id: str | None = None
    title: str | None = None
    reason: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Existing:
    """An article already in the library, by its original file's name."""

    id: str
    sha256: str
    path: Path


def files_in(paths: list[Path]) -> list[tuple[Path, str]]:
    """(file, its name as recorded in source_file) for each file, folders read recursively."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += [
                (f, f.relative_to(path).as_posix())
                for f in sorted(path.rglob("*"))
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(path).parts)
            ]
        else:
            found.append((path, path.name))
    return found


def existing_articles(library_dir: Path) -> dict[str, Existing]:
    """The library's ingested articles by source_file (unparsable files are left for corpus check)."""
    found = {}
    for path in library_files(library_dir):
        article, _ = parse_library_article(path, library_dir)
        if article:
            found[article.source_file] = Existing(article.id, article.source_sha256, path)
    return found


def article_id(name: str, taken: set[str]) -> str:
    """A kebab-case id from a file name, unique among `taken` (which it joins)."""
    base = re.sub(r"[^a-z0-9]+", "-", Path(name).stem.lower()).strip("-") or "document"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def ingest(
    paths: list[Path],
    library_dir: Path,
    max_bytes: int,
    corpus_dir: Path | None = None,
    dry_run: bool = False,
    today: datetime.date | None = None,
) -> list[Outcome]:
    """Ingest files and folders into the library; one Outcome per file, in order.

    `corpus_dir`'s article ids are avoided so that ids stay unique across both collections.
    With `dry_run`, nothing is written: the outcomes say what would happen.
    """
    library_dir, today = Path(library_dir), today or datetime.date.today()
    existing = existing_articles(library_dir)
    taken = {e.id for e in existing.values()} | {p.stem for p in library_files(library_dir)}
    if corpus_dir is not None and Path(corpus_dir).is_dir():
        taken |= {p.stem for p in corpus_files(corpus_dir)}
    by_hash = {e.sha256: e.id for e in existing.values()}
    outcomes = []
    for path, name in files_in(paths):
        if library_dir.resolve() in path.resolve().parents:
            continue  # the library's own articles and kept originals are not ingested again
        try:
            outcomes.append(_one(path, name, library_dir, max_bytes, existing, taken, by_hash, dry_run, today))
        except ConversionError as err:
            outcomes.append(Outcome(str(path), "skipped", reason=str(err)))
    return outcomes


def _one(
    path: Path,
    name: str,
    library_dir: Path,
    max_bytes: int,
    existing: dict[str, Existing],
    taken: set[str],
    by_hash: dict[str, str],
    dry_run: bool,
    today: datetime.date,
) -> Outcome:
    """Ingest one file; raises ConversionError with the reason it cannot be."""
    size = path.stat().st_size
    kind_of(path)  # an unsupported type is refused before anything is read
    if size == 0:
        raise ConversionError("empty file (0 bytes)")
    if size > max_bytes:
        raise ConversionError(
            f"{size / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit (ASSISTANT_INGEST_MAX_BYTES)"
        )
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    known = existing.get(name)
    if known and known.sha256 == sha256:
        return Outcome(str(path), "unchanged", known.id)
    if not known and sha256 in by_hash:
        return Outcome(str(path), "unchanged", by_hash[sha256], reason=f"same content as '{by_hash[sha256]}'")
    title, body = convert(path)
    doc_id = known.id if known else article_id(name, taken)
    title = (title or "").strip() or Path(name).stem.replace("_", " ").replace("-", " ").strip().capitalize()
    text = _article(doc_id, title, name, sha256, today, body)
    target = library_dir / f"{doc_id}.md"
    _check(text, target)
    if not dry_run:
        library_dir.mkdir(parents=True, exist_ok=True)
        _write(target, text)
        _keep_source(library_dir, doc_id, path)
        existing[name] = Existing(doc_id, sha256, target)
        by_hash[sha256] = doc_id
    return Outcome(str(path), "updated" if known else "created", doc_id, title)


def _summary(body: str) -> str:
    """The first sentence of the first paragraph of prose, shortened to SUMMARY_CHARS."""
    for block in re.split(r"\n\s*\n", body):
        block = block.strip()
        if block and not block.startswith(("#", "|", "<!--", "-", "1.", ">", "```")):
            first = split_sentences(" ".join(block.split()))[0]
            return first if len(first) <= SUMMARY_CHARS else first[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return ""


def _article(doc_id: str, title: str, name: str, sha256: str, today: datetime.date, body: str) -> str:
    meta = {
        "id": doc_id,
        "title": title,
        "collection": COLLECTION,
        "source_file": name,
        "source_sha256": sha256,
        "ingested": today,
        "summary": _summary(body),
    }
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000) + "---\n\n" + body


def _check(text: str, target: Path) -> None:
    """Refuse an article the library would reject (e.g. a document with no text at all)."""
    with tempfile.TemporaryDirectory(prefix="assistant-ingest-") as folder:
        probe = Path(folder) / target.name
        probe.write_text(text, encoding="utf-8")
        _, problems = parse_library_article(probe, Path(folder))
    problems = [p.split(": ", 1)[-1] for p in problems]
    if problems:
        raise ConversionError(
            "; ".join(problems).replace("the article has no body text", "no text found in the document")
        )


def _write(target: Path, text: str) -> None:
    """Write in one rename, so a reader never sees half an article."""
    partial = target.with_name(f".{target.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, target)


def source_path(library_dir: Path, doc_id: str) -> Path | None:
    """The kept copy of a document's original file, or None."""
    return next(iter(sorted((Path(library_dir) / SOURCES).glob(f"{doc_id}.*"))), None)


def _keep_source(library_dir: Path, doc_id: str, path: Path) -> None:
    old = source_path(library_dir, doc_id)
    if old:
        old.unlink()
    (library_dir / SOURCES).mkdir(exist_ok=True)
    shutil.copyfile(path, library_dir / SOURCES / f"{doc_id}{path.suffix.lower()}")


def library_listing(library_dir: Path) -> list[dict]:
    """Every ingested article: id, title, source_file, ingested, words and any problem it has."""
    rows = []
    for path in library_files(library_dir):
        article, problems = parse_library_article(path, Path(library_dir))
        rows.append(
            {
                "id": path.stem,
                "title": article.title if article else path.stem,
                "source_file": article.source_file if article else "",
                "source_sha256": article.source_sha256 if article else "",
                "ingested": article.ingested if article else "",
                "words": article.words if article else 0,
                "problems": problems,
            }
        )
    return rows


def library_status(library_dir: Path, indexed: dict[str, Article]) -> list[dict]:
    """The library listing with each document's state against the index's `indexed` documents:
    indexed, not indexed yet, changed since the build, has problems; and removed ones still indexed."""
    rows = library_listing(library_dir)
    for row in rows:
        built = indexed.get(row["id"])
        row["status"] = (
            "has problems"
            if row["problems"]
            else "not indexed yet"
            if built is None
            else "indexed"
            if built.source_sha256 == row["source_sha256"]
            else "changed since the build"
        )
    present = {row["id"] for row in rows}
    rows += [
        {
            "id": doc_id,
            "title": doc.title,
            "source_file": doc.source_file,
            "source_sha256": doc.source_sha256,
            "ingested": doc.ingested,
            "words": 0,
            "problems": [],
            "status": "removed, still indexed",
        }
        for doc_id, doc in indexed.items()
        if doc.collection == COLLECTION and doc_id not in present
    ]
    return rows


def remove(doc_id: str, library_dir: Path, dry_run: bool = False) -> Outcome:
    """Remove one ingested article and its original file's copy; NotFound when there is none."""
    library_dir = Path(library_dir)
    article = library_dir / f"{doc_id}.md"
    if not ID_PATTERN.match(doc_id) or article not in library_files(library_dir):
        raise NotFound(f"There is no document '{doc_id}' in the library; `assistant ingest --list` shows the ids.")
    parsed, _ = parse_library_article(article, library_dir)
    if not dry_run:
        article.unlink()
        source = source_path(library_dir, doc_id)
        if source:
            source.unlink()
    return Outcome(parsed.source_file if parsed else article.name, "removed", doc_id, parsed.title if parsed else None)
