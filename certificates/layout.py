"""Layout helpers the documents share: which side a line starts on, mirrored rows, tables, page numbers."""

import io
from collections.abc import Callable
from functools import partial

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from certificates.fonts import BASE_FONT
from certificates.text import TextBlock, draw_text

#: Portrait paper for the documents that flow over pages (the certificate itself is landscape).
PAGE_SIZES = {"letter": LETTER, "A4": A4}
FOOTER_SIZE = 7.5
FOOTER_COLOR = colors.HexColor("#52606d")
FOOTER_RULE = colors.HexColor("#9aa5b1")
#: How far below the top edge the running header of pages after the first sits.
RUNNING_HEADER_GAP = 30


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


def draw_page_furniture(canvas: Canvas, page_size: tuple[float, float], *, margin: float, footer_y: float,
                        footer: str, page_text: str, header: tuple[str, ...] = (), rtl: bool) -> None:
    """Draw a rule and the footer (``footer`` at the line's start, ``page_text`` at its end) and, when
    given, a running header (its first text at the start, its second, if any, at the end)."""
    page_width, page_height = page_size
    start_x, end_x = (page_width - margin, margin) if rtl else (margin, page_width - margin)
    canvas.saveState()
    canvas.setStrokeColor(FOOTER_RULE)
    canvas.setLineWidth(0.5)
    canvas.line(margin, footer_y + 12, page_width - margin, footer_y + 12)
    canvas.setFillColor(FOOTER_COLOR)
    draw_text(canvas, start_x, footer_y, footer, FOOTER_SIZE, rtl=rtl, align=start(rtl))
    draw_text(canvas, end_x, footer_y, page_text, FOOTER_SIZE, rtl=rtl, align=end(rtl))
    top = page_height - RUNNING_HEADER_GAP
    for x, text, align in zip((start_x, end_x), header, (start(rtl), end(rtl))):
        draw_text(canvas, x, top, text, FOOTER_SIZE, rtl=rtl if align == start(rtl) else None, align=align)
    canvas.restoreState()


def page_number(template: str, page: int, pages: int) -> str:
    return template.replace("{pages}", str(pages)).replace("{page}", str(page))


def page_dimensions(page_size: str) -> tuple[float, float]:
    """Return the width and height of a portrait page size; raise ValueError for an unknown one."""
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page_size must be one of {sorted(PAGE_SIZES)}, not {page_size!r}")
    return PAGE_SIZES[page_size]


def build_pdf(story: list, page_size: tuple[float, float], *, margins: tuple[float, float, float], title: str,
              subject: str, creator: str, decorate: Callable[[Canvas, int, int], None]) -> bytes:
    """Flow ``story`` through one full-width frame (side, top and bottom ``margins``) and return the PDF;
    ``decorate(canvas, page, pages)`` draws each page's footer and header."""
    side, top, bottom = margins
    page_width, page_height = page_size
    buffer = io.BytesIO()
    document = BaseDocTemplate(buffer, pagesize=page_size, title=title, subject=subject, creator=creator,
                               initialFontName=BASE_FONT, leftMargin=side, rightMargin=side, topMargin=top,
                               bottomMargin=bottom)
    frame = Frame(side, bottom, page_width - 2 * side, page_height - top - bottom, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    document.addPageTemplates([PageTemplate(id="body", frames=[frame])])
    document.build(story, canvasmaker=partial(PageNumberCanvas, decorate=decorate))
    return buffer.getvalue()
