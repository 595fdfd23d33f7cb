"""Lay out one line of text in any shipped script: a font per run, joined letters, right-to-left order.

Text goes in as typed (logical order). It comes out as runs to draw left to right, each in one
font: a character gets the first shipped font that has it, and spaces, digits and punctuation keep
the font of the text around them. The Unicode bidirectional algorithm (python-bidi) orders the
runs, and HarfBuzz joins the letters of scripts that need it, such as Arabic.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from xml.sax.saxutils import escape

from bidi import algorithm as bidi
from reportlab.platypus import Flowable

from certificates.fonts import Family, Glyph, covers, family_for, register_fonts

_RTL_CLASSES = frozenset({"R", "AL", "AN", "RLE", "RLO", "RLI"})
#: Isolates (LRI, RLI, FSI ... PDI) as the embeddings python-bidi's step functions know (LRE, RLE ... PDF):
#: a serial or address wrapped in LRI ... PDI inside right-to-left text stays one left-to-right run.
_LRI, _RLI, _FSI, _PDI = "\u2066", "\u2067", "\u2068", "\u2069"
_AS_EMBEDDINGS = str.maketrans({_LRI: "\u202a", _RLI: "\u202b", _PDI: "\u202c"})
#: Chinese, Japanese and full-width characters: a line may break before or after any of them.
_IDEOGRAPHS = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_BREAK_POINTS = re.compile(rf"[{_IDEOGRAPHS}]\s*|[^\s{_IDEOGRAPHS}]+\s*|\s+")
_ALIGN_SHIFT = {"left": 0.0, "center": 0.5, "right": 1.0}
#: Line height, and the height of capitals above the baseline, as multiples of the font size.
LEADING = 1.3
ASCENT = 0.8


@dataclass(frozen=True)
class Run:
    """Characters drawn in one font, left to right; ``glyphs`` is set when shaping moved them."""

    font: str
    text: str
    width: float  # thousandths of the requested size, ``scale`` included
    glyphs: tuple[Glyph, ...] = ()
    scale: float = 1.0  # the font is drawn at this multiple of the requested size


def clean(text: str) -> str:
    """Return ``text`` composed (NFC) with each stretch of white space made one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def is_rtl(text: str) -> bool:
    """Tell whether ``text`` reads right to left, judged by its first strongly directional character."""
    return bidi.get_base_level(text) == 1


def layout(text: str, *, bold: bool = False, rtl: bool | None = None) -> tuple[Run, ...]:
    """Return the runs that print ``text`` as one line, left to right (``rtl=None``: guess the direction)."""
    text = clean(text)
    return _layout(text, bold, is_rtl(text) if rtl is None else rtl)


def text_width(text: str, size: float, *, bold: bool = False, rtl: bool | None = None) -> float:
    """Return the width in points of ``text`` printed on one line at ``size``."""
    return sum(run.width for run in layout(text, bold=bold, rtl=rtl)) * size / 1000


def draw_text(canvas, x: float, y: float, text: str, size: float, *, bold: bool = False,
              rtl: bool | None = None, align: str = "left") -> float:
    """Draw ``text`` on one line with its baseline at ``y``, aligned to ``x``; return its width."""
    runs = layout(text, bold=bold, rtl=rtl)
    scale = size / 1000
    width = sum(run.width for run in runs) * scale
    x -= width * _ALIGN_SHIFT[align]
    text_object = canvas.beginText()
    for run in runs:
        text_object.setFont(run.font, size * run.scale)
        if not run.glyphs:
            text_object.setTextOrigin(x, y)
            text_object.textOut(run.text)
        else:
            pen, glyph_scale = x, scale * run.scale
            for glyph in run.glyphs:
                text_object.setTextOrigin(pen + glyph.dx * glyph_scale, y + glyph.dy * glyph_scale)
                text_object.textOut(glyph.char)
                pen += glyph.advance * glyph_scale
        x += run.width * scale
    canvas.drawText(text_object)
    return width


def markup(text: str, size: float, *, bold: bool = False, rtl: bool | None = None) -> str:
    """Return escaped Paragraph markup that prints ``text`` as one line in the shipped fonts at ``size``."""
    return "".join(
        f'<font name="{run.font}" size="{size * run.scale:g}">{escape(run.text)}</font>'
        for run in layout(text, bold=bold, rtl=rtl)
    )


def wrap_lines(text: str, width: float, size: float, *, bold: bool = False, rtl: bool | None = None) -> list[str]:
    """Break ``text`` into lines (still in typed order) that each fit ``width`` points at ``size``."""
    text = clean(text)
    rtl = is_rtl(text) if rtl is None else rtl
    lines: list[str] = []
    line = ""
    for token in _break_points(text):
        if line and text_width(line + token, size, bold=bold, rtl=rtl) > width:
            lines.append(line.rstrip())
            line = ""
        while not line and text_width(token, size, bold=bold, rtl=rtl) > width and len(token) > 1:
            cut = _longest_fit(token, width, size, bold, rtl)
            lines.append(token[:cut])
            token = token[cut:]
        line += token
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


class TextBlock(Flowable):
    """Wrapped text in any shipped script that takes the whole width it is given (story or table cell)."""

    def __init__(self, text: str, size: float = 10, *, bold: bool = False, rtl: bool | None = None,
                 align: str | None = None, color=None, leading: float | None = None):
        super().__init__()
        self.text = clean(text)
        self.size = size
        self.bold = bold
        self.rtl = is_rtl(self.text) if rtl is None else rtl
        self.align = align or ("right" if self.rtl else "left")
        self.color = color
        self.leading = leading or size * LEADING
        self.lines = [self.text]

    def wrap(self, avail_width, avail_height):
        """Break the text for ``avail_width`` and return the size it takes."""
        self.lines = wrap_lines(self.text, avail_width, self.size, bold=self.bold, rtl=self.rtl)
        self.width, self.height = avail_width, len(self.lines) * self.leading
        return self.width, self.height

    def draw(self):
        """Draw each line, aligned within the block."""
        if self.color is not None:
            self.canv.setFillColor(self.color)
        x = self.width * _ALIGN_SHIFT[self.align]
        for number, line in enumerate(self.lines):
            y = self.height - number * self.leading - (self.leading - self.size) / 2 - self.size * ASCENT
            draw_text(self.canv, x, y, line, self.size, bold=self.bold, rtl=self.rtl, align=self.align)


def _break_points(text: str) -> list[str]:
    """Split ``text`` after spaces and around each ideograph, where a line may break."""
    return _BREAK_POINTS.findall(text)


def _longest_fit(token: str, width: float, size: float, bold: bool, rtl: bool) -> int:
    """Return how many leading characters of an unbreakable ``token`` fit ``width`` (at least one)."""
    cut = 1
    while cut < len(token) and text_width(token[:cut + 1], size, bold=bold, rtl=rtl) <= width:
        cut += 1
    return cut


@lru_cache(maxsize=8192)
def _layout(text: str, bold: bool, rtl: bool) -> tuple[Run, ...]:
    families = _families(text)
    runs = []
    for (family, level), group in groupby(_visual_order(text, rtl), key=lambda c: (families[c[0]], c[1])):
        if family is None:
            continue
        group = list(group)
        font = register_fonts()[family.font_name(bold)]
        if family.shaped:
            logical = "".join(text[index] for index in sorted(index for index, _, _ in group))
            runs.append(_shaped_run(font, font.shape(logical, rtl=level % 2 == 1), family.scale))
        else:
            shown = "".join(char for _, _, char in group if covers(family, char))
            runs.append(Run(font.fontName, shown, font.stringWidth(shown, 1000) * family.scale, (), family.scale))
    return tuple(run for run in runs if run.text)


def _shaped_run(font, glyphs: tuple[Glyph, ...], scale: float) -> Run:
    """Return a run of shaped glyphs, keeping their placements only where the plain widths would differ."""
    text = "".join(glyph.char for glyph in glyphs)
    width = sum(glyph.advance for glyph in glyphs) * scale
    plain = all(not glyph.dx and not glyph.dy and abs(glyph.advance - font.stringWidth(glyph.char, 1000)) < 0.5
                for glyph in glyphs)
    return Run(font.fontName, text, width, () if plain else glyphs, scale)


def _families(text: str) -> list[Family | None]:
    """Choose a family for each character; marks, spaces, digits and punctuation follow their neighbours."""
    letters = [family_for(char) if unicodedata.category(char)[0] == "L" else None for char in text]
    following: list[Family | None] = [None] * len(text)  # the family of the next letter
    for index in range(len(text) - 2, -1, -1):
        following[index] = letters[index + 1] or following[index + 1]
    chosen: list[Family | None] = []
    for index, char in enumerate(text):
        family = letters[index]
        if family is None:
            before = chosen[-1] if chosen else None
            family = next((near for near in (before, following[index]) if near and covers(near, char)), None)
            family = family or family_for(char)
        chosen.append(family)
    return chosen


def _visual_order(text: str, rtl: bool) -> list[tuple[int, int, str]]:
    """Return ``(logical index, embedding level, character)`` of each character, left to right."""
    if not rtl and not any(unicodedata.bidirectional(char) in _RTL_CLASSES for char in text):
        return [(index, 0, char) for index, char in enumerate(text)]
    # python-bidi's step functions keep each character's record, so the logical index rides along.
    storage = bidi.get_empty_storage()
    storage["base_level"], storage["base_dir"] = (1, "R") if rtl else (0, "L")
    bidi.get_embedding_levels(_as_embeddings(text), storage)
    for index, record in enumerate(storage["chars"]):
        record["index"] = index
    bidi.explicit_embed_and_overrides(storage)
    bidi.resolve_weak_types(storage)
    bidi.resolve_neutral_types(storage, False)
    bidi.resolve_implicit_levels(storage, False)
    bidi.reorder_resolved_levels(storage, False)
    bidi.apply_mirroring(storage, False)
    return [(record["index"], record["level"], record["ch"]) for record in storage["chars"]]


def _as_embeddings(text: str) -> str:
    """Return ``text`` with each isolate made the embedding of the same direction (FSI: by its first letter)."""
    if _FSI in text:
        text = re.sub(f"{_FSI}([^{_PDI}]*)",
                      lambda m: (_RLI if is_rtl(m.group(1)) else _LRI) + m.group(1), text)
    return text.translate(_AS_EMBEDDINGS)
