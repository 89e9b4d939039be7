"""Study items from the shipped corpus: enough of them, every one linked to a real section,
calculations recomputed, multiple choice with sibling options, ids stable, stored with the index."""

from __future__ import annotations

import math
import re
from collections import Counter
from html.parser import HTMLParser

import pytest

from assistant.corpus import load_corpus
from assistant.markdown import INTRO_ANCHOR, render_article
from assistant.settings import ROOT
from assistant.study.catalog import ItemCatalog
from assistant.study.items import FILE, KINDS, build_items, read_study_items, write_study_items
from assistant.study.numbers import parse_numbers

pytestmark = pytest.mark.slow  # study items of the whole shipped corpus
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="module")
def articles():
    return load_corpus(CORPUS)


@pytest.fixture(scope="module")
def items(articles):
    return build_items(articles)


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = {INTRO_ANCHOR}  # the article page puts the overview's id on the body

    def handle_starttag(self, tag, attrs):
        self.ids.update(value for name, value in attrs if name == "id")


def test_there_are_over_a_thousand_items_of_every_kind_in_every_topic(items, articles):
    assert len(items) >= 1000
    assert set(Counter(i.kind for i in items)) == set(KINDS)
    topics = {a.topic for a in articles if a.topic != "glossary"}
    per_topic = Counter(i.topic for i in items)
    assert all(per_topic[t] >= 20 for t in topics), per_topic


def test_every_item_links_to_a_section_that_exists(items, articles):
    anchors = {}
    for article in articles:
        parser = _Ids()
        parser.feed(render_article(article.body))
        anchors[article.id] = parser.ids
    for item in items:
        doc, anchor = re.fullmatch(r"/docs/([\w-]+)#([\w-]+)", item.url).groups()
        assert doc == item.source and anchor in anchors[doc], item


def test_ids_are_unique_and_stable(items, articles):
    assert len({i.id for i in items}) == len(items)
    # An id hangs on where the item comes from, not on the rest of the corpus or the build.
    sla = [a for a in articles if a.topic == "sla"]
    again = [i.id for i in build_items(sla) if i.kind in ("check", "calculation", "choice")]
    assert again and set(again) <= {i.id for i in items}


def test_every_check_yourself_question_is_an_item(items):
    questions = sum(len(re.findall(r"^\*\*Q:\*\*", p.read_text(), re.MULTILINE)) for p in CORPUS.rglob("*.md"))
    assert sum(i.kind == "check" for i in items) == questions


def test_glossary_gives_flashcards_both_ways_and_acronyms(items):
    rpo = [i for i in items if i.source == "glossary" and i.section == "Recovery point objective (RPO)"]
    kinds = {i.id.split("-")[0]: i for i in rpo}
    assert set(kinds) == {"def", "term", "mcq", "acr"}
    assert kinds["acr"].prompt == "What does RPO stand for?" and kinds["acr"].answer == "Recovery point objective"
    assert "RPO" not in kinds["term"].prompt and "___" in kinds["term"].prompt
    assert kinds["def"].answer.startswith("Recovery point objective (RPO) is")
    assert all(i.topic != "glossary" for i in rpo)  # a term joins the topic that uses it most


def test_multiple_choice_has_four_distinct_sibling_options(items):
    choices = [i for i in items if i.kind == "choice"]
    assert len(choices) >= 300
    for item in choices:
        assert len(item.options) == 4 == len(set(item.options)) and item.answer in item.options, item
    positions = Counter(i.options.index(i.answer) for i in choices)
    assert min(positions.values()) > len(choices) / 8  # the right option is not always in one place
    glossary_terms = {re.search(r"“(.+)”", i.prompt).group(1) for i in items if i.id.startswith("def-")}
    for item in choices:
        if item.id.startswith("mcq-"):
            assert set(item.options) <= glossary_terms  # distractors are other glossary terms


def _evaluate(expression: str) -> float:
    numbers = re.sub(r"(\d[\d,]*(?:\.\d+)?)%", lambda m: f"({m.group(1).replace(',', '')}/100)", expression)
    numbers = re.sub(r"(\d),(\d{3})", r"\1\2", re.sub(r"(\d),(\d{3})", r"\1\2", numbers))
    python = numbers.replace("×", "*").replace("÷", "/").replace("−", "-").replace("^", "**")
    return eval(python, {"__builtins__": {}})  # digits and operators only


def test_calculation_items_are_recomputed(items):
    calculations = [i for i in items if i.kind == "calculation"]
    assert len(calculations) >= 200
    for item in calculations:
        stated = parse_numbers(item.explanation)[-1].value  # the working ends with the answer
        assert stated == pytest.approx(item.value, rel=1e-3, abs=0.01), item
        # Every "expression = figure" of the working holds, e.g. "12% × 50% × 200,000 = 12,000".
        for expression, figure in re.findall(
            r"((?:\(|\d)[\d.,%()×÷−+ ^]*[×÷−+^][\d.,%() ]+)=\s*([\d,]+(?:\.\d+)?%?)", item.explanation
        ):
            value, stated = _evaluate(expression.strip()), float(figure.rstrip("%").replace(",", ""))
            # "0.999^2 = 99.8001%" is a fraction, "(43,080 − 70) ÷ 43,080 × 100 = 99.838%" points.
            readings = [value, value * 100] if figure.endswith("%") else [value]
            assert any(r == pytest.approx(stated, rel=2e-3, abs=0.01) for r in readings), item


@pytest.mark.parametrize(
    "prefix, recompute",
    [
        (
            "A service is available 24×7 with an availability target of",
            lambda n: (100 - n[0]) / 100 * {30: 43_200, 31: 44_640, 28: 40_320, 90: 129_600, 365: 525_600}[n[1]],
        ),
        ("Monthly charges are", None),
        ("Erlang C says", lambda n: math.ceil(round(n[0] / (1 - n[1] / 100), 9))),
        ("A service desk receives", lambda n: n[0] * n[1] / 60),
    ],
)
def test_calculation_answers_follow_from_their_prompts(items, prefix, recompute):
    chosen = [i for i in items if i.kind == "calculation" and i.prompt.startswith(prefix)]
    assert len(chosen) >= 10
    for item in chosen:
        numbers = [n.value for n in parse_numbers(item.prompt.replace("24×7", ""))]
        if recompute is None:  # credits under the at-risk cap
            if "Credits of" in item.prompt:
                charges, at_risk, first, second = numbers[:4]
                assert item.value == min(first + second, charges * at_risk / 100)
            continue
        assert recompute(numbers) == pytest.approx(item.value, abs=0.006), item


def test_items_are_written_with_the_build_and_read_back(tmp_path, articles):
    sla = [a for a in articles if a.topic == "sla"]
    count = write_study_items(tmp_path, sla)
    assert (tmp_path / FILE).exists() and count == len(build_items(sla)) > 100
    assert read_study_items(tmp_path) == build_items(sla)
    assert read_study_items(tmp_path / "missing") is None


def test_catalog_reads_the_current_build_and_falls_back_to_the_corpus(tmp_path, articles):
    index, fixture_corpus = tmp_path / "index", ROOT / "tests" / "fixtures" / "corpus"
    (index / "build-1").mkdir(parents=True)
    (index / "current").symlink_to("build-1")
    catalog = ItemCatalog(index, fixture_corpus)
    # A build without study_items.json (made before study mode): items come from the corpus.
    fixture_ids = {p.stem for p in fixture_corpus.rglob("*.md")}
    assert "glossary" in {i.source for i in catalog.get().items} <= fixture_ids
    (index / "build-2").mkdir()
    write_study_items(index / "build-2", [a for a in articles if a.id == "service-credits"])
    (index / "current").unlink()
    (index / "current").symlink_to("build-2")  # what `assistant build` does: swap, never change
    swapped = catalog.get().items
    assert {i.source for i in swapped} == {"service-credits"}  # the new build's own file
    assert any(i.prompt.startswith("Why is the allocation pool larger than 100%") for i in swapped)
