"""Render a program report (tables, bar charts, voices from the field) as PDF bytes.

The caller translates, formats and, where counts are small, hides every figure; this module only
lays the page out.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak, Flowable, KeepTogether, Spacer, Table,
)

from certificates.fonts import register_fonts
from certificates.layout import (
    base_style, build_pdf, draw_page_furniture, end, mirror, page_dimensions, page_number, start,
)
from certificates.text import ASCENT, TextBlock, clean, draw_text, text_width

MARGIN = 54
TOP_MARGIN = 60
BOTTOM_MARGIN = 64
FOOTER_Y = 34
TITLE_SIZE = 17
SUBTITLE_SIZE = 11
SECTION_SIZE = 12
BODY_SIZE = 9.5
HEADER_SIZE = 8.5
SMALL_SIZE = 7.5
CELL_PADDING = 4
SECTION_GAP = 18
#: The row-label column's share of the width, in tables and bar charts alike.
LABEL_SHARE = 0.35
#: Height of one bar's row, thickness of the bar, size of its label and value, gap around the value.
BAR_ROW = 16
BAR_THICKNESS = 10
BAR_TEXT_SIZE = 8
BAR_GAP = 4
ELLIPSIS = "…"
#: The least a table's text is shrunk to, when its columns cannot all hold their longest word otherwise.
MIN_TABLE_SCALE = 0.7
#: A word: a run of letters between spaces, or a single Chinese or Japanese character (lines break between them).
_WORDS = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff]|[^\s\u2e80-\u9fff\uf900-\ufaff]+")
#: A table with more rows than this may start below its title on the same page and run on; shorter
#: sections are kept whole. A long one still needs room for its title, chart and a few rows.
KEEP_TOGETHER_ROWS = 30
LONG_TABLE_START_ROOM = 120
QUOTE_INDENT = 24
QUOTE_RULE_WIDTH = 2
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
RULE = colors.HexColor("#9aa5b1")
HEADER_FILL = colors.HexColor("#e4e7eb")
STRIPE_FILL = colors.HexColor("#f5f7fa")
BAR_FILL = colors.HexColor("#2f6f8f")

#: English fallbacks; the app passes translated labels, and "page" may use {page} and {pages}.
DEFAULT_LABELS = {"page": "Page {page} of {pages}"}


@dataclass(frozen=True)
class ReportBar:
    """One bar of a chart: the caller formats the text; value None means hidden (a suppressed count)."""

    label: str
    value: float | None
    text: str  # shown at the end of the bar, e.g. "78", "<5", "*", "48.8%"


@dataclass(frozen=True)
class ReportTable:
    """One table of a report, with its cells already formatted and an optional bar chart above it."""

    title: str
    header: tuple[str, ...]  # column captions; header[0] captions the row labels
    rows: tuple[tuple[str, ...], ...]  # each row already formatted; row[0] is the row label
    note: str = ""  # e.g. how multi-select answers are counted
    bars: tuple[ReportBar, ...] = ()  # when given, a horizontal bar chart is drawn above the table
    total_row: bool = False  # the last row is a total: drawn bold with a rule above


@dataclass(frozen=True)
class ReportData:
    """Everything printed in a report, translated and formatted by the caller."""

    title: str
    subtitle: str  # e.g. the filters, "All cohorts · 1 Jan 2026 – 30 Jun 2026"
    generated_on_text: str
    intro: tuple[str, ...] = ()  # paragraphs, e.g. how small counts are hidden
    tables: tuple[ReportTable, ...] = ()
    quotes_title: str = ""
    quotes: tuple[str, ...] = ()  # voices from the field, with the caller's quotation marks
    labels: Mapping[str, str] = field(default_factory=dict)
    page_size: str = "letter"  # "letter" or "A4"
    right_to_left: bool = False


class BarChart(Flowable):
    """Horizontal bars scaled to the largest shown value; a hidden bar prints only its text, muted."""

    def __init__(self, bars: tuple[ReportBar, ...], *, rtl: bool = False, top: float | None = None):
        super().__init__()
        self.bars = bars
        self.rtl = rtl
        shown = [bar.value for bar in bars if bar.value is not None]
        self.top = max(shown, default=0) if top is None else top  # kept when split, so halves match

    def wrap(self, avail_width, avail_height):
        """Take the whole width and one row per bar."""
        self.width, self.height = avail_width, len(self.bars) * BAR_ROW
        return self.width, self.height

    def split(self, avail_width, avail_height):
        """Split between bars, both parts drawn to the same scale."""
        fits = int(avail_height // BAR_ROW)
        if fits < 1 or fits >= len(self.bars):
            return []
        return [BarChart(self.bars[:fits], rtl=self.rtl, top=self.top),
                BarChart(self.bars[fits:], rtl=self.rtl, top=self.top)]

    def draw(self):
        """Draw each bar's label, bar and text; on a right-to-left page everything is mirrored."""
        label_width = self.width * LABEL_SHARE
        value_room = max((text_width(bar.text, BAR_TEXT_SIZE) for bar in self.bars), default=0) + BAR_GAP
        room = max(self.width - label_width - value_room, 0)
        align = start(self.rtl)
        for row, bar in enumerate(self.bars):
            bottom = self.height - (row + 1) * BAR_ROW
            baseline = bottom + (BAR_ROW - BAR_TEXT_SIZE * ASCENT) / 2
            length = room * max(bar.value, 0) / self.top if bar.value is not None and self.top > 0 else 0
            self.canv.setFillColor(INK)
            draw_text(self.canv, self._x(0), baseline, _fit(bar.label, label_width - BAR_GAP, BAR_TEXT_SIZE),
                      BAR_TEXT_SIZE, align=align)
            if length:
                self.canv.setFillColor(BAR_FILL)
                left = self._x(label_width + length) if self.rtl else label_width
                self.canv.rect(left, bottom + (BAR_ROW - BAR_THICKNESS) / 2, length, BAR_THICKNESS, stroke=0, fill=1)
            self.canv.setFillColor(MUTED if bar.value is None else INK)
            draw_text(self.canv, self._x(label_width + length + BAR_GAP), baseline, bar.text, BAR_TEXT_SIZE,
                      align=align)

    def _x(self, x: float) -> float:
        """Return a distance from the start side as an x from the left edge."""
        return self.width - x if self.rtl else x


def render_report(data: ReportData) -> bytes:
    """Return the report as PDF bytes."""
    page_size = page_dimensions(data.page_size)
    register_fonts()
    labels = {**DEFAULT_LABELS, **data.labels}
    width = page_size[0] - 2 * MARGIN
    story = _heading(data)
    for table in data.tables:
        story += _section(table, width, data.right_to_left)
    story += _quotes(data, width)
    return build_pdf(story, page_size, margins=(MARGIN, TOP_MARGIN, BOTTOM_MARGIN), title=data.title,
                     subject=data.subtitle, creator="certificates.report",
                     decorate=partial(_decorate_page, data=data, labels=labels, page_size=page_size))


def _heading(data: ReportData) -> list:
    """Return the title, the subtitle and the introduction."""
    rtl = data.right_to_left
    story = [TextBlock(data.title, TITLE_SIZE, bold=True, rtl=rtl, align=start(rtl), color=INK), Spacer(1, 4)]
    if data.subtitle:
        story += [TextBlock(data.subtitle, SUBTITLE_SIZE, rtl=rtl, align=start(rtl), color=MUTED)]
    story.append(Spacer(1, 12))
    for paragraph in data.intro:
        story += [TextBlock(paragraph, BODY_SIZE, rtl=rtl, align=start(rtl), color=INK), Spacer(1, 6)]
    return story + [Spacer(1, SECTION_GAP - 6)]


def _section(table: ReportTable, width: float, rtl: bool) -> list:
    """Return a table's title, chart, table and note, kept together unless the table is long."""
    parts = [TextBlock(table.title, SECTION_SIZE, bold=True, rtl=rtl, align=start(rtl), color=INK), Spacer(1, 6)]
    if table.bars:
        parts += [BarChart(table.bars, rtl=rtl), Spacer(1, 8)]
    parts.append(_table(table, width, rtl))
    if table.note:
        parts += [Spacer(1, 4), TextBlock(table.note, SMALL_SIZE, rtl=rtl, align=start(rtl), color=MUTED)]
    if len(table.rows) <= KEEP_TOGETHER_ROWS:
        return [KeepTogether(parts), Spacer(1, SECTION_GAP)]
    return [CondPageBreak(LONG_TABLE_START_ROOM + len(table.bars) * BAR_ROW), *parts, Spacer(1, SECTION_GAP)]


def _table(table: ReportTable, width: float, rtl: bool) -> Table:
    """Return the table: labels at the start, figures at the end, the header row repeated on every page."""
    columns = len(table.header)
    if not columns or any(len(row) != columns for row in table.rows):
        raise ValueError(f"every row of {table.title!r} must have one cell per header column ({columns})")
    last = len(table.rows)
    styled = [(table.header, HEADER_SIZE, True)]
    styled += [(row, BODY_SIZE, table.total_row and n == last) for n, row in enumerate(table.rows, start=1)]
    widths, scale = _column_widths(styled, width)

    def cells(texts: tuple[str, ...], size: float, bold: bool, header_rtl: bool | None = None) -> list:
        return mirror([TextBlock(text, size * scale, bold=bold, rtl=header_rtl,
                                 align=start(rtl) if n == 0 else end(rtl)) for n, text in enumerate(texts)], rtl)

    rows = [cells(*styled[0], rtl)] + [cells(*row) for row in styled[1:]]
    striped = len(rows) - 1 if table.total_row else len(rows)
    style = base_style(CELL_PADDING) + [
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
    ]
    style += [("BACKGROUND", (0, n), (-1, n), STRIPE_FILL) for n in range(2, striped, 2)]
    if table.total_row and table.rows:
        style.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, INK))
    return Table(rows, colWidths=mirror(widths, rtl), repeatRows=1, style=style)


def _column_widths(styled: list[tuple[tuple[str, ...], float, bool]], width: float) -> tuple[list[float], float]:
    """Return column widths that hold each column's longest word, so lines break between words only, and
    the text scale that makes them fit (1 unless too many columns). The row labels take LABEL_SHARE when
    they can; the other columns share the rest evenly."""
    columns = len(styled[0][0])
    need = [max((_longest_word(row[n], size, bold) for row, size, bold in styled), default=0) + 2 * CELL_PADDING
            for n in range(columns)]
    scale = max(min(1, width / sum(need)), MIN_TABLE_SCALE)
    need = [n * scale for n in need]
    others = columns - 1
    wanted = [width * LABEL_SHARE] + [width * (1 - LABEL_SHARE) / others] * others if others else [width]
    widths = [max(w, n) for w, n in zip(wanted, need)]
    # Take what the widened columns added from those with room to spare, in proportion to that room.
    excess, room = sum(widths) - width, [w - n for w, n in zip(widths, need)]
    if excess > 0 and sum(room) > 0:
        share = min(excess / sum(room), 1)
        widths = [w - r * share for w, r in zip(widths, room)]
    return widths, scale


def _longest_word(text: str, size: float, bold: bool) -> float:
    """Return the width of the widest word of ``text``, with the space after it that a line keeps."""
    return max((text_width(word + " ", size, bold=bold) for word in _WORDS.findall(clean(text))), default=0)


def _quotes(data: ReportData, width: float) -> list:
    """Return the voices from the field, each indented with a rule on its start side."""
    rtl = data.right_to_left
    if not data.quotes:
        return []
    rule_side = "LINEAFTER" if rtl else "LINEBEFORE"
    padding = "RIGHTPADDING" if rtl else "LEFTPADDING"
    blocks = [
        Table([[TextBlock(quote, BODY_SIZE, align=start(rtl), color=INK)]], colWidths=[width - QUOTE_INDENT],
              hAlign=end(rtl).upper(), style=base_style(CELL_PADDING) + [
                  (rule_side, (0, 0), (0, 0), QUOTE_RULE_WIDTH, RULE), (padding, (0, 0), (0, 0), CELL_PADDING * 2)])
        for quote in data.quotes
    ]
    title = [TextBlock(data.quotes_title, SECTION_SIZE, bold=True, rtl=rtl, align=start(rtl), color=INK),
             Spacer(1, 6)] if data.quotes_title else []
    story = [KeepTogether([*title, blocks[0]])]
    for block in blocks[1:]:
        story += [Spacer(1, 8), block]
    return story


def _decorate_page(canvas: Canvas, page: int, pages: int, *, data: ReportData, labels: dict[str, str],
                   page_size: tuple[float, float]) -> None:
    """Draw the footer (generated on, page n of m) and, after the first page, a running header."""
    draw_page_furniture(canvas, page_size, margin=MARGIN, footer_y=FOOTER_Y, footer=data.generated_on_text,
                        page_text=page_number(labels["page"], page, pages), rtl=data.right_to_left,
                        header=(data.title,) if page > 1 else ())

def _fit(text: str, width: float, size: float) -> str:
    """Return ``text`` cut short with an ellipsis, if need be, to fit ``width`` points on one line."""
    text = clean(text)
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + ELLIPSIS, size) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS
