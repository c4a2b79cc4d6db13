"""The carrier's labels made printable: its PDF page on a 10×15 cm label or on an A4 sheet, many
labels in one file, and ZPL for thermal printers (a PDF label drawn as a ZPL bitmap at 203 dpi).

The carrier's label is never redrawn: its page is placed (PDF) or rasterised (ZPL) as it is, so
routing codes and barcodes stay the carrier's."""

from __future__ import annotations

import io

import pypdfium2
from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

SIZES = {"10x15": (100 * mm, 150 * mm), "a4": A4}
A4_MARGIN = 10 * mm
ZPL_DPI = 203  # 8 dots per millimetre, the common thermal printer
ZPL_WIDTH_DOTS = 812  # 4 inches
ZPL_HEIGHT_DOTS = 1218  # 6 inches


def pdf_labels(labels: list[bytes], *, size: str) -> bytes:
    """Every page of every PDF label on a page of its own, `size` "10x15" (scaled to fill it,
    proportions kept) or "a4" (real size, top left of the sheet, to cut or fold)."""
    width, height = SIZES[size]
    writer = PdfWriter()
    for content in labels:
        for page in PdfReader(io.BytesIO(content)).pages:
            box = page.mediabox
            label_width, label_height = float(box.width), float(box.height)
            if size == "a4":
                scale = min(1.0, (width - 2 * A4_MARGIN) / label_width, (height / 2) / label_height)
                x, y = A4_MARGIN, height - A4_MARGIN - label_height * scale
            else:
                scale = min(width / label_width, height / label_height)
                x, y = (width - label_width * scale) / 2, (height - label_height * scale) / 2
            sheet = PageObject.create_blank_page(width=width, height=height)
            sheet.merge_transformed_page(
                page,
                Transformation().translate(-float(box.left), -float(box.bottom)).scale(scale, scale).translate(x, y),
            )
            writer.add_page(sheet)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def zpl_from_pdf(content: bytes) -> str:
    """Each page of a PDF label as one ZPL II label: a ^GFA bitmap of 4×6 inches at 203 dpi."""
    document = pypdfium2.PdfDocument(content)
    labels = []
    try:
        for page in document:
            width, height = page.get_size()
            scale = min(ZPL_WIDTH_DOTS / width, ZPL_HEIGHT_DOTS / height)
            image = page.render(scale=scale, grayscale=True).to_pil()
            labels.append(_zpl_bitmap(image))
    finally:
        document.close()
    return "".join(labels)


def _zpl_bitmap(image) -> str:
    """One ^GFA field: black where the page is darker than mid-grey."""
    bitmap = image.convert("L").point(lambda value: 255 if value < 128 else 0, mode="1")
    width, height = bitmap.size
    row_bytes = (width + 7) // 8
    # Mode "1" packs each row MSB first, padded to a byte; a dark pixel was mapped to 1, ZPL's black dot.
    data = bitmap.tobytes().hex().upper()
    total = row_bytes * height
    return f"^XA^PW{ZPL_WIDTH_DOTS}^LL{ZPL_HEIGHT_DOTS}^FO0,0^GFA,{total},{total},{row_bytes},{data}^FS^XZ\n"


def concatenated_zpl(labels: list[str]) -> str:
    """ZPL labels one after the other: a thermal printer prints each ^XA…^XZ as a label."""
    return "".join(label if label.endswith("\n") else label + "\n" for label in labels)
