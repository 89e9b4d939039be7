"""Real files for the ingest tests, written by the libraries people make them with."""

from __future__ import annotations

from pathlib import Path

AUDIT = (
    "Fabrikam may audit a supplier's premises, books and subcontractors once a year. "
    "The supplier receives ten working days' written notice before an audit, except when fraud is suspected. "
    "The supplier bears its own costs of the audit unless it reveals a material breach."
)
GIFTS = (
    "Suppliers must not offer Fabrikam employees gifts or hospitality worth more than 50 euros a year. "
    "Any gift above that value is declared to the compliance office within five days."
)


def code_of_conduct_pdf(path: Path) -> Path:
    """Two pages: a title, '1 Scope' with a table on page 1, '3 Audit rights' on page 2."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title("Supplier Code of Conduct")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 20)
    pdf.cell(0, 12, "Supplier Code of Conduct", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 10, "1 Scope", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(
        0,
        6,
        "This code applies to every supplier of goods and services to Fabrikam and to its "
        "subcontractors. Response times by supplier tier are set out below.",
    )
    pdf.ln(4)
    with pdf.table() as table:
        for cells in (("Tier", "Response time"), ("Gold", "4 hours"), ("Silver", "1 business day")):
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 10, "3 Audit rights", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, AUDIT)
    pdf.output(str(path))
    return path


def gifts_policy_docx(path: Path) -> Path:
    """A DOCX with a title, Heading 1 and 2 sections, a list and a table."""
    import docx

    document = docx.Document()
    document.add_heading("Gifts and Hospitality Policy", level=0)
    document.add_heading("Purpose", level=1)
    document.add_paragraph("This policy keeps supplier relationships free of undue influence.")
    document.add_heading("Limits", level=1)
    document.add_heading("Gifts from suppliers", level=2)
    document.add_paragraph(GIFTS)
    document.add_paragraph("Cash is never accepted", style="List Bullet")
    document.add_paragraph("Invitations are approved by a manager", style="List Bullet")
    table = document.add_table(rows=3, cols=2)
    for r, cells in enumerate((("Item", "Limit"), ("Gift", "50 euros"), ("Dinner", "100 euros"))):
        for c, text in enumerate(cells):
            table.cell(r, c).text = text
    document.save(str(path))
    return path


def exit_plan_html(path: Path) -> Path:
    path.write_text(
        """<!doctype html><html><head><title>Exit Plan Standard</title>
<script>alert('never')</script></head><body><nav>Home | Policies</nav>
<h1>Exit Plan Standard</h1><p>Every outsourcing contract has an exit plan reviewed yearly.</p>
<h2>Handover</h2><p>The supplier hands over data, documents and knowledge within 60 days.</p>
<table><tr><th>Phase</th><th>Days</th></tr><tr><td>Notice</td><td>30</td></tr><tr><td>Handover</td><td>60</td></tr></table>
</body></html>""",
        encoding="utf-8",
    )
    return path


def encrypted_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 10, "Confidential pricing")
    pdf.set_encryption(owner_password="owner", user_password="user")
    pdf.output(str(path))
    return path


def scanned_pdf(path: Path) -> Path:
    """A page with a drawing and no text layer, as a scanner makes them."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    pdf.output(str(path))
    return path


def broken_pdf(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog garbage\n")
    return path
