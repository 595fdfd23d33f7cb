"""The report as files that leave the admin screen: CSV tables and a PDF. Both are always suppressed."""

import csv
import io

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _

from certificates import ReportBar, ReportData, ReportTable, render_report
from lms import i18n
from lms.core.clock import program_today
from lms.core.spreadsheet import safe_cell
from lms.reports.report import Report

#: Spreadsheet programs read a file as UTF-8 (and show every script) when it starts with this mark.
BOM = "\ufeff"


def table_csv(title: str, header: list[str], rows, notes: list[str]) -> str:
    """One table as CSV: its title, header and rows, then the notes; formula-like cells neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(title)])
    writer.writerow([safe_cell(text) for text in header])
    for row in rows:
        writer.writerow([safe_cell(cell.text) for cell in row])
    for note in filter(None, notes):
        writer.writerow([safe_cell(note)])
    return BOM + out.getvalue()


def legend(report: Report) -> list[str]:
    """How hidden counts are marked, in the reader's language."""
    return [
        _("“<%(k)s”: a count from 1 to %(last)s, hidden so no one can be picked out; in a group smaller "
          "than %(k)s, every count is shown this way.", k=report.k, last=report.k - 1),
        _("“*”: a larger count, hidden so the small ones cannot be worked out from the totals."),
        _("“—”: not shown, because it would reveal a small count or is about fewer than %(k)s people.",
          k=report.k),
    ]


def report_pdf(report: Report, subtitle: str) -> bytes:
    language = i18n.current_language_code()
    tables = [ReportTable(
        title=_("Participation and completion by cohort"), header=tuple(report.summary_header),
        rows=tuple(tuple(cell.text for cell in row) for row in report.summary), note=report.summary_note,
        total_row=True,
        bars=tuple(ReportBar(label, value, text) for label, value, text in report.completion_bars))]
    tables += [ReportTable(
        title=b.title, header=tuple(b.header), rows=tuple(tuple(cell.text for cell in row) for row in b.rows),
        note=b.note, total_row=True, bars=tuple(ReportBar(*bar) for bar in b.bars)) for b in report.breakdowns]
    return render_report(ReportData(
        title=_("Program report"), subtitle=subtitle,
        generated_on_text=_("Generated on %(day)s", day=format_date(program_today(), "long")),
        intro=tuple(legend(report)), tables=tuple(tables),
        quotes_title=_("Voices from the field"), quotes=tuple(_("“%(quote)s”", quote=q) for q in report.quotes),
        labels={"page": _("Page {page} of {pages}")},
        page_size=current_app.config["LMS_PAPER_SIZE"], right_to_left=i18n.text_direction(language) == "rtl",
    ))
