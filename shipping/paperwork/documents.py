"""What every document shares: the page, the type styles, the footer with the document's code."""

from __future__ import annotations

import io
from collections.abc import Callable
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate

MARGIN = 12 * mm
WIDTH = A4[0] - 2 * MARGIN

BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=9, leading=11)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=7.5, leading=9)
BOLD = ParagraphStyle("bold", parent=BODY, fontName="Helvetica-Bold")
TITLE = ParagraphStyle("title", parent=BODY, fontName="Helvetica-Bold", fontSize=16, leading=20, spaceAfter=2 * mm)
HEADING = ParagraphStyle(
    "heading", parent=BODY, fontName="Helvetica-Bold", fontSize=12, leading=15, spaceBefore=4 * mm, spaceAfter=2 * mm
)
GRID = colors.HexColor("#999999")
SHADE = colors.HexColor("#eeeeee")


def text(value: object, style: ParagraphStyle = BODY) -> Paragraph:
    """A paragraph of plain text (never markup: what a buyer typed is shown as typed)."""
    return Paragraph(escape(str(value)).replace("\n", "<br/>"), style)


def render(story: list, *, title: str, footer: Callable[[int], str]) -> bytes:
    """The story on A4 pages, `footer(page number)` at the bottom of each."""
    buffer = io.BytesIO()

    def on_page(canvas, document):
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.drawRightString(A4[0] - MARGIN, 7 * mm, footer(document.page))
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=title,
        creator="OMS",
    )
    document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
