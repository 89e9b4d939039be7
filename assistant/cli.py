"""The `assistant` command: build, ask, serve, corpus check; `--json` wherever it prints results."""

from __future__ import annotations

import json
import sys
import textwrap

import click

from .corpus import corpus_stats, load_corpus
from .embedding import MODEL_NAME
from .errors import AssistantError, CorpusError
from .settings import Settings


def _settings(**overrides) -> Settings:
    return Settings.from_env(**{k: v for k, v in overrides.items() if v is not None})


def _embedder():
    from .embedding import Embedder  # imported late: torch takes seconds to load

    return Embedder()


def _build(settings: Settings, embedder, progress: bool):
    """Build the index if it is missing or stale; `embedder` may be a callable that loads one."""
    from .index import BuildReport, build_index, current_manifest

    try:
        load_corpus(settings.corpus_dir)  # validate even when the index is current
        manifest = current_manifest(settings.corpus_dir, settings.index_dir, MODEL_NAME)
        if manifest:  # answered without loading the model, which takes seconds
            return BuildReport(True, settings.index_dir, manifest["documents"], manifest["passages"])
        embedder = embedder() if callable(embedder) else embedder
        return build_index(settings.corpus_dir, settings.index_dir, embedder, progress=progress)
    except CorpusError as err:
        raise click.ClickException(f"{err}\nThe index was left as it was. Fix the files above and run "
                                   "`assistant build` again.") from err


@click.group()
@click.version_option(package_name="outsourcing-assistant")
def cli():
    """Answer IT-outsourcing questions from the curated corpus, with cited passages.

    Settings come from ASSISTANT_* environment variables (see `assistant settings`).
    """


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
        "up_to_date": report.up_to_date, "path": str(report.path), "documents": report.documents,
        "passages": report.passages, "embedded": report.embedded, "reused": report.reused,
        "seconds": round(report.seconds, 2),
    }
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    elif report.up_to_date:
        click.echo(f"Index is up to date ({report.passages} passages from {report.documents} articles).")
    else:
        click.echo(f"Built {report.passages} passages from {report.documents} articles in "
                   f"{report.seconds:.1f}s: {report.embedded} embedded, {report.reused} reused.")


@cli.command()
@click.argument("question")
@click.option("-k", type=click.IntRange(1, 10), default=5, show_default=True, help="Passages to cite.")
@click.option("--topic", help="Only this topic folder, e.g. sla.")
@click.option("--audience", type=click.Choice(["candidate", "manager"]), help="Only articles for this reader.")
@click.option("--conversation", "conversation_id", help="Continue a conversation (for follow-ups).")
@click.option("--json", "as_json", is_flag=True, help="Print exactly what POST /api/ask returns.")
def ask(question, k, topic, audience, conversation_id, as_json):
    """Answer one question from the index and print it with its sources.

    Example: assistant ask "What is an earn-back?" -k 3
    """
    from .answering import Assistant, respond
    from .conversations import ConversationStore

    settings = _settings()
    filters = {key: value for key, value in (("topic", topic), ("audience", audience)) if value}
    try:
        result = respond(Assistant(settings, _embedder()), ConversationStore(settings.db_path),
                         question, conversation_id, k, filters or None)
    except AssistantError as err:
        raise click.ClickException(str(err)) from err
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    click.echo(textwrap.fill(result["answer"], width=100))
    if result["suggestions"]:
        click.echo("\nClosest topics:")
        for s in result["suggestions"]:
            click.echo(f"  - {s['title']} ({s['url']})")
    if result["citations"]:
        click.echo("\nSources:")
        for c in result["citations"]:
            mark = "*" if c["cited"] else " "
            click.echo(f" {mark}[{c['n']}] {c['title']} › {c['section']}  {c['url']}  ({c['score']:.2f})")
    click.echo(f"\nconversation: {result['conversation_id']}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--build/--no-build", "rebuild", default=True, show_default=True,
              help="Build the index first if it is missing or stale.")
def serve(host, port, rebuild):
    """Serve the chat and the JSON API (building the index first if needed).

    Example: assistant serve --port 8000
    """
    import uvicorn

    from .api import create_app

    settings = _settings()
    embedder = _embedder()
    if rebuild:
        report = _build(settings, embedder, sys.stderr.isatty())
        click.echo("Index is up to date." if report.up_to_date else
                   f"Built {report.passages} passages ({report.embedded} embedded).")
    click.echo(f"Serving on http://{host}:{port}{settings.root_path}/")
    uvicorn.run(create_app(settings, embedder=embedder), host=host, port=port, log_level="info")


@cli.group()
def corpus():
    """Work with the article corpus."""


@corpus.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the per-topic counts as JSON.")
def corpus_check(as_json):
    """Validate every article and print articles and words per topic.

    Example: assistant corpus check
    """
    settings = _settings()
    try:
        articles = load_corpus(settings.corpus_dir)
    except CorpusError as err:
        raise click.ClickException(str(err)) from err
    stats = corpus_stats(articles)
    if as_json:
        click.echo(json.dumps(stats, indent=2))
        return
    click.echo(f"{'topic':<20}{'articles':>10}{'words':>10}")
    for topic, row in stats.items():
        click.echo(f"{topic:<20}{row['articles']:>10}{row['words']:>10}")
    click.echo(f"{'total':<20}{sum(r['articles'] for r in stats.values()):>10}"
               f"{sum(r['words'] for r in stats.values()):>10}")


@cli.command("settings")
def show_settings():
    """List every setting with its environment variable, current value and meaning.

    Example: ASSISTANT_DEFAULT_K=3 assistant settings
    """
    for variable, value, help_text in _settings().describe():
        click.echo(f"{variable}={value}\n    {help_text}")
