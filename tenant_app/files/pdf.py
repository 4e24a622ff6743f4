"""Letters the portal writes itself (the first information for customers, an offer's receipt):
A4 PDFs with a heading, sections of paragraphs and label-value lines, in DejaVu Sans (any
German text, the euro sign, typographic quotes), the fonts subset into the file. A letter
in the tenant's branding carries its logo (a PNG) and a rule in its main colour."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.resources import files

from fpdf import FPDF

FONT_DIR = files("tenant_app") / "data" / "fonts"
FAMILY = "DejaVu"


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()  # label, value: one line each


@dataclass(frozen=True)
class Letter:
    title: str
    sender: str  # the firm, first line of the page
    sections: tuple[Section, ...]
    footer: str = ""
    author: str = ""
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    logo: bytes | None = None  # the tenant's logo (PNG, as services/branding.py stores it)
    accent: str = ""  # "#rrggbb": a rule under the sender (decoration only: text stays black)


def _new_pdf(letter: Letter) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font(FAMILY, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(letter.title)
    pdf.set_author(letter.author or letter.sender)
    pdf.set_creation_date(letter.created_at)
    pdf.add_page()
    return pdf


def _section(pdf: FPDF, section: Section) -> None:
    pdf.ln(3)
    pdf.set_font(FAMILY, "B", 12)
    pdf.multi_cell(0, 7, section.heading, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 10)
    for paragraph in section.paragraphs:
        pdf.multi_cell(0, 5, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    for label, value in section.facts:
        pdf.set_font(FAMILY, "B", 10)
        pdf.cell(55, 5, label)
        pdf.set_font(FAMILY, "", 10)
        pdf.multi_cell(0, 5, value or "–", new_x="LMARGIN", new_y="NEXT")


def render_letter(letter: Letter) -> bytes:
    """The PDF's bytes. CPU-bound (tens of milliseconds): call it through a thread pool."""
    pdf = _new_pdf(letter)
    if letter.logo:
        pdf.image(io.BytesIO(letter.logo), x=pdf.l_margin, y=12, h=12)
        pdf.set_y(28)
    pdf.set_font(FAMILY, "", 9)
    pdf.multi_cell(0, 5, letter.sender, new_x="LMARGIN", new_y="NEXT")
    if len(letter.accent) == 7 and letter.accent.startswith("#"):
        red, green, blue = (int(letter.accent[i : i + 2], 16) for i in (1, 3, 5))
        pdf.set_draw_color(red, green, blue)
        pdf.set_line_width(0.8)
        pdf.line(pdf.l_margin, pdf.get_y() + 1.5, pdf.w - pdf.r_margin, pdf.get_y() + 1.5)
        pdf.ln(1.5)
    pdf.ln(4)
    pdf.set_font(FAMILY, "B", 16)
    pdf.multi_cell(0, 8, letter.title, new_x="LMARGIN", new_y="NEXT")
    for section in letter.sections:
        _section(pdf, section)
    if letter.footer:
        pdf.ln(6)
        pdf.set_font(FAMILY, "", 8)
        pdf.multi_cell(0, 4, letter.footer, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
