"""Server-rendered SVG bar charts: no JavaScript, escaped text, and a data table beside each for screen readers.

The chart only draws; the template renders its caption (``title_id``) and the table it summarises
(``table_id``), which stay the accessible source of every figure.
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

WIDTH = 640
ROW_HEIGHT = 28
PADDING = 8
BAR_HEIGHT = 16
FONT_SIZE = 13
#: The label column's width (about 35%), the room kept after the longest bar for its text, and the gap before it.
LABEL_WIDTH = 224
VALUE_ROOM = 56
GAP = 6
#: Labels longer than this (a wide Chinese or Korean character counts twice) are cut short with an ellipsis.
MAX_LABEL_WIDTH = 28
ELLIPSIS = "…"
#: Contrast at least 4.5:1 on white (WCAG AA) for both.
BAR_FILL = "#2f6f8f"
TEXT_FILL = "#1f2933"

_SVG = Markup(
    '<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" role="img" aria-labelledby="{title_id}"'
    ' aria-describedby="{table_id}" viewBox="0 0 {width} {height}" width="100%"'
    ' preserveAspectRatio="xMinYMin meet">{rows}</svg>'
)
_ROW = Markup('<g class="bar-chart__row"><title>{label}: {text}</title>{label_text}{bar}{value_text}</g>')
_TEXT = Markup('<text class="{css_class}" x="{x}" y="{y}" text-anchor="start" fill="{fill}"'
               ' font-size="{size}"{direction}>{text}</text>')
_BAR = Markup('<rect class="bar-chart__bar" x="{x}" y="{y}" width="{width}" height="{height}" fill="{fill}"/>')
_RTL = Markup(' direction="rtl"')


@dataclass(frozen=True)
class Bar:
    """One bar: the caller formats the text; value None means hidden (a suppressed count)."""

    label: str
    value: float | None  # None: hidden, so no bar is drawn, only the text
    text: str  # shown after the bar, e.g. "78", "<5", "*", "48.8%"


def bar_chart(bars: Sequence[Bar], *, title_id: str, table_id: str, rtl: bool = False) -> Markup:
    """Return an SVG chart with one horizontal bar per value, scaled to the largest; mirrored when ``rtl``."""
    top = max((bar.value for bar in bars if bar.value is not None), default=0)
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    rows = []
    for index, bar in enumerate(bars):
        row_top = PADDING + index * ROW_HEIGHT
        baseline = row_top + (ROW_HEIGHT + FONT_SIZE * 0.7) / 2
        length = room * max(bar.value, 0) / top if bar.value is not None and top > 0 else 0
        drawn = ""
        if length:
            left = WIDTH - LABEL_WIDTH - length if rtl else LABEL_WIDTH
            drawn = _BAR.format(x=_number(left), y=_number(row_top + (ROW_HEIGHT - BAR_HEIGHT) / 2),
                                width=_number(length), height=BAR_HEIGHT, fill=BAR_FILL)
        rows.append(_ROW.format(
            label=bar.label, text=bar.text, bar=Markup(drawn),
            label_text=_text("bar-chart__label", 0, baseline, _shorten(bar.label), rtl),
            value_text=_text("bar-chart__value", LABEL_WIDTH + length + GAP, baseline, bar.text, rtl),
        ))
    return _SVG.format(title_id=title_id, table_id=table_id, width=WIDTH,
                       height=_number(2 * PADDING + len(bars) * ROW_HEIGHT), rows=Markup("").join(rows))


def _text(css_class: str, offset: float, baseline: float, text: str, rtl: bool) -> Markup:
    """Return a ``<text>`` that starts ``offset`` from the start side: the right edge when ``rtl``."""
    # With direction="rtl", text-anchor="start" puts the text's right edge at x (SVG 2, 11.10.1).
    return _TEXT.format(css_class=css_class, x=_number(WIDTH - offset if rtl else offset), y=_number(baseline),
                        fill=TEXT_FILL, size=FONT_SIZE, direction=_RTL if rtl else "", text=text)


def _shorten(label: str) -> str:
    """Return ``label`` cut short with an ellipsis if it is wider than ``MAX_LABEL_WIDTH`` characters."""
    if _width(label) <= MAX_LABEL_WIDTH:
        return label
    used = 0
    for cut, char in enumerate(label):
        used += _width(char)
        if used > MAX_LABEL_WIDTH - 1:  # leave room for the ellipsis
            return label[:cut].rstrip() + ELLIPSIS
    return label


def _width(text: str) -> int:
    """Return how many narrow characters ``text`` takes: wide (Chinese, Korean, Japanese) ones count twice."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def _number(value: float) -> str:
    """Return a coordinate with at most two decimals and no trailing zeros."""
    return f"{round(value, 2):g}"
