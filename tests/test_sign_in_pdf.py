"""The session sign-in sheet: every name prints, long rosters repeat their header, and walk-ins get numbered rows."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from certificates import SignInData, SignInRow, render_sign_in_sheet
from tests.pdfs import letters, page_count, pdf_fonts, pdf_info, pdf_text

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

#: (name, name in own script) for a trainee of each script the program uses
ROSTER = [
    ("Lan Nguyen", "Nguyễn Thị Lan"), ("Cabdi Xasan Maxamed", "Cabdi Xasan Maxamed"), ("Olga Ivanova", "Ольга Иванова"),
    ("Oksana Kovalenko", "Оксана Коваленко"), ("Selam Tesfaye", "ሰላም ተስፋዬ"), ("Wang Fang", "王芳"),
    ("Chen Meiling", "陳美玲"), ("Kim Minji", "김민지"), ("Fatima Al-Zahra", "فاطمة الزهراء"),
]
HOSTILE = ["<b>Bold</b>", "Tom &amp; Jerry", '"><img onerror=1>']
ARABIC_LABELS = {
    "name": "الاسم", "name_in_own_script": "الاسم بخطك", "signature": "التوقيع", "time_in": "وقت الوصول",
    "facilitator": "الميسّر", "when": "الموعد", "where": "المكان", "page": "صفحة {page} من {pages}",
    "blank_rows_note": "أضف المشاركين الجدد أدناه.",
}
BASE_14 = ("Helvetica", "Times", "Courier", "Symbol", "ZapfDingbats")
HEADER = re.compile(r"#\s+Name\s+Signature\s+Time in")
#: Points between rows that a handwritten signature needs.
HANDWRITING_ROOM = 27


@pytest.fixture
def make_sheet(tmp_path):
    """Render a sign-in sheet (sample data unless overridden) and return the path of the PDF."""
    def make(rows: int = 3, roster: list[tuple[str, str | None]] | None = None, **overrides) -> Path:
        roster = roster or [("Trainee", None)]
        fields = dict(
            title="Attendance sign-in sheet", subtitle="Course session · Cohort 1",
            when="Wednesday 12 March 2025, 9:00–12:00", where="Community Room B", facilitator="Oksana Kovalenko",
            rows=tuple(SignInRow(*roster[n % len(roster)]) for n in range(rows)),
        )
        path = tmp_path / f"sign-in-{len(list(tmp_path.iterdir()))}.pdf"
        path.write_bytes(render_sign_in_sheet(SignInData(**{**fields, **overrides})))
        return path

    return make


def word_tops(path: Path) -> dict[str, float]:
    """Return the top (in points) of each word on the first page, the last one kept when a word repeats."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    words = re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)"[^>]*>([^<]*)</word>', html)
    return {word: float(top) for top, word in words}


def row_numbers(text: str) -> list[int]:
    """Return the numbers that start a table row, in the order they print."""
    return [int(number) for number in re.findall(r"^ *(\d+)(?: {2,}|$)", text, re.MULTILINE)]


def test_names_in_every_script_print_and_come_back_out(make_sheet):
    text = pdf_text(make_sheet(rows=len(ROSTER), roster=ROSTER))
    for name, own in ROSTER[:-1]:
        assert name in text and own in text
    assert "Fatima Al-Zahra" in text and letters("فاطمة الزهراء") <= letters(text)


def test_every_font_is_embedded_and_none_is_a_base_14_fallback(make_sheet):
    fonts = pdf_fonts(make_sheet(rows=len(ROSTER), roster=ROSTER))
    assert {"NotoSans-Regular", "NotoSans-Bold", "NotoSansEthiopic-Regular", "WenQuanYiMicroHei-0",
            "NotoNaskhArabic-Regular"} <= {font for font, _ in fonts}
    assert all(embedded == "yes" for _, embedded in fonts)
    assert not any(font.startswith(BASE_14) for font, _ in fonts)


def test_markup_looking_names_and_details_print_literally(make_sheet):
    roster = [(hostile, f"{hostile} <i>") for hostile in HOSTILE]
    pdf = make_sheet(rows=3, roster=roster, where="R&D <br/> Lab", facilitator='Ada "<b>"',
                     labels={"blank_rows_note": "Walk-ins & <guests>"})
    text = pdf_text(pdf)
    for literal in HOSTILE + [f"{hostile} <i>" for hostile in HOSTILE] + ["R&D <br/> Lab", 'Ada "<b>"',
                                                                          "Walk-ins & <guests>"]:
        assert literal in text


def test_60_rows_run_over_several_pages_with_the_header_and_page_number_on_each(make_sheet):
    pdf = make_sheet(rows=60, roster=ROSTER)
    pages = page_count(pdf)
    assert pages >= 3
    texts = [pdf_text(pdf, page) for page in range(1, pages + 1)]
    for page, text in enumerate(texts, start=1):
        assert HEADER.search(text) and "Name in own script" in text
        assert f"Page {page} of {pages}" in text and "Course session · Cohort 1" in text
    assert row_numbers("".join(texts)) == list(range(1, 66))
    assert "Wednesday 12 March 2025" in texts[-1]  # the running header, so loose pages stay identifiable


def test_walk_in_rows_are_numbered_after_the_roster_below_the_note(make_sheet):
    text = pdf_text(make_sheet(rows=3, roster=ROSTER, blank_rows=4))
    roster, walk_ins = text.split("Add walk-in participants below.")
    assert "Olga Ivanova" in roster and row_numbers(roster) == [1, 2, 3]
    assert row_numbers(walk_ins) == [4, 5, 6, 7]


def test_no_blank_rows_means_no_walk_in_note(make_sheet):
    text = pdf_text(make_sheet(rows=2, blank_rows=0))
    assert row_numbers(text) == [1, 2] and "walk-in" not in text


def test_rows_leave_room_to_sign(make_sheet):
    tops = word_tops(make_sheet(rows=1, blank_rows=3))
    assert tops["3"] - tops["2"] >= HANDWRITING_ROOM and tops["4"] - tops["3"] >= HANDWRITING_ROOM


def test_name_in_own_script_is_printed_once_and_only_when_given(make_sheet):
    assert pdf_text(make_sheet(rows=1, roster=[("Lan Nguyen", "Lan Nguyen")])).count("Lan Nguyen") == 1
    assert "Nguyễn" not in pdf_text(make_sheet(rows=1, roster=[("Lan Nguyen", None)]))


@pytest.mark.parametrize(("page_size", "points"), [("letter", "612 x 792"), ("A4", "595.276 x 841.89")])
def test_sheet_comes_in_letter_and_a4(make_sheet, page_size, points):
    assert f"Page size:       {points} pts" in pdf_info(make_sheet(page_size=page_size))


def test_letter_is_the_default_and_other_sizes_or_negative_blank_rows_are_refused(make_sheet):
    assert "612 x 792" in pdf_info(make_sheet())
    with pytest.raises(ValueError, match="page_size"):
        make_sheet(page_size="legal")
    with pytest.raises(ValueError, match="blank_rows"):
        make_sheet(blank_rows=-1)


def test_arabic_sheet_puts_the_number_column_on_the_right(make_sheet):
    pdf = make_sheet(rows=2, roster=ROSTER, labels=ARABIC_LABELS, right_to_left=True, title="ورقة الحضور")
    text = pdf_text(pdf)
    assert letters("ورقة الحضور الاسم التوقيع وقت الوصول الميسّر أضف المشاركين") <= letters(text)
    assert "NotoNaskhArabic-Bold" in {font for font, _ in pdf_fonts(pdf)}
    lines = text.splitlines()
    row = next(line for line in lines if "Cabdi Xasan Maxamed" in line)
    assert re.search(r"Cabdi Xasan Maxamed\s+2$", row)  # the name, then its number at the right edge
    header = next(line for line in lines if "#" in line)
    walk_in = next(line for line in lines if line.strip() == "3")
    assert header.endswith("#") and abs(walk_in.index("3") - row.rindex("2")) <= 1  # walk-ins are numbered there too
