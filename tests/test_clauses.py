"""The clause library: built from the corpus's marked sections and `clause` front matter, validated by
`assistant corpus check`, served as /clauses pages and /api/clauses JSON."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from assistant import clauses
from assistant.api import create_app
from assistant.cli import cli
from assistant.corpus import load_corpus, parse_article
from assistant.errors import NotFound
from assistant.markdown import render_article
from assistant.settings import ROOT, Settings

CORPUS = ROOT / "corpus"
# The clause types issue 12 names, each with the three positions in its article's front matter.
CORE = [
    "liability",
    "indemnities",
    "service-credits",
    "step-in",
    "exit-assistance",
    "termination",
    "tupe",
    "data-processing",
    "controller-processor",
    "audit",
    "benchmarking",
    "change-control",
    "force-majeure",
    "ip",
    "confidentiality",
    "key-personnel",
    "subcontracting",
    "mfn",
    "non-solicitation",
    "insurance",
    "security",
    "bc-dr",
    "indexation",
    "term-and-renewal",
    "warranties",
    "dispute-resolution",
]


@pytest.fixture(scope="module")
def articles():
    return load_corpus(CORPUS)


@pytest.fixture(scope="module")
def library():
    return clauses.library(CORPUS)


def test_the_shipped_clause_library_is_valid(articles):
    assert clauses.check(articles, CORPUS) == []


def test_every_core_clause_type_has_wording_caveat_and_three_positions(library):
    assert len(library.clauses) >= 30
    for clause_type in CORE:
        entry = library.get(clause_type)
        assert entry.wording and entry.caveat, clause_type
        assert set(entry.positions) == {"client", "balanced", "supplier"}, clause_type
        # service-credits discusses negotiation under "Credits, penalties and damages" (not a marked section).
        assert "negotiation" in entry.parts or clause_type == "service-credits", clause_type


def test_sample_wording_is_verbatim_with_numbers_and_line_breaks(library):
    liability = library.get("liability")
    assert liability.wording.startswith("14.1 Nothing in this Agreement limits liability for death")
    assert "\n\n14.2 Subject to clause 14.1" in liability.wording and "\n\n14.3 " in liability.wording
    tupe = library.get("tupe").wording.splitlines()
    assert [line[:3] for line in tupe] == ["1. ", "2. ", "3. ", "4. "]
    credits = library.get("service-credits").wording
    assert credits.startswith("Service Credits. If the Supplier fails") and "**" not in credits
    assert "illustrative only and is not legal advice" in library.get("liability").caveat


def test_every_wording_line_is_a_line_of_its_article(library):
    for entry in library.clauses:
        quoted = {
            re.sub(r"^>\s?", "", line).replace("**", "")
            for line in entry.path.read_text(encoding="utf-8").splitlines()
            if line.startswith(">")
        }
        for line in entry.wording.splitlines():
            assert line in quoted or not line, (entry.type, line)


def test_every_cited_anchor_is_on_the_article_page(library, articles):
    bodies = {a.id: a.body for a in articles}
    for entry in library.clauses:
        ids = set(re.findall(r'id="([^"]+)"', render_article(bodies[entry.doc_id]))) | {"overview"}
        for part in [entry.does, entry.sample, *entry.parts.values()]:
            assert part.anchor in ids, (entry.type, part.heading, part.anchor)


@pytest.mark.parametrize(
    "heading, role",
    [
        ("Sample clause", "sample"),
        ("Sample audit clause", "sample"),
        ("Sample clause: baseline verification", "sample"),
        ("Sample clause and negotiation points: extension options", "sample"),
        ("Sample notice", None),
        ("Sample priority matrix", None),
        ("What a good liability clause contains", "good"),
        ("What a workable MFC clause contains", "good"),
        ("What the client should ask for", "good"),
        ("Negotiation points for the client and the vendor", "negotiation"),
        ("Negotiation points, red flags and interactions", "negotiation"),
        ("Red flags and interactions with other clauses", "red_flags"),
        ("Red flags in IP wording", "red_flags"),
        ("How the liability clause interacts with other clauses", "interactions"),
        ("How practice varies by jurisdiction", "jurisdiction"),
        ("Regulation and jurisdiction", "jurisdiction"),
        ("How regulation shapes subcontracting", "jurisdiction"),
        ("Common pitfalls", "pitfalls"),
        ("What a limitation of liability clause does", "does"),
        ("What step-in rights are", "does"),
        ("What Article 28 requires", "does"),
        ("Worked example", None),
        ("Key points", None),
    ],
)
def test_a_sections_role_comes_from_its_heading(heading, role):
    assert clauses.role(heading) == role


def test_search_and_topic_filter(library):
    assert "liability" in {c.type for c in library.search("super-cap")}
    assert all(c.topic == "sla" for c in library.search(topic="sla")) and library.search(topic="sla")
    both = {c.type for c in library.search("sole remedy credits")}
    assert "service-credits" in both and all("sole" in library.get(t).haystack for t in both)
    assert library.search("zzzz-no-such-word") == []
    with pytest.raises(NotFound, match="no clause type 'nope'"):
        library.get("nope")


# ---- validation ---------------------------------------------------------------------------------

FRONT = """---
id: {id}
title: {title}
topic: contracts
audience: [manager]
tags: [a]
summary: A summary.
related: []
references: []
{extra}---

Intro text of the article.

## Sample clause

{sample}

## Negotiation points

Both sides talk.
"""
QUOTE = (
    "The clause below is illustrative only and is not legal advice.\n\n"
    "> 1. The Supplier shall do it.\n>\n> 2. And more."
)


def _article(folder: Path, doc_id: str, extra: str = "", sample: str = QUOTE, title: str = "A title") -> Path:
    path = folder / "contracts" / f"{doc_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FRONT.format(id=doc_id, title=title, extra=extra, sample=sample), encoding="utf-8")
    return path


def test_a_minimal_article_becomes_an_entry(tmp_path):
    _article(tmp_path, "thing", extra="clause:\n  type: thing\n  positions:\n    balanced: Middle.\n")
    entry = clauses.clause_of(load_corpus(tmp_path)[0])
    assert (entry.type, entry.name) == ("thing", "A title")
    assert entry.wording == "1. The Supplier shall do it.\n\n2. And more."
    assert entry.positions == {"balanced": "Middle."} and entry.does.anchor == "overview"


@pytest.mark.parametrize(
    "extra, message",
    [
        ("clause: liability\n", "'clause' must be a mapping"),
        ("clause:\n  type: Not Kebab\n", "clause type must be kebab-case"),
        ("clause:\n  type: x\n  colour: red\n", "unknown clause key(s) ['colour']"),
        (
            "clause:\n  type: x\n  positions:\n    neutral: text\n",
            "clause positions must map client, balanced, supplier",
        ),
        ("clause:\n  type: x\n  positions:\n    client: ''\n", "clause positions must map"),
    ],
)
def test_bad_clause_front_matter_is_reported_with_its_line(tmp_path, extra, message):
    path = _article(tmp_path, "bad", extra=extra)
    _, problems = parse_article(path, tmp_path)
    assert problems and problems[0].startswith("contracts/bad.md:10: ") and message in problems[0], problems


@pytest.mark.parametrize(
    "sample, extra, message",
    [
        (
            "The clause below is illustrative only and is not legal advice.\n\nThe Supplier shall do it.",
            "",
            "contracts/a.md:14: the sample clause section has no '>' blockquote",
        ),
        ("> 1. The Supplier shall do it.", "", "contracts/a.md:14: the sample clause needs its caveat"),
    ],
)
def test_check_finds_a_sample_without_wording_or_caveat(tmp_path, sample, extra, message):
    _article(tmp_path, "a", sample=sample, extra=extra)
    problems = clauses.check(load_corpus(tmp_path), tmp_path)
    assert any(p.startswith(message) for p in problems), problems


def test_check_finds_duplicate_types_and_front_matter_without_a_sample(tmp_path):
    _article(tmp_path, "a", extra="clause:\n  type: same\n")
    _article(tmp_path, "b", extra="clause:\n  type: same\n")
    path = _article(tmp_path, "c", extra="clause:\n  type: other\n")
    path.write_text(path.read_text().replace("## Sample clause", "## Example"), encoding="utf-8")
    problems = clauses.check(load_corpus(tmp_path), tmp_path)
    assert "contracts/b.md:1: clause type 'same' is also used by contracts/a.md" in problems
    assert any(p.startswith("contracts/c.md:1: front matter 'clause' is set but") for p in problems)


def test_corpus_check_fails_on_a_clause_without_wording(tmp_path):
    shutil.copytree(ROOT / "tests" / "fixtures" / "corpus", tmp_path / "corpus")
    _article(tmp_path / "corpus", "broken", sample="The clause below is illustrative only and not legal advice.")
    result = CliRunner().invoke(cli, ["corpus", "check"], env={"ASSISTANT_CORPUS_DIR": str(tmp_path / "corpus")})
    assert result.exit_code == 1 and "contracts/broken.md:14: the sample clause section has no" in result.output


def test_corpus_check_reports_the_library(tmp_path):
    result = CliRunner().invoke(cli, ["corpus", "check"], env={"ASSISTANT_CORPUS_DIR": str(CORPUS)})
    assert result.exit_code == 0, result.output
    assert re.search(r"clause library: \d+ clause types, \d+ with client/balanced/supplier positions", result.output)


def test_the_library_is_rebuilt_when_an_article_changes(tmp_path):
    path = _article(tmp_path, "live", title="First")
    assert clauses.library(tmp_path).get("live").name == "First"
    path.write_text(path.read_text().replace("title: First", "title: Second version"), encoding="utf-8")
    assert clauses.library(tmp_path).get("live").name == "Second version"


# ---- pages and API ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("clauses")
    settings = Settings(
        corpus_dir=CORPUS, index_dir=root / "index", db_path=root / "assistant.db", web_dir=ROOT / "web"
    )
    # No lifespan: the library reads the corpus, not the index. localhost is always an allowed host.
    return TestClient(create_app(settings), base_url="http://localhost")


def test_api_lists_filters_and_returns_an_entry(client):
    everything = client.get("/api/clauses").json()
    assert len(everything) >= 30 and {"type", "name", "doc_id", "url", "topic"} <= set(everything[0])
    assert [e["type"] for e in client.get("/api/clauses", params={"q": "super-cap", "topic": "contracts"}).json()]
    entry = client.get("/api/clauses/liability").json()
    assert entry["sample"]["wording"].startswith("14.1 ")
    assert entry["sample"]["url"] == "/docs/limitation-of-liability#sample-clause"
    assert [p["side"] for p in entry["positions"]] == ["client", "balanced", "supplier"]
    assert entry["sections"]["negotiation"]["url"].startswith("/docs/limitation-of-liability#negotiation-points")
    assert entry["does"]["heading"] == "What a limitation of liability clause does"


@pytest.mark.parametrize(
    "path, status, message",
    [
        ("/api/clauses/nope", 404, "There is no clause type 'nope'"),
        ("/api/clauses/" + "x" * 81, 422, "at most 80 characters"),
        ("/api/clauses?q=" + "x" * 201, 422, "at most 200 characters"),
    ],
)
def test_api_bad_requests(client, path, status, message):
    response = client.get(path)
    assert response.status_code == status and message in response.json()["error"]


def test_openapi_documents_the_clause_api(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/clauses" in paths and "/api/clauses/{clause_type}" in paths and "/clauses" not in paths


class _Page(HTMLParser):
    """Collects links, visible list items and the text of elements by id."""

    def __init__(self):
        super().__init__()
        self.links, self.items, self.current, self.stack, self.text = [], [], [], [], {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self.links.append(attrs.get("href"))
            if attrs.get("aria-current") == "page":
                self.current.append(attrs["href"])
        if tag == "li" and "data-type" in attrs and "hidden" not in attrs:
            self.items.append(attrs["data-type"])
        self.stack.append(attrs.get("id"))

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        for element in self.stack:
            if element:
                self.text[element] = self.text.get(element, "") + data


def _page(client, path: str) -> _Page:
    response = client.get(path)
    assert response.status_code == 200, response.text
    page = _Page()
    page.feed(response.text)
    return page


def test_the_library_page_lists_and_filters_without_javascript(client):
    page = _page(client, "/clauses")
    assert len(page.items) >= 30 and "http://localhost/clauses" in page.current
    assert "http://localhost/clauses/liability" in page.links
    filtered = _page(client, "/clauses?q=super-cap&topic=contracts")
    assert "liability" in filtered.items and len(filtered.items) < len(page.items)
    assert _page(client, "/clauses?q=zzzz").items == []


def test_a_clause_page_shows_wording_positions_and_sources(client):
    page = _page(client, "/clauses/liability")
    assert page.text["wording"] == clauses.library(CORPUS).get("liability").wording
    links = [link for link in page.links if link and "/docs/limitation-of-liability#" in link]
    assert {
        "http://localhost/docs/limitation-of-liability#sample-clause",
        "http://localhost/docs/limitation-of-liability#how-practice-varies-by-jurisdiction",
    } <= set(links)
    assert "illustrative only and is not legal advice" in client.get("/clauses/liability").text
    for label in ("Client-favourable", "Balanced", "Supplier-favourable", "Red flags", "Jurisdiction notes"):
        assert label in client.get("/clauses/step-in").text, label
    assert client.get("/clauses/nope").status_code == 404
