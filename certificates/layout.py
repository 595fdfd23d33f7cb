"""Layout helpers the documents share: which side a line starts on, mirrored rows, tables, page numbers."""

from collections.abc import Callable

from reportlab.pdfgen.canvas import Canvas

from certificates.fonts import BASE_FONT
from certificates.text import TextBlock


def start(rtl: bool) -> str:
    """Return the alignment of a line's start: right on a right-to-left page."""
    return "right" if rtl else "left"


def end(rtl: bool) -> str:
    """Return the alignment of a line's end: left on a right-to-left page."""
    return "left" if rtl else "right"


def mirror(items: list, rtl: bool) -> list:
    """Return ``items`` right to left on a right-to-left page."""
    return list(reversed(items)) if rtl else list(items)


def label(text: str, rtl: bool, *, size: float, color) -> TextBlock:
    """Return a bold caption set at the start of its cell, such as "Provider" beside the provider's name."""
    return TextBlock(text, size, bold=True, rtl=rtl, align=start(rtl), color=color)


def base_style(padding: float) -> list:
    """Return the table style every table starts from: shipped font, tight padding, top-aligned cells."""
    return [
        ("FONTNAME", (0, 0), (-1, -1), BASE_FONT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), padding),
        ("RIGHTPADDING", (0, 0), (-1, -1), padding),
        ("TOPPADDING", (0, 0), (-1, -1), padding - 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding - 1),
    ]


class PageNumberCanvas(Canvas):
    """A canvas that holds its pages back until the end, so ``decorate`` can say "page n of m" on each."""

    def __init__(self, *args, decorate: Callable[[Canvas, int, int], None], **kwargs):
        super().__init__(*args, **kwargs)
        self._decorate = decorate
        self._pages: list[dict] = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._decorate(self, number, len(self._pages))
            super().showPage()
        super().save()
