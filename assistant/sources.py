"""Which collection a source comes from, and how a citation names it ("Your organisation: ...")."""

from __future__ import annotations

from .corpus import Article

COLLECTIONS = ("corpus", "organisation")
ORGANISATION_LABEL = "Your organisation"


def page_text(pages: str) -> str:
    """ "4" -> "p. 4", "4-5" -> "pp. 4–5", "" -> ""."""
    if not pages:
        return ""
    return f"pp. {pages.replace('-', '–')}" if "-" in pages else f"p. {pages}"


def source_fields(passage, document: Article | None) -> dict:
    """A citation's `collection`, `page` (an ingested PDF's "4" or "4-5", else null) and `label`:
    "Your organisation: Supplier Code of Conduct, §3 Audit rights, p. 4" for the organisation's
    documents, "Title › Section" for the curated corpus."""
    collection = document.collection if document else "corpus"
    pages = getattr(passage, "pages", "") or ""
    if collection == "organisation":
        label = f"{ORGANISATION_LABEL}: {passage.title}, §{passage.section}"
        label += f", {page_text(pages)}" if pages else ""
    else:
        label = f"{passage.title} › {passage.section}"
    return {"collection": collection, "page": pages or None, "label": label}
