"""The TrueType fonts shipped in ``certificates/fonts``, registered with ReportLab on first use.

ReportLab has no font fallback: a character its font lacks is printed as nothing. So every script the
program's trainees write in has a font here, and :func:`can_print` tells the caller before it prints.
"""

import threading
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import uharfbuzz as hb
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).with_name("fonts")
#: First private-use code point handed to shaped glyphs that have no code point of their own.
_PRIVATE_START = 0xE000
_PRIVATE_END = 0xF8FF


@dataclass(frozen=True)
class Family:
    """One shipped typeface: its ReportLab name, files, whether it needs shaping, and how much to enlarge it."""

    name: str
    regular: str
    bold: str | None = None
    shaped: bool = False
    subfont: int = 0
    scale: float = 1.0  # so that its letters look as large as Noto Sans's beside them

    def font_name(self, bold: bool = False) -> str:
        """Return the ReportLab font name for this family's regular or bold face."""
        return f"{self.name}-Bold" if bold and self.bold else self.name


#: In order of preference: a character several families have is printed in the first.
FAMILIES = (
    Family("CertSans", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    Family("CertEthiopic", "NotoSansEthiopic-Regular.ttf", "NotoSansEthiopic-Bold.ttf"),
    Family("CertArabic", "NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf", shaped=True, scale=1.15),
    Family("CertCJK", "wqy-microhei.ttc"),
)
#: The font to start a canvas with, once :func:`register_fonts` has run, so no Base-14 font creeps in.
BASE_FONT = FAMILIES[0].name


@dataclass(frozen=True)
class Glyph:
    """A shaped glyph: the character that draws it and its placement, in thousandths of an em."""

    char: str
    advance: float
    dx: float = 0
    dy: float = 0


class ShapingFont(TTFont):
    """A TrueType font that draws HarfBuzz glyphs and tells PDF readers which text they stand for."""

    def __init__(self, name: str, path: Path, subfont: int = 0):
        super().__init__(name, str(path), subfontIndex=subfont)
        self.shapable = False  # ReportLab's own shaping stays off: text reaching it is already shaped
        self.coverage = frozenset(self.face.charToGlyph)
        self._path = path
        self._subfont = subfont
        self._hb_font = None
        self._private: dict[int, str] = {}  # glyph id -> private-use character drawing it
        self._actual_text: dict[int, str] = {}  # private-use code point -> the text it stands for
        self._lock = threading.Lock()

    def shape(self, text: str, rtl: bool) -> tuple[Glyph, ...]:
        """Shape ``text`` (in logical order) and return its glyphs left to right."""
        buffer = hb.Buffer()
        buffer.add_str(text)
        buffer.guess_segment_properties()
        buffer.direction = "rtl" if rtl else "ltr"
        buffer.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
        hb.shape(self._harfbuzz(), buffer)
        starts = sorted({info.cluster for info in buffer.glyph_infos}) + [len(text)]
        ends = dict(zip(starts, starts[1:]))
        scale = 1000 / self.face.unitsPerEm
        step = -1 if rtl else 1  # a ligature's text is stored in the order its glyphs are drawn
        with self._lock:
            return tuple(
                Glyph(self._char_for(info.codepoint, text[info.cluster:ends[info.cluster]][::step]),
                      pos.x_advance * scale, pos.x_offset * scale, pos.y_offset * scale)
                for info, pos in zip(buffer.glyph_infos, buffer.glyph_positions)
            )

    def _harfbuzz(self):
        if self._hb_font is None:
            self._hb_font = hb.Font(hb.Face(hb.Blob(self._path.read_bytes()), self._subfont))
        return self._hb_font

    def _char_for(self, glyph: int, source: str) -> str:
        charmap = self.face.charToGlyph
        if len(source) == 1 and charmap.get(ord(source)) == glyph:
            return source
        if glyph not in self._private:
            code = _PRIVATE_START
            while code in charmap:
                code += 1
            if code > _PRIVATE_END:
                raise RuntimeError(f"{self.fontName}: no private-use code points left for shaped glyphs")
            charmap[code] = glyph
            self.face.glyphToChar.setdefault(glyph, []).append(code)
            self.face.charWidths[code] = self.face.hmetrics[glyph][0] * 1000 / self.face.unitsPerEm
            self._private[glyph] = chr(code)
            self._actual_text[code] = source
        return self._private[glyph]

    def addObjects(self, doc):
        """Embed the font, then map shaped glyphs back to their text so it can be searched and copied."""
        state = self.state.get(doc)
        subsets = [list(subset) for subset in state.subsets] if state else []
        names = [self.getSubsetInternalName(n, doc)[1:] for n in range(len(subsets))]
        super().addObjects(doc)
        for name, subset in zip(names, subsets):
            if any(code in self._actual_text for code in subset):
                pdf_font = doc.idToObject["BasicFonts"].dict[name]
                doc.idToObject[pdf_font.ToUnicode.name].content = _to_unicode_cmap(name, subset, self._actual_text)


def _to_unicode_cmap(name: str, subset: list[int], actual_text: dict[int, str]) -> str:
    """Return a ToUnicode CMap that maps each code of a subset to the text it stands for."""
    entries = [
        f"<{index:02X}> <{actual_text.get(code, chr(code)).encode('utf-16-be').hex().upper()}>"
        for index, code in enumerate(subset)
    ]
    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        f"/CIDSystemInfo << /Registry ({name}) /Ordering ({name}) /Supplement 0 >> def",
        f"/CMapName /{name} def", "/CMapType 2 def",
        "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>", "endcodespacerange",
        f"{len(entries)} beginbfchar", *entries, "endbfchar",
        "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end",
    ])


_register_lock = threading.Lock()


@cache
def register_fonts() -> dict[str, ShapingFont]:
    """Register every shipped font with ReportLab (once) and return them by ReportLab name."""
    with _register_lock:
        registered = {}
        for family in FAMILIES:
            for bold, filename in ((False, family.regular), (True, family.bold)):
                if filename:
                    font = ShapingFont(family.font_name(bold), FONT_DIR / filename, family.subfont)
                    pdfmetrics.registerFont(font)
                    registered[font.fontName] = font
        return registered


def covers(family: Family, char: str) -> bool:
    """Tell whether ``family`` has a glyph of its own for ``char``."""
    return ord(char) in register_fonts()[family.name].coverage


def family_for(char: str) -> Family | None:
    """Return the preferred family that can print ``char``, or None."""
    return next((family for family in FAMILIES if covers(family, char)), None)


def is_invisible(char: str) -> bool:
    """Tell whether ``char`` prints as nothing by design (controls, joiners, direction marks)."""
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def missing_characters(text: str) -> str:
    """Return, once each, the characters of ``text`` that no shipped font can print."""
    text = unicodedata.normalize("NFC", text)
    missing = (char for char in text if not is_invisible(char) and family_for(char) is None)
    return "".join(dict.fromkeys(missing))


def can_print(text: str) -> bool:
    """Tell whether every character of ``text`` can be printed with the shipped fonts."""
    return not missing_characters(text)
