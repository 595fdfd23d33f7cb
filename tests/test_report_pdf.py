"""The program report PDF: every script prints, long tables run on with their header, hidden counts stay hidden."""

import re
import shutil
from pathlib import Path

import pytest

from certificates import ReportBar, ReportData, ReportTable, render_report
from tests.pdfs import letters, page_count, pdf_fonts, pdf_info, pdf_text

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

ARABIC_LABELS = {"page": "صفحة {page} من {pages}"}
BASE_14 = ("Helvetica", "Times", "Courier", "Symbol", "ZapfDingbats")


def cohort_table(**overrides) -> ReportTable:
    fields = dict(
        title="Participation by cohort", header=("Cohort", "Enrolled", "Completed", "Completion rate"),
        rows=(("Cohort 1", "78", "38", "48.7%"), ("Cohort 2", "<5", "*", "*"), ("All cohorts", "82", "40", "48.8%")),
        note="Counts under 5 are hidden.", total_row=True,
        bars=(ReportBar("Cohort 1", 78, "78"), ReportBar("Cohort 2", None, "<5")),
    )
    return ReportTable(**{**fields, **overrides})


@pytest.fixture
def make_report(tmp_path):
    """Render a report (sample data unless overridden) and return the path of the PDF."""
    def make(**overrides) -> Path:
        fields = dict(
            title="Program report", subtitle="All cohorts · 1 Jan 2026 – 30 Jun 2026",
            generated_on_text="Generated on 1 July 2026",
            intro=("Counts under 5 are hidden to protect privacy.",),
            tables=(cohort_table(),), quotes_title="Voices from the field",
            quotes=("“The reflective sessions changed how I listen to families.”",),
        )
        path = tmp_path / f"report-{len(list(tmp_path.iterdir()))}.pdf"
        path.write_bytes(render_report(ReportData(**{**fields, **overrides})))
        return path

    return make


def test_report_prints_title_subtitle_intro_cells_note_and_quotes(make_report):
    pdf = make_report()
    assert pdf.read_bytes().startswith(b"%PDF")
    text = pdf_text(pdf)
    for expected in ("Program report", "All cohorts · 1 Jan 2026 – 30 Jun 2026", "Counts under 5 are hidden to protect",
                     "Participation by cohort", "Counts under 5 are hidden.", "Voices from the field",
                     "The reflective sessions changed how I listen to families.", "Generated on 1 July 2026",
                     "Page 1 of 1"):
        assert expected in text
    assert re.search(r"Cohort\s+Enrolled\s+Completed\s+Completion rate", text)
    assert re.search(r"All cohorts\s+82\s+40\s+48\.8%", text)


def test_sections_follow_each_other_in_order(make_report):
    text = pdf_text(make_report())
    assert text.index("Program report") < text.index("Participation by cohort") < text.index("Voices from the field")


def test_hidden_counts_print_their_mark_and_draw_no_bar(make_report):
    hidden = cohort_table(bars=(ReportBar("Cohort 1", None, "<5"), ReportBar("Cohort 2", None, "*")))
    text = pdf_text(make_report(tables=(hidden,)))
    assert "<5" in text and "*" in text


@pytest.mark.parametrize("values", [(0, 0), (None, None), (5, -1)])
def test_charts_with_nothing_to_scale_render(make_report, values):
    bars = tuple(ReportBar(f"Group {n}", value, str(value)) for n, value in enumerate(values))
    assert "Group 1" in pdf_text(make_report(tables=(cohort_table(bars=bars),)))


def test_row_labels_in_every_script_print(make_report):
    labels = ["Nguyễn Thị Lan", "王芳", "김민지", "ሰላም ተስፋዬ", "Ольга Иванова"]
    table = cohort_table(rows=tuple((name, "12", "6", "50.0%") for name in labels), total_row=False,
                         bars=tuple(ReportBar(name, 12, "12") for name in labels))
    pdf = make_report(tables=(table,))
    text = pdf_text(pdf)
    for name in labels:
        assert name in text
    fonts = pdf_fonts(pdf)
    assert {"NotoSansEthiopic-Regular", "WenQuanYiMicroHei-0"} <= {font for font, _ in fonts}
    assert all(embedded == "yes" for _, embedded in fonts)
    assert not any(font.startswith(BASE_14) for font, _ in fonts)


def test_arabic_report_is_laid_out_right_to_left(make_report):
    table = ReportTable(title="المشاركة حسب الدفعة", header=("الدفعة", "المسجّلون"),
                        rows=(("الدفعة الأولى", "78"), ("الدفعة الثانية", "<5")),
                        bars=(ReportBar("الدفعة الأولى", 78, "78"), ReportBar("الدفعة الثانية", None, "<5")))
    pdf = make_report(title="تقرير البرنامج", subtitle="جميع الدفعات", labels=ARABIC_LABELS, right_to_left=True,
                      intro=("تُخفى الأعداد الأقل من خمسة.",), tables=(table,), quotes_title="أصوات من الميدان",
                      quotes=("«غيّرت الجلسات طريقة استماعي للأسر.»",))
    text = pdf_text(pdf)
    assert letters("تقرير البرنامج المشاركة حسب الدفعة الدفعة الأولى أصوات من الميدان الأسر") <= letters(text)
    assert "NotoNaskhArabic-Bold" in {font for font, _ in pdf_fonts(pdf)}
    rows = [line for line in text.splitlines() if "<5" in line]
    assert len(rows) == 2  # the chart's bar and the table's row
    for row in rows:  # the figure sits at the left, the label at the right
        assert row.index("<5") < re.search(r"[\u0600-\u06ff]", row).start()


def test_a_200_row_table_runs_over_several_pages_with_its_header_on_each(make_report):
    rows = tuple((f"Trainee {n:03}", str(n), "1", "100.0%") for n in range(200))
    pdf = make_report(tables=(cohort_table(rows=rows, total_row=False),))
    pages = page_count(pdf)
    assert pages > 1
    texts = [pdf_text(pdf, page) for page in range(1, pages + 1)]
    for page, text in enumerate(texts, start=1):
        assert f"Page {page} of {pages}" in text
    for text in texts[:-1]:
        assert re.search(r"Cohort\s+Enrolled\s+Completed\s+Completion rate", text)
    assert "Participation by cohort" in texts[0] and "Trainee 000" in texts[0]  # no empty first page
    assert len(re.findall(r"Trainee \d{3}", "".join(texts))) == 200


def test_a_chart_taller_than_a_page_splits(make_report):
    bars = tuple(ReportBar(f"Site {n}", n, str(n)) for n in range(80))
    text = pdf_text(make_report(tables=(cohort_table(bars=bars),)))
    assert "Site 0" in text and "Site 79" in text


def test_long_chart_labels_are_cut_short_but_the_table_keeps_them_whole(make_report):
    label = "Early Head Start home visitors and family child care providers in the northern counties"
    table = cohort_table(rows=((label, "12", "6", "50.0%"),), total_row=False, bars=(ReportBar(label, 12, "12"),))
    text = " ".join(pdf_text(make_report(tables=(table,))).split())
    assert "…" in text and "northern counties" in text


def test_markup_in_cells_prints_literally(make_report):
    table = cohort_table(rows=(("<b>Tom & Jerry</b>", "5", "5", "100%"),), total_row=False)
    assert "<b>Tom & Jerry</b>" in pdf_text(make_report(tables=(table,)))


def test_a_row_with_the_wrong_number_of_cells_is_refused(make_report):
    with pytest.raises(ValueError, match="one cell per header column"):
        make_report(tables=(cohort_table(rows=(("Cohort 1", "78"),)),))


@pytest.mark.parametrize(("page_size", "points"), [("letter", "612 x 792"), ("A4", "595.276 x 841.89")])
def test_report_comes_in_letter_and_a4(make_report, page_size, points):
    assert f"Page size:       {points} pts" in pdf_info(make_report(page_size=page_size))


def test_other_page_sizes_are_refused(make_report):
    with pytest.raises(ValueError, match="page_size"):
        make_report(page_size="legal")


def test_an_empty_report_still_renders(make_report):
    text = pdf_text(make_report(tables=(), quotes=(), intro=()))
    assert "Program report" in text and "Voices from the field" not in text


SUMMARY_HEADER = ("Cohort", "Participants", "Enrollments", "Completed", "Completion rate", "Attendance rate",
                  "Reflective-practice hours", "Certificates issued")


@pytest.mark.parametrize("page_size", ["letter", "A4"])
def test_column_headers_wrap_between_words_only(make_report, page_size):
    table = cohort_table(header=SUMMARY_HEADER, bars=(),
                         rows=(("Cohort 2023", "80", "80", "80", "100%", "—", "0", "0"),
                               ("All cohorts", "201", "201", "167", "83.1%", "78.6%", "27", "13")))
    words = pdf_text(make_report(tables=(table,), page_size=page_size)).split()
    for word in " ".join(SUMMARY_HEADER).split():
        assert word in words, f"{word!r} is broken across lines"
    assert "201" in words and "83.1%" in words
