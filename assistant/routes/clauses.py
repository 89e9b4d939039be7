"""The clause library over HTTP: /clauses pages and /api/clauses JSON; the entries come from `clauses`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from .. import clauses

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
    positions: list[Position] = Field(description="What a client-favourable, a balanced and a supplier-favourable "
                                                  "draft take, where the corpus states them.")
    sections: dict[str, CitedText] = Field(description="good, negotiation, red_flags, interactions, jurisdiction "
                                                       "and pitfalls, where the article has them.")


def _library(request: Request) -> clauses.ClauseLibrary:
    return clauses.library(request.app.state.settings.corpus_dir)


@router.get("/api/clauses", response_model=list[ClauseSummary], tags=["clauses"])
def list_clauses(request: Request, q: Search = "", topic: Topic = ""):
    """Every clause type the corpus has a sample clause for, filtered by topic and search words."""
    return [c.as_dict(full=False) for c in _library(request).search(q, topic)]


@router.get("/api/clauses/{clause_type}", response_model=ClauseEntry, tags=["clauses"],
            responses={404: {"description": "No such clause type"}})
def get_clause(request: Request, clause_type: ClauseType):
    """One clause type: what it does, the sample wording, positions, negotiation points, red flags,
    interactions and jurisdiction notes, each citing its article section."""
    return _library(request).get(clause_type).as_dict()


@router.get("/clauses", response_class=HTMLResponse, include_in_schema=False)
def clause_index(request: Request, q: Search = "", topic: Topic = ""):
    """The clause library page; the search form also works without JavaScript."""
    library = _library(request)
    return request.app.state.templates.TemplateResponse(request, "clauses.html", {
        "page": "clauses", "clauses": library.clauses, "shown": {c.type for c in library.search(q, topic)},
        "topics": library.topics, "q": q, "topic": topic})


@router.get("/clauses/{clause_type}", response_class=HTMLResponse, include_in_schema=False)
def clause_page(request: Request, clause_type: ClauseType):
    """One clause type's page (its permalink)."""
    clause = _library(request).get(clause_type)
    return request.app.state.templates.TemplateResponse(request, "clause.html", {
        "page": "clauses", "clause": clause, "labels": clauses.POSITION_LABELS, "sections": SECTIONS})


# The order and headings of the parts on a clause page.
SECTIONS = [("good", "What a good clause contains"), ("negotiation", "Negotiation points"),
            ("red_flags", "Red flags"), ("interactions", "Interactions with other clauses"),
            ("jurisdiction", "Jurisdiction notes"), ("pitfalls", "Common pitfalls")]
