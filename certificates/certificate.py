"""Render a completion certificate (one landscape page) as PDF bytes.

The caller translates and formats every word; this module only lays the page out. Labels, with
their English fallbacks in :data:`DEFAULT_LABELS` (placeholders are replaced, not ``str.format``-ed):

- ``title``: the heading, "Certificate of Completion" (also the PDF's title)
- ``presented``: above the name, "This certifies that"
- ``completed``: between the name and the program, "has completed"
- ``hours``: "{hours} professional-development hours" (left out when there are no hours)
- ``completed_on``: "Completed on {date}"
- ``issued_by``: "Issued by {issuer}"
- ``signature``: the caption under the signature line, "Signature"
- ``serial``: the caption over the serial number, "Serial number"
- ``verify``: the caption over the verification address, "Verify at"
"""

import io
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER, landscape
from reportlab.pdfgen.canvas import Canvas

from certificates.fonts import BASE_FONT, is_invisible, missing_characters, register_fonts
from certificates.layout import end, start
from certificates.text import ASCENT, clean, draw_text, text_width, wrap_lines

PAGE_SIZES = {"letter": landscape(LETTER), "A4": landscape(A4)}
#: The double border: a heavy outer line and a thin inner one, inset from the page edge.
OUTER_INSET, OUTER_LINE = 20, 2.4
INNER_INSET, INNER_LINE = 28, 0.7
#: Body text is centred between these side margins; the signature and verification blocks too.
MARGIN = 72
#: Baselines (and the name and program blocks' tops and bottoms) measured down from the page's top edge.
TITLE_Y, TITLE_SIZE = 104, 30
TITLE_RULE_Y, TITLE_RULE_WIDTH = 122, 140
PRESENTED_Y, LEAD_IN_SIZE = 156, 13
NAME_TOP, NAME_BOTTOM = 170, 264
#: The first name line's size and, once shrunk to fit, its smallest before it wraps; the second is smaller.
NAME_SIZE, NAME_MIN_SIZE, SECOND_NAME_SHARE = 34, 20, 0.78
NAME_MAX_LINES = 2
COMPLETED_Y = 290
PROGRAM_TOP, PROGRAM_BOTTOM = 300, 352
PROGRAM_SIZE, PROGRAM_MIN_SIZE = 20, 14
DETAIL_Y, DETAIL_SIZE, DETAIL_STEP = 380, 12, 18
#: The signature line and the QR code's top edge, measured up from the page's bottom edge.
SIGNATURE_LINE_Y, SIGNATURE_LINE_WIDTH = 124, 230
SIGNATORY_SIZE, SIGNATORY_TITLE_SIZE, SIGNATORY_TITLE_MIN_SIZE = 11, 9.5, 7
QR_TOP, QR_SIZE, QR_GAP = 136, 76, 12
SERIAL_SIZE, URL_SIZE, URL_MIN_SIZE = 10.5, 8.5, 6.5
CAPTION_SIZE = 7.5
LEADING = 1.2
#: Below this a shrinking line is no longer legible: the text is refused instead.
SMALLEST_SIZE = 4
#: Error correction "M" survives a scuffed corner. Mask None scores all eight and keeps the best, as the QR
#: standard asks: a third of a certificate's time; a fixed mask (0-7) would be faster but may scan worse.
QR_ERROR, QR_MASK = "m", None
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
ACCENT = colors.HexColor("#8a6d3b")

DEFAULT_LABELS = {
    "title": "Certificate of Completion",
    "presented": "This certifies that",
    "completed": "has completed",
    "hours": "{hours} professional-development hours",
    "completed_on": "Completed on {date}",
    "issued_by": "Issued by {issuer}",
    "signature": "Signature",
    "serial": "Serial number",
    "verify": "Verify at",
}


@dataclass(frozen=True)
class CertificateData:
    """Everything printed on a certificate, translated and formatted by the caller."""

    program_title: str
    names: tuple[str, ...]  # one or two lines: the legal name and/or the name in the trainee's own script
    hours: str | None  # already formatted, e.g. "40" or "٤٠"; None or "" (no hours) leaves the line out
    completed_on: str  # already formatted date
    issuer: str
    signatory_name: str
    signatory_title: str
    serial: str
    verify_url: str  # printed and encoded in a QR code
    labels: Mapping[str, str] = field(default_factory=dict)
    rtl: bool = False  # the labels' language reads right to left: mirror the layout
    page_size: str = "letter"  # "letter" or "A4", always landscape


class UnprintableText(ValueError):
    """Some text has characters no shipped font can print; ``characters`` names each one."""

    def __init__(self, characters: tuple[str, ...]):
        super().__init__(f"no shipped font can print {', '.join(characters)}")
        self.characters = characters


def render_certificate(data: CertificateData) -> bytes:
    """Return the certificate as PDF bytes."""
    if data.page_size not in PAGE_SIZES:
        raise ValueError(f"page_size must be one of {sorted(PAGE_SIZES)}, not {data.page_size!r}")
    # Composed and with white space tidied, so one name typed twice prints once; invisible-only is no name.
    names = tuple(dict.fromkeys(name for name in map(clean, data.names) if not all(map(is_invisible, name))))
    if not 1 <= len(names) <= 2:
        raise ValueError(f"a certificate prints one or two names, not {len(names)}")
    labels = {**DEFAULT_LABELS, **data.labels}
    texts = _texts(data, labels)
    _check_printable((*names, *texts.values()))
    register_fonts()
    width, height = PAGE_SIZES[data.page_size]
    buffer = io.BytesIO()
    # invariant: no timestamp and no random document id, so the same data gives the same bytes.
    canvas = Canvas(buffer, pagesize=(width, height), initialFontName=BASE_FONT, invariant=1, pageCompression=1)
    canvas.setTitle(texts["title"])
    canvas.setSubject(data.serial)
    canvas.setAuthor(data.issuer)
    canvas.setCreator("certificates.certificate")
    _draw_border(canvas, width, height)
    _draw_body(canvas, data, names, texts, width, height)
    _draw_signature(canvas, data, texts, width)
    _draw_verification(canvas, data, texts, width)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _texts(data: CertificateData, labels: dict[str, str]) -> dict[str, str]:
    """Return every string printed besides the names, labels filled in."""
    hours = {"hours": labels["hours"].replace("{hours}", data.hours)} if data.hours else {}
    return {
        "title": labels["title"], "presented": labels["presented"], "completed": labels["completed"],
        "program": data.program_title, **hours,
        "completed_on": labels["completed_on"].replace("{date}", data.completed_on),
        "issued_by": labels["issued_by"].replace("{issuer}", data.issuer),
        "signature": labels["signature"], "signatory_name": data.signatory_name,
        "signatory_title": data.signatory_title, "serial_label": labels["serial"], "serial": data.serial,
        "verify": labels["verify"], "verify_url": data.verify_url,
    }


def _check_printable(texts) -> None:
    """Raise UnprintableText naming every character of ``texts`` that no shipped font has."""
    missing = "".join(dict.fromkeys("".join(_missing(text) for text in texts)))
    if missing:
        raise UnprintableText(tuple(_describe(char) for char in missing))


@lru_cache(maxsize=1024)
def _missing(text: str) -> str:
    return missing_characters(text)


def _describe(char: str) -> str:
    """Return e.g. "U+1F600 GRINNING FACE", or just "U+E000" for a character without a name."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}".rstrip()


def _draw_border(canvas, width: float, height: float) -> None:
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(OUTER_LINE)
    canvas.rect(OUTER_INSET, OUTER_INSET, width - 2 * OUTER_INSET, height - 2 * OUTER_INSET)
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(INNER_LINE)
    canvas.rect(INNER_INSET, INNER_INSET, width - 2 * INNER_INSET, height - 2 * INNER_INSET)


def _draw_body(canvas, data: CertificateData, names: tuple[str, ...], texts: dict[str, str], width: float,
               height: float) -> None:
    """Draw the centred lines: title, lead-ins, names, program, hours, date and issuer."""
    rtl, middle, room = data.rtl, width / 2, width - 2 * MARGIN
    canvas.setFillColor(INK)
    _draw_fitted(canvas, middle, height - TITLE_Y, texts["title"], room, TITLE_SIZE, bold=True, rtl=rtl)
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(INNER_LINE)
    rule_y = height - TITLE_RULE_Y
    canvas.line(middle - TITLE_RULE_WIDTH / 2, rule_y, middle + TITLE_RULE_WIDTH / 2, rule_y)
    canvas.setFillColor(MUTED)
    _draw_fitted(canvas, middle, height - PRESENTED_Y, texts["presented"], room, LEAD_IN_SIZE, rtl=rtl)
    _draw_fitted(canvas, middle, height - COMPLETED_Y, texts["completed"], room, LEAD_IN_SIZE, rtl=rtl)
    canvas.setFillColor(INK)
    blocks = _fit_names(names, room)
    _draw_block(canvas, middle, height - NAME_TOP, height - NAME_BOTTOM, blocks, bold=True)
    program = _fit(texts["program"], room, PROGRAM_SIZE, PROGRAM_MIN_SIZE, 2, bold=True)
    _draw_block(canvas, middle, height - PROGRAM_TOP, height - PROGRAM_BOTTOM, [program], bold=True)
    details = [texts[key] for key in ("hours", "completed_on", "issued_by") if key in texts]
    for number, text in enumerate(details):
        _draw_fitted(canvas, middle, height - DETAIL_Y - number * DETAIL_STEP, text, room, DETAIL_SIZE, rtl=rtl)


def _draw_signature(canvas, data: CertificateData, texts: dict[str, str], width: float) -> None:
    """Draw the signature line at the start side, with its caption, the signatory's name and title."""
    rtl = data.rtl
    x = width - MARGIN if rtl else MARGIN
    align = start(rtl)
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.8)
    canvas.line(x, SIGNATURE_LINE_Y, x + (-SIGNATURE_LINE_WIDTH if rtl else SIGNATURE_LINE_WIDTH), SIGNATURE_LINE_Y)
    room = (width - 2 * MARGIN) / 2 - QR_GAP
    canvas.setFillColor(MUTED)
    y = SIGNATURE_LINE_Y - 11
    _draw_fitted(canvas, x, y, texts["signature"], room, CAPTION_SIZE, rtl=rtl, align=align)
    canvas.setFillColor(INK)
    y -= SIGNATORY_SIZE * LEADING + 3
    _draw_fitted(canvas, x, y, texts["signatory_name"], room, SIGNATORY_SIZE, bold=True, align=align)
    size, lines = _fit(texts["signatory_title"], room, SIGNATORY_TITLE_SIZE, SIGNATORY_TITLE_MIN_SIZE, 2)
    canvas.setFillColor(MUTED)
    for line in lines:
        y -= size * LEADING
        draw_text(canvas, x, y, line, size, align=align)


def _draw_verification(canvas, data: CertificateData, texts: dict[str, str], width: float) -> None:
    """Draw the QR code at the end side and, beside it, the serial number and the address it encodes."""
    rtl = data.rtl
    qr_x = MARGIN if rtl else width - MARGIN - QR_SIZE
    _draw_qr(canvas, data.verify_url, qr_x, QR_TOP - QR_SIZE, QR_SIZE)
    x = qr_x + QR_SIZE + QR_GAP if rtl else qr_x - QR_GAP
    align = end(rtl)
    room = (width - 2 * MARGIN) / 2 - QR_SIZE - 2 * QR_GAP
    y = QR_TOP - CAPTION_SIZE * ASCENT
    canvas.setFillColor(MUTED)
    _draw_fitted(canvas, x, y, texts["serial_label"], room, CAPTION_SIZE, rtl=rtl, align=align)
    canvas.setFillColor(INK)
    y -= SERIAL_SIZE * LEADING + 1
    _draw_fitted(canvas, x, y, texts["serial"], room, SERIAL_SIZE, bold=True, rtl=False, align=align)
    canvas.setFillColor(MUTED)
    y -= CAPTION_SIZE * LEADING + 8
    _draw_fitted(canvas, x, y, texts["verify"], room, CAPTION_SIZE, rtl=rtl, align=align)
    canvas.setFillColor(INK)
    size, lines = _fit(texts["verify_url"], room, URL_SIZE, URL_MIN_SIZE, 2, rtl=False)
    for line in lines:
        y -= size * LEADING + 1
        draw_text(canvas, x, y, line, size, rtl=False, align=align)


def _draw_qr(canvas, url: str, x: float, y: float, size: float) -> None:
    """Draw a QR code of ``url``: one filled path, a rectangle for each run of dark modules in a row.

    The path is written as PDF operators in module units (whole numbers, a scale does the rest):
    ReportLab's own path would format four floats per rectangle, the bulk of a certificate's time.
    """
    matrix = segno.make_qr(url, error=QR_ERROR, mask=QR_MASK, boost_error=False).matrix
    module = size / len(matrix)
    rectangles = []
    for row_number, row in enumerate(matrix):
        column = 0
        for dark, run in groupby(row):
            length = len(list(run))
            if dark:
                rectangles.append(f"{column} {row_number} {length} 1 re")
            column += length
    canvas.saveState()
    canvas.setFillColor(colors.black)
    canvas.transform(module, 0, 0, -module, x, y + size)  # rows run down from the top edge
    canvas.addLiteral("\n".join(rectangles) + "\nf")
    canvas.restoreState()


def _draw_fitted(canvas, x: float, y: float, text: str, room: float, size: float, *, bold: bool = False,
                 rtl: bool | None = None, align: str = "center") -> None:
    """Draw ``text`` on one line, shrunk if it is wider than ``room``."""
    size, _ = _fit(text, room, size, size, 1, bold=bold, rtl=rtl)
    draw_text(canvas, x, y, text, size, bold=bold, rtl=rtl, align=align)


def _fit(text: str, room: float, size: float, min_size: float, max_lines: int, *, bold: bool = False,
         rtl: bool | None = None) -> tuple[float, list[str]]:
    """Return the size and lines that print ``text`` within ``room``: shrunk down to ``min_size``, then wrapped.

    Past ``max_lines`` the size keeps shrinking, so nothing is ever cut off; ValueError below SMALLEST_SIZE.
    """
    per_point = text_width(text, 1, bold=bold, rtl=rtl)
    if per_point * min_size <= room:
        return min(size, room / per_point) if per_point else size, [text]
    if max_lines == 1:
        size = room / per_point
        lines = [text]
    else:
        size = min_size
        while len(lines := wrap_lines(text, room, size, bold=bold, rtl=rtl)) > max_lines:
            size *= 0.9
    if size < SMALLEST_SIZE:
        raise ValueError(f"too long to print legibly: {text[:40]!r}...")
    return size, lines


def _fit_names(names: tuple[str, ...], room: float) -> list[tuple[float, list[str]]]:
    """Return size and lines for each name, all shrunk together until they fit the name block's height."""
    scale = 1.0
    while True:
        blocks = [_fit(name, room, NAME_SIZE * share * scale, NAME_MIN_SIZE * share * scale, NAME_MAX_LINES,
                       bold=True) for name, share in zip(names, (1, SECOND_NAME_SHARE))]
        if sum(len(lines) * size * LEADING for size, lines in blocks) <= NAME_BOTTOM - NAME_TOP:
            return blocks
        scale *= 0.9


def _draw_block(canvas, x: float, top: float, bottom: float, blocks, *, bold: bool = False) -> None:
    """Draw lines of text centred on ``x``, the whole block centred between ``top`` and ``bottom``."""
    height = sum(len(lines) * size * LEADING for size, lines in blocks)
    y = top - (top - bottom - height) / 2
    for size, lines in blocks:
        for line in lines:
            y -= size * LEADING
            draw_text(canvas, x, y + size * (LEADING - 1) / 2 + size * (1 - ASCENT), line, size, bold=bold,
                      align="center")
