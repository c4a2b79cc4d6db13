"""A Code 128 barcode with its value printed under the bars, as a platypus flowable."""

from __future__ import annotations

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

TEXT_SIZE = 7  # points
WIDEST_BAR = 0.3 * mm
NARROWEST_BAR = 0.17 * mm  # below this, ordinary warehouse scanners stop reading


class Barcode(Flowable):
    """Code 128 of `value`, at most `max_width` wide (the bars narrow down to NARROWEST_BAR),
    `bar_height` tall, with `value` in small type under it."""

    def __init__(self, value: str, *, max_width: float, bar_height: float = 9 * mm, text_size: float = TEXT_SIZE):
        super().__init__()
        self.value = value
        self.text_size = text_size
        bar_width = WIDEST_BAR
        code = Code128(value, barHeight=bar_height, barWidth=bar_width)
        if code.width > max_width:
            bar_width = max(NARROWEST_BAR, bar_width * max_width / code.width)
            code = Code128(value, barHeight=bar_height, barWidth=bar_width)
        self.code = code
        self.width = code.width
        self.height = bar_height + text_size + 1

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        self.code.drawOn(self.canv, 0, self.text_size + 1)
        self.canv.setFont("Helvetica", self.text_size)
        self.canv.drawCentredString(self.width / 2, 0, self.value)
