"""The clause library over HTTP: /clauses pages and /api/clauses JSON; the entries come from `clauses`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from .. import clauses, review

router = APIRouter()
Search = Annotated[str, Query(max_length=200, description="Words that must all appear in the entry.")]
Topic = Annotated[str, Query(max_length=60, description="Only entries from this topic folder, e.g. 'contracts'.")]
ClauseType = Annotated[str, Path(max_length=80, description="The clause type, e.g. 'liability'.")]


class ClauseSummary(BaseModel):
    type: str = Field(description="The entry's permalink name: /clauses/{type}.")
    name: str
    doc_id: str = Field(description="The article the entry comes from.")
    title: str
    topic: str
    summary: str
    url: str
    jurisdiction: list[str]


class CitedText(BaseModel):
    heading: str = Field(description="The article section's heading.")
    text: str = Field(description="The section's Markdown.")
    url: str = Field(description="The article section, e.g. /docs/limitation-of-liability#sample-clause.")


class Sample(BaseModel):
    wording: str = Field(description="The sample clause verbatim, clause numbers and line breaks kept.")
    caveat: str = Field(description="The article's 'illustrative only, not legal advice' sentence.")
    url: str


class Position(BaseModel):
    side: str = Field(description="client, balanced or supplier")
    label: str
    text: str


class ClauseEntry(ClauseSummary):
    does: CitedText = Field(description="What the clause does.")
    sample: Sample
    positions: list[Position] = Field(
        description="What a client-favourable, a balanced and a supplier-favourable "
        "draft take, where the corpus states them."
    )
    sections: dict[str, CitedText] = Field(
        description="good, negotiation, red_flags, interactions, jurisdiction and pitfalls, where the article has them."
    )


def _library(request: Request) -> clauses.ClauseLibrary:
    return clauses.library(request.app.state.settings.corpus_dir)


@router.get("/api/clauses", response_model=list[ClauseSummary], tags=["clauses"])
def list_clauses(request: Request, q: Search = "", topic: Topic = ""):
    """Every clause type the corpus has a sample clause for, filtered by topic and search words."""
    return [c.as_dict(full=False) for c in _library(request).search(q, topic)]


@router.get(
    "/api/clauses/{clause_type}",
    response_model=ClauseEntry,
    tags=["clauses"],
    responses={404: {"description": "No such clause type"}},
)
def get_clause(request: Request, clause_type: ClauseType):
    """One clause type: what it does, the sample wording, positions, negotiation points, red flags,
    interactions and jurisdiction notes, each citing its article section."""
    return _library(request).get(clause_type).as_dict()


class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(
        ...,
        max_length=review.MAX_CHARS,
        description="The clause to review, up to 20,000 characters.",
        examples=[
            "The Supplier's total liability shall not exceed the Charges paid in the previous "
            "twelve months. Service Credits are the Customer's sole and exclusive remedy."
        ],
    )
    clause_type: str | None = Field(
        None, max_length=80, description="Review as this clause type instead of the most likely one, e.g. 'liability'."
    )


class Candidate(BaseModel):
    type: str
    name: str
    score: float = Field(description="Share of the evidence for this type, 0 to 1.")


class ReviewCitation(BaseModel):
    doc_id: str
    anchor: str
    url: str


class Finding(BaseModel):
    name: str
    evidence: str = Field(description="The sentence of the pasted text that matches; empty when nothing does.")
    guidance: str = Field(description="The corpus sentence that explains what is expected.")
    citation: ReviewCitation


class Element(Finding):
    status: str = Field(description="present, weak or missing")


class NumberFinding(Finding):
    value: float
    unit: str
    typical: list[float] = Field(description="The usual range the corpus gives, [low, high].")
    verdict: str = Field(description="below, within or above the usual range")
    summary: str


class ReviewResponse(BaseModel):
    clause_type: str | None = Field(description="The type reviewed: the given one, or the most likely one.")
    name: str | None
    candidates: list[Candidate] = Field(description="The three most likely clause types.")
    elements: list[Element]
    red_flags: list[Finding]
    numbers: list[NumberFinding]
    notice: str = Field(description="What happens to the text: it is not stored or logged.")


@router.post(
    "/api/review",
    response_model=ReviewResponse,
    tags=["clauses"],
    responses={
        400: {"description": "Empty, binary or unknown clause type"},
        422: {"description": "Over 20,000 characters, or not a JSON object with text"},
    },
)
def review_clause(request: Request, body: ReviewRequest):
    """Review a pasted clause: its likely type, each element a good clause contains (present, weak or
    missing, with the matching sentence), red flags and figures against the corpus's usual ranges. The
    text is neither stored nor logged."""
    return review.review(body.text, request.app.state.settings.corpus_dir, body.clause_type)


@router.get("/clauses/review", response_class=HTMLResponse, include_in_schema=False)
def review_page(request: Request):
    """Paste a clause and read its review; the page speaks to POST /api/review."""
    rules, _ = review.load(request.app.state.settings.corpus_dir)
    types = sorted(((t, r.name) for t, r in rules.items()), key=lambda item: item[1].lower())
    return request.app.state.templates.TemplateResponse(
        request, "review.html", {"page": "clauses", "types": types, "max_chars": review.MAX_CHARS}
    )


@router.get("/clauses", response_class=HTMLResponse, include_in_schema=False)
def clause_index(request: Request, q: Search = "", topic: Topic = ""):
    """The clause library page; the search form also works without JavaScript."""
    library = _library(request)
    return request.app.state.templates.TemplateResponse(
        request,
        "clauses.html",
        {
            "page": "clauses",
            "clauses": library.clauses,
            "shown": {c.type for c in library.search(q, topic)},
            "topics": library.topics,
            "q": q,
            "topic": topic,
        },
    )


@router.get("/clauses/{clause_type}", response_class=HTMLResponse, include_in_schema=False)
def clause_page(request: Request, clause_type: ClauseType):
    """One clause type's page (its permalink)."""
    clause = _library(request).get(clause_type)
    return request.app.state.templates.TemplateResponse(
        request,
        "clause.html",
        {"page": "clauses", "clause": clause, "labels": clauses.POSITION_LABELS, "sections": SECTIONS},
    )


# The order and headings of the parts on a clause page.
SECTIONS = [
    ("good", "What a good clause contains"),
    ("negotiation", "Negotiation points"),
    ("red_flags", "Red flags"),
    ("interactions", "Interactions with other clauses"),
    ("jurisdiction", "Jurisdiction notes"),
    ("pitfalls", "Common pitfalls"),
]
