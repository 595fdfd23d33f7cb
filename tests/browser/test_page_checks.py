"""The page checks find what a person would see: words broken inside themselves, tables cut off."""

from tests.browser.checks import broken_table_words

SQUEEZED = """<table style="inline-size: 10rem"><tr>
  <th style="overflow-wrap: anywhere">Cohort 2023</th><td>{cell}</td></tr></table>"""


def test_a_word_broken_across_lines_in_a_cell_is_found(page):
    page.set_content(SQUEEZED.format(cell="Certificates issued with everything asked of them"))
    assert '"Cohort" breaks across lines in <th>' in broken_table_words(page)


def test_words_that_wrap_between_them_pass(page):
    page.set_content("<table style='inline-size: 8rem'><tr><td>Names of the people, Mei-ling Chen (waitlist)"
                     "</td></tr></table>")
    assert broken_table_words(page) == []


def test_an_email_or_a_long_code_may_wrap_anywhere(page):
    page.set_content("<table style='inline-size: 6rem'><tr><td style='overflow-wrap: anywhere'>"
                     "fatima.al-zahra@example.org</td></tr></table>")
    assert broken_table_words(page) == []


def test_a_word_sticking_out_of_its_cell_is_found(page):
    page.set_content("<table style='table-layout: fixed; inline-size: 3rem'><tr><td style='overflow: hidden'>"
                     "Attendance</td></tr></table>")
    assert '"Attendance" sticks out of its <td>' in broken_table_words(page)


def test_a_table_wider_than_its_container_must_scroll_in_a_container_of_its_own(page):
    wide = "<table style='inline-size: 50rem'><tr><td>Name</td></tr></table>"
    page.set_content(f"<div style='inline-size: 20rem'>{wide}</div>")
    assert any("not in a scroll container" in problem for problem in broken_table_words(page))
    page.set_content(f"<div style='inline-size: 20rem; overflow-x: auto'>{wide}</div>")
    assert broken_table_words(page) == []


def test_right_to_left_words_are_measured_too(page):
    page.set_content("<html dir='rtl' lang='ar'><body>" + SQUEEZED.replace("Cohort 2023", "المجموعة ٢٠٢٣").format(
        cell="الشهادات الصادرة") + "</body></html>")
    assert '"المجموعة" breaks across lines in <th>' in broken_table_words(page)
