"""The completion certificate: every name prints in full on one landscape page, and its QR code verifies it."""

import dataclasses
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from PIL import Image

from certificates import CertificateData, UnprintableText, render_certificate
from certificates.certificate import INNER_INSET
from tests.pdfs import letters, pdf_info, pdf_text

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

ROOT = Path(__file__).resolve().parent.parent
URL = "https://lms.example.org/certificates/verify/BCL-2026-000123"
#: A trainee's name in each script the program's trainees write in.
NAMES = [
    "Nguyễn Thị Lan", "Cabdi Maxamed Xasan", "Ольга Петрова", "Олена Ковальчук", "Їжак Євгенія Іванівна",
    "አማኑኤል ተስፋዬ", "ሓጎስ ገብረመድህን", "李晓明", "陳美玲", "김민준", "فاطمة الزهراء",
]
SPANISH_LABELS = {
    "title": "Certificado de finalización", "presented": "Se certifica que", "completed": "ha completado",
    "hours": "{hours} horas de desarrollo profesional", "completed_on": "Completado el {date}",
    "issued_by": "Emitido por {issuer}", "signature": "Firma", "serial": "Número de serie",
    "verify": "Verifique en",
}
ARABIC_LABELS = {
    "title": "شهادة إتمام", "presented": "تشهد هذه الوثيقة بأن", "completed": "قد أتمّ",
    "hours": "{hours} ساعة تطوير مهني", "completed_on": "تاريخ الإتمام {date}", "issued_by": "صادرة عن {issuer}",
    "signature": "التوقيع", "serial": "الرقم التسلسلي", "verify": "تحقق على",
}
LONG_NAME = ("María de los Ángeles Guadalupe Fernández-Rodríguez y Castillo Montenegro de la Santísima Trinidad "
             "Villanueva Echeverría")


@pytest.fixture
def make_certificate(tmp_path):
    """Render a certificate (sample data unless overridden) and return the path of the PDF."""
    def make(**overrides) -> Path:
        path = tmp_path / f"certificate-{len(list(tmp_path.iterdir()))}.pdf"
        path.write_bytes(render_certificate(certificate_data(**overrides)))
        return path

    return make


def certificate_data(**overrides) -> CertificateData:
    fields = dict(
        program_title="BIPOC Community of Leaders Certificate Program", names=("Nguyễn Thị Lan",), hours="40",
        completed_on="June 12, 2026", issuer="King County Best Starts for Kids", signatory_name="Jordan Ellis",
        signatory_title="Program Director", serial="BCL-2026-000123", verify_url=URL,
    )
    return CertificateData(**{**fields, **overrides})


def words(path: Path) -> tuple[tuple[float, float], list[tuple[str, float, float, float, float]]]:
    """Return the page's (width, height) and each word with its box (xMin, yMin, xMax, yMax) in points."""
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    page = re.search(r'<page width="([\d.]+)" height="([\d.]+)">', html)
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)
    return (float(page.group(1)), float(page.group(2))), [
        (word, float(x0), float(y0), float(x1), float(y1)) for x0, y0, x1, y1, word in found
    ]


def overlapping(boxes) -> list[tuple[str, str]]:
    """Return the pairs of words whose letters overlap.

    A word's box spans its font's whole ascent and descent, more than the line spacing; 15% off its
    top and bottom leaves the letters themselves.
    """
    def core(box):
        word, x0, y0, x1, y1 = box
        trim = (y1 - y0) * 0.15
        return word, x0, y0 + trim, x1, y1 - trim

    cores = [core(box) for box in boxes]
    return [(word, other) for number, (word, x0, y0, x1, y1) in enumerate(cores)
            for other, left, top, right, bottom in cores[number + 1:]
            if x0 < right and left < x1 and y0 < bottom and top < y1]


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("name", NAMES)
def test_a_name_in_every_script_comes_back_out_of_the_pdf(make_certificate, name):
    text = pdf_text(make_certificate(names=(name,)))
    if unicodedata.bidirectional(name[0]) == "AL":
        assert letters(name) <= letters(text)  # joined and right to left, so the order may be visual
    else:
        assert name in text


def test_a_legal_name_and_a_name_in_own_script_both_print(make_certificate):
    text = pdf_text(make_certificate(names=("Selam Tesfaye", "ሰላም ተስፋዬ")))
    assert "Selam Tesfaye" in text and "ሰላም ተስፋዬ" in text


def test_a_name_given_twice_prints_once(make_certificate):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Lan")
    assert pdf_text(make_certificate(names=("Nguyễn Thị Lan", f" {decomposed} "))).count("Nguyễn Thị Lan") == 1


def test_every_detail_prints(make_certificate):
    text = one_line(pdf_text(make_certificate()))
    for printed in ("Certificate of Completion", "This certifies that", "has completed",
                    "BIPOC Community of Leaders Certificate Program", "40 professional-development hours",
                    "Completed on June 12, 2026", "Issued by King County Best Starts for Kids", "Jordan Ellis",
                    "Program Director", "Signature", "Serial number", "BCL-2026-000123", "Verify at", URL):
        assert printed in text


@pytest.mark.parametrize("hours", [None, ""])
def test_without_hours_the_hours_line_is_left_out_and_the_other_details_print(make_certificate, hours):
    text = one_line(pdf_text(make_certificate(hours=hours)))
    assert "professional-development hours" not in text
    assert "Completed on June 12, 2026 Issued by King County Best Starts for Kids" in text


@pytest.mark.parametrize("name, missing", [
    ("Ana 🜁", "U+1F701 ALCHEMICAL SYMBOL FOR AIR"),
    ("Ana 𐀀", "U+10000 LINEAR B SYLLABLE B008 A"),
    ("Ana \u0378", "U+0378"),  # unassigned, so it has no name
])
def test_a_name_with_a_character_no_font_has_is_refused_naming_it(name, missing):
    with pytest.raises(UnprintableText) as refused:
        render_certificate(certificate_data(names=(name,)))
    assert refused.value.characters == (missing,)
    assert missing in str(refused.value)


def test_an_unprintable_label_or_detail_is_refused_too():
    with pytest.raises(UnprintableText) as refused:
        render_certificate(certificate_data(labels={"title": "Certificate 😀"}, issuer="Issuer 🜁"))
    assert refused.value.characters == ("U+1F600 GRINNING FACE", "U+1F701 ALCHEMICAL SYMBOL FOR AIR")


@pytest.mark.parametrize(("page_size", "points"), [("letter", "792 x 612"), ("A4", "841.89 x 595.276")])
def test_letter_and_a4_are_landscape(make_certificate, page_size, points):
    assert f"Page size:       {points} pts" in pdf_info(make_certificate(page_size=page_size))
    assert "Pages:           1" in pdf_info(make_certificate(page_size=page_size))


def test_letter_is_the_default_and_other_sizes_or_name_counts_are_refused(make_certificate):
    assert "792 x 612" in pdf_info(make_certificate())
    with pytest.raises(ValueError, match="page_size"):
        make_certificate(page_size="legal")
    for names in ((), ("  ",), ("\u200b",), ("One", "Two", "Three")):
        with pytest.raises(ValueError, match="one or two names"):
            make_certificate(names=names)


@pytest.mark.parametrize("page_size", ["letter", "A4"])
@pytest.mark.parametrize("names", [
    (LONG_NAME,), (LONG_NAME, LONG_NAME.upper()), (" ".join([LONG_NAME] * 3),), ("Wolfeschlegelsteinhausen" * 8,),
], ids=["long", "two long", "very long", "unbreakable"])
def test_a_long_name_stays_inside_the_border_and_prints_in_full(make_certificate, page_size, names):
    pdf = make_certificate(names=names, page_size=page_size)
    (width, height), boxes = words(pdf)
    for word, x0, y0, x1, y1 in boxes:
        assert INNER_INSET < x0 < x1 < width - INNER_INSET and INNER_INSET < y0 < y1 < height - INNER_INSET, word
    text = one_line(pdf_text(pdf))
    for name in names:
        assert name in text or name in text.replace(" ", "")  # an unbreakable name is cut where it wraps
    assert not overlapping(boxes)  # and it runs into nothing else


def test_a_long_name_shrinks_to_fit_one_line_before_it_wraps(make_certificate):
    name = "Maria Guadalupe Fernández-Rodríguez Castillo"
    _, short = words(make_certificate(names=("Ana Lee",)))
    _, long = words(make_certificate(names=(name,)))
    short_height = next(y1 - y0 for word, _, y0, _, y1 in short if word == "Ana")
    name_words = [box for box in long if box[0] in name.split()]
    assert len(name_words) == len(name.split()) and len({y0 for _, _, y0, _, _ in name_words}) == 1
    assert name_words[0][4] - name_words[0][2] < short_height


def test_markup_like_text_prints_literally(make_certificate):
    text = pdf_text(make_certificate(names=("<b>Ana & Co</b>",), program_title="R&D <i>101</i> &amp;",
                                     signatory_name='Ada "<br/>"'))
    for literal in ("<b>Ana & Co</b>", "R&D <i>101</i> &amp;", 'Ada "<br/>"'):
        assert literal in text


def test_the_labels_print_in_the_language_given(make_certificate):
    text = one_line(pdf_text(make_certificate(labels=SPANISH_LABELS, completed_on="12 de junio de 2026")))
    for printed in ("Certificado de finalización", "Se certifica que", "ha completado",
                    "40 horas de desarrollo profesional", "Completado el 12 de junio de 2026",
                    "Emitido por King County Best Starts for Kids", "Firma", "Número de serie", "Verifique en"):
        assert printed in text
    assert "Certificate of Completion" not in text and "Verify at" not in text


def test_a_right_to_left_certificate_mirrors_the_signature_and_the_code(make_certificate):
    arabic = dict(labels=ARABIC_LABELS, rtl=True, hours="٤٠", names=("فاطمة الزهراء",))
    (width, _), ltr_boxes = words(make_certificate())
    _, rtl_boxes = words(make_certificate(**arabic))
    text = pdf_text(make_certificate(**arabic))
    assert letters("".join(ARABIC_LABELS.values())) <= letters(text) and "٤٠" in text
    for boxes, signature_on_the_left in ((ltr_boxes, True), (rtl_boxes, False)):
        signatory = next(x0 for word, x0, *_ in boxes if word == "Jordan")
        serial = next(x0 for word, x0, *_ in boxes if word == "BCL-2026-000123")
        assert (signatory < width / 2 < serial) == signature_on_the_left
        assert (serial < width / 2 < signatory) != signature_on_the_left


def test_the_qr_code_decodes_to_the_verification_address(make_certificate, tmp_path):
    url = "https://lms.example.org/certificates/verify/BCL-2026-000457?lang=so"
    pdf = make_certificate(verify_url=url)
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", "-singlefile", str(pdf), str(tmp_path / "page")],
                   check=True)
    assert decode_qr(qr_modules(Image.open(tmp_path / "page.png"))) == url
    assert url in pdf_text(pdf)


def test_the_same_data_gives_the_same_bytes():
    for data in (certificate_data(), certificate_data(names=("فاطمة الزهراء", "李晓明"), rtl=True)):
        assert render_certificate(data) == render_certificate(dataclasses.replace(data))


def test_the_engine_imports_no_web_or_database_code():
    code = ("import sys, certificates, certificates.certificate; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'sqlalchemy', 'lms', 'werkzeug'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"


# A small QR decoder (byte mode, versions 1 to 6), written from ISO/IEC 18004 so the test does not trust the
# encoder the engine uses: it tries each mask and error-correction level and keeps the one that parses.
RS_BLOCKS = {  # version -> data codewords of each block, for error correction L, M, Q, H
    1: ([19], [16], [13], [9]), 2: ([34], [28], [22], [16]), 3: ([55], [44], [17] * 2, [13] * 2),
    4: ([80], [32] * 2, [24] * 2, [9] * 4), 5: ([108], [43] * 2, [15, 15, 16, 16], [11, 11, 12, 12]),
    6: ([68] * 2, [27] * 4, [19] * 4, [15] * 4),
}
MASKS = [
    lambda r, c: (r + c) % 2 == 0, lambda r, c: r % 2 == 0, lambda r, c: c % 3 == 0,
    lambda r, c: (r + c) % 3 == 0, lambda r, c: (r // 2 + c // 3) % 2 == 0,
    lambda r, c: (r * c) % 2 + (r * c) % 3 == 0, lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
    lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0,
]


def qr_modules(image: Image.Image) -> list[list[bool]]:
    """Find the only pure black on the page, the QR code, and sample the middle of each module."""
    gray = image.convert("L")
    black = gray.point(lambda value: 255 if value < 16 else 0)
    left, top, right, bottom = black.getbbox()
    finder = 0  # the top-left finder pattern is 7 modules wide
    while gray.getpixel((left + finder, top)) < 128:
        finder += 1
    count = round((right - left) / (finder / 7))
    module = (right - left) / count
    return [[gray.getpixel((int(left + (c + 0.5) * module), int(top + (r + 0.5) * module))) < 128
             for c in range(count)] for r in range(count)]


def decode_qr(modules: list[list[bool]]) -> str | None:
    size = len(modules)
    version = (size - 17) // 4
    assert version in RS_BLOCKS and size == 17 + 4 * version
    for mask in MASKS:
        bits = [modules[r][c] != mask(r, c) for r, c in _data_positions(size, version)]
        codewords = [int("".join("1" if bit else "0" for bit in bits[n:n + 8]), 2) for n in range(0, len(bits) - 7, 8)]
        for blocks in RS_BLOCKS[version]:
            text = _parse_bytes(_deinterleave(codewords, blocks))
            if text is not None:
                return text
    return None


def _data_positions(size: int, version: int) -> list[tuple[int, int]]:
    """Return the data modules in reading order: two-column strips from the right, up then down."""
    align = 4 * version + 10 if version > 1 else None

    def function(r: int, c: int) -> bool:
        return (r < 9 and (c < 9 or c >= size - 8)) or (r >= size - 8 and c < 9) or r == 6 or c == 6 or (
            align is not None and abs(r - align) <= 2 and abs(c - align) <= 2)

    positions, upward, right = [], True, size - 1
    while right > 0:
        if right == 6:
            right = 5
        for r in (range(size - 1, -1, -1) if upward else range(size)):
            positions += [(r, c) for c in (right, right - 1) if not function(r, c)]
        upward, right = not upward, right - 2
    return positions


def _deinterleave(codewords: list[int], blocks: list[int]) -> list[int]:
    split: list[list[int]] = [[] for _ in blocks]
    index = 0
    for n in range(max(blocks)):
        for block, length in enumerate(blocks):
            if n < length:
                split[block].append(codewords[index])
                index += 1
    return [codeword for block in split for codeword in block]


def _parse_bytes(data: list[int]) -> str | None:
    """Return the text of one byte-mode segment, or None if ``data`` is not one (wrong mask or level)."""
    bits = "".join(f"{codeword:08b}" for codeword in data)
    length = int(bits[4:12], 2)
    end = 12 + 8 * length
    if bits[:4] != "0100" or end > len(bits) or bits[end:end + 4].strip("0"):  # mode, length, terminator
        return None
    try:
        return bytes(int(bits[n:n + 8], 2) for n in range(12, end, 8)).decode("utf-8")
    except UnicodeDecodeError:
        return None
