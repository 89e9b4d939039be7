"""Corpus validation: every problem is reported with its file and line."""

from __future__ import annotations

import pytest
import yaml

from assistant.corpus import FRONT_MATTER, corpus_files, corpus_stats, load_corpus, load_yaml
from assistant.errors import CorpusError
from assistant.settings import ROOT


def _write(settings, relative: str, text: str) -> None:
    path = settings.corpus_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


GOOD_FRONT = """---
id: {id}
title: A title
topic: {topic}
audience: [manager]
tags: [a, b]
summary: A summary.
related: [service-credits]
references: []
---
"""


def test_fixture_corpus_is_valid(fresh):
    articles = load_corpus(fresh.corpus_dir)
    assert {a.id for a in articles} >= {"service-credits", "glossary", "employee-transfer"}
    assert corpus_stats(articles)["sla"]["articles"] == 1


@pytest.mark.parametrize(
    "relative, text, expected",
    [
        ("sla/no-front.md", "Just text.\n", "sla/no-front.md:1: no front matter"),
        (
            "sla/bad-yaml.md",
            "---\nid: bad-yaml\ntitle: [unclosed\n---\nBody\n",
            "sla/bad-yaml.md:3: front matter is not valid YAML",
        ),
        # The bracket opens on line 4; YAML notices only at the next key (line 6): report line 4.
        (
            "sla/bracket.md",
            "---\nid: bracket\ntitle: Bracket\ntags: [a, b\nsummary: x\ntopic: sla\n---\nBody\n",
            "sla/bracket.md:4: front matter is not valid YAML: a '[' list or '{' mapping that is not closed",
        ),
        (
            "sla/wrong-id.md",
            GOOD_FRONT.format(id="other-id", topic="sla") + "Body text.\n",
            "sla/wrong-id.md:2: id 'other-id' must equal the file name 'wrong-id'",
        ),
        (
            "sla/wrong-topic.md",
            GOOD_FRONT.format(id="wrong-topic", topic="pricing") + "Body.\n",
            "sla/wrong-topic.md:4: topic 'pricing' must equal its folder 'sla'",
        ),
        (
            "sla/dangling.md",
            GOOD_FRONT.format(id="dangling", topic="sla").replace("[service-credits]", "[no-such-article]") + "Body.\n",
            "sla/dangling.md:8: related id 'no-such-article' does not exist",
        ),
        (
            "sla/heading.md",
            GOOD_FRONT.format(id="heading", topic="sla") + "Intro.\n\n# Big title\n",
            "sla/heading.md:13: use '##' sections",
        ),
        (
            "sla/audience.md",
            GOOD_FRONT.format(id="audience", topic="sla").replace("[manager]", "[ceo]") + "Body.\n",
            "sla/audience.md:5: unknown audience ['ceo']",
        ),
        (
            "sla/missing.md",
            GOOD_FRONT.format(id="missing", topic="sla").replace("summary: A summary.\n", "") + "Body.\n",
            "sla/missing.md:1: missing required key 'summary'",
        ),
    ],
)
def test_problem_names_file_and_line(fresh, relative, text, expected):
    _write(fresh, relative, text)
    with pytest.raises(CorpusError) as raised:
        load_corpus(fresh.corpus_dir)
    assert any(p.startswith(expected) for p in raised.value.problems), raised.value.problems


def test_every_problem_is_reported_at_once(fresh):
    _write(fresh, "sla/a.md", "no front matter\n")
    _write(fresh, "sla/b.md", "also none\n")
    with pytest.raises(CorpusError) as raised:
        load_corpus(fresh.corpus_dir)
    assert len(raised.value.problems) == 2


def test_repeated_paragraph_is_reported(fresh):
    paragraph = (
        "A service credit is a reduction of the monthly charge that a supplier gives the "
        "client when a service level is missed, and this sentence is long enough to count."
    )
    _write(fresh, "sla/copy-one.md", GOOD_FRONT.format(id="copy-one", topic="sla") + paragraph + "\n")
    _write(fresh, "sla/copy-two.md", GOOD_FRONT.format(id="copy-two", topic="sla") + paragraph + "\n")
    with pytest.raises(CorpusError) as raised:
        load_corpus(fresh.corpus_dir)
    assert any("paragraph repeats" in p and "copy-two.md:11" in p for p in raised.value.problems)


def test_non_utf8_file_is_reported(fresh):
    (fresh.corpus_dir / "sla" / "latin.md").write_bytes(b"---\nid: latin\n---\ncaf\xe9\n")
    with pytest.raises(CorpusError) as raised:
        load_corpus(fresh.corpus_dir)
    assert any("latin.md:1: not valid UTF-8" in p for p in raised.value.problems)


def test_corpus_check_warns_about_old_or_missing_review_dates():
    import datetime
    from pathlib import Path

    from assistant.corpus import Article, stale_reviews

    def article(reviewed):
        return Article(
            id="a",
            title="A",
            topic="sla",
            audience=("manager",),
            tags=(),
            summary="s",
            related=(),
            references=(),
            body="x",
            path=Path("sla/a.md"),
            body_line=5,
            reviewed=reviewed,
        )

    today = datetime.date(2026, 12, 2)
    assert stale_reviews([article("2026-01-01")], 730, today) == []
    (old,) = stale_reviews([article("2023-01-01")], 730, today)
    assert "a.md: last reviewed 2023-01-01, over 730 days ago" in old
    (missing,) = stale_reviews([article("")], 730, today)
    assert "no 'reviewed' date" in missing
    assert stale_reviews([article("")], 0, today) == []


def test_the_fast_yaml_parser_reads_every_front_matter_as_safe_load_does():
    """load_yaml uses libyaml where PyYAML has it: the same values, dates and types included."""
    fronts = [FRONT_MATTER.match(path.read_text(encoding="utf-8"))[1] for path in corpus_files(ROOT / "corpus")]
    assert len(fronts) > 100
    for front in fronts:
        fast, reference = load_yaml(front), yaml.safe_load(front)
        assert fast == reference and repr(fast) == repr(reference)
