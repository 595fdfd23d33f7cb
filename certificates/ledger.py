"""Render a provider's reflective supervision/consultation (RSC) hours ledger as PDF bytes.

The caller translates and formats every word; this module only lays the page out.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Spacer, Table

from certificates.fonts import register_fonts
from certificates.layout import (
    base_style, build_pdf, draw_page_furniture, end, label, mirror, page_dimensions, page_number, start,
)
from certificates.text import TextBlock

MARGIN = 54
TOP_MARGIN = 60
BOTTOM_MARGIN = 64
FOOTER_Y = 34
TITLE_SIZE = 17
NAME_SIZE = 12
BODY_SIZE = 9.5
HEADER_SIZE = 8.5
SMALL_SIZE = 7.5
CELL_PADDING = 4
#: Column order (left to right on a left-to-right page) and each column's share of the width.
COLUMNS = (("date", 0.14), ("mentor", 0.31), ("kind", 0.16), ("format", 0.27), ("hours", 0.12))
LABEL_SHARE = 0.22
TOTALS_SHARE = 0.42
SIGNATURE_ROOM = 30
SIGNATURE_SHARES = (0.56, 0.08, 0.36)
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
RULE = colors.HexColor("#9aa5b1")
HEADER_FILL = colors.HexColor("#e4e7eb")
STRIPE_FILL = colors.HexColor("#f5f7fa")

#: English fallbacks; the app passes translated labels, and "page" may use {page} and {pages}.
DEFAULT_LABELS = {
    "provider": "Provider",
    "program": "Program",
    "date": "Date",
    "mentor": "RSC provider",
    "kind": "Individual / group",
    "format": "Format",
    "hours": "Hours",
    "no_sessions": "No reflective supervision/consultation sessions recorded.",
    "provider_signature": "Provider signature",
    "mentor_signature": "RSC provider signature",
    "signature_date": "Date",
    "page": "Page {page} of {pages}",
}


@dataclass(frozen=True)
class LedgerRow:
    """One RSC session: kind and format are already-translated labels."""

    held_on: date
    mentor: str
    kind: str
    format: str
    hours: Decimal


@dataclass(frozen=True)
class LedgerData:
    """Everything printed on a ledger, translated and formatted by the caller."""

    title: str
    program: str
    trainee_name: str
    generated_on_text: str
    rows: tuple[LedgerRow, ...] = ()
    totals: tuple[tuple[str, str], ...] = ()  # (label, value) pairs, e.g. individual, group, total
    trainee_name_native: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    format_date: Callable[[date], str] = date.isoformat
    format_hours: Callable[[Decimal], str] = "{:.2f}".format
    page_size: str = "letter"  # "letter" or "A4"
    right_to_left: bool = False


def render_ledger(data: LedgerData) -> bytes:
    """Return the ledger as PDF bytes."""
    page_size = page_dimensions(data.page_size)
    register_fonts()
    labels = {**DEFAULT_LABELS, **data.labels}
    width = page_size[0] - 2 * MARGIN
    story = [
        *_heading(data, labels, width),
        Spacer(1, 14),
        _sessions_table(data, labels, width),
        KeepTogether([Spacer(1, 8), _totals_table(data, width), Spacer(1, 26), _signature_table(data, labels, width)]),
    ]
    return build_pdf(story, page_size, margins=(MARGIN, TOP_MARGIN, BOTTOM_MARGIN), title=data.title,
                     subject=data.trainee_name, creator="certificates.ledger",
                     decorate=partial(_decorate_page, data=data, labels=labels, page_size=page_size))


def _heading(data: LedgerData, labels: dict[str, str], width: float) -> list:
    """Return the title and the provider and program block."""
    rtl = data.right_to_left
    name = [TextBlock(data.trainee_name, NAME_SIZE, bold=True, align=start(rtl))]
    if data.trainee_name_native and data.trainee_name_native.strip() != data.trainee_name.strip():
        name.append(TextBlock(data.trainee_name_native, NAME_SIZE, bold=True, align=start(rtl)))
    rows = [
        [label(labels["provider"], rtl, size=HEADER_SIZE, color=MUTED), name],
        [label(labels["program"], rtl, size=HEADER_SIZE, color=MUTED),
         TextBlock(data.program, BODY_SIZE + 1, align=start(rtl))],
    ]
    widths = [width * LABEL_SHARE, width * (1 - LABEL_SHARE)]
    details = Table([mirror(row, rtl) for row in rows], colWidths=mirror(widths, rtl))
    details.setStyle(base_style(CELL_PADDING) + [("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE)])
    title = TextBlock(data.title, TITLE_SIZE, bold=True, rtl=rtl, align=start(rtl), color=INK)
    return [title, Spacer(1, 10), details]


def _sessions_table(data: LedgerData, labels: dict[str, str], width: float) -> Table:
    """Return the sessions table, whose header row repeats on every page."""
    rtl = data.right_to_left
    header = [TextBlock(labels[key], HEADER_SIZE, bold=True, rtl=rtl, align=_align(key, rtl)) for key, _ in COLUMNS]
    rows = [header]
    for row in data.rows:
        values = {"date": data.format_date(row.held_on), "mentor": row.mentor, "kind": row.kind,
                  "format": row.format, "hours": data.format_hours(row.hours)}
        rows.append([TextBlock(values[key], BODY_SIZE, align=_align(key, rtl)) for key, _ in COLUMNS])
    style = base_style(CELL_PADDING) + [
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
    ]
    if not data.rows:
        rows.append([TextBlock(labels["no_sessions"], BODY_SIZE, rtl=rtl, color=MUTED)] + [""] * (len(COLUMNS) - 1))
        style.append(("SPAN", (0, 1), (-1, 1)))
    style += [("BACKGROUND", (0, n), (-1, n), STRIPE_FILL) for n in range(2, len(rows), 2)]
    widths = [width * share for _, share in COLUMNS]
    return Table([mirror(row, rtl) for row in rows], colWidths=mirror(widths, rtl), repeatRows=1, style=style)


def _totals_table(data: LedgerData, width: float) -> Table | Spacer:
    """Return the totals, lined up under the hours column with the last one in bold."""
    rtl = data.right_to_left
    if not data.totals:
        return Spacer(1, 0)
    last = len(data.totals) - 1
    rows = [
        mirror([TextBlock(caption, BODY_SIZE, bold=n == last, align=end(rtl)),
                TextBlock(value, BODY_SIZE, bold=n == last, align=end(rtl))], rtl)
        for n, (caption, value) in enumerate(data.totals)
    ]
    hours_share = COLUMNS[-1][1]
    table = Table(rows, colWidths=mirror([width * (TOTALS_SHARE - hours_share), width * hours_share], rtl),
                  hAlign=end(rtl).upper())
    table.setStyle(base_style(CELL_PADDING) + [("LINEABOVE", (0, last), (-1, last), 0.8, INK)])
    return table


def _signature_table(data: LedgerData, labels: dict[str, str], width: float) -> Table:
    """Return signature and date lines for the provider and the RSC provider."""
    rtl = data.right_to_left

    def line(key: str) -> list:
        return [TextBlock(labels[key], SMALL_SIZE, rtl=rtl, align=start(rtl), color=MUTED), "",
                TextBlock(labels["signature_date"], SMALL_SIZE, rtl=rtl, align=start(rtl), color=MUTED)]

    rows = [["", "", ""], line("provider_signature"), ["", "", ""], line("mentor_signature")]
    first, last = (2, 0) if rtl else (0, 2)
    style = base_style(CELL_PADDING) + [
        ("LINEABOVE", (column, row), (column, row), 0.8, INK) for row in (1, 3) for column in (first, last)
    ]
    widths = [width * share for share in SIGNATURE_SHARES]
    return Table([mirror(row, rtl) for row in rows], colWidths=mirror(widths, rtl),
                 rowHeights=[SIGNATURE_ROOM, None, SIGNATURE_ROOM, None], style=style)


def _decorate_page(canvas: Canvas, page: int, pages: int, *, data: LedgerData, labels: dict[str, str],
                   page_size: tuple[float, float]) -> None:
    """Draw the footer (generated on, page n of m) and, after the first page, a running header."""
    draw_page_furniture(canvas, page_size, margin=MARGIN, footer_y=FOOTER_Y, footer=data.generated_on_text,
                        page_text=page_number(labels["page"], page, pages), rtl=data.right_to_left,
                        header=(data.title, data.trainee_name) if page > 1 else ())

def _align(column: str, rtl: bool) -> str:
    """Align hours to the end of the line, like figures in a ledger, and everything else to its start."""
    return end(rtl) if column == "hours" else start(rtl)
