"""Render a printable attendance sign-in sheet for one session as PDF bytes.

The caller translates and formats every word; this module only lays the page out.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Spacer, Table

from certificates.fonts import register_fonts
from certificates.layout import (
    base_style, build_pdf, draw_page_furniture, label, mirror, page_dimensions, page_number, start,
)
from certificates.text import TextBlock

MARGIN = 48
TOP_MARGIN = 56
BOTTOM_MARGIN = 60
FOOTER_Y = 32
TITLE_SIZE = 17
SUBTITLE_SIZE = 11
BODY_SIZE = 10
OWN_SCRIPT_SIZE = 8.5
HEADER_SIZE = 8.5
SMALL_SIZE = 7.5
CELL_PADDING = 4
#: Room for a handwritten signature: every row is at least this tall.
ROW_HEIGHT = 28
#: Column order (left to right on a left-to-right page) and each column's share of the width.
COLUMNS = (("number", 0.07), ("name", 0.37), ("signature", 0.41), ("time_in", 0.15))
LABEL_SHARE = 0.2
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
RULE = colors.HexColor("#9aa5b1")
HEADER_FILL = colors.HexColor("#e4e7eb")
NOTE_FILL = colors.HexColor("#f5f7fa")

#: English fallbacks; the app passes translated labels, and "page" may use {page} and {pages}.
DEFAULT_LABELS = {
    "number": "#",
    "name": "Name",
    "name_in_own_script": "Name in own script",
    "signature": "Signature",
    "time_in": "Time in",
    "facilitator": "Facilitator",
    "when": "When",
    "where": "Where",
    "page": "Page {page} of {pages}",
    "blank_rows_note": "Add walk-in participants below.",
}


@dataclass(frozen=True)
class SignInRow:
    """One expected participant, with their name as they write it in their own script if it differs."""

    name: str
    name_in_own_script: str | None = None


@dataclass(frozen=True)
class SignInData:
    """Everything printed on a sign-in sheet, translated and formatted by the caller."""

    title: str
    subtitle: str  # e.g. "Course session · Cohort 1"
    when: str  # already formatted, e.g. "12 March 2025, 9:00–12:00"
    where: str
    facilitator: str
    rows: tuple[SignInRow, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    blank_rows: int = 5  # empty numbered rows for walk-ins, after the roster
    page_size: str = "letter"  # "letter" or "A4"
    right_to_left: bool = False


def render_sign_in_sheet(data: SignInData) -> bytes:
    """Return the sign-in sheet as PDF bytes."""
    page_size = page_dimensions(data.page_size)
    if data.blank_rows < 0:
        raise ValueError(f"blank_rows must not be negative, not {data.blank_rows!r}")
    register_fonts()
    labels = {**DEFAULT_LABELS, **data.labels}
    width = page_size[0] - 2 * MARGIN
    story = [*_heading(data, labels, width), Spacer(1, 14), _roster_table(data, labels, width)]
    return build_pdf(story, page_size, margins=(MARGIN, TOP_MARGIN, BOTTOM_MARGIN), title=data.title,
                     subject=data.subtitle, creator="certificates.sign_in",
                     decorate=partial(_decorate_page, data=data, labels=labels, page_size=page_size))


def _heading(data: SignInData, labels: dict[str, str], width: float) -> list:
    """Return the title, the subtitle and the when, where and facilitator block."""
    rtl = data.right_to_left
    rows = [
        [label(labels[key], rtl, size=HEADER_SIZE, color=MUTED),
         TextBlock(value, BODY_SIZE + 1, align=start(rtl))]
        for key, value in (("when", data.when), ("where", data.where), ("facilitator", data.facilitator))
    ]
    widths = [width * LABEL_SHARE, width * (1 - LABEL_SHARE)]
    details = Table([mirror(row, rtl) for row in rows], colWidths=mirror(widths, rtl))
    details.setStyle(base_style(CELL_PADDING) + [("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE)])
    return [
        TextBlock(data.title, TITLE_SIZE, bold=True, rtl=rtl, align=start(rtl), color=INK),
        Spacer(1, 2),
        TextBlock(data.subtitle, SUBTITLE_SIZE, rtl=rtl, align=start(rtl), color=MUTED),
        Spacer(1, 10),
        details,
    ]


def _roster_table(data: SignInData, labels: dict[str, str], width: float) -> Table:
    """Return the roster, then the note and blank numbered rows for walk-ins; the header repeats on every page."""
    rtl = data.right_to_left
    header = [TextBlock(labels[key], HEADER_SIZE, bold=True, rtl=rtl, align=_align(key, rtl)) for key, _ in COLUMNS]
    header[1] = [header[1], TextBlock(labels["name_in_own_script"], SMALL_SIZE, rtl=rtl, align=start(rtl),
                                      color=MUTED)]
    rows = [mirror(header, rtl)] + [_row(number, row, rtl) for number, row in enumerate(data.rows, start=1)]
    style = base_style(CELL_PADDING) + [
        ("VALIGN", (0, 1), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("BOX", (0, 0), (-1, -1), 0.8, INK),
    ]
    if data.blank_rows:
        note = len(rows)  # one cell across the table: a span shows the content of its first column
        rows.append([TextBlock(labels["blank_rows_note"], SMALL_SIZE + 0.5, rtl=rtl, align=start(rtl), color=MUTED)]
                    + [""] * (len(COLUMNS) - 1))
        first = len(data.rows) + 1
        rows += [_row(number, None, rtl) for number in range(first, first + data.blank_rows)]
        style += [("SPAN", (0, note), (-1, note)), ("BACKGROUND", (0, note), (-1, note), NOTE_FILL),
                  ("NOSPLIT", (0, note), (-1, note + 1))]  # the note never ends a page on its own
    widths = [width * share for _, share in COLUMNS]
    return Table(rows, colWidths=mirror(widths, rtl), repeatRows=1, style=style)


def _row(number: int, row: SignInRow | None, rtl: bool) -> list:
    """Return one roster row in page order; a blank row (``row`` None) is numbered and left to the pen."""
    name: list = []
    if row is not None:
        name.append(TextBlock(row.name, BODY_SIZE, align=start(rtl)))
        own = row.name_in_own_script
        if own and own.strip() and own.strip() != row.name.strip():
            name.append(TextBlock(own, OWN_SCRIPT_SIZE, align=start(rtl), color=MUTED))
    # An empty flowable in the signature box holds every row open to handwriting height.
    room = Spacer(1, ROW_HEIGHT - 2 * (CELL_PADDING - 1))
    return mirror([TextBlock(str(number), BODY_SIZE, align="center", color=MUTED), name or "", room, ""], rtl)


def _decorate_page(canvas: Canvas, page: int, pages: int, *, data: SignInData, labels: dict[str, str],
                   page_size: tuple[float, float]) -> None:
    """Draw the footer (session, page n of m) and, after the first page, a running header."""
    draw_page_furniture(canvas, page_size, margin=MARGIN, footer_y=FOOTER_Y, footer=data.subtitle,
                        page_text=page_number(labels["page"], page, pages), rtl=data.right_to_left,
                        header=(data.title, data.when) if page > 1 else ())

def _align(column: str, rtl: bool) -> str:
    """Center the number and time-in headers; align the rest to the start of the line."""
    return "center" if column in ("number", "time_in") else start(rtl)
