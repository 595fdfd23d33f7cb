"""Server-rendered SVG bar charts: no JavaScript, escaped text, and a data table beside each for screen readers.

The chart only draws; the template renders its caption (``title_id``) and the table it summarises
(``table_id``), which stay the accessible source of every figure.
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

#: The chart is as wide as its box and is never scaled, so its text keeps its size on a phone: widths
#: and x positions are percentages of the chart's width, heights and text sizes CSS pixels.
FONT_SIZE = 14
PADDING = 4
#: Each row: the label on its own line, the bar below it.
LABEL_LINE = 20
BAR_HEIGHT = 16
ROW_HEIGHT = LABEL_LINE + BAR_HEIGHT + 10
#: The longest bar's share of the width; the rest keeps room for its text, written GAP px after it.
BAR_SHARE = 78
GAP = 6
#: Labels longer than this (a wide Chinese or Korean character counts twice) are cut short with an ellipsis.
MAX_LABEL_WIDTH = 28
ELLIPSIS = "…"
#: Contrast at least 4.5:1 on white (WCAG AA) for both.
BAR_FILL = "#2f6f8f"
TEXT_FILL = "#1f2933"

_SVG = Markup(
    '<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" role="img" aria-labelledby="{title_id}"'
    ' aria-describedby="{table_id}" width="100%" height="{height}">{rows}</svg>'
)
_ROW = Markup('<g class="bar-chart__row"><title>{label}: {text}</title>{label_text}{bar}{value_text}</g>')
_TEXT = Markup('<text class="{css_class}" x="{x}%" dx="{dx}" y="{y}" text-anchor="start" fill="{fill}"'
               ' font-size="{size}"{direction}>{text}</text>')
_BAR = Markup('<rect class="bar-chart__bar" x="{x}%" y="{y}" width="{width}%" height="{height}" fill="{fill}"/>')
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
    rows = []
    for index, bar in enumerate(bars):
        row_top = PADDING + index * ROW_HEIGHT
        bar_top = row_top + LABEL_LINE
        length = BAR_SHARE * max(bar.value, 0) / top if bar.value is not None and top > 0 else 0
        drawn = ""
        if length:
            drawn = _BAR.format(x=_number(100 - length if rtl else 0), y=_number(bar_top), width=_number(length),
                                height=BAR_HEIGHT, fill=BAR_FILL)
        rows.append(_ROW.format(
            label=bar.label, text=bar.text, bar=Markup(drawn),
            label_text=_text("bar-chart__label", 0, 0, row_top + FONT_SIZE, _shorten(bar.label), rtl),
            value_text=_text("bar-chart__value", length, GAP if length else 0,
                             bar_top + (BAR_HEIGHT + FONT_SIZE * 0.7) / 2, bar.text, rtl),
        ))
    return _SVG.format(title_id=title_id, table_id=table_id,
                       height=_number(2 * PADDING + len(bars) * ROW_HEIGHT), rows=Markup("").join(rows))


def _text(css_class: str, offset: float, gap: float, baseline: float, text: str, rtl: bool) -> Markup:
    """Return a ``<text>`` ``offset`` % of the width plus ``gap`` px from the start side: the right when ``rtl``."""
    # With direction="rtl", text-anchor="start" puts the text's right edge at x (SVG 2, 11.10.1).
    return _TEXT.format(css_class=css_class, x=_number(100 - offset if rtl else offset),
                        dx=_number(-gap if rtl else gap), y=_number(baseline), fill=TEXT_FILL, size=FONT_SIZE,
                        direction=_RTL if rtl else "", text=text)


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
