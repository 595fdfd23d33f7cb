"""The RSC hours ledger: every name prints, long ledgers repeat their header, and the page follows the reader."""

import re
import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from certificates import LedgerData, LedgerRow, render_ledger
from tests.pdfs import letters, page_count, pdf_fonts, pdf_info, pdf_text

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

NAMES = ["Nguyễn Thị Lan", "Cabdi Xasan Maxamed", "Ольга Иванова", "Оксана Коваленко", "ሰላም ተስፋዬ", "王芳", "陳美玲",
         "김민지", "فاطمة الزهراء"]
HOSTILE = ['<font name="x">', "Tom & Jerry <Co>", '"><img src=x onerror=alert(1)>']
ARABIC_LABELS = {
    "provider": "المقدّم", "program": "البرنامج", "date": "التاريخ", "mentor": "مقدّم الإشراف", "kind": "فردي / جماعي",
    "format": "الشكل", "hours": "الساعات", "provider_signature": "توقيع المقدّم",
    "mentor_signature": "توقيع مقدّم الإشراف", "signature_date": "التاريخ", "page": "صفحة {page} من {pages}",
}
BASE_14 = ("Helvetica", "Times", "Courier", "Symbol", "ZapfDingbats")


@pytest.fixture
def make_ledger(tmp_path):
    """Render a ledger (sample data unless overridden) and return the path of the PDF."""
    def make(rows: int = 3, mentors: list[str] | None = None, **overrides) -> Path:
        mentors = mentors or ["Oksana Kovalenko"]
        sessions = tuple(
            LedgerRow(date(2024, 1, 1) + timedelta(days=7 * n), mentors[n % len(mentors)],
                      "Group" if n % 3 == 0 else "Individual", "Video" if n % 2 else "In person",
                      Decimal("2") if n % 3 == 0 else Decimal("1.5"))
            for n in range(rows)
        )
        fields = dict(
            title="Reflective Supervision/Consultation Hours Ledger", program="Infant Mental Health Endorsement",
            trainee_name="Lan Nguyen", trainee_name_native="Nguyễn Thị Lan",
            generated_on_text="Generated on 3 March 2025",
            rows=sessions, totals=(("Individual", "3.00"), ("Group", "2.00"), ("Total RSC hours", "5.00")),
        )
        path = tmp_path / f"ledger-{len(list(tmp_path.iterdir()))}.pdf"
        path.write_bytes(render_ledger(LedgerData(**{**fields, **overrides})))
        return path

    return make


def test_mentor_names_in_every_script_print_and_come_back_out(make_ledger):
    pdf = make_ledger(rows=len(NAMES), mentors=NAMES, trainee_name_native="陳美玲")
    text = pdf_text(pdf)
    for name in NAMES[:-1]:
        assert name in text
    assert letters("فاطمة الزهراء") <= letters(text)
    assert "陳美玲" in text and "Lan Nguyen" in text


def test_every_font_is_embedded_and_none_is_a_base_14_fallback(make_ledger):
    fonts = pdf_fonts(make_ledger(rows=len(NAMES), mentors=NAMES))
    assert {"NotoSans-Regular", "NotoSans-Bold", "NotoSansEthiopic-Regular", "WenQuanYiMicroHei-0",
            "NotoNaskhArabic-Regular"} <= {font for font, _ in fonts}
    assert all(embedded == "yes" for _, embedded in fonts)
    assert not any(font.startswith(BASE_14) for font, _ in fonts)


def test_markup_in_names_and_labels_prints_literally(make_ledger):
    pdf = make_ledger(rows=3, mentors=HOSTILE, trainee_name='Ada <b>Bold</b> & "Co"', program="R&D <i>")
    text = pdf_text(pdf)
    for hostile in HOSTILE + ['Ada <b>Bold</b> & "Co"', "R&D <i>"]:
        assert hostile in text


def test_a_200_row_ledger_runs_over_several_pages_with_the_header_on_each(make_ledger):
    pdf = make_ledger(rows=200)
    pages = page_count(pdf)
    texts = [pdf_text(pdf, page) for page in range(1, pages + 1)]
    pages_with_rows = [text for text in texts if re.search(r"\d{4}-\d{2}-\d{2}", text)]
    assert len(pages_with_rows) >= 4
    for text in pages_with_rows:
        assert re.search(r"Date\s+RSC provider\s+Individual /.*Format\s+Hours", text)
    for page, text in enumerate(texts, start=1):
        assert f"Page {page} of {pages}" in text and "Generated on 3 March 2025" in text
    sessions = re.findall(r"^\s*(\d{4}-\d{2}-\d{2})\s", "".join(texts), re.MULTILINE)
    assert len(sessions) == 200 and sessions[-1] == "2027-10-25"


def test_totals_and_signature_lines_follow_the_table(make_ledger):
    text = pdf_text(make_ledger())
    assert re.search(r"Total RSC hours\s+5\.00", text)
    assert text.index("2024-01-15") < text.index("Total RSC hours") < text.index("Provider signature")
    assert "RSC provider signature" in text


@pytest.mark.parametrize(("page_size", "points"), [("letter", "612 x 792"), ("A4", "595.276 x 841.89")])
def test_ledger_comes_in_letter_and_a4(make_ledger, page_size, points):
    assert f"Page size:       {points} pts" in pdf_info(make_ledger(page_size=page_size))


def test_letter_is_the_default_and_other_sizes_are_refused(make_ledger):
    assert "612 x 792" in pdf_info(make_ledger())
    with pytest.raises(ValueError, match="page_size"):
        make_ledger(page_size="legal")


def test_arabic_ledger_is_laid_out_right_to_left(make_ledger):
    pdf = make_ledger(rows=2, labels=ARABIC_LABELS, right_to_left=True, title="سجل ساعات الإشراف",
                      trainee_name="فاطمة الزهراء", trainee_name_native="Fatima Al-Zahra")
    text = pdf_text(pdf)
    assert letters("سجل ساعات الإشراف فاطمة الزهراء مقدّم الإشراف") <= letters(text)
    assert "NotoNaskhArabic-Bold" in {font for font, _ in pdf_fonts(pdf)}
    row = next(line for line in text.splitlines() if "2024-01-01" in line)
    assert row.index("2.00") < row.index("Oksana Kovalenko") < row.index("2024-01-01")  # hours left, date right


def test_an_empty_ledger_says_so(make_ledger):
    text = pdf_text(make_ledger(rows=0, labels={"no_sessions": "No sessions yet."}))
    assert "No sessions yet." in text and "Provider signature" in text


def test_native_name_is_printed_once_and_only_when_given(make_ledger):
    assert pdf_text(make_ledger(trainee_name_native="Lan Nguyen")).count("Lan Nguyen") == 1
    assert "Nguyễn Thị Lan" not in pdf_text(make_ledger(trainee_name_native=None))
