"""The `assistant` command: build, ask, serve, corpus check; `--json` wherever it prints results."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import sys
import textwrap
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import click

from .corpus import AUDIENCES, corpus_stats, load_corpus, stale_reviews
from .embedding import MODEL_NAME, EmbeddingModel
from .errors import AssistantError, CorpusError
from .immutable import seal
from .library import load_library, load_sources
from .settings import SettingError, Settings


def _settings(**overrides) -> Settings:
    try:
        return Settings.from_env(**{k: v for k, v in overrides.items() if v is not None})
    except SettingError as err:
        raise click.ClickException(str(err)) from err


def _embedder():
    from .embedding import Embedder, QueryCache  # imported late: torch takes seconds to load

    settings = _settings()
    return QueryCache(Embedder(), settings.batch_wait_ms, settings.query_cache)


def _build(settings: Settings, embedder: EmbeddingModel | Callable[[], EmbeddingModel], progress: bool):
    """Build the index if it is missing or stale; `embedder` may be a callable that loads one."""
    from .index import BuildReport, build_index, current_manifest

    try:
        manifest = current_manifest(
            settings.corpus_dir, settings.index_dir, MODEL_NAME, library_dir=settings.library_dir
        )
        if manifest:  # answered without loading the model, which takes seconds
            load_sources(settings.corpus_dir, settings.library_dir)  # still validated
            return BuildReport(True, settings.index_dir, manifest["documents"], manifest["passages"])
        embedder = embedder() if callable(embedder) else embedder
        report = build_index(
            settings.corpus_dir,
            settings.index_dir,
            embedder,
            progress=progress,
            exact_limit=settings.exact_search_limit,
            library_dir=settings.library_dir,
        )
        seal(report.path)  # published: never to be changed in place (see assistant/immutable.py)
        return report
    except CorpusError as err:
        raise click.ClickException(
            f"{err}\nThe index was left as it was. Fix the files above and run `assistant build` again."
        ) from err


@click.group()
@click.version_option(package_name="outsourcing-assistant")
def cli():
    """Answer IT-outsourcing questions from the curated corpus, with cited passages.

    Settings come from ASSISTANT_* environment variables (see `assistant settings`).
    """
    from . import runtime

    runtime.start_cli()  # the process-wide settings every command relies on, made here once


@cli.command()
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: on a terminal).")
@click.option("--json", "as_json", is_flag=True, help="Print the build report as JSON.")
def build(progress, as_json):
    """Validate the corpus and (re)build the index incrementally and atomically.

    Example: assistant build
    """
    settings = _settings()
    report = _build(settings, _embedder, sys.stderr.isatty() if progress is None else progress)
    summary = {
        "up_to_date": report.up_to_date,
        "path": str(report.path),
        "documents": report.documents,
        "passages": report.passages,
        "embedded": report.embedded,
        "reused": report.reused,
        "seconds": round(report.seconds, 2),
    }
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    elif report.up_to_date:
        click.echo(f"Index is up to date ({report.passages} passages from {report.documents} articles).")
    else:
        click.echo(
            f"Built {report.passages} passages from {report.documents} articles in "
            f"{report.seconds:.1f}s: {report.embedded} embedded, {report.reused} reused."
        )


@cli.command()
@click.argument("question")
@click.option("-k", type=click.IntRange(1, 10), help="Passages to cite (default: ASSISTANT_DEFAULT_K).")
@click.option("--topic", help="Only this topic folder, e.g. sla.")
@click.option("--audience", type=click.Choice(AUDIENCES), help="Only articles for this reader.")
@click.option(
    "--collection",
    type=click.Choice(["corpus", "organisation"]),
    help="Only the curated corpus, or only the organisation's ingested documents.",
)
@click.option("--conversation", "conversation_id", help="Continue a conversation (for follow-ups).")
@click.option("--json", "as_json", is_flag=True, help="Print exactly what POST /api/ask returns.")
def ask(question, k, topic, audience, collection, conversation_id, as_json):
    """Answer one question from the index and print it with its sources.

    Example: assistant ask "What is an earn-back?" -k 3
    """
    from .answering import Assistant
    from .conversation import respond
    from .conversations import ConversationStore

    settings = _settings()
    filters = {
        key: value for key, value in (("topic", topic), ("audience", audience), ("collection", collection)) if value
    }
    try:
        result = respond(
            Assistant(settings, _embedder()),
            ConversationStore.for_settings(settings),
            question,
            conversation_id,
            k,
            filters or None,
        )
    except AssistantError as err:
        raise click.ClickException(str(err)) from err
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    for line in result["answer"].splitlines():  # one line per sentence run, item, quoted line, row
        lead = re.match(r"(- |\d+\. |> )?", line).group(0)
        click.echo(textwrap.fill(line, width=100, subsequent_indent=" " * len(lead) if lead != "> " else "> "))
    if result["suggestions"]:
        click.echo("\nClosest topics:")
        for s in result["suggestions"]:
            click.echo(f"  - {s['title']} ({s['url']})")
    if result["citations"]:
        click.echo("\nSources:")
        for c in result["citations"]:
            mark = "*" if c["cited"] else " "
            click.echo(f" {mark}[{c['n']}] {c['label']}  {c['url']}  ({c['score']:.2f})")
    click.echo(f"\nconversation: {result['conversation_id']}")


def _check_store(settings: Settings) -> None:
    """Stop with a message naming the setting to change when the conversation database is unusable."""
    from .conversations import ConversationStore

    try:
        ConversationStore.for_settings(settings).require_writable()
    except AssistantError as err:
        raise click.ClickException(str(err)) from err


def _servable_manifest(settings: Settings) -> dict | None:
    """The manifest of index/current if a server could answer from it (this model and format)."""
    from .index import CURRENT, FORMAT, read_manifest

    manifest = read_manifest(settings.index_dir / CURRENT)
    if manifest and manifest.get("format") == FORMAT and manifest.get("model") == MODEL_NAME:
        return manifest
    return None


def _build_before_serving(progress: bool) -> None:
    """`serve`'s build, run in a child process; exits non-zero with the reason when it fails."""
    try:
        report = _build(_settings(), _embedder, progress)
    except click.ClickException as err:
        err.show()
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    click.echo(
        "Index is up to date."
        if report.up_to_date
        else f"Built {report.passages} passages ({report.embedded} embedded)."
    )


def _build_in_a_child(settings: Settings) -> None:
    """Build before serving, in a child process; on failure keep the last good build if there is one."""
    # In a child process: the model and memory a build takes are returned when it ends,
    # instead of staying in the server (1.4 GiB RSS after building the shipped corpus).
    builder = multiprocessing.get_context("spawn").Process(
        target=_build_before_serving, args=(sys.stderr.isatty(),), name="assistant-build"
    )
    builder.start()
    try:
        builder.join()
    except KeyboardInterrupt:  # the build stops too; a half-made build is never published
        builder.join()
        raise SystemExit(130) from None
    if builder.exitcode:
        last_good = _servable_manifest(settings)
        if builder.exitcode == 130 or last_good is None:
            raise SystemExit(builder.exitcode)
        # A typo in one article must not become an outage: the last good build keeps answering.
        click.echo(
            f"The build failed (see above), so serving the last good index, built on "
            f"{last_good['built_at']}. Fix the files and run `assistant build`: the server "
            "picks up the new build without a restart.",
            err=True,
        )


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--build/--no-build",
    "rebuild",
    default=True,
    show_default=True,
    help="Build the index first if it is missing or stale.",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Also serve a demo intranet site embedding the widget on PORT+1, a second origin "
    "that is allowed automatically.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes sharing the index (each with its own model process: ~0.8 GiB).",
)
def serve(host, port, rebuild, demo, workers):
    """Serve the chat and the JSON API (building the index first if needed).

    Example: assistant serve --port 8000 --demo
    """
    import faulthandler

    import uvicorn

    from .api import UVICORN_OPTIONS, create_app
    from .middleware import allowed_hosts_for

    # A crash in C code (SIGBUS from a memory-mapped index file changed in place, SIGSEGV) then
    # leaves a traceback in the log instead of nothing.
    faulthandler.enable()
    settings = _settings()
    _check_store(settings)  # before the build: a wrong ASSISTANT_DB_PATH should not cost a minute
    if rebuild:
        _build_in_a_child(settings)
    if demo:
        from .demo import demo_origins, start_demo

        # The address a browser uses: a server listening on all interfaces is reached locally.
        public = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        allowed = settings.allowed_origins + demo_origins(public, port + 1)
        settings = replace(settings, allowed_origins=allowed)
        start_demo(f"http://{public}:{port}{settings.root_path.rstrip('/')}", settings.web_dir / "demo", host, port + 1)
        click.echo(f"Demo intranet site with the widget on http://{public}:{port + 1}/")
    settings = replace(settings, allowed_hosts=allowed_hosts_for(host, settings.allowed_hosts))
    click.echo(
        f"Serving on http://{host}:{port}{settings.root_path}/ (host names: {', '.join(settings.allowed_hosts)})"
    )
    if workers > 1:
        # Each worker builds its own app from the environment; pass on what was decided here.
        os.environ["ASSISTANT_ALLOWED_ORIGINS"] = ",".join(settings.allowed_origins)
        os.environ["ASSISTANT_ALLOWED_HOSTS"] = ",".join(settings.allowed_hosts)
        uvicorn.run(
            "assistant.api:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            **UVICORN_OPTIONS,
        )
    else:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info", **UVICORN_OPTIONS)


@cli.group()
def corpus():
    """Work with the article corpus."""


@corpus.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the per-topic counts as JSON.")
def corpus_check(as_json):
    """Validate every article and print articles and words per topic.

    Example: assistant corpus check
    """
    from .clauses import check as clause_problems
    from .clauses import clause_of
    from .review import load as review_rules

    settings = _settings()
    try:
        articles = load_corpus(settings.corpus_dir)
        problems = clause_problems(articles, settings.corpus_dir)  # every entry has its sample wording
        problems += review_rules(settings.corpus_dir)[1]  # corpus/review.yaml: types, sources, quotes, regexes
        library = load_library(settings.library_dir)
        load_sources(settings.corpus_dir, settings.library_dir)  # ids unique across both
        if problems:
            raise CorpusError(problems)
    except CorpusError as err:
        raise click.ClickException(str(err)) from err
    stats = corpus_stats(articles)
    for warning in stale_reviews(articles, settings.review_age_days):
        click.echo(f"warning: {warning}", err=True)
    if as_json:
        click.echo(json.dumps(stats, indent=2))
        return
    click.echo(f"{'topic':<20}{'articles':>10}{'words':>10}")
    for topic, row in stats.items():
        click.echo(f"{topic:<20}{row['articles']:>10}{row['words']:>10}")
    click.echo(
        f"{'total':<20}{sum(r['articles'] for r in stats.values()):>10}{sum(r['words'] for r in stats.values()):>10}"
    )
    entries = [entry for entry in map(clause_of, articles) if entry]
    click.echo(
        f"clause library: {len(entries)} clause types, "
        f"{sum(bool(e.positions) for e in entries)} with client/balanced/supplier positions"
    )
    click.echo(
        f"organisation library: {len(library)} documents, {sum(a.words for a in library)} words "
        f"({settings.library_dir})"
    )


@cli.command("ingest")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--remove", "remove_id", metavar="ID", help="Remove the ingested document with this id.")
@click.option("--list", "list_only", is_flag=True, help="List the library's documents.")
@click.option("--dry-run", is_flag=True, help="Show what would be created, updated or removed; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print one result per file as JSON.")
def ingest_command(paths, remove_id, list_only, dry_run, as_json):
    """Convert PDF, DOCX, HTML, Markdown and text files (folders recursively) into articles of
    the organisation's library (ASSISTANT_LIBRARY_DIR); then `assistant build` indexes them.

    Example: assistant ingest ~/policies --dry-run
    """
    from .ingest import ingest, library_listing, remove

    settings = _settings()
    if not (paths or remove_id or list_only):
        raise click.UsageError("Name files or folders to ingest, or use --remove ID or --list.")
    try:
        if list_only:
            rows = library_listing(settings.library_dir)
        elif remove_id:
            rows = [remove(remove_id, settings.library_dir, dry_run).as_dict()]
        else:
            rows = [
                o.as_dict()
                for o in ingest(
                    list(paths), settings.library_dir, settings.ingest_max_bytes, settings.corpus_dir, dry_run
                )
            ]
    except AssistantError as err:
        raise click.ClickException(str(err)) from err
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    for row in rows if not as_json else []:
        if list_only:
            click.echo(f"{row['id']}  {row['title']}  ({row['source_file']}, ingested {row['ingested']})")
            continue
        what = f"would be {row['action']}" if dry_run and row["action"] != "skipped" else row["action"]
        click.echo(
            f"{row['file']}: {what}"
            + (f" as {row['id']}" if row["id"] else "")
            + (f" ({row['reason']})" if row["reason"] else "")
        )
    changed = sum(row.get("action") in ("created", "updated", "removed") for row in rows)
    if changed and not dry_run and not as_json:
        click.echo("Run `assistant build` to index the changes.")
    skipped = sum(row.get("action") == "skipped" for row in rows)
    if skipped:  # after every other file was done: a script still hears that some were not
        raise click.ClickException(f"{skipped} file{'s' if skipped != 1 else ''} skipped (reasons above).")


@cli.command("settings")
def show_settings():
    """List every setting with its environment variable, current value and meaning.

    Example: ASSISTANT_DEFAULT_K=3 assistant settings
    """
    for variable, value, help_text in _settings().describe():
        click.echo(f"{variable}={value}\n    {help_text}")


@cli.command("eval")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--calibrate", is_flag=True, help="Also show how each abstention threshold would do.")
@click.option(
    "--clauses", is_flag=True, help="Measure the clause review on clauses.jsonl of ASSISTANT_EVAL_DIR instead."
)
@click.option(
    "--holdout",
    is_flag=True,
    help="Measure on holdout.jsonl of ASSISTANT_EVAL_DIR, questions kept out of tuning, instead.",
)
def evaluate_command(as_json, calibrate, clauses, holdout):
    """Measure retrieval on the evaluation set (ASSISTANT_EVAL_DIR): Recall@1/5, MRR@10, nDCG@10,
    abstention, follow-ups.

    With --clauses: the clause review's type accuracy and element and red-flag precision/recall.

    Example: assistant eval --calibrate
    """
    if clauses:
        return _review_report(as_json)
    from .answering import Assistant
    from .evaluation import QUESTION_FILES, evaluate
    from .study.accuracy import LABELLED, format_grader_accuracy, grader_accuracy

    settings = _settings()
    try:
        retriever = Assistant(settings, _embedder()).retriever
    except AssistantError as err:
        raise click.ClickException(str(err)) from err
    files = ("holdout.jsonl",) if holdout else QUESTION_FILES
    report = evaluate(
        retriever,
        settings.abstain_threshold,
        settings.eval_dir,
        calibration=calibrate,
        max_sentences=settings.answer_sentences,
        files=files,
    )
    report["study_grader"] = grader_accuracy(retriever.embedder, settings.eval_dir / LABELLED)
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    _print_report(report)
    click.echo("\n" + format_grader_accuracy(report["study_grader"]))
    if calibrate:
        rows = report["calibration"]
        click.echo("\nthreshold  out-of-scope caught  answerable abstained")
        for step in range(30, 52, 2):
            t = step / 100
            caught = sum(r["evidence"] < t for r in rows if not r["in_scope"])
            lost = sum(r["evidence"] < t for r in rows if r["in_scope"])
            click.echo(f"{t:>9.2f}{caught:>21}{lost:>22}")


def _print_report(report: dict) -> None:
    """`assistant eval`'s tables: ranking per method, abstention, answers per group, dialogues."""
    click.echo(f"{report['questions']} questions with answers, {report['out_of_scope']} out of scope\n")
    click.echo(f"{'method':<10}{'Recall@1':>10}{'Recall@5':>10}{'MRR@10':>10}{'nDCG@10':>10}")
    for method, row in report["methods"].items():
        click.echo(f"{method:<10}" + "".join(f"{row[m]:>10.3f}" for m in ("recall@1", "recall@5", "mrr@10", "ndcg@10")))
    a = report["abstention"]
    click.echo(
        f"\nabstention at {a['threshold']}: precision {a['precision']:.3f}, recall {a['recall']:.3f} "
        f"({a['in_scope_abstained']} answerable questions abstained)"
    )
    click.echo("\nanswers (fact recall: every answer_must fact in the answer text itself)")
    click.echo(f"{'group':<24}{'questions':>10}{'Recall@5':>10}{'facts':>8}{'repeats':>9}{'dangling':>9}{'intent':>8}")
    for key, row in report["answers"].items():
        cells = [
            row.get("recall@5"),
            row.get("fact_recall"),
            row.get("repeated_definition"),
            row.get("dangling_reference"),
            row.get("intent_accuracy"),
        ]
        click.echo(
            f"{key:<24}{row.get('questions', 0):>10}"
            + "".join(f"{'-' if c is None else f'{c:.3f}':>{w}}" for c, w in zip(cells, (10, 8, 9, 9, 8)))
        )
    d = report["dialogues"]
    if d["follow_up_count"]:
        click.echo(f"\ndialogues ({d['follow_up_count']} follow-up turns), hybrid Recall@5 / MRR@10:")
        for label, key in (
            ("first turns", "first_turns"),
            ("follow-ups", "follow_ups"),
            ("follow-ups, no context", "follow_ups_without_context"),
        ):
            click.echo(f"  {label:<24}{d[key]['recall@5']:>8.3f}{d[key]['mrr@10']:>8.3f}")


def _review_report(as_json: bool) -> None:
    from .review_eval import SET_NAME, evaluate_reviews

    settings = _settings()
    report = evaluate_reviews(settings.corpus_dir, settings.eval_dir / SET_NAME)
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(f"{'clauses':<10}{'n':>4}{'type acc':>10}{'elem P':>8}{'elem R':>8}{'flag P':>8}{'flag R':>8}")
    for split in ("all", "dev", "holdout"):
        row = report[split]
        click.echo(
            f"{split:<10}{row['clauses']:>4}{row['type_accuracy']:>10.3f}"
            f"{row['elements']['precision']:>8.3f}{row['elements']['recall']:>8.3f}"
            f"{row['red_flags']['precision']:>8.3f}{row['red_flags']['recall']:>8.3f}"
        )
    for mistake in report["mistakes"]:
        click.echo(
            f"  {mistake['id']}: "
            + "; ".join(
                f"{k} {v}" for k, v in mistake.items() if k not in ("id", "type") and v and v != mistake["type"]
            )
        )


@cli.command()
@click.option("--topic", help="Only this topic folder, e.g. sla (default: every topic).")
@click.option(
    "--kind", type=click.Choice(["check", "flashcard", "choice", "calculation"]), help="Only this kind of item."
)
@click.option("-n", "count", type=click.IntRange(1, 50), default=10, show_default=True, help="Questions to ask.")
@click.option(
    "--learner",
    default="terminal-learner",
    show_default=True,
    help="Whose progress to keep and to review (8-64 letters, digits, - or _).",
)
@click.option(
    "--grader-accuracy",
    is_flag=True,
    help="Instead of a quiz: the grader's accuracy on study_answers.jsonl of ASSISTANT_EVAL_DIR.",
)
@click.option("--calibrate", is_flag=True, help="With --grader-accuracy: the best thresholds and a cross-validation.")
@click.option("--json", "as_json", is_flag=True, help="Print the quiz's tally or the accuracy report as JSON.")
def study(topic, kind, count, learner, grader_accuracy, calibrate, as_json):
    """Run a quiz in the terminal: items due for review first, each answer graded with the model
    answer and the section to read, progress kept as in the web's study mode.

    Example: assistant study --topic sla -n 5
    """
    from .conversations import ConversationStore
    from .study.accuracy import format_grader_accuracy
    from .study.accuracy import grader_accuracy as measure
    from .study.service import Study
    from .study.terminal import LazyEmbedder, run_quiz

    if grader_accuracy:
        from .study.accuracy import LABELLED

        report = measure(_embedder(), _settings().eval_dir / LABELLED, calibrating=calibrate)
        click.echo(json.dumps(report, indent=2) if as_json else format_grader_accuracy(report))
        if calibrate and not as_json:
            click.echo(f"calibrated thresholds: {report['calibrated']}")
        return
    settings = _settings()
    try:
        session = Study(settings, ConversationStore.for_settings(settings), LazyEmbedder(_embedder))
        tally = run_quiz(
            session,
            learner,
            topic,
            kind,
            count,
            ask=lambda prompt: click.prompt(prompt, default="", show_default=False),
            say=click.echo,
        )
    except AssistantError as err:
        raise click.ClickException(str(err)) from err
    if as_json:
        click.echo(json.dumps(tally, indent=2))
    else:
        click.echo(
            f"\n{tally['correct']} correct, {tally['partly']} partly right, {tally['incorrect']} not yet "
            f"of {tally['answered']} answered."
        )


@cli.group()
def feedback():
    """What users said about answers."""


@feedback.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.File("w"), default="-", help="File to write (default: stdout).")
def feedback_export(fmt, output):
    """Write every rating with its question, answer and citations, for the corpus curators.

    Example: assistant feedback export --format csv -o feedback.csv
    """
    import csv

    from .conversations import ConversationStore

    rows = ConversationStore.for_settings(_settings()).feedback_rows()
    if fmt == "json":
        output.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    writer = csv.writer(output)
    writer.writerow(["id", "created_at", "rating", "comment", "message_id", "question", "answer", "citations"])
    for row in rows:
        sources = "; ".join(
            f"[{c['n']}] {c['title']} › {c['section']} ({c['url']})" for c in row["citations"] if c.get("cited")
        )
        writer.writerow(
            [
                row["id"],
                row["created_at"],
                row["rating"],
                row["comment"],
                row["message_id"],
                row["question"],
                row["answer"],
                sources,
            ]
        )


@cli.group()
def conversations():
    """What visitors asked: kept for ASSISTANT_RETENTION_DAYS."""


@conversations.command("purge")
@click.option("--days", type=click.IntRange(0), help="Keep this many days instead of ASSISTANT_RETENTION_DAYS.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def conversations_purge(days, as_json):
    """Delete conversations last active longer ago than the retention period (the server also does
    this daily), with their messages and ratings.

    Example: assistant conversations purge --days 30
    """
    from .conversations import ConversationStore

    settings = _settings()
    days = settings.retention_days if days is None else days
    try:
        counts = ConversationStore.for_settings(settings).purge(days)
    except AssistantError as err:
        raise click.ClickException(str(err)) from err
    if as_json:
        click.echo(json.dumps({"days": days, **counts}, indent=2))
    elif not days:
        click.echo("Retention is 0 days (keep for ever): nothing deleted.")
    else:
        click.echo(
            f"Deleted {counts['conversations']} conversations ({counts['messages']} messages, "
            f"{counts['ratings']} ratings) last active more than {days} days ago."
        )
