"""The multi-script text layer: every trainee's name prints in a shipped, embedded font, and nothing else sneaks in."""

import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate

from certificates import can_print, missing_characters
from certificates.fonts import BASE_FONT, FAMILIES, FONT_DIR, register_fonts
from certificates.text import TextBlock, draw_text, layout, markup, text_width, wrap_lines
from tests.pdfs import letters, pdf_fonts, pdf_text

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

#: (name, the font it must print in)
NAMES = [
    ("Nguyễn Thị Lan", "NotoSans-Regular"),
    ("Cabdi Xasan Maxamed", "NotoSans-Regular"),
    ("Ольга Иванова", "NotoSans-Regular"),
    ("Оксана Коваленко", "NotoSans-Regular"),
    ("ሰላም ተስፋዬ", "NotoSansEthiopic-Regular"),
    ("王芳", "WenQuanYiMicroHei"),
    ("陳美玲", "WenQuanYiMicroHei"),
    ("김민지", "WenQuanYiMicroHei"),
    ("فاطمة الزهراء", "NotoNaskhArabic-Regular"),
]
HOSTILE = '<font name="x"> & "><img onerror=alert(1)>'
BASE_14 = ("Helvetica", "Times", "Courier", "Symbol", "ZapfDingbats")


def draw_lines(path: Path, lines: list[str]) -> Path:
    register_fonts()
    canvas = Canvas(str(path), initialFontName=BASE_FONT)
    for number, line in enumerate(lines):
        draw_text(canvas, 72, 760 - 24 * number, line, 12)
    canvas.save()
    return path


@pytest.mark.parametrize(("name", "font"), NAMES)
def test_each_name_comes_back_out_of_the_pdf_in_an_embedded_font_of_its_script(tmp_path, name, font):
    pdf = draw_lines(tmp_path / "name.pdf", [name])
    text = pdf_text(pdf)
    if font.startswith("NotoNaskhArabic"):
        assert letters(name) <= letters(text)  # joined and right to left, so the order may be visual
    else:
        assert name in text
    fonts = pdf_fonts(pdf)
    assert any(font in listed for listed, _ in fonts)
    assert all(embedded == "yes" for _, embedded in fonts)


def test_all_names_on_one_page_use_only_embedded_shipped_fonts(tmp_path):
    pdf = draw_lines(tmp_path / "names.pdf", [name for name, _ in NAMES])
    fonts = pdf_fonts(pdf)
    assert {font.split("+")[-1] for font, _ in fonts} == {
        "NotoSans-Regular", "NotoSansEthiopic-Regular", "WenQuanYiMicroHei-0", "NotoNaskhArabic-Regular"
    }
    assert all(embedded == "yes" for _, embedded in fonts)
    assert not any(font.split("+")[-1].startswith(BASE_14) for font, _ in fonts)


def test_arabic_letters_are_joined_and_searchable_in_reading_order(tmp_path):
    (run,) = layout("فاطمة")
    assert run.font == "CertArabic"
    assert run.text not in ("فاطمة", "فاطمة"[::-1])  # contextual forms, not the isolated letters
    assert "فاطمة الزهراء" in pdf_text(draw_lines(tmp_path / "arabic.pdf", ["فاطمة الزهراء"]))


def test_right_to_left_text_is_laid_out_from_the_right():
    runs = layout("فاطمة Lan")
    assert [run.font for run in runs][0] == "CertSans" and runs[0].text.strip() == "Lan"
    assert runs[-1].font == "CertArabic"
    assert layout("Lan فاطمة")[0].text.startswith("Lan")


@pytest.mark.parametrize("isolate", ["\u2066", "\u2068"])  # LRI, and FSI, which finds the serial's direction
def test_a_serial_isolated_inside_arabic_text_stays_one_left_to_right_run(tmp_path, isolate):
    line = f"الرقم التسلسلي {isolate}2026-RVCF-7UYV\u2069 صالح"
    assert "2026-RVCF-7UYV" in [run.text for run in layout(line, rtl=True)]
    printed = pdf_text(draw_lines(tmp_path / "serial.pdf", [line]))
    assert "\u2066" not in printed and "\u2068" not in printed and "\u2069" not in printed
    # pdftotext reads in logical order and brackets each run with embedding marks: drop those.
    assert re.sub("[\u202a-\u202e]", " ", printed).split() == ["الرقم", "التسلسلي", "2026-RVCF-7UYV", "صالح"]


def test_without_an_isolate_a_serial_inside_arabic_text_is_reordered_as_the_bidi_rules_say():
    """Why the isolate is needed: digits and dashes take the Arabic direction around them."""
    runs = [run.text for run in layout("الرقم 2026-RVCF-7UYV", rtl=True)]
    assert "2026-RVCF-7UYV" not in runs


def test_each_run_of_a_mixed_name_gets_the_font_of_its_script():
    fonts = [run.font for run in layout("王芳 (Wang Fang) ሰላም")]
    assert fonts == ["CertCJK", "CertSans", "CertEthiopic"]


def test_bold_uses_the_bold_face_where_one_is_shipped():
    assert layout("Ольга", bold=True)[0].font == "CertSans-Bold"
    assert layout("王芳", bold=True)[0].font == "CertCJK"


@pytest.mark.parametrize("name", [name for name, _ in NAMES] + [HOSTILE, "Ada Lovelace-Byron, PhD"])
def test_every_program_name_is_printable(name):
    assert can_print(name)
    assert missing_characters(name) == ""


@pytest.mark.parametrize("text", ["Lan 😀", "\ue000", "\U000f0000", "\U0001f469\u200d\U0001f4bb"])
def test_characters_no_shipped_font_has_are_reported(text):
    layout("فاطمة لا الله")  # shaping hands out private-use code points; they must not count as printable
    assert not can_print(text)
    assert missing_characters(text)
    assert missing_characters("a😀b😀") == "😀"


def test_decomposed_vietnamese_is_composed_before_printing():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Lan")
    assert can_print(decomposed)
    assert layout(decomposed)[0].text == "Nguyễn Thị Lan"


def test_markup_is_escaped_so_a_name_prints_literally_in_a_paragraph(tmp_path):
    text = markup(HOSTILE, 12)
    assert "&lt;font name=" in text and "&amp;" in text and "<img" not in text
    path = tmp_path / "paragraph.pdf"
    register_fonts()
    document = SimpleDocTemplate(str(path), initialFontName=BASE_FONT)
    document.build([Paragraph(text, ParagraphStyle("name", fontName=BASE_FONT))])
    assert HOSTILE in pdf_text(path)


def test_hostile_text_drawn_on_a_canvas_prints_literally(tmp_path):
    assert HOSTILE in pdf_text(draw_lines(tmp_path / "hostile.pdf", [HOSTILE]))


def test_lines_wrap_to_the_width_and_break_between_ideographs():
    text = "Video (HIPAA-compliant platform) with a reflective supervisor"
    lines = wrap_lines(text, 100, 10)
    assert len(lines) > 1 and " ".join(lines) == text
    assert all(text_width(line, 10) <= 100 for line in lines)
    assert all(text_width(line, 10) <= 40 for line in wrap_lines("Supercalifragilistic", 40, 10))
    assert wrap_lines("陳美玲陳美玲", 25, 10) == ["陳美", "玲陳", "美玲"]


def test_text_block_takes_more_lines_when_narrow():
    block = TextBlock("Cabdi Xasan Maxamed and Оксана Коваленко", 10)
    _, wide = block.wrap(400, 100)
    _, narrow = block.wrap(60, 100)
    assert narrow > wide


def test_every_shipped_font_has_its_licence_and_readme_entry():
    readme = (FONT_DIR / "README.md").read_text()
    for family in FAMILIES:
        for filename in filter(None, (family.regular, family.bold)):
            assert (FONT_DIR / filename).is_file()
            assert filename in readme
    assert (FONT_DIR / "LICENSE-OFL-1.1.txt").is_file() and (FONT_DIR / "LICENSE-Apache-2.0.txt").is_file()


def test_the_certificate_engine_needs_no_flask_database_or_lms():
    code = "import sys, certificates.text, certificates; print(sorted(m for m in sys.modules if m.split('.')[0] in " \
           "{'flask', 'sqlalchemy', 'lms', 'werkzeug'}))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).parents[1])
    assert result.stdout.strip() == "[]"
