"""Convert one file (PDF, DOCX, HTML, Markdown, text) to a title and a Markdown body of `##` sections.

The conversion is done by well-kept libraries (pdfplumber, python-docx, markdownify); this module
only maps what they read onto the corpus's Markdown: headings as `##`/`###` sections, tables as
pipe tables, and each PDF page's start as a `<!-- page N -->` line so citations can give the page.
"""

from __future__ import annotations

import re
from pathlib import Path

from .pdf import PdfError, pdf_markdown

SUFFIXES = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
}
_ATX = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.DOTALL)


class ConversionError(Exception):
    """A file that cannot become an article; the message says why and what to do."""


def kind_of(path: Path) -> str:
    """pdf, docx, html, markdown or text, from the file's extension; ConversionError for others."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise ConversionError(
            f"unsupported type '{path.suffix or 'no extension'}'; ingest {', '.join(sorted(SUFFIXES))} files"
        )
    return kind


def convert(path: Path) -> tuple[str | None, str]:
    """(title found in the document or None, Markdown body) of a supported file."""
    kind = kind_of(path)
    return {"pdf": _pdf, "docx": _docx, "html": _html, "markdown": _markdown, "text": _text}[kind](path)


def table(rows: list[list[str | None]]) -> str:
    """A Markdown pipe table; the first row is the header."""
    cells = [[re.sub(r"\s+", " ", c or "").strip().replace("|", "\\|") for c in row] for row in rows]
    width = max(len(row) for row in cells)
    cells = [row + [""] * (width - len(row)) for row in cells]
    lines = ["| " + " | ".join(row) + " |" for row in cells]
    lines.insert(1, "|" + " --- |" * width)
    return "\n".join(lines)


def headings_from(markdown: str, title: str | None) -> tuple[str | None, str]:
    """Sections as `##` and below: a leading `#` heading becomes the title (if none yet) and the
    headings shift so that the highest is `##`. Fenced code is left alone."""
    lines, fenced, found = markdown.splitlines(), False, []
    for i, line in enumerate(lines):
        fenced = fenced != line.lstrip().startswith("```")
        match = None if fenced else _ATX.match(line)
        if match:
            found.append((i, len(match[1]), match[2]))
    if found and found[0][1] == 1 and (title is None or found[0][2].strip() == title):
        title = title or found[0][2].strip()
        lines[found[0][0]] = ""
        found = found[1:]
    if found:
        shift = 2 - min(level for _, level, _ in found)
        for i, level, text in found:
            lines[i] = "#" * min(6, level + shift) + " " + text
    return title, "\n".join(lines).strip() + "\n"


def _pdf(path: Path) -> tuple[str | None, str]:
    try:
        return pdf_markdown(path)
    except PdfError as err:
        raise ConversionError(str(err)) from err


def _text(path: Path) -> tuple[str | None, str]:
    text = _read_text(path)
    return None, re.sub(r"\n{3,}", "\n\n", text.replace("\r\n", "\n")).strip() + "\n"


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # older Windows text files


def _markdown(path: Path) -> tuple[str | None, str]:
    import yaml

    text, title = _read_text(path).replace("\r\n", "\n"), None
    match = _FRONT_MATTER.match(text)
    if match:  # the file's own front matter: only its title is kept
        try:
            meta = yaml.safe_load(match[1])
        except yaml.YAMLError:
            meta = None
        title = str(meta["title"]) if isinstance(meta, dict) and meta.get("title") else None
        text = text[match.end() :]
    return headings_from(text, title)


def _html(path: Path) -> tuple[str | None, str]:
    from bs4 import BeautifulSoup
    from markdownify import markdownify

    soup = BeautifulSoup(_read_text(path), "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    for tag in soup(["script", "style", "nav", "header", "footer", "head", "form", "noscript"]):
        tag.decompose()
    body = markdownify(str(soup.body or soup), heading_style="ATX", bullets="-", strip=["img", "a"])
    return headings_from(re.sub(r"\n{3,}", "\n\n", body), title or None)


def _docx(path: Path) -> tuple[str | None, str]:
    from zipfile import BadZipFile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    if path.read_bytes()[:4] == b"\xd0\xcf\x11\xe0":  # an OLE file: encrypted, or the old .doc format
        raise ConversionError(
            "encrypted (or an old binary Word file); remove the password or save it as .docx, then ingest it again"
        )
    try:
        document = docx.Document(str(path))
    except (BadZipFile, PackageNotFoundError, KeyError, ValueError) as err:
        raise ConversionError(f"not a readable DOCX file ({err}); open and save it again in Word") from err
    title, blocks = document.core_properties.title or None, []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            rows = [[cell.text for cell in row.cells] for row in item.rows]
            if rows and len(rows) > 1:
                blocks.append(table(rows))
            continue
        text, style = item.text.strip(), (item.style.name if item.style is not None else "") or ""
        if not text:
            continue
        level = re.match(r"Heading (\d)", style)
        if style == "Title":
            title = title or text
            blocks.append(f"# {text}")
        elif level:
            blocks.append("#" * (int(level[1]) + 1) + f" {text}")
        elif style.startswith("List"):
            blocks.append(("1. " if "Number" in style else "- ") + text)
        else:
            blocks.append(text)
    return headings_from(_join(blocks), title)


def _join(blocks: list[str]) -> str:
    """Blocks separated by blank lines, but a list's items kept together."""
    out = []
    for block in blocks:
        if out and re.match(r"(- |1\. )", block) and re.match(r"(- |1\. )", out[-1].splitlines()[-1]):
            out[-1] += "\n" + block
        else:
            out.append(block)
    return "\n\n".join(out)
