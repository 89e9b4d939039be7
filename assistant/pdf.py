"""PDF to Markdown with pdfplumber: page markers, headings from font sizes, tables as tables."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from statistics import median

HEADING_RATIO = 1.15  # a line this much larger than the body text is a heading ...
HEADING_WORDS = 15  # ... when it has at most this many words
PARAGRAPH_GAP = 1.6  # a gap between lines over this many line heights starts a new paragraph


class PdfError(Exception):
    """A PDF that cannot be read; the message says why and what to do."""


def pdf_markdown(path: Path) -> tuple[str | None, str]:
    """(title, Markdown body) of a PDF; raises PdfError for encrypted, broken or scanned files."""
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        with pdfplumber.open(path) as pdf:
            title = str((pdf.metadata or {}).get("Title") or "").strip() or None
            pages = [_page(page) for page in pdf.pages]
    except PdfminerException as err:
        reason = type(err.args[0]).__name__ if err.args else ""
        if "Password" in reason or "Encrypt" in reason:
            raise PdfError("encrypted (password-protected); save an unprotected copy and ingest that") from err
        raise PdfError(f"not a readable PDF ({reason or err}); export it from its program again") from err
    if not any(line for lines, _ in pages for line in lines) and not any(t for _, t in pages):
        raise PdfError("no text layer (a scanned PDF?); run OCR on it first and ingest the result")
    first = pages[0][0][0] if pages[0][0] else None
    if title is None and first and first["size"] == max(ln["size"] for lines, _ in pages for ln in lines):
        title = first["text"]  # no title in the metadata: the first line, when it is the largest
    return title, _markdown(pages, title)


def _page(page) -> tuple[list[dict], list[tuple[float, list]]]:
    """The page's text lines outside its tables, and its tables (top, rows)."""
    tables = [(t.bbox, t.extract()) for t in page.find_tables()]
    lines = []
    for line in page.extract_text_lines(return_chars=True):
        inside = any(
            x0 <= line["x0"] and line["x1"] <= x1 + 1 and top <= line["top"] <= bottom
            for (x0, top, x1, bottom), _ in tables
        )
        if not inside and line["text"].strip():
            sizes = [round(c["size"], 1) for c in line["chars"] if c["text"].strip()]
            lines.append(
                {
                    "text": line["text"].strip(),
                    "top": line["top"],
                    "bottom": line["bottom"],
                    "size": median(sizes) if sizes else 0.0,
                    "chars": len(sizes),
                }
            )
    return lines, [(bbox[1], rows) for bbox, rows in tables if rows and len(rows) > 1]


def _markdown(pages, title: str | None) -> str:
    from .convert import table

    sizes: Counter = Counter()
    for lines, _ in pages:
        for line in lines:
            sizes[line["size"]] += line["chars"]
    body = sizes.most_common(1)[0][0] if sizes else 0.0
    heading_sizes = sorted(
        {ln["size"] for lines, _ in pages for ln in lines if _is_heading(ln, body) and ln["text"] != title},
        reverse=True,
    )
    out = []
    for number, (lines, tables) in enumerate(pages, start=1):
        out.append(f"<!-- page {number} -->")
        items = [(ln["top"], "line", ln) for ln in lines] + [(top, "table", rows) for top, rows in tables]
        paragraph, last = [], None
        for _, kind, item in sorted(items, key=lambda entry: entry[0]):
            new_block = (
                kind == "table"
                or _is_heading(item, body)
                or last is None
                or item["top"] - last["bottom"] > PARAGRAPH_GAP * (last["bottom"] - last["top"])
            )
            if new_block and paragraph:
                out.append(" ".join(paragraph))
                paragraph = []
            if kind == "table":
                out.append(table(item))
                last = None
            elif _is_heading(item, body):
                if not (item["text"] == title and not out[1:]):  # the title, not a section
                    level = min(heading_sizes.index(item["size"]) + 2 if item["size"] in heading_sizes else 2, 4)
                    out.append("#" * level + " " + item["text"])
                last = None
            else:
                paragraph.append(item["text"])
                last = item
        if paragraph:
            out.append(" ".join(paragraph))
    return "\n\n".join(out) + "\n"


def _is_heading(line: dict, body: float) -> bool:
    return line["size"] >= body * HEADING_RATIO and len(line["text"].split()) <= HEADING_WORDS
