"""Labels as the carriers print them: a 10×15 cm PDF page or ZPL II text, with a Code 128 barcode.

The PDF comes from reportlab (its Code 128 widget draws the barcode as vector bars); the
tracking number is also printed as text under the barcode, as on real labels.
"""

from __future__ import annotations

import io

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

PAGE = (100 * mm, 150 * mm)


def pdf_label(
    *, carrier_name: str, product: str, tracking_number: str, sender: list[str], addressee: list[str]
) -> bytes:
    """One 10×15 page: carrier and product, sender, addressee, the tracking barcode and number."""
    buffer = io.BytesIO()
    page = Canvas(buffer, pagesize=PAGE)
    page.setTitle(f"{carrier_name} {tracking_number}")
    width, height = PAGE
    page.setFont("Helvetica-Bold", 16)
    page.drawString(6 * mm, height - 12 * mm, carrier_name)
    page.setFont("Helvetica", 9)
    page.drawRightString(width - 6 * mm, height - 12 * mm, product)
    y = height - 22 * mm
    for line in ["De :", *sender]:
        page.drawString(6 * mm, y, line)
        y -= 4 * mm
    y -= 4 * mm
    page.setFont("Helvetica-Bold", 12)
    for line in ["A :", *addressee]:
        page.drawString(6 * mm, y, line)
        y -= 5.5 * mm
    barcode = Code128(tracking_number, barHeight=25 * mm, barWidth=0.35 * mm)
    barcode.drawOn(page, (width - barcode.width) / 2, 22 * mm)
    page.setFont("Helvetica-Bold", 14)
    page.drawCentredString(width / 2, 14 * mm, tracking_number)
    page.showPage()
    page.save()
    return buffer.getvalue()


def zpl_label(*, carrier_name: str, product: str, tracking_number: str, sender: list[str], addressee: list[str]) -> str:
    """The same label in ZPL II for a 203 dpi thermal printer (4×6 inches)."""
    lines = [
        "^XA",
        "^CI28",
        "^CF0,45",
        f"^FO40,40^FD{_zpl_text(carrier_name)}^FS",
        "^CF0,25",
        f"^FO560,50^FD{_zpl_text(product)}^FS",
    ]
    y = 120
    for text in ["De :", *sender]:
        lines.append(f"^FO40,{y}^FD{_zpl_text(text)}^FS")
        y += 30
    y += 20
    lines.append("^CF0,35")
    for text in ["A :", *addressee]:
        lines.append(f"^FO40,{y}^FD{_zpl_text(text)}^FS")
        y += 40
    lines += ["^BY3,2,200", f"^FO60,{max(y + 40, 800)}^BCN,200,Y,N,N^FD{tracking_number}^FS", "^XZ"]
    return "\n".join(lines) + "\n"


def _zpl_text(text: str) -> str:
    # ^ and ~ start ZPL commands: they cannot appear in field data.
    return text.replace("^", " ").replace("~", " ")
